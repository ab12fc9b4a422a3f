"""`RenderedBook` -> `Pieces`: the book cut into pieces (the opening, each part, the notes
section; the folio runs), each a `PieceJob` for a worker: its HTML (writers/printhtml, a
`Selection` of the book, each link to another piece written `allianceprint:ID` for the
merge to point), and its cache key, a hash of everything that affects its layout."""

from __future__ import annotations

import hashlib
from importlib.metadata import version
from pathlib import Path
from typing import Iterable, Mapping

from allianceprint import __version__
from allianceprint.cachefolder import CacheFolder
from allianceprint.model import RenderedBook
from allianceprint.pagemap import shared_anchors
from allianceprint.stamp import code_digest
from allianceprint.writers import pdfmerge
from allianceprint.writers.pagelabels import first_chapter
from allianceprint.writers.pieces.numbering import Numbering
from allianceprint.writers.pieces.records import (
    BOOK_NOTES,
    FOLIOS,
    OPENING,
    PieceJob,
    PieceLayout,
)
from allianceprint.writers.printhtml import Selection, compose_document, notes_heads, serialize

#: What the contents shows for a page number before the pages are numbered: as wide as a
#: real one may be, since that first layout is for the contents' length.
STAND_IN_NUMBER = "0000"
#: The opening's length when the notes' running heads are measured: any even number does,
#: for only the text pages' numbers matter there.
ANY_OPENING_PAGES = 4


class Pieces:
    """The book cut into pieces, each as an HTML document and a job for a worker."""

    def __init__(self, book: RenderedBook, cache: CacheFolder, print_ready: bool) -> None:
        self.book = book
        self.cache = cache
        self.print_ready = print_ready
        options = book.book.config.print
        self.variant = options.weasyprint_variant
        self.stylesheet = book.styles.file("print/print.css")
        self.shared = frozenset() if print_ready else shared_anchors(book)
        self.book_end = book.note_placement.book_end
        parts = book.parts
        division = {p.id: p.part.division for p in parts}
        self.order = (
            [OPENING]
            + [p.id for p in parts if division[p.id] == "front"]
            + [p.id for p in parts if division[p.id] == "body"]
            + ([BOOK_NOTES] if self.book_end else [])
            + [p.id for p in parts if division[p.id] == "back"]
        )
        self.first_body = first_chapter(book)
        # What every piece's cache key holds besides its own HTML and images.
        self._key_basis = (
            __version__,
            code_digest(),
            version("weasyprint"),  # not imported here: the workers import it
            self.variant or "",
            book.styles.digest,
        )

    def parts(self) -> list[PieceJob]:
        return [
            self._job(
                part.id,
                Selection(
                    opening=False, part_ids=frozenset({part.id}), book_notes=False, folios=False
                ),
                images=part.images,
            )
            for part in self.book.parts
        ]

    def book_notes(self, heads: Mapping[str, str]) -> PieceJob:
        return self._job(
            BOOK_NOTES,
            Selection(opening=False, part_ids=frozenset(), book_notes=True, folios=False),
            heads=heads,
        )

    def opening(self, toc_pages: dict[str, str] | None) -> PieceJob:
        """The opening pages; without `toc_pages`, the contents has stand-in numbers (as
        wide as a real one may be: its length is what the first layout is for)."""
        if toc_pages is None:
            toc_pages = {piece: STAND_IN_NUMBER for piece in self.order if piece != OPENING}
        return self._job(
            OPENING,
            Selection(
                opening=True,
                part_ids=frozenset(),
                book_notes=False,
                toc_pages=toc_pages,
                folios=False,
            ),
        )

    def book_notes_heads(self, done: Mapping[str, PieceLayout]) -> dict[str, str]:
        """The notes section's running heads (printhtml.notes_heads), from the body's and
        the notes' first layouts (the notes pages' own numbers do not matter here, only the
        text pages')."""
        numbers = Numbering(self.order, done, ANY_OPENING_PAGES, self.first_body)
        return notes_heads(numbers.anchors, numbers.labels, self.book)

    def folios(self, numbers: Numbering, runs: int) -> list[PieceJob]:
        """The folio pages, in `runs` runs of whole pieces of about equal length."""
        jobs = []
        for index, (first, last) in enumerate(numbers.runs(runs)):
            html = self.book.styles.render(
                "print",
                "folios.html.j2",
                language=self.book.book.config.book.language,
                print=self.book.book.config.print,
                print_ready=self.print_ready,
                marks=True,
                first_counter=numbers.counter(first),
                groups=numbers.folio_groups(first, last),
            )
            key = self._key(html, folios=True)
            jobs.append(self._piece_job(f"{FOLIOS}-{index}", key, html, None, folios=True))
        return jobs

    def _job(
        self,
        piece: str,
        selection: Selection,
        heads: Mapping[str, str] | None = None,
        images: Iterable[Path] = (),
    ) -> PieceJob:
        html, ids = linked_across(
            compose_document(self.book, None, self.print_ready, heads, selection)
        )
        anchors = self.shared & ids
        key = self._key(html, sorted(anchors), *(self._image(path) for path in images))
        return self._piece_job(piece, key, html, self.variant, anchors=anchors)

    def _piece_job(self, piece: str, key: str, html: str, variant: str | None, **more) -> PieceJob:
        """The job for a piece's `html`: what every piece's job holds besides it."""
        return PieceJob(
            piece,
            key,
            html,
            self._base_url(),
            self.stylesheet,
            self._allowed(),
            self.book.styles.digest,
            variant,
            self.cache.piece_pdf(key),
            **more,
        )

    def _key(self, html: str, *more, folios: bool = False) -> str:
        digest = hashlib.sha256()
        for item in (*self._key_basis, folios, html, *more):
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


def linked_across(document) -> tuple[str, frozenset[str]]:
    """The piece's HTML (from its lxml `document`) with each link to an anchor outside it
    written `allianceprint:ID` (WeasyPrint keeps it as a link; the merge points it at the
    anchor), and its ids."""
    ids = frozenset(document.xpath("//@id"))
    for link in document.xpath("//a[starts-with(@href, '#')]"):
        anchor = link.get("href")[1:]
        if anchor and anchor not in ids:
            link.set("href", pdfmerge.LINK_SCHEME + anchor)
    return serialize(document), ids
