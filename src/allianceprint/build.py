"""Runs the pipeline: manuscript folder -> checked Book -> RenderedBook -> PDF and EPUB.

Outputs are first written to temporary files beside their final place and moved into
place together only when every requested format has been written, so a failed or
interrupted build leaves the previous edition exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import unicodedata
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from allianceprint.cachefolder import CacheFolder, temporary_for
from allianceprint.errors import Diagnostics, ManuscriptError
from allianceprint.model import PageMap, RenderedBook
from allianceprint.progress import Progress
from allianceprint.stamp import Stamp

if TYPE_CHECKING:
    from allianceprint.writers.pdf import PdfResult

FORMATS = ("pdf", "epub")


@dataclass(frozen=True)
class OutputFile:
    path: Path
    size: int  # bytes
    pages: int | None = None  # the PDF's page count


def check(manuscript: Path, diagnostics: Diagnostics, strict: bool = False,
          cache: CacheFolder | None = None) -> RenderedBook:
    """Load, render and check the manuscript without writing anything. Every mistake found
    is in `diagnostics`, and raised together (with `strict`, warnings count as mistakes).
    With `cache` (a build's), parts rendered by the last build from the same sources are
    taken from it; when the checks pass, it is left holding this manuscript's parts."""
    # The stages are imported here, not at the top: a build that is up to date needs none.
    from allianceprint.checks import check_book, every_part_read, reading_order
    from allianceprint.loader import load_book
    from allianceprint.render import check_book_in_time, render_book
    from allianceprint.rendercache import RenderCache

    book = load_book(manuscript, diagnostics)
    kept = RenderCache(cache, book) if cache else None
    rendered = render_book(book, diagnostics, cache=kept)
    check_book_in_time(rendered, diagnostics, lambda: check_book(
        rendered, diagnostics, complete=every_part_read(book)))
    diagnostics.sort(reading_order(book))
    diagnostics.raise_if_errors(strict)
    if kept is not None:
        cache.lock()  # the first write into the output folder
        kept.save()
    return rendered


@dataclass(frozen=True)
class BuildResult:
    """What one build did."""

    outputs: tuple[OutputFile, ...]
    # The PDF's pieces laid out in this build and those taken from build/.cache: part ids,
    # "contents" and "notes" (see writers/pdfparts).
    rendered: tuple[str, ...] = ()
    reused: tuple[str, ...] = ()
    up_to_date: bool = False  # nothing changed since the last build; nothing was written


def build(manuscript: Path, output: Path, formats: tuple[str, ...],
          diagnostics: Diagnostics, print_ready: bool = False,
          strict: bool = False, single_document: bool = False,
          progress: Progress | None = None) -> BuildResult:
    """Check the manuscript (with `strict`, a warning stops the build too), then write each
    format into `output`.

    With `print_ready` (or `[print] print_ready = true`), the PDF format also writes the
    printer's PDF, `<name>-print.pdf`, with bleed and printer's marks. The PDF is laid out
    in pieces, in parallel and cached in `output/.cache` (writers/pdfparts), or with
    `single_document` as one WeasyPrint document (writers/pdf). When nothing that the
    outputs depend on has changed since the last build, nothing is done.
    """
    cache = CacheFolder.of(output)
    try:
        cache.lock_if_there()
        return _build(manuscript, output, formats, diagnostics, print_ready, strict,
                      single_document, progress or Progress(), cache)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            raise ManuscriptError("the disk is full (or the file too large for it): free some "
                                  "space and build again; the previous outputs are unchanged",
                                  output) from exc
        raise
    finally:
        cache.unlock()
        cache.report()


def _build(manuscript: Path, output: Path, formats: tuple[str, ...],
           diagnostics: Diagnostics, print_ready: bool, strict: bool, single_document: bool,
           progress: Progress, cache: CacheFolder) -> BuildResult:
    stamp = Stamp.of(manuscript, output, formats, print_ready, strict, single_document)
    previous = stamp.previous(cache)
    if previous is not None:
        for warning in previous:
            diagnostics.record(warning)
        return BuildResult(tuple(OutputFile(output / w.name, w.size, w.pages)
                                 for w in stamp.outputs(cache)), up_to_date=True)
    from allianceprint.pagemap import identify_blocks
    rendered = identify_blocks(check(manuscript, diagnostics, strict, cache=cache))
    when = build_time()
    created = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    cache.lock()  # makes the output folder (and says so if it cannot)
    stem = output_stem(rendered)
    results: list[OutputFile] = []
    pdfs: list[PdfResult] = []
    with ExitStack() as cleanup:
        staged: list[tuple[Path, Path]] = []
        epub: Path | None = None  # the EPUB's temporary file, once written

        def write_the_epub(page_map: PageMap | None) -> None:
            """The EPUB, with the print edition's page numbers when there are some."""
            nonlocal epub
            from allianceprint.writers.epub import write_epub
            epub = _temporary(output / f"{stem}.epub", cleanup)
            with progress.stage("EPUB", total=1) as stage:
                write_epub(rendered, epub, modified=when, page_map=page_map)
                stage.advance(f"{stem}.epub")

        if "pdf" in formats:
            from allianceprint.fonts import check_fonts

            check_fonts(rendered, rendered.stylesheet_dir / "print" / "print.css", diagnostics)
            editions = [(f"{stem}.pdf", False)]
            if print_ready or rendered.book.config.print.print_ready:
                editions.append((f"{stem}-print.pdf", True))
            for name, printer in editions:
                temp = _temporary(output / name, cleanup)
                # The EPUB is written while the reading edition's pieces are merged.
                meanwhile = write_the_epub if "epub" in formats and not printer else None
                pdf = _write_pdf(rendered, temp, created, printer, single_document,
                                 cache, progress, meanwhile)
                pdfs.append(pdf)
                staged.append((temp, output / name))
                results.append(OutputFile(output / name, temp.stat().st_size, pdf.pages))
        if "epub" in formats:
            if epub is None:
                write_the_epub(None)
            staged.append((epub, output / f"{stem}.epub"))
            results.append(OutputFile(output / f"{stem}.epub", epub.stat().st_size))
        for temp, final in staged:
            os.replace(temp, final)
    if pdfs and not single_document:
        from allianceprint.writers.pdfparts import prune
        used = frozenset(key for pdf in pdfs for key in pdf.cache_keys)
        prune(cache, lambda key: key in used)
    stamp.record(cache, [(item.path, item.pages) for item in results], diagnostics.warnings)
    cache.sweep()
    return BuildResult(tuple(results),
                       rendered=tuple(sorted({p for pdf in pdfs for p in pdf.rendered})),
                       reused=tuple(sorted({p for pdf in pdfs for p in pdf.reused})))


def _write_pdf(book: RenderedBook, target: Path, created: str, print_ready: bool,
               single_document: bool, cache: CacheFolder, progress: Progress,
               meanwhile: Callable[[PageMap | None], None] | None) -> PdfResult:
    """The PDF in pieces (writers/pdfparts) or as one document (writers/pdf); `meanwhile`
    gets the page map once the layout is done (while the pieces are merged)."""
    if single_document:
        from allianceprint.writers.pdf import write_pdf
        with progress.stage("lay out", total=1) as stage:
            result = write_pdf(book, target, created=created, print_ready=print_ready)
            stage.advance(target.name)
        if meanwhile is not None:
            meanwhile(result.page_map)
        return result
    from allianceprint.writers.pdfparts import write_pdf_in_parts
    return write_pdf_in_parts(book, target, cache, created=created, print_ready=print_ready,
                              progress=progress, meanwhile=meanwhile)


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


def _temporary(final: Path, cleanup: ExitStack) -> Path:
    """The file an output is written into; it takes its final name once every output is
    written (and is removed if the build fails)."""
    path = temporary_for(final)
    try:
        path.touch()
    except OSError as exc:
        raise ManuscriptError(f"cannot write the outputs here: {exc.strerror}",
                              final.parent) from exc
    cleanup.callback(lambda: path.unlink(missing_ok=True))
    return path
