"""A laid-out WeasyPrint document -> the words whose hyphenation an editor would mark, kept
whole, and the document laid out again with them so.

WeasyPrint hyphenates each line on its own, so it may end three or more lines in a row
with a hyphen, or break a word on the last line of a right-hand page, whose end the
reader finds only after turning the leaf. `find_faults` reads the layout: in each run of
consecutive hyphenated lines, the third and every later one; and the last line of every
right-hand page that continues on the next. `keep_whole` wraps each such word (its first
occurrence in the element the line's text came from, not yet wrapped) in
`<span class="keep-whole">` (print.css: `white-space: nowrap`: neither hyphenated nor
broken after a hyphen of its own, as in "long-standing"), in the parsed tree WeasyPrint
lays out, so that the next layout cannot break it. The text is not changed. A line that
ends in a word's own hyphen counts as a hyphenated line.

Page parity: a document's first page is a right-hand page (every piece of the book opens
on one), so its even-indexed pages are right-hand pages.
"""

from __future__ import annotations

from dataclasses import dataclass

import cssselect2
from weasyprint import HTML
from weasyprint.document import Document
from weasyprint.formatting_structure import boxes

from allianceprint.weasyboxes import page_box

CLASS = "keep-whole"
MAX_RUN = 2  # hyphenated line ends in a row
MAX_WORD = 24  # longer words are left to break
PASSES = 2  # layouts again at most (each can move breaks elsewhere)


@dataclass(frozen=True)
class Fault:
    element: object  # the (ElementTree) element whose text holds the word
    word: str  # as written, without the hyphen


def lay_out(html: HTML, stylesheets: list) -> Document:
    """`html` laid out; again, with its faulty words kept whole, while it has some (up to
    PASSES more times)."""
    document = html.render(stylesheets=stylesheets)
    for _ in range(PASSES):
        faults = find_faults(document)
        if not faults or not keep_whole(faults):
            break
        # The selector engine's view of the changed tree (it caches each element's children).
        html.wrapper_element = cssselect2.ElementWrapper.from_html_root(
            html.etree_element, content_language=None)
        document = html.render(stylesheets=stylesheets)
    return document


def _line_texts(line) -> list[boxes.TextBox]:
    found = []
    for child in line.descendants():
        if isinstance(child, boxes.TextBox):
            found.append(child)
    return found


def _flow_lines(page) -> list:
    lines = []

    def walk(box) -> None:
        for child in getattr(box, "children", ()):
            if isinstance(child, (boxes.MarginBox, boxes.FootnoteAreaBox)):
                continue
            if isinstance(child, boxes.LineBox):
                lines.append(child)
            elif isinstance(child, boxes.ParentBox):
                walk(child)

    walk(page_box(page))
    return lines


def find_faults(document: Document) -> list[Fault]:
    faults: list[Fault] = []
    run = 0
    previous_end: boxes.TextBox | None = None
    pages = document.pages
    for index, page in enumerate(pages):
        lines = _flow_lines(page)
        run = 0  # a ladder of hyphens is counted on one page
        for number, line in enumerate(lines):
            texts = _line_texts(line)
            if previous_end is not None and texts:  # the end of the word broken above
                faults_word = _broken_word(previous_end, texts[0])
                if faults_word is not None:
                    faults.append(faults_word)
                previous_end = None
            if not texts or not _hyphenated(texts[-1]):
                run = 0
                continue
            run += 1
            last_on_recto = index % 2 == 0 and number == len(lines) - 1 and index + 1 < len(pages)
            if run > MAX_RUN or last_on_recto:
                previous_end = texts[-1]
    return faults


def _hyphenated(box: boxes.TextBox) -> bool:
    """The line ends in a hyphen: one hyphenation added, or the word's own."""
    return box.text.endswith((box.style["hyphenate_character"], "-", "\u2010"))


def _broken_word(end: boxes.TextBox, start: boxes.TextBox) -> Fault | None:
    text = end.text
    if text.endswith(end.style["hyphenate_character"]):
        text = text[:-len(end.style["hyphenate_character"])]  # added: not in the source
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


def keep_whole(faults: list[Fault]) -> bool:
    """Wrap each fault's word in a span that is not hyphenated; whether any was."""
    changed = False
    for fault in faults:
        changed |= _wrap(fault.element, fault.word)
    return changed


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
        span.tail = text[at + len(word):]
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
    return f"{tag[:tag.index('}') + 1]}{name}" if tag.startswith("{") else name
