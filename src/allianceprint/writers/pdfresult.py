"""What either PDF writer (writers/pdf, writers/pieces) gives back to the build: a
`PendingPdf` while the file is being finished, then its `PdfResult`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Callable

from allianceprint.errors import Diagnostic
from allianceprint.model import PageMap


@dataclass(frozen=True)
class PdfResult:
    path: Path
    pages: int
    labels: tuple[str, ...]  # the printed number of every page, "i", "ii", ..., "1", ...
    page_map: PageMap | None  # where each page begins, for the EPUB (reading edition only)
    # Laid out in pieces: those laid out in this build and those taken from the cache, by
    # part id, "contents" or "notes" (the folios are not counted).
    rendered: tuple[str, ...] = ()
    reused: tuple[str, ...] = ()
    cache_keys: frozenset[str] = frozenset()  # the cache entries this PDF was made from
    findings: tuple[Diagnostic, ...] = ()  # what WeasyPrint logged, located (renderlog)


@dataclass
class PendingPdf:
    """A PDF whose pages are laid out and whose file may still be being written (the
    pieces' merge runs in a process of its own): `page_map` is known at once, `result()`
    waits for the file. A context manager: leaving it ends what still runs (at once, when
    the block failed), so the build can write the EPUB in between."""

    page_map: PageMap | None
    wait: Callable[[], PdfResult]
    close: Callable[[type | None, BaseException | None, TracebackType | None], object] = (
        lambda kind, error, traceback: None
    )

    def result(self) -> PdfResult:
        return self.wait()

    def __enter__(self) -> PendingPdf:
        return self

    def __exit__(self, kind, error, traceback) -> None:
        self.close(kind, error, traceback)
