"""An HTML fragment (a part's body, a note, a title) <-> one element that holds its nodes:
how the stages after render read rendered HTML, or change it and write it back (lxml)."""

from __future__ import annotations

import lxml.html


def parse_fragment(fragment: str, parent: str = "div") -> lxml.html.HtmlElement:
    """The nodes of `fragment`, its text before the first element too, in a new `parent`
    element (with no attributes), for the fragment may have several at its top."""
    return lxml.html.fragment_fromstring(fragment, create_parent=parent)


def inner_html(container: lxml.html.HtmlElement) -> str:
    """What `container` (made by parse_fragment) holds, as HTML: the fragment once more,
    without the element around it."""
    html = lxml.html.tostring(container, encoding="unicode", method="html")
    return html[len(f"<{container.tag}>"):-len(f"</{container.tag}>")]
