"""WeasyPrint's line breaking -> the same, except that while `avoiding_faults` is on, a
line is not hyphenated where hyphens.find_faults would call it a fault.

hyphens.lay_out finds the faults of a layout (the third and later of a run of hyphenated
lines on a page; a word broken on the last line of a right-hand page) and lays the pages
from the first of them on out again with the words kept whole. A fault early in a piece
made every page after it be laid out again. Most faults can be foreseen while the lines
are broken, so the first layout avoids them:
- a line that follows two hyphenated lines of its block on the same page is broken
  without a hyphenation (the word goes whole to the next line);
- so is a line of a right-hand page after which, by the height of the line before, the
  next line would no longer fit: the page's last line, if the block goes on.

The guess can be wrong (a footnote or the widows rule can end the page a line earlier);
hyphens.lay_out still finds and mends what is left, so the result has no more faults than
before, only fewer passes. A line that is guessed last but is not only loses a
hyphenation. A word's own hyphen ("long-standing") is still a break; the passes handle it.

This changes two functions of WeasyPrint 70's private layout API, through the module
names its layout calls them by: `layout.block.iter_line_boxes` (each block's lines, one
at a time, on one page) and `layout.inline.split_first_line` (one line's text). Outside
`avoiding_faults` they do what WeasyPrint's do; tests/test_linebreaks.py checks both are
still what this module expects.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from weasyprint.formatting_structure import boxes
from weasyprint.layout import block, inline

MAX_RUN = 2  # hyphenated line ends in a row on a page: a third is a fault (here and in hyphens)

_avoiding = contextvars.ContextVar("avoiding_faults", default=False)
_no_hyphen = contextvars.ContextVar("no_hyphen", default=False)

_iter_line_boxes = inline.iter_line_boxes
_split_first_line = inline.split_first_line


@contextlib.contextmanager
def avoiding_faults() -> Iterator[None]:
    """Within: lines are not hyphenated where a hyphen would be a fault."""
    token = _avoiding.set(True)
    try:
        yield
    finally:
        _avoiding.reset(token)


def iter_line_boxes(context, box, position_y, bottom_space, *rest):
    """inline.iter_line_boxes, each line broken without hyphenation where one would be a
    fault."""
    lines = _iter_line_boxes(context, box, position_y, bottom_space, *rest)
    if not _avoiding.get():
        yield from lines
        return
    # The piece's first page is a right-hand page (no page yet: no last line to foresee).
    recto = (context.current_page or 0) % 2 == 1
    run = 0
    above = None  # the line before: (its bottom, its height)
    while True:
        last = recto and above is not None and _is_last(context, bottom_space, *above)
        token = _no_hyphen.set(run >= MAX_RUN or last)
        try:
            item = next(lines, None)
        finally:
            _no_hyphen.reset(token)
        if item is None:
            return
        line, _ = item
        run = run + 1 if ends_hyphenated(line) else 0
        above = (line.position_y + line.height, line.height)
        yield item


def _is_last(context, bottom_space, bottom: float, height: float) -> bool:
    """Whether a line of `height` below `bottom` fits on the page and a second does not."""
    return not context.overflows_page(bottom_space, bottom + height) and context.overflows_page(
        bottom_space, bottom + 2 * height
    )


def split_first_line(text, style, *rest, **keywords):
    """text.line_break.split_first_line, without automatic hyphenation where it is
    turned off for this line."""
    if _no_hyphen.get() and style["hyphens"] == "auto":
        style = style.copy()
        style["hyphens"] = "manual"
    return _split_first_line(text, style, *rest, **keywords)


def ends_hyphenated(line) -> bool:
    """The line ends in a hyphen: one hyphenation added, or the word's own."""
    last = None
    for child in line.descendants():
        if isinstance(child, boxes.TextBox):
            last = child
    return last is not None and hyphenated(last)


def hyphenated(text_box) -> bool:
    """The text box ends in a hyphen: one hyphenation added, or the word's own."""
    return text_box.text.endswith((text_box.style["hyphenate_character"], "-", "\u2010"))


block.iter_line_boxes = iter_line_boxes
inline.split_first_line = split_first_line
