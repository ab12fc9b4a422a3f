"""A laid-out WeasyPrint document -> the words whose hyphenation an editor would mark, kept
whole, and the document laid out again with them so.

Every layout here is made with `linebreaks.avoiding_faults`: lines are not hyphenated
where a hyphen would be a fault, so the first layout has few (none in most pieces of the
bench book) and the passes below mend only what could not be foreseen.

WeasyPrint hyphenates each line on its own, so it may end three or more lines in a row
with a hyphen, or break a word on the last line of a right-hand page, whose end the
reader finds only after turning the leaf. `find_faults` reads the layout: in each run of
consecutive hyphenated lines, the third and every later one; and the last line of every
right-hand page that continues on the next. `_wrap` wraps each such word (its first
occurrence in the element the line's text came from, not yet wrapped) in
`<span class="keep-whole">` (print.css: `white-space: nowrap`: neither hyphenated nor
broken after a hyphen of its own, as in "long-standing"), in the parsed tree WeasyPrint
lays out, so that the next layout cannot break it. The text is not changed. A line that
ends in a word's own hyphen counts as a hyphenated line.

The next layout re-makes only the pages that hold a changed block (the line's block, or
the table, inline block or float around it, whose widths follow their words), and the
pages after them as long as they begin elsewhere than before (remake.again). The pages
are the same as with whole layouts. On the 200-page bench book: 1.06 pages laid out per
page, against 1.83 with the passes alone and 2.8 with a whole layout per pass
(docs/benchmark.md).

Page parity: a document's first page is a right-hand page (every piece of the book opens
on one), so its even-indexed pages are right-hand pages.
"""

from __future__ import annotations

from dataclasses import dataclass

import cssselect2
from weasyprint import HTML
from weasyprint.document import Document
from weasyprint.formatting_structure import boxes

from allianceprint import linebreaks, remake
from allianceprint.weasyboxes import page_box

CLASS = "keep-whole"
MAX_WORD = 24  # longer words are left to break
PASSES = 2  # layouts again at most (each can move breaks elsewhere)


@dataclass(frozen=True)
class Fault:
    element: object  # the (ElementTree) element whose text holds the word
    word: str  # as written, without the hyphen
    pages: frozenset[int] = frozenset()  # the pages on which the line's block lies


def lay_out(html: HTML, stylesheets: list) -> Document:
    """`html` laid out; again, with its faulty words kept whole, while it has some (up to
    PASSES more times). Each time only the pages from the changed blocks on are laid out
    again, as far as their breaks moved (remake.again); the result is the same as laying
    out the whole document each time."""
    return lay_out_counted(html, stylesheets).document


def lay_out_counted(html: HTML, stylesheets: list) -> remake.Layout:
    """`lay_out`, with the pages each pass laid out (`Layout.laid_out`, summed)."""
    with linebreaks.avoiding_faults():
        return _lay_out_counted(html, stylesheets)


def _lay_out_counted(html: HTML, stylesheets: list) -> remake.Layout:
    layout = remake.render(html, stylesheets)
    laid_out = layout.laid_out
    for _ in range(PASSES):
        faults = [
            fault for fault in find_faults(layout.document) if _wrap(fault.element, fault.word)
        ]
        if not faults:
            break
        # The selector engine's view of the changed tree (it caches each element's children).
        html.wrapper_element = cssselect2.ElementWrapper.from_html_root(
            html.etree_element, content_language=None
        )
        layout = remake.again(layout, set().union(*(fault.pages for fault in faults)))
        laid_out += layout.laid_out
    layout.laid_out = laid_out
    return layout


def _line_texts(line) -> list[boxes.TextBox]:
    found = []
    for child in line.descendants():
        if isinstance(child, boxes.TextBox):
            found.append(child)
    return found


def _flow_lines(page, index: int, blocks: dict[object, set[int]]) -> list:
    """The page's lines, each with the element of the block whose layout depends on it:
    the block that holds the line, or the outermost table, inline block or float around
    it (their widths follow their content). `blocks` gets the page's index for each
    element with a box on it."""
    lines = []

    def walk(box, holder) -> None:
        blocks.setdefault(box.element, set()).add(index)
        for child in getattr(box, "children", ()):
            if isinstance(child, (boxes.MarginBox, boxes.FootnoteAreaBox)):
                continue
            if isinstance(child, boxes.LineBox):
                lines.append((child, holder or box.element))
            elif isinstance(child, boxes.ParentBox):
                walk(child, holder or (child.element if _shrinks(child) else None))

    walk(page_box(page), None)
    return lines


def _shrinks(box) -> bool:
    """Whether the box's width follows its content."""
    return (
        isinstance(box, (boxes.TableBox, boxes.InlineBlockBox))
        or box.is_table_wrapper
        or box.is_floated()
    )


def find_faults(document: Document) -> list[Fault]:
    found: list[tuple[boxes.TextBox, boxes.TextBox, object]] = []
    blocks: dict[object, set[int]] = {}  # element -> the pages its blocks lie on
    run = 0
    previous_end: tuple[boxes.TextBox, object] | None = None
    pages = document.pages
    for index, page in enumerate(pages):
        lines = _flow_lines(page, index, blocks)
        run = 0  # a ladder of hyphens is counted on one page
        for number, (line, block) in enumerate(lines):
            texts = _line_texts(line)
            if previous_end is not None and texts:  # the end of the word broken above
                found.append((previous_end[0], texts[0], previous_end[1]))
                previous_end = None
            if not texts or not linebreaks.hyphenated(texts[-1]):
                run = 0
                continue
            run += 1
            last_on_recto = index % 2 == 0 and number == len(lines) - 1 and index + 1 < len(pages)
            if run > linebreaks.MAX_RUN or last_on_recto:
                previous_end = (texts[-1], block)
    faults = []
    for end, start, block in found:
        fault = _broken_word(end, start)
        if fault is not None:
            faults.append(Fault(fault.element, fault.word, frozenset(blocks[block])))
    return faults


def _broken_word(end: boxes.TextBox, start: boxes.TextBox) -> Fault | None:
    text = end.text
    if text.endswith(end.style["hyphenate_character"]):
        text = text[: -len(end.style["hyphenate_character"])]  # added: not in the source
    head = text.split()
    tail = start.text.split()
    if not head or not tail or end.element is None:
        return None
    word = head[-1] + _letters(tail[0])
    if len(word) > MAX_WORD:
        return None  # a web address, say: too long to keep on one line
    return Fault(end.element, word)


def _letters(token: str) -> str:
    """The word's continuation without the punctuation that follows it."""
    end = len(token)
    while end and not token[end - 1].isalnum():
        end -= 1
    return token[:end]


def _wrap(element, word: str) -> bool:
    from xml.etree import ElementTree

    holders = [(element, True)] + [(child, False) for child in list(element)]
    for holder, is_text in holders:
        text = holder.text if is_text else holder.tail
        if not text or word not in text:
            continue
        at = text.index(word)
        span = ElementTree.Element(_tag_like(element, "span"), {"class": CLASS})
        span.text = word
        span.tail = text[at + len(word) :]
        if is_text:
            holder.text = text[:at]
            element.insert(0, span)
        else:
            holder.tail = text[:at]
            element.insert(list(element).index(holder) + 1, span)
        return True
    return False


def _tag_like(element, name: str) -> str:
    """`name` in the namespace of `element`'s tag (the parser puts HTML elements in one)."""
    tag = element.tag
    return f"{tag[: tag.index('}') + 1]}{name}" if tag.startswith("{") else name
