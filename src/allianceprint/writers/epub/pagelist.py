"""The print edition's `PageMap` -> its pages in the EPUB: a page-break marker (an empty
`span`, epub:type `pagebreak`) where each printed page begins, at the very character
(pagemap's positions), and the nav's page list that points to them."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from lxml import etree

from allianceprint.model import PageMap, RenderedBook
from allianceprint.pagemap import shared_anchors, text_position
from allianceprint.writers.epub.namespaces import OPS, XHTML

#: Elements a page-break marker at their very start moves out of: phrasing elements (so it
#: never becomes part of a link's or a heading's name), headings and their containers.
_HOISTED = frozenset(
    {
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "cite",
        "code",
        "data",
        "dfn",
        "em",
        "i",
        "kbd",
        "mark",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "time",
        "u",
        "var",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hgroup",
        "header",
        "nav",
    }
)
#: Elements that cannot hold a marker themselves: it goes into their first child instead.
_NO_PHRASING = frozenset({"ol", "ul", "dl", "table", "thead", "tbody", "tfoot", "tr", "colgroup"})


@dataclass(frozen=True)
class Page:
    """A printed page as the EPUB's page list shows it."""

    label: str
    document: str  # the XHTML file its marker is in
    marker_id: str

    @property
    def href(self) -> str:
        return f"{self.document}#{self.marker_id}"


class PageList:
    """The print edition's pages in the EPUB's documents (none without a page map)."""

    def __init__(self, book: RenderedBook, page_map: PageMap | None) -> None:
        self.book = book
        self.page_map = page_map

    def pages(self, documents: dict[str, tuple[str, etree._Element]]) -> list[Page]:
        """The page list: each printed page, the document its marker goes in, the marker's id."""
        if self.page_map is None:
            return []
        taken = {
            element.get("id")
            for _, tree in documents.values()
            for element in tree.iter()
            if isinstance(element.tag, str) and element.get("id")
        }
        pages = []
        for start in self.page_map.pages:
            document, _ = self.anchor_home(start.anchor)
            marker_id = base = "page-" + re.sub(r"[^A-Za-z0-9_.-]", "-", start.label)
            number = 1
            while marker_id in taken:
                number += 1
                marker_id = f"{base}-{number}"
            taken.add(marker_id)
            pages.append(Page(start.label, document, marker_id))
        return pages

    def anchor_home(self, anchor: str) -> tuple[str, str]:
        """The document and the element id where an anchor of the page map is in the EPUB."""
        if anchor in _FRAME_HOMES:
            return _FRAME_HOMES[anchor]
        owner = self.book.anchors.get(anchor)
        if owner is None:
            raise ValueError(
                f"the print edition's page map begins a page in {anchor!r}, "
                "which the EPUB does not have"
            )
        return f"{owner}.xhtml", anchor

    def mark_pages(
        self, documents: dict[str, tuple[str, etree._Element]], pages: list[Page]
    ) -> None:
        """Put each printed page's marker where the page begins; pages that begin at the same
        place (a blank page and the next) get their markers there in page order."""
        if self.page_map is None:
            return
        anchors = shared_anchors(self.book)
        places: dict[tuple[str, int], list[Page]] = defaultdict(list)
        for start, page in zip(self.page_map.pages, pages):
            places[(start.anchor, start.offset)].append(page)
        by_id: dict[str, dict[str, list[etree._Element]]] = {}  # per document, built once
        for (anchor, offset), together in places.items():
            document, element_id = self.anchor_home(anchor)
            if document not in by_id:
                by_id[document] = defaultdict(list)
                for element in documents[document][1].iter():
                    if isinstance(element.tag, str) and element.get("id") is not None:
                        by_id[document][element.get("id")].append(element)
            found = by_id[document].get(element_id, [])
            if len(found) != 1:
                raise ValueError(
                    f"{document} has {len(found)} elements with the id "
                    f"{element_id!r}, where a printed page begins"
                )
            markers = [_marker(page) for page in together]
            _place(found[0], offset, anchors, markers[0])
            for previous, marker in zip(markers, markers[1:]):
                marker.tail, previous.tail = previous.tail, None
                previous.addnext(marker)


#: Where the EPUB has the pages that both editions generate (pagemap.FRAME_ANCHORS).
_FRAME_HOMES = {
    "title-page": ("titlepage.xhtml", "title-page"),
    "copyright-page": ("titlepage.xhtml", "copyright-page"),
    "contents": ("nav.xhtml", "toc"),
}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _marker(page: Page) -> etree._Element:
    marker = etree.Element(
        f"{{{XHTML}}}span",
        {
            f"{{{OPS}}}type": "pagebreak",
            "role": "doc-pagebreak",
            "id": page.marker_id,
            "aria-label": page.label,
        },
    )
    marker.text = ""
    return marker


def _place(
    element: etree._Element, offset: int, anchors: frozenset[str], marker: etree._Element
) -> None:
    """Put `marker` before the `offset`-th character of `element`'s own text (see pagemap),
    at the element's start for 0, at its end past its text."""
    position = text_position(element, offset, anchors) if offset > 0 else None
    if position is not None:
        node, attr, index = position
        text = getattr(node, attr)
        marker.tail = text[index:]
        setattr(node, attr, text[:index])
        if attr == "text":
            node.insert(0, marker)
        else:
            node.addnext(marker)
    elif offset > 0:
        element.append(marker)
    else:
        element = _start_of(element)
        marker.tail, element.text = element.text, None
        element.insert(0, marker)
    _hoist(marker)


def _start_of(element: etree._Element) -> etree._Element:
    """The element whose start a marker for the start of `element` goes in: `element`
    itself, or its first child where it cannot hold one (a list, a table, a row) or where
    that child must come first (a figure's caption)."""
    while len(element) and isinstance(element[0].tag, str):
        first = _local(element[0].tag)
        if _local(element.tag) in _NO_PHRASING or (
            first == "figcaption" and not (element.text or "").strip()
        ):
            element = element[0]
        else:
            break
    return element


def _hoist(marker: etree._Element) -> None:
    """Move a marker that stands at the very start of a phrasing element or a heading to
    just before it (a marker inside a link of the nav's contents stays there: only links may
    hold it)."""
    while True:
        parent = marker.getparent()
        if (
            _local(parent.tag) not in _HOISTED
            or parent.index(marker) != 0
            or (parent.text or "").strip()
        ):
            return
        if _local(parent.tag) == "a" and parent.xpath("ancestor::x:nav", namespaces={"x": XHTML}):
            return
        parent.text = (parent.text or "") + (marker.tail or "")
        marker.tail = None
        parent.remove(marker)
        parent.addprevious(marker)
