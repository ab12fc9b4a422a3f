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
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import hashlib
import json
import multiprocessing
import multiprocessing.pool
import os
import queue
import signal
import sys
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator

import weasyprint
from weasyprint import CSS, HTML

from allianceprint import __version__, pagerecord, renderlog
from allianceprint.balance import balance_pages, part_ids
from allianceprint.cachefolder import (
    CacheFolder,
    Untrusted,
    checked,
    user_key,
    write_atomically,
    write_sealed,
)
from allianceprint.errors import ManuscriptError
from allianceprint.fetcher import ConfinedFetcher, refusals_raised
from allianceprint.hyphens import lay_out
from allianceprint.model import PageMap, RenderedBook
from allianceprint.overflow import overflows
from allianceprint.pagemap import Position, page_map, shared_anchors
from allianceprint.progress import Progress
from allianceprint.render import TooSlow, time_limit
from allianceprint.stamp import code_digest
from allianceprint.writers import marks, pdffonts, pdfmerge
from allianceprint.writers.pagelabels import (
    arabic_from,
    expand_labels,
    first_chapter,
    label_ranges,
)
from allianceprint.writers.pdfresult import PdfResult, PendingPdf
from allianceprint.writers.printhtml import Selection, compose_document, notes_heads, serialize

OPENING = "opening"
BOOK_NOTES = "book-notes"
FOLIOS = "folios"


@dataclass(frozen=True)
class PiecePage:
    """One page of a piece, as its layout left it."""

    name: str  # the named page: "title", "front", "body", "booknotes", "back"
    blank: bool  # left empty by a right-hand or left-hand break
    anchors: tuple[str, ...]  # the ids whose elements begin on it, in order


@dataclass(frozen=True)
class PieceLayout:
    """What laying out one piece yields; also what the cache keeps of it."""

    piece: str  # "opening", a part's id, "book-notes", "folios-N"
    key: str  # the cache key
    pdf: Path
    pages: tuple[PiecePage, ...]
    bookmarks: tuple[pdfmerge.Bookmark, ...]  # pages counted within the piece
    starts: tuple[Position | None, ...]  # where each page begins, for the EPUB ((): none)
    end: Position | None  # where the piece's shared text ends
    logs: tuple[tuple[str, int, str], ...] = ()  # (logger, level, message) of the layout
    fonts: tuple[pdffonts.EmbeddedFont, ...] = ()  # what the merge needs to share them
    cached: bool = False  # taken from the cache, not laid out in this build

    def to_data(self, pdf_sha256: str) -> dict:
        """The cache's record of the layout, with a hash of the PDF it was written with."""
        data = asdict(self)
        data["pdf"] = str(self.pdf)
        data["fonts"] = [font.to_json() for font in self.fonts]
        data["pdf_sha256"] = pdf_sha256
        del data["cached"]
        return data

    @classmethod
    def from_data(cls, data: dict) -> PieceLayout:
        """The layout a record (checked against `_RECORD`) holds; `Untrusted` if a part of
        it has not the shape it should."""

        def bookmark(item: object) -> pdfmerge.Bookmark:
            checked(item, _BOOKMARK, "bookmark")
            return pdfmerge.Bookmark(item["label"], item["page"], float(item["x"]),
                                     float(item["y"]),
                                     tuple(bookmark(child) for child in item["children"]))

        def position(item: list | None) -> Position | None:
            if item is None:
                return None
            if len(item) != 2 or not isinstance(item[0], str) or type(item[1]) is not int:
                raise Untrusted("a position that is not [anchor, count]")
            return (item[0], item[1])

        def fonts(items: list) -> tuple[pdffonts.EmbeddedFont, ...]:
            try:
                return tuple(pdffonts.EmbeddedFont.from_json(item) for item in items)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                raise Untrusted(f"a font entry that is not what pdffonts writes ({exc})") \
                    from exc

        logs = tuple(tuple(entry) for entry in data["logs"])
        if any(len(entry) != 3 or [type(x) for x in entry] != [str, int, str]
               for entry in logs):
            raise Untrusted("a log entry that is not [logger, level, message]")
        return cls(
            piece=data["piece"], key=data["key"], pdf=Path(data["pdf"]),
            pages=tuple(PiecePage(p["name"], p["blank"], tuple(p["anchors"]))
                        for p in data["pages"]),
            bookmarks=tuple(bookmark(b) for b in data["bookmarks"]),
            starts=tuple(position(s) for s in data["starts"]),
            end=position(data["end"]), logs=logs, fonts=fonts(data["fonts"]), cached=True)


_BOOKMARK = {"label": str, "page": int, "x": float, "y": float, "children": list}
_RECORD = {"piece": str, "key": str, "pdf": str, "pdf_sha256": str,
           "pages": [{"name": str, "blank": bool, "anchors": [str]}],
           "bookmarks": list, "starts": [(None, list)], "end": (None, list), "logs": [list],
           "fonts": list}


@dataclass(frozen=True)
class PieceJob:
    """Everything a worker process needs to lay out one piece (it is pickled)."""

    piece: str
    key: str
    html: str
    base_url: str
    stylesheet: Path
    allowed: tuple[Path, ...]  # the folders the fetcher may read
    variant: str | None  # WeasyPrint's pdf_variant
    pdf: Path  # where the piece's PDF goes (in the cache)
    anchors: frozenset[str] = field(default_factory=frozenset)  # map the pages: shared ids
    folios: bool = False  # a folio run: no bookmarks, no page map


def start_pdf_in_pieces(book: RenderedBook, target: Path, cache: CacheFolder,
                        created: str | None = None, print_ready: bool = False,
                        progress: Progress | None = None, workers: int | None = None,
                        name: str = "") -> PendingPdf:
    """Lay out the book in pieces (reusing what `cache` holds) and start merging them into
    `target` in a process of its own. The page map (None for the printer's PDF) is known
    when this returns; `result()` of what it returns waits for the merge."""
    progress = progress or Progress()
    pieces = _Pieces(book, cache, print_ready)  # undated: the merge dates the PDF
    with ExitStack() as stack:  # until the merge is started: then the PendingPdf's
        runner = stack.enter_context(_Runner(cache, workers, progress))
        # With the parts, a first layout of the contents: its length, not its numbers.
        done = runner.run("lay out", [*pieces.parts(), pieces.opening(None)])
        if pieces.book_end:
            done[BOOK_NOTES] = _lay_out_book_notes(runner, pieces, done)
        numbers, runs = _lay_out_contents(runner, pieces, done)
        page_map = None if print_ready else numbers.page_map()
        plan, slug = None, None
        if print_ready:
            options = book.book.config.print
            plan = marks.plan_for(options, book.book.config.book.title, name or target.name,
                                  created, numbers.labels)
            slug = marks.slug_pdf(plan, marks.trim_width(options), cache.pieces)
            stack.callback(slug.unlink, missing_ok=True)
        fonts = _fonts(cache.pieces, [done[piece] for piece in pieces.order], runs.values())
        merged = runner.start(pdfmerge.merge, pdfmerge.MergeInput(
            pieces=tuple(done[piece].pdf for piece in pieces.order),
            blank_before=numbers.blank_before,
            folios=tuple(runs[run].pdf for run in sorted(runs, key=_run_index)),
            outline=numbers.outline(),
            labels=numbers.ranges,
            created=created, record=_record(book, numbers, page_map), marks=plan, slug=slug,
            fonts=fonts), target)
        running = stack.pop_all()

    def wait() -> PdfResult:
        with progress.stage("merge", total=1) as stage:
            count = merged()
            stage.advance(target.name)
        if count != len(numbers.labels):
            raise AssertionError(f"merged {count} pages, numbered {len(numbers.labels)}")
        return PdfResult(
            target, count, tuple(numbers.labels), page_map,
            rendered=_named(layout for layout in done.values() if not layout.cached),
            reused=_named(layout for layout in done.values() if layout.cached),
            cache_keys=frozenset(runner.used) | _font_keys(fonts, done.values(), runs.values()),
            findings=tuple(finding for piece, logs in runner.logged
                           for finding in renderlog.findings(logs, book, piece)))

    return PendingPdf(page_map, wait, running.__exit__)


def _fonts(cache: Path, pieces: list[PieceLayout], runs: Iterable[PieceLayout]
           ) -> tuple[pdffonts.SharedFont, ...]:
    """The fonts the book carries once: what the pieces and folio runs embedded."""
    return pdffonts.plan([layout.fonts for layout in (*pieces, *runs)], cache / pdffonts.STORE)


def _font_keys(fonts: tuple[pdffonts.SharedFont, ...], *layouts: Iterable[PieceLayout]
               ) -> frozenset[str]:
    """The font store's files this build used, as cache keys (see `prune`)."""
    names = pdffonts.store_names(fonts, [layout.fonts for group in layouts for layout in group])
    return frozenset(f"{pdffonts.STORE}/{name}" for name in names)


def _record(book: RenderedBook, numbers: _Numbering, page_map: PageMap | None) -> bytes:
    """The page record the merge embeds (see pagerecord), or nothing for variants that
    forbid it."""
    if not pagerecord.allowed(book.book.config.print.pdf_variant):
        return b""
    return pagerecord.record_for(book, numbers.labels, numbers.anchors, page_map).to_json()


def _lay_out_book_notes(runner: _Runner, pieces: _Pieces,
                        done: dict[str, PieceLayout]) -> PieceLayout:
    """The book-end notes: laid out once to learn which notes fall on which page, then with
    the running heads that name the text pages those notes belong to."""
    first = runner.run("notes", [pieces.book_notes({})])[BOOK_NOTES]
    heads = pieces.heads({**done, BOOK_NOTES: first})
    return runner.run("notes", [pieces.book_notes(heads)])[BOOK_NOTES]


def _lay_out_contents(runner: _Runner, pieces: _Pieces, done: dict[str, PieceLayout]
                      ) -> tuple[_Numbering, dict[str, PieceLayout]]:
    """The opening pages again, their contents with the page numbers; again if that moved
    the front matter's numbers (the contents grew by a page). The book's numbering, and
    its folio runs: laid out alongside the contents for the numbering of the contents'
    first layout, and kept when the real one gives the same folio pages (the usual case),
    so that the contents' layout is not a step of its own."""
    opening_pages = _padded(len(done[OPENING].pages))  # from the first layout
    guessed: dict[str, PieceLayout] | None = None
    for _ in range(3):
        numbers = _Numbering(pieces.order, done, opening_pages, pieces.first_body)
        folios = pieces.folios(numbers, runner.workers) if guessed is None else []
        laid = runner.run("contents", [pieces.opening(numbers.toc_pages()), *folios])
        done[OPENING] = laid.pop(OPENING)
        guessed = laid if guessed is None else guessed
        if _padded(len(done[OPENING].pages)) == opening_pages:
            break
        opening_pages = _padded(len(done[OPENING].pages))
    numbers = _Numbering(pieces.order, done, opening_pages, pieces.first_body)
    jobs = pieces.folios(numbers, runner.workers)
    if sorted(job.key for job in jobs) == sorted(run.key for run in guessed.values()):
        return numbers, guessed
    runner.used.difference_update(run.key for run in guessed.values())  # not this book's
    return numbers, runner.run("folios", jobs)


def _named(layouts: Iterable[PieceLayout]) -> tuple[str, ...]:
    """The pieces as an editor knows them: the parts' ids, "contents", "notes"."""
    names = {OPENING: "contents", BOOK_NOTES: "notes"}
    return tuple(sorted(names.get(layout.piece, layout.piece) for layout in layouts))


def _cores() -> int:
    """The cores this process may run on (fewer than the machine's in a container)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _padded(count: int) -> int:
    return count + count % 2


def _run_index(name: str) -> int:
    return int(name.rsplit("-", 1)[1])


class _Pieces:
    """The book cut into pieces, each as an HTML document and a job for a worker."""

    def __init__(self, book: RenderedBook, cache: CacheFolder, print_ready: bool) -> None:
        self.book = book
        self.cache = cache
        self.print_ready = print_ready
        options = book.book.config.print
        self.variant = None if options.pdf_variant == "none" else options.pdf_variant
        self.stylesheet = book.styles.file("print/print.css")
        self.shared = frozenset() if print_ready else shared_anchors(book)
        self.book_end = book.note_placement.book_end
        parts = book.parts
        division = {p.id: p.part.division for p in parts}
        self.order = ([OPENING] + [p.id for p in parts if division[p.id] == "front"]
                      + [p.id for p in parts if division[p.id] == "body"]
                      + ([BOOK_NOTES] if self.book_end else [])
                      + [p.id for p in parts if division[p.id] == "back"])
        self.first_body = first_chapter(book)
        self._fixed = (__version__, code_digest(), weasyprint.__version__, self.variant or "",
                       book.styles.digest)

    def parts(self) -> list[PieceJob]:
        return [self._job(part.id, Selection(opening=False, part_ids=frozenset({part.id}),
                                             book_notes=False, folios=False),
                          images=part.images)
                for part in self.book.parts]

    def book_notes(self, heads: dict[str, str]) -> PieceJob:
        return self._job(BOOK_NOTES, Selection(opening=False, part_ids=frozenset(),
                                               book_notes=True, folios=False), heads=heads)

    def opening(self, toc_pages: dict[str, str] | None) -> PieceJob:
        """The opening pages; without `toc_pages`, the contents has stand-in numbers (as
        wide as a real one may be: its length is what the first layout is for)."""
        if toc_pages is None:
            toc_pages = {piece: "0000" for piece in self.order if piece != OPENING}
        return self._job(OPENING, Selection(opening=True, part_ids=frozenset(),
                                            book_notes=False, toc_pages=toc_pages,
                                            folios=False))

    def heads(self, done: dict[str, PieceLayout]) -> dict[str, str]:
        """The book-end notes' running heads, from the body's and the notes' first layouts
        (the notes pages' own numbers do not matter here, only the text pages')."""
        numbers = _Numbering(self.order, done, 4, self.first_body)
        return notes_heads(numbers.anchors, numbers.labels, self.book)

    def folios(self, numbers: _Numbering, runs: int) -> list[PieceJob]:
        """The folio pages, in `runs` runs of whole pieces of about equal length."""
        jobs = []
        for index, (first, last) in enumerate(numbers.runs(runs)):
            html = self.book.styles.render(
                "print", "folios.html.j2", language=self.book.book.config.book.language, print=self.book.book.config.print,
                print_ready=self.print_ready, marks=True,
                first_counter=numbers.counter(first), groups=numbers.sheets(first, last))
            key = self._key(html, folios=True)
            jobs.append(PieceJob(f"{FOLIOS}-{index}", key, html, self._base_url(),
                                 self.stylesheet, self._allowed(), None,
                                 self.cache.piece_pdf(key), folios=True))
        return jobs

    def _job(self, piece: str, selection: Selection, heads: dict[str, str] | None = None,
             images: Iterable[Path] = ()) -> PieceJob:
        html, ids = _linked_across(compose_document(self.book, None, self.print_ready,
                                                    heads, selection))
        anchors = self.shared & ids
        key = self._key(html, sorted(anchors), *(self._image(path) for path in images))
        return PieceJob(piece, key, html, self._base_url(), self.stylesheet, self._allowed(),
                        self.variant, self.cache.piece_pdf(key), anchors=anchors)

    def _key(self, html: str, *more, folios: bool = False) -> str:
        digest = hashlib.sha256()
        for item in (*self._fixed, folios, html, *more):
            data = item if isinstance(item, bytes) else repr(item).encode("utf-8")
            digest.update(len(data).to_bytes(8, "big"))
            digest.update(data)
        return digest.hexdigest()[:32]

    def _image(self, path: Path) -> bytes:
        try:
            return (self.book.book.root / path).read_bytes()
        except OSError:
            return b"missing"  # the layout reports it

    def _base_url(self) -> str:
        return str(self.book.book.root) + "/"

    def _allowed(self) -> tuple[Path, ...]:
        return (self.book.book.root, *self.book.styles.folders)


def _linked_across(document) -> tuple[str, frozenset[str]]:
    """The piece's HTML (from its lxml `document`) with each link to an anchor outside it
    written `allianceprint:ID` (WeasyPrint keeps it as a link; the merge points it at the
    anchor), and its ids."""
    ids = frozenset(document.xpath("//@id"))
    for link in document.xpath("//a[starts-with(@href, '#')]"):
        anchor = link.get("href")[1:]
        if anchor and anchor not in ids:
            link.set("href", pdfmerge.LINK_SCHEME + anchor)
    return serialize(document), ids


class _Numbering:
    """The book's pages in order, from the pieces' layouts: blanks, labels, positions."""

    def __init__(self, order: list[str], done: dict[str, PieceLayout],
                 opening_pages: int, first_body: str | None) -> None:
        self.order = [piece for piece in order if piece in done or piece == OPENING]
        self.first_page: dict[str, int] = {}
        self.pages: list[PiecePage] = []
        blanks: list[bool] = []
        for piece in self.order:
            layout = done.get(piece)
            if piece == OPENING and (layout is None or _padded(len(layout.pages))
                                     != opening_pages):
                pages = (PiecePage("title", False, ()),) * opening_pages  # a stand-in
            else:
                pages = layout.pages
            blank = len(self.pages) % 2 == 1
            blanks.append(blank)
            if blank:
                self.pages.append(PiecePage(self.pages[-1].name, True, ()))
            self.first_page[piece] = len(self.pages)
            self.pages.extend(pages)
        self.blank_before = tuple(blanks)
        self.anchors = [page.anchors for page in self.pages]
        self.done = done
        self.arabic_from = arabic_from(self.anchors, first_body)
        self.ranges = label_ranges(len(self.pages), self.arabic_from)
        self.labels = expand_labels(self.ranges)

    def toc_pages(self) -> dict[str, str]:
        """Each part's (and the notes section's) printed page, for the contents."""
        found = {}
        for index, anchors in enumerate(self.anchors):
            for anchor in anchors:
                found.setdefault(anchor, self.labels[index])
        return {piece: found.get(piece, "") for piece in self.order if piece != OPENING}

    def counter(self, page: int) -> int:
        """The value of CSS's page counter on a page (from 1, again from 1 at the body)."""
        return page + 1 if page < self.arabic_from else page - self.arabic_from + 1

    def runs(self, count: int) -> list[tuple[int, int]]:
        """`count` runs of whole pieces, [first, last) page indexes, of about equal
        length (a run always begins on a right-hand page)."""
        starts = [self.first_page[piece] for piece in self.order]
        size = max(1, len(self.pages) // max(1, count))
        cuts = [0]
        for start in starts:
            if start - cuts[-1] >= size and len(cuts) < count:
                cuts.append(start)
        cuts.append(len(self.pages))
        return [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]

    def sheets(self, first: int, last: int) -> list[dict]:
        """The sheets of pages [first, last): groups of the same named page, each sheet
        with the break before it."""
        groups: list[dict] = []
        for index in range(first, last):
            page = self.pages[index]
            if page.blank:
                continue
            if index == first:
                brk = "auto"
            elif self.pages[index - 1].blank:
                brk = "right" if index % 2 == 0 else "left"
            else:
                brk = "page"
            if not groups or groups[-1]["name"] != page.name:
                groups.append({"name": page.name, "sheets": []})
            groups[-1]["sheets"].append(brk)
        if self.pages[last - 1].blank:  # the run's own blank last page: a page without folio
            groups.append({"name": "title", "sheets": ["page"]})
        return groups

    def outline(self) -> tuple[pdfmerge.Bookmark, ...]:
        def moved(mark: pdfmerge.Bookmark, offset: int) -> pdfmerge.Bookmark:
            return pdfmerge.Bookmark(mark.label, mark.page + offset, mark.x, mark.y,
                                     tuple(moved(child, offset) for child in mark.children))

        return tuple(moved(mark, self.first_page[piece])
                     for piece in self.order for mark in self.done[piece].bookmarks)

    def page_map(self):
        starts: list[Position | None] = [None] * len(self.pages)
        end = None
        for piece in self.order:
            layout = self.done[piece]
            first = self.first_page[piece]
            for index, start in enumerate(layout.starts):
                starts[first + index] = start
            if layout.end is not None:
                end = layout.end
        return page_map(self.labels, starts, end)


class _Runner:
    """Lays out pieces: from the cache when it holds them, else in a pool of processes."""

    def __init__(self, cache: CacheFolder, workers: int | None, progress: Progress) -> None:
        self.folder = cache
        self.cache = cache.pieces
        self.workers = max(1, workers or _cores())
        self.progress = progress
        self.pool = None
        self.broken = False  # a worker died: the pool must be ended with care
        self.used: set[str] = set()
        # What WeasyPrint logged for each piece (from the cache too: a warning does not go
        # away because the piece was not laid out again), for renderlog.findings.
        self.logged: list[tuple[str, tuple[renderlog.Record, ...]]] = []

    def __enter__(self) -> _Runner:
        self.cache.mkdir(parents=True, exist_ok=True)
        user_key()  # read before the workers start: they seal what they write with it
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if self.pool is not None and self.broken:
            self._abandon()
        elif self.pool is not None:
            if kind is None:
                self.pool.close()
            else:
                self.pool.terminate()  # interrupted or failed: stop the others at once
            self.pool.join()
        if kind is not None:  # what the stopped workers were writing
            for temporary in self.cache.glob(".*.part"):
                temporary.unlink(missing_ok=True)

    def run(self, stage: str, jobs: list[PieceJob]) -> dict[str, PieceLayout]:
        """Lay out `jobs` (the longest first); their layouts by piece."""
        done: dict[str, PieceLayout] = {}
        todo = []
        self.used.update(job.key for job in jobs)
        for job in jobs:
            cached = self._cached(job)
            if cached is not None:
                done[job.piece] = cached
            else:
                todo.append(job)
        for layout in done.values():
            self.logged.append((layout.piece, layout.logs))
        if not todo:
            return done
        todo.sort(key=lambda job: len(job.html), reverse=True)
        with self.progress.stage(stage, total=len(todo)) as progress:
            for layout in self._lay_out(todo):
                self.logged.append((layout.piece, layout.logs))
                done[layout.piece] = layout
                progress.advance(layout.piece)
        return done

    def start(self, function: Callable, *args) -> Callable[[], object]:
        """Begin `function(*args)` in a process of its own, once the layout workers have
        ended (they keep the memory of the longest piece each laid out); return what waits
        for its result."""
        if self.workers == 1:
            result = function(*args)
            return lambda: result
        if self.pool is not None:
            self.pool.close()
            self.pool.join()
        self.pool = None
        self._ensure_pool(1)
        return functools.partial(self._wait, self.pool.apply_async(function, args).get)

    def _wait(self, get: Callable[[float], object]) -> object:
        """What `get(timeout)` gives, asked again each second until it comes; a worker that
        died meanwhile (killed, out of memory) ends the wait with an error, where the pool
        would wait for ever for its result."""
        while True:
            try:
                return get(1.0)
            except (queue.Empty, multiprocessing.TimeoutError):
                # Pool keeps its processes in `_pool` (private, but stable since Python 3.2)
                # and replaces a dead one at once: a dead or new process is one that died.
                processes = getattr(self.pool, "_pool", [])
                if (any(process.exitcode is not None for process in processes)
                        or {process.pid for process in processes} != self.pids):
                    self.broken = True
                    raise ManuscriptError(
                        "a layout process ended without finishing (killed, or out of "
                        "memory?): nothing was written; build again, with fewer other "
                        "programs running") from None

    def _abandon(self) -> None:
        """End a pool one of whose workers died. `terminate` could wait for ever: the dead
        worker may hold a lock of the pool's queues. So the pool stops replacing workers,
        its workers are killed, and it is left to its (daemon) threads, never joined."""
        pool, self.pool = self.pool, None
        handler = getattr(pool, "_worker_handler", None)
        if handler is not None:
            handler._state = multiprocessing.pool.TERMINATE
            handler.join(2)  # it looks every 0.1 s
        for process in getattr(pool, "_pool", []):
            if process.exitcode is None:
                process.kill()
                process.join(5)
        finalizer = getattr(pool, "_terminate", None)
        if finalizer is not None:
            finalizer.cancel()  # else it would try `terminate` at exit, and wait
        pool._state = multiprocessing.pool.TERMINATE

    def _ensure_pool(self, workers: int | None = None) -> None:
        if self.pool is None:
            self.pids: set[int] = set()
            # Frozen, the objects the workers inherit are never scanned by their garbage
            # collector, which would otherwise copy the pages they lie on into each worker.
            gc.collect()
            gc.freeze()
            try:
                self.pool = multiprocessing.get_context("fork").Pool(
                    workers or self.workers, initializer=_worker_signals,
                    initargs=(os.getpid(),))
            finally:
                gc.unfreeze()
            self.pids = {process.pid for process in getattr(self.pool, "_pool", [])}

    def _lay_out(self, jobs: list[PieceJob]) -> Iterator[PieceLayout]:
        if self.workers == 1 or len(jobs) == 1 and self.pool is None:
            for job in jobs:
                yield lay_out_piece(job)
            return
        self._ensure_pool()
        results: queue.Queue = queue.Queue()
        for job in jobs:
            self.pool.apply_async(lay_out_piece, (job,), callback=results.put,
                                  error_callback=lambda exc: results.put(_Failed(exc)))
        for _ in jobs:
            item = self._wait(lambda timeout: results.get(timeout=timeout))
            if isinstance(item, _Failed):
                raise item.error
            yield item

    def _cached(self, job: PieceJob) -> PieceLayout | None:
        record = job.pdf.with_suffix(".json")
        data = self.folder.read_json(record, _RECORD)
        if data is None:
            return None  # none, or foreign or damaged: laid out again and overwritten
        try:
            layout = PieceLayout.from_data(data)
            if layout.key != job.key or layout.pdf.name != job.pdf.name:
                raise Untrusted("the record of another piece")
            if _sha256(job.pdf) != data["pdf_sha256"]:
                raise Untrusted("the PDF is not the one laid out")
        except (Untrusted, RecursionError):
            self.folder.rejected.add(record)
            return None
        return replace(layout, piece=job.piece, pdf=job.pdf)  # the folder may have moved


def _sha256(pdf: Path) -> str | None:
    """The hash of the file's content; None if it cannot be read."""
    try:
        with pdf.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


@dataclass
class _Failed:
    error: BaseException


def _worker_signals(parent: int) -> None:
    """Workers leave Ctrl-C and SIGTERM to the main process, which stops them, and end
    with it if it is killed (Linux: the kernel sends them SIGTERM)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # killed before the request was made
            os._exit(1)


_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


#: The time one piece may take to lay out: PIECE_SECONDS, plus PIECE_SECONDS_PER_MB for each
#: MB of its HTML. A 40-page chapter takes a few seconds; the limit stops what no book needs
#: (a table of 10^5 rows, an image that expands without end) instead of hanging the build.
PIECE_SECONDS = 300.0
PIECE_SECONDS_PER_MB = 600.0


def lay_out_piece(job: PieceJob) -> PieceLayout:
    """Lay out one piece within its time limit (in a worker); see `_lay_out_piece`."""
    seconds = PIECE_SECONDS + PIECE_SECONDS_PER_MB * len(job.html.encode("utf-8")) / 1e6
    try:
        with time_limit(seconds):
            return _lay_out_piece(job)
    except TooSlow:
        what = {OPENING: "the opening pages", BOOK_NOTES: "the notes"}.get(job.piece, job.piece)
        raise ManuscriptError(f"laying out {what} took more than {seconds:.0f} seconds: "
                              "look there for a very long table, or an image that takes "
                              "long to draw, and simplify it") from None


def _lay_out_piece(job: PieceJob) -> PieceLayout:
    """Lay out one piece and write its PDF and its record into the cache."""
    with renderlog.collect() as records:
        return _lay_out_collected(job, records)


def _lay_out_collected(job: PieceJob, records: list[renderlog.Record]) -> PieceLayout:
    with refusals_raised():
        # job.allowed: the manuscript folder, then the style folders (most specific first).
        fetcher = ConfinedFetcher(list(job.allowed), styles=job.allowed[1:])
        html = HTML(string=job.html, base_url=job.base_url, url_fetcher=fetcher)
        stylesheets = [_stylesheet(job.stylesheet, job.allowed)]
        if job.folios:
            document = html.render(stylesheets=stylesheets)
        else:  # as writers/pdf does
            document = lay_out(html, stylesheets)
            balance_pages(document, part_ids(job.html))
        records.extend(renderlog.overflow_records(overflows(document, part_ids(job.html))))
        pages = tuple(PiecePage(page._page_box.page_type.name or "",
                                bool(page._page_box.page_type.blank), tuple(page.anchors))
                      for page in document.pages)
        bookmarks = () if job.folios else tuple(
            _bookmark(mark) for mark in document.make_bookmark_tree(0.75, True))
        starts, end = (), None
        if job.anchors:
            from allianceprint.pagemap import page_starts
            found = page_starts(document, job.anchors)
            starts, end = found.starts, found.end
        write_atomically(job.pdf, lambda temporary: document.write_pdf(
            temporary, pdf_variant=job.variant))
        fonts = pdffonts.record(document, job.pdf.parent / pdffonts.STORE)
    layout = PieceLayout(job.piece, job.key, job.pdf, pages, bookmarks, tuple(starts), end,
                         tuple(records), fonts)
    record = layout.to_data(_sha256(job.pdf) or "")
    write_sealed(job.pdf.with_suffix(".json"), json.dumps(record, ensure_ascii=False).encode())
    return layout


_STYLESHEETS: dict[tuple, CSS] = {}


def _stylesheet(path: Path, allowed: tuple[Path, ...]) -> CSS:
    """print.css, parsed once per worker rather than once per piece (it does not change
    within a build; its size and time are part of the key for `watch`, which stays up)."""
    stat = path.stat()
    key = (path, stat.st_mtime_ns, stat.st_size, allowed)
    if key not in _STYLESHEETS:
        _STYLESHEETS.clear()
        fetcher = ConfinedFetcher(list(allowed), styles=allowed[1:])  # as in lay_out_piece
        _STYLESHEETS[key] = CSS(filename=str(path), url_fetcher=fetcher)
    return _STYLESHEETS[key]


def _bookmark(mark) -> pdfmerge.Bookmark:
    label, (page, x, y), children, _state = mark
    return pdfmerge.Bookmark(label, page, float(x), float(y),
                             tuple(_bookmark(child) for child in children))


def prune(cache: CacheFolder, keep: Callable[[str], bool]) -> None:
    """Remove the cache's pieces whose key `keep` refuses (after a good build); the font
    store's files are kept under the key "fonts/NAME"."""
    for path in cache.pieces.glob("*"):
        if path.suffix in (".pdf", ".json") and not keep(path.stem):
            path.unlink(missing_ok=True)
    pdffonts.prune(cache.pieces / pdffonts.STORE,
                   lambda name: keep(f"{pdffonts.STORE}/{name}"))
