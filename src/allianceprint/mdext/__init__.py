"""Python-Markdown extensions: the manuscript's Markdown dialect.

Input: one part's Markdown body. Output (through `md.convert` and the attributes these
extensions leave on themselves): the body's HTML with the title taken out, the part's notes,
the images it uses, and every mistake found, located by file and line.

- `NotesExtension`: footnote syntax (`[^label]`) becomes per-part endnotes, numbered from 1
  in order of first reference, with ids scoped to the part, links both ways and EPUB
  semantics. Builds on Python-Markdown's `footnotes` extension for the parsing.
- `AbbreviationsExtension`: marks every use of the book's abbreviations with `<abbr title>`,
  including abbreviations with full stops, digits or ampersands (`U.S.`, `5G`, `R&D`).
- `TitleFiguresLinksExtension`: takes the part's title heading out of the flow, turns an
  image alone in its paragraph into a figure and numbers captions, checks images and links
  against the manuscript folder, makes bare URLs links that can break.
- `HtmlSafetyExtension`: raw HTML and attribute lists may use only harmless elements and
  attributes (no scripts, event handlers, `javascript:` links, embedded documents, `<link>` or
  `<style>`); block quotes and lists may nest only so deep, and so may the HTML they make.
"""

from allianceprint.mdext.abbreviations import AbbreviationsExtension
from allianceprint.mdext.notes import CollectedNote, NotesExtension
from allianceprint.mdext.parts import PartContext, TitleFiguresLinksExtension
from allianceprint.mdext.safety import (
    BLOCK_ELEMENTS,
    INLINE_ELEMENTS,
    HtmlSafetyExtension,
    attribute_problem,
    element_problem,
)
from allianceprint.mdext.source import SourceInfo, prose_lines, remove_element, source_headings

__all__ = [
    "AbbreviationsExtension",
    "BLOCK_ELEMENTS",
    "CollectedNote",
    "HtmlSafetyExtension",
    "INLINE_ELEMENTS",
    "NotesExtension",
    "PartContext",
    "SourceInfo",
    "TitleFiguresLinksExtension",
    "attribute_problem",
    "element_problem",
    "prose_lines",
    "remove_element",
    "source_headings",
]
