"""A property: no Markdown crashes `check` or `build --format epub`.

Hypothesis writes small documents from the manuscript dialect's pieces — headings, lists,
quotes, tables, notes, abbreviations, links and images good and bad, raw HTML harmless and
hostile, attribute lists, unclosed markup, stray punctuation and arbitrary Unicode — into
a chapter of a small book, and runs both commands on it, 500 times. Each run must end with
exit status 0 or 1 and no traceback, with every line on stderr a located finding; `build`
must refuse exactly when `check` does, writing nothing, and otherwise write an EPUB whose
documents are well-formed XML.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from pathlib import Path

from helpers import DEFAULT_TOML, finding_lines, make_manuscript, run_cli
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from lxml import etree

BOOK_TOML = DEFAULT_TOML.replace(
    'chapters = ["one.md"]',
    'front = ["abbr.md"]\nchapters = ["one.md", "two.md"]\nback = ["people.md"]',
)
FIXED = {
    "two.md": "---\nauthors: [au]\n---\n# Two\n\n## Section {#sec}\n\nThe EU.[^1]\n\n"
    "[^1]: A note.\n",
    "abbr.md": "---\nkind: abbreviations\n---\n\n*[EU]: European Union\n*[U.S.]: United "
    "States\n*[R&D]: research and development\n",
    "people.md": "---\nkind: contributors\n---\n",
    "sq.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>',
}
FINDING_RE = re.compile(r"book/[^\s:]+(:\d+(:\d+)?)?: (error|warning): \S.*")

WORDS = st.sampled_from(
    [
        "alliance",
        "the",
        "and",
        "Japan",
        "NATO",
        "EU",
        "U.S.",
        "R&D",
        "II",
        "WWII",
        "G7",
        "co-operation",
        "naïve",
        "日本語",
        "Ελλάδα",
        "don't",
        "x",
        "a",
        "–",
        "—",
        "…",
        "1984",
    ]
)
ODD_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=10)
FORMATTED = st.one_of(
    WORDS.map(lambda w: f"*{w}*"),
    WORDS.map(lambda w: f"**{w}**"),
    WORDS.map(lambda w: f"_{w}_"),
    WORDS.map(lambda w: f"`{w}`"),
)
GOOD_LINKS = st.sampled_from(
    [
        "[a link](two.md)",
        "[a section](#sec)",
        "[there](two.md#sec)",
        "[mail](mailto:a@b.org)",
        "[web](https://example.org/a_b)",
        "<https://example.org>",
        "https://example.org/NATO/x",
        "![a square](sq.svg)",
        '![a square](sq.svg "Caption")',
        "![a square](sq.svg){: .wide}",
        "<sup>2</sup>",
        '<span lang="ja">日本</span>',
        "<br>",
        "<em>e</em>",
        "<!-- comment -->",
        "&amp;",
        "&#x41;",
        '<span style="color: red">r</span>',
        "{: .c}",
        "{: lang=fr}",
    ]
)
BAD_PIECES = st.sampled_from(
    [
        "[gone](#gone)",
        "[js](javascript:alert(1))",
        "[up](../x.md)",
        "[nothing](missing.md)",
        "[empty]()",
        "[ref][1]",
        "[x](<two.md>)",
        "![](sq.svg)",
        "![gone](nope.png)",
        "![up](../x.png)",
        "![far](https://example.org/a.png)",
        "![bad](%00.png)",
        "[^1]",
        "[^a]",
        "[^missing]",
        "[^",
        "[^1]:",
        "<script>x()</script>",
        '<b onclick="x()">b</b>',
        '<a href="#sec">s</a>',
        '<a href="javascript:x()">j</a>',
        '<img src="sq.svg">',
        "<span>",
        "</span>",
        "<?php x ?>",
        "<!DOCTYPE x>",
        '<span style="background:url(x)">u</span>',
        '<span lang="xx">?</span>',
        "<SCRIPT>",
        "<a",
        "</div>",
        "{: #sec}",
        "{: #fresh}",
        "{: onclick=x}",
        "{: rel=attachment}",
        "{:",
    ]
)
PUNCTUATION = st.sampled_from(
    [
        "[",
        "]",
        "(",
        ")",
        "<",
        ">",
        "*",
        "_",
        "`",
        "{",
        "}",
        "#",
        "|",
        "\\",
        "&",
        "^",
        ":",
        "!",
        "~",
        '"',
        "'",
        "---",
        "...",
        "\t",
        "  ",
    ]
)
#: Clean pieces make documents that mostly build; all pieces, documents that mostly do not.
CLEAN_INLINE = st.one_of(WORDS, WORDS, WORDS, FORMATTED, GOOD_LINKS)
ANY_INLINE = st.one_of(WORDS, WORDS, ODD_TEXT, FORMATTED, GOOD_LINKS, BAD_PIECES, PUNCTUATION)


@st.composite
def lists(draw, line: st.SearchStrategy[str]) -> str:
    items = draw(
        st.lists(
            st.tuples(st.integers(0, 3), st.sampled_from(["- ", "* ", "1. "]), line),
            min_size=1,
            max_size=4,
        )
    )
    return "\n".join("    " * depth + marker + text for depth, marker, text in items)


def blocks(line: st.SearchStrategy[str], hostile: bool) -> st.SearchStrategy[str]:
    clean = [
        line,
        line,
        st.tuples(st.integers(2, 3), line).map(lambda t: "#" * t[0] + " " + t[1]),
        line.map(lambda text: f"{text}\n---"),
        lists(line),
        st.tuples(st.integers(1, 4), line).map(lambda t: "> " * t[0] + t[1]),
        line.map(lambda text: f"| a | b |\n|---|---|\n| {text} | x |"),
        line.map(lambda text: f"Table: {text}\n\n| a |\n|---|\n| 1 |"),
        line.map(lambda text: f'<div class="box">\n{text}\n</div>'),
        line.map(lambda text: f"```\n{text}\n```"),
        line.map(lambda text: f"    {text}"),
        st.just("***"),
    ]
    if not hostile:
        return st.one_of(*clean)
    return st.one_of(
        *clean,
        st.tuples(st.integers(1, 7), line).map(lambda t: "#" * t[0] + " " + t[1]),
        st.tuples(line, st.sampled_from(["===", "---"])).map("\n".join),
        st.sampled_from(["[^1]: ", "[^a]: ", "[^a]:", "[^missing]: "]).flatmap(
            lambda label: line.map(lambda text: label + text)
        ),
        line.map(lambda text: f"[^1]: First paragraph.\n\n    {text}"),
        st.sampled_from(
            [
                "*[EU]: European Union",
                "*[NATO]:",
                "<script>\nx()\n</script>",
                '<iframe src="https://example.org"></iframe>',
                "<style>p{}</style>",
            ]
        ),
    )


CLEAN_FRONT = st.sampled_from(
    [
        "",
        "---\ntitle: A Chapter\nauthors: [au]\n---\n\n",
        "---\nauthors: [au]\n---\n# A Chapter\n\n",
    ]
)
ANY_FRONT = st.sampled_from(
    [
        "",
        "---\ntitle: A Chapter\nauthors: [au]\n---\n\n",
        "---\nauthors: [au]\n---\n",
        "---\ntitle: [unclosed\n---\n\n",
        "---\ntitle: The NATO <sup>2</sup>\n---\n\n",
        "---\nkind: contributors\n---\n",
        "---\nkind: abbreviations\n---\n",
        "---\n\n",
        "---\n---\n",
        "---\nunknown: key\n---\n",
        "---\ntitle: *alias\n---\n",
    ]
)


@st.composite
def documents(draw) -> str:
    hostile = draw(st.booleans())
    line = st.lists(ANY_INLINE if hostile else CLEAN_INLINE, min_size=1, max_size=6).map(" ".join)
    front = draw(ANY_FRONT if hostile else CLEAN_FRONT)
    if not hostile and not front:
        front = "# A Chapter\n\n"  # a part needs a title
    return front + "\n\n".join(draw(st.lists(blocks(line, hostile), max_size=5))) + "\n"


def assert_findings(stderr: str) -> None:
    assert "Traceback" not in stderr
    for line in finding_lines(stderr):
        assert FINDING_RE.fullmatch(line), f"not a finding: {line!r}"


@settings(
    max_examples=500,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(document=documents())
@example(document="\x1b\n===\n")  # found by Hypothesis: a control character in a title
@example(document="---\n\n\x7f\n\nalliance\n---\n")  # found in CI: YAML's two-line message
@example(document="# A Chapter\n\nA \U00013000 sign.\n")  # in no font: check refuses, EPUB not
def test_no_markdown_crashes_check_or_build(document: str):
    with tempfile.TemporaryDirectory() as folder:
        # Bytes, so that the helper writes the document exactly as generated.
        root = make_manuscript(
            Path(folder) / "book", {"one.md": document.encode("utf-8"), **FIXED}, BOOK_TOML
        )
        checked, _, check_stderr = run_cli("check", root)
        assert checked in (0, 1)
        assert_findings(check_stderr)
        out = Path(folder) / "out"
        built, stdout, stderr = run_cli("build", root, "--format", "epub", "--output", out)
        assert_findings(stderr)
        # check also checks what the PDF needs: a character no font has stops it, not the EPUB.
        print_only = [
            line
            for line in finding_lines(check_stderr)
            if ": error: " in line and "is in no installed font" not in line
        ] == []
        assert built == checked or (built, checked) == (0, 1) and print_only, (
            "build and check disagree"
        )
        event("built" if built == 0 else "refused")
        written = sorted(p for p in out.iterdir() if p.name != ".cache") if out.exists() else []
        if built == 1:
            assert written == [] and "wrote" not in stdout
            return
        assert [path.name for path in written] == ["a-small-book.epub"]
        with zipfile.ZipFile(written[0]) as epub:
            assert epub.read("mimetype") == b"application/epub+zip"
            for name in epub.namelist():
                if name.endswith(".xhtml"):
                    etree.fromstring(epub.read(name))
