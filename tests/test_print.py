"""The print edition's production settings, read back from real PDFs: trim, bleed, marks,
PDF/UA, fonts, the three note modes, URLs kept in the text block, no stranded lines."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pdfplumber
import pytest
from conftest import have
from helpers import DEFAULT_TOML, make_manuscript
from pdfutil import Pdf
from pypdf import PdfReader

from allianceprint.build import build
from allianceprint.errors import Diagnostics
from allianceprint.fonts import check_fonts, primary_families
from allianceprint.loader import load_book
from allianceprint.render import render_book

PT_PER_IN = 72
WORDS = (
    "alliance partners coordinate deterrence economic security technology export "
    "controls supply chains resilience maritime cooperation ministers dialogue"
).split()


def paragraph(seed: int, words: int = 90) -> str:
    return " ".join(WORDS[(seed * 7 + i * 3) % len(WORDS)] for i in range(words)).capitalize() + "."


def chapter(title: str, notes: int, paragraphs: int = 14) -> str:
    """A chapter with `notes` notes spread over its paragraphs, one with a long URL."""
    body, definitions = [f"---\ntitle: {title}\nauthors: [au]\n---\n"], []
    for n in range(paragraphs):
        text = paragraph(n)
        if n < notes:
            text += f"[^n{n}]"
            url = (
                " https://www.example.org/publications/2024/very-long-report-title-on-"
                "alliance-policy-in-the-indo-pacific-region/full-text.pdf"
                if n == 2
                else ""
            )
            definitions.append(
                f"[^n{n}]: Note {n + 1} of {title}: a source.{url} " + paragraph(n + 40, 45)
            )
        body.append(text + "\n")
    return "\n".join(body + definitions) + "\n"


def manuscript(root: Path, print_table: str = "") -> Path:
    toml = (
        DEFAULT_TOML.replace('chapters = ["one.md"]', 'chapters = ["one.md", "two.md"]')
        + print_table
    )
    return make_manuscript(
        root, {"one.md": chapter("Chapter One", 6), "two.md": chapter("Chapter Two", 5)}, toml
    )


def build_pdf(root: Path, out: Path, print_ready: bool = False) -> tuple[Path, Diagnostics]:
    diagnostics = Diagnostics()
    written = build(root, out, ("pdf",), diagnostics, print_ready=print_ready)
    return written.outputs[0].path, diagnostics


@pytest.fixture(scope="module")
def modes(tmp_path_factory) -> dict[str, Path]:
    result = {}
    for mode in ("chapter-end", "footnotes", "book-end"):
        root = manuscript(tmp_path_factory.mktemp(mode) / "book", f'\n[print]\nnotes = "{mode}"\n')
        result[mode] = build_pdf(root, root / "build")[0]
    return result


def test_default_trim_is_6_by_9_inches(sample):
    for page in PdfReader(sample.pdf).pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == (432, 648)


@pytest.mark.parametrize(
    "trim, size", [("A5", (419.53, 595.28)), ("letter", (612, 792)), ("5.5in 8.5in", (396, 612))]
)
def test_trim_sizes(tmp_path, trim, size):
    root = make_manuscript(tmp_path / "book", toml=DEFAULT_TOML + f'\n[print]\ntrim = "{trim}"\n')
    page = PdfReader(build_pdf(root, tmp_path / "out")[0]).pages[0]
    assert (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) == size


def _lines_outside_trim(path: Path) -> int:
    """Stroked lines on the first page that lie outside its trim box (printer's marks)."""
    boxes = PdfReader(path).pages[0]
    left = float(boxes.trimbox.left) - float(boxes.mediabox.left)
    top = float(boxes.mediabox.top) - float(boxes.trimbox.top)
    width, height = float(boxes.trimbox.width), float(boxes.trimbox.height)
    with pdfplumber.open(path) as pdf:
        return sum(
            1
            for line in pdf.pages[0].lines
            if line["x1"] < left + 0.1
            or line["x0"] > left + width - 0.1
            or line["bottom"] < top + 0.1
            or line["top"] > top + height - 0.1
        )


def test_print_ready_pdf_has_bleed_trim_box_and_marks_and_reading_pdf_has_none(tmp_path):
    root = make_manuscript(tmp_path / "book", toml=DEFAULT_TOML + '\n[print]\nbleed = "3mm"\n')
    reading, _ = build_pdf(root, tmp_path / "out", print_ready=True)
    printer = reading.with_name(reading.stem + "-print.pdf")
    page = PdfReader(printer).pages[0]
    bleed = 3 / 25.4 * PT_PER_IN
    assert [round(float(v), 2) for v in page.trimbox] == [0, 0, 432, 648]
    assert [round(float(v), 2) for v in page.bleedbox] == [
        round(-bleed, 2),
        round(-bleed, 2),
        round(432 + bleed, 2),
        round(648 + bleed, 2),
    ]
    assert _lines_outside_trim(printer) >= 8  # crop and cross marks
    plain = PdfReader(reading).pages[0]
    assert [float(v) for v in plain.mediabox] == [0, 0, 432, 648]
    assert plain.trimbox == plain.mediabox and _lines_outside_trim(reading) == 0


def test_pdf_ua_identification_and_structure_tree(sample):
    reader = PdfReader(sample.pdf)
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfuaid:part(>|=\")1", xmp)
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert root["/Lang"] == "en-US"


def test_pdf_a_variant_can_be_chosen(tmp_path):
    root = make_manuscript(
        tmp_path / "book", toml=DEFAULT_TOML + '\n[print]\npdf_variant = "pdf/a-3b"\n'
    )
    reader = PdfReader(build_pdf(root, tmp_path / "out")[0])
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfaid:part(>|=\")3", xmp) and "/OutputIntents" in reader.trailer["/Root"]


@pytest.mark.skipif(not have("qpdf"), reason="qpdf not installed")
def test_qpdf_finds_no_damage(sample):
    result = subprocess.run(["qpdf", "--check", str(sample.pdf)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_character_the_text_font_lacks_is_a_warning_naming_font_and_line(tmp_path):
    root = make_manuscript(tmp_path / "book", {"one.md": "# One\n\nPlain.\n\nA snowman: ☃.\n"})
    diagnostics = Diagnostics()
    book = render_book(load_book(root, diagnostics), diagnostics)
    check_fonts(book, book.styles.file("print/print.css"), diagnostics)
    warnings = [str(w) for w in diagnostics.warnings]
    assert len(warnings) == 1
    assert warnings[0].startswith(
        "book/one.md:5:12: warning: '☃' (U+2603 SNOWMAN) is not in the font 'Linux Libertine O'"
    )


def test_a_missing_font_is_a_warning_naming_it(tmp_path):
    css = tmp_path / "styles" / "print" / "print.css"
    css.parent.mkdir(parents=True)
    css.write_text('html { font-family: "No Such Serif", serif; }\n', encoding="utf-8")
    assert primary_families(css.read_text()) == ["No Such Serif"]
    root = make_manuscript(tmp_path / "book")
    diagnostics = Diagnostics()
    book = render_book(load_book(root, diagnostics), diagnostics)
    check_fonts(book, css, diagnostics)
    assert any(
        "font 'No Such Serif' named in the print stylesheet is not installed" in str(w)
        for w in diagnostics.warnings
    )


def test_the_sample_sets_every_character_in_its_fonts(sample):
    assert not [w for w in sample.diagnostics.warnings if "font" in w.message]


def _page_of(pdf: Pdf, text: str) -> list[int]:
    return [i for i, lines in enumerate(pdf.lines) if text in " ".join(lines)]


def test_footnotes_print_on_the_page_of_their_reference(modes):
    pdf = Pdf(modes["footnotes"])
    for title, count in (("Chapter One", 6), ("Chapter Two", 5)):
        for n in range(1, count + 1):
            pages = _page_of(pdf, f"Note {n} of {title}")
            assert len(pages) == 1, (title, n)
            lines = pdf.lines[pages[0]]
            # The footnote's number is at the start of its line, and the page's text cites it.
            assert any(line.startswith(f"{n}. Note {n} of {title}") for line in lines)
    assert "Notes" not in [line for page in pdf.lines for line in page]


def test_book_end_notes_are_one_section_with_heads_naming_text_pages(modes):
    pdf = Pdf(modes["book-end"])
    section = next(item.page for item in pdf.outline if item.title == "Notes")
    chapter_two = next(item.page for item in pdf.outline if item.title == "Chapter Two")
    assert section > chapter_two
    for n in range(1, 7):
        assert (
            _page_of(pdf, f"Note {n} of Chapter One")
            and min(_page_of(pdf, f"Note {n} of Chapter One")) >= section
        )
    heads = [pdf.head(i) for i in range(section + 1, pdf.pages) if pdf.lines[i]]
    assert heads, "the fixture's notes fill more than one page"
    for head in heads:
        match = re.fullmatch(r"Notes to pages? (\d+)(?:–(\d+))?", head)
        assert match, head
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        assert 1 <= first <= last < int(pdf.labels[section])
    assert pdf.head(section) == ""  # the section's opening page has no running head


def test_chapter_end_notes_follow_their_chapter(modes):
    pdf = Pdf(modes["chapter-end"])
    two = next(item.page for item in pdf.outline if item.title == "Chapter Two")
    assert all(p < two for p in _page_of(pdf, "Note 6 of Chapter One"))
    assert all(p > two for p in _page_of(pdf, "Note 5 of Chapter Two"))


ADJACENT_NOTES = """\
---
title: Chapter One
authors: [au]
---

As argued.[^a][^b][^c] Spaced apart.[^d] [^e]

[^a]: Note a.
[^b]: Note b.
[^c]: Note c.
[^d]: Note d.
[^e]: Note e.
"""


def _calls_after(pdf: Path, word: str) -> list[dict]:
    """The characters set smaller than `word` right after it (a note reference's numbers and
    what lies between them), as pdfplumber's chars."""
    with pdfplumber.open(pdf) as document:
        for page in document.pages:
            chars = [char for char in page.chars if char["text"].strip()]
            text = "".join(char["text"] for char in chars)
            if word in text:
                start = text.index(word) + len(word)
                last = chars[start - 1]
                found = []
                for char in chars[start:]:
                    if char["size"] >= last["size"] or char["top"] > last["bottom"]:
                        break  # the text goes on, or the next line
                    found.append(char)
                return found
    raise AssertionError(f"{word!r} not found")


@pytest.mark.parametrize("mode", ["chapter-end", "footnotes"])
def test_note_references_written_together_are_set_apart_by_a_comma(tmp_path, mode):
    """ "argued.¹²³" reads as note 123: presses set "¹,²,³"; references with a space between
    them keep it and get no comma."""
    root = make_manuscript(
        tmp_path / "book",
        {"one.md": ADJACENT_NOTES},
        DEFAULT_TOML + f'\n[print]\nnotes = "{mode}"\n',
    )
    pdf, diagnostics = build_pdf(root, tmp_path / "out")
    assert not diagnostics.errors and not diagnostics.warnings
    calls = _calls_after(pdf, "argued.")
    assert "".join(char["text"] for char in calls) == "1,2,3"
    # Commas set like the numbers, at 0.68 of the text's size in either mode.
    assert {round(char["size"] / 10.5, 2) for char in calls} == {0.68}
    spaced = _calls_after(pdf, "apart.")
    assert "".join(char["text"] for char in spaced) == "45"
    assert spaced[1]["x0"] - spaced[0]["x1"] > 1  # the space written between them


@pytest.mark.parametrize("mode", ["chapter-end", "footnotes", "book-end"])
def test_every_word_stays_inside_the_text_block(modes, mode):
    """Long URLs break instead of running into the margin (margins: inner 0.875in, outer
    0.625in, mirrored)."""
    for index, page in enumerate(Pdf(modes[mode]).plumber.pages):
        left = (0.875 if index % 2 == 0 else 0.625) * PT_PER_IN
        right = page.width - (0.625 if index % 2 == 0 else 0.875) * PT_PER_IN
        for word in page.extract_words():
            assert word["x0"] >= left - 1 and word["x1"] <= right + 1, (mode, index, word)


def test_no_page_holds_a_single_stranded_line(sample, modes):
    for path in (sample.pdf, *modes.values()):
        pdf = Pdf(path)
        for index in range(pdf.pages):
            height = pdf.plumber.pages[index].height
            lines = pdf.region_lines(index, 0.7 * PT_PER_IN, height - 0.8 * PT_PER_IN)
            assert len(lines) != 1, (path.name, index, lines)


def test_images_are_not_interpolated_so_pdf_a_accepts_them(tmp_path):
    from PIL import Image

    root = make_manuscript(
        tmp_path / "book",
        {"one.md": '# One\n\n![A grey square](grey.png "A figure")\n'},
        DEFAULT_TOML + '\n[print]\npdf_variant = "pdf/a-3b"\n',
    )
    Image.new("RGB", (40, 40), "grey").save(root / "grey.png")
    reader = PdfReader(build_pdf(root, tmp_path / "out")[0])
    images = [
        xobject.get_object()
        for page in reader.pages
        for xobject in page["/Resources"].get("/XObject", {}).values()
        if xobject.get_object().get("/Subtype") == "/Image"
    ]
    assert images and not any(image.get("/Interpolate") == True for image in images)  # noqa: E712


LISTS_CHAPTER = """\
---
title: Chapter One
authors: [au]
---

The method has steps.[^method]

1. First recommendation.
2. Second recommendation.

Some text between the lists.

4. Fourth recommendation, continuing the count.
5. Fifth recommendation.

<ol start="10"><li>Tenth item.</li><li value="20">Twentieth item.</li><li>Next item.</li></ol>

[^method]: The method in short.

    Its second paragraph names the steps:

    1. collect the treaty texts;
    2. code each clause;
    3. match the clauses.

    A closing paragraph.
"""


@pytest.fixture(scope="module")
def lists_in_footnotes(tmp_path_factory) -> Pdf:
    toml = DEFAULT_TOML + '\n[print]\nnotes = "footnotes"\n'
    root = make_manuscript(
        tmp_path_factory.mktemp("lists") / "book", {"one.md": LISTS_CHAPTER}, toml
    )
    return Pdf(build_pdf(root, root / "build")[0])


def test_ordered_lists_print_the_numbers_the_author_wrote(lists_in_footnotes):
    lines = [line for page in lists_in_footnotes.lines for line in page]
    for expected in (
        "1. First recommendation.",
        "4. Fourth recommendation, continuing the count.",
        "5. Fifth recommendation.",
        "10. Tenth item.",
        "20. Twentieth item.",
        "21. Next item.",
    ):
        assert expected in lines, [line for line in lines if "item" in line or "recomm" in line]


def test_a_footnote_keeps_its_list_numbered_and_its_lines_together(lists_in_footnotes):
    (index,) = _page_of(lists_in_footnotes, "collect the treaty texts")
    page = lists_in_footnotes.plumber.pages[index]
    found = {
        text: next(w["top"] for w in page.extract_words() if w["text"] == text)
        for text in ("Its", "collect", "code", "match", "closing")
    }
    lines = [line for page in lists_in_footnotes.lines for line in page]
    for n, step in enumerate(("collect the treaty texts;", "code each clause;"), start=1):
        assert f"{n}. {step}" in lines, lines
    # One line after another: no empty line between the items (each newline of the HTML
    # between them used to print as one).
    tops = list(found.values())
    steps = [b - a for a, b in zip(tops, tops[1:])]
    assert max(steps) < 1.6 * min(steps), found
