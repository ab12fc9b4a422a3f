"""What either PDF writer (writers/pdf, writers/pieces) gives back to the build."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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
