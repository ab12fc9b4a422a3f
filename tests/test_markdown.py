"""The manuscript dialect, one small case at a time: notes, abbreviations, titles, figures."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import DEFAULT_TOML, make_manuscript

from allianceprint.build import checked_book
from allianceprint.errors import Diagnostics

TWO_CHAPTERS = DEFAULT_TOML.replace('chapters = ["one.md"]', 'chapters = ["one.md", "two.md"]')


def render(tmp_path: Path, files: dict[str, str], toml: str = DEFAULT_TOML):
    diagnostics = Diagnostics()
    book = checked_book(make_manuscript(tmp_path / "book", files, toml), diagnostics)
    return book, diagnostics


def test_notes_are_numbered_by_first_reference_not_by_definition(tmp_path):
    book, _ = render(
        tmp_path,
        {
            "one.md": """\
        # One

        First.[^b] Second.[^a] First again.[^b]

        [^a]: Note A.
        [^b]: Note B.
        """
        },
    )
    part = book.parts[0]
    assert [(n.number, n.label) for n in part.notes] == [(1, "b"), (2, "a")]
    assert part.notes[0].ref_ids == ("one-ref-1", "one-ref-1-2")
    assert 'href="#one-note-1"' in part.body_html and 'id="one-ref-1-2"' in part.body_html


def test_same_labels_in_two_chapters_never_collide(tmp_path):
    chapter = "# {title}\n\nText.[^1]\n\n[^1]: Note of {title}.\n"
    book, _ = render(
        tmp_path,
        {"one.md": chapter.format(title="One"), "two.md": chapter.format(title="Two")},
        TWO_CHAPTERS,
    )
    ids = [note.id for part in book.parts for note in part.notes]
    assert ids == ["one-note-1", "two-note-1"]
    assert "Note of Two" in book.parts[1].notes[0].html


def test_a_note_may_have_several_paragraphs(tmp_path):
    book, _ = render(
        tmp_path,
        {
            "one.md": """\
        # One

        Text.[^long]

        [^long]: First paragraph of the note.

            Second paragraph, with *emphasis*.
        """
        },
    )
    html = book.parts[0].notes[0].html
    assert html.count("<p>") == 2 and "<em>emphasis</em>" in html


def test_note_on_the_title_is_kept_but_not_in_the_plain_title(tmp_path):
    book, _ = render(
        tmp_path,
        {
            "one.md": """\
        # The Title[^source]

        Body text.[^other]

        [^source]: First given as a talk.
        [^other]: Another note.
        """
        },
    )
    part = book.parts[0]
    assert part.title_text == "The Title"
    assert book.toc[0].title == "The Title"
    assert 'href="#one-note-1"' in part.title_html
    assert "The Title" not in part.body_html  # the heading left the flow
    assert [n.label for n in part.notes] == ["source", "other"]


def test_title_from_front_matter_wins_and_gets_smart_quotes(tmp_path):
    book, _ = render(
        tmp_path, {"one.md": '---\ntitle: "Japan\'s \\"New\\" Course"\n---\n\nText.\n'}
    )
    assert book.parts[0].title_text == "Japan’s “New” Course"


@pytest.mark.parametrize(
    "text, marked",
    [
        ("The U.S. and its allies.", "U.S."),
        ("U.S.-Japan ties.", "U.S."),
        ("Spending on R&D rose.", "R&amp;D"),
        ("5G networks.", "5G"),
        ("The ADMM-Plus met.", "ADMM-Plus"),
    ],
)
def test_abbreviations_with_stops_digits_and_ampersands_are_marked(tmp_path, text, marked):
    files = {
        "abbr.md": "---\nkind: abbreviations\n---\n\n*[U.S.]: United States\n"
        "*[R&D]: research and development\n*[5G]: fifth generation\n"
        "*[ADMM-Plus]: ASEAN Defence Ministers' Meeting-Plus\n"
        "*[ADMM]: ASEAN Defence Ministers' Meeting\n",
        "one.md": f"# One\n\n{text}\n",
    }
    toml = DEFAULT_TOML.replace("[contents]", '[contents]\nfront = ["abbr.md"]')
    book, _ = render(tmp_path, files, toml)
    body = book.parts[1].body_html
    assert f">{marked}</abbr>" in body


def test_abbreviation_inside_a_longer_word_is_not_marked(tmp_path):
    files = {
        "abbr.md": "---\nkind: abbreviations\n---\n\n*[UN]: United Nations\n",
        "one.md": "# One\n\nUNCLOS and the UN. UNDERSTOOD.\n",
    }
    toml = DEFAULT_TOML.replace("[contents]", '[contents]\nfront = ["abbr.md"]')
    book, _ = render(tmp_path, files, toml)
    assert book.parts[1].body_html.count("<abbr") == 1


def test_abbreviations_part_lists_alphabetically(tmp_path):
    files = {
        "abbr.md": "---\nkind: abbreviations\n---\n\nUsed in this book:\n\n"
        "*[WTO]: World Trade Organization\n*[ASEAN]: Association of Southeast "
        "Asian Nations\n*[5G]: fifth generation\n*[DoD]: Department of Defense\n",
        "one.md": "# One\n\nText.\n",
    }
    toml = DEFAULT_TOML.replace("[contents]", '[contents]\nfront = ["abbr.md"]')
    book, _ = render(tmp_path, files, toml)
    part = book.parts[0]
    assert part.title_text == "Abbreviations"
    order = [part.body_html.index(f"<dt>{a}</dt>") for a in ("5G", "ASEAN", "DoD", "WTO")]
    assert order == sorted(order)
    assert "Used in this book" in part.body_html and "*[" not in part.body_html


def test_contributors_part_in_order_of_first_appearance(tmp_path):
    files = {
        "one.md": "---\ntitle: One\nauthors: [au]\n---\n\nText.\n",
        "people.md": "---\nkind: contributors\n---\n",
    }
    toml = DEFAULT_TOML.replace(
        'chapters = ["one.md"]', 'chapters = ["one.md"]\nback = ["people.md"]'
    )
    book, _ = render(tmp_path, files, toml)
    people = book.parts[1]
    assert people.title_text == "About the Contributors"
    assert people.body_html.index("Eda Editor") < people.body_html.index("Aru Author")
    assert (
        "Institute of Examples" in people.body_html and "Aru writes chapters." in people.body_html
    )


def test_image_alone_in_a_paragraph_becomes_a_figure_with_caption(tmp_path):
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'
    book, diagnostics = render(
        tmp_path,
        {
            # (it names its author, so that no contributor goes unused: no finding at all)
            "chapters/one.md": "---\nauthors: [au]\n---\n# One\n\n![A square](../img/sq.svg "
            '"Figure caption")\n',
            "img/sq.svg": svg,
        },
        DEFAULT_TOML.replace('"one.md"', '"chapters/one.md"'),
    )
    html = book.parts[0].body_html
    assert (
        '<figure><img alt="A square" src="img/sq.svg" /><figcaption><span '
        'class="caption-label">Figure 1.</span> Figure caption'
    ) in html
    assert book.parts[0].images == (Path("img/sq.svg"),)
    assert not list(diagnostics)


def test_links_to_other_parts_become_internal_links(tmp_path):
    book, _ = render(
        tmp_path,
        {"one.md": "# One\n\nSee [the next](two.md).\n", "two.md": "# Two\n\nText.\n"},
        TWO_CHAPTERS,
    )
    assert 'href="#two"' in book.parts[0].body_html


def test_figures_and_tables_with_captions_are_numbered_per_part(tmp_path):
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'
    chapter = """# {t}

![A](sq.svg "First")

| a | b |
|---|---|
| 1 | 2 |

Table: Numbers, *in brief*.

![B](sq.svg "Second")

![C](sq.svg)
"""
    book, _ = render(
        tmp_path,
        {"one.md": chapter.format(t="One"), "two.md": chapter.format(t="Two"), "sq.svg": svg},
        TWO_CHAPTERS,
    )
    for part in book.parts:
        html = part.body_html
        assert "Figure 1.</span> First" in html and "Figure 2.</span> Second" in html
        assert "Figure 3" not in html  # no caption, no number
        assert (
            '<caption><span class="caption-label">Table 1.</span> Numbers, '
            "<em>in brief</em>.</caption>"
        ) in html
        assert "Table: " not in html


def test_bare_urls_become_links_that_can_break_after_slashes(tmp_path):
    book, _ = render(
        tmp_path,
        {
            "one.md": """\
        # One

        Text.[^1]

        [^1]: Report (2024), https://www.example.org/reports/2024/long-name.pdf.
        """
        },
    )
    note = book.parts[0].notes[0].html
    assert '<a href="https://www.example.org/reports/2024/long-name.pdf">' in note
    assert "https://<wbr />www.<wbr />example.<wbr />org/<wbr />reports/" in note
    assert "long-name.pdf</a>." in note.replace("<wbr />", "")


@pytest.mark.parametrize(
    "language, names, joined",
    [
        ("en", ["A"], "A"),
        ("en", ["A", "B"], "A and B"),
        ("en", ["A", "B", "C"], "A, B and C"),
        ("fr", ["A", "B"], "A et B"),
        ("ja", ["甲", "乙", "丙"], "甲・乙・丙"),
    ],
)
def test_names_are_joined_the_same_way_in_both_editions(language, names, joined):
    from allianceprint.labels import join_names, labels_for

    assert join_names(names, labels_for(language)) == joined


# The one reading of headings in the source (mdext.source_headings): the loader takes a
# part's title from it, the checks locate heading levels with it; it must find the headings
# Python-Markdown makes, no more and no fewer.
HEADING_BODIES = [
    "# Title\n\nText.\n\n## Section\n\n### Sub ###\n",
    "Title\n=====\n\nText.\n\nSection\n-------\n\n#### Deep\n",
    "#Title\n\n  # not a heading (indented)\n\nText\n   ===\n",
    "Text.\n\n```\n# in code\nnot\n===\n```\n\n`# in a code span`\n\n###### Six\n",
]  # (not seven `#`s: Python-Markdown makes an h6 of them, source_headings no heading)


@pytest.mark.parametrize("body", HEADING_BODIES)
def test_source_headings_are_the_headings_python_markdown_makes(body):
    import markdown
    from lxml import html

    from allianceprint.mdext import prose_lines, source_headings

    lines = [line for _, line in prose_lines(body.split("\n"), keep_all=True)]
    made = html.fragment_fromstring(
        markdown.markdown(body, extensions=["fenced_code"]), create_parent="div"
    )
    assert [h.level for h in source_headings(lines)] == [
        int(el.tag[1]) for el in made.iter("h1", "h2", "h3", "h4", "h5", "h6")
    ]


def test_the_loaders_title_is_the_first_level_one_source_heading():
    from allianceprint.loader import _first_heading

    assert _first_heading("Intro.\n\n# The Title[^1] #\n\n# Second\n") == "The Title"
    assert _first_heading("The Title\n===\n") == "The Title"
    assert _first_heading("#The Title\n") == "The Title"  # Python-Markdown's h1 too
    assert _first_heading("  # Indented\n\n```\n# Code\n```\n") == ""  # a paragraph, code
    assert _first_heading("#\n\n## Two\n\n# One\n") == "One"  # an empty `#` is no title
