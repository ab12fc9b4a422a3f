"""A laid-out WeasyPrint page <-> its box tree: the door to WeasyPrint's private box API.

WeasyPrint's public API gives a laid-out `Page` its size, links, anchors and bookmarks,
not the boxes it was drawn from. Four jobs need those boxes: `balance` moves them
(vertical justification), `hyphens` reads the lines, `overflow` finds what sticks out of
the text block, `pagemap` finds where each page begins; and the pieces writer reads each
page's named page type (`page_type.name`, `page_type.blank`). They all go through
`page_box` and `page_from_box`, so that what we rely on that WeasyPrint does not promise
(the `Page._page_box` attribute, a `boxes.PageBox`, with a `page_type` whose `name` and
`blank` say which `@page` rule laid it out, and `Page(page_box)` building a page from
it again) lives here alone. tests/test_weasyboxes.py fails if an upgrade changes any of
it; pyproject.toml pins WeasyPrint to the versions it passes with. Two other modules
reach into WeasyPrint: `remake`, for laying a document out again from a page (its layout
context, not its boxes), and `linebreaks`, for breaking lines without the hyphens
`hyphens` would mend; tests/test_remake.py and tests/test_linebreaks.py guard them in the
same way.
"""

from __future__ import annotations

from weasyprint.document import Page
from weasyprint.formatting_structure import boxes


def page_box(page: Page) -> boxes.PageBox:
    """The laid-out `page`'s box tree: its margin boxes, footnote area and flow."""
    return page._page_box


def page_from_box(box: boxes.PageBox) -> Page:
    """A page made again from its (changed) box tree: its links, anchors and bookmarks
    gathered anew from the boxes."""
    return Page(box)
