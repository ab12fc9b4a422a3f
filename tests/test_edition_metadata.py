"""Edition metadata: `[book] edition` and `printing` and the `[[history]]` tables, on the
copyright page of both editions and in the EPUB's package; and the errors book.toml gets
for them, each one line with the file and the line."""

from __future__ import annotations

from pathlib import Path

import pytest
from epubutil import NS, Epub
from helpers import DEFAULT_TOML, make_manuscript, run_cli
from pdfutil import Pdf

from allianceprint.labels import _TABLE, labels_for, printing_statement

# DEFAULT_TOML ends on line 17 (`chapters = ["one.md"]`); HISTORY starts on line 18.
HISTORY = """
[[history]]
date = "2019-05"
description = "First edition"

[[history]]
date = "2024"
description = "Second edition, revised and enlarged"
"""
EDITION_TOML = (
    DEFAULT_TOML.replace(
        'language = "en"\n', 'language = "en"\nedition = "Second edition"\nprinting = 3\n', 1
    )
    + HISTORY
)


def build_only(root: Path, output: Path, fmt: str) -> Path:
    """Build one format of the manuscript at `root` with the command line; the file written."""
    status, _, stderr = run_cli("build", root, "--format", fmt, "--output", output)
    assert status == 0 and ": error: " not in stderr and ": warning: " not in stderr, stderr
    (written,) = output.glob(f"*.{fmt}")
    return written


def page_lines(pdf: Pdf, index: int) -> list[str]:
    """The text lines of one page of the PDF (without reading the others), spaces normalized."""
    height = pdf.plumber.pages[index].height
    return [" ".join(line.split()) for line in pdf.region_lines(index, 0, height)]


def copyright_text(epub: Epub) -> list[str]:
    """The text of each paragraph and list of the EPUB's copyright page, spaces normalized."""
    page = epub.xml(epub.href("titlepage.xhtml")).find(".//x:section[@id='copyright-page']", NS)
    for br in page.iterfind(".//x:br", NS):  # a line break parts words like a space
        br.tail = " " + (br.tail or "")
    return [
        " ".join("".join(el.itertext()).split())
        for el in page
        if el.tag in (f"{{{NS['x']}}}p", f"{{{NS['x']}}}ul")
    ]


def history_meta(epub: Epub) -> list[tuple[str, str]]:
    """(date, description) of every dcterms:hasVersion in the package, in order."""
    metadata = epub.opf.find("opf:metadata", NS)
    issued = {
        el.get("refines"): el.text
        for el in metadata.iterfind("opf:meta[@property='dcterms:issued']", NS)
    }
    return [
        (issued[f"#{el.get('id')}"], el.text)
        for el in metadata.iterfind("opf:meta[@property='dcterms:hasVersion']", NS)
    ]


# --- the sample volume -------------------------------------------------------------------


def test_sample_copyright_page_states_edition_printing_and_history(sample):
    pdf = Pdf(sample.pdf)
    assert pdf.pages <= 90
    lines = page_lines(pdf, 1)  # page ii, the title page's verso
    start = lines.index("First edition")
    assert lines[start : start + 5] == [
        "First edition",
        "Third printing",
        "2026-03 First edition",
        "2026-05 Second printing, with corrections",
        "2026-09 Third printing, with corrections to chapter 3",
    ]
    assert lines[-1].endswith("the editors.")  # the description still ends the page
    assert "Third printing" not in " ".join(page_lines(pdf, 2))  # it is one page


def test_sample_epub_package_and_copyright_page(sample):
    epub = Epub(sample.epub)
    assert epub.meta_property("schema:bookEdition") == ["First edition"]
    assert epub.meta_property("schema:version") == ["3"]
    assert history_meta(epub) == [
        ("2026-03", "First edition"),
        ("2026-05", "Second printing, with corrections"),
        ("2026-09", "Third printing, with corrections to chapter 3"),
    ]
    lines = copyright_text(epub)
    assert "First edition Third printing" in lines
    history = epub.xml(epub.href("titlepage.xhtml")).find(".//x:ul[@class='history']", NS)
    assert history.get("aria-label") == "Publication history"
    assert [
        (li.find("x:time", NS).get("datetime"), " ".join("".join(li.itertext()).split()))
        for li in history
    ] == [
        ("2026-03", "2026-03 First edition"),
        ("2026-05", "2026-05 Second printing, with corrections"),
        ("2026-09", "2026-09 Third printing, with corrections to chapter 3"),
    ]


# --- small manuscripts -------------------------------------------------------------------


def test_pdf_copyright_page_of_a_small_book(tmp_path, assert_no_logs):
    root = make_manuscript(tmp_path / "book", toml=EDITION_TOML)
    lines = page_lines(Pdf(build_only(root, tmp_path / "out", "pdf")), 1)
    assert lines[:4] == [
        "Second edition",
        "Third printing",
        "2019-05 First edition",
        "2024 Second edition, revised and enlarged",
    ]


def test_epub_metadata_of_a_small_book(tmp_path, assert_no_logs):
    root = make_manuscript(tmp_path / "book", toml=EDITION_TOML)
    epub = Epub(build_only(root, tmp_path / "out", "epub"))
    assert epub.meta_property("schema:bookEdition") == ["Second edition"]
    assert epub.meta_property("schema:version") == ["3"]
    assert history_meta(epub) == [
        ("2019-05", "First edition"),
        ("2024", "Second edition, revised and enlarged"),
    ]
    assert copyright_text(epub) == [
        "Second edition Third printing",
        "2019-05 First edition 2024 Second edition, revised and enlarged",
    ]
    # the package declares no prefix: schema: and dcterms: are reserved in EPUB 3
    assert epub.opf.get("prefix") is None or "schema" not in epub.opf.get("prefix")


def test_printing_without_edition_and_no_history(tmp_path):
    toml = DEFAULT_TOML.replace('language = "en"\n', 'language = "en"\nprinting = 1\n', 1)
    root = make_manuscript(tmp_path / "book", toml=toml)
    epub = Epub(build_only(root, tmp_path / "out", "epub"))
    assert epub.meta_property("schema:bookEdition") == []
    assert epub.meta_property("schema:version") == ["1"]
    assert history_meta(epub) == []
    assert copyright_text(epub) == ["First printing"]


def test_a_book_without_edition_metadata_has_none(tmp_path):
    root = make_manuscript(tmp_path / "book")
    epub = Epub(build_only(root, tmp_path / "out", "epub"))
    for prop in ("schema:bookEdition", "schema:version", "dcterms:hasVersion"):
        assert epub.meta_property(prop) == [], prop
    assert copyright_text(epub) == []


def test_printing_in_the_book_language_and_from_labels(tmp_path):
    toml = DEFAULT_TOML.replace('language = "en"', 'language = "de"', 1).replace(
        'editors = ["ed"]\n', 'editors = ["ed"]\nedition = "2. Auflage"\nprinting = 4\n', 1
    )
    epub = Epub(build_only(make_manuscript(tmp_path / "de", toml=toml), tmp_path / "o1", "epub"))
    assert copyright_text(epub) == ["2. Auflage 4. Druck"]
    history = epub.xml(epub.href("titlepage.xhtml")).find(".//x:ul", NS)
    assert history is None

    toml += '\n[labels]\nprinting = "Nachdruck {n}"\n'
    epub = Epub(build_only(make_manuscript(tmp_path / "de2", toml=toml), tmp_path / "o2", "epub"))
    assert copyright_text(epub) == ["2. Auflage Nachdruck 4"]


@pytest.mark.parametrize(
    "language, expected",
    [
        ("en", "Third printing"),
        ("en-GB", "Third printing"),
        ("fr", "3e tirage"),
        ("de", "3. Druck"),
        ("es", "3.ª impresión"),
        ("ja", "第3刷"),
        ("zh-Hans", "第3次印刷"),
        ("pt", "Third printing"),
    ],
)
def test_printing_statement_per_language(language, expected):
    assert printing_statement(3, language, labels_for(language)) == expected


def test_every_language_has_the_new_labels():
    for language, table in _TABLE.items():
        assert {"printing", "history"} <= table.keys(), language
        assert "{n}" in table["printing"] or "{ordinal}" in table["printing"], language
    english = labels_for("en")
    assert [printing_statement(n, "en", english) for n in (1, 10, 11, 12, 13, 21, 22, 103)] == [
        "First printing",
        "Tenth printing",
        "11th printing",
        "12th printing",
        "13th printing",
        "21st printing",
        "22nd printing",
        "103rd printing",
    ]
    assert printing_statement(1, "fr", labels_for("fr")) == "1er tirage"


def test_history_may_be_written_inline(tmp_path):
    toml = 'history = [{date = "2020-01-15", description = "First edition"}]\n' + DEFAULT_TOML
    root = make_manuscript(tmp_path / "book", toml=toml)
    epub = Epub(build_only(root, tmp_path / "out", "epub"))
    assert history_meta(epub) == [("2020-01-15", "First edition")]


# --- errors ------------------------------------------------------------------------------


def with_book_key(line: str) -> str:
    """DEFAULT_TOML with `line` as line 4 of [book]."""
    return DEFAULT_TOML.replace('language = "en"\n', f'language = "en"\n{line}\n', 1)


@pytest.mark.parametrize(
    "toml, location, fragment",
    [
        pytest.param(
            with_book_key("printing = 0"),
            "book.toml:4:1",
            "[book] printing: 0 is not a whole number from 1",
            id="printing-zero",
        ),
        pytest.param(
            with_book_key('printing = "three"'),
            "book.toml:4:1",
            "[book] printing: 'three' is not a whole number from 1: write e.g. 3",
            id="printing-word",
        ),
        pytest.param(
            with_book_key("printing = true"),
            "book.toml:4:1",
            "[book] printing: True is not a whole number",
            id="printing-bool",
        ),
        pytest.param(
            with_book_key("printing = 2.5"),
            "book.toml:4:1",
            "[book] printing: 2.5 is not a whole number",
            id="printing-float",
        ),
        pytest.param(
            DEFAULT_TOML + HISTORY.replace('description = "First edition"\n', ""),
            "book.toml:19:1",
            "[[history]] #1: `description` is required",
            id="history-without-description",
        ),
        pytest.param(
            DEFAULT_TOML + HISTORY.replace('date = "2024"\n', ""),
            "book.toml:23:1",
            "[[history]] #2: `date` is required",
            id="history-without-date",
        ),
        pytest.param(
            DEFAULT_TOML + HISTORY.replace('"2024"', '"2024-02-30"'),
            "book.toml:24:1",
            "[[history]] #2 date: '2024-02-30' is not a real date",
            id="history-impossible-date",
        ),
        pytest.param(
            DEFAULT_TOML + HISTORY.replace('"2019-05"', '"May 2019"'),
            "book.toml:20:1",
            "[[history]] #1 date: 'May 2019' is not an ISO 8601 date",
            id="history-bad-date",
        ),
        pytest.param(
            DEFAULT_TOML + HISTORY + 'note = "x"\n',
            "book.toml:26:1",
            "[[history]] #2 note: unknown key; the keys of [[history]] are date, description",
            id="history-unknown-key",
        ),
        pytest.param(
            DEFAULT_TOML + HISTORY.replace('"First edition"', '"""First\nedition"""'),
            "book.toml:21:1",
            "[[history]] #1 description: must be one line",
            id="history-two-lines",
        ),
        pytest.param(
            DEFAULT_TOML + HISTORY.replace('"First edition"', '"  "'),
            "book.toml:21:1",
            "[[history]] #1 description: must not be empty",
            id="history-empty-description",
        ),
        pytest.param(
            DEFAULT_TOML + '\n[history]\ndate = "2019"\n',
            "book.toml:19:1",
            "[[history]]: must be an array of tables",
            id="history-not-an-array",
        ),
        pytest.param(
            DEFAULT_TOML + '\n[labels]\nprinting = "Reprint"\n',
            "book.toml:20:1",
            "[labels] printing: must hold {n} or {ordinal}",
            id="label-without-number",
        ),
    ],
)
def test_config_errors_are_one_line_with_file_and_line(tmp_path, toml, location, fragment):
    root = make_manuscript(tmp_path / "book", toml=toml)
    status, stdout, stderr = run_cli("check", root)
    assert status == 1, stderr
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith(f"book/{location}: error: "), stderr
    assert fragment in lines[0], stderr
    assert "no errors" not in stdout


def test_history_errors_are_reported_together_at_their_entries(tmp_path):
    toml = with_book_key("printing = -1") + HISTORY.replace('"2019-05"', '"2019-13"').replace(
        'date = "2024"\n', 'date = "2024"\nx = 1\n'
    )
    root = make_manuscript(tmp_path / "book", toml=toml)
    status, _, stderr = run_cli("check", root)
    assert status == 1
    assert [line.split(": error: ")[0] for line in stderr.splitlines()] == [
        "book/book.toml:4:1",
        "book/book.toml:21:1",
        "book/book.toml:26:1",
    ]
