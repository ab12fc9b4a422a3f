"""A language tag or a character -> what Chinese and Japanese typesetting makes of it: the
region of the pan-CJK fonts (SC, TC, HK, JP, KR), whether the text is CJK, whether its
adjacent punctuation is compressed; and the character classes the typesetting works with.

Shared by cjk.py (the pre-pass), cjklines.py (the line filling) and fonts.py.
"""

from __future__ import annotations

import re

#: Regions of the pan-CJK fonts, by language tag (lower case, longest prefix first).
_REGIONS = (
    ("zh-hant-hk", "HK"),
    ("zh-hk", "HK"),
    ("zh-mo", "HK"),
    ("zh-hant", "TC"),
    ("zh-tw", "TC"),
    ("zh-hans", "SC"),
    ("zh-cn", "SC"),
    ("zh-sg", "SC"),
    ("zh", "SC"),
    ("ja", "JP"),
    ("ko", "KR"),
)

#: Ideographs and kana.
HAN = (
    "\u2e80-\u2fdf\u3005-\u3007\u3021-\u3029\u3038-\u303b\u3040-\u30ff\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
)
#: Characters that belong to the CJK text: ideographs, kana, CJK and full-width punctuation,
#: and the quotation marks, dashes and ellipsis that CJK text takes from the CJK font.
CJK = (
    HAN + "\u3000-\u3004\u3008-\u3020\u3030-\u3037\u303c-\u303f\uff00-\uffef"
    "\u2018-\u201f\u2014\u2015\u2026\u00b7\u30fb"
)

#: Punctuation marks that open and that close (a line may break between the two).
OPENING = "（〔［｛〈《「『【〘〖“‘"
CLOSING = "）〕］｝〉》」』】〙〗”’、。，．：；！？"


def region(language: str | None) -> str | None:
    """The pan-CJK font region for a language tag: "SC", "TC", "HK", "JP", "KR" or None."""
    tag = (language or "").lower()
    for prefix, found in _REGIONS:
        if tag == prefix or tag.startswith(prefix + "-"):
            return found
    return None


def is_cjk(language: str | None) -> bool:
    return region(language) is not None


def is_cjk_character(char: str) -> bool:
    """An ideograph, kana or CJK punctuation mark (not a quotation mark shared with Latin)."""
    return bool(re.match(f"[{HAN}\u3000-\u303f\uff00-\uffef\uac00-\ud7af]", char))


def compresses_punctuation(language: str | None) -> bool:
    """Whether adjacent punctuation is compressed: not in Taiwan's or Hong Kong's centred
    forms (nor in Korean, which uses Western punctuation)."""
    return region(language) in ("SC", "JP")
