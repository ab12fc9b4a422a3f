"""Build stages and their items -> progress on a stream (stderr): bars on a terminal, plain
lines in a CI log or a pipe.

The build opens one stage at a time (`with progress.stage("lay out", total=12) as stage:`)
and calls `stage.advance("ch-otsuka")` as each of its `total` items is done, from the main
thread only. Leaving the `with` block ends the stage: done, or failed if an exception is
leaving it (nothing then says "done", and a terminal is left on a clean line).

- `Progress()` reports nothing: the default for library use and tests.
- `LineProgress(stream)` writes plain lines, for logs:

      lay out: started, 12 to do
      lay out: 1/12 ch-otsuka
      ...
      lay out: done, 12/12 in 3.2 s

  A stage of more than 50 items reports about every 5% rather than every item; a stage of
  one item (or none) writes only `merge: started` and `merge: done in 0.4 s`.
- `BarProgress(stream)` draws a tqdm bar per stage, `lay out: 3/12 |###   | 00:01, ch-otsuka`,
  left complete with `done` when the stage ends (or wiped, with `keep=False`) and wiped
  when it fails. Log records printed while a bar is shown go above it. tqdm is imported
  only when a bar is drawn.
- `for_stream(stream)` picks `BarProgress` for a terminal and `LineProgress` otherwise.
"""

from __future__ import annotations

import math
import os
import sys
import time
from contextlib import ExitStack
from types import TracebackType
from typing import TYPE_CHECKING, Self, TextIO

if TYPE_CHECKING:
    from tqdm import tqdm

#: Up to this many items a plain-line stage writes one line per item.
EVERY_ITEM_UP_TO = 50
#: Larger stages write about this many item lines.
ITEM_LINES = 20


class Stage:
    """One stage of the build: `total` items to do. This base reports nothing."""

    def __init__(self, name: str, total: int) -> None:
        self.name = name
        self.total = total
        self.done = 0
        self.started = time.monotonic()

    def advance(self, item: str = "") -> None:
        """One more of the `total` items is done; `item` names it (e.g. a part's id)."""
        self.done += 1
        self._advanced(item)

    @property
    def elapsed(self) -> float:
        """Seconds since the stage began."""
        return time.monotonic() - self.started

    def __enter__(self) -> Self:
        self.started = time.monotonic()
        self._started()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Never suppresses the exception: a failed stage is only reported as such.
        self._finished(exc_type)

    # What a reporter shows; the base shows nothing.
    def _started(self) -> None:
        pass

    def _advanced(self, item: str) -> None:
        pass

    def _finished(self, failure: type[BaseException] | None) -> None:
        pass


class Progress:
    """Reports the build's stages. This base reports nothing."""

    def stage(self, name: str, total: int) -> Stage:
        """A stage of `total` items, to be used as a context manager."""
        return Stage(name, total)


class LineProgress(Progress):
    """Plain lines on `stream`, flushed as they are written: for CI logs and pipes."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def stage(self, name: str, total: int) -> Stage:
        return _LineStage(name, total, self.stream)


class _LineStage(Stage):
    def __init__(self, name: str, total: int, stream: TextIO) -> None:
        super().__init__(name, total)
        self._stream = stream
        self._every = 1 if total <= EVERY_ITEM_UP_TO else math.ceil(total / ITEM_LINES)

    def _write(self, text: str) -> None:
        self._stream.write(f"{self.name}: {text}\n")
        self._stream.flush()

    def _started(self) -> None:
        self._write(f"started, {self.total} to do" if self.total > 1 else "started")

    def _advanced(self, item: str) -> None:
        if self.total > 1 and self.done % self._every == 0:
            self._write(f"{self.done}/{self.total}" + (f" {item}" if item else ""))

    def _finished(self, failure: type[BaseException] | None) -> None:
        count = f"{self.done}/{self.total}" if self.total > 1 else ""
        seconds = f"{self.elapsed:.1f} s"
        if failure is None:
            self._write(f"done, {count} in {seconds}" if count else f"done in {seconds}")
        else:
            # Ctrl-C and SIGTERM stop a stage; anything else fails it.
            verb = "failed" if issubclass(failure, Exception) else "stopped"
            self._write(
                f"{verb} at {count} after {seconds}" if count else f"{verb} after {seconds}"
            )


class BarProgress(Progress):
    """A progress bar per stage on `stream`, a terminal (drawn by tqdm). With `keep`, a
    finished stage's bar stays, complete; without, it is wiped like a failed one."""

    def __init__(self, stream: TextIO, keep: bool = True) -> None:
        self.stream = stream
        self.keep = keep

    def stage(self, name: str, total: int) -> Stage:
        return _BarStage(name, total, self.stream, self.keep)


class _BarStage(Stage):
    # A bar of fixed width: the line stays short of the edge of the terminal, so that the
    # `^C` the terminal echoes does not wrap it onto a second line that wiping would miss.
    BAR_FORMAT = "{desc}: {n_fmt}/{total_fmt} |{bar:30}| {elapsed}{postfix}"
    ERASE_LINE = "\r\x1b[K"  # the `^C` echoed after the bar, too

    def __init__(self, name: str, total: int, stream: TextIO, keep: bool) -> None:
        super().__init__(name, total)
        self._stream = stream
        self._keep = keep
        self._bar: tqdm | None = None
        self._cleanup = ExitStack()

    def _started(self) -> None:
        from tqdm import tqdm
        from tqdm.contrib.logging import logging_redirect_tqdm

        self._bar = tqdm(
            total=self.total,
            desc=self.name,
            file=self._stream,
            leave=True,
            dynamic_ncols=True,
            bar_format=self.BAR_FORMAT,
            mininterval=0.1,
        )
        # A log record (a WeasyPrint warning, say) is printed above the bar, not through it.
        self._cleanup.enter_context(logging_redirect_tqdm())

    def _advanced(self, item: str) -> None:
        assert self._bar is not None, "advance() outside the stage's `with` block"
        self._bar.set_postfix_str(item, refresh=False)
        self._bar.update(1)

    def _finished(self, failure: type[BaseException] | None) -> None:
        bar = self._bar
        assert bar is not None
        try:
            if failure is None and self._keep:
                bar.set_postfix_str("done", refresh=False)
                bar.close()  # the bar complete, then a new line
            else:
                bar.leave = False
                bar.close()  # wiped, the cursor at column 1
                self._stream.write(self.ERASE_LINE)
                self._stream.flush()
        finally:
            self._cleanup.close()


def for_stream(stream: TextIO | None = None, *, keep: bool = True) -> Progress:
    """Bars when `stream` (default: `sys.stderr` at the time of the call) is a terminal,
    plain lines otherwise (also on a terminal that says `TERM=dumb`). Without `keep`, the
    bar of a finished stage is wiped (for `watch`, which prints a line of its own)."""
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    if callable(isatty) and isatty() and os.environ.get("TERM") != "dumb":
        return BarProgress(stream, keep)
    return LineProgress(stream)
