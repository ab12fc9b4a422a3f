"""A laid-out WeasyPrint document -> the boxes that stick out of the text block
(`Overflow`: the part, a little of its text, by how much).

A word longer than the measure breaks (print.css: `overflow-wrap: anywhere` in the body),
but a table of many columns, a long word in a table cell, a long line of code or a wide
image can still be wider than the text block. WeasyPrint lays such a box out past the
page's edge, where the trimmed page cuts it off, and says nothing. `overflows` walks the
pages' flow (not the margin boxes: running heads and folios) and reports the outermost box
that ends more than `TOLERANCE` beyond the text block on the right, or past the paper's
edge on the left (list and note numbers hang into the margin on purpose), once per box.
renderlog turns each into a warning at the part's Markdown file and line.

WeasyPrint gives no public access to a page's boxes: they are read through
`weasyboxes.page_box`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from weasyprint.document import Document
from weasyprint.formatting_structure import boxes

from allianceprint.weasyboxes import page_box

#: How far (CSS px, 1/96 in) a box may end beyond the text block before it counts: rounding,
#: and a hanging punctuation mark, stay below it.
TOLERANCE = 2.0
#: At most so many overflows are reported per part (a wide table gives one, not one per row).
PER_PART = 5
SNIPPET = 40  # characters of the box's text, to find its line in the source


@dataclass(frozen=True)
class Overflow:
    part: str  # the id of the part (or piece) the box belongs to, "" if none
    kind: str  # "table", "image", "line"
    text: str  # the first SNIPPET characters of its text
    points: float  # how far it sticks out, in points


def overflows(document: Document, part_ids: frozenset[str]) -> list[Overflow]:
    """What sticks out of the text block on each page; `part_ids`: the ids of the elements
    that begin a part, so that each box is named by the part it lies in."""
    found: list[Overflow] = []
    counts: dict[str, int] = {}
    skip: set[int] = set()  # boxes reported: their children are not looked at
    part = ""
    for page in document.pages:
        root = page_box(page)
        left = root.content_box_x()
        right = left + root.width
        for box, part in _flow(root, part, part_ids, skip):
            if getattr(box, "pseudo_type", None) == "marker":
                continue  # a list's or a note's number hangs in the margin by design
            # Right: past the text block. Left: only past the paper's edge, since numbers
            # and punctuation may hang into the margin on purpose.
            excess = max(box.border_box_x() + box.border_width() - right, -box.border_box_x())
            if excess <= TOLERANCE:
                continue
            if counts.get(part, 0) < PER_PART:
                counts[part] = counts.get(part, 0) + 1
                found.append(
                    Overflow(
                        part, _kind(box), _text(box)[:SNIPPET].strip(), round(excess * 0.75, 1)
                    )
                )
            skip.add(id(box))
    return found


def _flow(box, part: str, part_ids: frozenset[str], skip: set[int]) -> Iterator[tuple[object, str]]:
    """Every box of the page's flow, in order, with the part it lies in; the children of a
    box in `skip` (the caller adds one when it yields) are not looked at."""
    for child in getattr(box, "children", ()):
        if isinstance(child, (boxes.MarginBox, boxes.FootnoteAreaBox)):
            continue
        element = getattr(child, "element", None)
        ident = element.get("id") if element is not None else None
        if ident in part_ids:
            part = ident
        yield child, part
        if id(child) not in skip and isinstance(child, boxes.ParentBox):
            yield from _flow(child, part, part_ids, skip)


def _kind(box) -> str:
    if (
        isinstance(
            box, (boxes.TableBox, boxes.TableRowGroupBox, boxes.TableRowBox, boxes.TableCellBox)
        )
        or getattr(box, "element_tag", "") == "table"
    ):
        return "table"
    if isinstance(box, boxes.ReplacedBox):
        return "image"
    return "line"


def _text(box) -> str:
    """The text a box holds, in order, whitespace joined."""
    if isinstance(box, boxes.TextBox):
        return box.text
    words: list[str] = []
    for child in getattr(box, "children", ()):
        words.append(_text(child))
        if sum(map(len, words)) > SNIPPET:
            break
    # A word WeasyPrint hyphenated ("Colum‐" "n0") is given whole.
    return " ".join(" ".join(words).replace("\u2010 ", "").split())
