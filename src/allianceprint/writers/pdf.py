"""`RenderedBook` -> the print PDF as one WeasyPrint document (`--single-document`).

The whole book is one HTML document (writers/printhtml) laid out with CSS paged media
(styles/print/print.css): the contents' page numbers come from `target-counter`, the
outline from `bookmark-level`, running heads from `string-set`, footnotes from
`float: footnote`. With the notes in one section at the back, the book is laid out twice:
the second time with the running heads the first one measured. After layout, the page where
the body begins gives the page labels (writers/pagelabels). The reading edition also
reports where each printed page begins (`pagemap`), so that the EPUB can carry the print
page numbers.

This is the reference the pieces writer (writers/pieces, the default) is tested against;
the finishing is the same: each paragraph's last words bound (in printhtml); a layout with
a ladder of hyphens or a word broken at the foot of a right-hand page laid out again
(hyphens); the pages vertically justified (balance); the printer's PDF's marks outside the
bleed (writers/marks).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Mapping

import pikepdf
from weasyprint import CSS, HTML, Attachment
from weasyprint.document import Document

from allianceprint import pagerecord, renderlog
from allianceprint.fetcher import ConfinedFetcher, refusals_raised
from allianceprint.finishing import lay_out_finished
from allianceprint.housestyle import StyleSet
from allianceprint.model import PageMap, RenderedBook
from allianceprint.overflow import overflows
from allianceprint.pagemap import map_pages, shared_anchors
from allianceprint.writers import marks
from allianceprint.writers.pagelabels import (
    LabelRange,
    arabic_from,
    expand_labels,
    first_chapter,
    label_ranges,
    write_page_labels,
)
from allianceprint.writers.pdfresult import PdfResult
from allianceprint.writers.printhtml import compose_html, notes_heads


def write_pdf(
    book: RenderedBook,
    target: Path,
    created: str | None = None,
    print_ready: bool = False,
    name: str = "",
) -> PdfResult:
    """Lay out and write the print edition (or, `print_ready`, the printer's PDF, whose
    slug line names the file `name`)."""
    fetcher = ConfinedFetcher([book.book.root, *book.styles.folders], book.styles.folders)
    with renderlog.collect() as records:
        result = _write(book, target, fetcher, created, print_ready, name, records)
    return replace(result, findings=tuple(renderlog.findings(records, book)))


def _write(
    book: RenderedBook,
    target: Path,
    fetcher: ConfinedFetcher,
    created: str | None,
    print_ready: bool,
    name: str,
    records: list[renderlog.Record],
) -> PdfResult:
    options = book.book.config.print
    with refusals_raised():
        document = _layout(book, fetcher, created, print_ready, heads={})
        if book.note_placement.book_end:
            heads = _book_notes_heads(document, book)
            document = _layout(book, fetcher, created, print_ready, heads)
        records.extend(
            renderlog.overflow_records(
                overflows(document, frozenset(part.id for part in book.parts))
            )
        )
        ranges = _page_labels(document, book)
        labels = expand_labels(ranges)
        # The EPUB cites the reading edition's pages; the printer's PDF has the same pages.
        page_map = None if print_ready else map_pages(document, labels, shared_anchors(book))
        document.write_pdf(
            target,
            pdf_variant=options.weasyprint_variant,
            attachments=_record(
                book, document, labels, page_map, options.weasyprint_variant, created
            ),
        )
        plan = None
        if print_ready:
            plan = marks.plan_for(
                options, book.book.config.book.title, name or target.name, created, labels
            )
        _finish(target, ranges, plan, marks.trim_width(options), book.styles)
    return PdfResult(target, len(document.pages), tuple(labels), page_map)


def _finish(
    target: Path,
    ranges: tuple[LabelRange, ...],
    plan: marks.MarksPlan | None,
    trim: float,
    styles: StyleSet,
) -> None:
    """Write the page labels into the PDF file `target`, and, for the printer's PDF
    (`plan`), draw its marks outside the bleed."""
    slug = marks.slug_pdf(plan, trim, target.parent, styles) if plan is not None else None
    try:
        with pikepdf.open(target, allow_overwriting_input=True) as pdf:
            write_page_labels(pdf, ranges)
            if plan is not None:
                marks.draw_marks(pdf, plan, slug)
            pdf.save(
                target,
                deterministic_id=True,
                fix_metadata_version=False,
                object_stream_mode=pikepdf.ObjectStreamMode.generate,
            )
    finally:
        if slug is not None:
            slug.unlink(missing_ok=True)


def _record(
    book: RenderedBook,
    document: Document,
    labels: list[str],
    page_map: PageMap | None,
    variant: str | None,
    created: str | None,
) -> list[Attachment]:
    """The page record (see pagerecord) as the PDF's one attachment, dated as the PDF."""
    if not pagerecord.allowed(variant):
        return []
    record = pagerecord.record_for(
        book, labels, [tuple(page.anchors) for page in document.pages], page_map
    )
    when = datetime.fromisoformat(created.replace("Z", "+00:00")) if created else None
    return [
        Attachment(
            string=record.to_json(),
            name=pagerecord.NAME,
            relationship="Data",
            description="allianceprint page record",
            created=when,
            modified=when,
        )
    ]


def _layout(
    book: RenderedBook,
    fetcher: ConfinedFetcher,
    created: str | None,
    print_ready: bool,
    heads: Mapping[str, str],
) -> Document:
    source = compose_html(book, created, print_ready, heads)
    html = HTML(string=source, base_url=str(book.book.root) + "/", url_fetcher=fetcher)
    stylesheet = CSS(filename=str(book.styles.file("print/print.css")), url_fetcher=fetcher)
    return lay_out_finished(html, source, [stylesheet])


def _book_notes_heads(document: Document, book: RenderedBook) -> dict[str, str]:
    """For each note of the book's notes section, the running head of the page it starts
    on (printhtml.notes_heads), from a first layout."""
    labels = expand_labels(_page_labels(document, book))
    return notes_heads([tuple(page.anchors) for page in document.pages], labels, book)


def _page_labels(document: Document, book: RenderedBook) -> tuple[LabelRange, ...]:
    """Roman up to the page where the first chapter opens, arabic from 1 there."""
    anchors = [page.anchors for page in document.pages]
    return label_ranges(len(anchors), arabic_from(anchors, first_chapter(book)))
