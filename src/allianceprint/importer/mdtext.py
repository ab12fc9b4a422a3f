"""Runs of formatted text (`Span`s) and plain text -> Markdown that shows them as they are:
emphasis marks that read right next to each other, escapes for Markdown's own characters,
and a paragraph's first characters kept from reading as block syntax.
"""

from __future__ import annotations

import re

from allianceprint.importer.document import CommentMark, Span

_ESCAPE_RE = re.compile(r"([\\`*_\[\]{}])")
_LINE_START_RE = re.compile(r"^(#|>|[-+*](?=\s)|\d+(?=[.)]\s)|=+$|-+$|\s+)")


def span_groups(inlines):
    """Consecutive spans as lists (to be merged); every other inline alone."""
    run: list[Span] = []
    for item in inlines:
        if isinstance(item, Span):
            run.append(item)
            continue
        if run:
            yield run
            run = []
        if not isinstance(item, CommentMark):
            yield item
    if run:
        yield run


def spans_markdown(spans: list[Span], before: str) -> str:
    """Consecutive spans as Markdown, those alike merged; `before` is the text they follow."""
    merged: list[Span] = []
    for span in spans:
        if merged and _same(merged[-1], span):
            last = merged[-1]
            merged[-1] = Span(
                last.text + span.text, last.italic, last.bold, last.small_caps, last.script
            )
        elif merged and not span.text.strip() and not span.script and not span.small_caps:
            last = merged[-1]  # a space between two italic runs stays inside the italics
            merged[-1] = Span(
                last.text + span.text, last.italic, last.bold, last.small_caps, last.script
            )
        else:
            merged.append(span)
    pieces = []
    for span in merged:
        core = escape(span.text)
        lead = core[: len(core) - len(core.lstrip())]
        trail = core[len(core.rstrip()) :]
        core = core.strip()
        if not core:
            pieces.append(lead + trail)
            continue
        if span.small_caps:
            core = f'<span style="font-variant: small-caps">{core}</span>'
        if span.script:
            core = f"<{span.script}>{core}</{span.script}>"
        previous = pieces[-1] if pieces else before
        if span.italic or span.bold:
            if previous.endswith("*") and not lead:
                em, strong = span.italic, span.bold
                open_ = ("<strong>" if strong else "") + ("<em>" if em else "")
                close = ("</em>" if em else "") + ("</strong>" if strong else "")
            else:
                marks = "***" if span.italic and span.bold else "**" if span.bold else "*"
                open_, close = marks, marks
            core = f"{open_}{core}{close}"
        pieces.append(lead + core + trail)
    return "".join(pieces)


def _same(a: Span, b: Span) -> bool:
    return (a.italic, a.bold, a.small_caps, a.script) == (b.italic, b.bold, b.small_caps, b.script)


def escape(text: str) -> str:
    """Text as Markdown that shows it as it is (`[^` would still read as a note: an entity)."""
    text = re.sub(r"&(?=#?\w+;)", "&amp;", text)
    text = text.replace("[^", "&#91;^")
    text = _ESCAPE_RE.sub(r"\\\1", text)
    return text.replace("<", "&lt;").replace("\n", " ")


def safe_line_start(text: str) -> str:
    """Keep a paragraph's first characters from reading as Markdown block syntax."""
    text = text.lstrip()
    match = _LINE_START_RE.match(text)
    if match and match.group(0).strip():
        if match.group(0)[0].isdigit():
            return text[: match.end()] + "\\" + text[match.end() :]
        return "\\" + text
    if text.startswith("Table:"):
        return "Table&#58;" + text[6:]
    return text
