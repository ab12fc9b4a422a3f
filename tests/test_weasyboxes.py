"""What weasyboxes relies on in WeasyPrint and WeasyPrint does not promise: a tiny document
laid out (no book build), its pages' boxes read as balance, hyphens, overflow, pagemap and the
pieces writer read them. A WeasyPrint upgrade that changes any of it fails here, not in a
layout test far away."""

from __future__ import annotations

from importlib.metadata import version

import pytest
from weasyprint import CSS, HTML
from weasyprint.document import Page
from weasyprint.formatting_structure import boxes

from allianceprint.weasyboxes import page_box, page_from_box

_HTML = """<html><body>
<section id="one"><p>Page one.</p></section>
<section class="opener" id="two"><p>Page three, after a blank page.</p></section>
</body></html>"""
_CSS = """@page { size: 100mm 80mm; margin: 10mm; @bottom-center { content: counter(page) } }
@page opener { margin-top: 20mm }
.opener { page: opener; break-before: right }"""


@pytest.fixture(scope="module")
def pages() -> list[Page]:
    return HTML(string=_HTML).render(stylesheets=[CSS(string=_CSS)]).pages


def test_a_page_box_is_a_page_box_with_its_page_type(pages: list[Page]) -> None:
    assert len(pages) == 3
    found = [page_box(page) for page in pages]
    assert all(isinstance(box, boxes.PageBox) for box in found)
    # the named page and the blank page the pieces writer records (a blank page takes
    # the name of the page before it)
    assert [box.page_type.name for box in found] == ["", "", "opener"]
    assert [box.page_type.blank for box in found] == [False, True, False]


def test_a_page_box_holds_margin_boxes_and_the_flow(pages: list[Page]) -> None:
    children = page_box(pages[0]).children
    assert any(isinstance(child, boxes.MarginBox) for child in children)
    flow = [child for child in children if not isinstance(child, boxes.MarginBox)]
    assert flow and isinstance(flow[0], boxes.ParentBox)
    assert page_box(pages[0]).content_box_x() > 0 and page_box(pages[0]).width > 0


def test_a_page_made_again_from_its_box_keeps_its_anchors(pages: list[Page]) -> None:
    again = page_from_box(page_box(pages[2]))
    assert isinstance(again, Page)
    assert set(again.anchors) == set(pages[2].anchors) == {"two"}
    assert page_box(again) is page_box(pages[2])


def test_the_installed_weasyprint_is_in_the_pinned_range() -> None:
    """pyproject.toml pins WeasyPrint to the major versions these tests passed with."""
    major = int(version("weasyprint").split(".")[0])
    assert 70 <= major < 71


def test_the_other_weasyprint_internals_other_modules_use_are_there() -> None:
    """Not private by name, but not WeasyPrint's documented API either: hyphens.lay_out
    gives a re-parsed tree to the selector engine through HTML.wrapper_element and
    HTML.etree_element; balance reads a line's height with strut; cjklines asks Pango for
    break points with get_log_attrs; pdffonts reads a font's file with get_hb_object_data;
    config checks pdf_variant against VARIANTS; doctor asks pango for its version."""
    import cssselect2
    from weasyprint.pdf import VARIANTS
    from weasyprint.text.ffi import pango
    from weasyprint.text.fonts import get_hb_object_data
    from weasyprint.text.line_break import get_log_attrs, strut

    html = HTML(string="<p>x</p>")
    assert isinstance(html.wrapper_element, cssselect2.ElementWrapper)
    assert html.etree_element is not None
    assert "pdf/a-3b" in VARIANTS and "pdf/ua-1" in VARIANTS
    assert all(callable(f) for f in (get_hb_object_data, get_log_attrs, strut, pango.pango_version))
