"""The book's pages, in order -> their printed numbers, and the PDF's page labels (pikepdf).

Pages are numbered in lower-case roman up to the page where the first chapter opens, and
in arabic from 1 there. Both PDF writers number their pages here (writers/pdf from its one
document's pages, writers/pieces from the pieces' pages in reading order) and write the
labels into the PDF's catalog here, so a reader's page box shows "iv" and "37" as printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import pikepdf
import roman

from allianceprint.model import RenderedBook

ROMAN = "r"  # the PDF's page label styles: lower-case roman
ARABIC = "D"  # decimal


@dataclass(frozen=True)
class LabelRange:
    """`count` pages from the page index `start`, numbered from 1 in `style`."""

    start: int
    style: str  # ROMAN or ARABIC
    count: int


def first_chapter(book: RenderedBook) -> str | None:
    """The id of the part where arabic numbering begins: the first of the body."""
    return next((part.id for part in book.parts if part.part.division == "body"), None)


def arabic_from(page_anchors: Sequence[Iterable[str]], first: str | None) -> int:
    """The index of the page that holds the id `first` (see `first_chapter`) among pages
    that hold `page_anchors` (the ids beginning on each page); past the last page when none
    holds it (the book is numbered in roman throughout)."""
    return next(
        (
            index
            for index, anchors in enumerate(page_anchors)
            if first is not None and first in anchors
        ),
        len(page_anchors),
    )


def label_ranges(pages: int, arabic: int) -> tuple[LabelRange, ...]:
    """`pages` pages numbered in roman up to the page index `arabic`, arabic from it."""
    ranges = (LabelRange(0, ROMAN, arabic), LabelRange(arabic, ARABIC, pages - arabic))
    return tuple(r for r in ranges if r.count)


def expand_labels(ranges: Iterable[LabelRange]) -> list[str]:
    """Every page's printed number: "i", "ii", ..., "1", "2", ..."""
    return [
        roman.toRoman(n).lower() if r.style == ROMAN else str(n)
        for r in ranges
        for n in range(1, r.count + 1)
    ]


def write_page_labels(pdf: pikepdf.Pdf, ranges: Iterable[LabelRange]) -> None:
    """The PDF's /PageLabels number tree for `ranges`."""
    nums = pikepdf.Array()
    for label in ranges:
        nums.append(label.start)
        nums.append(pikepdf.Dictionary(S=pikepdf.Name("/" + label.style), St=1))
    pdf.Root.PageLabels = pikepdf.Dictionary(Nums=nums)
