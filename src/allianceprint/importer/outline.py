"""A `Document`'s blocks and inlines -> what the writer and the messages need of them: the
title paragraph, which caption goes with which table or figure, the paragraphs and
inlines walked (inside tables and links), plain text, first words, a caption without its
"Table 2:" label.

Used by reader.py (for messages) and markdown.py; it writes nothing.
"""

from __future__ import annotations

import re

from allianceprint.importer.document import (
    Block,
    Document,
    LineBreak,
    Link,
    NoteRef,
    Paragraph,
    Picture,
    Span,
    Table,
)

_CAPTION_LABEL_RE = re.compile(
    r"^\s*(figure|fig\.|table|chart|map|graph|exhibit|box|abbildung|tabelle|tableau|tabla|"
    r"figura|tabella|図|表)\s*[\dIVXivx]*(?:[.\-–]\d+)*\s*[:.–—-]?\s*",
    re.IGNORECASE,
)


def find_title(blocks: list[Block]) -> tuple[int | None, int]:
    """The index of the title paragraph (Title style, else the first Heading 1, else the
    first of the highest headings) and its Word level: 0 for Title, 1 for Heading 1..."""
    title = next(
        (i for i, b in enumerate(blocks) if isinstance(b, Paragraph) and b.kind == "title"), None
    )
    if title is not None:
        return title, 0
    headings = [
        (b.level, i)
        for i, b in enumerate(blocks)
        if isinstance(b, Paragraph) and b.kind == "heading"
    ]
    if not headings:
        return None, 1
    level, index = min(headings)
    return index, level


def title_of(document: Document) -> str:
    """The document's title as plain text ("" if it has none)."""
    index, _ = find_title(document.blocks)
    return " ".join(plain_text(document.blocks[index].inlines).split()) if index is not None else ""


def without_notes(inlines) -> tuple:
    return tuple(
        Link(i.target, without_notes(i.children)) if isinstance(i, Link) else i
        for i in inlines
        if not isinstance(i, NoteRef)
    )


def walk(inlines):
    for item in inlines:
        yield item
        if isinstance(item, Link):
            yield from walk(item.children)


def paragraphs(blocks):
    for block in blocks:
        if isinstance(block, Paragraph):
            yield block
        else:
            for row in block.rows:
                for cell in row:
                    yield from paragraphs(cell.blocks)


def plain_text(inlines) -> str:
    """The text of `inlines`; a line break (Shift+Enter in a title or caption) is a space."""
    return "".join(
        i.text
        if isinstance(i, Span)
        else plain_text(i.children)
        if isinstance(i, Link)
        else " "
        if isinstance(i, LineBreak)
        else ""
        for i in inlines
    )


def caption_targets(blocks: list[Block]) -> tuple[dict[int, int | None], set[int]]:
    """Tables and figures -> the index of their caption paragraph (None for a figure
    without one), and the caption paragraphs so taken: a Caption-styled paragraph before or
    after its table or picture."""
    targets: dict[int, int | None] = {}
    used: set[int] = set()

    def is_figure(i: int) -> bool:
        if not 0 <= i < len(blocks) or not isinstance(blocks[i], Paragraph):
            return False
        items = [x for x in blocks[i].inlines if not (isinstance(x, Span) and not x.text.strip())]
        return len(items) == 1 and isinstance(items[0], Picture)

    def is_table(j: int) -> bool:
        return 0 <= j < len(blocks) and isinstance(blocks[j], Table)

    for i, block in enumerate(blocks):
        if is_figure(i):
            targets.setdefault(i, None)
        if not (isinstance(block, Paragraph) and block.kind == "caption"):
            continue
        # Word's habit: a table's caption above it, a figure's below it; then the other way.
        for target, fits in (
            (i + 1, is_table),
            (i - 1, is_figure),
            (i - 1, is_table),
            (i + 1, is_figure),
        ):
            if fits(target) and targets.get(target) is None:
                targets[target] = i
                used.add(i)
                break
    return targets, used


def strip_caption_label(text: str) -> str:
    """'Table 2: Trade flows' -> 'Trade flows' (the book numbers captions itself)."""
    return _CAPTION_LABEL_RE.sub("", text, count=1).strip()


def first_words(inlines) -> str:
    """The first six words of a paragraph, for messages."""
    return clip(" ".join(plain_text(inlines).split()))


def clip(text: str, words: int = 6) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")
