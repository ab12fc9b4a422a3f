"""Every mistake in a manuscript is one line, `book/<file>:<line>:<column>: error: <what to fix>`.

Each case below writes a small manuscript with one mistake into `tmp_path / "book"`, runs
`allianceprint check` in-process and asserts exit status 1, no traceback, that every line on
stderr is a diagnostic in the `path[:line[:column]]: severity: message` form, and that one
of them starts with the exact location and contains a stable fragment of the message (the
part that names the key or the thing, and what to do). Columns count characters from 1.
Paths in messages are relative to the folder above the manuscript, so they all start with
`book/`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import DEFAULT_CHAPTER, DEFAULT_TOML, make_manuscript, run_cli

# DEFAULT_TOML, for the line numbers below:
#  1 [book]                      7 name = "Eda Editor"        13 affiliation = ...
#  2 title = "A Small Book"      8 affiliation = ...          14 bio = ...
#  3 language = "en"             9 bio = ...                  15
#  4 editors = ["ed"]           10                            16 [contents]
#  5                            11 [contributors.au]          17 chapters = ["one.md"]
#  6 [contributors.ed]          12 name = "Aru Author"

DIAGNOSTIC_RE = re.compile(r"book/[^\s:]+(:\d+(:\d+)?)?: (error|warning): \S.*")


def toml(old: str, new: str) -> str:
    """DEFAULT_TOML with `old` replaced by `new` (which must be there)."""
    assert old in DEFAULT_TOML, old
    return DEFAULT_TOML.replace(old, new, 1)


def book_key(line: str) -> str:
    """DEFAULT_TOML with `line` added to [book] as its line 4."""
    return toml('language = "en"\n', f'language = "en"\n{line}\n')


def contents(text: str) -> str:
    """DEFAULT_TOML with [contents] (from line 17 on) replaced by `text`."""
    return toml('chapters = ["one.md"]\n', text)


def part(body: str, front: str = "title: One") -> str:
    """A part with front matter on lines 1-3; `body` starts on line 5."""
    return f"---\n{front}\n---\n\n{body}"


def one(body: str | bytes) -> dict[str, str | bytes]:
    return {"one.md": body}


ABBREVIATIONS = "---\nkind: abbreviations\n---\n\n"
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5"/></svg>\n'
WITH_ABBREVIATIONS = contents('front = ["abbr.md"]\nchapters = ["one.md"]\n')

# (files, toml, location, fragment): files None / toml None keep helpers' defaults.
CASES = [
    # --- book.toml ----------------------------------------------------------------------
    pytest.param(
        None,
        '[book]\ntitle = "A"\nlanguage = en\n',
        "book/book.toml:3:12",
        "not valid TOML: Invalid value",
        id="toml-syntax",
    ),
    pytest.param(
        None,
        '[book]\ntitle = "A\n',
        "book/book.toml:2:11",
        "not valid TOML",
        id="toml-unterminated-string",
    ),
    pytest.param(
        {"one.md": DEFAULT_CHAPTER, "book.toml": b'[book]\ntitle = "Caf\xe9"\n'},
        None,
        "book/book.toml:2:13",
        "book.toml is not UTF-8 text: save it as UTF-8",
        id="toml-not-utf8",
    ),
    pytest.param(
        None,
        DEFAULT_TOML + "\n[extras]\nfoo = 1\n",
        "book/book.toml:19:1",
        "[extras]: unknown table; the tables are book, contributors, contents, print, labels",
        id="unknown-table",
    ),
    pytest.param(
        None,
        DEFAULT_TOML + "\n[[extras]]\nfoo = 1\n",
        "book/book.toml:19:1",
        "[extras]: unknown table",
        id="unknown-array-table",
    ),
    pytest.param(
        None,
        book_key('subtitel = "Oops"'),
        "book/book.toml:4:1",
        "[book] subtitel: unknown key; the keys of [book] are title, language, subtitle",
        id="unknown-book-key",
    ),
    pytest.param(
        None,
        toml('name = "Aru Author"\n', 'name = "Aru Author"\nhomepage = "x"\n'),
        "book/book.toml:13:1",
        "[contributors.au] homepage: unknown key; the keys of "
        "[contributors.au] are name, affiliation, bio, orcid",
        id="unknown-contributor-key",
    ),
    pytest.param(
        None,
        toml('title = "A Small Book"\n', ""),
        "book/book.toml:1:1",
        "[book]: `title` is required",
        id="missing-title",
    ),
    pytest.param(
        None,
        toml('language = "en"', 'language = "english!"'),
        "book/book.toml:3:1",
        "[book] language: 'english!' is not a BCP 47 language tag: write e.g. en, en-GB",
        id="bad-language",
    ),
    pytest.param(
        None,
        book_key('date = "2026-13"'),
        "book/book.toml:4:1",
        "[book] date: '2026-13' is not a real date: write",
        id="bad-date",
    ),
    pytest.param(
        None,
        book_key('date = "March 2026"'),
        "book/book.toml:4:1",
        "[book] date: 'March 2026' is not an ISO 8601 date: write 2026, 2026-03 or 2026-03-15",
        id="date-not-iso",
    ),
    pytest.param(
        None,
        book_key('isbn_print = "978-1-23456-789-0"'),
        "book/book.toml:4:1",
        "[book] isbn_print: '978-1-23456-789-0' is not a valid ISBN-13: check the digits",
        id="bad-isbn-check-digit",
    ),
    pytest.param(
        None,
        toml('name = "Eda Editor"\n', 'name = "Eda Editor"\norcid = "0000-0002-1825-0096"\n'),
        "book/book.toml:8:1",
        "[contributors.ed] orcid: '0000-0002-1825-0096' is not a valid ORCID iD",
        id="bad-orcid",
    ),
    pytest.param(
        None,
        toml('editors = ["ed"]', 'editors = ["ed", "nobody"]'),
        "book/book.toml:4:1",
        "[book] editors: unknown contributor key 'nobody': declare it as [contributors.nobody]",
        id="unknown-editor",
    ),
    # --- [contents] ---------------------------------------------------------------------
    pytest.param(
        None,
        contents('chapters = [\n  "one.md",\n  "two.md",\n]\n'),
        "book/book.toml:19:3",
        "[contents] chapters: 'two.md' does not exist: create it or correct the path",
        id="part-missing",
    ),
    pytest.param(
        None,
        contents('chapters = [\n  "one.md",\n  "one.md",\n]\n'),
        "book/book.toml:19:3",
        "[contents] chapters: 'one.md' is listed twice (also in chapters): list each part once",
        id="part-listed-twice",
    ),
    pytest.param(
        None,
        contents('front = ["one.md"]\nchapters = ["one.md"]\n'),
        "book/book.toml:18:13",
        "[contents] chapters: 'one.md' is listed twice (also in front)",
        id="part-in-two-lists",
    ),
    pytest.param(
        None,
        contents('chapters = ["../outside.md"]\n'),
        "book/book.toml:17:13",
        "[contents] chapters: '../outside.md' lies outside the manuscript folder",
        id="part-outside",
    ),
    # --- front matter -------------------------------------------------------------------
    pytest.param(
        one(part("Text.\n", "title: One\nauthors: [au, ghost]")),
        None,
        "book/one.md:3:15",
        "unknown contributor key 'ghost': declare it in book.toml as [contributors.ghost]",
        id="unknown-part-author",
    ),
    pytest.param(
        one(part("Text.\n", "title: One\nshort_title: a: b")),
        None,
        "book/one.md:3:15",
        "front matter is not valid YAML: mapping values are not allowed here",
        id="bad-yaml",
    ),
    pytest.param(
        one(part("Text.\n", "title: Rivers: A History")),
        None,
        "book/one.md:2:14",
        "mapping values are not allowed here: a value that holds ': ' or ' #', or begins "
        "with * & ! [ { | > % @ or `, must be in double quotes",
        id="bad-yaml-colon-in-title",
    ),
    pytest.param(
        one(part("Text.\n", "title: *Trust* and Data")),
        None,
        "book/one.md:2:14",
        'must be in double quotes, e.g. title: "Dams: A History"',
        id="bad-yaml-emphasis-in-title",
    ),
    pytest.param(
        one(part("Text.\n", "title: The #MeToo Moment")),
        None,
        "book/one.md:2:12",
        "`title` stops at ' #', which begins a YAML comment, so the rest of the line is left "
        "out: put the whole title in double quotes",
        id="yaml-comment-cuts-title",
    ),
    pytest.param(
        one(part("Text.\n", "title: One\nshort_title: Water #2")),
        None,
        "book/one.md:3:20",
        "`short_title` stops at ' #'",
        id="yaml-comment-cuts-short-title",
    ),
    pytest.param(
        one(part("Text.\n\n[^t]: Given at a workshop.\n", 'title: "Voices[^t]"')),
        None,
        "book/one.md:2:1",
        "a note cannot hang on the front matter's title: [^t] would print as it is written "
        "and the note be left out: delete `title:` and open the text with `# Voices[^t]`",
        id="note-on-front-matter-title",
    ),
    pytest.param(
        one(part("Text.\n", "title: 2026-03-01")),
        None,
        "book/one.md:2:1",
        "`title` must be text: put it in double quotes",
        id="yaml-date-title",
    ),
    pytest.param(
        one(part("Text.\n", "title: One\n\tauthors: [au]")),
        None,
        "book/one.md:3:1",
        "front matter is not valid YAML",
        id="bad-yaml-tab",
    ),
    pytest.param(
        one(part("Text.\n", 'title: "One\nauthors: [au]\nkind: text')),
        None,
        "book/one.md:2:8",
        "front matter is not valid YAML",
        id="bad-yaml-unclosed-quote",
    ),
    pytest.param(
        one(part("Text.\n", "title: One\nsubtitle: Two")),
        None,
        "book/one.md:3:1",
        "unknown front matter key 'subtitle': the keys are title, short_title, authors, kind",
        id="unknown-front-matter-key",
    ),
    pytest.param(
        one(part("Text.\n", 'title: One\n"subtitle": Two')),
        None,
        "book/one.md:3:1",
        "unknown front matter key 'subtitle'",
        id="unknown-front-matter-key-quoted",
    ),
    pytest.param(
        one("---\ntitle: One\n\nText.\n"),
        None,
        "book/one.md:1:1",
        "the front matter opened by '---' on line 1 is never closed: end it with a '---' line",
        id="front-matter-not-closed",
    ),
    pytest.param(
        one(part("Text.\n", "title: One\nkind: glossary")),
        None,
        "book/one.md:3:1",
        "kind 'glossary' is unknown: use one of text, abbreviations, contributors",
        id="unknown-kind",
    ),
    pytest.param(
        one("Just text, no title.\n"),
        None,
        "book/one.md:1:1",
        "the part has no title: add `title:` to its front matter",
        id="no-title",
    ),
    # --- notes --------------------------------------------------------------------------
    pytest.param(
        one(part("Text.\n\nMore text.[^x]\n")),
        None,
        "book/one.md:7:11",
        'note reference [^x] has no note: add a line "[^x]: text of the note"',
        id="note-without-definition",
    ),
    pytest.param(
        one(part("Text.[^a]\n\n[^a]: One.\n\n[^a]: Two.\n")),
        None,
        "book/one.md:9:1",
        "note [^a] is defined twice (first on line 7): give one of them another label",
        id="note-defined-twice",
    ),
    pytest.param(
        one(part("Text.[^a]\n\n[^a]:\n")),
        None,
        "book/one.md:7:1",
        "note [^a] is empty: write its text after the colon",
        id="note-empty",
    ),
    # --- images and links ---------------------------------------------------------------
    # A Windows editor's slips: a path written with backslashes, a name's capitals that only
    # a case-insensitive disk forgives. The file is there; the error says what to change.
    pytest.param(
        {**one(part("Text.\n\n![A map](figures\\map.svg)\n")), "figures/map.svg": SVG},
        None,
        "book/one.md:7:10",
        "image 'figures\\\\map.svg' does not exist: write the folders with / between them, not \\",
        id="image-path-with-backslashes",
    ),
    pytest.param(
        {**one(part("Text.\n\n![A map](figures/Map.SVG)\n")), "figures/map.svg": SVG},
        None,
        "book/one.md:7:10",
        "image 'figures/Map.SVG' does not exist: the folder holds 'map.svg': write the name as "
        "it is, capitals and all",
        id="image-name-in-other-capitals",
    ),
    pytest.param(
        {"chapters/one.md": part("Text.\n")},
        contents('chapters = ["chapters\\\\one.md"]\n'),
        "book/book.toml:17:13",
        "[contents] chapters: 'chapters\\\\one.md' does not exist: write the folders with / "
        "between them",
        id="part-path-with-backslashes",
    ),
    pytest.param(
        one(part("Text.\n\n![A chart](images/nope.png)\n")),
        None,
        "book/one.md:7:12",
        "image 'images/nope.png' does not exist: check the path",
        id="image-missing",
    ),
    pytest.param(
        one(part("The chart nope.png is below.\n\n![A chart](nope.png)\n")),
        None,
        "book/one.md:7:12",
        "image 'nope.png' does not exist",
        id="image-missing-named-before",
    ),
    pytest.param(
        one(part("Line\u2028separator and form\x0cfeed.\n\n![A chart](nope.png)\n")),
        None,
        "book/one.md:7:12",
        "image 'nope.png' does not exist",
        id="image-missing-after-unicode-line-break",
    ),
    pytest.param(
        one(part("Text.\n\n![x](../../secret.png)\n")),
        None,
        "book/one.md:7:6",
        "image '../../secret.png' lies outside the manuscript folder: move the file into it",
        id="image-outside",
    ),
    pytest.param(
        one(part("Text.\n\n![x](https://example.com/a.png)\n")),
        None,
        "book/one.md:7:6",
        "image 'https://example.com/a.png' is not a file in the "
        "manuscript: the build never fetches from the network",
        id="image-remote",
    ),
    pytest.param(
        {"one.md": part("Text.\n\nSee [the draft](draft.md).\n"), "draft.md": "# Draft\n"},
        None,
        "book/one.md:7:17",
        "link to 'draft.md': no such part in [contents]; link to a Markdown file the book includes",
        id="link-to-unlisted-md",
    ),
    pytest.param(
        {"one.md": part("Text.\n\nSee [the data](data.csv).\n"), "data.csv": "a,b\n"},
        None,
        "book/one.md:7:16",
        "link to the file 'data.csv': a book can link only to its own parts",
        id="link-to-other-file",
    ),
    # --- encodings ----------------------------------------------------------------------
    pytest.param(
        one(b"---\ntitle: One\n---\n\nCaf\xe9.\n"),
        None,
        "book/one.md:5:4",
        "the file is not UTF-8 text: save it as UTF-8",
        id="not-utf8",
    ),
    pytest.param(
        one(b"\xef\xbb\xbf---\ntitle: One\n---\n\n\xe9t\xe9.\n"),
        None,
        "book/one.md:5:1",
        "the file is not UTF-8 text",
        id="not-utf8-after-bom",
    ),
    pytest.param(
        one(b"---\r\ntitle: One\r\n---\r\n\r\nCaf\xe9.\r\n"),
        None,
        "book/one.md:5:4",
        "the file is not UTF-8 text",
        id="not-utf8-crlf",
    ),
    pytest.param(
        one(b"---\n\n\x7f\n\nalliance\n---\n"),
        None,
        "book/one.md:3:1",
        "front matter has a character YAML does not allow (U+007F)",
        id="yaml-refused-character",
    ),
    pytest.param(
        one(b"---\ntitle: One\n---\n\nA\x00B.\n"),
        None,
        "book/one.md:5:2",
        "the file contains a NUL byte: remove it",
        id="nul-byte",
    ),
    pytest.param(
        one(b"---\rtitle: One\r---\r\rA\x00B.\r"),
        None,
        "book/one.md:5:2",
        "the file contains a NUL byte",
        id="nul-byte-cr-lines",
    ),
    # --- abbreviations ------------------------------------------------------------------
    pytest.param(
        {
            "one.md": DEFAULT_CHAPTER,
            "abbr.md": ABBREVIATIONS + "*[EU]: European Union\n",
            "abbr2.md": ABBREVIATIONS + "*[UN]: United Nations\n",
        },
        contents('front = ["abbr.md", "abbr2.md"]\nchapters = ["one.md"]\n'),
        "book/abbr2.md:1:1",
        "a book has one abbreviations part; this is a second one (the first is abbr.md)",
        id="two-abbreviation-parts",
    ),
    pytest.param(
        {
            "one.md": DEFAULT_CHAPTER,
            "abbr.md": ABBREVIATIONS + "*[EU]: European Union\n"
            "*[UN]: United Nations\n*[EU]: Europe\n",
        },
        WITH_ABBREVIATIONS,
        "book/abbr.md:7:1",
        "abbreviation 'EU' is defined twice (first on line 5): keep one",
        id="abbreviation-defined-twice",
    ),
    pytest.param(
        {"one.md": DEFAULT_CHAPTER, "abbr.md": ABBREVIATIONS + "*[EU]:\n"},
        WITH_ABBREVIATIONS,
        "book/abbr.md:5:1",
        "abbreviation 'EU' has no expansion: write it after the colon",
        id="abbreviation-empty",
    ),
]
CASES_BY_ID = {case.id: case for case in CASES}


def write(tmp_path: Path, files: dict[str, str | bytes] | None, toml_text: str | None) -> Path:
    files = dict(files) if files is not None else None
    raw_toml = files.pop("book.toml", None) if files else None
    root = make_manuscript(tmp_path / "book", files=files, toml=toml_text)
    if raw_toml is not None:
        (root / "book.toml").write_bytes(raw_toml)
    return root


def assert_diagnostics(stderr: str) -> list[str]:
    """No traceback, and every line of stderr a one-line diagnostic."""
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert lines, "nothing on stderr"
    for line in lines:
        assert DIAGNOSTIC_RE.fullmatch(line), f"not a diagnostic line: {line!r}"
    return lines


def assert_error(status: int, stderr: str, location: str, fragment: str) -> None:
    assert status == 1, stderr
    lines = assert_diagnostics(stderr)
    prefix = f"{location}: error: "
    matching = [line for line in lines if line.startswith(prefix) and fragment in line]
    assert matching, f"no line starting {prefix!r} containing {fragment!r} in:\n{stderr}"


@pytest.mark.parametrize("files, toml_text, location, fragment", CASES)
def test_check_reports_the_mistake(tmp_path: Path, files, toml_text, location, fragment):
    root = write(tmp_path, files, toml_text)
    status, stdout, stderr = run_cli("check", root)
    assert_error(status, stderr, location, fragment)
    assert "no errors" not in stdout


@pytest.mark.parametrize(
    "case",
    [
        "bad-isbn-check-digit",
        "part-missing",
        "bad-yaml",
        "note-without-definition",
        "image-missing",
        "not-utf8",
    ],
)
def test_build_writes_nothing_on_error(tmp_path: Path, case: str):
    files, toml_text, location, fragment = CASES_BY_ID[case].values
    root = write(tmp_path, files, toml_text)
    out = tmp_path / "out"
    status, stdout, stderr = run_cli("build", root, "--format", "epub", "--output", out)
    assert_error(status, stderr, location, fragment)
    assert not out.exists() or not any(out.iterdir())
    assert not (root / "build").exists()
    assert "wrote" not in stdout


def test_missing_book_toml(tmp_path: Path):
    root = make_manuscript(tmp_path / "book")
    (root / "book.toml").unlink()
    status, _, stderr = run_cli("check", root)
    assert status == 1
    assert assert_diagnostics(stderr) == [
        "book/book.toml: error: no book.toml here: a manuscript folder needs one "
        "(`allianceprint new DIR` writes one with every key)"
    ]


def test_missing_book_toml_relative_to_current_folder(tmp_path: Path, monkeypatch):
    root = make_manuscript(tmp_path / "book")
    (root / "book.toml").unlink()
    monkeypatch.chdir(root)
    status, _, stderr = run_cli("check")
    assert status == 1
    assert_diagnostics(stderr)
    assert stderr.startswith("book/book.toml: error: no book.toml here")


def test_every_config_error_is_reported_together(tmp_path: Path):
    text = book_key('date = "2026-13"\nisbn_print = "978-1-23456-789-0"\nsubtitel = "x"')
    root = make_manuscript(tmp_path / "book", toml=text)
    status, _, stderr = run_cli("check", root)
    assert status == 1
    lines = assert_diagnostics(stderr)
    assert [line.split(": error: ")[0] for line in lines] == [
        "book/book.toml:4:1",
        "book/book.toml:5:1",
        "book/book.toml:6:1",
    ]


def test_every_part_error_is_reported_together(tmp_path: Path):
    root = make_manuscript(
        tmp_path / "book",
        files={"one.md": part("Text.[^x]\n"), "two.md": part("![A chart](nope.png)\n")},
        toml=contents('chapters = ["one.md", "two.md"]\n'),
    )
    status, _, stderr = run_cli("check", root)
    assert status == 1
    lines = assert_diagnostics(stderr)
    # (besides a warning: the fixture declares a contributor whom neither part names)
    assert [line.split(": error: ")[0] for line in lines if ": error: " in line] == [
        "book/one.md:5:6",
        "book/two.md:5:12",
    ]


@pytest.mark.parametrize(
    "files, location, fragment",
    [
        pytest.param(
            {"one.md": DEFAULT_CHAPTER + "\n[^z]: Never cited.\n"},
            "book/one.md:10:1",
            "note [^z] is never referenced: cite it in the text as [^z] or delete it",
            id="unreferenced-note",
        ),
        pytest.param(
            {"one.md": DEFAULT_CHAPTER, "drafts/old.md": "# Old\n"},
            "book/drafts/old.md",
            "this Markdown file is not in any [contents] list, so "
            "the book leaves it out: list it or move it out of the folder",
            id="unlisted-markdown-file",
        ),
    ],
)
def test_warnings_do_not_fail(tmp_path: Path, files, location, fragment):
    root = make_manuscript(tmp_path / "book", files=files)
    status, stdout, stderr = run_cli("check", root)
    assert status == 0, stderr
    lines = assert_diagnostics(stderr)
    assert len(lines) == 1, stderr
    assert lines[0].startswith(f"{location}: warning: ")
    assert fragment in lines[0]
    assert "no errors, 1 warning" in stdout


def test_a_comment_after_a_quoted_title_is_still_a_comment(tmp_path: Path):
    front = 'title: "Water #2" # working title\nauthors: [au]'
    root = write(tmp_path, one(part("Text.\n", front)), None)
    status, stdout, stderr = run_cli("check", root)
    assert (status, stderr) == (0, ""), stderr
