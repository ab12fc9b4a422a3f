"""The pieces' layouts, in reading order -> `Numbering`: the book's pages as the merge will
join them (a blank page before a piece that would open on a left-hand page), their printed
numbers (writers/pagelabels), the contents' page numbers, the runs of folio pages and what
each folio page is, the outline and the page map."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from allianceprint.model import PageMap
from allianceprint.pagemap import Position, page_map
from allianceprint.writers import pdfmerge
from allianceprint.writers.pagelabels import arabic_from, expand_labels, label_ranges
from allianceprint.writers.pieces.records import OPENING, PieceLayout, PiecePage

#: The named page (print.css) of a page that stands in for one not laid out yet, and of the
#: folio page of a run's blank last page: a page that shows no folio.
UNNUMBERED_PAGE = "title"


def is_left_hand(page: int) -> bool:
    """Whether the page with this index (from 0, the first right-hand page) is a
    left-hand page."""
    return page % 2 == 1


def even_pages(count: int) -> int:
    """The pages a piece of `count` pages takes in the book: an odd count leaves a blank
    left-hand page after it, since the next piece opens on a right-hand page."""
    return count + count % 2


@dataclass(frozen=True)
class FolioGroup:
    """Folio pages of one named page (print.css's `@page NAME`), for folios.html.j2."""

    name: str
    sheets: tuple[str, ...]  # one empty sheet per folio page: the CSS break before it


class Numbering:
    """The book's pages in order, from the pieces' layouts: blanks, labels, positions."""

    def __init__(
        self,
        order: list[str],
        done: Mapping[str, PieceLayout],
        opening_pages: int,
        first_body: str | None,
    ) -> None:
        self.order = [piece for piece in order if piece in done or piece == OPENING]
        self.first_page: dict[str, int] = {}
        self.pages: list[PiecePage] = []
        blanks: list[bool] = []
        for piece in self.order:
            layout = done.get(piece)
            if piece == OPENING and (
                layout is None or even_pages(len(layout.pages)) != opening_pages
            ):
                pages = (PiecePage(UNNUMBERED_PAGE, False, ()),) * opening_pages  # a stand-in
            else:
                pages = layout.pages
            blank = is_left_hand(len(self.pages))
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

    def folio_groups(self, first: int, last: int) -> list[FolioGroup]:
        """The folio pages of pages [first, last): one for each page that is not blank,
        with the break before it, in groups of the same named page."""
        groups: list[tuple[str, list[str]]] = []  # (name, the break before each page)
        for index in range(first, last):
            page = self.pages[index]
            if page.blank:
                continue
            if index == first:
                brk = "auto"
            elif self.pages[index - 1].blank:
                brk = "left" if is_left_hand(index) else "right"
            else:
                brk = "page"
            if not groups or groups[-1][0] != page.name:
                groups.append((page.name, []))
            groups[-1][1].append(brk)
        if self.pages[last - 1].blank:  # the run's own blank last page: a page without folio
            groups.append((UNNUMBERED_PAGE, ["page"]))
        return [FolioGroup(name, tuple(breaks)) for name, breaks in groups]

    def outline(self) -> tuple[pdfmerge.Bookmark, ...]:
        def moved(mark: pdfmerge.Bookmark, offset: int) -> pdfmerge.Bookmark:
            return pdfmerge.Bookmark(
                mark.label,
                mark.page + offset,
                mark.x,
                mark.y,
                tuple(moved(child, offset) for child in mark.children),
            )

        return tuple(
            moved(mark, self.first_page[piece])
            for piece in self.order
            for mark in self.done[piece].bookmarks
        )

    def page_map(self) -> PageMap:
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
