"""Progress: stages and their items -> plain lines in a log, a bar on a terminal.

A terminal is faked with a StringIO whose isatty() is True; what it would show is worked out
from the text written to it (`screen`): each line as it looks after its last carriage return.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re

import pytest

from allianceprint.progress import BarProgress, LineProgress, Progress, Stage, for_stream

SECONDS = r"\d+\.\d s"
ERASE_LINE = "\x1b[K"


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def terminal_type(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")
    for name in ("TQDM_DISABLE", "TQDM_MININTERVAL", "TQDM_LEAVE"):
        monkeypatch.delenv(name, raising=False)


def screen(text: str) -> list[str]:
    """The lines a terminal shows for `text`: each the part after its last `\\r`, so a
    bar redrawn in place is seen once, as last drawn (`ESC [K` after it erases the rest of
    the line). The last item is the line the cursor is on ("" when the text ends with a
    newline or a wiped line)."""
    return [line.rsplit("\r", 1)[-1].split(ERASE_LINE)[-1].rstrip() for line in text.split("\n")]


def run_stage(progress: Progress, name: str, items: list[str]) -> None:
    with progress.stage(name, len(items)) as stage:
        for item in items:
            stage.advance(item)


def test_plain_lines_when_not_a_terminal() -> None:
    log = io.StringIO()
    progress = for_stream(log)
    assert isinstance(progress, LineProgress)
    run_stage(progress, "lay out", ["ch-otsuka", "ch-lecka", "ch-moreau"])
    with progress.stage("merge", 1) as stage:
        stage.advance()
    lines = log.getvalue().splitlines()
    assert lines[:4] == [
        "lay out: started, 3 to do",
        "lay out: 1/3 ch-otsuka",
        "lay out: 2/3 ch-lecka",
        "lay out: 3/3 ch-moreau",
    ]
    assert re.fullmatch(rf"lay out: done, 3/3 in {SECONDS}", lines[4])
    assert lines[5] == "merge: started"
    assert re.fullmatch(rf"merge: done in {SECONDS}", lines[6])
    assert len(lines) == 7
    assert "\r" not in log.getvalue()


def test_plain_lines_of_a_long_stage_are_few() -> None:
    log = io.StringIO()
    run_stage(LineProgress(log), "lay out", [f"p{i}" for i in range(1, 201)])
    lines = log.getvalue().splitlines()
    assert 15 <= len(lines) <= 25
    assert lines[1] == "lay out: 10/200 p10"
    assert re.fullmatch(rf"lay out: done, 200/200 in {SECONDS}", lines[-1])


@pytest.mark.parametrize("error, verb", [(ValueError, "failed"), (KeyboardInterrupt, "stopped")])
def test_plain_failed_stage_says_so_and_not_done(error: type[BaseException], verb: str) -> None:
    log = io.StringIO()
    with pytest.raises(error), LineProgress(log).stage("lay out", 4) as stage:
        stage.advance("ch-otsuka")
        raise error()
    lines = log.getvalue().splitlines()
    assert re.fullmatch(rf"lay out: {verb} at 1/4 after {SECONDS}", lines[-1])
    assert "done" not in log.getvalue()


def test_bar_on_a_terminal_completes_on_a_line_of_its_own() -> None:
    term = FakeTerminal()
    progress = for_stream(term)
    assert isinstance(progress, BarProgress)
    run_stage(progress, "lay out", ["ch-otsuka", "ch-lecka", "ch-moreau"])
    run_stage(progress, "EPUB", ["book"])
    shown = screen(term.getvalue())
    assert shown[-1] == "", "the cursor must be left at the start of a fresh line"
    assert len(shown) == 3
    assert re.match(r"lay out: 3/3 \|#+\| \d\d:\d\d, done$", shown[0]), shown
    assert re.match(r"EPUB: 1/1 \|#+\| \d\d:\d\d, done$", shown[1]), shown


def test_failed_bar_is_wiped_and_not_done() -> None:
    term = FakeTerminal()
    progress = for_stream(term)
    run_stage(progress, "lay out", ["ch-otsuka"])
    with pytest.raises(RuntimeError), progress.stage("EPUB", 3) as stage:
        stage.advance("one")
        raise RuntimeError("writer failed")
    shown = screen(term.getvalue())
    assert shown[-1] == "", "a failed stage must leave no half line"
    assert term.getvalue().endswith("\r" + ERASE_LINE)  # the `^C` the terminal echoed, too
    assert [line for line in shown if line] == [shown[0]]  # only the finished stage is left
    assert "done" in shown[0] and "EPUB" not in "".join(shown)


def test_finished_bars_are_wiped_without_keep() -> None:
    term = FakeTerminal()
    progress = for_stream(term, keep=False)
    run_stage(progress, "lay out", ["ch-otsuka", "ch-lecka"])
    run_stage(progress, "EPUB", ["book"])
    assert screen(term.getvalue()) == [""]
    assert "done" not in term.getvalue()


def test_log_records_print_above_the_bar() -> None:
    term = FakeTerminal()
    root = logging.getLogger()
    with contextlib.redirect_stderr(term):
        handler = logging.StreamHandler()  # on sys.stderr, as logging.basicConfig sets up
        root.addHandler(handler)
        try:
            with for_stream().stage("lay out", 2) as stage:
                stage.advance("a")
                logging.getLogger("weasyprint").warning("a font is missing")
                stage.advance("b")
            assert handler in root.handlers  # put back when the stage ended
        finally:
            root.removeHandler(handler)
    shown = screen(term.getvalue())
    assert shown[0] == "a font is missing"
    assert shown[1].startswith("lay out: 2/2") and shown[-1] == ""


def test_dumb_terminal_and_the_default_stream(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TERM", "dumb")
    assert isinstance(for_stream(FakeTerminal()), LineProgress)
    progress = for_stream()  # sys.stderr as it is now: captured, not a terminal
    assert isinstance(progress, LineProgress)
    run_stage(progress, "merge", ["all"])
    assert capsys.readouterr().err.startswith("merge: started\n")


def test_the_base_reports_nothing_and_counts() -> None:
    with Progress().stage("lay out", 2) as stage:
        assert type(stage) is Stage
        stage.advance("a")
        stage.advance("b")
    assert (stage.name, stage.total, stage.done) == ("lay out", 2, 2)
    assert stage.elapsed >= 0
