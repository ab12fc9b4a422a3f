"""A `PieceJob` -> its `PieceLayout`, in a layout worker: the piece laid out as the one
document writer lays out the book (hyphens, balance), within a time limit, its PDF and its
record written into the cache (sealed), what WeasyPrint logged kept with it."""

from __future__ import annotations

import json

from weasyprint import CSS, HTML

from allianceprint import renderlog
from allianceprint.balance import part_ids
from allianceprint.cachefolder import write_atomically, write_sealed
from allianceprint.errors import ManuscriptError
from allianceprint.fetcher import ConfinedFetcher, refusals_raised
from allianceprint.finishing import lay_out_finished
from allianceprint.overflow import overflows
from allianceprint.pagemap import page_starts
from allianceprint.render import TooSlow, time_limit
from allianceprint.weasyboxes import page_box
from allianceprint.writers import pdffonts, pdfmerge
from allianceprint.writers.pieces.records import (
    BOOK_NOTES,
    OPENING,
    PieceJob,
    PieceLayout,
    PiecePage,
    pdf_sha256,
)

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
        raise ManuscriptError(
            f"laying out {what} took more than {seconds:.0f} seconds: "
            "look there for a very long table, or an image that takes "
            "long to draw, and simplify it"
        ) from None


def _lay_out_piece(job: PieceJob) -> PieceLayout:
    """Lay out one piece and write its PDF and its record into the cache."""
    with renderlog.collect() as records:
        return _lay_out_collected(job, records)


def _lay_out_collected(job: PieceJob, records: list[renderlog.Record]) -> PieceLayout:
    with refusals_raised():
        # job.allowed: the manuscript folder, then the style folders (most specific first).
        fetcher = ConfinedFetcher(list(job.allowed), styles=job.allowed[1:])
        html = HTML(string=job.html, base_url=job.base_url, url_fetcher=fetcher)
        stylesheets = [_stylesheet(job)]
        if job.folios:
            document = html.render(stylesheets=stylesheets)
        else:
            document = lay_out_finished(html, job.html, stylesheets)
        records.extend(renderlog.overflow_records(overflows(document, part_ids(job.html))))
        pages = tuple(
            PiecePage(
                page_box(page).page_type.name or "",
                bool(page_box(page).page_type.blank),
                tuple(page.anchors),
            )
            for page in document.pages
        )
        bookmarks = (
            ()
            if job.folios
            else tuple(_bookmark(mark) for mark in document.make_bookmark_tree(0.75, True))
        )
        starts, end = (), None
        if job.anchors:
            found = page_starts(document, job.anchors)
            starts, end = found.starts, found.end
        write_atomically(
            job.pdf, lambda temporary: document.write_pdf(temporary, pdf_variant=job.variant)
        )
        fonts = pdffonts.record(document, job.pdf.parent / pdffonts.STORE)
    layout = PieceLayout(
        job.piece, job.key, job.pdf, pages, bookmarks, tuple(starts), end, tuple(records), fonts
    )
    record = layout.to_data(pdf_sha256(job.pdf) or "")
    write_sealed(job.pdf.with_suffix(".json"), json.dumps(record, ensure_ascii=False).encode())
    return layout


_STYLESHEETS: dict[tuple, CSS] = {}


def _stylesheet(job: PieceJob) -> CSS:
    """print.css, parsed once per worker rather than once per piece (it does not change
    within a build). A process that lays pieces out itself stays up across builds (`watch`
    on one core, which forks no workers), so the key is the content of every style file
    (the job's digest, hashed once per build): print.css @imports others (cjk.css), whose
    changes its own time would not show."""
    key = (job.stylesheet, job.styles_digest, job.allowed)
    if key not in _STYLESHEETS:
        _STYLESHEETS.clear()
        # job.allowed: the manuscript folder, then the style folders, as in lay_out_piece.
        fetcher = ConfinedFetcher(list(job.allowed), styles=job.allowed[1:])
        _STYLESHEETS[key] = CSS(filename=str(job.stylesheet), url_fetcher=fetcher)
    return _STYLESHEETS[key]


def _bookmark(mark) -> pdfmerge.Bookmark:
    label, (page, x, y), children, _state = mark
    return pdfmerge.Bookmark(
        label, page, float(x), float(y), tuple(_bookmark(child) for child in children)
    )
