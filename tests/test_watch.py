"""`allianceprint watch`: file changes -> one rebuild per burst, one line per rebuild.

Most tests feed the loop changes made up in the test; one watches a real folder with
watchfiles. Their builds are stand-ins (`CachedCheck`) that read, render and check the real
manuscript, so its mistakes are the real ones, and "lay out" only the parts whose HTML
changed since their last call, like the build's cache. The last test runs the command,
real build and all, in a process of its own, and stops it with Ctrl-C (SIGINT).
"""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import DEFAULT_TOML, make_manuscript, run_cli

import allianceprint.cli
import allianceprint.watch
from allianceprint.build import checked_book
from allianceprint.errors import Diagnostics, ManuscriptError
from allianceprint.progress import Progress
from allianceprint.watch import WatchFilter, summary, watch

TWO_CHAPTERS = DEFAULT_TOML.replace('chapters = ["one.md"]', 'chapters = ["one.md", "two.md"]')
CHAPTER = "---\ntitle: Chapter {n}\nauthors: [au]\n---\n\nSome text in chapter {n}.\n"
MISSING_NOTE = "Text with a missing note.[^x]\n"
# The note reference of MISSING_NOTE, added after CHAPTER, is on line 7, column 26.
ERROR_LINE = 'book/one.md:7:26: error: note reference [^x] has no note: add a line "[^x]: '


@dataclass(frozen=True)
class Result:
    rendered: tuple[str, ...]
    reused: tuple[str, ...]
    up_to_date: bool


class CachedCheck:
    """A stand-in for `build`: checks the manuscript for real, then reports as rendered the
    parts whose HTML differs from the last successful call."""

    def __init__(self, manuscript: Path) -> None:
        self.manuscript = manuscript
        self.cache: dict[str, str] = {}
        self.calls = 0

    def __call__(self, *args: object, **kwargs: object) -> Result:
        self.calls += 1
        book = checked_book(self.manuscript, Diagnostics())
        html = {part.id: part.body_html for part in book.parts}
        rendered = tuple(i for i, text in html.items() if self.cache.get(i) != text)
        reused = tuple(i for i in html if i not in rendered)
        up_to_date = not rendered and set(html) == set(self.cache)
        self.cache = html
        return Result(rendered, reused, up_to_date)


def manuscript_of_two(root: Path) -> Path:
    return make_manuscript(
        root / "book",
        {"one.md": CHAPTER.format(n="One"), "two.md": CHAPTER.format(n="Two")},
        TWO_CHAPTERS,
    )


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting after {timeout} s")
        time.sleep(0.02)


# --- which changes count -----------------------------------------------------------------


def test_filter_accepts_the_sources_and_ignores_outputs_and_editor_files(tmp_path: Path) -> None:
    book, styles = tmp_path / "book", tmp_path / "styles"
    keep = WatchFilter([book, styles], ignore=[book / "build"])
    for name in (
        "book/book.toml",
        "book/chapters/01-intro.md",
        "book/images/fig.svg",
        "book/images/cover.jpg",
        "book/images/map.PNG",
        "styles/print/print.css",
        "styles/epub/part.xhtml.j2",
        "book/chapters",
        "book",
        "book/build.md",
    ):
        assert keep(None, str(tmp_path / name)), name
    for name in (
        "book/build/allied-horizons.pdf",
        "book/build",
        "book/build/.cache/one.html",
        "book/build/.allied-horizons.x1.pdf.part",
        "book/chapters/.01-intro.md.swp",
        "book/chapters/.01-intro.md.swx",
        "book/chapters/01-intro.md~",
        "book/chapters/.#01-intro.md",
        "book/chapters/4913",
        "book/chapters/#01-intro.md#",
        "book/01.md___jb_tmp___",
        "book/one.md.tmp",
        "book/.git/index",
        "book/.DS_Store",
        "styles/__pycache__/x.pyc",
    ):
        assert not keep(None, str(tmp_path / name)), name


def test_filter_ignores_an_output_folder_given_relative(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    keep = WatchFilter([Path("book")], ignore=[Path("out")])
    assert not keep(None, str(tmp_path / "out" / "a.pdf"))
    assert keep(None, str(tmp_path / "book" / "a.md"))


# --- the line after each build -----------------------------------------------------------


@pytest.mark.parametrize(
    "result, first, line",
    [
        (Result((), ("a", "b"), True), False, "up to date"),
        (
            Result(("ch-otsuka", "ch-lecka"), tuple("abcdefghij"), False),
            False,
            "rebuilt ch-otsuka, ch-lecka in 3.2 s (10 parts from cache)",
        ),
        (
            Result(("ch-otsuka",), ("a",), False),
            False,
            "rebuilt ch-otsuka in 3.2 s (1 part from cache)",
        ),
        (Result(tuple(f"p{i}" for i in range(14)), (), False), True, "built all 14 parts in 3.2 s"),
        (
            Result(tuple(f"p{i}" for i in range(8)), ("a", "b"), False),
            False,
            "rebuilt p0, p1, p2, p3 and 4 more parts in 3.2 s (2 parts from cache)",
        ),
        (Result((), ("a", "b"), False), False, "rebuilt the outputs in 3.2 s (2 parts from cache)"),
    ],
)
def test_summary(result: Result, first: bool, line: str) -> None:
    assert summary(result, 3.24, first) == line


# --- the loop, with changes made up ------------------------------------------------------


def test_a_burst_of_changes_is_one_rebuild(tmp_path: Path) -> None:
    book = manuscript_of_two(tmp_path)
    build_once = CachedCheck(book)

    def changes() -> Iterator[set[tuple[object, str]]]:
        yield set()  # the watcher woke up with nothing: no rebuild
        (book / "two.md").write_text(CHAPTER.format(n="Two, revised"), encoding="utf-8")
        yield {(2, str(book / "two.md")), (1, str(book / "4913")), (2, str(book / "two.md~"))}
        yield {(2, str(book / "one.md"))}  # touched, not changed

    out = io.StringIO()
    watch(book, build_once, changes(), out=out)
    assert build_once.calls == 3
    lines = out.getvalue().splitlines()
    assert re.fullmatch(r"built one, two in \d+\.\d s", lines[0]), lines
    assert lines[1].startswith(f"watching {book} ")
    assert re.fullmatch(r"rebuilt two in \d+\.\d s \(1 part from cache\)", lines[2]), lines
    assert lines[3:] == ["up to date"]


def test_the_loop_stops_when_the_stop_event_is_set(tmp_path: Path) -> None:
    book = manuscript_of_two(tmp_path)
    stop = threading.Event()
    build_once = CachedCheck(book)

    def changes() -> Iterator[set[tuple[object, str]]]:
        stop.set()
        yield {(2, str(book / "one.md"))}
        raise AssertionError("asked for changes after the stop")

    watch(book, build_once, changes(), stop_event=stop, out=io.StringIO())
    assert build_once.calls == 1


def test_a_missing_folder_is_a_manuscript_error(tmp_path: Path) -> None:
    with pytest.raises(ManuscriptError, match="does not exist"):
        watch(tmp_path / "nope", CachedCheck(tmp_path), [], out=io.StringIO())


def test_the_command_reports_a_mistake_and_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`allianceprint watch`: a mistake is printed as `build` prints it, the next save that
    fixes it rebuilds, and Ctrl-C ends the command with exit status 0."""
    book = manuscript_of_two(tmp_path)
    fake_build = CachedCheck(book)
    calls: list[dict[str, object]] = []

    def build(
        manuscript: Path,
        output: Path,
        formats: tuple[str, ...],
        diagnostics: Diagnostics,
        **options: object,
    ) -> Result:
        calls.append({"manuscript": manuscript, "output": output, "formats": formats, **options})
        return fake_build()

    def file_changes(
        roots: list[Path], ignore: list[Path], debounce_ms: int, stop_event: object
    ) -> Iterator[set[tuple[object, str]]]:
        assert roots[0] == book and roots[1].name == "styles" and debounce_ms == 50
        assert ignore == [tmp_path / "out"]
        (book / "one.md").write_text(CHAPTER.format(n="One") + MISSING_NOTE, encoding="utf-8")
        yield {(2, str(book / "one.md"))}
        (book / "one.md").write_text(CHAPTER.format(n="One, fixed"), encoding="utf-8")
        yield {(2, str(book / "one.md"))}
        raise KeyboardInterrupt

    monkeypatch.setattr(allianceprint.cli, "build", build)
    monkeypatch.setattr(allianceprint.watch, "file_changes", file_changes)
    status, out, err = run_cli(
        "watch", book, "--output", tmp_path / "out", "--format", "epub", "--debounce", "50"
    )
    assert status == 0
    assert fake_build.calls == 3
    assert calls[0]["formats"] == ("epub",) and calls[0]["output"] == tmp_path / "out"
    assert isinstance(calls[0]["progress"], Progress)
    errors = [line for line in err.splitlines() if ": error: " in line]
    assert len(errors) == 1 and errors[0].startswith(ERROR_LINE), err
    assert err.splitlines()[-1] == "stopped watching"
    assert "Traceback" not in err
    lines = out.splitlines()
    assert lines[0].startswith("built one, two in ")
    assert lines[2] == f"{book}: 1 error, 0 warnings; nothing was written"
    assert re.fullmatch(r"rebuilt one in \d+\.\d s \(1 part from cache\)", lines[3]), lines


# --- a real folder, watched by watchfiles --------------------------------------------------


def test_watching_a_real_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # File system events (inotify), not polling: notify's polling can miss a change made in
    # the same scan as the creation of another file in the same folder.
    monkeypatch.delenv("WATCHFILES_FORCE_POLLING", raising=False)
    book = manuscript_of_two(tmp_path)
    styles = tmp_path / "styles"
    (styles / "print").mkdir(parents=True)
    build_once = CachedCheck(book)
    out = io.StringIO()
    errors: list[ManuscriptError] = []
    stop = threading.Event()
    failure: list[BaseException] = []

    def run() -> None:
        try:
            watch(
                book,
                build_once,
                output=book / "build",
                styles=styles,
                debounce_ms=50,
                stop_event=stop,
                on_error=errors.append,
                out=out,
            )
        except BaseException as exc:  # shown by the assertion below, not lost in the thread
            failure.append(exc)

    def lines() -> list[str]:
        return out.getvalue().splitlines()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        wait_for(lambda: any(line.startswith("watching ") for line in lines()) or bool(failure))
        assert not failure, failure
        # Written by the build: ignored. A swap file: ignored.
        (book / "build").mkdir()
        (book / "build" / "a-small-book.pdf").write_bytes(b"%PDF")
        (book / ".two.md.swp").write_bytes(b"swap")
        (book / "two.md").write_text(CHAPTER.format(n="Two") + MISSING_NOTE, encoding="utf-8")
        wait_for(lambda: bool(errors) or bool(failure))
        assert str(errors[0]).startswith(ERROR_LINE.replace("one.md", "two.md"))
        (book / "two.md").write_text(CHAPTER.format(n="Two, fixed"), encoding="utf-8")
        wait_for(lambda: len(lines()) >= 3 or bool(failure))
        assert not failure, failure
        assert re.fullmatch(r"rebuilt two in \d+\.\d s \(1 part from cache\)", lines()[2])
        (styles / "print" / "print.css").write_text("p { margin: 0 }", encoding="utf-8")
        wait_for(lambda: len(lines()) >= 4 or bool(failure))
        assert lines()[3] == "up to date"
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
    assert not failure, failure
    assert build_once.calls == 4 and len(errors) == 1


@pytest.mark.parametrize(
    "signum, status, said",
    [
        (signal.SIGINT, 0, "stopped watching"),
        (signal.SIGTERM, 143, "terminated; the previous outputs are unchanged"),
    ],
)
def test_a_signal_while_waiting_for_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, signum: int, status: int, said: str
) -> None:
    """watchfiles reports any exception a signal handler raised while it waited as
    KeyboardInterrupt: Ctrl-C ends `watch` with 0, SIGTERM still with 143."""
    book = manuscript_of_two(tmp_path)

    def file_changes(*args: object) -> Iterator[set[tuple[object, str]]]:
        try:
            os.kill(os.getpid(), signum)
            time.sleep(30)  # interrupted at once by the handler's exception
        except BaseException:
            raise KeyboardInterrupt from None  # what watchfiles does
        yield set()

    monkeypatch.setattr(allianceprint.cli, "build", lambda *a, **k: CachedCheck(book)())
    monkeypatch.setattr(allianceprint.watch, "file_changes", file_changes)
    code, out, err = run_cli("watch", book)
    assert (code, err.splitlines()[-1]) == (status, said)
    assert out.splitlines()[0].startswith("built one, two in ")


def test_the_command_for_real(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`python -m allianceprint watch` with the real build, as a person runs it: it builds,
    rebuilds the chapter that was saved, says so, and Ctrl-C (SIGINT) ends it with 0."""
    monkeypatch.delenv("WATCHFILES_FORCE_POLLING", raising=False)
    book = manuscript_of_two(tmp_path)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "allianceprint",
            "watch",
            str(book),
            "--format",
            "pdf",
            "--debounce",
            "50",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out: list[str] = []
    err: list[str] = []
    readers = [
        threading.Thread(target=lambda lines=lines, pipe=pipe: lines.extend(pipe), daemon=True)
        for lines, pipe in ((out, process.stdout), (err, process.stderr))
    ]
    for reader in readers:
        reader.start()
    try:
        wait_for(
            lambda: any(line.startswith("watching ") for line in out) or process.poll() is not None,
            timeout=120,
        )
        assert out[0].startswith("built "), (out, err)
        (book / "two.md").write_text(CHAPTER.format(n="Two, revised"), encoding="utf-8")
        wait_for(lambda: len(out) >= 3 or process.poll() is not None, timeout=120)
        assert re.fullmatch(
            r"rebuilt .*\btwo\b.* in \d+\.\d s \(\d+ parts? from cache\)\n", out[2]
        ), (out, err)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
        for reader in readers:
            reader.join(timeout=10)
    assert process.returncode == 0, err
    assert err[-1] == "stopped watching\n"
    assert not any("Traceback" in line for line in err)
    assert (book / "build" / "a-small-book.pdf").stat().st_size > 0
