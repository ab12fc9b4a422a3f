"""A laid-out WeasyPrint document -> the same pages, each ending on the text block's last line.

WeasyPrint fills a page until the next line, heading or figure does not fit, and headings,
lists, block quotes, notes and figures take space that is not a whole number of lines; so
facing pages end on different baselines, a few points or lines apart. This is *vertical
justification*, as a compositor does it by hand: on every page but the last of a part,
the space that is left at the foot is shared out between the page's blocks — at
paragraph, heading, list, quote, note and figure boundaries, never between the lines of
a paragraph — so that the page's last baseline falls where a page of body text ends.
A page whose last lines run lower than that (notes, set smaller) is drawn together at the
same places, within the space those boundaries already have.

A page is left as it was when that would open a gap of more than `MAX_GAP_LINES` lines
at one boundary (a page cut short before a figure or table that could not fit, say), or
when it holds no boundary at all. Pages are changed after layout and before drawing: the
boxes are moved, and the page's links, anchors and bookmarks gathered again from them, so
both the one-document layout and the book laid out in pieces change the same pages in the
same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from weasyprint.document import Document, Page
from weasyprint.formatting_structure import boxes
from weasyprint.text.line_break import strut

from allianceprint.weasyboxes import page_box, page_from_box

MAX_GAP_LINES = 1.25  # the most space added at one boundary, in body lines
SPACED = 3.0  # weight of a boundary that already has space (headings, lists, notes)
SHRINK = 0.8  # the most of a boundary's space taken away, to raise a page's last line


_PART_RE = re.compile(
    r'<(?:section|nav) class="(?:part|contents|book-notes|title-page|'
    r'copyright-page)[ "][^>]*? id="([^"]+)"'
)


def part_ids(html: str) -> frozenset[str]:
    """The ids of the print template's parts (and contents, notes section, title and
    copyright pages) in `html`: where a part, whose last page stays short, begins."""
    return frozenset(_PART_RE.findall(html))


@dataclass
class _Item:
    box: object
    top: float
    bottom: float
    parent: object
    atomic: bool


def balance_pages(document: Document, part_ids: frozenset[str]) -> int:
    """Vertically justify `document`'s pages in place, all but the last page of each part
    (a page followed by a blank page, a page on which a part in `part_ids` begins, or the
    end); return how many pages were changed."""
    pages = document.pages
    grid = _grid(pages)
    if grid is None:
        return 0
    pitch, baseline_offset = grid
    changed = 0
    for index, page in enumerate(pages):
        box = page_box(page)
        if box.page_type.blank or index + 1 >= len(pages):
            continue
        following = pages[index + 1]
        # (a part's id is an anchor on every page it spans: one new on the next page)
        if page_box(following).page_type.blank or (part_ids & set(following.anchors)) - set(
            page.anchors
        ):
            continue
        if any(
            isinstance(child, boxes.FootnoteAreaBox) and child.children for child in box.children
        ):
            continue  # notes at the foot of the page: its block ends above them
        if _justify(box, pitch, baseline_offset):
            pages[index] = page_from_box(box)
            changed += 1
    return changed


def _grid(pages: list[Page]) -> tuple[float, float] | None:
    """The body's line pitch and the baseline's offset within a body line, in CSS px: the
    root element's strut (every piece of the book has the same root, whatever it holds)."""
    for page in pages:
        root = _flow_root(page_box(page))
        if root is not None:
            if root.style["line_height"] == "normal":
                return None  # no grid to keep
            pitch, baseline = strut(root.style)
            return pitch, baseline
    return None


def _flow_root(page_box) -> object | None:
    for child in page_box.children:
        if not isinstance(child, (boxes.MarginBox, boxes.FootnoteAreaBox)):
            return child
    return None


def _lines(box):
    for child in getattr(box, "children", ()):
        if isinstance(child, boxes.LineBox):
            yield child
        elif isinstance(child, boxes.ParentBox):
            yield from _lines(child)


def _items(box, out: list[_Item], riders: list) -> None:
    """The page's lines and unbreakable blocks, in `out`; the boxes that are placed
    beside them rather than after (a list's outside marker), in `riders`."""
    for child in box.children:
        if child.is_running():
            continue
        if child.is_absolutely_positioned():
            riders.append(child)
            continue
        if isinstance(child, boxes.LineBox):
            out.append(_Item(child, child.position_y, child.position_y + child.height, box, False))
        elif (
            isinstance(
                child,
                (boxes.TableBox, boxes.ReplacedBox, boxes.FlexContainerBox, boxes.GridContainerBox),
            )
            or getattr(child, "is_table_wrapper", False)
            or child.element_tag in ("figure", "table", "img")
            or not isinstance(child, boxes.ParentBox)
        ):
            top = child.border_box_y()
            out.append(_Item(child, top, top + child.border_height(), box, True))
        else:
            _items(child, out, riders)


def _justify(page_box, pitch: float, baseline_offset: float) -> bool:
    root = _flow_root(page_box)
    if root is None:
        return False
    items: list[_Item] = []
    riders: list = []
    _items(root, items, riders)
    if len(items) < 2:
        return False
    # Down the page: a list's marker or a float comes beside the line it belongs to.
    items.sort(key=lambda item: (item.top, item.bottom))
    last = items[-1]
    if last.atomic:  # a table's last row or a figure's caption: its last line of text
        baselines = [line.position_y + line.baseline for line in _lines(last.box)]
        last_baseline = max(baselines) if baselines else None
    else:
        last_baseline = last.box.position_y + last.box.baseline
    content_top = page_box.content_box_y()
    lines = int(page_box.height // pitch + 1e-6)
    target = content_top + (lines - 1) * pitch + baseline_offset
    if last_baseline is None:  # an image last: its foot on the block's foot
        slack = content_top + lines * pitch - last.bottom
    else:
        slack = target - last_baseline
    if abs(slack) < 0.01:
        return False
    # The boundaries: where one block ends and the next begins, on the way down the page.
    gaps: list[tuple[int, float, float]] = []  # (index of the item after, weight, space)
    for index in range(1, len(items)):
        before, after = items[index - 1], items[index]
        if after.top < before.bottom - 0.01:
            continue  # side by side (a list marker and its line)
        if after.parent is before.parent and not (after.atomic or before.atomic):
            continue  # two lines of one paragraph
        space = after.top - before.bottom
        gaps.append((index, SPACED if space > 0.5 else 1.0, space))
    if slack > 0:
        total = sum(weight for _, weight, _ in gaps)
        if not total or slack * max(w for _, w, _ in gaps) / total > MAX_GAP_LINES * pitch:
            return False
        shares = {index: slack * weight / total for index, weight, _ in gaps}
    else:
        room = sum(space * SHRINK for _, _, space in gaps if space > 0.5)
        if room < -slack:
            return False
        shares = {index: slack * space * SHRINK / room for index, _, space in gaps if space > 0.5}
    # Everything moves by what the boundaries above its top add up to.
    steps = sorted((items[index].top, share) for index, share in shares.items())
    for box, top in [(item.box, item.top) for item in items] + [
        (rider, rider.border_box_y()) for rider in riders
    ]:
        shift = sum(share for at, share in steps if at <= top + 0.01)
        if shift:
            box.translate(0, shift)
    return True
