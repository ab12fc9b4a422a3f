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

from allianceprint.checks import check_book, every_part_read, reading_order
from allianceprint.errors import Diagnostics, ManuscriptError
from allianceprint.loader import load_book
from allianceprint.model import PageMap, RenderedBook
from allianceprint.pagemap import identify_blocks
from allianceprint.render import render_book

FORMATS = ("pdf", "epub")


@dataclass(frozen=True)
class OutputFile:
    path: Path
    size: int  # bytes
    pages: int | None = None  # the PDF's page count


def check(manuscript: Path, diagnostics: Diagnostics, strict: bool = False) -> RenderedBook:
    """Load, render and check the manuscript without writing anything. Every mistake found
    is in `diagnostics`, and raised together (with `strict`, warnings count as mistakes)."""
    book = load_book(manuscript, diagnostics)
    rendered = render_book(book, diagnostics)
    check_book(rendered, diagnostics, complete=every_part_read(book))
    diagnostics.sort(reading_order(book))
    diagnostics.raise_if_errors(strict)
    return rendered


def build(manuscript: Path, output: Path, formats: tuple[str, ...],
          diagnostics: Diagnostics, print_ready: bool = False,
          strict: bool = False) -> list[OutputFile]:
    """Check the manuscript (with `strict`, a warning stops the build too), then write each
    format into `output`.

    With `print_ready` (or `[print] print_ready = true`), the PDF format also writes the
    printer's PDF, `<name>-print.pdf`, with bleed and printer's marks.
    """
    rendered = identify_blocks(check(manuscript, diagnostics, strict))  # ids for the page map
    when = build_time()
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a file of that name, no permission: not a bug, say so
        raise ManuscriptError(f"cannot write the outputs here: {exc.strerror}", output) from exc
    stem = output_stem(rendered)
    results: list[OutputFile] = []
    with ExitStack() as cleanup:
        staged: list[tuple[Path, Path]] = []
        page_map: PageMap | None = None  # where the printed pages begin, for the EPUB
        if "pdf" in formats:
            from allianceprint.fonts import check_fonts
            from allianceprint.writers.pdf import write_pdf

            check_fonts(rendered, rendered.stylesheet_dir / "print" / "print.css", diagnostics)
            temp = _temporary(output, stem, ".pdf", cleanup)
            pdf = write_pdf(rendered, temp, created=when.strftime("%Y-%m-%dT%H:%M:%SZ"))
            page_map = pdf.page_map
            staged.append((temp, output / f"{stem}.pdf"))
            results.append(OutputFile(output / f"{stem}.pdf", temp.stat().st_size, pdf.pages))
            if print_ready or rendered.book.config.print.print_ready:
                temp = _temporary(output, stem, ".pdf", cleanup)
                printer = write_pdf(rendered, temp, created=when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                    print_ready=True)
                staged.append((temp, output / f"{stem}-print.pdf"))
                results.append(OutputFile(output / f"{stem}-print.pdf", temp.stat().st_size,
                                          printer.pages))
        if "epub" in formats:
            from allianceprint.writers.epub import write_epub
            temp = _temporary(output, stem, ".epub", cleanup)
            write_epub(rendered, temp, modified=when, page_map=page_map)
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
    try:
        handle, name = tempfile.mkstemp(prefix=f".{stem}.", suffix=suffix + ".part", dir=folder)
    except OSError as exc:
        raise ManuscriptError(f"cannot write the outputs here: {exc.strerror}", folder) from exc
    os.close(handle)
    path = Path(name)
    cleanup.callback(lambda: path.unlink(missing_ok=True))
    return path
