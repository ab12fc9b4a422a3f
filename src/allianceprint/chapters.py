"""Rendered parts + `[book] chapter_label` -> the same parts with their chapter numbers.

`chapter_label` is a pattern with `{n}` where the number goes: `"Chapter {n}"`, `"{n}"`,
`"第{n}章"`. Empty (the default), nothing is numbered. The chapters are the body parts of
kind `text`, counted from 1 in order, except those whose front matter says
`numbered: false` (an introduction, closing thoughts), which are skipped without taking a
number. Front and back matter are never numbered. In a Chinese or Japanese book the number
is written in Chinese numerals (第三章, 第十二章) when the pattern holds Han characters;
otherwise in Western digits.
"""

from __future__ import annotations

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
            out += _DIGITS[0]
            zero = False
        if not (value == 10 and digit == 1 and not out):
            out += _DIGITS[digit]
        out += name
    return out


def _wants_han(pattern: str, language: str) -> bool:
    return language.lower().split("-")[0] in ("zh", "ja") and any(
        "\u4e00" <= char <= "\u9fff" for char in pattern.replace("{n}", ""))


def chapter_label(pattern: str, number: int, language: str) -> str:
    """The label of chapter `number`: the pattern with its number in place."""
    shown = chinese_numeral(number) if _wants_han(pattern, language) else str(number)
    return pattern.replace("{n}", shown)


def number_chapters(parts: tuple[RenderedPart, ...], pattern: str,
                    language: str) -> tuple[RenderedPart, ...]:
    """The parts, each chapter with its `number_label`."""
    if not pattern:
        return parts
    numbered, count = [], 0
    for part in parts:
        if (part.part.division == "body" and part.part.kind == "text"
                and part.part.numbered):
            count += 1
            part = replace(part, number_label=chapter_label(pattern, count, language))
        numbered.append(part)
    return tuple(numbered)
