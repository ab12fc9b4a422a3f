"""Runs the pipeline: manuscript folder -> checked Book -> RenderedBook -> PDF and EPUB.

Outputs are first written to temporary files beside their final place and moved into
place together only when every requested format has been written, so a failed or
interrupted build leaves the previous edition exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import unicodedata
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from allianceprint.errors import Diagnostics, ManuscriptError
from allianceprint.loader import load_book
from allianceprint.model import RenderedBook
from allianceprint.render import render_book

FORMATS = ("pdf", "epub")


@dataclass(frozen=True)
class OutputFile:
    path: Path
    size: int  # bytes
    pages: int | None = None  # the PDF's page count


def check(manuscript: Path, diagnostics: Diagnostics) -> RenderedBook:
    """Load and render the manuscript without writing anything; raise on mistakes."""
    book = load_book(manuscript, diagnostics)
    return render_book(book, diagnostics)


def build(manuscript: Path, output: Path, formats: tuple[str, ...],
          diagnostics: Diagnostics) -> list[OutputFile]:
    """Check the manuscript, then write each format into `output`."""
    rendered = check(manuscript, diagnostics)
    when = build_time()
    output.mkdir(parents=True, exist_ok=True)
    stem = output_stem(rendered)
    results: list[OutputFile] = []
    with ExitStack() as cleanup:
        staged: list[tuple[Path, Path]] = []
        if "pdf" in formats:
            from allianceprint.writers.pdf import write_pdf
            temp = _temporary(output, stem, ".pdf", cleanup)
            pdf = write_pdf(rendered, temp, created=when.strftime("%Y-%m-%dT%H:%M:%SZ"))
            staged.append((temp, output / f"{stem}.pdf"))
            results.append(OutputFile(output / f"{stem}.pdf", temp.stat().st_size, pdf.pages))
        if "epub" in formats:
            from allianceprint.writers.epub import write_epub
            temp = _temporary(output, stem, ".epub", cleanup)
            write_epub(rendered, temp, modified=when)
            staged.append((temp, output / f"{stem}.epub"))
            results.append(OutputFile(output / f"{stem}.epub", temp.stat().st_size))
        for temp, final in staged:
            os.replace(temp, final)
    return results


def build_time() -> dt.datetime:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else now; always UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
        except ValueError as exc:
            raise ManuscriptError(f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds "
                                  "since 1970") from exc
    return dt.datetime.now(tz=dt.timezone.utc).replace(microsecond=0)


def output_stem(book: RenderedBook) -> str:
    """The outputs' file name: the book's title as a slug, e.g. `allied-horizons`."""
    title = unicodedata.normalize("NFKD", book.book.config.book.title)
    slug = re.sub(r"[^a-z0-9]+", "-", title.encode("ascii", "ignore").decode().lower())
    return slug.strip("-")[:60].strip("-") or "book"


def _temporary(folder: Path, stem: str, suffix: str, cleanup: ExitStack) -> Path:
    handle, name = tempfile.mkstemp(prefix=f".{stem}.", suffix=suffix + ".part", dir=folder)
    os.close(handle)
    path = Path(name)
    cleanup.callback(lambda: path.unlink(missing_ok=True))
    return path
