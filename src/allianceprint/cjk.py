"""Print HTML -> the same HTML set as a Chinese or Japanese press sets it (a pre-pass before
WeasyPrint lays it out).

WeasyPrint stretches a justified line only at spaces, and has no `text-spacing`,
`text-autospace` or `text-justify: inter-character`. So the text is given a grid instead:

- the text block is a whole number of ems wide (`page_css`), and every ideograph, kana and
  CJK punctuation mark is one em wide, so a line of them fills the block exactly;
- a Latin run between ideographs (`SAR`, `2023`, `World Bank`) is wrapped in one
  `<span class="cjk-latin">` set in the book's Latin face, with a space on each side that
  touches an ideograph (typed by the author or not). The run's width is measured with
  HarfBuzz on the very font file fontconfig gives WeasyPrint, and the span's word-spacing
  (0.15-0.35 em gaps, a fifth where the grid allows) and, where that is not enough, a
  letter-spacing of a few hundredths of an em make run and gaps a whole number of ems;
- two or more adjacent punctuation marks (`。”`, `）、`, `“《`) are compressed with the font's
  `halt` feature, an even number of them, so that a pair takes one em (clreq/jlreq allow 1 or
  1.5 em); not for zh-Hant / zh-HK, whose marks are centred;
- a note reference is joined to what precedes it with U+2060 WORD JOINER (no glyph, not in
  the extracted text), so it never begins a line;
- each box's width is left on it (`data-em`, taken off again at the end) for `cjklines`,
  which fills the lines of each justified block as Pango will and mends those that kinsoku
  or a Latin run would leave short.

Only text whose language (`lang`, inherited) is Chinese or Japanese is touched. Nothing is
added between two ideographs: text extracted from the PDF is the source text, with at most a
space between an ideograph and a Latin word.

The language rules live in cjklang.py and the measuring of Latin runs in cjklatin.py;
cjklines.py does the line filling.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from lxml import etree

from allianceprint.cjklang import (
    CJK,
    CLOSING,
    HAN,
    OPENING,
    compresses_punctuation,
    is_cjk,
    region,
)
from allianceprint.cjklatin import (
    Face,
    LatinMetrics,
    Spacing,
    box_width,
    shared_widths,
    spacing_for,
)
from allianceprint.cjklines import push_in
from allianceprint.fragments import replace_text
from allianceprint.model import PrintOptions

_IDEOGRAPH_RE = re.compile(f"[{HAN}]")
#: A Latin run: words of non-CJK characters, with the spaces between them, and the spaces
#: around it (typed between an ideograph and a Latin word, or not).
_RUN_RE = re.compile(rf"\s*([^\s{CJK}]+(?:\s+[^\s{CJK}]+)*)\s*")

_PUNCT_RUN_RE = re.compile(f"[{re.escape(OPENING + CLOSING)}]{{2,}}")
#: CSS lengths in points.
_UNITS = {"pt": 1.0, "in": 72.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "pc": 12.0, "px": 0.75}

#: The size of a note reference (sup.noteref in print.css), in em.
NOTEREF_SIZE = 0.68

_SKIP = frozenset({"code", "pre", "kbd", "samp", "script", "style", "title", "head", "svg", "math"})
_BOLD = frozenset({"strong", "b", "th", "dt", "h1", "h2", "h3", "h4", "h5", "h6"})
_SANS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def length_pt(css: str) -> float:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(pt|in|mm|cm|pc|px)\s*", css)
    if not match:
        raise ValueError(f"not a CSS length: {css!r}")
    return float(match[1]) * _UNITS[match[2]]


def measure_ems(options: PrintOptions) -> int:
    """The widest whole number of ems that the page's text area holds."""
    width = length_pt(options.trim.split()[0])
    text = width - length_pt(options.margin_inner) - length_pt(options.margin_outer)
    return int(text / length_pt(options.font_size) + 1e-6)


def page_css(options: PrintOptions, language: str) -> str:
    """The page rules of a CJK book: a text block of whole ems, centred in the page's text
    area, and upright running heads. "" for other languages."""
    if not is_cjk(language):
        return ""
    ems = measure_ems(options)
    return (
        f"/* {language}: the text block is {ems} em wide (see allianceprint.cjk). */\n"
        f"html body {{ width: {ems}em; margin-left: auto; margin-right: auto; }}\n"
        "@page :left { @top-left { font-style: normal !important; letter-spacing: 0.1em !important; } }\n"
        "@page :right { @top-right { font-style: normal !important; letter-spacing: 0.1em !important; } }\n"
    )


@dataclass
class Report:
    """What the pre-pass did, for measuring it."""

    runs: int = 0
    off_grid: int = 0
    compressed: int = 0
    pushed_in: int = 0  # lines where a kinsoku conflict was solved by halving punctuation


def typeset(
    root: etree._Element,
    language: str,
    measure: int | None = None,
    metrics: LatinMetrics | None = None,
) -> Report:
    """Set the CJK text of the document `root` (an lxml HTML tree) in place; with `measure`
    (the text block's width in ems), also solve the kinsoku conflicts of body paragraphs."""
    metrics = metrics or LatinMetrics()
    report = Report()
    body = root.find("body") if root.tag == "html" else root
    if body is None:
        return report
    if not is_cjk(language) and not _has_cjk_lang(body):
        return report
    _collapse_spaces(body, language)
    _walk(body, language, Face(), metrics, report)
    if measure and is_cjk(language):
        for block, width, indented in _grid_blocks(body, measure):
            lang = _language_of(block, language)
            if is_cjk(lang):
                indent = (1 if region(lang) in ("JP", "KR") else 2) if indented else 0
                report.pushed_in += push_in(
                    block,
                    width,
                    indent,
                    halve=compresses_punctuation(lang),
                    widths=shared_widths(lang),
                    language=lang,
                )
    for element in body.iter():
        if isinstance(element.tag, str) and "data-em" in element.attrib:
            for name in ("data-em", "data-gaps", "data-breaks"):
                element.attrib.pop(name, None)
    return report


#: White space between two CJK characters that prints nothing: a line break of the source
#: (CSS Text 3 removes a segment break between two wide characters), or a space on the
#: blank side of a punctuation mark (after `。` `）` `」`, before `（` `「`), whose blank half
#: is the gap already.
_CJK_CHAR = f"[{CJK}]"
_SPACE_RE = re.compile(r"[ \t\r\n]+")


def _collapse_spaces(body: etree._Element, language: str) -> None:
    """Take out the white space between CJK characters that a press would not set (see
    _SPACE_RE's comment), across inline element boundaries (`<strong>要点。</strong> 正文`).
    A space typed between two ideographs is left as it is."""
    slots = list(_text_slots(body, language))
    for number, (owner, tail, lang) in enumerate(slots):
        if not is_cjk(lang):
            continue
        text = (owner.tail if tail else owner.text) or ""
        if not _SPACE_RE.search(text):
            continue

        def neighbour(step: int) -> str:
            at = number + step
            while 0 <= at < len(slots):
                found = (slots[at][0].tail if slots[at][1] else slots[at][0].text) or ""
                if found:
                    return found[-1] if step < 0 else found[0]
                at += step
            return ""

        def keep(match: re.Match) -> str:
            before = text[match.start() - 1] if match.start() else neighbour(-1)
            after = text[match.end()] if match.end() < len(text) else neighbour(1)
            if not (re.match(_CJK_CHAR, before or " ") and re.match(_CJK_CHAR, after or " ")):
                return match[0]
            if "\n" in match[0] or before in CLOSING or after in OPENING:
                return ""
            return match[0]

        new = _SPACE_RE.sub(keep, text)
        if new != text:
            if tail:
                owner.tail = new or None
            else:
                owner.text = new or None


def _text_slots(element: etree._Element, language: str):
    """The text and tails under `element`, in reading order, each with its language:
    (element, is_tail, language). A block element's start and end, and code, are a slot of
    their own holding nothing, so white space never collapses across them."""
    for child in element:
        if not isinstance(child.tag, str):
            yield child, True, language
            continue
        lang = child.get("lang") or child.get(XML_LANG) or language
        inline = child.tag in _INLINE_TAGS
        if not inline or child.tag in _SKIP:
            yield _BOUNDARY, False, ""
        if child.tag not in _SKIP:
            yield child, False, lang
            yield from _text_slots(child, lang)
        if not inline or child.tag in _SKIP:
            yield _BOUNDARY, False, ""
        yield child, True, language


_BOUNDARY = etree.Element("span")
_BOUNDARY.text = "\n"  # never CJK: nothing collapses across it
_INLINE_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "cite",
        "em",
        "i",
        "mark",
        "q",
        "s",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "time",
        "u",
        "var",
    }
)


def _grid_blocks(body: etree._Element, measure: int):
    """The justified blocks on the grid (see styles/print/cjk.css), with their width in ems
    and whether their first line is indented: a part's paragraphs, the paragraphs of its
    block quotes (2 em in from each side), the items of its lists (2 em in)."""
    for part_body in body.iter("div"):
        if "part-body" not in (part_body.get("class") or "").split():
            continue
        for child in part_body:
            if child.tag == "p":
                yield child, measure, True
            elif child.tag == "div" and "contributors" in (child.get("class") or "").split():
                # the contributors' entries: name (a heading), affiliation, biography
                for paragraph in child.iterfind("div/p"):
                    yield paragraph, measure, False
            elif child.tag == "blockquote":
                for paragraph in child.iterchildren("p"):
                    yield paragraph, measure - 4, True
            elif child.tag in ("ul", "ol"):
                for item in child.iterchildren("li"):
                    paragraphs = list(item.iterchildren("p"))
                    for block in paragraphs or [item]:
                        yield block, measure - 2, False


def _language_of(element: etree._Element, default: str) -> str:
    for ancestor in (element, *element.iterancestors()):
        if ancestor.get("lang"):
            return ancestor.get("lang")
    return default


def _has_cjk_lang(element: etree._Element) -> bool:
    """Whether the element or one inside it is marked as Chinese, Japanese or Korean (only
    the elements with a `lang` are looked at: a Latin book's pieces have few)."""
    return any(is_cjk(language) for language in element.xpath("descendant-or-self::*/@lang"))


def _walk(
    element: etree._Element, language: str, face: Face, metrics: LatinMetrics, report: Report
) -> None:
    _walk_children(element, list(element), language, face, metrics, report)


def _walk_children(
    element: etree._Element,
    children: list,
    language: str,
    face: Face,
    metrics: LatinMetrics,
    report: Report,
) -> None:
    for child in children:
        if not isinstance(child.tag, str):
            continue
        tag = child.tag
        child_lang = child.get("lang") or child.get(XML_LANG) or language
        tail_lang = language
        if tag in _SKIP or (child.get("class") or "").startswith("cjk-"):
            _set_tail(child, tail_lang, face, metrics, report)
            continue
        if is_cjk(language) and not is_cjk(child_lang) and len(child) == 0 and child.text:
            _latin_element(child, face, metrics, report)
            _set_tail(child, tail_lang, face, metrics, report)
            continue
        note_call = tag == "span" and "footnote" in (child.get("class") or "").split()
        if (tag == "sup" and "noteref" in (child.get("class") or "")) or note_call:
            if is_cjk(language):
                _join_before(child)
                number = child.get("data-call") if note_call else child.text_content()
                width = metrics.width((number or "").strip(), Face())
                if width is not None:  # print.css sets note references at 0.68 em
                    child.set("data-em", f"{width.glyphs * NOTEREF_SIZE:.4f}")
            if note_call:  # the note's own text, set in its language
                _walk(child, child_lang, Face(), metrics, report)
            _set_tail(child, tail_lang, face, metrics, report)
            continue
        child_face = Face(
            sans=face.sans or tag in _SANS,
            bold=face.bold or tag in _BOLD or (tag in ("em", "i") and is_cjk(child_lang)),
            italic=face.italic or (tag in ("em", "i", "cite") and not is_cjk(child_lang)),
        )
        children = list(child)  # before the text is set: its new spans need no walk
        if child.text:
            _set_text(child, None, child_lang, child_face, metrics, report)
        _walk_children(child, children, child_lang, child_face, metrics, report)
        _set_tail(child, tail_lang, face, metrics, report)


def _set_tail(child, language, face, metrics, report) -> None:
    if child.tail:
        _set_text(child.getparent(), child, language, face, metrics, report)


def _latin_element(
    element: etree._Element, face: Face, metrics: LatinMetrics, report: Report
) -> None:
    """A span in a Latin language inside CJK text (`<span lang="en">Global Commons</span>`):
    spaced from the ideographs around it like a Latin run."""
    previous = element.getprevious()
    before = (previous.tail if previous is not None else element.getparent().text) or ""
    after = element.tail or ""
    lead = bool(before) and bool(_IDEOGRAPH_RE.match(before[-1]))
    trail = bool(after) and bool(_IDEOGRAPH_RE.match(after[0]))
    italic = face.italic or element.tag in ("em", "i", "cite")
    [span] = _latin_span(
        element.text.strip(), lead, trail, replace(face, italic=italic), metrics, report
    )
    element.text = span.text
    for name in ("data-em", "data-gaps", "data-breaks"):
        if span.get(name):
            element.set(name, span.get(name))
    style = "; ".join(s for s in (element.get("style"), span.get("style")) if s)
    if style:
        element.set("style", style)


def _join_before(sup: etree._Element) -> None:
    """Keep a note reference on the line of what precedes it."""
    previous = sup.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + "\u2060"
    else:
        parent = sup.getparent()
        parent.text = (parent.text or "") + "\u2060"


def _set_text(
    parent: etree._Element,
    after: etree._Element | None,
    language: str,
    face: Face,
    metrics: LatinMetrics,
    report: Report,
) -> None:
    """Set the text of `parent` (after=None) or the tail of `after`, in `language`."""
    if not is_cjk(language):
        return
    text = after.tail if after is not None else parent.text
    if not text or not re.search(f"[{CJK}]", text):
        return
    compress = compresses_punctuation(language)
    pieces: list[str | etree._Element] = []
    position = 0
    for match in _RUN_RE.finditer(text):
        start, end = match.span()
        before = text[start - 1] if start > 0 else ""
        following = text[end] if end < len(text) else ""
        run = match[1]
        pieces.extend(_punctuation(text[position:start], compress, report))
        lead = bool(before) and bool(_IDEOGRAPH_RE.match(before))
        trail = bool(following) and bool(_IDEOGRAPH_RE.match(following))
        # Spaces typed at the text's edge (next to an element) stay as typed.
        head = match[0][: match.start(1) - start] if not before else ""
        tail = match[0][match.end(1) - start :] if not following else ""
        if head:
            pieces.append(head)
        pieces.extend(_latin_span(run, lead, trail, face, metrics, report))
        if tail:
            pieces.append(tail)
        position = end
    pieces.extend(_punctuation(text[position:], compress, report))
    replace_text(parent, after, pieces)


def _latin_span(
    run: str, lead: bool, trail: bool, face: Face, metrics: LatinMetrics, report: Report
) -> list[etree._Element]:
    """The run as `<span class="cjk-latin">`, its gaps inside it, with its width and where
    it may break for the line-filling pass (see cjklines)."""
    content = (" " if lead else "") + run + (" " if trail else "")
    span = etree.Element("span", {"class": "cjk-latin"})
    span.text = content
    report.runs += 1
    width = metrics.width(content, face)
    if width is None:
        return [span]
    spacing = spacing_for(width) if lead or trail or width.spaces else Spacing(0.0, 0.0, False)
    if (lead or trail) and not spacing.on_grid:
        report.off_grid += 1
    # For the line-filling pass: the box's width, and the gaps a line's edge drops.
    gap = width.space + spacing.word + spacing.letter
    span.set("data-em", f"{box_width(width, spacing):.4f}")
    span.set("data-gaps", f"{gap if lead else 0:.4f} {gap if trail else 0:.4f}")
    style = []
    if abs(spacing.word) > 1e-4:
        style.append(f"word-spacing:{spacing.word:.4f}em")
    if abs(spacing.letter) > 1e-4:
        style.append(f"letter-spacing:{spacing.letter:.4f}em")
    if style:
        span.set("style", ";".join(style))
    # Where a line may break inside the run: the widths of the pieces on either side.
    breaks = []
    for at in (m.start() for m in re.finditer(" ", content)):
        if 0 < at < len(content) - 1 and content[at - 1] != " ":
            before = metrics.width(content[:at], face)
            after = metrics.width(content[at + 1 :], face)
            if before and after:
                breaks.append(f"{box_width(before, spacing):.4f}:{box_width(after, spacing):.4f}")
    if breaks:
        span.set("data-breaks", " ".join(breaks))
    return [span]


def _punctuation(text: str, compress: bool, report: Report) -> list[str | etree._Element]:
    """`text` with each run of adjacent punctuation compressed: an even number of its marks
    set half-width (`halt`), so the run stays a whole number of ems. Only closing marks
    together, or opening marks together: a line may break between a closing and an opening
    mark, and a half-width mark left at a line's end would end the line off the grid."""
    if not compress or not text:
        return [text] if text else []
    pieces: list[str | etree._Element] = []
    position = 0
    for match in _PUNCT_RUN_RE.finditer(text):
        for group in _same_side_groups(match[0]):
            halved = len(group.text) // 2 * 2
            if halved < 2:
                continue
            start = match.start() + group.start
            pieces.append(text[position:start])
            span = etree.Element("span", {"class": "cjk-halt"})
            span.text = group.text[:halved]
            pieces.append(span)
            position = start + halved
            report.compressed += 1
    pieces.append(text[position:])
    return [p for p in pieces if not isinstance(p, str) or p]


@dataclass(frozen=True)
class _Group:
    start: int
    text: str


def _same_side_groups(marks: str) -> list[_Group]:
    groups: list[_Group] = []
    start = 0
    for index in range(1, len(marks) + 1):
        if index == len(marks) or ((marks[index] in OPENING) != (marks[start] in OPENING)):
            groups.append(_Group(start, marks[start:index]))
            start = index
    return groups
