"""Python-Markdown extensions: the manuscript's Markdown dialect.

Input: one part's Markdown body. Output (through `md.convert` and the attributes these
extensions leave on themselves): the body's HTML with the title taken out, the part's notes,
the images it uses, and every mistake found, located by file and line.

- `NotesExtension`: footnote syntax (`[^label]`) becomes per-part endnotes, numbered from 1
  in order of first reference, with ids scoped to the part, links both ways and EPUB
  semantics. Builds on Python-Markdown's `footnotes` extension for the parsing.
- `AbbreviationsExtension`: marks every use of the book's abbreviations with `<abbr title>`,
  including abbreviations with full stops, digits or ampersands (`U.S.`, `5G`, `R&D`).
- `PartExtension`: takes the part's title heading out of the flow, turns an image alone in its
  paragraph into a figure, checks images and links against the manuscript folder.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from markdown import Markdown
from markdown.extensions import Extension
from markdown.extensions.abbr import AbbrExtension, AbbrTreeprocessor
from markdown.extensions.footnotes import NBSP_PLACEHOLDER, FootnoteExtension
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from allianceprint.errors import Diagnostics

_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN_RE = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")
_NOTE_DEF_RE = re.compile(r"^ {0,3}\[\^([^\]\n]+)\]:[ \t]*(.*)$")
_NOTE_REF_RE = re.compile(r"\[\^([^\]\n]+)\](?!:)")


@dataclass
class SourceInfo:
    """Where a part's body comes from, so that mistakes can be located."""

    path: Path  # as shown in messages (relative to the manuscript folder's parent)
    body: str
    first_line: int  # line number in the file of the body's first line
    diagnostics: Diagnostics

    def line_of(self, needle: str) -> int | None:
        """The file line of the first body line that uses `needle` as a link or image target
        (`](needle`), else of the first that contains it at all."""
        lines = self.body.split("\n")  # as Python-Markdown splits: not at U+2028 or \f
        for pattern in (f"]({needle}", f"](<{needle}", needle):
            for offset, line in enumerate(lines):
                if pattern in line:
                    return self.first_line + offset
        return None

    def error(self, message: str, line: int | None) -> None:
        self.diagnostics.error(message, self.path, line)

    def warning(self, message: str, line: int | None) -> None:
        self.diagnostics.warning(message, self.path, line)


def prose_lines(lines: list[str]) -> list[tuple[int, str]]:
    """(index, line) for the lines outside fenced code, with code spans blanked out."""
    result = []
    fence: str | None = None
    for index, line in enumerate(lines):
        match = _FENCE_RE.match(line)
        if fence is not None:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = None
            continue
        if match:
            fence = match.group(1)
            continue
        result.append((index, _CODE_SPAN_RE.sub(lambda m: " " * len(m.group(0)), line)))
    return result


# --- notes -----------------------------------------------------------------------------


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
        definitions: dict[str, int] = {}
        references: dict[str, int] = {}
        scanned = prose_lines(lines)
        for position, (index, line) in enumerate(scanned):
            line_no = source.first_line + index
            definition = _NOTE_DEF_RE.match(line)
            rest = line
            if definition:
                label = definition.group(1)
                if label in definitions:
                    source.error(f"note [^{label}] is defined twice (first on line "
                                 f"{definitions[label]}): give one of them another label",
                                 line_no)
                else:
                    definitions[label] = line_no
                if not definition.group(2).strip() and not _has_continuation(scanned, position):
                    source.error(f"note [^{label}] is empty: write its text after the colon",
                                 line_no)
                rest = definition.group(2)
            for match in _NOTE_REF_RE.finditer(rest):
                references.setdefault(match.group(1), line_no)
        for label, line_no in references.items():
            if label not in definitions:
                source.error(f"note reference [^{label}] has no note: add a line "
                             f"\"[^{label}]: text of the note\"", line_no)
        for label, line_no in definitions.items():
            if label not in references:
                source.warning(f"note [^{label}] is never referenced: cite it in the text "
                               "as [^" + label + "] or delete it", line_no)
        return lines


def _has_continuation(scanned: list[tuple[int, str]], position: int) -> bool:
    """Whether an empty-looking definition goes on in indented lines below it."""
    for _, line in scanned[position + 1:]:
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
        items: dict[str, etree.Element] = {}
        ol = container.find("ol")
        for li in ol if ol is not None else ():
            items[li.get("id", "").split("-", 1)[-1]] = li

        prefix = self.ext.id_prefix
        numbers: dict[str, int] = {}
        notes: list[CollectedNote] = []
        for sup in list(root.iter("sup")):
            link = sup.find("a")
            if link is None or link.get("class") != "footnote-ref":
                continue
            label = link.get("href", "").split("-", 1)[-1]
            if label not in items:
                continue
            if label not in numbers:
                numbers[label] = len(numbers) + 1
                notes.append(CollectedNote(numbers[label], label, f"{prefix}note-{numbers[label]}",
                                           [], items[label]))
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

        for note in notes:
            note.element = _note_content(note.element)
        self.ext.collected = notes
        _remove(root, container)


def _note_content(li: etree.Element) -> etree.Element:
    """The note's block content without the footnotes extension's back links."""
    content = etree.Element("div")
    for child in list(li):
        for link in list(child.iter("a")):
            if link.get("class") == "footnote-backref":
                _remove(child, link)
        if child.text:
            child.text = child.text.replace(NBSP_PLACEHOLDER, "")
        content.append(child)
    return content


def _remove(root: etree.Element, target: etree.Element) -> None:
    """Remove `target` from wherever it is below `root`, keeping its tail text."""
    for parent in root.iter():
        children = list(parent)
        if target in children:
            index = children.index(target)
            if target.tail and target.tail.strip():
                if index > 0:
                    prev = children[index - 1]
                    prev.tail = (prev.tail or "") + target.tail
                else:
                    parent.text = (parent.text or "") + target.tail
            parent.remove(target)
            return


class NotesExtension(Extension):
    """Per-part endnotes from footnote syntax; see the module docstring."""

    def __init__(self, source: SourceInfo, id_prefix: str) -> None:
        super().__init__()
        self.source = source
        self.id_prefix = id_prefix
        self.collected: list[CollectedNote] = []

    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        FootnoteExtension(SEPARATOR="-", USE_DEFINITION_ORDER=True).extendMarkdown(md)
        # The stock reordering and duplicate back links are replaced by _NoteCollector.
        md.treeprocessors.deregister("footnote-duplicate", strict=False)
        md.preprocessors.register(_NoteScanner(md, self), "note-scanner", 40)
        md.treeprocessors.register(_NoteCollector(md, self), "note-collector", 5)

    def reset(self) -> None:
        self.collected = []


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


# --- part structure, figures, images and links -----------------------------------------


@dataclass
class PartContext:
    """What the part processor needs to know about the book."""

    root: Path  # manuscript folder, resolved
    source_file: Path  # the part's file, resolved
    part_ids: dict[Path, str]  # resolved file of every part -> its id
    id_prefix: str
    images: list[PurePosixPath] = field(default_factory=list)
    title_element: etree.Element | None = None


class _PartProcessor(Treeprocessor):
    """Takes out the title heading, makes figures, checks images and links."""

    def __init__(self, md: Markdown, ext: PartExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, root: etree.Element) -> None:
        context = self.ext.context
        first = next(iter(root), None)
        if first is not None and first.tag == "h1":
            context.title_element = first
            _remove(root, first)
        for paragraph in list(root.iter("p")):
            self.make_figure(root, paragraph)
        for image in root.iter("img"):
            self.check_image(image)
        for link in root.iter("a"):
            if link.get("href") is not None and "noteref" not in link.get("class", ""):
                self.check_link(link)

    def make_figure(self, root: etree.Element, paragraph: etree.Element) -> None:
        children = list(paragraph)
        if (len(children) != 1 or children[0].tag != "img" or (paragraph.text or "").strip()
                or (children[0].tail or "").strip()):
            return
        image = children[0]
        paragraph.tag = "figure"
        paragraph.text = None
        image.tail = None
        caption = image.attrib.pop("title", None)
        if caption:
            figcaption = etree.SubElement(paragraph, "figcaption")
            figcaption.text = caption

    def check_image(self, image: etree.Element) -> None:
        source = self.ext.source
        src = image.get("src", "")
        line = source.line_of(src) if src else None
        if not image.get("alt", "").strip():
            source.warning(f"image {src!r} has no alt text: describe it between the "
                           "brackets of ![...]", line)
        resolved = self.resolve(src, line, "image")
        if resolved is not None:
            if not resolved.is_file():
                source.error(f"image {src!r} does not exist: check the path, which is "
                             "relative to this Markdown file", line)
                return
            relative = PurePosixPath(resolved.relative_to(self.ext.context.root).as_posix())
            image.set("src", str(relative))
            if relative not in self.ext.context.images:
                self.ext.context.images.append(relative)

    def check_link(self, link: etree.Element) -> None:
        href = link.get("href", "")
        parts = urlsplit(href)
        if parts.scheme or href.startswith(("#", "//")) or not href:
            return
        source = self.ext.source
        line = source.line_of(href)
        resolved = self.resolve(parts.path, line, "link")
        if resolved is None:
            return
        part_id = self.ext.context.part_ids.get(resolved)
        if part_id is None:
            if resolved.suffix == ".md" or not resolved.exists():
                source.error(f"link to {href!r}: no such part in [contents]; link to a "
                             "Markdown file the book includes", line)
            else:
                source.error(f"link to the file {href!r}: a book can link only to its own "
                             "parts or to web addresses", line)
            return
        link.set("href", f"#{parts.fragment or part_id}")

    def resolve(self, target: str, line: int | None, what: str) -> Path | None:
        """Resolve a manuscript-relative target, reporting remote or escaping ones."""
        source = self.ext.source
        parts = urlsplit(target)
        if parts.scheme or target.startswith("//"):
            source.error(f"{what} {target!r} is not a file in the manuscript: the build never "
                         "fetches from the network; save it in the manuscript folder", line)
            return None
        base = self.ext.context.source_file.parent
        resolved = (base / unquote(parts.path)).resolve()
        if not resolved.is_relative_to(self.ext.context.root):
            source.error(f"{what} {target!r} lies outside the manuscript folder: move the "
                         "file into it", line)
            return None
        return resolved


class PartExtension(Extension):
    """Title extraction, figures, image and link checks; see the module docstring."""

    def __init__(self, source: SourceInfo, context: PartContext) -> None:
        super().__init__()
        self.source = source
        self.context = context

    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        md.treeprocessors.register(_PartProcessor(md, self), "part", 4)
