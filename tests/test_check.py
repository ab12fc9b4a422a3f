"""`allianceprint check`: each kind of finding at its exact place and severity; all of them
reported in one run, grouped by file; `--strict`; `--format json`; `build` refusing on
errors (and on warnings with `--strict`); the sample volume clean under `--strict`.

Findings are read from `check --format json`, so that path, line, column, severity and
message are each compared exactly. test_errors.py has the mistakes the loader finds in
book.toml and the front matter; test_hostile.py the hostile input.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SAMPLE
from helpers import DEFAULT_TOML, finding_lines, make_manuscript, run_cli

PART = "---\ntitle: One\nauthors: [au]\n---\n\n"  # the body starts on line 6
ABBR = "---\nkind: abbreviations\n---\n\n"  # the definitions start on line 5
PEOPLE = "---\nkind: contributors\n---\n"


def toml(old: str, new: str) -> str:
    assert old in DEFAULT_TOML, old
    return DEFAULT_TOML.replace(old, new, 1)


WITH_ABBR = toml('chapters = ["one.md"]', 'front = ["abbr.md"]\nchapters = ["one.md"]')
TWO = toml('chapters = ["one.md"]', 'chapters = ["one.md", "two.md"]')
WITH_PEOPLE = toml('chapters = ["one.md"]', 'chapters = ["one.md"]\nback = ["people.md"]')


def one(body: str) -> dict[str, str]:
    return {"one.md": PART + body}


def findings(root: Path, *options: str) -> tuple[int, list[dict]]:
    status, stdout, stderr = run_cli("check", root, "--format", "json", *options)
    assert stderr == "", stderr
    return status, json.loads(stdout)


def where(finding: dict) -> str:
    place = finding["path"]
    for key in ("line", "column"):
        if finding[key] is not None:
            place += f":{finding[key]}"
    return place


def check_case(tmp_path: Path, files, toml_text, location: str, severity: str, fragment: str):
    root = make_manuscript(tmp_path / "book", files, toml_text)
    status, found = findings(root)
    matching = [
        f
        for f in found
        if where(f) == location and f["severity"] == severity and fragment in f["message"]
    ]
    assert matching, f"no {severity} at {location} with {fragment!r} in {found}"
    assert status == (1 if any(f["severity"] == "error" for f in found) else 0)
    return found


# (id, files, book.toml, location, severity, message fragment)
FINDINGS = [
    # notes
    (
        # A first line indented with a tab, as a word processor's habit: a code block, whose
        # [^1] printed as text while the note was left out of the book without a word.
        "note-cited-in-an-indented-paragraph",
        one("## Start\n\n\tThe commission met.[^1] It agreed.\n\n[^1]: Minutes, 1995.\n"),
        None,
        "book/one.md:8:21",
        "error",
        "note reference [^1] is not read as one here: it is in code (a paragraph indented "
        "by a tab or four spaces is a code block)",
    ),
    (
        "note-cited-in-raw-html",
        one('<div class="box">A boxed remark.[^b]</div>\n\n[^b]: The box.\n'),
        None,
        "book/one.md:6:33",
        "error",
        "so it would print as '[^b]' and its note would be left out",
    ),
    (
        "note-without-note",
        one("Text.[^x]\n"),
        None,
        "book/one.md:6:6",
        "error",
        'note reference [^x] has no note: add a line "[^x]: text',
    ),
    (
        "note-label-twice",
        one("Text.[^a]\n\n[^a]: One.\n  [^a]: Two.\n"),
        None,
        "book/one.md:9:3",
        "error",
        "note [^a] is defined twice (first on line 8)",
    ),
    (
        "note-empty",
        one("Text.[^a]\n\n[^a]:\n"),
        None,
        "book/one.md:8:1",
        "error",
        "note [^a] is empty: write its text after the colon",
    ),
    (
        "note-never-referenced",
        one("Text.\n\n[^a]: A note.\n"),
        None,
        "book/one.md:8:1",
        "warning",
        "note [^a] is never referenced",
    ),
    # abbreviations
    (
        "abbreviation-twice",
        {**one("EU.\n"), "abbr.md": ABBR + "*[EU]: European Union\n*[EU]: Europe\n"},
        WITH_ABBR,
        "book/abbr.md:6:1",
        "error",
        "abbreviation 'EU' is defined twice (first on line 5)",
    ),
    (
        "abbreviation-never-used",
        {
            **one("The EU met.\n"),
            "abbr.md": ABBR + "*[EU]: European Union\n*[UN]: United Nations\n",
        },
        WITH_ABBR,
        "book/abbr.md:6:1",
        "warning",
        "abbreviation 'UN' is defined but never used",
    ),
    (
        "capitals-not-defined",
        one("The alliance and NATO met.\n"),
        None,
        "book/one.md:6:18",
        "warning",
        "NATO looks like an abbreviation but is not defined: add a part with `kind: abbreviations`",
    ),
    (
        "capitals-not-defined-with-part",
        {**one("Text.\n\nThe EU and NATO.\n"), "abbr.md": ABBR + "*[EU]: European Union\n"},
        WITH_ABBR,
        "book/one.md:8:12",
        "warning",
        "add `*[NATO]: what it stands for` to the abbreviations "
        "part, or list it in ignore_words under [checks]",
    ),
    (
        "capitals-in-a-note",
        one("Text.[^1]\n\n[^1]: See the OECD report.\n"),
        None,
        "book/one.md:8:15",
        "warning",
        "OECD looks like an abbreviation",
    ),
    (
        "capitals-in-front-matter-title",
        {"one.md": "---\ntitle: The WTO at Thirty\nauthors: [au]\n---\n\nText.\n"},
        None,
        "book/one.md:2",
        "warning",
        "WTO looks like an abbreviation",
    ),
    (
        "capitals-in-the-subtitle",
        one("Text.\n"),
        toml('language = "en"', 'language = "en"\nsubtitle = "Thirty Years of the WTO"'),
        "book/book.toml:4:1",
        "warning",
        "WTO looks like an abbreviation",
    ),
    (
        "capitals-in-a-bio",
        {**one("Text.\n"), "people.md": PEOPLE},
        WITH_PEOPLE.replace("Aru writes chapters.", "Aru worked at the IMF."),
        "book/book.toml:14:1",
        "warning",
        "IMF looks like an abbreviation",
    ),
    (
        "definition-outside-its-part",
        one("Text.\n\n*[EU]: European Union\n"),
        None,
        "book/one.md:8:1",
        "error",
        "the abbreviation definition *[EU] would print as text here",
    ),
    # contributors
    (
        "contributor-named-nowhere",
        {"one.md": "---\ntitle: One\n---\n\nText.\n"},
        None,
        "book/book.toml:11:1",
        "warning",
        "contributor 'au' (Aru Author) is declared but named nowhere",
    ),
    (
        "contributor-without-bio",
        {**one("Text.\n"), "people.md": PEOPLE},
        WITH_PEOPLE.replace('bio = "Aru writes chapters."\n', ""),
        "book/book.toml:11:1",
        "warning",
        "contributor 'au' (Aru Author) has no bio, and the "
        "book's contributors part prints one for everyone",
    ),
    (
        "contributor-not-declared",
        {"one.md": "---\ntitle: One\nauthors: [au, zed]\n---\n"},
        None,
        "book/one.md:3:15",
        "error",
        "unknown contributor key 'zed'",
    ),
    # structure
    (
        "heading-skips-after-title",
        one("### Too deep\n"),
        None,
        "book/one.md:6:1",
        "warning",
        "this ### heading comes straight after a # heading, skipping a level: make it ##",
    ),
    (
        "heading-skips-after-section",
        one("## Section\n\nText.\n\n#### Deeper\n"),
        None,
        "book/one.md:10:1",
        "warning",
        "this #### heading comes straight after a ## heading",
    ),
    (
        "heading-skips-after-setext",
        one("Section\n-------\n\nText.\n\n#### Deeper\n"),
        None,
        "book/one.md:11:1",
        "warning",
        "this #### heading comes straight after a ## heading",
    ),
    (
        "second-title-heading",
        one("Text.\n\n# Another title\n"),
        None,
        "book/one.md:8:1",
        "warning",
        "a part has one # heading, its title, at the top: make this one ##",
    ),
    (
        "heading-dropped-for-front-matter-title",
        one("# A Different Title\n\nText.\n"),
        None,
        "book/one.md:6:1",
        "warning",
        "this # heading ('A Different Title') is dropped: the "
        "part's title comes from its front matter ('One')",
    ),
    (
        "part-listed-twice",
        None,
        toml('chapters = ["one.md"]', 'chapters = ["one.md", "one.md"]'),
        "book/book.toml:17:23",
        "error",
        "'one.md' is listed twice",
    ),
    (
        "markdown-file-no-list-names",
        {**one("Text.\n"), "notes/todo.md": "# To do\n"},
        None,
        "book/notes/todo.md",
        "warning",
        "this Markdown file is not in any [contents] list",
    ),
    # links and images
    (
        "link-to-missing-anchor",
        one("See [below](#later).\n"),
        None,
        "book/one.md:6:14",
        "error",
        "link to '#later': no part, section or note has that id",
    ),
    (
        "link-to-missing-anchor-in-another-part",
        {**one("See [there](two.md#gone).\n"), "two.md": "# Two\n\n## Here {#here}\n"},
        TWO,
        "book/one.md:6:20",
        "error",
        "link to '#gone'",
    ),
    (
        "id-used-twice-in-the-book",
        {**one("## Start {#start}\n"), "two.md": "# Two\n\n## Start again {#start}\n"},
        TWO,
        "book/two.md:3:18",
        "error",
        "the id 'start' is used twice (also in book/one.md)",
    ),
    (
        "id-taken-by-a-part",
        {**one("## Two {#two}\n"), "two.md": "# Two\n\nText.\n"},
        TWO,
        "book/one.md:6:10",
        "error",
        "the id 'two' is used twice (also by the part book/two.md itself)",
    ),
    (
        "image-without-alt-text",
        {
            **one("![](sq.svg)\n"),
            "sq.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>',
        },
        None,
        "book/one.md:6:5",
        "warning",
        "image 'sq.svg' has no alt text",
    ),
    (
        "image-missing",
        one("![A chart](chart.png)\n"),
        None,
        "book/one.md:6:12",
        "error",
        "image 'chart.png' does not exist",
    ),
    (
        "image-outside",
        one("![A chart](../chart.png)\n"),
        None,
        "book/one.md:6:12",
        "error",
        "image '../chart.png' lies outside the manuscript folder",
    ),
    (
        "image-remote",
        one("![A chart](https://example.com/chart.png)\n"),
        None,
        "book/one.md:6:12",
        "error",
        "is not a file in the manuscript: the build never fetches from the network",
    ),
    (
        "image-of-unknown-kind",
        {**one("![A chart](chart.bmp)\n"), "chart.bmp": "BM"},
        None,
        "book/one.md:6:12",
        "error",
        "image 'chart.bmp' is not a PNG, JPEG, GIF, WebP or SVG",
    ),
    (
        "cover-not-what-its-name-says",
        {**one("Text.\n"), "cover.png": "GIF89a"},
        toml('editors = ["ed"]', 'editors = ["ed"]\ncover = "cover.png"'),
        "book/book.toml:5:1",
        "error",
        "[book] cover: 'cover.png' is not a PNG image, whatever its name says",
    ),
    # metadata
    (
        "language-not-registered",
        one("Text.\n"),
        toml('language = "en"', 'language = "xx"'),
        "book/book.toml:3:1",
        "error",
        "[book] language: 'xx' is not a known language tag",
    ),
    (
        "isbn-check-digit",
        one("Text.\n"),
        toml('editors = ["ed"]', 'editors = ["ed"]\nisbn_epub = "9780306406158"'),
        "book/book.toml:5:1",
        "error",
        "[book] isbn_epub: '9780306406158' is not a valid ISBN-13",
    ),
    (
        "date-not-a-date",
        one("Text.\n"),
        toml('editors = ["ed"]', 'editors = ["ed"]\ndate = "2026-02-30"'),
        "book/book.toml:5:1",
        "error",
        "[book] date: '2026-02-30' is not a real date",
    ),
    (
        "ignore-words-not-words",
        one("Text.\n"),
        DEFAULT_TOML + '\n[checks]\nignore_words = "NB"\n',
        "book/book.toml:20:1",
        "error",
        "[checks] ignore_words: must be a list of words",
    ),
]


@pytest.mark.parametrize("case", [f[0] for f in FINDINGS])
def test_finding(tmp_path: Path, case: str):
    _, files, toml_text, location, severity, fragment = next(f for f in FINDINGS if f[0] == case)
    check_case(tmp_path, files, toml_text, location, severity, fragment)


def test_a_clean_small_book_has_no_findings(tmp_path: Path):
    root = make_manuscript(
        tmp_path / "book",
        {
            **one(
                "The EU and the U.S. met.[^1] See [the section](#later) and "
                "[part two](two.md#there).\n\n## Later {#later}\n\n### Below it\n\n"
                "[^1]: A note.\n"
            ),
            "two.md": "---\nauthors: [au]\n---\n# Two\n\n## There {#there}\n\nText.\n",
            "abbr.md": ABBR + "*[EU]: European Union\n*[U.S.]: United States\n",
            "people.md": PEOPLE,
        },
        toml(
            'chapters = ["one.md"]',
            'front = ["abbr.md"]\nchapters = ["one.md", "two.md"]\nback = ["people.md"]',
        ),
    )
    assert findings(root, "--strict") == (0, [])


@pytest.mark.parametrize(
    "text",
    [
        "World War II and Chapter XIV.",  # roman numerals
        "The G7 and a B-52.",  # fewer than two letters
        "Run `NATO_MODE` or ``WTO``.",  # code
        "See https://example.org/NATO/REPORT.pdf and www.EXAMPLE.org.",  # web addresses
        "See [the report](https://example.org/NATO).",  # link targets
        "Write to INFO@EXAMPLE.org.",  # e-mail addresses
        "The U.K. and the E.U.",  # letters with full stops: single letters
        "The NB and OK.",  # ignore_words
        # no capitals to speak of (the Japanese marked as such: else the font check warns)
        'Straße, Ελλάδα and <span lang="ja">日本</span>.',
    ],
)
def test_capitals_that_are_not_undefined_abbreviations(tmp_path: Path, text: str):
    # Each text also uses a defined abbreviation with a hyphen, in which ADMM is no word.
    root = make_manuscript(
        tmp_path / "book",
        {
            **one(text + " The ADMM-Plus met.\n"),
            "abbr.md": ABBR + "*[ADMM-Plus]: the defence ministers' meeting-plus\n",
        },
        WITH_ABBR + '\n[checks]\nignore_words = ["NB", "OK"]\n',
    )
    assert findings(root, "--strict") == (0, [])


def test_an_undefined_word_is_reported_once_at_its_first_use(tmp_path: Path):
    root = make_manuscript(
        tmp_path / "book",
        {
            **one("Some text.\n\nThe PLA drilled.\n\nThe PLA again.\n"),
            "two.md": "---\nauthors: [au]\n---\n# Two\n\nThe PLA, a third time.\n",
        },
        TWO,
    )
    _, found = findings(root)
    assert [(where(f), f["severity"]) for f in found if "PLA" in f["message"]] == [
        ("book/one.md:8:5", "warning")
    ]


def test_abbreviations_used_only_on_the_title_page_are_used(tmp_path: Path):
    root = make_manuscript(
        tmp_path / "book",
        {**one("Text.\n"), "abbr.md": ABBR + "*[WTO]: World Trade Organization\n"},
        WITH_ABBR.replace('language = "en"', 'language = "en"\nsubtitle = "The WTO at Thirty"'),
    )
    assert findings(root, "--strict") == (0, [])


def test_book_wide_checks_wait_until_every_part_can_be_read(tmp_path: Path):
    """With part two unreadable, its abbreviations and author would look unused: the
    book-wide checks stay silent, and part two's own error is what is reported."""
    root = make_manuscript(
        tmp_path / "book",
        {
            "one.md": "---\ntitle: One\n---\n\nText.\n",
            "two.md": "---\ntitle: [unclosed\nauthors: [au]\n---\n\nThe EU.\n",
            "abbr.md": ABBR + "*[EU]: European Union\n",
        },
        toml('chapters = ["one.md"]', 'front = ["abbr.md"]\nchapters = ["one.md", "two.md"]'),
    )
    status, found = findings(root)
    assert status == 1
    assert [(where(f), f["severity"]) for f in found] == [("book/two.md:3:8", "error")]


def test_every_problem_is_reported_in_one_run_grouped_by_file(tmp_path: Path):
    root = make_manuscript(
        tmp_path / "book",
        {
            "one.md": PART + "Text.[^x]\n\n![](missing.png)\n\n<script>x()</script>\n",
            "two.md": "---\ntitle: Two\nkind: essay\n---\n\nText.\n",
            "three.md": "---\ntitle: Three\n---\n\n#### Deep\n\nSee [it](#nowhere).\n",
            "drafts/old.md": "# Old\n",
        },
        toml('chapters = ["one.md"]', 'chapters = ["one.md", "two.md", "three.md"]'),
    )
    status, stdout, stderr = run_cli("check", root)
    assert status == 1
    lines = stderr.splitlines()
    assert [line.split(": ", 2)[0] + ": " + line.split(": ", 2)[1] for line in lines] == [
        "book/one.md:6:6: error",  # the note reference
        "book/one.md:8:5: warning",  # no alt text
        "book/one.md:8:5: error",  # the image does not exist
        "book/one.md:10:1: error",  # the script
        "book/two.md:3:1: error",  # the kind
        "book/three.md:5:1: warning",  # the heading skips
        "book/three.md:7:11: error",  # the anchor
        "book/drafts/old.md: warning",  # no list names it
    ]
    assert stdout.strip().endswith(": 5 errors, 3 warnings")


def test_strict_makes_warnings_errors(tmp_path: Path):
    root = make_manuscript(tmp_path / "book", one("Text.\n\n[^a]: Never cited.\n"))
    status, stdout, stderr = run_cli("check", root)
    assert status == 0 and "no errors, 1 warning" in stdout
    assert stderr.startswith("book/one.md:8:1: warning: note [^a] is never referenced")
    status, stdout, stderr = run_cli("check", root, "--strict")
    assert status == 1 and ": 1 error, 0 warnings" in stdout
    assert stderr.startswith("book/one.md:8:1: error: note [^a] is never referenced")


def test_json_report(tmp_path: Path):
    root = make_manuscript(tmp_path / "book", one("Text.[^x]\n\n[^a]: Never cited.\n"))
    status, stdout, stderr = run_cli("check", root, "--format", "json")
    assert status == 1 and stderr == ""
    assert json.loads(stdout) == [
        {
            "path": "book/one.md",
            "line": 6,
            "column": 6,
            "severity": "error",
            "message": 'note reference [^x] has no note: add a line "[^x]: text of the note"',
        },
        {
            "path": "book/one.md",
            "line": 8,
            "column": 1,
            "severity": "warning",
            "message": "note [^a] is never referenced: cite it in the text as [^a] or delete it",
        },
    ]
    status, stdout, _ = run_cli("check", root, "--format", "json", "--strict")
    assert status == 1 and {f["severity"] for f in json.loads(stdout)} == {"error"}


def test_json_report_of_a_book_toml_that_cannot_be_read(tmp_path: Path):
    root = make_manuscript(tmp_path / "book", toml=DEFAULT_TOML + "\n[extras]\n")
    status, found = findings(root)
    assert status == 1
    assert [(where(f), f["severity"]) for f in found] == [("book/book.toml:19:1", "error")]


def test_json_report_of_a_clean_book_is_an_empty_list(tmp_path: Path):
    root = make_manuscript(tmp_path / "book")
    status, stdout, stderr = run_cli("check", root, "--format", "json")
    assert (status, json.loads(stdout), stderr) == (0, [], "")


def test_build_refuses_on_an_error_and_with_strict_on_a_warning(tmp_path: Path):
    root = make_manuscript(tmp_path / "book", one("Text.\n\n[^a]: Never cited.\n"))
    out = tmp_path / "out"
    status, stdout, stderr = run_cli("build", root, "--format", "epub", "--output", out, "--strict")
    assert status == 1 and "nothing was written" in stdout and "wrote" not in stdout
    assert stderr.startswith("book/one.md:8:1: error: note [^a] is never referenced")
    assert not out.exists() or not any(out.iterdir())
    status, stdout, stderr = run_cli("build", root, "--format", "epub", "--output", out)
    assert status == 0 and "wrote" in stdout
    assert finding_lines(stderr)[0].startswith(
        "book/one.md:8:1: warning: note [^a] is never referenced"
    )
    (root / "one.md").write_text(PART + "Text.[^x]\n", encoding="utf-8")
    status, stdout, stderr = run_cli(
        "build", root, "--format", "epub", "--output", tmp_path / "out2"
    )
    assert status == 1 and "book/one.md:6:6: error: note reference [^x]" in stderr
    assert not (tmp_path / "out2").exists() or not any((tmp_path / "out2").iterdir())


def test_the_sample_volume_passes_check_strict():
    status, stdout, stderr = run_cli("check", SAMPLE, "--strict")
    assert status == 0, stderr
    assert stderr == "" and stdout.strip().endswith("no errors, 0 warnings")


def test_check_fails_on_a_character_no_font_has_as_the_build_does(tmp_path: Path):
    """A PDF build refuses a character no installed font has; `check` used to pass the
    book (exit 0, "no errors") because only the build looked at the fonts."""
    root = make_manuscript(tmp_path / "book", one("The river \U00013000 is low.\n"))
    status, found = findings(root)
    assert status == 1
    assert [(where(f), f["severity"]) for f in found] == [("book/one.md:6:11", "error")]
    assert "is in no installed font" in found[0]["message"]
    status, stdout, stderr = run_cli("build", root, "--output", tmp_path / "out")
    assert status == 1 and finding_lines(stderr) == [
        f"{where(found[0])}: error: {found[0]['message']}"
    ]
