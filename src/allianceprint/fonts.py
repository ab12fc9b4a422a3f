"""`RenderedBook` + the print stylesheet -> font warnings and errors, before the PDF is laid out.

Three things spoil a printed page silently: a font the stylesheet names that is not installed
(the whole book then sets in some fallback), a character the text's fonts have no glyph for
(that one character then sets in another typeface), and a character that no installed font
has (it would print as an empty box, or not at all). The first two are warnings that name
the font, the last an error; a character is named with where it is first used.

The text's fonts are the stylesheet's first family and, for Chinese, Japanese or Korean text
(the book's language, a part's `lang`, a span's `lang`), the Noto Serif CJK face of its
region (see allianceprint.cjklang and styles/print/cjk.css).
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import tinycss2
from fontTools.ttLib import TTFont

from allianceprint import cjklang
from allianceprint.errors import Diagnostics, shown_path
from allianceprint.fragments import parse_fragment
from allianceprint.model import RenderedBook

_GENERIC = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui"}


@dataclass(frozen=True)
class FontMatch:
    family: str  # the family fontconfig chose
    file: Path
    index: int = 0  # the face in a collection (.ttc)


def check_book_fonts(book: RenderedBook, diagnostics: Diagnostics, strict: bool = False) -> None:
    """`check`'s font check: the one a PDF build makes before its layout, so that `check`
    fails on a character no font has, as `build` does, instead of passing a book that
    cannot be built. Raises every finding (and, with `strict`, warnings) as `check` does."""
    from allianceprint.checks import reading_order

    check_fonts(book, book.styles.file("print/print.css"), diagnostics)
    diagnostics.sort(reading_order(book.book))
    diagnostics.raise_if_errors(strict)


def check_fonts(book: RenderedBook, stylesheet: Path, diagnostics: Diagnostics) -> None:
    """Warn about missing fonts and characters the text font cannot set."""
    if shutil.which("fc-match") is None:
        diagnostics.warning(
            "fc-match (fontconfig) is not installed, so fonts cannot be "
            "checked: run scripts/setup-system.sh"
        )
        return
    families = primary_families(stylesheet.read_text(encoding="utf-8"))
    shown_css = Path(stylesheet.parent.parent.name) / stylesheet.parent.name / stylesheet.name
    for family in families:
        found = match(family)
        if found.family.casefold() != family.casefold():
            diagnostics.warning(
                f"font {family!r} named in the print stylesheet is not "
                f"installed; the PDF would set in {found.family!r} instead: "
                "run scripts/setup-system.sh or install the font",
                shown_css,
            )
    if not families:
        return
    text_font = match(families[0])
    if text_font.family.casefold() != families[0].casefold():
        return  # already reported: every character would fall back
    base = _cmap(text_font.file, text_font.index)
    regional: dict[str, frozenset[str]] = {}
    reported: set[str] = set()
    language = book.book.config.book.language
    for part in book.parts:
        html = " ".join([part.title_html, part.body_html, *(n.html for n in part.notes)])
        covered = base
        for region in sorted(_regions(html, part.part.lang or language)):
            if region not in regional:
                regional[region] = _regional_cmap(region, diagnostics)
            covered = covered | regional[region]
        shown = shown_path(book.book.root, part.part.source)
        for char in sorted(set(_text(html)) - covered - reported):
            if char.isspace() or unicodedata.category(char) in ("Cc", "Cf"):
                continue
            reported.add(char)
            line, column = _first_use(part.part.body, part.part.body_line, char)
            name = f"{char!r} (U+{ord(char):04X} {unicodedata.name(char, 'unnamed')})"
            fallback = match(f":charset={ord(char):x}")
            if char not in _cmap(fallback.file, fallback.index):
                diagnostics.error(
                    f"{name} is in no installed font, so it cannot be printed: "
                    "use another character, or install a font that has it",
                    shown,
                    line,
                    column,
                )
            elif cjklang.is_cjk_character(char):
                diagnostics.warning(
                    f"{name} is Chinese, Japanese or Korean but its text is not marked as such, "
                    f"so it prints in {fallback.family!r}: give the book, the part or the span "
                    "the right `lang` (zh-Hans, zh-Hant, ja, ko)",
                    shown,
                    line,
                    column,
                )
            else:
                diagnostics.warning(
                    f"{name} is not in the font {families[0]!r}; it prints in "
                    f"{fallback.family!r}: use another character or a font that has it",
                    shown,
                    line,
                    column,
                )


def _regions(html: str, language: str) -> set[str]:
    """The CJK font regions the fragment's text is in: its language's, and its spans'."""
    languages = {language}
    if "lang=" in html:
        root = parse_fragment(html)
        languages |= {
            e.get("lang") for e in root.iter() if isinstance(e.tag, str) and e.get("lang")
        }
    return {r for r in map(cjklang.region, languages) if r}


def _regional_cmap(region: str, diagnostics: Diagnostics) -> frozenset[str]:
    family = f"Noto Serif CJK {region}"
    found = match(family)
    if found.family.casefold() != family.casefold():
        diagnostics.warning(
            f"font {family!r} for Chinese, Japanese or Korean text is not "
            f"installed; the PDF would set in {found.family!r} instead: run "
            "scripts/setup-system.sh (it installs fonts-noto-cjk)"
        )
    return _cmap(found.file, found.index)


def _first_use(body: str, first_line: int, char: str) -> tuple[int | None, int | None]:
    for offset, text in enumerate(body.split("\n")):
        if char in text:
            return first_line + offset, text.index(char) + 1
    return None, None


def primary_families(css: str) -> list[str]:
    """The first family of every `font-family` declaration, in order, without repeats."""
    families: list[str] = []
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type != "qualified-rule":
            continue
        for declaration in tinycss2.parse_declaration_list(
            rule.content, skip_comments=True, skip_whitespace=True
        ):
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
    out = subprocess.run(
        ["fc-match", "-f", "%{family[0]}|%{index}|%{file}", pattern],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    family, index, file = out.split("|", 2)
    return FontMatch(family, Path(file), int(index or 0))


@lru_cache(maxsize=None)
def _cmap(path: Path, index: int = 0) -> frozenset[str]:
    with TTFont(path, lazy=True, fontNumber=index) as font:
        return frozenset(chr(code) for code in font.getBestCmap())


def _text(fragment: str) -> str:
    if not fragment.strip():
        return ""
    return parse_fragment(fragment).text_content()
