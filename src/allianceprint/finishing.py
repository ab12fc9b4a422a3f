"""The print HTML of a book or a piece -> its finished WeasyPrint layout.

Both PDF writers (the one document and the pieces) lay their HTML out the same way: with
the hyphenation faults mended (`hyphens.lay_out`: no runs of hyphens, no word broken at a
recto's turn) and then every page's text block brought down to one last baseline, so that
facing pages end level (`balance`). This is the one place that says so.
"""

from __future__ import annotations

from weasyprint import HTML
from weasyprint.document import Document

from allianceprint.balance import balance_pages, part_ids
from allianceprint.hyphens import lay_out


def lay_out_finished(html: HTML, source: str, stylesheets: list) -> Document:
    """`html` (parsed from `source`) laid out with `stylesheets`, its hyphenation mended
    and its pages balanced."""
    document = lay_out(html, stylesheets)
    balance_pages(document, part_ids(source))
    return document
