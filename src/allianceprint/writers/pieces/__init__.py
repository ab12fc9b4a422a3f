"""`RenderedBook` -> the print PDF, laid out in pieces in parallel, cached, then merged.

The book is cut into pieces: the opening (title page, copyright page, contents), each
part, and (with book-end notes) the notes section. Every piece opens on a right-hand page
and the type area is as wide on left pages as on right ones, so where a piece's pages break
does not depend on where the piece begins in the book. Each is laid out as its own
WeasyPrint document, in a pool of processes (one per core), without folios. What a layout
yields — the piece's PDF, and for each page its named page, whether it is blank and the
anchors on it; its bookmarks; where its pages begin in the text the EPUB shares — is cached
in `build/.cache` under a hash of everything that affects it (its HTML, the stylesheet, the
images it shows, the PDF variant, allianceprint's code and WeasyPrint's version), so a
rebuild lays out only the pieces that changed, whatever their page numbers.

`start_pdf_in_pieces`, in order:
1. lays out the parts, and the opening with stand-in numbers in its contents (its length
   is what that first layout is for);
2. with book-end notes, lays out the notes section, then again with running heads naming
   the text pages of the notes on each page;
3. numbers the pages: the pieces in reading order, a blank page before a piece that would
   open on a left-hand page; roman to the first chapter, arabic from 1 there;
4. lays out the opening with the real page numbers in its contents (again, if its own
   length moved the front matter's numbers);
5. lays out the folios: empty pages with print.css's page furniture, in runs of pieces,
   one per process (and, for the printer's PDF, the slug lines: writers/marks);
6. starts merging it all (writers/pdfmerge) in a process of its own, and returns: the
   caller may write the EPUB, which needs only the page map, before it waits for the merge.
The result has the pages, page labels, contents numbers and outline of the whole book laid
out as one document (writers/pdf, `--single-document`); the tests compare the two.

This module runs those steps; the package's other modules: `jobs` (the book cut into
pieces: their HTML and cache keys), `pool` (the cache or the process pool), `layout` (one
piece laid out, in a worker), `records` (what goes to a worker and comes back, and the
cache's record of it), `numbering` (the book's pages from the pieces').
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Callable, Iterable

from allianceprint import pagerecord, renderlog
from allianceprint.cachefolder import CacheFolder
from allianceprint.model import PageMap, RenderedBook
from allianceprint.progress import Progress
from allianceprint.writers import marks, pdffonts, pdfmerge
from allianceprint.writers.pdfresult import PdfResult, PendingPdf
from allianceprint.writers.pieces.jobs import Pieces
from allianceprint.writers.pieces.numbering import Numbering, even_pages
from allianceprint.writers.pieces.pool import EarlyWorkers, Runner
from allianceprint.writers.pieces.records import BOOK_NOTES, OPENING, PieceLayout

#: How many times the opening may be laid out with its contents' page numbers: its own
#: length can move the front matter's numbers, which can lengthen it again (it settles at
#: once in practice).
CONTENTS_LAYOUTS = 3


def start_pdf_in_pieces(
    book: RenderedBook,
    target: Path,
    cache: CacheFolder,
    created: str | None = None,
    print_ready: bool = False,
    progress: Progress | None = None,
    workers: int | None = None,
    name: str = "",
    early: EarlyWorkers | None = None,
) -> PendingPdf:
    """Lay out the book in pieces (reusing what `cache` holds) and start merging them into
    `target` in a process of its own. The page map (None for the printer's PDF) is known
    when this returns; `result()` of what it returns waits for the merge."""
    progress = progress or Progress()
    pieces = Pieces(book, cache, print_ready)  # undated: the merge dates the PDF
    with ExitStack() as stack:  # until the merge is started: then the PendingPdf's
        runner = stack.enter_context(Runner(cache, workers, progress, early))
        # With the parts, a first layout of the contents: its length, not its numbers.
        done = runner.run("lay out", [*pieces.parts(), pieces.opening(None)])
        if pieces.book_end:
            done[BOOK_NOTES] = _lay_out_book_notes(runner, pieces, done)
        numbers, runs = _lay_out_contents(runner, pieces, done)
        page_map = None if print_ready else numbers.page_map()
        plan, slug = None, None
        if print_ready:
            options = book.book.config.print
            plan = marks.plan_for(
                options, book.book.config.book.title, name or target.name, created, numbers.labels
            )
            slug = marks.slug_pdf(plan, marks.trim_width(options), cache.pieces, book.styles)
            stack.callback(slug.unlink, missing_ok=True)
        fonts = _fonts(cache.pieces, [done[piece] for piece in pieces.order], runs.values())
        merged = runner.start(
            pdfmerge.merge,
            pdfmerge.MergeInput(
                pieces=tuple(done[piece].pdf for piece in pieces.order),
                blank_before=numbers.blank_before,
                folios=tuple(runs[run].pdf for run in sorted(runs, key=_run_index)),
                outline=numbers.outline(),
                labels=numbers.ranges,
                created=created,
                record=_record(book, numbers, page_map),
                marks=plan,
                slug=slug,
                fonts=fonts,
            ),
            target,
        )
        running = stack.pop_all()

    def wait() -> PdfResult:
        with progress.stage("merge", total=1) as stage:
            count = merged()
            stage.advance(target.name)
        if count != len(numbers.labels):
            raise AssertionError(f"merged {count} pages, numbered {len(numbers.labels)}")
        return PdfResult(
            target,
            count,
            tuple(numbers.labels),
            page_map,
            rendered=_named(layout for layout in done.values() if not layout.cached),
            reused=_named(layout for layout in done.values() if layout.cached),
            cache_keys=frozenset(runner.used) | _font_keys(fonts, done.values(), runs.values()),
            findings=tuple(
                finding
                for piece, logs in runner.logged
                for finding in renderlog.findings(logs, book, piece)
            ),
        )

    return PendingPdf(page_map, wait, running.__exit__)


def _fonts(
    cache: Path, pieces: list[PieceLayout], runs: Iterable[PieceLayout]
) -> tuple[pdffonts.SharedFont, ...]:
    """The fonts the book carries once: what the pieces and folio runs embedded."""
    return pdffonts.plan([layout.fonts for layout in (*pieces, *runs)], cache / pdffonts.STORE)


def _font_keys(
    fonts: tuple[pdffonts.SharedFont, ...], *layouts: Iterable[PieceLayout]
) -> frozenset[str]:
    """The font store's files this build used, as cache keys (see `prune`)."""
    names = pdffonts.store_names(fonts, [layout.fonts for group in layouts for layout in group])
    return frozenset(f"{pdffonts.STORE}/{name}" for name in names)


def _record(book: RenderedBook, numbers: Numbering, page_map: PageMap | None) -> bytes:
    """The page record the merge embeds (see pagerecord), or nothing for variants that
    forbid it."""
    if not pagerecord.allowed(book.book.config.print.pdf_variant):
        return b""
    return pagerecord.record_for(book, numbers.labels, numbers.anchors, page_map).to_json()


def _lay_out_book_notes(
    runner: Runner, pieces: Pieces, done: dict[str, PieceLayout]
) -> PieceLayout:
    """The book-end notes: laid out once to learn which notes fall on which page, then with
    the running heads that name the text pages those notes belong to."""
    first = runner.run("notes", [pieces.book_notes({})])[BOOK_NOTES]
    heads = pieces.book_notes_heads({**done, BOOK_NOTES: first})
    return runner.run("notes", [pieces.book_notes(heads)])[BOOK_NOTES]


def _lay_out_contents(
    runner: Runner, pieces: Pieces, done: dict[str, PieceLayout]
) -> tuple[Numbering, dict[str, PieceLayout]]:
    """The opening pages again, their contents with the page numbers; again if that moved
    the front matter's numbers (the contents grew by a page). The book's numbering, and
    its folio runs: laid out alongside the contents for the numbering of the contents'
    first layout, and kept when the real one gives the same folio pages (the usual case),
    so that the contents' layout is not a step of its own."""
    opening_pages = even_pages(len(done[OPENING].pages))  # from the first layout
    guessed: dict[str, PieceLayout] | None = None
    for _ in range(CONTENTS_LAYOUTS):
        numbers = Numbering(pieces.order, done, opening_pages, pieces.first_body)
        folios = pieces.folios(numbers, runner.workers) if guessed is None else []
        laid = runner.run("contents", [pieces.opening(numbers.toc_pages()), *folios])
        done[OPENING] = laid.pop(OPENING)
        guessed = laid if guessed is None else guessed
        if even_pages(len(done[OPENING].pages)) == opening_pages:
            break
        opening_pages = even_pages(len(done[OPENING].pages))
    numbers = Numbering(pieces.order, done, opening_pages, pieces.first_body)
    jobs = pieces.folios(numbers, runner.workers)
    if sorted(job.key for job in jobs) == sorted(run.key for run in guessed.values()):
        return numbers, guessed
    runner.used.difference_update(run.key for run in guessed.values())  # not this book's
    return numbers, runner.run("folios", jobs)


def _named(layouts: Iterable[PieceLayout]) -> tuple[str, ...]:
    """The pieces as an editor knows them: the parts' ids, "contents", "notes"."""
    names = {OPENING: "contents", BOOK_NOTES: "notes"}
    return tuple(sorted(names.get(layout.piece, layout.piece) for layout in layouts))


def _run_index(name: str) -> int:
    """The index of a folio run, from its piece name "folios-N"."""
    return int(name.rsplit("-", 1)[1])


def prune(cache: CacheFolder, keep: Callable[[str], bool]) -> None:
    """Remove the cache's pieces whose key `keep` refuses (after a good build); the font
    store's files are kept under the key "fonts/NAME"."""
    for path in cache.pieces.glob("*"):
        if path.suffix in (".pdf", ".json") and not keep(path.stem):
            path.unlink(missing_ok=True)
    pdffonts.prune(cache.pieces / pdffonts.STORE, lambda name: keep(f"{pdffonts.STORE}/{name}"))
