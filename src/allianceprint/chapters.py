"""Rendered parts + `[book] chapter_label` -> the same parts with their chapter numbers.

`chapter_label` is a pattern with `{n}` where the number goes: `"Chapter {n}"`, `"{n}"`,
`"第{n}章"`. Empty (the default), nothing is numbered. The chapters are the body parts of
kind `text`, counted from 1 in order, except those whose front matter says
`numbered: false` (an introduction, closing thoughts), which are skipped without taking a
number. Front and back matter are never numbered. In a Chinese or Japanese book the number
is written in Chinese numerals (第三章, 第十二章) when the pattern holds Han characters;
otherwise in Western digits. A link to a chapter whose text is a chapter number ("see
[chapter 2](two.md)", "[第二章](two.md)") shows the number the chapter really has.
"""

from __future__ import annotations

import re
from dataclasses import replace

from allianceprint.model import RenderedPart

_DIGITS = "〇一二三四五六七八九"


def chinese_numeral(number: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十, 105 -> 一百零五 (up to 9999)."""
    if number <= 0:
        return _DIGITS[0]
    units = [(1000, "千"), (100, "百"), (10, "十"), (1, "")]
    out, zero = "", False
    for value, name in units:
        digit = number // value % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"  # a zero inside a number: 一百零五
            zero = False
        if not (value == 10 and digit == 1 and not out):
            out += _DIGITS[digit]
        out += name
    return out


def _wants_han(pattern: str, language: str) -> bool:
    return language.lower().split("-")[0] in ("zh", "ja") and any(
        "\u4e00" <= char <= "\u9fff" for char in pattern.replace("{n}", "")
    )


def chapter_label(pattern: str, number: int, language: str) -> str:
    """The label of chapter `number`: the pattern with its number in place."""
    shown = chinese_numeral(number) if _wants_han(pattern, language) else str(number)
    return pattern.replace("{n}", shown)


def number_chapters(
    parts: tuple[RenderedPart, ...], pattern: str, language: str
) -> tuple[RenderedPart, ...]:
    """The parts, each chapter with its `number_label`."""
    if not pattern:
        return parts
    numbered, count, numbers = [], 0, {}
    for part in parts:
        if part.part.division == "body" and part.part.kind == "text" and part.part.numbered:
            count += 1
            numbers[part.id] = count
            part = replace(part, number_label=chapter_label(pattern, count, language))
        numbered.append(part)
    if not any(f'href="#{key}"' in part.body_html for part in numbered for key in numbers):
        return tuple(numbered)
    labels = {key: chapter_label(pattern, n, language) for key, n in numbers.items()}
    return tuple(
        replace(part, body_html=_references(part.body_html, pattern, numbers, labels))
        for part in numbered
    )


_LINK_RE = re.compile(r'(<a href="#(?P<id>[^"]+)"[^>]*>)(?P<text>[^<]*)(</a>)')
_NUMERAL = r"[0-9〇零一二三四五六七八九十百千]+"


def _references(html: str, pattern: str, numbers: dict[str, int], labels: dict[str, str]) -> str:
    """Links to chapters whose text is a chapter's number ("see [chapter 2](two.md)",
    "[第二章](two.md)", "[2](two.md)") given the number the chapter has."""
    as_label = re.compile(re.escape(pattern).replace(re.escape("{n}"), _NUMERAL), re.I)

    def renumber(match: re.Match) -> str:
        key, text = match["id"], match["text"]
        if key not in numbers:
            return match.group(0)
        if re.fullmatch(r"(?i)(chapter\s+)?\d+", text.strip()):  # the author's words kept
            text = re.sub(r"\d+", str(numbers[key]), text)
        elif as_label.fullmatch(text.strip()):
            text = labels[key]
        return match.group(1) + text + match.group(4)

    return _LINK_RE.sub(renumber, html)
