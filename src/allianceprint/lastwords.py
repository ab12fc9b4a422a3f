"""The print edition's HTML -> the same HTML with each paragraph's last words bound (no runts).

WeasyPrint breaks lines greedily, one at a time, so nothing stops a paragraph ending on a
line of two or three characters — often the tail of a word hyphenated on the line above
("dilem‐ / ma."). Binding the paragraph's last words in `<span class="last-words">`
(print.css: `white-space: nowrap`) makes them one unbreakable unit: the last line holds at
least that unit, and its last word is never hyphenated. The words are wrapped, not changed:
no no-break space or joiner is inserted, so the text a reader copies or a tool extracts
from the PDF is the same.

What is bound, in each paragraph-like block (`p`, `li`, `dd`, `figcaption`; not table
cells, too narrow to spare the room): its last words, from the end, until they hold at
least `MIN_CHARS` characters (spaces aside) with a place to break before them — whole
words of its text, whole inline elements (a note reference, an italic title), or the last
words inside an element too long to take whole. Never more than `MAX_CHARS` characters,
so that the line above is not stretched badly. A web address (a link that may break
anywhere) has its last characters bound instead. A paragraph that cannot be bound so (one
long word, say) is left alone.
"""

from __future__ import annotations

import re

from lxml import etree

MIN_CHARS = 10  # the last line holds at least this many characters
MAX_CHARS = 26
CLASS = "last-words"
BLOCKS = ("p", "li", "dd", "figcaption")


def bind_last_words(root: etree._Element) -> int:
    """Bind the last words of every paragraph-like block under `root`, in place; return how
    many were bound."""
    bound = 0
    for block in root.iter(*BLOCKS):
        if any(child.tag in BLOCKS for child in block.iter() if child is not block):
            continue  # a list item holding paragraphs: its paragraphs are bound
        if _bind(block):
            bound += 1
    return bound


def _bind(block: etree._Element) -> bool:
    return _bind_in(block, 0)


def _chars(text: str) -> int:
    return len("".join(text.split()))


def _bind_in(container: etree._Element, taken_outside: int) -> bool:
    """Bind the end of `container`'s content: whole trailing words of its text, whole
    inline elements after them, or, when an element is too long to take whole, the end of
    that element's own content (its last words; a web address's last characters)."""
    children = [child for child in container if isinstance(child.tag, str)]
    if len(children) != len(container):
        return False  # comments or processing instructions: leave the block alone
    # The content as (child index or -1 for container.text, is_element), from the end.
    items: list[tuple[int, bool]] = [(-1, False)]
    for index in range(len(children)):
        items += [(index, True), (index, False)]
    taken = taken_outside
    start: tuple[int, bool, int] | None = None  # (item, is_element, offset in its text)
    done = False
    for item, is_element in reversed(items):
        if is_element:
            child = children[item]
            if child.tag in ("br", "code") or child.tag in BLOCKS:
                break
            size = _chars(child.text_content())
            if taken + size > MAX_CHARS:
                if child.tag in _INLINE and _bind_in(child, taken):
                    done = True  # its end is bound; what follows it is bound below
                break
            taken += size
            start = (item, True, 0)
            continue
        text = container.text if item == -1 else children[item].tail
        if not text:
            continue
        body = text.rstrip()
        positions = [m.start() for m in re.finditer(r"\S+", body)]
        link = _is_web_address(container)
        if link and not any(c.isspace() for c in body):
            positions = list(range(len(body) - 1, -1, -1))[::-1]  # any character
        stop = False
        for position in reversed(positions):
            size = _chars(body[position:])
            if taken + size > MAX_CHARS:
                stop = True
                break
            start = (item, False, position)
            if taken + size >= MIN_CHARS and (
                position > 0 and body[position - 1].isspace() or link and position > 0
            ):
                taken += size
                done = True
                break
        else:
            taken += _chars(body)
        if done or stop:
            break
    if start is None or not done:
        return done and start is None and taken > taken_outside
    _wrap(container, children, start)
    return True


_INLINE = (
    "a",
    "em",
    "strong",
    "i",
    "b",
    "span",
    "cite",
    "q",
    "small",
    "u",
    "s",
    "mark",
    "bdi",
    "dfn",
    "var",
)


def _wrap(container: etree._Element, children: list, start: tuple[int, bool, int]) -> None:
    item, is_element, offset = start
    span = etree.Element("span", {"class": CLASS})
    if is_element:
        index = item
    else:
        text = container.text if item == -1 else children[item].tail
        span.text = text[offset:]
        if item == -1:
            container.text = text[:offset]
        else:
            children[item].tail = text[:offset]
        index = item + 1
    for child in children[index:]:
        span.append(child)  # moves it, with its tail
    container.insert(index, span)


def _is_web_address(element: etree._Element | None) -> bool:
    return (
        element is not None
        and element.tag == "a"
        and (element.get("href") or "").startswith(("http:", "https:"))
    )
