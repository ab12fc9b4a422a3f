"""Hostile input, round two (issue 17): a shipped or tampered cache, concurrent builds,
hangs, and things that used to be lost without a word.

Every cache test builds a small manuscript once, then plays the part of a folder that
arrives from elsewhere: its `build/.cache` written with another user's key (another
`$XDG_CONFIG_HOME`), or altered by hand. Nothing of it may reach an output, and the build
says once that it ignored it. The slow pathological timings are in bench/hostile.py.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT
from helpers import make_manuscript

from allianceprint.build import build
from allianceprint.cachefolder import CacheFolder, seal, write_sealed
from allianceprint.errors import Diagnostics

SECRET = "SECRET-b41d-not-for-the-book"
INJECTED = "INJECTED-c0ffee-in-no-source"
CHAPTER = """\
---
title: One
authors: [au]
---

Plain text of the first chapter, with nothing in it worth stealing.
"""


def _build(root: Path, out: Path, formats=("pdf", "epub")):
    diagnostics = Diagnostics()
    return build(root, out, formats, diagnostics), diagnostics


def _epub_text(path: Path) -> str:
    with zipfile.ZipFile(path) as book:
        return "\n".join(book.read(name).decode("utf-8", "replace") for name in book.namelist())


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def _other_user(monkeypatch, tmp_path: Path) -> None:
    """From now on, builds run as another user would: with a key of their own."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "other-user-config"))


def _warned(caplog) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "allianceprint" and "cache file" in r.getMessage()
    ]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A small book built once (by this test user): the folder others tamper with copies of."""
    base = tmp_path_factory.mktemp("trusted")
    root = make_manuscript(base / "book", {"one.md": CHAPTER})
    (base / "secret.txt").write_text(SECRET, encoding="utf-8")
    _build(root, root / "build")
    return root


@pytest.fixture
def copy(built: Path, tmp_path: Path) -> Path:
    """A copy of the built manuscript, its outputs' times kept (as zip and tar keep them)."""
    root = tmp_path / "book"
    shutil.copytree(built, root, copy_function=shutil.copy2)
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    return root


def test_a_key_is_made_once_for_the_user_readable_by_them_alone(built):
    key = Path(os.environ["XDG_CONFIG_HOME"]) / "allianceprint" / "cache.key"
    assert key.is_file() and key.stat().st_mode & 0o777 == 0o600
    assert str(ROOT) not in str(key) and len(key.read_bytes()) == 32


def test_every_cache_file_is_sealed(built):
    cache = built / "build" / ".cache"
    files = [
        cache / "stamp.json",
        cache / "checks.json",
        *(cache / "render").glob("*.json"),
        *(cache / "pieces").glob("*.json"),
    ]
    assert len(files) >= 3
    for path in files:
        assert path.read_bytes().startswith(b"allianceprint-seal-1 ")


def test_a_shipped_stamp_never_makes_a_build_up_to_date(copy, monkeypatch, tmp_path, caplog):
    _other_user(monkeypatch, tmp_path)
    pdf = next((copy / "build").glob("*.pdf"))
    pdf.write_bytes(pdf.read_bytes())  # a foreign PDF ...
    stat = pdf.stat()
    os.utime(pdf, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # ... with the recorded times
    result, _ = _build(copy, copy / "build")
    assert not result.up_to_date
    assert result.rendered  # its pieces too were laid out again, not taken from the cache
    assert len(_warned(caplog)) == 1


def test_a_shipped_render_entry_reaches_no_output(copy, monkeypatch, tmp_path, caplog):
    """An entry an attacker wrote (they cannot seal it with this user's key): HTML in no
    source, a script, and a file outside the manuscript to pack into the EPUB."""
    _other_user(monkeypatch, tmp_path)
    for entry in (copy / "build" / ".cache" / "render").glob("*.json"):
        body = entry.read_bytes().partition(b"\n")[2]
        data = json.loads(body)
        data["body_html"] = f"<p>{INJECTED}</p><script>alert(1)</script><iframe src='x'/>"
        data["images"] = ["../secret.txt", "/etc/passwd"]
        entry.write_bytes(json.dumps(data).encode())
    result, _ = _build(copy, copy / "build")
    epub = next(p.path for p in result.outputs if p.path.suffix == ".epub")
    pdf = next(p.path for p in result.outputs if p.path.suffix == ".pdf")
    text = _epub_text(epub)
    assert INJECTED not in text and "<script" not in text and SECRET not in text
    assert "passwd" not in "".join(zipfile.ZipFile(epub).namelist())
    assert INJECTED not in _pdf_text(pdf)
    assert "Plain text of the first chapter" in text
    assert len(_warned(caplog)) == 1


def test_a_sealed_entry_with_a_path_outside_the_manuscript_is_not_used(copy, caplog):
    """Defence in depth: even an entry with this user's seal has its fields checked."""
    (copy / "one.md").write_text(CHAPTER + "\nAn edit.\n", encoding="utf-8")
    result, _ = _build(copy, copy / "build")  # this user's own entries, for the new text
    for entry in (copy / "build" / ".cache" / "render").glob("*.json"):
        data = json.loads(entry.read_bytes().partition(b"\n")[2])
        data["images"] = ["../secret.txt"]
        write_sealed(entry, json.dumps(data).encode())
    (copy / "build" / ".cache" / "stamp.json").unlink()
    result, _ = _build(copy, copy / "build")
    epub = next(p.path for p in result.outputs if p.path.suffix == ".epub")
    assert SECRET not in _epub_text(epub)
    assert len(_warned(caplog)) == 1


@pytest.mark.parametrize("change", ["wrong type", "missing key", "not json", "deep"])
def test_a_damaged_sealed_entry_is_made_again_without_a_traceback(copy, caplog, change):
    (copy / "build" / ".cache" / "stamp.json").unlink()
    for entry in (copy / "build" / ".cache" / "render").glob("*.json"):
        data = json.loads(entry.read_bytes().partition(b"\n")[2])
        if change == "wrong type":
            data["body_html"] = 5
            content = json.dumps(data).encode()
        elif change == "missing key":
            del data["notes"]
            content = json.dumps(data).encode()
        elif change == "not json":
            content = b'{"body_html": '
        else:
            content = b"[" * 100_000 + b"]" * 100_000
        write_sealed(entry, content)
    result, _ = _build(copy, copy / "build")
    epub = next(p.path for p in result.outputs if p.path.suffix == ".epub")
    assert "Plain text of the first chapter" in _epub_text(epub)
    assert len(_warned(caplog)) == 1


def test_a_piece_pdf_changed_in_the_cache_is_laid_out_again(copy, caplog):
    (copy / "build" / ".cache" / "stamp.json").unlink()
    pieces = sorted((copy / "build" / ".cache" / "pieces").glob("*.pdf"))
    foreign = make_manuscript(
        copy.parent / "foreign",
        {"one.md": CHAPTER.replace("Plain text of the first chapter", INJECTED)},
    )
    result, _ = _build(foreign, foreign / "build", ("pdf",))
    stranger = next(p.path for p in result.outputs).read_bytes()
    for piece in pieces:  # a PDF that ends as a PDF does: only its hash tells it apart
        piece.write_bytes(stranger)
    result, _ = _build(copy, copy / "build")
    pdf = next(p.path for p in result.outputs if p.path.suffix == ".pdf")
    assert INJECTED not in _pdf_text(pdf)
    assert "Plain text of the first chapter" in _pdf_text(pdf)
    assert len(_warned(caplog)) == 1


def test_a_stamp_without_an_output_of_each_format_is_not_up_to_date(copy):
    cache = CacheFolder.of(copy / "build")
    record = json.loads(cache.stamp.read_bytes().partition(b"\n")[2])
    record["outputs"] = [o for o in record["outputs"] if not o["name"].endswith(".epub")]
    write_sealed(cache.stamp, json.dumps(record).encode())
    result, _ = _build(copy, copy / "build")
    assert not result.up_to_date


def test_a_stamp_naming_a_file_outside_the_output_folder_is_not_up_to_date(copy):
    cache = CacheFolder.of(copy / "build")
    record = json.loads(cache.stamp.read_bytes().partition(b"\n")[2])
    outside = copy / "book.toml"
    record["outputs"][0]["name"] = "../book.toml"
    record["outputs"][0]["size"] = outside.stat().st_size
    record["outputs"][0]["mtime_ns"] = outside.stat().st_mtime_ns
    write_sealed(cache.stamp, json.dumps(record).encode())
    result, _ = _build(copy, copy / "build")
    assert not result.up_to_date


def test_a_seal_binds_the_content_to_its_file_name():
    sealed = seal("a.json", b"{}")
    from allianceprint.cachefolder import Untrusted, unseal

    assert unseal("a.json", sealed) == b"{}"
    with pytest.raises(Untrusted):
        unseal("b.json", sealed)
    with pytest.raises(Untrusted):
        unseal("a.json", sealed.replace(b"{}", b"[]"))


def test_a_second_build_into_the_same_folder_waits_for_the_first(copy):
    """The lock: while one build holds the output folder, another says so and waits."""
    holder = CacheFolder.of(copy / "build")
    holder.lock()
    try:
        second = subprocess.Popen(
            [sys.executable, "-m", "allianceprint", "build", str(copy)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and second.poll() is None:
            time.sleep(0.2)
            if holder.lock_file.exists():
                break
        time.sleep(3)
        assert second.poll() is None  # still waiting
    finally:
        holder.unlock()
    stdout, stderr = second.communicate(timeout=120)
    assert second.returncode == 0, stderr
    assert "another build into this folder is running; waiting" in stderr
    assert "Traceback" not in stderr


# --- no regex worse than linear ---------------------------------------------------------

#: Pattern -> hostile inputs, as Python expressions of `n` (the length). Each pattern was
#: quadratic, or is of a kind that can be: at n = 200,000 a quadratic one takes many
#: minutes, a linear one milliseconds.
HOSTILE_REGEX_INPUTS = {
    "allianceprint.checks:_URL_RE": [
        '"a" * n',
        '"@" * n',
        '"a@" * (n // 2)',
        '":/" * (n // 2)',
        '"http://" + "a" * n',
        '"www." * (n // 4)',
    ],
    "allianceprint.checks:_SOURCE_MARKUP_RE": [
        '"](" * (n // 2)',
        '"<" * n',
        '"[^" * (n // 2)',
        '"{" * n',
        '"{:" * (n // 2)',
        '"a" * n',
        '"a:/" * (n // 3)',
    ],
    "allianceprint.checks:_GIVEN_ID_RE": ['"{" * n', '"{:" * (n // 2)', '"id=" * (n // 3)'],
    "allianceprint.checks:_ANCHOR_RE": ['"#a" * (n // 2)', '"#" * n'],
    "allianceprint.mdext.notes:_NOTE_REF_RE": ['"[^" * (n // 2)', '"[^a" * (n // 3)'],
    "allianceprint.loader:_NOTE_REF_RE": ['"[^" * (n // 2)'],
    "allianceprint.mdext.source:_ATX_RE": ['"#" * n', '"# " * (n // 2)'],
    "allianceprint.mdext.source:_SETEXT_RE": [
        '"=" * n + "x"',
        '"-" * (n // 2) + " " * (n // 2) + "x"',
    ],
}

_REGEX_PROGRAM = """
import importlib
n = 200_000
for target, inputs in TARGETS.items():
    module, name = target.split(":")
    pattern = getattr(importlib.import_module(module), name)
    for expression in inputs:
        text = eval(expression)
        for _ in pattern.finditer(text):
            pass
        pattern.sub(" ", text)
        pattern.match(text)
print("done")
"""


def test_no_regex_of_the_checks_is_worse_than_linear():
    """Each pattern on long hostile inputs, in a child process that must end long before a
    quadratic pattern could (two minutes, for what takes a linear one a second)."""
    program = _REGEX_PROGRAM.replace("TARGETS", repr(HOSTILE_REGEX_INPUTS))
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "done"


def test_the_heading_closing_sequence_is_still_taken_off():
    from allianceprint.loader import _first_heading

    assert _first_heading("# Title ##\n") == "Title"
    assert _first_heading("# Title#\n") == "Title#"
    assert _first_heading("# ##\n") == "##"
    assert _first_heading("#  Spaced   title  \t\n") == "Spaced title"


def test_urls_and_emails_are_still_taken_out_of_the_prose_checks():
    from allianceprint.checks import _URL_RE

    text = "See (https://ex.org/A-B) or www.EX.org, write to NAME@EX.ORG today."
    assert _URL_RE.sub(" ", text) == "See (  or   write to   today."


# --- nothing lost without a word --------------------------------------------------------

HEAD = "---\ntitle: One\nauthors: [au]\n---\n\n"  # the body starts on line 6


def _check_errors(root: Path) -> list[str]:
    """`check`'s findings on the manuscript, as the command line prints them."""
    from allianceprint.build import checked_book
    from allianceprint.errors import ManuscriptError

    diagnostics = Diagnostics()
    try:
        checked_book(root, diagnostics)
    except ManuscriptError as exc:
        if not diagnostics.errors:  # raised at once (book.toml), not collected
            diagnostics.add(exc)
    return [str(d) for d in diagnostics]


def _one_part(tmp_path: Path, body: str, toml: str | None = None, name: str = "one.md") -> Path:
    from helpers import DEFAULT_TOML

    toml = (toml or DEFAULT_TOML).replace('chapters = ["one.md"]', f'chapters = ["{name}"]')
    return make_manuscript(tmp_path / "book", {name: HEAD + body}, toml)


@pytest.fixture(scope="module")
def odd_book(tmp_path_factory):
    """One build of a book with what used to be lost or break the build: parts named as
    the build's own documents, comments, an escape in a note, an email autolink."""
    from helpers import DEFAULT_TOML

    base = tmp_path_factory.mktemp("odd")
    names = ["nav.md", "titlepage.md", "opening.md", "contents.md", "copyright-page.md"]
    files = {name: HEAD.replace("One", f"Part {name}") + f"The text of {name}.\n" for name in names}
    files["nav.md"] += (
        "\nSeen <!-- PRIVATE-inline --> here.\n\n<!-- PRIVATE-block -->\n\n"
        "<!--- PRIVATE-dashes --->\n\nA note.[^1] Mail <name@example.org>.\n\n"
        "[^1]: a \\* b\n"
    )
    toml = DEFAULT_TOML.replace('chapters = ["one.md"]', f"chapters = {json.dumps(names)}")
    root = make_manuscript(base / "book", files, toml)
    result, diagnostics = _build(root, root / "build")
    return result, diagnostics


def test_parts_named_as_the_builds_own_documents_are_renamed(odd_book):
    result, _ = odd_book
    epub = next(p.path for p in result.outputs if p.path.suffix == ".epub")
    with zipfile.ZipFile(epub) as book:
        nav = book.read("EPUB/nav.xhtml").decode()
        assert 'epub:type="toc"' in nav  # the navigation document is the build's own
        assert "The text of nav.md" in book.read("EPUB/nav-2.xhtml").decode()
        assert "The text of titlepage.md" in book.read("EPUB/titlepage-2.xhtml").decode()
    pdf = next(p.path for p in result.outputs if p.path.suffix == ".pdf")
    text = _pdf_text(pdf)
    for name in ("nav.md", "opening.md", "contents.md", "copyright-page.md"):
        assert f"The text of {name}" in text


def test_html_comments_reach_no_output(odd_book):
    result, _ = odd_book
    for output in result.outputs:
        text = _epub_text(output.path) if output.path.suffix == ".epub" else _pdf_text(output.path)
        assert "PRIVATE" not in text


def test_an_escape_in_a_note_and_an_email_autolink(odd_book):
    result, _ = odd_book
    epub = next(p.path for p in result.outputs if p.path.suffix == ".epub")
    text = _epub_text(epub)
    assert "a * b" in text and 'href="mailto:name@example.org"' in text


def test_an_unclosed_comment_is_a_located_error(tmp_path):
    root = _one_part(tmp_path, "Text.\n\nMore <!-- never closed\n\nEnd.\n")
    assert [line for line in _check_errors(root) if "never closed" in line] == [
        "book/one.md:8:6: error: this HTML comment (<!--) is never closed: end it with -->, "
        "or write &lt;!-- to show it"
    ]


def test_a_comment_in_code_is_shown_not_refused(tmp_path):
    root = _one_part(tmp_path, "Write `<!--` to open a comment.\n")
    assert _check_errors(root) == []


@pytest.mark.parametrize("image", ["![Caption[^1]](p.png)", '![Alt](p.png "Title[^1]")'])
def test_a_note_in_an_image_is_a_located_error(tmp_path, image):
    root = _one_part(tmp_path, f"Text.\n\n{image}\n\n[^1]: The note.\n")
    (root / "p.png").write_bytes(_png(10, 10))
    errors = [line for line in _check_errors(root) if "note cannot go in an image" in line]
    assert errors and errors[0].startswith("book/one.md:8:")


@pytest.mark.parametrize(
    "name, written", [("p#q.png", "p%23q.png"), ("a?b.png", "a%3Fb.png"), ("c%d.png", "c%25d.png")]
)
def test_an_image_name_with_url_characters_fails_in_check(tmp_path, name, written):
    root = _one_part(tmp_path, f"![Alt]({written})\n")
    (root / name).write_bytes(_png(10, 10))
    errors = _check_errors(root)
    assert len(errors) == 1 and errors[0].startswith("book/one.md:6:8: error: image")
    assert "rename the file" in errors[0]


@pytest.mark.parametrize(
    "value, expected",
    [
        ('"   "', "book/book.toml:2:1: error: [book] title: must not be empty"),
        (
            '"A \\u0000 Book"',
            "book/book.toml:2:1: error: [book] title: contains the control character U+0000",
        ),
    ],
)
def test_bad_titles_in_book_toml_are_located_errors(tmp_path, value, expected):
    from helpers import DEFAULT_TOML

    root = _one_part(tmp_path, "Text.\n", DEFAULT_TOML.replace('"A Small Book"', value))
    errors = _check_errors(root)
    assert errors and errors[0].startswith(expected), errors


def test_a_lone_surrogate_in_front_matter_is_a_located_error(tmp_path):
    root = make_manuscript(
        tmp_path / "book", {"one.md": '---\ntitle: "One \\ud800"\nauthors: [au]\n---\n\nText.\n'}
    )
    errors = _check_errors(root)
    assert errors and errors[0].startswith("book/one.md:2:1: error: `title` contains U+D800")


def _png(width: int, height: int) -> bytes:
    """A PNG that declares `width` x `height` pixels (its data need not match)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    if (width, height) == (10, 10):
        import io

        from PIL import Image

        made = io.BytesIO()
        Image.new("RGB", (10, 10), "white").save(made, "PNG")
        return made.getvalue()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def _use_bomb(levels: int, fan: int) -> str:
    groups = "".join(
        f'<g id="l{i}">' + f'<use href="#l{i - 1}"/>' * fan + "</g>" for i in range(1, levels)
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><defs>'
        f'<rect id="l0" width="1" height="1"/>{groups}</defs>'
        f'<use href="#l{levels - 1}"/></svg>'
    )


@pytest.mark.parametrize(
    "name, data, expected",
    [
        ("bomb.png", _png(50_000, 50_000), "declares more than 100 million pixels"),
        ("wide.png", _png(200_000, 1_000), "declares more than 100 million pixels"),
        ("bomb.svg", _use_bomb(7, 10).encode(), "draws more than 50,000 shapes"),
        (
            "cycle.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><g id="a"><use href="#b"/></g>'
            b'<g id="b"><use xmlns:x="http://www.w3.org/1999/xlink" x:href="#a"/></g>'
            b"</svg>",
            "refers, through others, to itself",
        ),
        (
            "self.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><use id="u" href="#u"/></svg>',
            "refers, through others, to itself",
        ),
    ],
)
def test_an_image_no_renderer_would_draw_is_a_located_error(tmp_path, name, data, expected):
    root = _one_part(tmp_path, f"![Alt]({name})\n")
    (root / name).write_bytes(data)
    errors = _check_errors(root)
    assert len(errors) == 1 and errors[0].startswith("book/one.md:6:8: error: image")
    assert expected in errors[0]


def test_an_svg_that_uses_its_shapes_a_few_times_is_fine(tmp_path):
    root = _one_part(tmp_path, "![Alt](few.svg)\n")
    (root / "few.svg").write_text(_use_bomb(3, 5), encoding="utf-8")
    assert _check_errors(root) == []


# --- workers, full disks, leftovers -------------------------------------------------------


@pytest.fixture
def small(tmp_path):
    return make_manuscript(tmp_path / "book", {"one.md": CHAPTER})


def test_a_dead_layout_worker_ends_the_build_with_a_clear_error(small, monkeypatch):
    import signal

    from allianceprint.errors import ManuscriptError
    from allianceprint.writers.pieces import layout, pool

    main, original = os.getpid(), layout._lay_out_piece

    def killed(job):
        if os.getpid() != main:
            os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's out-of-memory killer does
        return original(job)

    monkeypatch.setattr(layout, "_lay_out_piece", killed)
    monkeypatch.setattr(pool, "_cores", lambda: 2)
    started = time.monotonic()
    with pytest.raises(ManuscriptError, match="a layout process ended without finishing"):
        _build(small, small / "build")
    assert time.monotonic() - started < 60  # not for ever
    assert not (small / "build").exists() or not list((small / "build").glob("*.pdf"))


def test_a_full_disk_during_the_merge_says_so(small, monkeypatch):
    import errno

    import pikepdf

    from allianceprint.errors import ManuscriptError

    def full(self, target, *args, **kwargs):  # the merge process inherits it
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    monkeypatch.setattr(pikepdf.Pdf, "save", full)
    with pytest.raises(ManuscriptError, match="the disk is full") as raised:
        _build(small, small / "build")
    assert raised.value.location.path == small / "build"
    assert not [p for p in (small / "build").rglob("*") if p.name.endswith(".part")]


def test_a_good_build_removes_what_interrupted_builds_left(small):
    out = small / "build"
    _build(small, out)
    strays = [
        out / ".a-small-book.pdf.99999.part",
        out / ".cache" / ".stamp.json.99999.part",
        out / ".cache" / "pieces" / ".0123.pdf.99999.part",
    ]
    for stray in strays:
        stray.write_bytes(b"half")
    (small / "one.md").write_text(CHAPTER + "\nMore.\n", encoding="utf-8")
    _build(small, out)
    assert not [p for p in out.rglob("*") if p.name.endswith(".part")]


# --- the renderer's own complaints (renderlog) --------------------------------------------


@pytest.fixture(scope="module")
def sloppy_house(tmp_path_factory):
    """A book whose house style has a property WeasyPrint does not know, on its last line."""
    from helpers import DEFAULT_TOML

    from allianceprint.housestyle import builtin_folder

    css = (builtin_folder() / "print" / "print.css").read_text(encoding="utf-8")
    css += "\np { colr: red; }\n"
    root = make_manuscript(
        tmp_path_factory.mktemp("sloppy") / "book",
        {"one.md": CHAPTER, "house/print/print.css": css},
        DEFAULT_TOML + '\n[style]\nfolder = "house"\n',
    )
    return root, len(css.splitlines())


@pytest.mark.parametrize("single_document", [False, True])
def test_css_the_renderer_ignores_is_a_located_finding(sloppy_house, caplog, single_document):
    root, line = sloppy_house
    diagnostics = Diagnostics()
    with caplog.at_level(logging.WARNING):
        build(
            root,
            root / f"out-{single_document}",
            ("pdf",),
            diagnostics,
            single_document=single_document,
        )
    found = [str(d) for d in diagnostics if "colr" in d.message]
    assert found == [
        f"book/house/print/print.css:{line}:5: warning: the print stylesheet: "
        f"WeasyPrint: Ignored `colr: red` at {line}:5, unknown property."
    ]
    assert not [r for r in caplog.records if r.name.startswith("weasyprint")]


def test_strict_fails_on_what_the_renderer_says_and_writes_nothing(sloppy_house):
    from allianceprint.errors import ManuscriptError

    root, line = sloppy_house
    with pytest.raises(ManuscriptError) as raised:
        build(root, root / "strict", ("pdf",), Diagnostics(), strict=True)
    assert f"print.css:{line}:5: error:" in str(raised.value)
    assert not list((root / "strict").glob("*.pdf"))


def test_an_image_the_renderer_cannot_draw_is_an_error_at_its_line(tmp_path):
    from allianceprint.build import checked_book
    from allianceprint.renderlog import findings

    root = _one_part(tmp_path, "Text.\n\n![Alt](pics/p.png)\n")
    (root / "pics").mkdir()
    (root / "pics" / "p.png").write_bytes(_png(10, 10))
    book = checked_book(root, Diagnostics())
    url = (root / "pics" / "p.png").as_uri()
    records = [
        ("weasyprint", logging.ERROR, f"Failed to load image at '{url}': broken"),
        ("weasyprint", logging.WARNING, "Something else"),
    ]
    assert [str(d) for d in findings(records, book, "one")] == [
        "book/one.md:8:8: error: image pics/p.png cannot be drawn: replace it with a PNG, "
        f"JPEG or SVG that opens in an image viewer (WeasyPrint: Failed to load image at "
        f"'{url}': broken)",
        "book/one.md: warning: WeasyPrint: Something else",
    ]


# --- what is wider than the text block (overflow) -----------------------------------------

_ROW = "| " + " | ".join(f"Column{i}" for i in range(20)) + " |\n"
_WIDE = (
    "Text "
    + "abc" * 400
    + " end.\n\nA short paragraph.\n\n"
    + _ROW
    + "|"
    + "---|" * 20
    + "\n"
    + _ROW.replace("Column", "Value")
    # Numbers hang in the margin by design: no warning for them.
    + "\nA claim.[^n]\n\n1. First item.\n2. Second item.\n\n[^n]: The note.\n"
)


@pytest.fixture(scope="module")
def wide_book(tmp_path_factory):
    root = make_manuscript(tmp_path_factory.mktemp("wide") / "book", {"one.md": CHAPTER + _WIDE})
    return root


@pytest.mark.parametrize("single_document", [False, True])
def test_a_long_word_breaks_and_a_wide_table_is_a_located_warning(wide_book, single_document):
    from pypdf import PdfReader

    out = wide_book / f"out-{single_document}"
    diagnostics = Diagnostics()
    build(wide_book, out, ("pdf",), diagnostics, single_document=single_document)
    wide = [str(d) for d in diagnostics if "wider than the text block" in d.message]
    assert len(wide) == 1 and wide[0].startswith(
        "book/one.md:11:3: warning: a table ('Column0 Column1 Column2"
    ), wide
    # The 1,200-letter word is all there, broken into lines that stay on the page.
    reader = PdfReader(next(out.glob("*.pdf")))
    seen = []
    for page in reader.pages:
        width = float(page.mediabox.width)

        def visit(text, cm, tm, font, size, seen=seen, width=width):
            if "abcabc" in text:
                seen.append((text, tm[4] * cm[0] + cm[4]))

        page.extract_text(visitor_text=visit)
    letters = "".join(t for t, _ in seen).replace("\u2010", "").replace("-", "")
    assert letters.count("abc") >= 395
    assert len(seen) > 10 and all(0 < x < width - 100 for _, x in seen)


def test_strict_fails_on_a_wide_table(wide_book):
    from allianceprint.errors import ManuscriptError

    with pytest.raises(ManuscriptError, match="wider than the text block"):
        build(wide_book, wide_book / "strict", ("pdf",), Diagnostics(), strict=True)


@pytest.mark.parametrize(
    "image, definition, where",
    [
        ("![Caption[^1]][ref]", "[ref]: p.png", "book/one.md:8:1:"),
        ("![Caption[^1]][The  Ref]", "[the ref]: p.png", "book/one.md:8:1:"),
        ("Text ![Caption[^1]][ref] beside.", "[ref]: p.png", "book/one.md:8:6:"),
        ("![Caption][ref]", '[ref]: p.png "Title[^1]"', "book/one.md:10:8:"),
    ],
)
def test_a_note_in_a_reference_style_image_is_a_located_error(tmp_path, image, definition, where):
    root = _one_part(tmp_path, f"Text.\n\n{image}\n\n{definition}\n\n[^1]: The note.\n")
    (root / "p.png").write_bytes(_png(10, 10))
    errors = [line for line in _check_errors(root) if "note cannot go in an image" in line]
    assert len(errors) == 1 and errors[0].startswith(f"{where} error:"), errors


def test_a_reference_style_image_without_a_note_is_fine(tmp_path):
    root = _one_part(
        tmp_path, 'Text[^1].\n\n![Caption][ref]\n\n[ref]: p.png "A title"\n\n[^1]: The note.\n'
    )
    (root / "p.png").write_bytes(_png(10, 10))
    assert _check_errors(root) == []
