"""An HTML document -> its WeasyPrint layout; and, after a few of its blocks changed, the
same layout again with only the pages those changes reach laid out anew.

`HTML.render` lays out every page each time. hyphens.lay_out changes a few words on a few
pages and needs the layout again; most pages come out as they were, and laying them out
again was most of a cold build's cost. WeasyPrint can lay out a document again from a
given page on: `make_all_pages` re-makes a page when its `page_maker` entry (where and in
which state the page begins) says its content changed, and the page after a re-made one
only if it now begins elsewhere or in another state (how it repaginates for
`counter(pages)`). `again` uses that: the styles and boxes of the changed tree are built
anew (their structure is the same outside the changed blocks, so the old page starts
still point at the same places), the old `page_maker` and bare pages are carried over,
and the pages holding a changed block are marked changed. The result is the layout the
whole document would get, as tests/test_remake.py checks.

This is WeasyPrint's private API, used here only. `_render` is `Document._render` and
`_paginate` is `layout.layout_document` of WeasyPrint 70 (adapted from WeasyPrint:
BSD 3-Clause License, Copyright (c) 2011-2021, Simon Sapin and contributors), keeping
each page's bare state (before its margin boxes, which every pagination adds again) and
the pages to re-make. Another major version is laid out with the public API, every page each time;
tests/test_remake.py fails when the copied functions change upstream.

A kept page must not depend on state that `page_maker` does not hold. So: tables are
measured before the pagination, as their first page would measure them; a document with
footnotes (which can move to the next page) keeps only the pages before the first change,
and not a page that receives notes from the page before; a document with page lookups
(`target-counter()`, running elements: their state is in the old context) is laid out
again in full. A `Layout` passed to `again` is used up: its pages become the new one's.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import weasyprint
from weasyprint import DEFAULT_OPTIONS, HTML
from weasyprint.css.counters import CounterStyle
from weasyprint.document import Document, Page
from weasyprint.formatting_structure.build import build_formatting_structure
from weasyprint.html import get_html_metadata
from weasyprint.layout import initialize_page_maker, layout_backgrounds, layout_fixed_boxes
from weasyprint.layout.page import (
    make_all_pages,
    make_margin_boxes,
    set_page_type_computed_styles,
)
from weasyprint.layout.preferred import table_and_columns_preferred_widths
from weasyprint.pdf.metadata import DocumentMetadata
from weasyprint.text.fonts import FontConfiguration

SUPPORTED = weasyprint.__version__.split(".")[0] == "70"


@dataclass
class Layout:
    """A laid-out document, with what laying it out again from a page needs."""

    document: Document
    html: HTML
    stylesheets: list
    fonts: FontConfiguration | None = None
    counter_style: CounterStyle | None = None
    context: object = None  # the LayoutContext; None: laid out with the public API
    bare: list[tuple[object, object, object]] = field(default_factory=list)
    laid_out: int = 0  # pages laid out (not kept) to make it
    notes: bool = False  # the document has footnotes (`float: footnote`)


def render(html: HTML, stylesheets: list) -> Layout:
    """`html.render(stylesheets=stylesheets)`, keeping the means to lay it out again."""
    if not SUPPORTED:
        document = html.render(stylesheets=stylesheets)
        return Layout(document, html, stylesheets, laid_out=len(document.pages))
    return _render(html, stylesheets, FontConfiguration(), CounterStyle(), None, set())


def again(previous: Layout, changed: set[int]) -> Layout:
    """`previous`'s document laid out again after its tree changed on the pages `changed`
    (each page on which a changed block lies), the other pages kept where they begin as
    they did."""
    if previous.context is None:
        document = previous.html.render(stylesheets=previous.stylesheets)
        return Layout(document, previous.html, previous.stylesheets, laid_out=len(document.pages))
    first = min(changed, default=0)
    if _looks_up(previous.context):
        return again_in_full(previous)
    if previous.notes:  # footnotes may move between pages: keep only the pages before
        first = _without_reported_notes(previous, min(first, len(previous.bare) - 1))
        return _render(
            previous.html,
            previous.stylesheets,
            previous.fonts,
            previous.counter_style,
            previous if first > 0 else None,
            set(range(first, len(previous.bare))),
        )
    return _render(
        previous.html,
        previous.stylesheets,
        previous.fonts,
        previous.counter_style,
        previous,
        changed,
    )


def again_in_full(previous: Layout) -> Layout:
    """`previous`'s document laid out again, every page (for comparison: bench/finishing)."""
    return _render(
        previous.html, previous.stylesheets, previous.fonts, previous.counter_style, None, set()
    )


def _looks_up(context) -> bool:
    """Whether the layout's boxes read state that only its own context holds."""
    return bool(
        context.target_collector.counter_lookup_items or any(context.running_elements.values())
    )


def _without_reported_notes(previous: Layout, first: int) -> int:
    """`first`, or an earlier page: one whose footnote area holds no note called on an
    earlier page (WeasyPrint carries those in its context, not in `page_maker`)."""
    while first > 0:
        page, children, _ = previous.bare[first]
        area = children[1]
        called = {
            descendant.footnote.element
            for descendant in page.descendants()
            if getattr(descendant, "footnote", None) is not None
        }
        if all(note.element in called for note in area.children):
            return first
        first -= 1
    return 0


def _render(
    html: HTML, stylesheets: list, fonts, counter_style, previous: Layout | None, remake: set[int]
) -> Layout:
    """Document._render of WeasyPrint 70, keeping its context and bare pages."""
    options = dict(DEFAULT_OPTIONS, stylesheets=stylesheets)
    context = Document._build_layout_context(html, fonts, counter_style, {}, options)
    if previous is not None:
        context.dictionaries = previous.context.dictionaries  # the hyphenation patterns
    root_box = build_formatting_structure(
        html.etree_element,
        context.style_for,
        context.get_image_from_uri,
        html.base_url,
        context.target_collector,
        counter_style,
        context.footnotes,
    )
    notes = bool(context.footnotes)
    if previous is not None:
        _measure_tables(context, root_box)
    bare: list = []
    laid_out = [0]
    page_boxes = list(_paginate(html, root_box, context, previous, remake, bare, laid_out))
    document = Document(
        [Page(page_box) for page_box in page_boxes],
        DocumentMetadata(**get_html_metadata(html)),
        html.url_fetcher,
        fonts,
        {},
        options["output_intent"],
    )
    document._html = html
    return Layout(
        document, html, stylesheets, fonts, counter_style, context, bare, laid_out[0], notes
    )


def _measure_tables(context, root_box) -> None:
    """Measure each table's columns now, as a full layout does where the table begins: a
    table that begins on a kept page and goes on to a page laid out again is measured
    on that page from the rows it still has, which gives other widths."""
    for box in root_box.descendants():
        if getattr(box, "is_table_wrapper", False):
            table_and_columns_preferred_widths(context, box)


def _counting(make, laid_out: list[int]):
    """make_all_pages, counting the pages it lays out (not the kept ones)."""

    @functools.wraps(make)
    def counted(context, root_box, html, pages):
        kept = {id(page) for page in pages}
        for page in make(context, root_box, html, pages):
            laid_out[0] += id(page) not in kept
            yield page

    return counted


def _paginate(
    html,
    root_box,
    context,
    previous: Layout | None,
    remake: set[int],
    bare: list,
    laid_out: list[int],
    max_loops: int = 8,
):
    """layout.layout_document of WeasyPrint 70; given `previous`, its pages are kept but
    those in `remake`, and those whose start WeasyPrint finds changed once the pages
    before them are made. Each page's bare state (before margin boxes) is left in `bare`."""
    pages: list = []
    if previous is None:
        initialize_page_maker(context, root_box)
    else:
        context.page_maker = [
            (resume_at, dict(next_page), right_page, page_state, dict(remake_state))
            for resume_at, next_page, right_page, page_state, remake_state in previous.context.page_maker
        ]
        for index in remake:
            context.page_maker[index][-1]["content_changed"] = True
        for page, children, root_children in previous.bare:
            page.children = children  # as pagination left it: the margin boxes come after
            children[0].children = root_children
            pages.append(page)
    make = _counting(make_all_pages, laid_out)
    original_footnotes: list = []
    actual_total_pages = 0

    for loop in range(max_loops):
        if loop > 0:
            context.footnotes = original_footnotes.copy()
        initial_total_pages = actual_total_pages
        if loop == 0:
            original_footnotes = context.footnotes.copy()
        pages = list(make(context, root_box, html, pages))
        actual_total_pages = len(pages)
        reloop_content = False
        reloop_pages = False
        for page_data in context.page_maker:
            _, _, _, page_state, remake_state = page_data
            page_state[1]["pages"] = [actual_total_pages]
            if remake_state["content_changed"]:
                reloop_content = True
            if remake_state["pages_wanted"]:
                reloop_pages = initial_total_pages != actual_total_pages
        if not reloop_content and not reloop_pages:
            break

    bare[:] = [(page, page.children, page.children[0].children) for page in pages]
    kept = {id(page) for page, _, _ in previous.bare} if previous is not None else set()
    for page in pages:
        if id(page) in kept:  # the styles of its page and margin boxes, in this cascade
            set_page_type_computed_styles(page.page_type, html, context.style_for)

    watch_elements: list = []
    watch_elements_before: list = []
    watch_elements_after: list = []
    for i, page in enumerate(pages):
        _, _, _, page_state, _ = context.page_maker[i + 1]
        page_counter_values = page_state[1]
        for child in page.descendants():
            if child.bookmark_label:
                if child.element_tag.endswith("::before"):
                    checklist = watch_elements_before
                elif child.element_tag.endswith("::after"):
                    checklist = watch_elements_after
                else:
                    checklist = watch_elements
                if child.element in checklist:
                    child.bookmark_label = ""
                else:
                    checklist.append(child.element)
            if child.missing_link:
                for (box, css_token), item in context.target_collector.counter_lookup_items.items():
                    if child.missing_link == box and css_token != "content":
                        if css_token == "bookmark-label" and not child.bookmark_label:
                            continue
                        item.parse_again(page_counter_values)
                        if css_token == "bookmark-label":
                            child.bookmark_label = box.bookmark_label
            string_sets = child.string_set
            if string_sets and string_sets != "none":
                for string_name, text in string_sets:
                    context.string_set[string_name][i + 1].append(text)

    for i, page in enumerate(pages):
        root_children = []
        root, footnote_area, note_area = page.children
        root_children.extend(layout_fixed_boxes(context, pages[:i], page))
        root_children.extend(root.children)
        root_children.extend(layout_fixed_boxes(context, pages[i + 1 :], page))
        root.children = root_children
        context.current_page = i + 1
        state = context.page_maker[context.current_page][3]
        children = [root]
        if footnote_area.children:
            children.append(footnote_area)
        if note_area.children:
            children.append(note_area)
        children.extend(make_margin_boxes(context, page, state))
        page.children = tuple(children)
        layout_backgrounds(page, context.get_image_from_uri)
        yield page
