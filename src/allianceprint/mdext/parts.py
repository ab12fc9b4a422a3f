"""`TitleFiguresLinksExtension`: a part's tree -> its title taken out of the flow, figures
and numbered captions, images and links checked against the manuscript folder, bare URLs
made links that can break."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Iterator, Mapping
from urllib.parse import unquote

from markdown import Markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AMP_SUBSTITUTE, AtomicString

from allianceprint.labels import numbered
from allianceprint.mdext.source import SourceInfo, remove_element
from allianceprint.validators import file_exists, href_problem, image_file_problem, split_url

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

    def __init__(self, md: Markdown, ext: TitleFiguresLinksExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, root: etree.Element) -> None:
        first = next(iter(root), None)
        if first is not None and first.tag == "h1":
            self.ext.context.title_element = first
            remove_element(root, first)


class _FiguresLinksProcessor(Treeprocessor):
    """Makes figures and table captions, checks images and links, lets URLs break.

    Runs before the notes leave the tree, so that it sees inside them too.
    """

    def __init__(self, md: Markdown, ext: TitleFiguresLinksExtension) -> None:
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
        if (
            len(children) != 1
            or children[0].tag != "img"
            or (paragraph.text or "").strip()
            or (children[0].tail or "").strip()
        ):
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
            label.text = numbered(
                self.ext.context.labels.get("figure", "Figure"), self.ext.context.figures
            )
            label.tail = " " + caption

    def caption_table(self, root: etree.Element, table: etree.Element) -> None:
        """A paragraph `Table: caption` just before or after a table becomes its caption."""
        parent = next((p for p in root.iter() if table in list(p)), None)
        if parent is None:
            return
        siblings = list(parent)
        index = siblings.index(table)
        for neighbour in (
            siblings[index - 1] if index else None,
            siblings[index + 1] if index + 1 < len(siblings) else None,
        ):
            if (
                neighbour is not None
                and neighbour.tag == "p"
                and (neighbour.text or "").startswith("Table: ")
            ):
                self.ext.context.tables += 1
                caption = etree.Element("caption")
                label = etree.SubElement(caption, "span", {"class": "caption-label"})
                label.text = numbered(
                    self.ext.context.labels.get("table", "Table"), self.ext.context.tables
                )
                label.tail = " " + neighbour.text[len("Table: ") :]
                for child in list(neighbour):
                    caption.append(child)
                table.insert(0, caption)
                remove_element(root, neighbour)
                return

    def note_in_image(
        self, line: int | None, column: int | None
    ) -> tuple[int | None, int | None] | None:
        """Where an image whose path is written at `line`:`column` has a note reference
        `[^...]` in its alt text or title; None if it has none. A reference-style image
        (`![alt][ref]`, `![ref][]`, `![ref]`, with `[ref]: path "title"` elsewhere) is
        looked for by its label, and found where it is shown."""
        source = self.ext.source
        if line is None or column is None:
            return None
        text = source.searchable[line - source.first_line]
        start = text.rfind("![", 0, column)
        end = text.find(")", column)
        if start >= 0 and "[^" in text[start : end if end >= 0 else len(text)]:
            return line, column
        definition = _DEFINITION.match(text)
        if start >= 0 or definition is None:
            return None
        if "[^" in text[column:]:  # in the definition's title
            return line, column
        label = _label(definition[1])
        for offset, other in enumerate(source.searchable):
            for at, alt, ref in _reference_images(other):
                if _label(ref if ref else alt) == label and "[^" in alt:
                    return source.first_line + offset, at + 1
        return None

    def check_image(self, image: etree.Element) -> None:
        source = self.ext.source
        src = image.get("src", "")
        line, column = source.position_of(src) if src else (None, None)
        noted = self.note_in_image(line, column)
        if noted is not None:
            source.error(
                "a note cannot go in an image's alt text or caption (it would be lost): "
                "put the note reference in the text beside the image",
                *noted,
            )
        if not image.get("alt", "").strip():
            source.warning(
                f"image {src!r} has no alt text: describe it between the brackets of ![...]",
                line,
                column,
            )
        resolved = self.resolve(src, line, "image", column)
        if resolved is not None:
            problem = image_file_problem(resolved)
            if problem is not None:
                source.error(f"image {src!r} {problem}", line, column)
                return
            relative = PurePosixPath(resolved.relative_to(self.ext.context.root).as_posix())
            awkward = sorted(set("#?%") & set(str(relative)))
            if awkward:  # web addresses give them other meanings: the editions could differ
                source.error(
                    f"image {src!r}: the file's path has {' and '.join(awkward)}, "
                    "which an image's address cannot hold safely: rename the file "
                    "without them",
                    line,
                    column,
                )
                return
            image.set("src", str(relative))
            if relative not in self.ext.context.images:
                self.ext.context.images.append(relative)

    def check_link(self, link: etree.Element) -> None:
        href = link.get("href", "")
        if _OBFUSCATED_RE.search(href):  # an email autolink, <name@example.org>
            href = _OBFUSCATED_RE.sub(lambda found: chr(min(int(found.group(1)), 0xFFFD)), href)
            link.set("href", href)
        if href.startswith("#") or not href:
            return  # a link within the book: checks.py sees that its target exists
        source = self.ext.source
        line, column = source.position_of(href)
        parts = split_url(href)
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
            if resolved.suffix == ".md" or not file_exists(resolved):
                source.error(
                    f"link to {href!r}: no such part in [contents]; link to a "
                    "Markdown file the book includes",
                    line,
                    column,
                )
            else:
                source.error(
                    f"link to the file {href!r}: a book can link only to its own "
                    "parts or to web addresses",
                    line,
                    column,
                )
            return
        link.set("href", f"#{parts.fragment or part_id}")

    def resolve(
        self, target: str, line: int | None, what: str, column: int | None = None
    ) -> Path | None:
        """Resolve a manuscript-relative target, reporting remote, escaping or unusable ones."""
        source = self.ext.source
        parts = split_url(target)
        if parts is None or parts.scheme or target.startswith("//"):
            source.error(
                f"{what} {target!r} is not a file in the manuscript: the build never "
                "fetches from the network; save it in the manuscript folder",
                line,
                column,
            )
            return None
        base = self.ext.context.source_file.parent
        try:
            resolved = (base / unquote(parts.path)).resolve()
        except (OSError, ValueError) as exc:  # a NUL byte, a name too long, a symlink loop
            source.error(f"{what} {target!r} is not a usable file name ({exc})", line, column)
            return None
        if not resolved.is_relative_to(self.ext.context.root):
            source.error(
                f"{what} {target!r} lies outside the manuscript folder: move the file into it",
                line,
                column,
            )
            return None
        return resolved


_URL_TEXT_RE = re.compile(r"^(https?|ftp)://\S+$")
_URL_BREAK_RE = re.compile(r"(?<=[/.\-_?&=#~])(?=[^/.\-_?&=#~])")
#: A character as Python-Markdown writes it in an email autolink's address (to hide it from
#: address harvesters, pointless in a book): `&#109;`, with its placeholder for `&`.
_OBFUSCATED_RE = re.compile(re.escape(AMP_SUBSTITUTE) + r"#(\d{1,7});")
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


class TitleFiguresLinksExtension(Extension):
    """Title extraction, figures, image and link checks; see the module docstring."""

    def __init__(self, source: SourceInfo, context: PartContext) -> None:
        super().__init__()
        self.source = source
        self.context = context

    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        md.treeprocessors.register(_FiguresLinksProcessor(md, self), "part", 6)
        md.treeprocessors.register(_TitleProcessor(md, self), "part-title", 4)
        md.inlinePatterns.register(_BareUrl(_BARE_URL_RE, md), "bare-url", 115)


#: A reference definition, `[label]: target ...`, up to three spaces in.
_DEFINITION = re.compile(r" {0,3}\[([^\n]{1,999}?)\]:(?:\s|$)")
#: A reference-style image: `![alt]`, then `[label]`, `[]` or nothing; the alt text may hold
#: note references `[^...]` but no other brackets. Linear: its two alternatives begin with
#: different characters, and an attempt ends at the first other bracket.
_REFERENCE_IMAGE = re.compile(r"!\[((?:[^\[\]\n]|\[\^[^\[\]\n]*\])*)\](?!\()(?:\[([^\[\]\n]*)\])?")


def _label(text: str) -> str:
    """A reference label as Markdown matches it: case and runs of spaces do not count."""
    return " ".join(text.split()).casefold()


def _reference_images(line: str) -> Iterator[tuple[int, str, str]]:
    """Each reference-style image of `line`: (where its `![` is, its alt text, its label
    or "" when the alt text is the label: `![ref]`, `![ref][]`)."""
    for found in _REFERENCE_IMAGE.finditer(line):
        yield found.start(), found[1], found[2] or ""
