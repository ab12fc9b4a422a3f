"""`RenderedBook` -> the print PDF (WeasyPrint).

The whole book is one HTML document (styles/print/book.html.j2) laid out with CSS paged
media (styles/print/print.css): the contents' page numbers come from `target-counter`, the
outline from `bookmark-level`, running heads from `string-set`, footnotes from
`float: footnote`. After layout, the page where the body begins gives the PDF page labels
(roman, then arabic from 1), added to the catalog as the PDF is written.

Where notes print is `[print] notes`: at the end of each part, at the foot of the page, or in
one section at the back, whose running heads say which text pages its notes belong to (that
mode lays the book out twice: the second time with the heads the first one measured).
The reading edition also reports where each printed page begins (`pagemap`), so that the
EPUB can carry the print page numbers.

Finishing, shared with the pieces (writers/pdfparts): each paragraph's last words are bound
in the HTML (lastwords: no runts); a layout with a ladder of hyphens or a word broken at
the foot of a right-hand page is laid out again with those words kept whole (hyphens);
the pages are vertically justified (balance); the printer's PDF gets its marks outside
the bleed (writers/marks).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Mapping

import lxml.html
import pydyf
from lxml import etree
from weasyprint import CSS, HTML, Attachment
from weasyprint.document import Document
from weasyprint.urls import FatalURLFetchingError

from allianceprint import __version__, cjk, pagerecord, renderlog
from allianceprint.balance import balance_pages, part_ids
from allianceprint.errors import AssetError, Diagnostic
from allianceprint.fetcher import ConfinedFetcher
from allianceprint.hyphens import lay_out
from allianceprint.labels import (
    for_pages,
    format_date,
    history_date,
    is_cjk,
    join_names,
    list_names,
    original_statement,
)
from allianceprint.lastwords import bind_last_words
from allianceprint.mdext import BLOCK_ELEMENTS
from allianceprint.model import Note, PageMap, RenderedBook, RenderedPart
from allianceprint.overflow import overflows
from allianceprint.pagemap import map_pages, shared_anchors
from allianceprint.writers import marks


@dataclass(frozen=True)
class PdfResult:
    path: Path
    pages: int
    labels: tuple[str, ...]  # the printed number of every page, "i", "ii", ..., "1", ...
    page_map: PageMap | None  # where each page begins, for the EPUB (reading edition only)
    # Laid out in pieces: those laid out in this build and those taken from the cache, by
    # part id, "contents" or "notes" (the folios are not counted).
    rendered: tuple[str, ...] = ()
    reused: tuple[str, ...] = ()
    cache_keys: frozenset[str] = frozenset()  # the cache entries this PDF was made from
    findings: tuple[Diagnostic, ...] = ()  # what WeasyPrint logged, located (renderlog)


@dataclass(frozen=True)
class PrintPart:
    """A part as the print template sets it, after the notes mode has placed its notes."""

    part: RenderedPart
    title_html: str
    body_html: str
    end_notes: tuple[PrintNote, ...]  # printed at the end of the part (chapter-end mode)


@dataclass(frozen=True)
class PrintNote:
    """A note as printed at the end of a part or of the book."""

    note: Note
    html: str  # the note's text, its number (a link back to the text) run into its start
    head: str = ""  # book-end mode: "Notes to pages 12–15", known after a first layout


def write_pdf(book: RenderedBook, target: Path, created: str | None = None,
              print_ready: bool = False, name: str = "") -> PdfResult:
    """Lay out and write the print edition (or, `print_ready`, the printer's PDF, whose
    slug line names the file `name`)."""
    fetcher = ConfinedFetcher([book.book.root, *book.styles.folders], book.styles.folders)
    with renderlog.collect() as records:
        result = _write(book, target, fetcher, created, print_ready, name, records)
    return replace(result, findings=tuple(renderlog.findings(records, book)))


def _write(book: RenderedBook, target: Path, fetcher: ConfinedFetcher, created: str | None,
           print_ready: bool, name: str, records: list[renderlog.Record]) -> PdfResult:
    options = book.book.config.print
    try:
        document = _layout(book, fetcher, created, print_ready, heads={})
        if options.notes == "book-end":
            heads = _book_notes_heads(document, book)
            document = _layout(book, fetcher, created, print_ready, heads)
        records.extend(renderlog.overflow_records(
            overflows(document, frozenset(part.id for part in book.parts))))
        labels = _page_labels(document, book)
        # The EPUB cites the reading edition's pages; the printer's PDF has the same pages.
        page_map = None if print_ready else map_pages(document, expand_labels(labels),
                                                      shared_anchors(book))
        variant = None if options.pdf_variant == "none" else options.pdf_variant
        document.write_pdf(target, pdf_variant=variant,
                           finisher=lambda _doc, pdf: _add_page_labels(pdf, labels),
                           attachments=_record(book, document, labels, page_map, variant,
                                               created))
        if print_ready:
            plan = marks.plan_for(options, book.book.config.book.title, name or target.name,
                                  created, expand_labels(labels))
            marks.apply_to_file(target, plan, marks.trim_width(options))
    except FatalURLFetchingError as exc:
        cause = exc.__cause__
        if isinstance(cause, AssetError):
            raise AssetError(cause.message) from exc
        raise
    return PdfResult(target, len(document.pages), tuple(expand_labels(labels)), page_map)


def _record(book: RenderedBook, document: Document, labels: tuple[LabelRange, ...],
            page_map: PageMap | None, variant: str | None,
            created: str | None) -> list[Attachment]:
    """The page record (see pagerecord) as the PDF's one attachment, dated as the PDF."""
    if not pagerecord.allowed(variant):
        return []
    record = pagerecord.record_for(book, expand_labels(labels),
                                   [tuple(page.anchors) for page in document.pages], page_map)
    when = datetime.fromisoformat(created.replace("Z", "+00:00")) if created else None
    return [Attachment(string=record.to_json(), name=pagerecord.NAME, relationship="Data",
                       description="allianceprint page record", created=when, modified=when)]


def _layout(book: RenderedBook, fetcher: ConfinedFetcher,
            created: str | None, print_ready: bool, heads: dict[str, str]) -> Document:
    source = compose_html(book, created, print_ready, heads)
    html = HTML(string=source, base_url=str(book.book.root) + "/", url_fetcher=fetcher)
    stylesheet = CSS(filename=str(book.styles.file("print/print.css")),
                     url_fetcher=fetcher)
    document = lay_out(html, [stylesheet])  # no runs of hyphens, no word broken at a turn
    balance_pages(document, part_ids(source))  # facing pages end on one baseline
    return document


@dataclass(frozen=True)
class Selection:
    """Which pieces of the book one HTML document holds, when the book is laid out in
    pieces (see writers/pdfparts): the opening pages (title, copyright, contents), some
    parts, the book-end notes section."""

    opening: bool = True
    part_ids: frozenset[str] | None = None  # None: every part
    book_notes: bool = True
    toc_pages: Mapping[str, str] | None = None  # anchor -> printed page, for the contents
    folios: bool = True  # False: no folios, no printer's marks (the merge adds them)


WHOLE_BOOK = Selection()


def compose_html(book: RenderedBook, created: str | None = None, print_ready: bool = False,
                 heads: dict[str, str] | None = None,
                 selection: Selection = WHOLE_BOOK) -> str:
    """The print edition as one HTML document, or the `selection` of it."""
    return serialize(compose_document(book, created, print_ready, heads, selection))


def compose_document(book: RenderedBook, created: str | None = None,
                     print_ready: bool = False, heads: dict[str, str] | None = None,
                     selection: Selection = WHOLE_BOOK):
    """`compose_html`, parsed (lxml): for a caller that changes it before it is laid out."""
    config = book.book.config
    meta, people, options = config.book, config.contributors, config.print

    def names(keys: tuple[str, ...]) -> str:
        return join_names([people[k].name for k in keys], book.labels)

    chosen = [p for p in book.parts
              if selection.part_ids is None or p.id in selection.part_ids]
    parts = [_print_part(part, options.notes) for part in chosen]
    book_notes = []
    if options.notes == "book-end" and selection.book_notes:
        book_notes = [(part, [_print_note(n, (heads or {}).get(n.id, "")) for n in part.notes])
                      for part in book.parts if part.notes]
    html = book.styles.render(
        "print", "book.html.j2",
        meta=meta, labels=book.labels, toc=book.toc, version=__version__,
        editors=names(meta.editors), authors=names(meta.authors),
        translators=names(meta.translators),
        pdf_authors=[people[k].name for k in (meta.authors or meta.editors)],
        running_book=meta.title, display_date=format_date(meta.date, meta.language),
        cjk=is_cjk(meta.language), names=lambda names: list_names(list(names), book.labels),
        revision_date=lambda date: history_date(date, meta.language),
        original=original_statement(meta.original, meta.language, book.labels),
        print=options, print_ready=print_ready, created=created,
        opening=selection.opening, toc_pages=selection.toc_pages,
        folios=selection.folios, marks=selection.folios,
        toc_book_notes=options.notes == "book-end" and any(p.notes for p in book.parts),
        front=[p for p in parts if p.part.part.division == "front"],
        body=[p for p in parts if p.part.part.division == "body"],
        back=[p for p in parts if p.part.part.division == "back"],
        book_notes=book_notes, cjk_css=cjk.page_css(options, meta.language))
    return _without_abbr(html, meta.language, cjk.measure_ems(options))


def _without_abbr(html: str, language: str, measure: int):
    """The document, parsed, with each `<abbr>` replaced by its text (the element only tells
    a screen reader what to expand; print shows the same text without it, WeasyPrint does not carry
    its title into the PDF's tags, and its inline boxes make the layout a fifth slower), and
    its Chinese and Japanese text set on the grid (see allianceprint.cjk)."""
    document = lxml.html.document_fromstring(html)
    etree.strip_tags(document, "abbr")
    if not cjk.is_cjk(language):  # no runts: each paragraph's last words together (lastwords)
        for text in document.find_class("part-body") + document.find_class("note-list"):
            bind_last_words(text)
    cjk.typeset(document, language, measure)
    return document


def serialize(document) -> str:
    """An lxml document as the HTML WeasyPrint reads."""
    return lxml.html.tostring(document, doctype="<!DOCTYPE html>", encoding="unicode")


def _print_part(part: RenderedPart, mode: str) -> PrintPart:
    if mode == "footnotes" and part.notes:
        notes = {n.id: n for n in part.notes}
        return PrintPart(part, _with_footnotes(part.title_html, notes),
                         _with_footnotes(part.body_html, notes), ())
    if mode == "book-end":
        return PrintPart(part, part.title_html, part.body_html, ())
    return PrintPart(part, part.title_html, part.body_html,
                     tuple(_print_note(n) for n in part.notes))


def _print_note(note: Note, head: str = "") -> PrintNote:
    """The note with its number, a link back to the first reference, run into its first
    paragraph (so the number can never be parted from its text at a page break)."""
    container = lxml.html.fragment_fromstring(note.html or "<p></p>", create_parent="div")
    number = etree.Element("a", {"class": "note-number", "href": f"#{note.ref_ids[0]}"})
    number.text = f"{note.number}."
    first = container[0] if len(container) else None
    if first is None or first.tag != "p":
        first = etree.Element("p")
        container.insert(0, first)
    number.tail = first.text
    first.text = None
    first.insert(0, number)
    text = etree.tostring(container, encoding="unicode", method="html")
    return PrintNote(note, text[len("<div>"):-len("</div>")], head)


def _with_footnotes(fragment: str, notes: dict[str, Note]) -> str:
    """Put each note's text where it is first referenced, as a `float: footnote` element.

    The note's blocks become spans (a footnote sits inside a paragraph, where blocks cannot);
    later references to the same note stay links to it.
    """
    if not fragment.strip():
        return fragment
    container = lxml.html.fragment_fromstring(fragment, create_parent="div")
    for sup in list(container.iter("sup")):
        link = sup.find("a")
        if sup.get("class") != "noteref" or link is None:
            continue
        note = notes.get(link.get("href", "").lstrip("#"))
        if note is None or link.get("id") != note.ref_ids[0]:
            continue
        footnote = lxml.html.fragment_fromstring(note.html, create_parent="span")
        for element in footnote.iter():
            if isinstance(element.tag, str) and element.tag in BLOCK_ELEMENTS:
                element.set("class", f"fn-{element.tag} " + element.get("class", ""))
                element.tag = "span"
        footnote.set("class", "footnote")
        footnote.set("id", note.id)
        footnote.set("data-number", str(note.number))
        anchor = etree.SubElement(footnote, "a", {"id": link.get("id"), "class": "fn-anchor"})
        anchor.text = ""
        footnote.tail = sup.tail
        sup.getparent().replace(sup, footnote)
    text = etree.tostring(container, encoding="unicode", method="html")
    return text[len("<div>"):-len("</div>")]


def _book_notes_heads(document: Document, book: RenderedBook) -> dict[str, str]:
    """For each note of the book-end section, the running head of the page it starts on:
    "Notes to pages X–Y", X and Y the text pages of the first and last notes on that page."""
    labels = expand_labels(_page_labels(document, book))
    return notes_heads([tuple(page.anchors) for page in document.pages], labels, book)


def notes_heads(page_anchors: list[tuple[str, ...]], labels: list[str],
                book: RenderedBook) -> dict[str, str]:
    """The book-end notes' running heads, from the anchors on each page and the pages'
    labels."""
    ref_page: dict[str, str] = {}
    note_ids: list[list[str]] = []
    all_notes = {n.id: n for p in book.parts for n in p.notes}
    for index, anchors in enumerate(page_anchors):
        on_page = []
        for anchor in anchors:
            if anchor in all_notes:
                on_page.append(anchor)
            else:
                ref_page.setdefault(anchor, labels[index])
        note_ids.append(on_page)
    heads: dict[str, str] = {}
    word_pages, word_page = book.labels["notes_to_pages"], book.labels["notes_to_page"]
    for on_page in note_ids:
        if not on_page:
            continue
        first = ref_page.get(all_notes[on_page[0]].ref_ids[0], "")
        last = ref_page.get(all_notes[on_page[-1]].ref_ids[0], "")
        text = (for_pages(word_page, first) if first == last
                else for_pages(word_pages, f"{first}–{last}"))
        for note_id in on_page:
            heads[note_id] = text
    return heads


@dataclass(frozen=True)
class LabelRange:
    start: int  # page index where the range begins
    style: str  # "r" lower roman, "D" decimal
    count: int  # pages in the range


def _page_labels(document: Document, book: RenderedBook) -> tuple[LabelRange, ...]:
    """Roman up to the page where the first body part opens, arabic from 1 after it."""
    first_body = next((p.id for p in book.parts if p.part.division == "body"), None)
    start = len(document.pages)
    for index, page in enumerate(document.pages):
        if first_body in page.anchors:
            start = index
            break
    ranges = [LabelRange(0, "r", start)]
    if start < len(document.pages):
        ranges.append(LabelRange(start, "D", len(document.pages) - start))
    return tuple(r for r in ranges if r.count)


def expand_labels(ranges: tuple[LabelRange, ...]) -> list[str]:
    labels = []
    for r in ranges:
        for n in range(1, r.count + 1):
            labels.append(roman(n) if r.style == "r" else str(n))
    return labels


def _add_page_labels(pdf: pydyf.PDF, ranges: tuple[LabelRange, ...]) -> None:
    nums = pydyf.Array()
    for r in ranges:
        nums.extend([r.start, pydyf.Dictionary({"S": f"/{r.style}", "St": 1})])
    pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": nums})


def roman(number: int) -> str:
    numerals = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
    result = ""
    for value, numeral in numerals:
        while number >= value:
            result += numeral
            number -= value
    return result



