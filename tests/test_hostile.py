"""Hostile or broken manuscripts: each is turned away with a located error, and none makes
the build read a file outside the manuscript, reach the network, hang, or spoil a good
earlier edition.

- The corpus: small manuscripts, each with one hostile or broken thing, next to a canary
  file. `check` and `build` must both exit with 1, name the exact place, write nothing, and
  never open a file outside the manuscript folder (an audit hook records every file the
  process opens) nor print the canary's contents.
- The fetcher, the second line of defence: hostile HTML put straight into a rendered book,
  past the checks, is refused by the PDF writer's fetcher (files outside, `file://`,
  attachments, HTTP to a local server that counts its requests).
- A built PDF has no attachment but its own page record (`pdfdetach -list`).
- Interrupting a build (SIGKILL, SIGTERM, Ctrl-C) or failing one leaves the previous edition
  byte for byte, and SIGTERM or Ctrl-C leaves no temporary file.
- Resource bombs run in a child process under a time and memory limit.
"""

from __future__ import annotations

import contextlib
import dataclasses
import http.server
import os
import re
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE, have
from helpers import DEFAULT_TOML, make_manuscript, run_cli
from pypdf import PdfReader

import allianceprint.render
from allianceprint.build import checked_book
from allianceprint.errors import AssetError, Diagnostics

CANARY = "CANARY-7f3a9c-do-not-read"
PART = "---\ntitle: One\nauthors: [au]\n---\n\n"  # the body starts on line 6
PNG = b"\x89PNG\r\n\x1a\n"
DIAGNOSTIC_RE = re.compile(r"(book/[^\s:]+(:\d+(:\d+)?)?|<book>|\S+): (error|warning): \S.*")


# --- recording the files the process opens ---------------------------------------------

_opened: list[str] | None = None


def _audit(event: str, args: tuple) -> None:
    if _opened is not None and event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        _opened.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)  # for the whole session; it records only inside `recording()`


@contextlib.contextmanager
def recording():
    """Collect the paths of the files opened in the block (Python's `open` audit event)."""
    global _opened
    _opened = []
    try:
        yield _opened
    finally:
        _opened = None


def assert_confined(opened: list[str], base: Path, *inside: Path) -> None:
    """No file under `base` was opened unless it lies in one of `inside`."""
    base = base.resolve()
    for name in opened:
        path = Path(os.path.abspath(name))
        if path.is_relative_to(base):
            assert any(path.is_relative_to(folder.resolve()) for folder in inside), (
                f"opened {path}, outside the manuscript"
            )


# --- the corpus --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Symlink:
    target: str  # relative to the file's folder


@dataclasses.dataclass(frozen=True)
class Fifo:
    pass


def svg(inside: str, doctype: str = "") -> bytes:
    return (
        f'<?xml version="1.0"?>{doctype}<svg xmlns="http://www.w3.org/2000/svg" '
        f'xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">{inside}</svg>'
    ).encode()


def toml(old: str, new: str) -> str:
    assert old in DEFAULT_TOML, old
    return DEFAULT_TOML.replace(old, new, 1)


def one(body: str | bytes) -> dict:
    return {"one.md": PART + body if isinstance(body, str) else body}


WITH_PEOPLE = toml('chapters = ["one.md"]', 'chapters = ["one.md"]\nback = ["people.md"]')
PEOPLE = "---\nkind: contributors\n---\n"
DEEP_SPANS = "<span>" * 40 + "x" + "</span>" * 40

# (id, files, toml, location, message fragment). Locations: DEFAULT_TOML's lines are listed
# in test_errors.py; a part's body starts on line 6 (PART).
CORPUS = [
    # reading files outside the manuscript
    (
        "image-parent-folder",
        one("![x](../canary.txt)\n"),
        None,
        "book/one.md:6:6",
        "image '../canary.txt' lies outside the manuscript folder",
    ),
    (
        "image-absolute-path",
        one("![x](/etc/passwd)\n"),
        None,
        "book/one.md:6:6",
        "image '/etc/passwd' lies outside the manuscript folder",
    ),
    (
        "image-percent-encoded-dots",
        one("![x](%2e%2e/canary.txt)\n"),
        None,
        "book/one.md:6:6",
        "image '%2e%2e/canary.txt' lies outside the manuscript folder",
    ),
    (
        "image-symlink-out",
        {**one("![x](img.png)\n"), "img.png": Symlink("../canary.png")},
        None,
        "book/one.md:6:6",
        "image 'img.png' lies outside the manuscript folder",
    ),
    (
        "image-file-url",
        one("![x](file:///etc/passwd)\n"),
        None,
        "book/one.md:6:6",
        "is not a file in the manuscript: the build never fetches",
    ),
    (
        "image-nul-in-name",
        one("![x](a%00b.png)\n"),
        None,
        "book/one.md:6:6",
        "image 'a%00b.png' is not a usable file name",
    ),
    (
        "image-name-too-long",
        one(f"![x]({'a' * 5000}.png)\n"),
        None,
        "book/one.md:6:6",
        "cannot be read: File name too long",
    ),
    (
        "image-is-a-folder",
        {**one("![x](images)\n"), "images/a.txt": "a"},
        None,
        "book/one.md:6:6",
        "image 'images' is not a regular file",
    ),
    (
        "image-is-a-pipe",
        {**one("![x](img.png)\n"), "img.png": Fifo()},
        None,
        "book/one.md:6:6",
        "image 'img.png' is not a regular file (a folder, a pipe",
    ),
    (
        "image-not-an-image",
        {**one("![x](notes.txt)\n"), "notes.txt": "text"},
        None,
        "book/one.md:6:6",
        "is not a PNG, JPEG, GIF, WebP or SVG file",
    ),
    (
        "image-fake-png",
        {**one("![x](fake.png)\n"), "fake.png": b"#!/bin/sh\n"},
        None,
        "book/one.md:6:6",
        "image 'fake.png' is not a PNG image, whatever its name says",
    ),
    (
        "svg-with-script",
        {**one("![x](a.svg)\n"), "a.svg": svg("<script>alert(1)</script>")},
        None,
        "book/one.md:6:6",
        "image 'a.svg' contains <script>",
    ),
    (
        "svg-with-event-handler",
        {**one("![x](a.svg)\n"), "a.svg": svg('<rect onload="x()"/>')},
        None,
        "book/one.md:6:6",
        "has an event-handler attribute (onload=)",
    ),
    (
        "svg-pulls-a-file",
        {**one("![x](a.svg)\n"), "a.svg": svg('<image xlink:href="../canary.png"/>')},
        None,
        "book/one.md:6:6",
        "refers to '../canary.png', another file or address",
    ),
    (
        "svg-declares-entities",
        {
            **one("![x](a.svg)\n"),
            "a.svg": svg("<text>&c;</text>", '<!DOCTYPE svg [<!ENTITY c SYSTEM "../canary.txt">]>'),
        },
        None,
        "book/one.md:6:6",
        "declares XML entities",
    ),
    (
        "link-parent-folder",
        one("See [this](../canary.txt).\n"),
        None,
        "book/one.md:6:12",
        "link '../canary.txt' lies outside the manuscript folder",
    ),
    (
        "part-absolute-path",
        None,
        toml('chapters = ["one.md"]', 'chapters = ["/etc/passwd"]'),
        "book/book.toml:17:13",
        "'/etc/passwd' lies outside the manuscript folder",
    ),
    (
        "part-symlink-out",
        {"one.md": Symlink("../canary.md")},
        None,
        "book/book.toml:17:13",
        "'one.md' lies outside the manuscript folder",
    ),
    (
        "part-is-a-pipe",
        {"one.md": Fifo()},
        None,
        "book/book.toml:17:13",
        "'one.md' is not a regular file",
    ),
    (
        "part-nul-in-name",
        None,
        toml('chapters = ["one.md"]', 'chapters = ["one\\u0000.md"]'),
        "book/book.toml:17:13",
        "is not a usable file name",
    ),
    (
        "cover-outside",
        None,
        toml('editors = ["ed"]', 'editors = ["ed"]\ncover = "../canary.png"'),
        "book/book.toml:5:1",
        "[book] cover: '../canary.png' lies outside the manuscript folder",
    ),
    (
        "cover-symlink-out",
        {**one("Text.\n"), "cover.png": Symlink("../canary.png")},
        toml('editors = ["ed"]', 'editors = ["ed"]\ncover = "cover.png"'),
        "book/book.toml:5:1",
        "[book] cover: 'cover.png' lies outside the manuscript folder",
    ),
    # the network
    (
        "image-scheme-relative",
        one("![x](//example.com/a.png)\n"),
        None,
        "book/one.md:6:6",
        "is not a file in the manuscript: the build never fetches",
    ),
    (
        "raw-img-http",
        one('Text <img src="http://127.0.0.1:9/x.png" alt="x">.\n'),
        None,
        "book/one.md:6:6",
        "<img> is not allowed: write images as ![alt text](path/to/file)",
    ),
    (
        "raw-style-import",
        one('<style>@import url("http://127.0.0.1:9/x.css");</style>\n'),
        None,
        "book/one.md:6:1",
        "<style> is not allowed: a part cannot load files",
    ),
    (
        "raw-style-attribute-url",
        one('A <span style="background: url(../canary.png)">x</span>.\n'),
        None,
        "book/one.md:6:3",
        "the style= on <span> uses 'url('",
    ),
    # raw HTML
    (
        "raw-script-block",
        one("<script>alert(1)</script>\n"),
        None,
        "book/one.md:6:1",
        "<script> is not allowed: a book runs no scripts",
    ),
    (
        "raw-script-inline",
        one("Text <script>alert(1)</script> text.\n"),
        None,
        "book/one.md:6:6",
        "<script> is not allowed",
    ),
    (
        "raw-script-uppercase",
        one("Text.\n\n<SCRIPT>alert(1)</SCRIPT>\n"),
        None,
        "book/one.md:8:1",
        "<script> is not allowed",
    ),
    (
        "raw-iframe",
        one('<iframe src="https://example.com"></iframe>\n'),
        None,
        "book/one.md:6:1",
        "<iframe> is not allowed: a book cannot embed other documents",
    ),
    (
        "raw-object",
        one('Text <object data="../canary.txt"></object>.\n'),
        None,
        "book/one.md:6:6",
        "<object> is not allowed",
    ),
    (
        "raw-link-attachment",
        one('<link rel="attachment" href="../canary.txt">\n'),
        None,
        "book/one.md:6:1",
        "<link> is not allowed",
    ),
    (
        "raw-a-attachment",
        one('See <a rel="attachment" href="../canary.txt">this</a>.\n'),
        None,
        "book/one.md:6:5",
        "the attribute rel= is not allowed on <a>",
    ),
    (
        "raw-meta-refresh",
        one('<meta http-equiv="refresh" content="0;url=http://x">\n'),
        None,
        "book/one.md:6:1",
        "<meta> is not allowed",
    ),
    (
        "raw-onclick",
        one('Click <b onclick="steal()">here</b>.\n'),
        None,
        "book/one.md:6:7",
        "the event-handler attribute onclick= on <b> would run a script",
    ),
    (
        "raw-onmouseover-uppercase",
        one('A <SPAN ONMOUSEOVER="x()">y</SPAN>.\n'),
        None,
        "book/one.md:6:3",
        "the event-handler attribute onmouseover= on <span>",
    ),
    (
        "raw-javascript-link",
        one('A <a href="javascript:alert(1)">link</a>.\n'),
        None,
        "book/one.md:6:3",
        "link 'javascript:alert(1)': a javascript: link would run a script",
    ),
    (
        "raw-javascript-link-encoded",
        one('A <a href="jav&#x61;script:alert(1)">x</a>.\n'),
        None,
        "book/one.md:6:3",
        "a javascript: link would run a script",
    ),
    (
        "raw-doctype-entity",
        one('<!DOCTYPE x [<!ENTITY e SYSTEM "../canary.txt">]>\n\nText.\n'),
        None,
        "book/one.md:6:1",
        "<!DOCTYPE> is not allowed in a part",
    ),
    (
        "raw-inline-svg",
        one('<svg><image href="../canary.png"/></svg>\n'),
        None,
        "book/one.md:6:1",
        "<svg> is not allowed",
    ),
    (
        "raw-bad-lang",
        one('A <span lang="xx-nowhere">x</span>.\n'),
        None,
        "book/one.md:6:3",
        "lang= on <span>: 'xx-nowhere' is not a known language tag",
    ),
    (
        "attribute-list-onclick",
        one('A paragraph.\n{: onclick="alert(1)" }\n'),
        None,
        "book/one.md:7:4",
        "in an attribute list: the event-handler attribute onclick= on <p>",
    ),
    (
        "attribute-list-style-url",
        one('## Section {: style="background:url(../canary.png)" }\n'),
        None,
        "book/one.md:6:15",
        "the style= on <h2> uses 'url('",
    ),
    (
        "attribute-list-rel-attachment",
        one('[x](https://example.com){: rel="attachment" }\n'),
        None,
        "book/one.md:6:28",
        "the attribute rel= is not allowed on <a>",
    ),
    (
        "attribute-list-javascript-href",
        one('[x](https://example.com){: href="javascript:alert(1)" }\n'),
        None,
        "book/one.md:6:34",
        "link 'javascript:alert(1)': a javascript: link would run a script",
    ),
    (
        "markdown-javascript-link",
        one("A [link](javascript:alert(1)).\n"),
        None,
        "book/one.md:6:10",
        "a javascript: link would run a script",
    ),
    (
        "markdown-file-link",
        one("A [link](file:///etc/passwd).\n"),
        None,
        "book/one.md:6:10",
        "not to file: addresses",
    ),
    (
        "title-with-script",
        {"one.md": '---\ntitle: "One <script>x()</script>"\n---\n\nText.\n'},
        None,
        "book/one.md:2",
        "<script> is not allowed",
    ),
    (
        "bio-with-script",
        {**one("Text.\n"), "people.md": PEOPLE},
        WITH_PEOPLE.replace(
            'bio = "Aru writes chapters."', 'bio = "Aru <script>x()</script> writes."'
        ),
        "book/book.toml:14",
        "<script> is not allowed",
    ),
    (
        "label-with-image",
        {**one("Text.\n"), "people.md": PEOPLE},
        WITH_PEOPLE + '\n[labels]\ncontributors = "People <img src=../canary.png>"\n',
        "book/book.toml:21",
        "<img> is not allowed",
    ),
    # broken text, and bombs
    (
        "not-utf8",
        one(PART.encode() + b"Caf\xe9.\n"),
        None,
        "book/one.md:6:4",
        "the file is not UTF-8 text: save it as UTF-8",
    ),
    (
        "nul-byte",
        one(PART.encode() + b"A\x00B.\n"),
        None,
        "book/one.md:6:2",
        "the file contains a NUL byte: remove it",
    ),
    (
        "control-characters",
        one(PART.encode() + b"A\x1b[31m red\x1b[0m B.\n"),
        None,
        "book/one.md:6:2",
        "the file contains 2 control characters (U+001B here, the first), which no book can print",
    ),
    (
        "control-character-by-yaml-escape",
        {"one.md": '---\ntitle: "One\\e"\nauthors: [au]\n---\n\nText.\n'},
        None,
        "book/one.md:2:1",
        "`title` contains the control character U+001B",
    ),
    (
        "control-character-by-toml-escape",
        one("Text.\n"),
        toml('title = "A Small Book"', 'title = "A Small\\u000bBook"'),
        "book/book.toml:2:1",
        "[book] title: contains the control character U+000B",
    ),
    (
        "part-of-10-mb",
        one("Lorem ipsum dolor sit amet. " * 400_000),
        None,
        "book/one.md",
        "the file is 11 MB; a part may be at most 5 MB: split it",
    ),
    (
        "yaml-alias-bomb",
        {
            "one.md": "---\na: &a [x, x, x, x, x, x, x, x, x]\n"
            "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
            "c: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n---\n\nText.\n"
        },
        None,
        "book/one.md:3:8",
        "aliases (*name) are not allowed in front matter",
    ),
    (
        "yaml-deep-nesting",
        {"one.md": "---\ntitle: " + "[" * 5000 + "]" * 5000 + "\n---\n"},
        None,
        "book/one.md:2:23",
        "values nest more than 16 deep",
    ),
    (
        "yaml-huge-front-matter",
        {"one.md": "---\ntitle: x\n" + "#" * 70_000 + "\n---\n"},
        None,
        "book/one.md:1:1",
        "the front matter is 68 kB",
    ),
    (
        "toml-deep-nesting",
        None,
        DEFAULT_TOML + "\n[labels]\nand = " + "[" * 5000 + "]" * 5000,
        "book/book.toml:20:39",
        "arrays or inline tables nest more than 32 deep",
    ),
    (
        "deep-block-quotes",
        one("> " * 1000 + "deep\n"),
        None,
        "book/one.md:6:33",
        "block quotes nest 1000 deep here; a book allows at most 16",
    ),
    (
        "deep-lists",
        one("".join("    " * i + "- item\n" for i in range(500))),
        None,
        "book/one.md:22:65",
        "this list item is 17 levels deep; lists may nest at most 16",
    ),
    (
        "deep-quote-in-list",
        one("".join("    " * i + "- > x\n" for i in range(500))),
        None,
        "book/one.md:22:65",
        "lists may nest at most 16",
    ),
    (
        "deep-raw-html",
        one(DEEP_SPANS + "\n"),
        None,
        "book/one.md:6:193",
        "raw HTML elements nest more than 32 deep",
    ),
]
CORPUS_BY_ID = {case[0]: case for case in CORPUS}


def write_corpus_case(base: Path, files: dict | None, toml_text: str | None) -> Path:
    """The case's manuscript in `base/book`, with canary files beside it in `base`."""
    (base / "canary.txt").write_text(CANARY, encoding="utf-8")
    (base / "canary.md").write_text(f"# {CANARY}\n", encoding="utf-8")
    (base / "canary.png").write_bytes(PNG + CANARY.encode())
    plain = {name: text for name, text in (files or {}).items() if isinstance(text, (str, bytes))}
    root = make_manuscript(base / "book", plain if files is not None else None, toml_text)
    for name, special in (files or {}).items():
        path = root / name
        if isinstance(special, Symlink):
            path.symlink_to(special.target)
        elif isinstance(special, Fifo):
            os.mkfifo(path)
    return root


def assert_reported(status: int, stderr: str, location: str, fragment: str) -> None:
    assert status == 1, stderr
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    for line in lines:
        assert DIAGNOSTIC_RE.fullmatch(line), f"not a diagnostic line: {line!r}"
    assert any(line.startswith(f"{location}: error: ") and fragment in line for line in lines), (
        f"no error at {location} with {fragment!r} in:\n{stderr}"
    )


def test_the_corpus_is_large_enough():
    assert len(CORPUS) >= 40
    assert len(CORPUS_BY_ID) == len(CORPUS)


@pytest.mark.parametrize("case", [c[0] for c in CORPUS])
def test_hostile_manuscript_is_refused_without_reading_outside(tmp_path: Path, case: str):
    _, files, toml_text, location, fragment = CORPUS_BY_ID[case]
    root = write_corpus_case(tmp_path, files, toml_text)
    out = tmp_path / "out"
    with recording() as opened:
        status, stdout, stderr = run_cli("check", root)
        assert_reported(status, stderr, location, fragment)
        status, stdout, stderr = run_cli("build", root, "--output", out)
        assert_reported(status, stderr, location, fragment)
    assert "wrote" not in stdout and (not out.exists() or not any(out.iterdir()))
    assert CANARY not in stdout + stderr
    assert_confined(opened, tmp_path, root, out / ".cache")  # its own cache, to reuse


def test_a_part_that_takes_too_long_is_stopped(tmp_path: Path, monkeypatch):
    """Python-Markdown is quadratic on thousands of `[` that never close: the part's time
    limit (10 s, plus 30 s per MB) stops it; here the limit is lowered to keep the test short."""
    monkeypatch.setattr(allianceprint.render, "PART_SECONDS", 1.0)
    monkeypatch.setattr(allianceprint.render, "PART_SECONDS_PER_MB", 0.0)
    root = write_corpus_case(tmp_path, one("[" * 40_000 + "\n"), None)
    started = time.monotonic()
    status, _, stderr = run_cli("check", root)
    assert time.monotonic() - started < 10
    assert_reported(status, stderr, "book/one.md", "reading this part took more than 1 seconds")


def test_harmless_inline_html_still_works(tmp_path: Path):
    root = write_corpus_case(
        tmp_path,
        one(
            'Water is H<sub>2</sub>O, E = mc<sup>2</sup>,<br>and <span lang="ja">日本</span> '
            'is <abbr title="Japan">JP</abbr>. <!-- an editor\'s comment -->\n\n'
            '<div class="box" id="box-1">\n<p>A <em>boxed</em> paragraph.</p>\n</div>\n\n'
            'A paragraph with a class.\n{: .aside #para lang="fr" }\n'
        ),
        None,
    )
    status, _, stderr = run_cli("build", root, "--format", "epub", "--output", tmp_path / "out")
    assert status == 0, stderr
    import zipfile

    with zipfile.ZipFile(tmp_path / "out" / "a-small-book.epub") as epub:
        text = epub.read("EPUB/one.xhtml").decode()
    assert (
        "<sub>2</sub>" in text
        and "<sup>2</sup>" in text
        and '<span lang="ja" xml:lang="ja">' in text
    )
    assert '<div class="box" id="box-1">' in text
    assert re.search(r'<p (?=[^>]*class="aside")(?=[^>]*id="para")(?=[^>]*lang="fr")', text)


# --- the fetcher, past the checks --------------------------------------------------------


class _CountingServer(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        _CountingServer.requests.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(PNG)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def local_server():
    """An HTTP server on the loopback interface that counts the requests it gets."""
    server = http.server.HTTPServer(("127.0.0.1", 0), _CountingServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


FETCHER_ATTACKS = {
    "img-file-url": ('<img src="file://{canary}" alt="x">', "the build does not read"),
    "img-relative-path": ('<img src="../canary.png" alt="x">', "the build does not read"),
    "img-symlink-out": ('<img src="link.png" alt="x">', "the build does not read"),
    "link-rel-attachment": (
        '<link rel="attachment" href="file://{canary}">',
        "the build does not read",
    ),
    "a-rel-attachment": (
        '<a rel="attachment" href="../canary.txt">x</a>',
        "the build does not read",
    ),
    "img-http": ('<img src="{server}/x.png" alt="x">', "the build does not fetch"),
    "style-import-http": (
        '<style>@import url("{server}/x.css");</style><p>x</p>',
        "the build does not fetch",
    ),
    "font-face-http": (
        "<style>@font-face {{ font-family: X; src: url({server}/f.woff) }} "
        "p {{ font-family: X }}</style><p>x</p>",
        "the build does not fetch",
    ),
    "style-attribute-file": (
        '<p style="background: url(file://{canary})">x</p>',
        "the build does not read",
    ),
    "data-url": (
        '<img src="data:image/png;base64,iVBORw0KGgo=" alt="x">',
        "the build does not fetch 'data:",
    ),
    "nul-in-url": ('<img src="file:///tmp/a%00b" alt="x">', "not a usable file name"),
    "file-url-with-host": (
        '<img src="file://example.com/etc/passwd" alt="x">',
        "the build does not fetch",
    ),
}


@pytest.fixture(scope="module")
def small_rendered(tmp_path_factory):
    base = tmp_path_factory.mktemp("fetcher")
    root = write_corpus_case(base, one("Text.\n"), None)
    (root / "link.png").symlink_to("../canary.png")
    return base, root, checked_book(root, Diagnostics())


@pytest.mark.parametrize("attack", list(FETCHER_ATTACKS))
def test_fetcher_refuses_what_the_checks_would_have_caught(
    small_rendered, local_server, attack: str
):
    from allianceprint.writers.pdf import write_pdf

    base, root, rendered = small_rendered
    html, fragment = FETCHER_ATTACKS[attack]
    html = html.format(canary=base / "canary.txt", server=local_server)
    part = dataclasses.replace(rendered.parts[0], body_html=html)
    hostile = dataclasses.replace(rendered, parts=(part,))
    before = len(_CountingServer.requests)
    target = base / f"{attack}.pdf"
    with recording() as opened, pytest.raises(AssetError) as raised:
        write_pdf(hostile, target)
    assert fragment in raised.value.message
    assert len(_CountingServer.requests) == before, "the build made an HTTP request"
    assert_confined(opened, base, root, base / f"{attack}.pdf")
    assert not target.exists() or CANARY.encode() not in target.read_bytes()


@pytest.mark.skipif(not have("pdfdetach"), reason="needs poppler-utils")
def test_built_pdf_has_no_attachment_and_no_canary(tmp_path: Path):
    root = write_corpus_case(
        tmp_path, one("Text with <sup>1</sup> and a [web link](https://example.com/a.pdf).\n"), None
    )
    with recording() as opened:
        status, _, stderr = run_cli("build", root, "--format", "pdf", "--output", tmp_path / "out")
    assert status == 0, stderr
    pdf = tmp_path / "out" / "a-small-book.pdf"
    listing = subprocess.run(
        ["pdfdetach", "-list", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    # only the page record the build embeds itself (pagerecord), nothing from the manuscript
    assert listing.strip().splitlines() == ["1 embedded files", "1: allianceprint-pages.json"]
    text = "".join(page.extract_text() for page in PdfReader(str(pdf)).pages)
    assert CANARY not in text and "Text with" in text
    assert_confined(opened, tmp_path, root, tmp_path / "out")


# --- interrupted and failed builds -------------------------------------------------------


def _previous_edition(out: Path, stem: str) -> dict[Path, bytes]:
    out.mkdir(parents=True, exist_ok=True)
    previous = {
        out / f"{stem}.pdf": b"%PDF-1.7 the previous print edition",
        out / f"{stem}.epub": b"PK the previous EPUB",
    }
    for path, data in previous.items():
        path.write_bytes(data)
    return previous


def _assert_no_workers_left(out: Path) -> None:
    """The build's worker processes (forked: the same command line) end with it."""
    deadline = time.monotonic() + 10
    while True:
        left = []
        for status in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                if str(out).encode() in status.read_bytes():
                    left.append(status.parent.name)
            except OSError:
                continue  # the process ended while we looked
        if not left:
            return
        assert time.monotonic() < deadline, f"worker processes left running: {left}"
        time.sleep(0.1)


def outputs(folder: Path) -> list[str]:
    """The files in the output folder but its cache (.cache: what a next build reuses)."""
    return sorted(p.name for p in folder.iterdir() if p.name != ".cache")


def _start_build(out: Path, manuscript: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "allianceprint", "build", str(manuscript), "--output", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def _wait_for_render(process: subprocess.Popen, out: Path) -> None:
    """Until the PDF is being laid out: its temporary file exists, the render has begun."""
    deadline = time.monotonic() + 120
    while not list(out.glob(".*.part")):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the build never began writing"
        time.sleep(0.05)
    time.sleep(1.0)  # well inside the layout of the sample, which takes several seconds
    assert process.poll() is None, "the build ended before it could be interrupted"


@pytest.mark.parametrize(
    "how, status", [(signal.SIGKILL, -signal.SIGKILL), (signal.SIGTERM, 143), (signal.SIGINT, 130)]
)
def test_interrupted_build_leaves_the_previous_edition(tmp_path: Path, how, status):
    out = tmp_path / "out"
    previous = _previous_edition(out, "allied-horizons")
    process = _start_build(out, SAMPLE)
    _wait_for_render(process, out)
    process.send_signal(how)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == status, stderr
    assert "wrote" not in stdout and "Traceback" not in stderr
    _assert_no_workers_left(out)
    for path, data in previous.items():
        assert path.read_bytes() == data, f"{path.name} changed"
    if how != signal.SIGKILL:  # a killed process cannot clean up; the others must
        assert "the previous outputs are unchanged" in stderr
        assert outputs(out) == sorted(p.name for p in previous)
        assert not [p for p in out.rglob("*.part")], "temporary files left behind"


def test_failed_build_leaves_the_previous_edition(tmp_path: Path, monkeypatch):
    """The EPUB writer fails after the PDF is written: neither output is replaced."""
    import allianceprint.writers.epub

    root = make_manuscript(tmp_path / "book")
    out = tmp_path / "out"
    previous = _previous_edition(out, "a-small-book")

    def fail(*args, **kwargs):
        raise AssetError("a failure in the EPUB writer")

    monkeypatch.setattr(allianceprint.writers.epub, "write_epub", fail)
    status, stdout, stderr = run_cli("build", root, "--output", out)
    assert status == 1 and "a failure in the EPUB writer" in stderr and "wrote" not in stdout
    for path, data in previous.items():
        assert path.read_bytes() == data
    assert outputs(out) == sorted(p.name for p in previous)


def test_unwritable_output_is_an_error_not_a_traceback(tmp_path: Path):
    root = make_manuscript(tmp_path / "book")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    status, _, stderr = run_cli("build", root, "--format", "epub", "--output", blocker)
    assert status == 1 and "Traceback" not in stderr
    assert f"{blocker}: error: cannot write the outputs here" in stderr


# --- bombs, in a child process with a time and memory limit -------------------------------

BOMBS = [
    "part-of-10-mb",
    "yaml-alias-bomb",
    "yaml-deep-nesting",
    "toml-deep-nesting",
    "deep-block-quotes",
    "deep-lists",
    "deep-raw-html",
]
MEMORY_LIMIT = 2 * 1024**3
TIME_LIMIT = 60


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _run_limited(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "allianceprint", *args],
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT,
        preexec_fn=_limited,
        cwd=ROOT,
    )


@pytest.mark.parametrize("case", BOMBS)
def test_bomb_gives_a_clear_error_within_time_and_memory(tmp_path: Path, case: str):
    _, files, toml_text, location, fragment = CORPUS_BY_ID[case]
    root = write_corpus_case(tmp_path, files, toml_text)
    result = _run_limited("build", str(root), "--format", "epub", "--output", str(tmp_path / "out"))
    assert_reported(result.returncode, result.stderr, location, fragment)


def test_enormous_line_builds_within_time_and_memory(tmp_path: Path):
    """A 4 MB paragraph on one line is not a mistake: it builds, in a few seconds."""
    root = write_corpus_case(tmp_path, one("word " * 800_000 + "\n"), None)
    started = time.monotonic()
    result = _run_limited("build", str(root), "--format", "epub", "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 30
    assert (tmp_path / "out" / "a-small-book.epub").stat().st_size > 0


def test_quadratic_markdown_is_stopped_within_its_time_limit(tmp_path: Path):
    """In a child process, with the real limit: 10 s plus 30 s per MB."""
    root = write_corpus_case(tmp_path, one("<a " * 30_000 + "\n"), None)
    started = time.monotonic()
    result = _run_limited("check", str(root))
    assert_reported(
        result.returncode,
        result.stderr,
        "book/one.md",
        "reading this part took more than 13 seconds: split it",
    )
    assert time.monotonic() - started < 45
