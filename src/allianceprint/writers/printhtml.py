"""`RenderedBook` (or a `Selection` of it) -> the print edition's HTML, as WeasyPrint lays it
out (styles/print/book.html.j2).

Both PDF writers lay out this HTML: writers/pdf the whole book as one document,
writers/pieces each piece of it. The notes are placed as `book.note_placement` says
(noteplacing): at the end of each part, as `float: footnote` elements where they are
first referenced, or in one section at the back, whose running heads ("Notes to pages
12–15", `notes_heads`) are known only once the pages are laid out, so that a writer
composes that section twice. Each paragraph's last words are bound together (lastwords: no
runts), `<abbr>` is dropped (print shows its text), and Chinese and Japanese are set on
the grid (cjk).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import lxml.html
from lxml import etree

from allianceprint import __version__, cjk, cjklang
from allianceprint.fragments import inner_html, parse_fragment
from allianceprint.labels import (
    for_pages,
    format_date,
    history_date,
    join_names,
    list_names,
    original_statement,
    uses_zh_ja_formats,
)
from allianceprint.lastwords import bind_last_words
from allianceprint.mdext import BLOCK_ELEMENTS
from allianceprint.model import Note, RenderedBook, RenderedPart
from allianceprint.noteplacing import NotePlacement, run_in_number


@dataclass(frozen=True)
class PrintPart:
    """A part as the print template sets it, its notes placed."""

    part: RenderedPart
    title_html: str
    body_html: str
    end_notes: tuple[PrintNote, ...]  # printed at the end of the part


@dataclass(frozen=True)
class PrintNote:
    """A note as printed at the end of a part or of the book."""

    note: Note
    html: str  # the note's text, its number (a link back to the text) run into its start
    head: str = ""  # in the book's notes section: "Notes to pages 12–15" (`notes_heads`)


@dataclass(frozen=True)
class Selection:
    """Which pieces of the book one HTML document holds, when the book is laid out in
    pieces (see writers/pieces): the opening pages (title, copyright, contents), some
    parts, the book's notes section."""

    opening: bool = True
    part_ids: frozenset[str] | None = None  # None: every part
    book_notes: bool = True
    toc_pages: Mapping[str, str] | None = None  # anchor -> printed page, for the contents
    folios: bool = True  # False: no folios, no printer's marks (the merge adds them)


WHOLE_BOOK = Selection()


def compose_html(
    book: RenderedBook,
    created: str | None = None,
    print_ready: bool = False,
    heads: Mapping[str, str] | None = None,
    selection: Selection = WHOLE_BOOK,
) -> str:
    """The print edition as one HTML document, or the `selection` of it; `heads`: the
    running head of each note of the book's notes section, by note id."""
    return serialize(compose_document(book, created, print_ready, heads, selection))


def compose_document(
    book: RenderedBook,
    created: str | None = None,
    print_ready: bool = False,
    heads: Mapping[str, str] | None = None,
    selection: Selection = WHOLE_BOOK,
):
    """`compose_html`, parsed (lxml): for a caller that changes it before it is laid out."""
    config = book.book.config
    meta, people, options = config.book, config.contributors, config.print
    placement = book.note_placement

    def names(keys: tuple[str, ...]) -> str:
        return join_names([people[k].name for k in keys], book.labels)

    chosen = [p for p in book.parts if selection.part_ids is None or p.id in selection.part_ids]
    parts = [_print_part(part, placement) for part in chosen]
    book_notes = []
    if placement.book_end and selection.book_notes:
        book_notes = [
            (part, [_print_note(n, (heads or {}).get(n.id, "")) for n in part.notes])
            for part in book.parts
            if part.notes
        ]
    html = book.styles.render(
        "print",
        "book.html.j2",
        meta=meta,
        labels=book.labels,
        toc=book.toc,
        version=__version__,
        editors=names(meta.editors),
        authors=names(meta.authors),
        translators=names(meta.translators),
        pdf_authors=[people[k].name for k in (meta.authors or meta.editors)],
        running_book=meta.title,
        display_date=format_date(meta.date, meta.language),
        cjk=uses_zh_ja_formats(meta.language),
        names=lambda names: list_names(list(names), book.labels),
        revision_date=lambda date: history_date(date, meta.language),
        original=original_statement(meta.original, meta.language, book.labels),
        print=options,
        notes=placement,
        print_ready=print_ready,
        created=created,
        opening=selection.opening,
        toc_pages=selection.toc_pages,
        folios=selection.folios,
        marks=selection.folios,
        front=[p for p in parts if p.part.part.division == "front"],
        body=[p for p in parts if p.part.part.division == "body"],
        back=[p for p in parts if p.part.part.division == "back"],
        book_notes=book_notes,
        cjk_css=cjk.page_css(options, meta.language),
    )
    document = _without_abbr(html, meta.language, cjk.measure_ems(options))
    _numbered_as_written(document)
    return document


def _without_abbr(html: str, language: str, measure: int):
    """The document, parsed, with each `<abbr>` replaced by its text (the element only tells
    a screen reader what to expand; print shows the same text without it, WeasyPrint does not carry
    its title into the PDF's tags, and its inline boxes make the layout a fifth slower), and
    its Chinese and Japanese text set on the grid (see allianceprint.cjk)."""
    document = lxml.html.document_fromstring(html)
    etree.strip_tags(document, "abbr")
    _ruby_in_parentheses(document, language)  # before the grid measures the text
    if not cjklang.is_cjk(language):  # no runts: each paragraph's last words together (lastwords)
        for text in document.find_class("part-body") + document.find_class("note-list"):
            bind_last_words(text)
    cjk.typeset(document, language, measure)
    return document


def _numbered_as_written(document) -> None:
    """`<ol start="4">` and `<li value="7">` as CSS counters: WeasyPrint reads those
    attributes only as presentational hints, which the book is not laid out with, so a list
    the author began at 4 printed from 1. (A footnote's lists are spans: see `_with_footnotes`.)"""
    for element in document.iter("ol", "li", "span"):
        kind = element.get("class", "").split()[:1]
        if element.tag == "ol" or kind == ["fn-ol"]:
            number, rule = _integer(element.get("start")), "counter-reset"
        elif element.tag == "li" or kind == ["fn-li"]:
            number, rule = _integer(element.get("value")), "counter-set"
        else:
            continue
        if number is not None:  # each item adds one before it prints the counter
            style = element.get("style", "").strip().rstrip(";")
            rule = f"{rule}: list-item {number - 1}"
            element.set("style", f"{style}; {rule}" if style else rule)


def _ruby_in_parentheses(document, language: str) -> None:
    """Each ruby's reading (`<rt>`) in parentheses after its base text, as `<rp>` gives it
    where ruby cannot be set: WeasyPrint has no ruby layout and hid the `<rp>` an author
    wrote, so 流域 with its reading りゅういき printed as 流域りゅういき. The parentheses the
    author gave are kept (print.css shows `<rp>`); missing ones are added, full-width in a
    Chinese or Japanese book."""
    opening, closing = ("（", "）") if cjklang.is_cjk(language) else ("(", ")")
    for rt in list(document.iter("rt")):
        before, after = rt.getprevious(), rt.getnext()
        if before is None or before.tag != "rp" or (before.tail or "").strip():
            rp = etree.Element("rp")
            rp.text = opening
            rt.addprevious(rp)
        if after is None or after.tag != "rp" or (rt.tail or "").strip():
            rp = etree.Element("rp")
            rp.text = closing
            rp.tail, rt.tail = rt.tail, None
            rt.addnext(rp)


def _integer(value: str | None) -> int | None:
    try:
        return int(value.strip()) if value is not None else None
    except ValueError:
        return None


def serialize(document) -> str:
    """An lxml document as the HTML WeasyPrint reads."""
    return lxml.html.tostring(document, doctype="<!DOCTYPE html>", encoding="unicode")


def _print_part(part: RenderedPart, placement: NotePlacement) -> PrintPart:
    if placement.footnotes and part.notes:
        notes = {n.id: n for n in part.notes}
        return PrintPart(
            part,
            _with_footnotes(part.title_html, notes),
            _with_footnotes(part.body_html, notes),
            (),
        )
    end_notes = tuple(_print_note(n) for n in part.notes) if placement.part_end else ()
    return PrintPart(part, part.title_html, part.body_html, end_notes)


def _print_note(note: Note, head: str = "") -> PrintNote:
    """The note with its number run into its first paragraph (noteplacing)."""
    return PrintNote(note, inner_html(run_in_number(note, {})), head)


def _with_footnotes(fragment: str, notes: dict[str, Note]) -> str:
    """Put each note's text where it is first referenced, as a `float: footnote` element.

    The note's blocks become spans (a footnote sits inside a paragraph, where blocks cannot),
    without the white space between them: inside a paragraph, each newline between two list
    items would be a line of its own. Later references to the same note stay links to it.
    """
    if not fragment.strip():
        return fragment
    container = parse_fragment(fragment)
    for sup in list(container.iter("sup")):
        link = sup.find("a")
        if sup.get("class") != "noteref" or link is None:
            continue
        note = notes.get(link.get("href", "").lstrip("#"))
        if note is None or link.get("id") != note.ref_ids[0]:
            continue
        footnote = parse_fragment(note.html, "span")
        for element in footnote.iter():
            if isinstance(element.tag, str) and element.tag in BLOCK_ELEMENTS:
                element.set("class", f"fn-{element.tag} " + element.get("class", ""))
                element.tag = "span"
                if len(element) and not (element.text or "").strip():
                    element.text = None
                if not (element.tail or "").strip():
                    element.tail = None
        footnote.set("class", "footnote")
        footnote.set("id", note.id)
        footnote.set("data-number", str(note.number))
        footnote.set("data-call", "".join(sup.itertext()))  # "3", or "3," before another
        anchor = etree.SubElement(footnote, "a", {"id": link.get("id"), "class": "fn-anchor"})
        anchor.text = ""
        footnote.tail = sup.tail
        sup.getparent().replace(sup, footnote)
    return inner_html(container)


def notes_heads(
    page_anchors: list[tuple[str, ...]], labels: list[str], book: RenderedBook
) -> dict[str, str]:
    """The running heads of the book's notes section ("Notes to pages X–Y", X and Y the
    text pages of the first and last notes on that page), by note id, from the anchors on
    each page of a first layout and the pages' labels."""
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
        text = (
            for_pages(word_page, first)
            if first == last
            else for_pages(word_pages, f"{first}–{last}")
        )
        for note_id in on_page:
            heads[note_id] = text
    return heads
