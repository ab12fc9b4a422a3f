"""`RenderedBook` -> the print PDF (WeasyPrint).

The whole book is one HTML document (styles/print/book.html.j2) laid out with CSS paged
media (styles/print/print.css): the contents' page numbers come from `target-counter`, the
outline from `bookmark-level`, running heads from `string-set`. After layout, the pages where
the body begins give the PDF page labels (roman, then arabic from 1), added to the catalog
as the PDF is written.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import jinja2
import pydyf
from weasyprint import CSS, HTML
from weasyprint.urls import FatalURLFetchingError

from allianceprint import __version__
from allianceprint.errors import AssetError
from allianceprint.fetcher import ConfinedFetcher
from allianceprint.model import RenderedBook

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class PdfResult:
    path: Path
    pages: int
    labels: tuple[str, ...]  # the printed number of every page, "i", "ii", ..., "1", ...


def compose_html(book: RenderedBook, created: str | None = None) -> str:
    """The print edition as one HTML document."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(book.stylesheet_dir / "print"),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=False)
    meta = book.book.config.book
    people = book.book.config.contributors
    join = _name_joiner(book.labels["and"])
    editors = join([people[k].name for k in meta.editors])
    authors = join([people[k].name for k in meta.authors])
    translators = join([people[k].name for k in meta.translators])
    pdf_authors = [people[k].name for k in (meta.authors or meta.editors)]
    by_division = {d: [p for p in book.parts if p.part.division == d]
                   for d in ("front", "body", "back")}
    return env.get_template("book.html.j2").render(
        meta=meta, labels=book.labels, toc=book.toc, version=__version__,
        editors=editors, authors=authors, translators=translators, pdf_authors=pdf_authors,
        running_book=meta.title, display_date=_display_date(meta.date),
        trim=book.book.config.print.trim, font_size=book.book.config.print.font_size,
        created=created, front=by_division["front"], body=by_division["body"],
        back=by_division["back"])


def write_pdf(book: RenderedBook, target: Path, created: str | None = None) -> PdfResult:
    """Lay out and write the print edition to `target`."""
    root = book.book.root
    fetcher = ConfinedFetcher([root, book.stylesheet_dir])
    html = HTML(string=compose_html(book, created), base_url=str(root) + "/",
                url_fetcher=fetcher)
    stylesheet = CSS(filename=str(book.stylesheet_dir / "print" / "print.css"),
                     url_fetcher=fetcher)
    try:
        document = html.render(stylesheets=[stylesheet])
        labels = _page_labels(document, book)
        document.write_pdf(target, finisher=lambda _doc, pdf: _add_page_labels(pdf, labels))
    except FatalURLFetchingError as exc:
        cause = exc.__cause__
        if isinstance(cause, AssetError):
            raise AssetError(cause.message) from exc
        raise
    return PdfResult(target, len(document.pages), tuple(label for label in _expand(labels)))


@dataclass(frozen=True)
class _LabelRange:
    start: int  # page index where the range begins
    style: str  # "r" lower roman, "D" decimal
    count: int  # pages in the range


def _page_labels(document, book: RenderedBook) -> tuple[_LabelRange, ...]:
    """Roman up to the page where the first body part opens, arabic from 1 after it."""
    first_body = next((p.id for p in book.parts if p.part.division == "body"), None)
    start = len(document.pages)
    for index, page in enumerate(document.pages):
        if first_body in page.anchors:
            start = index
            break
    ranges = [_LabelRange(0, "r", start)]
    if start < len(document.pages):
        ranges.append(_LabelRange(start, "D", len(document.pages) - start))
    return tuple(r for r in ranges if r.count)


def _expand(ranges: tuple[_LabelRange, ...]) -> list[str]:
    labels = []
    for r in ranges:
        for n in range(1, r.count + 1):
            labels.append(_roman(n) if r.style == "r" else str(n))
    return labels


def _add_page_labels(pdf: pydyf.PDF, ranges: tuple[_LabelRange, ...]) -> None:
    nums = pydyf.Array()
    for r in ranges:
        nums.extend([r.start, pydyf.Dictionary({"S": f"/{r.style}", "St": 1})])
    pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": nums})


def _roman(number: int) -> str:
    numerals = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
    result = ""
    for value, numeral in numerals:
        while number >= value:
            result += numeral
            number -= value
    return result


def _name_joiner(and_word: str):
    def join(names: list[str]) -> str:
        if len(names) <= 1:
            return "".join(names)
        if len(and_word) == 1 and not and_word.isalpha():
            return and_word.join(names)
        return ", ".join(names[:-1]) + f" {and_word} " + names[-1]
    return join


def _display_date(date: str) -> str:
    months = ["January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December"]
    pieces = date.split("-") if date else []
    if len(pieces) >= 2:
        return f"{months[int(pieces[1]) - 1]} {pieces[0]}"
    return date
