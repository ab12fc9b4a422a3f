"""`AbbreviationsExtension`: the book's glossary -> `<abbr title>` on every use, including
abbreviations with full stops, digits or ampersands (`U.S.`, `5G`, `R&D`)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Markdown
from markdown.extensions.abbr import AbbrExtension, AbbrTreeprocessor

# --- abbreviations ---------------------------------------------------------------------


class _AbbrMarker(AbbrTreeprocessor):
    """The stock abbreviation marker, with boundaries that work for `U.S.` and `R&D`."""

    def run(self, root: etree.Element) -> None:
        if not self.abbrs:
            return
        keys = sorted(self.abbrs, key=len, reverse=True)
        alternatives = "|".join(re.escape(key) for key in keys)
        self.RE = re.compile(rf"(?<![\w.&])(?:{alternatives})(?![\w&]|\.\w)")
        self.iter_element(root)


class AbbreviationsExtension(AbbrExtension):
    """Marks every use of the glossary's abbreviations; definitions are not parsed here."""

    def extendMarkdown(self, md: Markdown) -> None:
        if self.config["glossary"][0]:
            self.load_glossary(self.config["glossary"][0])
        self.abbrs.update(self.glossary)
        md.registerExtension(self)
        md.treeprocessors.register(_AbbrMarker(md, self.abbrs), "abbr", 7)
