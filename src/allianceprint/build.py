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
from typing import TYPE_CHECKING

from allianceprint.cachefolder import CacheFolder, temporary_for
from allianceprint.errors import Diagnostics, ManuscriptError
from allianceprint.housestyle import StyleSet, folder_problem
from allianceprint.model import BookConfig, PageMap, RenderedBook
from allianceprint.progress import Progress
from allianceprint.stamp import Stamp

if TYPE_CHECKING:
    from allianceprint.writers.pdfresult import PdfResult, PendingPdf
    from allianceprint.writers.pieces.pool import EarlyWorkers

FORMATS = ("pdf", "epub")


@dataclass(frozen=True)
class OutputFile:
    path: Path
    size: int  # bytes
    pages: int | None = None  # the PDF's page count


def checked_book(
    manuscript: Path,
    diagnostics: Diagnostics,
    strict: bool = False,
    cache: CacheFolder | None = None,
    styles: Path | None = None,
) -> RenderedBook:
    """The manuscript loaded, rendered and checked, without writing anything (the `check`
    command, and the first step of a build). Every mistake found
    is in `diagnostics`, and raised together (with `strict`, warnings count as mistakes).
    With `cache` (a build's), parts rendered by the last build from the same sources are
    taken from it; when the checks pass, it is left holding this manuscript's parts.
    `styles` (`--styles`) is a house style folder that wins over book.toml's `[style]`."""
    # The stages are imported here, not at the top: a build that is up to date needs none.
    from allianceprint.checks import check_book, every_part_read, reading_order
    from allianceprint.loader import load_book
    from allianceprint.render import check_book_in_time, render_book
    from allianceprint.rendercache import RenderCache

    book = load_book(manuscript, diagnostics)
    house_style = house_style_set(book.config, styles)
    house_style.check(manuscript, diagnostics)
    render_cache = RenderCache(cache, book) if cache else None
    rendered = render_book(book, diagnostics, house_style, cache=render_cache)
    found = []  # what the checks keep in the cache (checkcache.py)
    check_book_in_time(
        rendered,
        diagnostics,
        lambda: found.append(
            check_book(rendered, diagnostics, complete=every_part_read(book), cache=cache)
        ),
    )
    diagnostics.sort(reading_order(book))
    diagnostics.raise_if_errors(strict)
    if render_cache is not None:
        cache.lock()  # the first write into the output folder
        render_cache.save()
        if found and found[0] is not None:
            found[0].save()
    return rendered


@dataclass(frozen=True)
class BuildResult:
    """What one build did."""

    outputs: tuple[OutputFile, ...]
    # The PDF's pieces laid out in this build and those taken from build/.cache: part ids,
    # "contents" and "notes" (see writers/pieces).
    rendered: tuple[str, ...] = ()
    reused: tuple[str, ...] = ()
    up_to_date: bool = False  # nothing changed since the last build; nothing was written


def house_style_set(config: BookConfig, styles: Path | None) -> StyleSet:
    """The styles a build reads: `--styles` if given, else book.toml's `[style] folder`,
    over the built-in style."""
    if styles is not None:
        problem = folder_problem(styles)
        if problem:
            raise ManuscriptError(f"--styles: {problem}")
        return StyleSet.with_house_style(styles)
    folder = config.style.folder
    return StyleSet.with_house_style(config.root / folder if folder else None)


def build(
    manuscript: Path,
    output: Path,
    formats: tuple[str, ...],
    diagnostics: Diagnostics,
    print_ready: bool = False,
    strict: bool = False,
    single_document: bool = False,
    progress: Progress | None = None,
    styles: Path | None = None,
    keep_pages: bool | None = False,
) -> BuildResult:
    """Check the manuscript (with `strict`, a warning stops the build too), then write each
    format into `output`.

    With `print_ready` (or `[print] print_ready = true`), the PDF format also writes the
    printer's PDF, `<name>-print.pdf`, with bleed and printer's marks. The PDF is laid out
    in pieces, in parallel and cached in `output/.cache` (writers/pieces), or with
    `single_document` as one WeasyPrint document (writers/pdf). When nothing that the
    outputs depend on has changed since the last build, nothing is done. `styles`
    (`--styles`) is a house style folder that wins over book.toml's `[style]`.

    With `keep_pages` (None: when `[book] printing` is above 1), a PDF whose corrections
    move page breaks beyond the page they sit on, against the last build's PDF, fails the
    build with a located error (changes.check_kept_pages); nothing is written.
    """
    cache = CacheFolder.of(output)
    try:
        cache.lock_if_there()
        return _build(
            manuscript,
            output,
            formats,
            diagnostics,
            print_ready,
            strict,
            single_document,
            progress or Progress(),
            cache,
            styles,
            keep_pages,
        )
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            raise ManuscriptError(
                "the disk is full (or the file too large for it): free some "
                "space and build again; the previous outputs are unchanged",
                output,
            ) from exc
        raise
    finally:
        cache.unlock()
        cache.report()


def _build(
    manuscript: Path,
    output: Path,
    formats: tuple[str, ...],
    diagnostics: Diagnostics,
    print_ready: bool,
    strict: bool,
    single_document: bool,
    progress: Progress,
    cache: CacheFolder,
    styles: Path | None,
    keep_pages: bool | None,
) -> BuildResult:
    stamp = Stamp.of(manuscript, output, formats, print_ready, strict, single_document, styles)
    previous = stamp.previous(cache)
    if previous is not None:
        for warning in previous:
            diagnostics.record(warning)
        return BuildResult(
            tuple(OutputFile(output / w.name, w.size, w.pages) for w in stamp.outputs(cache)),
            up_to_date=True,
        )
    from allianceprint.pagemap import identify_blocks

    with ExitStack() as cleanup:
        early = None  # layout workers importing WeasyPrint while the book is rendered
        if "pdf" in formats and not single_document:
            from allianceprint.writers.pieces.pool import EarlyWorkers

            early = cleanup.enter_context(EarlyWorkers())
        rendered = identify_blocks(
            checked_book(manuscript, diagnostics, strict, cache=cache, styles=styles)
        )
        when = build_time()
        created = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        cache.lock()  # makes the output folder (and says so if it cannot)
        stem = output_stem(rendered)
        results: list[OutputFile] = []
        pdfs: list[PdfResult] = []
        staged: list[tuple[Path, Path]] = []
        epub: Path | None = None  # the EPUB's temporary file, once written
        if "pdf" in formats:
            from allianceprint.fonts import check_fonts

            check_fonts(rendered, rendered.styles.file("print/print.css"), diagnostics)
            if diagnostics.errors:  # a character no font has: write nothing
                diagnostics.raise_if_errors(strict)
            editions = [(f"{stem}.pdf", False)]
            if print_ready or rendered.book.config.print.print_ready:
                editions.append((f"{stem}-print.pdf", True))
            for index, (name, printer) in enumerate(editions):
                temp = _temporary(output / name, cleanup)
                with _start_pdf(
                    rendered, temp, created, printer, single_document, cache, progress, name, early
                ) as pending:
                    if early is not None and index + 1 < len(editions):
                        # The next edition's workers import WeasyPrint while this one merges.
                        early = cleanup.enter_context(EarlyWorkers())
                    if "epub" in formats and not printer:  # while the pieces are merged
                        epub = _write_epub(
                            rendered,
                            output / f"{stem}.epub",
                            when,
                            pending.page_map,
                            cleanup,
                            progress,
                        )
                    pdf = pending.result()
                pdfs.append(pdf)
                for finding in pdf.findings:  # what the renderer logged (renderlog)
                    diagnostics.record(finding)
                diagnostics.raise_if_errors(strict)  # before anything replaces an output
                if not printer and _keeps_pages(keep_pages, rendered):
                    from allianceprint.keptpages import check_kept_pages

                    check_kept_pages(output / name, temp, manuscript)
                staged.append((temp, output / name))
                results.append(OutputFile(output / name, temp.stat().st_size, pdf.pages))
        if "epub" in formats:
            if epub is None:
                epub = _write_epub(rendered, output / f"{stem}.epub", when, None, cleanup, progress)
            staged.append((epub, output / f"{stem}.epub"))
            results.append(OutputFile(output / f"{stem}.epub", epub.stat().st_size))
        for temp, final in staged:
            os.replace(temp, final)
    if pdfs and not single_document:
        from allianceprint.writers.pieces import prune

        used = frozenset(key for pdf in pdfs for key in pdf.cache_keys)
        prune(cache, lambda key: key in used)
    stamp.record(cache, [(item.path, item.pages) for item in results], diagnostics.warnings)
    cache.sweep()
    return BuildResult(
        tuple(results),
        rendered=tuple(sorted({p for pdf in pdfs for p in pdf.rendered})),
        reused=tuple(sorted({p for pdf in pdfs for p in pdf.reused})),
    )


def warm_up(formats: tuple[str, ...], single_document: bool = False) -> None:
    """Import what a rebuild of `formats` runs (WeasyPrint, about a second, most of it), so
    that `watch`, which stays up, pays for it before the first save rather than after it
    (a first build that was up to date imported none of it)."""
    import allianceprint.checks  # noqa: F401
    import allianceprint.loader  # noqa: F401
    import allianceprint.pagemap  # noqa: F401
    import allianceprint.render  # noqa: F401
    import allianceprint.rendercache  # noqa: F401

    if "epub" in formats:
        import allianceprint.writers.epub  # noqa: F401
    if "pdf" in formats:
        import allianceprint.fonts  # noqa: F401

        if single_document:
            import allianceprint.writers.pdf  # noqa: F401
        else:
            import allianceprint.writers.pieces  # noqa: F401
            import allianceprint.writers.pieces.layout  # noqa: F401  (WeasyPrint)


def _keeps_pages(keep_pages: bool | None, book: RenderedBook) -> bool:
    """`build --keep-pages`, or by default a printing after the first."""
    if keep_pages is not None:
        return keep_pages
    return (book.book.config.book.printing or 1) > 1


def _start_pdf(
    book: RenderedBook,
    target: Path,
    created: str,
    print_ready: bool,
    single_document: bool,
    cache: CacheFolder,
    progress: Progress,
    name: str = "",
    early: EarlyWorkers | None = None,
) -> PendingPdf:
    """The PDF laid out in pieces and their merge started (writers/pieces; in the `early`
    workers, if started), or laid out and written as one document (writers/pdf)."""
    if single_document:
        from allianceprint.writers.pdf import write_pdf
        from allianceprint.writers.pdfresult import PendingPdf

        with progress.stage("lay out", total=1) as stage:
            result = write_pdf(book, target, created=created, print_ready=print_ready, name=name)
            stage.advance(target.name)
        return PendingPdf(result.page_map, lambda: result)
    from allianceprint.writers.pieces import start_pdf_in_pieces

    return start_pdf_in_pieces(
        book,
        target,
        cache,
        created=created,
        print_ready=print_ready,
        progress=progress,
        name=name,
        early=early,
    )


def _write_epub(
    book: RenderedBook,
    final: Path,
    when: dt.datetime,
    page_map: PageMap | None,
    cleanup: ExitStack,
    progress: Progress,
) -> Path:
    """The EPUB, written into the temporary file for `final`, with the print edition's page
    numbers when there are some (`page_map`)."""
    from allianceprint.writers.epub import write_epub

    temp = _temporary(final, cleanup)
    with progress.stage("EPUB", total=1) as stage:
        write_epub(book, temp, modified=when, page_map=page_map)
        stage.advance(final.name)
    return temp


def build_time() -> dt.datetime:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else now; always UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
        except ValueError as exc:
            raise ManuscriptError(
                f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds since 1970"
            ) from exc
    return dt.datetime.now(tz=dt.timezone.utc).replace(microsecond=0)


def output_stem(book: RenderedBook) -> str:
    """The outputs' file name: `[book] filename`, else the book's title: a slug such as
    `allied-horizons` when its letters are Latin (accents dropped), else the title's own
    characters, e.g. `同盟的地平线` (see title_stem)."""
    meta = book.book.config.book
    return meta.filename or title_stem(meta.title)


#: File names that Windows keeps for devices (whatever the extension).
_DEVICES = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)), *(f"lpt{n}" for n in range(10))}
)


def title_stem(title: str) -> str:
    """A safe file name from a title. When its letters are all Latin, the ASCII slug
    (`Allied Horizons` -> `allied-horizons`, `Ōtsuka` -> `otsuka`); when it has letters of
    another script (Chinese, Japanese, Greek, ...), the title's own letters, digits and marks in
    NFC, lower case, each other run of characters a hyphen: `同盟的地平线`. At most 60
    characters; `book` when nothing is left; never a name Windows keeps for a device."""
    folded = unicodedata.normalize("NFKD", title)
    ascii_title = folded.encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower())
    if any(
        ch.isalpha() and not unicodedata.name(ch, "").startswith("LATIN") for ch in folded
    ):  # letters of another script, which the ASCII slug would lose
        own = "".join(
            ch if unicodedata.category(ch)[0] in "LNM" else "-"
            for ch in unicodedata.normalize("NFC", title).lower()
        )
        slug = re.sub(r"-{2,}", "-", own)
    stem = slug.strip("-")[:60].strip("-") or "book"
    return f"{stem}-book" if stem in _DEVICES else stem


def _temporary(final: Path, cleanup: ExitStack) -> Path:
    """The file an output is written into; it takes its final name once every output is
    written (and is removed if the build fails)."""
    path = temporary_for(final)
    try:
        path.touch()
    except OSError as exc:
        raise ManuscriptError(
            f"cannot write the outputs here: {exc.strerror}", final.parent
        ) from exc
    cleanup.callback(lambda: path.unlink(missing_ok=True))
    return path
