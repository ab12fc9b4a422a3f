"""A character of Word's Symbol font (`w:sym w:font="Symbol" w:char="F061"`, or text in a
run set in Symbol) -> the Unicode character it shows ("α").

The Symbol font is not Unicode: its codes are ASCII letters and bytes, drawn as Greek and
mathematical signs, and Word writes them as those bytes or in the private use area
(U+F020-U+F0FF). Its layout is Adobe's Symbol encoding; the pieces it has for building
large brackets and the like have no character of their own and are not mapped. Other
symbol fonts (Wingdings, Webdings) are pictures, not letters: the reader reports them.
"""

from __future__ import annotations

_GREEK = "ΑΒΧΔΕΦΓΗΙϑΚΛΜΝΟΠΘΡΣΤΥςΩΞΨΖ"  # A..Z
_greek = "αβχδεφγηιϕκλμνοπθρστυϖωξψζ"  # a..z
_OTHER = {
    0x22: "∀",
    0x24: "∃",
    0x27: "∋",
    0x2A: "∗",
    0x2D: "−",
    0x40: "≅",
    0x5C: "∴",
    0x5E: "⊥",
    0x7E: "∼",
    0xA0: "€",  # Windows' Symbol font
}
# 0xA1 onwards, in order; "" where the font has a bracket or arrow piece
_HIGH = (
    "ϒ′≤⁄∞ƒ♣♦♥♠↔←↑→↓°±″≥×∝∂•÷≠≡≈…" + "\0\0" + "↵"  # A1-BF
    "ℵℑℜ℘⊗⊕∅∩∪⊃⊇⊄⊂⊆∈∉∠∇®©™∏√⋅¬∧∨⇔⇐⇑⇒⇓"  # C0-DF
    "◊⟨®©™∑" + "\0" * 10 + "\0⟩∫"  # E0-F2
)


def _table() -> dict[int, str]:
    table = {code: chr(code) for code in range(0x20, 0x7F) if code != 0x60}  # digits...
    for offset in range(26):
        table[0x41 + offset] = _GREEK[offset]
        table[0x61 + offset] = _greek[offset]
    table.update(_OTHER)
    for offset, char in enumerate(_HIGH):
        if char != "\0":
            table[0xA1 + offset] = char
    return table


_SYMBOL = _table()


def is_symbol_font(font: str | None) -> bool:
    return (font or "").strip().lower() == "symbol"


def symbol_char(code: int) -> str | None:
    """The character a Symbol-font code shows (a byte, or the same in U+F000-U+F0FF)."""
    if 0xF000 <= code <= 0xF0FF:
        code -= 0xF000
    return _SYMBOL.get(code)


def symbol_text(text: str) -> str:
    """Text set in the Symbol font, as the characters it shows (others kept as they are)."""
    return "".join(symbol_char(ord(c)) or c for c in text)


def sym_char(font: str | None, code: str | None) -> str | None:
    """The character of a `w:sym` (its font and hexadecimal code) if it is of the Symbol
    font and has one; None otherwise."""
    if not is_symbol_font(font):
        return None
    try:
        return symbol_char(int(code or "", 16))
    except ValueError:
        return None
