"""An HTML fragment (a part's body, a note, a title) <-> one element that holds its nodes:
how the stages after render read rendered HTML, or change it and write it back (lxml);
and an element's text (or tail) -> strings and new elements put in its place."""

from __future__ import annotations

import lxml.html
from lxml import etree


def parse_fragment(fragment: str, parent: str = "div") -> lxml.html.HtmlElement:
    """The nodes of `fragment`, its text before the first element too, in a new `parent`
    element (with no attributes), for the fragment may have several at its top."""
    return lxml.html.fragment_fromstring(fragment, create_parent=parent)


def inner_html(container: lxml.html.HtmlElement) -> str:
    """What `container` (made by parse_fragment) holds, as HTML: the fragment once more,
    without the element around it."""
    html = lxml.html.tostring(container, encoding="unicode", method="html")
    return html[len(f"<{container.tag}>") : -len(f"</{container.tag}>")]


def replace_text(
    parent: etree._Element, after: etree._Element | None, pieces: list[str | etree._Element]
) -> None:
    """Put `pieces` (strings and new elements) where the text or tail was."""
    leading = ""
    elements: list[etree._Element] = []
    for piece in pieces:
        if isinstance(piece, str):
            if elements:
                elements[-1].tail = (elements[-1].tail or "") + piece
            else:
                leading += piece
        else:
            elements.append(piece)
    if after is None:
        parent.text = leading or None
        for index, element in enumerate(elements):
            parent.insert(index, element)
    else:
        after.tail = leading or None
        index = parent.index(after)
        for offset, element in enumerate(elements, start=1):
            parent.insert(index + offset, element)
