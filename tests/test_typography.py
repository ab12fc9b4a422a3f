"""Pages a press would sign off (issue 15), read back from real PDFs and EPUBs: runts,
balanced spreads, hyphenation (tests/typometrics.py measures them), chapter numbers and
the printer's marks."""

from __future__ import annotations

import random
import re

import lxml.html
import pdfplumber
import pikepdf
import pytest
from epubutil import NS, Epub
from helpers import DEFAULT_TOML, finding_lines, make_manuscript, run_cli
from typometrics import measure

from allianceprint.build import build
from allianceprint.chapters import chapter_label, chinese_numeral
from allianceprint.errors import Diagnostics
from allianceprint.lastwords import bind_last_words

MM = 72 / 25.4

# A vocabulary for fixture prose (generated, so no sentence comes from anywhere): short
# words and the long ones that make a greedy line breaker hyphenate.
SHORT = (
    "the of and to in a is that for on as with by it or at be this are from not an "
    "was but its so if has than may who can new one all out"
).split()
LONG = (
    "intergovernmental counterproliferation institutionalization interoperability "
    "reconceptualization multilateralism characteristically disproportionately "
    "implementation understandings accountability responsibilities infrastructure "
    "semiconductors administration coordination manufacturing deterrence "
    "reassurance partnerships commitments arrangements negotiations "
    "vulnerabilities capabilities competitiveness recommendations"
).split()


def sentence(rng: random.Random, words: int) -> str:
    chosen = [rng.choice(LONG) if rng.random() < 0.35 else rng.choice(SHORT) for _ in range(words)]
    return " ".join(chosen).capitalize() + "."


def paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(sentence(rng, rng.randint(6, 22)) for _ in range(sentences))


def hard_chapter(title: str, seed: int, sections: int = 9, numbered: bool = True) -> str:
    """Short paragraphs, many headings, lists, quotes, a table and long words."""
    rng = random.Random(seed)
    out = [
        f"---\ntitle: {title}\nauthors: [au]\n"
        + ("" if numbered else "numbered: false\n")
        + "---\n"
    ]
    notes = []
    for s in range(sections):
        out.append(f"## {sentence(rng, rng.randint(2, 9))[:-1]}\n")
        for p in range(rng.randint(1, 4)):
            text = paragraph(rng, rng.randint(1, 3))
            if p == 0 and s % 2 == 0:
                label = f"n{s}"
                text += f"[^{label}]"
                notes.append(f"[^{label}]: {paragraph(rng, rng.randint(1, 3))}")
            out.append(text + "\n")
        if s % 3 == 1:
            out.append(f"### {sentence(rng, rng.randint(2, 6))[:-1]}\n")
            out.append(
                "\n".join(
                    f"- {sentence(rng, rng.randint(3, 18))}" for _ in range(rng.randint(2, 5))
                )
                + "\n"
            )
            out.append(paragraph(rng, 2) + "\n")
        if s % 4 == 2:
            out.append("> " + paragraph(rng, rng.randint(1, 3)) + "\n")
            out.append(paragraph(rng, rng.randint(1, 2)) + "\n")
        if s == 5:
            rows = "\n".join(
                f"| {rng.choice(LONG)} | {sentence(rng, 4)} | {rng.randint(1, 99)} |"
                for _ in range(5)
            )
            out.append("| Framework | Members | Year |\n|---|---|---|\n" + rows + "\n")
            out.append(paragraph(rng, 2) + "\n")
    return "\n".join(out + notes) + "\n"


HARD_TOML = DEFAULT_TOML.replace(
    'title = "A Small Book"', 'title = "A Hard Book"\nchapter_label = "Chapter {n}"'
).replace('chapters = ["one.md"]', 'chapters = ["intro.md", "one.md", "two.md", "three.md"]')


@pytest.fixture(scope="module")
def hard(tmp_path_factory):
    """The hard fixture, built once: reading PDF, printer's PDF and EPUB."""
    root = make_manuscript(
        tmp_path_factory.mktemp("hard") / "book",
        {
            "intro.md": hard_chapter("Introduction", 1, sections=3, numbered=False),
            "one.md": hard_chapter("Frameworks and Their Discontents", 2),
            "two.md": hard_chapter("Supply Chains Under Strain", 3),
            "three.md": hard_chapter("Deterrence by Other Means", 4),
        },
        HARD_TOML,
    )
    out = tmp_path_factory.mktemp("hard-out")
    diagnostics = Diagnostics()
    written = build(root, out, ("pdf", "epub"), diagnostics, print_ready=True)
    paths = {p.path.name: p.path for p in written.outputs}
    return {
        "pdf": paths["a-hard-book.pdf"],
        "print": paths["a-hard-book-print.pdf"],
        "epub": paths["a-hard-book.epub"],
        "root": root,
    }


def assert_signed_off(report) -> None:
    assert report.runts_per_100 <= 2, report.details()
    assert report.hyphenated_runts == [], report.details()
    assert report.widows == [] and report.orphans == []
    assert report.spreads and report.balanced_share >= 0.9, report.details()
    assert report.short_pages == [], report.details()
    assert report.longest_hyphen_run <= 2, report.details()
    assert report.heading_hyphens == report.head_hyphens == report.contents_hyphens == []
    assert report.turn_breaks_recto == [], report.details()


def test_the_sample_has_no_runts_balanced_spreads_and_clean_hyphenation(sample):
    report = measure(sample.pdf)
    assert report.pages <= 90  # README: the sample prints at 90 pages at most
    assert_signed_off(report)


def test_the_hard_fixture_too(hard):
    report = measure(hard["pdf"])
    assert report.pages >= 16  # enough spreads to mean something
    assert_signed_off(report)


def test_the_measure_finds_what_it_should_on_an_unfinished_layout(tmp_path):
    """The measure is not blind: the same pages set the way WeasyPrint sets them unaided
    (no bound last words, no grid, no second layout) show runts and unbalanced spreads."""
    root = make_manuscript(
        tmp_path / "book", {"one.md": hard_chapter("One", 2, sections=16)}, DEFAULT_TOML
    )
    styles = tmp_path / "styles"
    import shutil

    from allianceprint.housestyle import StyleSet, builtin_folder

    shutil.copytree(builtin_folder(), styles)
    css = styles / "print" / "print.css"
    text = css.read_text(encoding="utf-8")
    css.write_text(text[: text.index("/* --- Finish (issue 15)")], encoding="utf-8")
    from allianceprint import finishing
    from allianceprint.loader import load_book
    from allianceprint.render import render_book
    from allianceprint.writers import pdf as pdf_writer
    from allianceprint.writers import printhtml

    diagnostics = Diagnostics()
    book = render_book(load_book(root, diagnostics), diagnostics, StyleSet((styles,)))
    unaided = tmp_path / "unaided.pdf"
    original = (printhtml.bind_last_words, finishing.balance_pages, finishing.lay_out)
    try:
        printhtml.bind_last_words = lambda root: 0
        finishing.balance_pages = lambda document, ids: 0
        finishing.lay_out = lambda html, sheets: html.render(stylesheets=sheets)
        pdf_writer.write_pdf(book, unaided)
    finally:
        printhtml.bind_last_words, finishing.balance_pages, finishing.lay_out = original
    report = measure(unaided)
    assert report.runts and report.balanced_share < 0.9 and report.longest_hyphen_run >= 3


def test_bound_last_words_leave_the_text_as_it_was():
    document = lxml.html.document_fromstring(
        "<html><body><div><p>One two three in <em>response</em> to it.<sup class='noteref'>"
        "<a href='#n'>4</a></sup></p><p>See <a href='https://example.org/reports/2024/final.pdf'>"
        "https://<wbr>example.org/<wbr>reports/<wbr>2024/<wbr>final.pdf</a>.</p>"
        "<p>Short.</p></div></body></html>".replace("<wbr>", "<wbr></wbr>")
    )
    before = document.text_content()
    assert bind_last_words(document) == 2
    assert document.text_content() == before  # no character added, none changed
    spans = [span.text_content() for span in document.find_class("last-words")]
    assert spans[0].endswith("response to it.4") and spans[0].count(" ") <= 3
    assert "".join(spans[1:]) == "/final.pdf."  # the web address's last characters
    assert "\u00a0" not in lxml.html.tostring(document, encoding="unicode")


def test_the_pdf_text_has_no_stray_characters(hard):
    with pdfplumber.open(hard["pdf"]) as pdf:
        text = "".join(page.extract_text() or "" for page in pdf.pages)
    assert not set(text) & {"\u00a0", "\u2060", "\u200b", "\u00ad", "\ufeff"}


# Chapter numbers


@pytest.mark.parametrize(
    "number, numeral",
    [
        (1, "一"),
        (3, "三"),
        (10, "十"),
        (12, "十二"),
        (20, "二十"),
        (21, "二十一"),
        (105, "一百零五"),
    ],
)
def test_chinese_numerals(number, numeral):
    assert chinese_numeral(number) == numeral


def test_chapter_labels_by_pattern_and_language():
    assert chapter_label("Chapter {n}", 3, "en") == "Chapter 3"
    assert chapter_label("{n}", 12, "en-US") == "12"
    assert chapter_label("第{n}章", 3, "zh-Hans") == "第三章"
    assert chapter_label("第{n}章", 12, "ja") == "第十二章"
    assert chapter_label("Kapitel {n}", 3, "zh") == "Kapitel 3"  # no Han: Western digits


def test_chapters_are_numbered_on_the_opening_page_and_in_the_contents(hard):
    with pdfplumber.open(hard["pdf"]) as pdf:
        texts = [page.extract_text() or "" for page in pdf.pages]
    contents = next(t for t in texts if t.startswith("Contents"))
    assert re.search(r"^Introduction\b", contents, re.M)  # numbered: false
    for n, title in enumerate(
        [
            "Frameworks and Their Discontents",
            "Supply Chains Under Strain",
            "Deterrence by Other Means",
        ],
        1,
    ):
        assert f"Chapter {n} {title}" in contents
        opening = next(t for t in texts if t.startswith(f"Chapter {n}\n"))
        assert opening.splitlines()[1].startswith(title.split()[0])
    assert not any(t.startswith("Chapter 4") for t in texts)


def test_the_outline_and_the_epub_carry_the_numbers(hard):
    with pikepdf.open(hard["pdf"]) as pdf:
        with pdf.open_outline() as outline:
            titles = [item.title for item in outline.root]
    assert "Chapter 2 Supply Chains Under Strain" in titles and "Introduction" in titles
    epub = Epub(hard["epub"])
    nav = epub.xml(epub.nav_path)
    entries = [
        " ".join("".join(a.itertext()).split())
        for a in nav.iterfind(".//x:nav[@id='toc']//x:a", NS)
    ]
    assert any(e.startswith("Chapter 1 Frameworks") for e in entries)
    assert any(e.startswith("Introduction") for e in entries)
    chapter = epub.xml(next(n for n in epub.spine if n.endswith("two.xhtml")))
    heading = chapter.find(".//x:h1", NS)
    assert " ".join("".join(heading.itertext()).split()).startswith("Chapter 2 Supply")
    ncx = epub.xml(next(n for n in epub.zip.namelist() if n.endswith(".ncx")))
    labels = [t.text for t in ncx.iterfind(".//ncx:navLabel/ncx:text", NS)]
    assert "Chapter 3 Deterrence by Other Means" in labels


def test_front_and_back_matter_are_never_numbered(tmp_path):
    toml = HARD_TOML.replace(
        'chapters = ["intro.md", "one.md", "two.md", "three.md"]',
        'front = ["pre.md"]\nchapters = ["one.md"]\nback = ["post.md"]',
    )
    root = make_manuscript(
        tmp_path / "book",
        {
            "pre.md": "# Preface\n\nA preface.\n",
            "one.md": "# Only\n\nText.\n",
            "post.md": "# Afterword\n\nAn afterword.\n",
        },
        toml,
    )
    from allianceprint.loader import load_book
    from allianceprint.render import render_book

    diagnostics = Diagnostics()
    book = render_book(load_book(root, diagnostics), diagnostics)
    assert [(e.title, e.number_label) for e in book.toc] == [
        ("Preface", ""),
        ("Only", "Chapter 1"),
        ("Afterword", ""),
    ]


def test_a_chapter_label_without_n_and_a_wrong_numbered_are_located_errors(tmp_path):
    root = make_manuscript(
        tmp_path / "book",
        {"one.md": "---\nnumbered: maybe\n---\n# One\n"},
        DEFAULT_TOML.replace('language = "en"', 'language = "en"\nchapter_label = "Chapter"'),
    )
    status, _, err = run_cli("check", root)
    assert status == 1
    lines = finding_lines(err)
    assert any(
        re.match(r".*book\.toml:4(:\d+)?: error: .*chapter_label.*\{n\}", line) for line in lines
    ), lines
    assert "Traceback" not in err


def test_numbered_must_be_true_or_false(tmp_path):
    root = make_manuscript(tmp_path / "book", {"one.md": "---\nnumbered: maybe\n---\n# One\n"})
    status, _, err = run_cli("check", root)
    assert status == 1
    assert any(
        re.match(r".*one\.md:2:\d+: error: `numbered` must be true or false", line)
        for line in finding_lines(err)
    ), err


# The printer's PDF


def _boxes(page: pikepdf.Page) -> dict[str, list[float]]:
    return {
        name: [float(v) for v in page.obj[f"/{name}"]]
        for name in ("MediaBox", "TrimBox", "BleedBox")
    }


def _shapes(page) -> list[tuple[float, float, float, float]]:
    """Every line and curve, as (x0, y0, x1, y1) in the PDF's own coordinates."""
    bottom = float(page.page_obj.attrs["MediaBox"][1])
    return [
        (s["x0"], s["y0"] + bottom, s["x1"], s["y1"] + bottom) for s in page.lines + page.curves
    ]


def _outside(shape, box, margin=0.01) -> bool:
    x0, y0, x1, y1 = shape
    return (
        x1 <= box[0] + margin
        or x0 >= box[2] - margin
        or y1 <= box[1] + margin
        or y0 >= box[3] - margin
    )


def test_the_printers_sheet_holds_trim_bleed_and_marks_outside_the_bleed(hard):
    bleed, offset = 0.125 * 72, 3 * MM
    with pikepdf.open(hard["print"]) as pdf:
        boxes = [_boxes(page) for page in pdf.pages]
    for box in boxes:
        assert [round(v, 2) for v in box["TrimBox"]] == [0, 0, 432, 648]
        assert [round(v, 2) for v in box["BleedBox"]] == [-bleed, -bleed, 432 + bleed, 648 + bleed]
        grow = box["BleedBox"][0] - box["MediaBox"][0]
        assert grow >= offset + 5 * MM  # room for marks at least 5 mm long, 3 mm out
        assert box["MediaBox"] == [
            box["BleedBox"][0] - grow,
            box["BleedBox"][1] - grow,
            box["BleedBox"][2] + grow,
            box["BleedBox"][3] + grow,
        ]
    with pdfplumber.open(hard["print"]) as pdf:
        for index in (0, 7, len(pdf.pages) - 1):
            page = pdf.pages[index]
            trim, bleed_box = boxes[index]["TrimBox"], boxes[index]["BleedBox"]
            marks = [s for s in _shapes(page) if _outside(s, trim)]
            # nothing outside the trim is drawn in the bleed: every mark lies beyond it
            assert marks and all(_outside(s, bleed_box) for s in marks)
            crops = [
                s
                for s in marks
                if (s[0] == s[2] and round(s[0], 2) in (0, 432))
                or (s[1] == s[3] and round(s[1], 2) in (0, 648))
            ]
            assert len(crops) == 8
            for x0, y0, x1, y1 in crops:
                assert max(x1 - x0, y1 - y0) >= 5 * MM - 0.01
                gap = min(
                    abs(v - e)
                    for v in (x0, x1, y0, y1)
                    for e in (bleed_box[0], bleed_box[2], bleed_box[1], bleed_box[3])
                )
                assert abs(gap - offset) < 0.01  # they begin 3 mm outside the bleed
            circles = [s for s in page.curves]
            assert len(circles) == 4  # a registration cross on each side
            slug = "".join(c["text"] for c in page.chars if c["size"] < 7)
            assert "A Hard Book" in slug and "a-hard-book-print.pdf" in slug
            assert re.search(r"\d{4}-\d{2}-\d{2}", slug)
            assert f"({index + 1}/{len(pdf.pages)})" in slug
            bottom = float(page.page_obj.attrs["MediaBox"][1])
            assert max(c["y1"] + bottom for c in page.chars if c["size"] < 7) < bleed_box[1]


def test_marks_offset_moves_the_marks(tmp_path):
    root = make_manuscript(
        tmp_path / "book", toml=DEFAULT_TOML + '\n[print]\nmarks_offset = "6mm"\nmarks = ["crop"]\n'
    )
    diagnostics = Diagnostics()
    written = build(root, tmp_path / "out", ("pdf",), diagnostics, print_ready=True)
    printer = next(o.path for o in written.outputs if o.path.name.endswith("-print.pdf"))
    with pikepdf.open(printer) as pdf:
        box = _boxes(pdf.pages[0])
    with pdfplumber.open(printer) as pdf:
        page = pdf.pages[0]
        marks = [s for s in _shapes(page) if _outside(s, box["TrimBox"])]
        assert len(marks) == 8 and not page.curves  # crop marks only
        nearest = min(
            min(abs(s[1] - box["BleedBox"][3]), abs(s[3] - box["BleedBox"][1]))
            for s in marks
            if s[0] == s[2]
        )
        assert abs(nearest - 6 * MM) < 0.01


def test_see_chapter_references_show_the_chapters_real_number(tmp_path):
    toml = DEFAULT_TOML.replace(
        'language = "en"', 'language = "en"\nchapter_label = "Chapter {n}"'
    ).replace('chapters = ["one.md"]', 'chapters = ["intro.md", "one.md", "two.md"]')
    root = make_manuscript(
        tmp_path / "book",
        {
            "intro.md": "---\nnumbered: false\n---\n# Intro\n\nSee [chapter 7](two.md), "
            "[Chapter 9](two.md) and [the first](one.md).\n",
            "one.md": "# One\n\nText.\n",
            "two.md": "# Two\n\nText.\n",
        },
        toml,
    )
    from allianceprint.loader import load_book
    from allianceprint.render import render_book

    diagnostics = Diagnostics()
    book = render_book(load_book(root, diagnostics), diagnostics)
    html = book.parts[0].body_html
    assert ">chapter 2</a>" in html and ">Chapter 2</a>" in html and ">the first</a>" in html


def test_list_markers_stay_beside_their_lines(hard):
    """Vertical justification moves a list's markers with the lines they mark."""
    found = 0
    with pdfplumber.open(hard["pdf"]) as pdf:
        for page in pdf.pages:
            chars = page.chars
            for bullet in (c for c in chars if c["text"] == "•"):
                found += 1
                assert any(
                    abs(c["bottom"] - bullet["bottom"]) < 2.5
                    and c["x0"] > bullet["x1"]
                    and c["text"].isalpha()
                    for c in chars
                ), page.page_number
    assert found >= 5
