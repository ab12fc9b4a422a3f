"""`RenderedBook` + the print stylesheet -> font warnings, before the PDF is laid out.

Two things spoil a printed page silently: a font the stylesheet names that is not installed
(the whole book then sets in some fallback), and a character the text font has no glyph for
(that one character then sets in another typeface). Both are reported as warnings that name
the font; a missing glyph also names the character and where it is first used.
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import lxml.html
import tinycss2
from fontTools.ttLib import TTFont

from allianceprint.errors import Diagnostics, shown_path
from allianceprint.model import RenderedBook

_GENERIC = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui"}


@dataclass(frozen=True)
class FontMatch:
    family: str  # the family fontconfig chose
    file: Path


def check_fonts(book: RenderedBook, stylesheet: Path, diagnostics: Diagnostics) -> None:
    """Warn about missing fonts and characters the text font cannot set."""
    if shutil.which("fc-match") is None:
        diagnostics.warning("fc-match (fontconfig) is not installed, so fonts cannot be "
                            "checked: run scripts/setup-system.sh")
        return
    families = primary_families(stylesheet.read_text(encoding="utf-8"))
    shown_css = Path(stylesheet.parent.parent.name) / stylesheet.parent.name / stylesheet.name
    for family in families:
        found = match(family)
        if found.family.casefold() != family.casefold():
            diagnostics.warning(f"font {family!r} named in the print stylesheet is not "
                                f"installed; the PDF would set in {found.family!r} instead: "
                                "run scripts/setup-system.sh or install the font", shown_css)
    if not families:
        return
    text_font = match(families[0])
    if text_font.family.casefold() != families[0].casefold():
        return  # already reported: every character would fall back
    covered = _cmap(text_font.file)
    reported: set[str] = set()
    for part in book.parts:
        html = " ".join([part.title_html, part.body_html, *(n.html for n in part.notes)])
        for char in sorted(set(_text(html)) - covered - reported):
            if char.isspace() or unicodedata.category(char) in ("Cc", "Cf"):
                continue
            reported.add(char)
            fallback = match(f":charset={ord(char):x}").family
            line = next((part.part.body_line + i for i, text in
                         enumerate(part.part.body.split("\n")) if char in text), None)
            diagnostics.warning(
                f"{char!r} (U+{ord(char):04X} {unicodedata.name(char, 'unnamed')}) is not in "
                f"the font {families[0]!r}; it prints in {fallback!r}: use another character "
                "or a font that has it", shown_path(book.book.root, part.part.source), line)


def primary_families(css: str) -> list[str]:
    """The first family of every `font-family` declaration, in order, without repeats."""
    families: list[str] = []
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type != "qualified-rule":
            continue
        for declaration in tinycss2.parse_declaration_list(rule.content, skip_comments=True,
                                                           skip_whitespace=True):
            if declaration.type != "declaration" or declaration.lower_name != "font-family":
                continue
            first = _first_family(declaration.value)
            if first and first not in families:
                families.append(first)
    return families


def _first_family(tokens) -> str | None:
    words: list[str] = []
    for token in tokens:
        if token.type == "literal" and token.value == ",":
            break
        if token.type == "string":
            return token.value
        if token.type == "ident":
            words.append(token.value)
    name = " ".join(words)
    return None if not name or name in _GENERIC else name


@lru_cache(maxsize=None)
def match(pattern: str) -> FontMatch:
    out = subprocess.run(["fc-match", "-f", "%{family[0]}|%{file}", pattern],
                         capture_output=True, text=True, check=True).stdout
    family, _, file = out.partition("|")
    return FontMatch(family, Path(file))


@lru_cache(maxsize=None)
def _cmap(path: Path) -> frozenset[str]:
    with TTFont(path, lazy=True) as font:
        return frozenset(chr(code) for code in font.getBestCmap())


def _text(fragment: str) -> str:
    if not fragment.strip():
        return ""
    return lxml.html.fragment_fromstring(fragment, create_parent="div").text_content()
