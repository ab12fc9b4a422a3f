"""`NotesExtension`: footnote syntax (`[^label]`) -> per-part endnotes, numbered from 1 in
order of first reference, with ids scoped to the part and links both ways. Builds on
Python-Markdown's `footnotes` extension for the parsing; checks the syntax line by line."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass

from markdown import Markdown
from markdown.extensions import Extension
from markdown.extensions.footnotes import NBSP_PLACEHOLDER, FootnoteExtension
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from allianceprint.mdext.source import SourceInfo, prose_lines, remove_element

_NOTE_DEF_RE = re.compile(r"^ {0,3}\[\^([^\]\n]+)\]:[ \t]*(.*)$")
_NOTE_REF_RE = re.compile(r"\[\^([^\[\]\n]+)\](?!:)")  # linear: stops at the next [


@dataclass
class CollectedNote:
    number: int
    label: str
    id: str
    ref_ids: list[str]
    element: etree.Element  # the note's content (a div of block elements)


class _NoteScanner(Preprocessor):
    """Checks the note syntax against the raw lines, where line numbers are still known."""

    def __init__(self, md: Markdown, ext: NotesExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, lines: list[str]) -> list[str]:
        source = self.ext.source
        definitions: dict[str, tuple[int, int]] = {}
        references: dict[str, tuple[int, int]] = {}
        scanned = prose_lines(lines)
        for position, (index, line) in enumerate(scanned):
            line_no = source.first_line + index
            definition = _NOTE_DEF_RE.match(line)
            rest, rest_start = line, 0
            if definition:
                label = definition.group(1)
                where = (line_no, line.index("[") + 1)
                if label in definitions:
                    source.error(
                        f"note [^{label}] is defined twice (first on line "
                        f"{definitions[label][0]}): give one of them another label",
                        *where,
                    )
                else:
                    definitions[label] = where
                if not definition.group(2).strip() and not _has_continuation(scanned, position):
                    source.error(
                        f"note [^{label}] is empty: write its text after the colon", *where
                    )
                rest, rest_start = definition.group(2), definition.start(2)
            for match in _NOTE_REF_RE.finditer(rest):
                references.setdefault(match.group(1), (line_no, rest_start + match.start() + 1))
        for label, where in references.items():
            if label not in definitions:
                source.error(
                    f"note reference [^{label}] has no note: add a line "
                    f'"[^{label}]: text of the note"',
                    *where,
                )
        self.ext.cited = references
        for label, where in definitions.items():
            if label not in references:
                source.warning(
                    f"note [^{label}] is never referenced: cite it in the text "
                    "as [^" + label + "] or delete it",
                    *where,
                )
        return lines


def _has_continuation(scanned: list[tuple[int, str]], position: int) -> bool:
    """Whether an empty-looking definition goes on in indented lines below it."""
    for _, line in scanned[position + 1 :]:
        if not line.strip():
            continue
        return line.startswith(("    ", "\t"))
    return False


class _NoteCollector(Treeprocessor):
    """Renumbers notes by first reference, scopes their ids, and takes them out of the body.

    Runs after `inline` and `abbr`, so that note content is fully processed.
    """

    def __init__(self, md: Markdown, ext: NotesExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, root: etree.Element) -> None:
        container = None
        for div in root.iter("div"):
            if div.get("class") == "footnote":
                container = div
                break
        if container is None:
            return
        label_of = self.ext.footnotes.label_of
        items: dict[str, etree.Element] = {}
        ol = container.find("ol")
        for li in ol if ol is not None else ():
            if li.get("id") in label_of:
                items[label_of[li.get("id")]] = li

        prefix = self.ext.id_prefix
        numbers: dict[str, int] = {}
        notes: list[CollectedNote] = []
        for sup in list(root.iter("sup")):
            link = sup.find("a")
            if link is None or link.get("class") != "footnote-ref":
                continue
            label = label_of.get(link.get("href", "").removeprefix("#"))
            if label not in items:
                continue
            if label not in numbers:
                numbers[label] = len(numbers) + 1
                notes.append(
                    CollectedNote(
                        numbers[label], label, f"{prefix}note-{numbers[label]}", [], items[label]
                    )
                )
            note = notes[numbers[label] - 1]
            ref_id = f"{prefix}ref-{note.number}"
            if note.ref_ids:
                ref_id += f"-{len(note.ref_ids) + 1}"
            note.ref_ids.append(ref_id)
            sup.attrib.clear()
            sup.set("class", "noteref")
            link.attrib.clear()
            link.set("id", ref_id)
            link.set("href", f"#{note.id}")
            link.set("class", "noteref")
            link.set("epub:type", "noteref")
            link.set("role", "doc-noteref")
            link.text = str(note.number)

        for label, where in self.ext.cited.items():
            if label in items and label not in numbers:  # seen in the source, not as a reference
                self.ext.source.error(
                    f"note reference [^{label}] is not read as one here: it is in code (a "
                    "paragraph indented by a tab or four spaces is a code block) or in raw "
                    f"HTML, so it would print as '[^{label}]' and its note would be left out: "
                    "remove the indentation, or move the reference out of the HTML",
                    *where,
                )
        _separate_adjacent(root)
        for note in notes:
            note.element = _note_content(note.element)
        self.ext.collected = notes
        remove_element(root, container)


#: What goes between two note references with nothing between them.
ADJACENT_SEPARATOR = ","


def _separate_adjacent(root: etree.Element) -> None:
    """Two note references written together (`argued.[^3][^4]`) would print as one number,
    "argued.³⁴", which a reader takes for note 34: a comma goes between them ("³,⁴"), in the
    first one's superscript after its link, so that it is set like the numbers, in every
    output and every notes mode (printhtml takes it into the footnote call)."""
    for parent in root.iter():
        children = list(parent)
        for sup, after in zip(children, children[1:]):
            if not sup.tail and _is_noteref(sup) and _is_noteref(after):
                link = sup.find("a")
                link.tail = (link.tail or "") + ADJACENT_SEPARATOR


def _is_noteref(element: etree.Element) -> bool:
    return element.tag == "sup" and element.get("class") == "noteref"


def _note_content(li: etree.Element) -> etree.Element:
    """The note's block content without the footnotes extension's back links."""
    content = etree.Element("div")
    for child in list(li):
        for link in list(child.iter("a")):
            if link.get("class") == "footnote-backref":
                remove_element(child, link)
        for element in child.iter():
            if element.text:
                element.text = element.text.replace(NBSP_PLACEHOLDER, "")
        content.append(child)
    return content


class _LabelledFootnotes(FootnoteExtension):
    """Python-Markdown's footnotes, remembering the label each note id it makes is for (its
    `makeFootnoteId` hook), so that `_NoteCollector` finds notes and references by label."""

    def __init__(self) -> None:
        super().__init__(SEPARATOR="-", USE_DEFINITION_ORDER=True)
        self.label_of: dict[str, str] = {}  # a note's id, as the footnotes made it -> its label

    def makeFootnoteId(self, id: str) -> str:  # noqa: A002 (Python-Markdown's name)
        made = super().makeFootnoteId(id)
        self.label_of[made] = id
        return made

    def reset(self) -> None:
        super().reset()
        self.label_of = {}


class NotesExtension(Extension):
    """Per-part endnotes from footnote syntax; see the module docstring."""

    def __init__(self, source: SourceInfo, id_prefix: str) -> None:
        super().__init__()
        self.source = source
        self.id_prefix = id_prefix
        self.collected: list[CollectedNote] = []
        self.cited: dict[str, tuple[int, int]] = {}  # label -> where the source first cites it
        self.footnotes = _LabelledFootnotes()

    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        self.footnotes.extendMarkdown(md)
        # The stock reordering and duplicate back links are replaced by _NoteCollector.
        md.treeprocessors.deregister("footnote-duplicate", strict=False)
        md.preprocessors.register(_NoteScanner(md, self), "note-scanner", 40)
        md.treeprocessors.register(_NoteCollector(md, self), "note-collector", 5)

    def reset(self) -> None:
        self.collected = []
        self.cited = {}
