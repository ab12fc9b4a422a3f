"""`AbbreviationsExtension`: the book's glossary -> `<abbr title>` on every use, including
abbreviations with full stops, digits or ampersands (`U.S.`, `5G`, `R&D`), and Latin
abbreviations set against Chinese or Japanese text with no space (`SAR卫星`): ideographs,
kana and hangul are word characters to Python's `\\w`, but never part of a Latin word."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Markdown
from markdown.extensions.abbr import AbbrExtension, AbbrTreeprocessor

# --- abbreviations ---------------------------------------------------------------------

#: Characters of the scripts written without spaces between words (CJK ideographs and
#: their punctuation, kana, bopomofo, hangul): a Latin word ends where one begins.
CJK_CHARACTERS = (
    "\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3130-\u318f"
    "\u3190-\u31ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7ff"
    "\uf900-\ufaff\ufe30-\ufe4f\uff66-\uff9f\U00020000-\U0003ffff"
)
#: One character of a word in the sense of `\w`, less those of CJK_CHARACTERS.
WORD_CHARACTER = rf"[^\W{CJK_CHARACTERS}]"
#: An abbreviation's definition, on a line of its own: `*[ABBR]: expansion`.
DEFINITION_RE = re.compile(r"^\*\[([^\]\n]+)\]:[ \t]*(.*)$")


def abbreviation_pattern(abbreviations: list[str]) -> re.Pattern[str]:
    """Any of `abbreviations` standing as a word of its own: not inside a longer word (CJK
    text around it does not count), not after a full stop or `&` (`U.S.` in `X.U.S.`), not
    before `&` or a full stop that goes on with a letter."""
    keys = sorted(abbreviations, key=len, reverse=True)
    alternatives = "|".join(re.escape(key) for key in keys)
    return re.compile(
        rf"(?<!{WORD_CHARACTER})(?<![.&])(?:{alternatives})"
        rf"(?!{WORD_CHARACTER}|&|\.{WORD_CHARACTER})"
    )


class _AbbrMarker(AbbrTreeprocessor):
    """The stock abbreviation marker, with boundaries that work for `U.S.`, `R&D` and
    `SAR卫星`."""

    def run(self, root: etree.Element) -> None:
        if not self.abbrs:
            return
        self.RE = abbreviation_pattern(list(self.abbrs))
        self.iter_element(root)


class AbbreviationsExtension(AbbrExtension):
    """Marks every use of the glossary's abbreviations; definitions are not parsed here."""

    def extendMarkdown(self, md: Markdown) -> None:
        if self.config["glossary"][0]:
            self.load_glossary(self.config["glossary"][0])
        self.abbrs.update(self.glossary)
        md.registerExtension(self)
        md.treeprocessors.register(_AbbrMarker(md, self.abbrs), "abbr", 7)
