"""`RenderedBook` -> the same with block ids; print layout -> `PageMap`, where each printed
page begins, so the EPUB can carry the print edition's page numbers.

Input: the `RenderedBook`, to which `identify_blocks` (run by build.py before either writer)
gives an id on every block element (`<part-id>-b12`), so both editions set the same body
HTML with the same ids; then the print edition's laid-out WeasyPrint `Document`, the label
of every page and the ids both editions share (`shared_anchors`). Output: a `PageMap` with,
for every printed page, the element its first line begins in (by id) and how far into that
element's own text it begins.

For each page, the first box of text in the page's flow is found in the layout, and the
nearest ancestor with a shared id is its anchor. The text of the boxes laid out so far is
matched against the anchor's own text, so the position is a count of characters, not
counting white space (which layout collapses) or the hyphens that hyphenation adds; the EPUB
writer finds the same place in its XHTML with `text_position`. A page that begins inside a
word hyphenated across the break begins, in the EPUB, after that word. Running heads, folios,
footnote areas, generated content (`::before`, `::marker`, ...) and a table's header
repeated on a new page are not where a page's own text begins and are passed over; so is
print-only content with no shared id: a page that has none of the book's text (a blank
verso, for example) shares the position of the next page that has.

An element's own text is the text in it, less the text of descendants that are anchors
themselves: a note reference inside a paragraph has its own id, so the paragraph's text is
counted the same way whether the reference prints as a number or as a footnote.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Iterable, Iterator

from allianceprint.fragments import inner_html, parse_fragment
from allianceprint.model import PageMap, PageStart, RenderedBook

#: Elements of the body HTML that get an id of their own, so a page can begin in them.
#: Table rows and lists do not: a page marker can stand in a cell or an item, not between.
BLOCK_TAGS = frozenset(
    {
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "dt",
        "dd",
        "blockquote",
        "figure",
        "figcaption",
        "th",
        "td",
        "pre",
        "div",
        "caption",
    }
)

#: Ids of the generated pages that both editions have: the title page, the copyright page
#: and the contents (the EPUB's nav document).
FRAME_ANCHORS = frozenset({"title-page", "copyright-page", "contents"})

_NOT_RENDERED = frozenset({"head", "title", "style", "script", "template"})
_CONTENT_PSEUDO = ("::first-letter", "::first-line")
_SOFT_HYPHEN = "\u00ad"


def with_block_ids(fragment: str, prefix: str) -> str:
    """`fragment` with an id (`<prefix>1`, `<prefix>2`, ...) on every block element that
    has none, in document order."""
    if not fragment.strip():
        return fragment
    container = parse_fragment(fragment)
    taken = {el.get("id") for el in container.iter() if isinstance(el.tag, str)}
    number = 0
    for element in container.iter():
        if (
            not isinstance(element.tag, str)
            or element.tag not in BLOCK_TAGS
            or element.get("id")
            or element is container
        ):
            continue
        number += 1
        while f"{prefix}{number}" in taken:
            number += 1
        element.set("id", f"{prefix}{number}")
    return inner_html(container)


def identify_blocks(book: RenderedBook) -> RenderedBook:
    """The book with an id on every block of every part's body (`<part-id>-b<n>`), for both
    writers to set: the ids are how a printed page's position is found in the EPUB."""
    parts = tuple(
        replace(part, body_html=with_block_ids(part.body_html, f"{part.id}-b"))
        for part in book.parts
    )
    anchors = dict(book.anchors)
    for part in parts:
        for element in _elements(part.body_html):
            if element.get("id"):
                anchors.setdefault(element.get("id"), part.id)
    return replace(book, parts=parts, anchors=MappingProxyType(anchors))


def _elements(fragment: str) -> list:
    if not fragment.strip():
        return []
    container = parse_fragment(fragment)
    return [el for el in container.iter() if isinstance(el.tag, str) and el is not container]


def shared_anchors(book: RenderedBook) -> frozenset[str]:
    """The ids that mark the same element in both editions."""
    return frozenset(book.anchors) | FRAME_ANCHORS


# --- text, the same way in both editions ------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def text_slots(element, anchors: frozenset[str]) -> Iterator[tuple[object, str]]:
    """(node, "text" | "tail") for each piece of `element`'s own text, in reading order: a
    comment's text is not, its tail is; elements that are not rendered are not.

    Works on ElementTree elements (WeasyPrint's tree) and lxml elements (the EPUB's) alike.
    """
    yield element, "text"
    for child in element:
        if (
            isinstance(child.tag, str)
            and _local(child.tag) not in _NOT_RENDERED
            and child.get("id") not in anchors
        ):
            yield from text_slots(child, anchors)
        yield child, "tail"


def _counted(text: str) -> str:
    """What is counted of a text: no white space or soft hyphens, case folded."""
    return _NOT_COUNTED.sub("", text).casefold()


_NOT_COUNTED = re.compile(r"[\s\u00ad]+")
#: What `OwnText` counts as one word: a run of letters and digits (`\w` less `_` is exactly
#: `str.isalnum`), or any other character that is not white space, on its own.
_WORDS = re.compile(r"[^\W_]+|\S")


@dataclass(frozen=True)
class OwnText:
    """An element's own text as counted (`text`), and where its words begin and end in it."""

    text: str
    word_bounds: tuple[int, ...]  # offsets in `text` between a word and what follows it

    @classmethod
    def of(cls, element, anchors: frozenset[str]) -> OwnText:
        text = "".join(getattr(node, attr) or "" for node, attr in text_slots(element, anchors))
        counted: list[str] = []
        bounds: list[int] = []
        length = 0
        for word in _WORDS.findall(text.replace(_SOFT_HYPHEN, "")):
            if length:
                bounds.append(length)
            folded = word.casefold()  # per character, as the EPUB's `text_position` counts
            counted.append(folded)
            length += len(folded)
        return cls("".join(counted), tuple(bounds))

    def word_end(self, offset: int) -> int:
        """The end of the word that `offset` is inside of (letters and digits: `wash‐` `ington`
        in a hyphenated address ends before the `-` that follows)."""
        index = bisect.bisect_right(self.word_bounds, offset)
        return self.word_bounds[index] if index < len(self.word_bounds) else len(self.text)


def text_position(element, offset: int, anchors: frozenset[str]) -> tuple[object, str, int] | None:
    """Where the `offset`-th counted character of `element`'s own text is: (node, "text" |
    "tail", index into that string). None when `offset` is at or past the end."""
    count = 0
    for node, attr in text_slots(element, anchors):
        raw = getattr(node, attr) or ""
        whole = len(_counted(raw))  # as the characters one by one count (casefold is too)
        if count + whole <= offset:  # the offset is further on: skip the string at once
            count += whole
            continue
        for index, ch in enumerate(raw):
            piece = "" if ch.isspace() else _counted(ch)
            if not piece:
                continue
            if count + len(piece) > offset:
                return node, attr, index
            count += len(piece)
    return None


# --- the print layout -------------------------------------------------------------------


Position = tuple[str, int]  # an anchor id and a count of characters into its own text


@dataclass(frozen=True)
class PageStarts:
    """Where each page of one laid-out document begins (None: a page without shared text),
    and where its shared text ends."""

    starts: tuple[Position | None, ...]
    end: Position | None


def map_pages(document, labels: Iterable[str], anchors: frozenset[str]) -> PageMap:
    """Where each page of the laid-out print `document` begins; `labels` are the pages'
    printed numbers, in order."""
    found = page_starts(document, anchors)
    return page_map(labels, found.starts, found.end)


def page_starts(document, anchors: frozenset[str]) -> PageStarts:
    """Where each page of the laid-out `document` begins, in the text both editions share."""
    from weasyprint.formatting_structure import boxes  # imported here: only print needs it

    from allianceprint.weasyboxes import page_box

    kinds = _BoxKinds(
        passed_over=(boxes.MarginBox, boxes.FootnoteAreaBox),
        leaves=(boxes.TextBox, boxes.ReplacedBox),
        replaced=boxes.ReplacedBox,
    )
    reader = _LayoutReader(anchors, kinds)
    starts: list[Position | None] = []
    for page in document.pages:
        first = None
        for box, anchor in _flow_leaves(page_box(page), None, anchors, kinds):
            found = reader.read(box, anchor)
            if first is None and found is not None:
                first = found
        starts.append(first)
    return PageStarts(tuple(starts), reader.end())


def page_map(
    labels: Iterable[str], starts: Iterable[Position | None], end: Position | None
) -> PageMap:
    """The page map of pages labelled `labels` that begin at `starts`; pages without text
    take the next page's position, trailing ones `end`, the end of the last text."""
    labels, starts = tuple(labels), tuple(starts)
    if len(labels) != len(starts):
        raise ValueError(f"{len(labels)} page labels for {len(starts)} pages")
    return PageMap(tuple(_fill_blanks(labels, starts, end)))


def _fill_blanks(
    labels: tuple[str, ...], starts: tuple[Position | None, ...], end: Position | None
) -> list[PageStart]:
    pages: list[PageStart] = []
    following = end
    for label, start in reversed(list(zip(labels, starts))):
        if start is not None:
            following = start
        if following is None:
            raise ValueError("the print edition has no text that the EPUB shares")
        pages.append(PageStart(label, following[0], following[1], blank=start is None))
    return pages[::-1]


@dataclass(frozen=True)
class _BoxKinds:
    """WeasyPrint's box classes that the page map tells apart."""

    passed_over: tuple[type, ...]  # page-margin boxes and footnote areas
    leaves: tuple[type, ...]  # text and images
    replaced: type  # images


def _flow_leaves(
    box, anchor, anchors: frozenset[str], kinds: _BoxKinds
) -> Iterator[tuple[object, object]]:
    """The text and image boxes of a page's flow, in order, each with its nearest anchor
    element (None outside any)."""
    if isinstance(box, kinds.passed_over):
        return
    tag = box.element_tag or ""
    if "::" in tag and not tag.endswith(_CONTENT_PSEUDO):
        return
    element = box.element
    if element is not None and element.get("id") in anchors and "::" not in tag:
        anchor = element
    if isinstance(box, kinds.leaves):
        yield box, anchor
        return
    for child in getattr(box, "children", ()):
        yield from _flow_leaves(child, anchor, anchors, kinds)


class _LayoutReader:
    """Follows the laid-out text through each anchor's own text."""

    def __init__(self, anchors: frozenset[str], kinds: _BoxKinds) -> None:
        self.anchors = anchors
        self.kinds = kinds
        self.texts: dict[int, OwnText] = {}
        self.read_to: dict[int, int] = {}  # id(element) -> counted characters laid out
        self.hyphenated: dict[int, bool] = {}  # the last box laid out ended in a hyphen
        self.last: tuple[object, int] | None = None

    def read(self, box, anchor) -> tuple[str, int] | None:
        """Take in one box of the flow; return where it begins, if it is the book's text."""
        if anchor is None:
            return None
        key = id(anchor)
        if key not in self.texts:
            self.texts[key] = OwnText.of(anchor, self.anchors)
            self.read_to[key] = 0
        own, at = self.texts[key], self.read_to[key]
        if isinstance(box, self.kinds.replaced):
            self.last = (anchor, key)
            return anchor.get("id"), at
        laid = _counted(box.text)
        if not laid:
            return None
        hyphen = _counted(box.style["hyphenate_character"] or "")
        begins = own.text.find(laid, at)
        ends_hyphenated = False
        if begins != at and hyphen and laid.endswith(hyphen) and len(laid) > len(hyphen):
            shorter = own.text.find(laid[: -len(hyphen)], at)
            if shorter == at or begins < 0:
                begins, laid, ends_hyphenated = shorter, laid[: -len(hyphen)], True
        if begins < 0:
            return None  # repeated (a table's header on a new page) or generated text
        start = begins
        if begins == at and self.hyphenated.get(key):
            start = own.word_end(begins)  # the page begins inside a hyphenated word
        self.read_to[key] = begins + len(laid)
        self.hyphenated[key] = ends_hyphenated
        self.last = (anchor, key)
        return anchor.get("id"), start

    def end(self) -> tuple[str, int] | None:
        """The position just after the last text laid out."""
        if self.last is None:
            return None
        anchor, key = self.last
        return anchor.get("id"), len(self.texts[key].text)
