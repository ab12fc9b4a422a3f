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
- `HtmlSafetyExtension`: raw HTML and attribute lists may use only harmless elements and
  attributes (no scripts, event handlers, `javascript:` links, embedded documents, `<link>` or
  `<style>`); block quotes and lists may nest only so deep, and so may the HTML they make.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from functools import cached_property
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Mapping
from urllib.parse import SplitResult, unquote, urlsplit

from lxml import etree as lxml_etree
from markdown import Markdown
from markdown.extensions import Extension
from markdown.extensions.abbr import AbbrExtension, AbbrTreeprocessor
from markdown.extensions.attr_list import AttrListTreeprocessor, get_attrs_and_remainder
from markdown.extensions.footnotes import NBSP_PLACEHOLDER, FootnoteExtension
from markdown.inlinepatterns import InlineProcessor
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from allianceprint.config import language_tag_problem
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
    #: False when `body` is a value that does not stand in the file as it is (a front matter
    #: title, a biography in book.toml): then every finding is placed on `first_line`, with
    #: no column.
    verbatim: bool = True

    def position_of(self, needle: str, occurrence: int = 0) -> tuple[int | None, int | None]:
        """(line, column) in the file of `needle`, where a body line uses it as a link or
        image target (`](needle`), else where a line contains it at all: the `occurrence`-th
        such place, counting from 0. Code spans and fenced code are not searched."""
        if not self.verbatim:
            return self.first_line, None
        for prefix in ("](", "](<", ""):
            pattern, seen = prefix + needle, 0
            for offset, line in enumerate(self.searchable):
                start = line.find(pattern)
                while start >= 0:
                    if seen == occurrence:
                        return self.first_line + offset, start + len(prefix) + 1
                    seen += 1
                    start = line.find(pattern, start + 1)
        return None, None

    @cached_property
    def searchable(self) -> list[str]:
        """The body's lines, split as Python-Markdown splits them (not at U+2028 or \f),
        with code blanked out."""
        return [line for _, line in prose_lines(self.body.split("\n"), keep_all=True)]

    def line_of(self, needle: str) -> int | None:
        """The file line of `needle` (see `position_of`)."""
        return self.position_of(needle)[0]

    def error(self, message: str, line: int | None, column: int | None = None) -> None:
        self.diagnostics.error(message, self.path, line, column)

    def warning(self, message: str, line: int | None, column: int | None = None) -> None:
        self.diagnostics.warning(message, self.path, line, column)


def prose_lines(lines: list[str], keep_all: bool = False) -> list[tuple[int, str]]:
    """(index, line) for the lines outside fenced code, with code spans blanked out (so that
    columns stay true); with `keep_all`, the fenced lines are kept too, blanked."""
    result = []
    fence: str | None = None
    for index, line in enumerate(lines):
        match = _FENCE_RE.match(line)
        if fence is not None:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = None
            if keep_all:
                result.append((index, " " * len(line)))
            continue
        if match:
            fence = match.group(1)
            if keep_all:
                result.append((index, " " * len(line)))
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
                    source.error(f"note [^{label}] is defined twice (first on line "
                                 f"{definitions[label][0]}): give one of them another label",
                                 *where)
                else:
                    definitions[label] = where
                if not definition.group(2).strip() and not _has_continuation(scanned, position):
                    source.error(f"note [^{label}] is empty: write its text after the colon",
                                 *where)
                rest, rest_start = definition.group(2), definition.start(2)
            for match in _NOTE_REF_RE.finditer(rest):
                references.setdefault(match.group(1), (line_no, rest_start + match.start() + 1))
        for label, where in references.items():
            if label not in definitions:
                source.error(f"note reference [^{label}] has no note: add a line "
                             f"\"[^{label}]: text of the note\"", *where)
        for label, where in definitions.items():
            if label not in references:
                source.warning(f"note [^{label}] is never referenced: cite it in the text "
                               "as [^" + label + "] or delete it", *where)
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
        for element in child.iter():
            if element.text:
                element.text = element.text.replace(NBSP_PLACEHOLDER, "")
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
    listed: frozenset[Path] = frozenset()  # every file [contents] lists, read or not
    labels: Mapping[str, str] = field(default_factory=dict)  # "figure", "table" captions
    images: list[PurePosixPath] = field(default_factory=list)
    title_element: etree.Element | None = None
    figures: int = 0  # figures with a caption so far: they are numbered per part
    tables: int = 0


class _TitleProcessor(Treeprocessor):
    """Takes the part's title heading (a `#` heading at the very top) out of the flow.

    Runs after the notes are numbered, so that a note hanging on the title counts first.
    """

    def __init__(self, md: Markdown, ext: PartExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, root: etree.Element) -> None:
        first = next(iter(root), None)
        if first is not None and first.tag == "h1":
            self.ext.context.title_element = first
            _remove(root, first)


class _PartProcessor(Treeprocessor):
    """Makes figures and table captions, checks images and links, lets URLs break.

    Runs before the notes leave the tree, so that it sees inside them too.
    """

    def __init__(self, md: Markdown, ext: PartExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, root: etree.Element) -> None:
        for paragraph in list(root.iter("p")):
            self.make_figure(root, paragraph)
        for table in list(root.iter("table")):
            self.caption_table(root, table)
        for image in root.iter("img"):
            self.check_image(image)
        for link in root.iter("a"):
            if link.get("href") is not None and "noteref" not in link.get("class", ""):
                self.check_link(link)
            if link.text and len(link) == 0 and _URL_TEXT_RE.match(link.text):
                _add_break_opportunities(link)

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
            self.ext.context.figures += 1
            figcaption = etree.SubElement(paragraph, "figcaption")
            label = etree.SubElement(figcaption, "span", {"class": "caption-label"})
            label.text = f"{self.ext.context.labels.get('figure', 'Figure')} " \
                         f"{self.ext.context.figures}."
            label.tail = " " + caption

    def caption_table(self, root: etree.Element, table: etree.Element) -> None:
        """A paragraph `Table: caption` just before or after a table becomes its caption."""
        parent = next((p for p in root.iter() if table in list(p)), None)
        if parent is None:
            return
        siblings = list(parent)
        index = siblings.index(table)
        for neighbour in (siblings[index - 1] if index else None,
                          siblings[index + 1] if index + 1 < len(siblings) else None):
            if (neighbour is not None and neighbour.tag == "p"
                    and (neighbour.text or "").startswith("Table: ")):
                self.ext.context.tables += 1
                caption = etree.Element("caption")
                label = etree.SubElement(caption, "span", {"class": "caption-label"})
                label.text = f"{self.ext.context.labels.get('table', 'Table')} " \
                             f"{self.ext.context.tables}."
                label.tail = " " + neighbour.text[len("Table: "):]
                for child in list(neighbour):
                    caption.append(child)
                table.insert(0, caption)
                _remove(root, neighbour)
                return

    def check_image(self, image: etree.Element) -> None:
        source = self.ext.source
        src = image.get("src", "")
        line, column = source.position_of(src) if src else (None, None)
        if not image.get("alt", "").strip():
            source.warning(f"image {src!r} has no alt text: describe it between the "
                           "brackets of ![...]", line, column)
        resolved = self.resolve(src, line, "image", column)
        if resolved is not None:
            problem = image_file_problem(resolved)
            if problem is not None:
                source.error(f"image {src!r} {problem}", line, column)
                return
            relative = PurePosixPath(resolved.relative_to(self.ext.context.root).as_posix())
            image.set("src", str(relative))
            if relative not in self.ext.context.images:
                self.ext.context.images.append(relative)

    def check_link(self, link: etree.Element) -> None:
        href = link.get("href", "")
        if href.startswith("#") or not href:
            return  # a link within the book: checks.py sees that its target exists
        source = self.ext.source
        line, column = source.position_of(href)
        parts = _split_url(href)
        if parts is None or parts.scheme or href.startswith("//"):
            problem = href_problem(href, raw=False)
            if problem is not None:
                source.error(f"link {href!r}: {problem}", line, column)
            return
        resolved = self.resolve(parts.path, line, "link", column)
        if resolved is None:
            return
        part_id = self.ext.context.part_ids.get(resolved)
        if part_id is None:
            if resolved in self.ext.context.listed:
                return  # a part that could not be read: its own error says why
            if resolved.suffix == ".md" or not _exists(resolved):
                source.error(f"link to {href!r}: no such part in [contents]; link to a "
                             "Markdown file the book includes", line, column)
            else:
                source.error(f"link to the file {href!r}: a book can link only to its own "
                             "parts or to web addresses", line, column)
            return
        link.set("href", f"#{parts.fragment or part_id}")

    def resolve(self, target: str, line: int | None, what: str,
                column: int | None = None) -> Path | None:
        """Resolve a manuscript-relative target, reporting remote, escaping or unusable ones."""
        source = self.ext.source
        parts = _split_url(target)
        if parts is None or parts.scheme or target.startswith("//"):
            source.error(f"{what} {target!r} is not a file in the manuscript: the build never "
                         "fetches from the network; save it in the manuscript folder",
                         line, column)
            return None
        base = self.ext.context.source_file.parent
        try:
            resolved = (base / unquote(parts.path)).resolve()
        except (OSError, ValueError) as exc:  # a NUL byte, a name too long, a symlink loop
            source.error(f"{what} {target!r} is not a usable file name ({exc})", line, column)
            return None
        if not resolved.is_relative_to(self.ext.context.root):
            source.error(f"{what} {target!r} lies outside the manuscript folder: move the "
                         "file into it", line, column)
            return None
        return resolved


_URL_TEXT_RE = re.compile(r"^(https?|ftp)://\S+$")
_URL_BREAK_RE = re.compile(r"(?<=[/.\-_?&=#~])(?=[^/.\-_?&=#~])")
# Not across Python-Markdown's placeholders (STX ... ETX), nor trailing punctuation.
_BARE_URL_RE = r"(?<![\w/\"'(=<])(https?://[^\s<>\"\[\]\x02\x03]+[^\s<>\"\[\].,;:!?)'’”\x02\x03])"


def _add_break_opportunities(link: etree.Element) -> None:
    """Let a long URL break after its slashes, dots and hyphens (`<wbr>`), not mid-word."""
    pieces = _URL_BREAK_RE.split(link.text)
    link.text = pieces[0]
    for piece in pieces[1:]:
        etree.SubElement(link, "wbr").tail = piece


class _BareUrl(InlineProcessor):
    """A web address typed as plain text (as notes cite them) becomes a link."""

    ANCESTOR_EXCLUDES = ("a",)

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[etree.Element, int, int]:
        link = etree.Element("a", {"href": m.group(1)})
        link.text = AtomicString(m.group(1))
        return link, m.start(0), m.end(0)


class PartExtension(Extension):
    """Title extraction, figures, image and link checks; see the module docstring."""

    def __init__(self, source: SourceInfo, context: PartContext) -> None:
        super().__init__()
        self.source = source
        self.context = context

    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        md.treeprocessors.register(_PartProcessor(md, self), "part", 6)
        md.treeprocessors.register(_TitleProcessor(md, self), "part-title", 4)
        md.inlinePatterns.register(_BareUrl(_BARE_URL_RE, md), "bare-url", 115)


# --- hostile or broken input: raw HTML, attribute lists, nesting, image files -------------

MAX_NESTING = 16  # block quotes in one another, or levels of a list, in the Markdown
MAX_TREE_DEPTH = 64  # elements in one another that the Markdown makes
MAX_HTML_DEPTH = 32  # raw HTML elements open in one another
MAX_IMAGE_BYTES = 50 * 1024 * 1024

INLINE_ELEMENTS = frozenset(
    "a abbr b bdi bdo br cite code data del dfn em i ins kbd mark q rp rt ruby s samp small "
    "span strong sub sup time u var wbr".split())
BLOCK_ELEMENTS = frozenset(
    "aside blockquote caption col colgroup dd div dl dt figcaption figure h1 h2 h3 h4 h5 h6 "
    "hr li ol p pre section table tbody td tfoot th thead tr ul".split())
VOID_ELEMENTS = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split())
GLOBAL_ATTRIBUTES = frozenset({"id", "class", "lang", "dir", "title", "style", "role",
                               "epub:type"})
ELEMENT_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href"}), "img": frozenset({"src", "alt", "width", "height"}),
    "ol": frozenset({"start", "reversed", "type"}), "li": frozenset({"value"}),
    "td": frozenset({"colspan", "rowspan"}), "th": frozenset({"colspan", "rowspan", "scope"}),
    "col": frozenset({"span"}), "colgroup": frozenset({"span"}),
    "time": frozenset({"datetime"}), "data": frozenset({"value"}),
}
LINK_SCHEMES = ("http", "https", "ftp", "mailto", "tel")
IMAGE_TYPES = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".webp": "WebP",
               ".svg": "SVG"}

_REJECTED_ELEMENTS: dict[str, str] = {tag: why for tags, why in (
    ("script noscript", "a book runs no scripts; remove it"),
    ("iframe frame frameset object embed applet portal fencedframe",
     "a book cannot embed other documents or pages; link to them instead"),
    ("link style meta base",
     "a part cannot load files or change the house style (that is the styles folder's "
     "work); remove it"),
    ("img image picture source video audio track svg math canvas map area",
     "write images as ![alt text](path/to/file), so that they are checked and packed into "
     "the EPUB"),
    ("form input button select option optgroup textarea label fieldset legend output datalist",
     "forms do nothing in a book; remove it"),
) for tag in tags.split()}
_STYLE_DANGER_RE = re.compile(r"url\s*\(|image(?:-set)?\s*\(|cross-fade\s*\(|element\s*\(|@|\\|"
                              r"expression\s*\(|-moz-binding|behavior\s*:", re.IGNORECASE)
_DATA_ARIA_RE = re.compile(r"(data|aria)-[a-z0-9_.-]+")
_QUOTE_PREFIX_RE = re.compile(r"^(?:[ \t]*>)+")
_LIST_ITEM_RE = re.compile(r"^([ \t]*)(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_SVG_EXTERNAL_URL_RE = re.compile(r"url\(\s*['\"]?\s*(?!#)", re.IGNORECASE)


def _split_url(url: str) -> SplitResult | None:
    """`urlsplit(url)`, or None for what cannot be an address at all (`http://[::1`)."""
    try:
        return urlsplit(url)
    except ValueError:
        return None


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # a name too long for the system
        return False


def element_problem(tag: str) -> str | None:
    """Why raw HTML may not use the element `tag`, or None when it may."""
    if tag in INLINE_ELEMENTS or tag in BLOCK_ELEMENTS:
        return None
    why = _REJECTED_ELEMENTS.get(
        tag, "it is not an element a book can use: write it in Markdown, or use <span>, "
             "<sup>, <sub>, <br>, <div> or another element the README lists")
    return f"<{tag}> is not allowed: {why}"


def attribute_problem(tag: str, name: str, value: str | None, *, raw: bool) -> str | None:
    """Why the element `tag` may not carry `name`=`value`, or None when it may.

    `raw`: the attribute comes from raw HTML (else from an attribute list, on an element the
    Markdown made: a link's href and an image's src are then checked with the link or image).
    """
    name = name.lower()
    if name.startswith("on"):
        return f"the event-handler attribute {name}= on <{tag}> would run a script: remove it"
    if name == "style":
        danger = _STYLE_DANGER_RE.search(value or "")
        if danger is None:
            return None
        return (f"the style= on <{tag}> uses {danger.group(0).strip()!r}, with which a style "
                "can load files or addresses: a part's style may set properties such as "
                "color or font-variant, and nothing that loads anything")
    if name == "lang":
        problem = language_tag_problem(value or "")
        return f"lang= on <{tag}>: {problem}" if problem else None
    if tag == "a" and name == "href":
        problem = href_problem(value or "", raw=True) if raw else None
        return f"link {value!r}: {problem}" if problem else None
    if (name in GLOBAL_ATTRIBUTES or name in ELEMENT_ATTRIBUTES.get(tag, ())
            or _DATA_ARIA_RE.fullmatch(name)):
        return None
    return (f"the attribute {name}= is not allowed on <{tag}>: a part may set id, class, lang, "
            "dir, title, style, role, data-* and aria-* attributes, and href on <a>")


def href_problem(href: str, *, raw: bool) -> str | None:
    """What is wrong with a link's target, or None. Relative targets are files of the book:
    a Markdown link's are checked against [contents], a raw HTML link may not have them."""
    cleaned = re.sub(r"[\x00-\x20\x7f]", "", href)  # as a browser reads it
    if cleaned.startswith("#"):
        return None
    if cleaned.startswith("//"):
        return "write the address in full, starting with https://"
    parts = _split_url(cleaned)
    if parts is None:
        return "this is not a valid address: check it"
    scheme = parts.scheme.lower()
    if scheme in ("javascript", "vbscript"):
        return f"a {scheme}: link would run a script: remove it"
    if scheme in LINK_SCHEMES:
        return None
    if scheme:
        return (f"a book can link to web addresses (https:), mailto: and its own parts, not to "
                f"{scheme}: addresses")
    if raw:
        return ("in raw HTML a link can only be a web address or an #anchor: write links to "
                "the book's parts in Markdown, [text](file.md), so that they work in both "
                "editions")
    return None


def image_file_problem(path: Path) -> str | None:
    """What keeps the file `path` (inside the manuscript) from being one of the book's
    images, said after "image 'src' ", or None when it can be one."""
    kind = IMAGE_TYPES.get(path.suffix.lower())
    try:
        if not path.exists():
            return "does not exist: check the path, which is relative to this Markdown file"
        if not path.is_file():
            return ("is not a regular file (a folder, a pipe or a device): point to an image "
                    "file")
        if kind is None:
            return ("is not a PNG, JPEG, GIF, WebP or SVG file, the kinds of image both "
                    "editions can show: save it as one of them")
        size = path.stat().st_size
        if size > MAX_IMAGE_BYTES:
            return (f"is {size // 1_000_000} MB; an image may be at most "
                    f"{MAX_IMAGE_BYTES // 1_000_000} MB: make it smaller")
        with path.open("rb") as handle:
            head = handle.read(64 * 1024)
    except OSError as exc:
        return f"cannot be read: {exc.strerror}"
    looks_right = {
        "PNG": head.startswith(b"\x89PNG\r\n\x1a\n"),
        "JPEG": head.startswith(b"\xff\xd8\xff"),
        "GIF": head.startswith((b"GIF87a", b"GIF89a")),
        "WebP": head[:4] == b"RIFF" and head[8:12] == b"WEBP",
        "SVG": b"<svg" in head,
    }[kind]
    if not looks_right:
        return f"is not a {kind} image, whatever its name says: save it again as {kind}"
    return _svg_problem(path) if kind == "SVG" else None


def _svg_problem(path: Path) -> str | None:
    """What makes an SVG file unsafe or unusable in a book: scripts, event handlers, entity
    declarations, references to other files or addresses. Parsed without loading anything."""
    parser = lxml_etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                                  huge_tree=False)
    try:
        tree = lxml_etree.parse(str(path), parser)
    except lxml_etree.XMLSyntaxError as exc:
        return f"is not well-formed SVG ({exc.msg}): save it again from the drawing program"
    dtd = tree.docinfo.internalDTD
    if dtd is not None and list(dtd.iterentities()):
        return ("declares XML entities, which can pull other files in: save it again without "
                "a DOCTYPE")
    for node in tree.iter():
        if isinstance(node, lxml_etree._ProcessingInstruction) and node.target == "xml-stylesheet":
            return "loads a stylesheet (<?xml-stylesheet?>): an image in a book must stand alone"
        if not isinstance(node.tag, str):
            continue
        local = lxml_etree.QName(node).localname
        if local in ("script", "foreignObject", "include"):
            return (f"contains <{local}>: an image in a book must be a plain drawing; save it "
                    "again without it")
        for name, value in node.attrib.items():
            attribute = lxml_etree.QName(name).localname.lower()
            if attribute.startswith("on"):
                return f"has an event-handler attribute ({attribute}=) that would run a script"
            if attribute in ("href", "src") and not value.strip().startswith(("#", "data:image/")):
                return (f"refers to {value!r}, another file or address: an image in a book must "
                        "stand alone; embed or remove it")
            if attribute == "style" and _SVG_EXTERNAL_URL_RE.search(value):
                return "has a style that loads another file or address: remove the url(...)"
        if local == "style" and _SVG_EXTERNAL_URL_RE.search(node.text or ""):
            return "has a <style> that loads another file or address: remove the url(...)"
    return None


class _NestingGuard(Preprocessor):
    """Turns away block quotes or lists nested deeper than MAX_NESTING, before the block
    parser (which recurses at each level) meets them."""

    def __init__(self, md: Markdown, ext: HtmlSafetyExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, lines: list[str]) -> list[str]:
        source = self.ext.source
        for index, line in enumerate(lines):
            quotes = _QUOTE_PREFIX_RE.match(line)
            if quotes and quotes.group(0).count(">") > MAX_NESTING:
                column = [i for i, char in enumerate(line) if char == ">"][MAX_NESTING] + 1
                source.error(f"block quotes nest {quotes.group(0).count('>')} deep here; a book "
                             f"allows at most {MAX_NESTING}: remove some '>'",
                             *self.place(index, column))
                return []  # the part is not converted: the build stops at this error anyway
            rest = line[quotes.end():] if quotes else line
            item = _LIST_ITEM_RE.match(rest)
            if item and len(item.group(1).expandtabs(4)) // 4 >= MAX_NESTING:
                levels = len(item.group(1).expandtabs(4)) // 4 + 1
                column = len(line) - len(rest) + len(item.group(1)) + 1
                source.error(f"this list item is {levels} levels deep; lists may nest at most "
                             f"{MAX_NESTING} levels: indent it less", *self.place(index, column))
                return []
        return lines

    def place(self, index: int, column: int) -> tuple[int, int | None]:
        source = self.ext.source
        if not source.verbatim:
            return source.first_line, None
        return source.first_line + index, column


class _CheckedAttrList(AttrListTreeprocessor):
    """Python-Markdown's attribute lists (`{: .class #id key=value}`), with every attribute
    checked against `attribute_problem`: a list with a forbidden one sets nothing."""

    def __init__(self, md: Markdown, ext: HtmlSafetyExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def assign_attrs(self, elem: etree.Element, attrs_string: str, *,
                     strict: bool = False) -> str:
        attrs, remainder = get_attrs_and_remainder(attrs_string)
        if strict and remainder:
            return remainder
        problems = [problem for key, value in attrs if key != "." and (
            problem := attribute_problem(elem.tag, self.sanitize_name(key), value, raw=False))]
        if not problems:
            return super().assign_attrs(elem, attrs_string, strict=strict)
        line, column = self.ext.locate(attrs_string)
        for problem in problems:
            self.ext.source.error(f"in an attribute list: {problem}", line, column)
        return remainder


class _RawHtmlScanner(HTMLParser):
    """Reads one piece of raw HTML; notes what it may not do and how deep it nests."""

    def __init__(self, depth: int, seen: dict[str, int]) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = depth
        self.too_deep = False
        self.seen = seen  # markup -> how often it came so far, in this part's raw HTML
        #: (message, the markup it is about, which occurrence of that markup, from 0)
        self.findings: list[tuple[str, str, int]] = []

    def note(self, message: str, markup: str) -> None:
        self.findings.append((message, markup, self.seen.get(markup, 1) - 1))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.check(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self.depth += 1
            if self.depth > MAX_HTML_DEPTH and not self.too_deep:
                self.too_deep = True
                self.note(f"raw HTML elements nest more than {MAX_HTML_DEPTH} deep here: close "
                          "some of them", self.get_starttag_text() or f"<{tag}")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.check(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID_ELEMENTS:
            self.depth = max(self.depth - 1, 0)

    def check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        markup = self.get_starttag_text() or f"<{tag}"
        self.seen[markup] = self.seen.get(markup, 0) + 1
        problem = element_problem(tag)
        if problem is not None:
            self.note(problem, markup)
            return
        for name, value in attrs:
            problem = attribute_problem(tag, name, value, raw=True)
            if problem is not None:
                self.note(problem, markup)

    def handle_decl(self, decl: str) -> None:
        self.note(f"<!{decl.split(' ')[0]}> is not allowed in a part: the build makes the "
                  "documents; remove it", f"<!{decl}")

    def unknown_decl(self, data: str) -> None:
        self.note(f"<![{data.split('[')[0]}[ is not allowed in a part: remove it", f"<![{data}")

    def handle_pi(self, data: str) -> None:
        self.note("a processing instruction (<?...?>) is not allowed in a part: remove it",
                  f"<?{data}")


class _RawHtmlChecker(Treeprocessor):
    """Checks every piece of raw HTML the Markdown kept aside (Python-Markdown's stash),
    and replaces each piece with a mistake by its escaped text."""

    def __init__(self, md: Markdown, ext: HtmlSafetyExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, root: etree.Element) -> None:
        stash = self.md.htmlStash.rawHtmlBlocks
        depth, deep_reported, seen = 0, False, {}
        for index, piece in enumerate(stash):
            if not isinstance(piece, str) or "<" not in piece:
                continue  # an element of Python-Markdown's own, or an entity
            scanner = _RawHtmlScanner(depth, seen)
            scanner.feed(piece)
            scanner.close()
            depth = scanner.depth
            for message, markup, occurrence in scanner.findings:
                if scanner.too_deep and message.startswith("raw HTML elements nest"):
                    if deep_reported:
                        continue
                    deep_reported = True
                self.ext.source.error(message, *self.ext.locate(markup, occurrence))
            if scanner.findings:
                stash[index] = html.escape(piece)


class _DepthGuard(Treeprocessor):
    """Turns away a part whose Markdown makes elements nested deeper than MAX_TREE_DEPTH
    (which the serializers, recursive, and the EPUB's XML parser could not take)."""

    def __init__(self, md: Markdown, ext: HtmlSafetyExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, root: etree.Element) -> None:
        stack, deepest = [(root, 0)], 0
        while stack:
            element, depth = stack.pop()
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in element)
        if deepest > MAX_TREE_DEPTH:
            self.ext.source.error(f"the text nests {deepest} elements deep (lists, quotes and "
                                  f"emphasis in one another); a book allows at most "
                                  f"{MAX_TREE_DEPTH}: flatten it", None)
            root.clear()


class HtmlSafetyExtension(Extension):
    """Hostile or broken markup turned away with located errors; see the module docstring.

    With `attribute_lists`, it also provides the attribute list syntax (`{: .class #id}`), each
    attribute checked, in place of Python-Markdown's `attr_list`.
    """

    def __init__(self, source: SourceInfo, attribute_lists: bool = True) -> None:
        super().__init__()
        self.source = source
        self.attribute_lists = attribute_lists
        self.occurrences: dict[str, int] = {}

    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        md.preprocessors.register(_NestingGuard(md, self), "nesting-guard", 45)
        md.treeprocessors.register(_DepthGuard(md, self), "depth-guard", 19)
        if self.attribute_lists:
            md.treeprocessors.register(_CheckedAttrList(md, self), "attr_list", 8)
        md.treeprocessors.register(_RawHtmlChecker(md, self), "raw-html-check", 1)

    def reset(self) -> None:
        self.occurrences = {}

    def locate(self, markup: str, occurrence: int | None = None) -> tuple[int | None, int | None]:
        """Where the `occurrence`-th `markup` (from 0) stands in the source; without it, the
        first place for the first call, the next for the next, and so on."""
        needle = markup.split("\n")[0]
        if occurrence is None:
            occurrence = self.occurrences.get(needle, 0)
            self.occurrences[needle] = occurrence + 1
        for candidate, nth in ((needle, occurrence), (needle, 0),
                               (needle.split(" ")[0], 0)):
            line, column = self.source.position_of(candidate, nth)
            if line is not None:
                return line, column
        return None, None
