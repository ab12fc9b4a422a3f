"""`Book` -> `RenderedBook`: every part as HTML, its notes, the contents, the labels.

Each part's Markdown goes through one Python-Markdown instance with the manuscript
dialect's extensions (`mdext`). The result is neutral HTML that both writers use: the print
writer puts all parts in one paged document, the EPUB writer gives each its own XHTML file.
Ids are scoped by part (`<part-id>-note-3`), so they never collide in either.
"""

from __future__ import annotations

import html
from pathlib import Path
from types import MappingProxyType
from typing import Iterable

import lxml.html
from markdown import Markdown

from allianceprint.errors import Diagnostics
from allianceprint.loader import display_path
from allianceprint.mdext import (AbbreviationsExtension, NotesExtension, PartContext,
                                 PartExtension, SourceInfo, prose_lines)
from allianceprint.model import (Book, Contributor, Note, Part, RenderedBook, RenderedPart,
                                 TocEntry)

STYLES_DIR = Path(__file__).resolve().parents[2] / "styles"
_STANDARD_EXTENSIONS = ["tables", "smarty", "attr_list", "sane_lists"]


def render_book(book: Book, diagnostics: Diagnostics,
                styles_dir: Path = STYLES_DIR) -> RenderedBook:
    """Render every part; raise ManuscriptErrors if any part has mistakes."""
    renderer = _Renderer(book, diagnostics)
    parts = tuple(renderer.render_part(part) for part in book.parts)
    diagnostics.raise_if_errors()
    anchors: dict[str, str] = {}
    for rendered in parts:
        anchors[rendered.id] = rendered.id
        for anchor in _ids_in(rendered.body_html):
            anchors.setdefault(anchor, rendered.id)
        for note in rendered.notes:
            anchors[note.id] = rendered.id
            for ref in note.ref_ids:
                anchors[ref] = rendered.id
    toc = tuple(TocEntry(part_id=p.id, title=p.title_text,
                         authors=tuple(c.name for c in p.authors), division=p.part.division)
                for p in parts)
    return RenderedBook(book=book, parts=parts, toc=toc, labels=book.config.labels,
                        anchors=MappingProxyType(anchors),
                        contributors=book.contributor_order(), stylesheet_dir=styles_dir)


class _Renderer:
    def __init__(self, book: Book, diagnostics: Diagnostics) -> None:
        self.book = book
        self.diagnostics = diagnostics
        self.glossary = {a.abbr: a.expansion for a in book.abbreviations}
        self.part_ids = {(book.root / p.source).resolve(): p.id for p in book.parts}

    def markdown(self, part: Part, body: str) -> tuple[Markdown, NotesExtension, PartContext]:
        source = SourceInfo(display_path(self.book.config, part.source), body, part.body_line,
                            self.diagnostics)
        prefix = f"{part.id}-"
        notes = NotesExtension(source, prefix)
        context = PartContext(root=self.book.root, source_file=(self.book.root / part.source)
                              .resolve(), part_ids=self.part_ids, id_prefix=prefix)
        md = Markdown(extensions=[notes, AbbreviationsExtension(glossary=self.glossary),
                                  PartExtension(source, context), *_STANDARD_EXTENSIONS],
                      output_format="xhtml")
        return md, notes, context

    def inline(self, text: str) -> str:
        """One line of Markdown (a title, a name) as inline HTML with smart punctuation."""
        md = Markdown(extensions=[AbbreviationsExtension(glossary=self.glossary), "smarty"],
                      output_format="xhtml")
        converted = md.convert(text)
        if converted.startswith("<p>") and converted.endswith("</p>"):
            converted = converted[3:-4]
        return converted

    def render_part(self, part: Part) -> RenderedPart:
        body = part.body
        if part.kind == "abbreviations":
            body = _without_definitions(body)
        md, notes_ext, context = self.markdown(part, body)
        body_html = md.convert(body)
        notes = tuple(
            Note(number=n.number, label=n.label, id=n.id, ref_ids=tuple(n.ref_ids),
                 html=_serialize_children(md, n.element))
            for n in notes_ext.collected)

        noterefs = ""
        if context.title_element is not None:
            noterefs = "".join(_serialize(md, sup) for sup in context.title_element.iter("sup")
                               if sup.get("class") == "noteref")
        if part.title:
            title_core = self.inline(part.title)
        else:
            title_core = ""
        title_html = title_core + noterefs
        title_text = _text_of(title_core)
        short_title = _text_of(self.inline(part.short_title)) if part.short_title else title_text

        if part.kind == "abbreviations":
            body_html += self.abbreviation_list()
        elif part.kind == "contributors":
            body_html += self.contributor_list()

        authors = tuple(self.book.config.contributors[k] for k in part.authors
                        if k in self.book.config.contributors)
        return RenderedPart(part=part, title_html=title_html, title_text=title_text,
                            short_title=short_title, authors=authors, body_html=body_html,
                            notes=notes, images=tuple(Path(p) for p in context.images))

    def abbreviation_list(self) -> str:
        entries = sorted(self.book.abbreviations, key=lambda a: (_sort_key(a.abbr), a.abbr))
        items = "".join(f'<dt>{html.escape(a.abbr)}</dt><dd>{self.inline(a.expansion)}</dd>'
                        for a in entries)
        return f'<dl class="abbreviations">{items}</dl>'

    def contributor_list(self) -> str:
        blocks = []
        for person in self.book.contributor_order():
            bio = ""
            if person.bio:
                md = Markdown(extensions=[AbbreviationsExtension(glossary=self.glossary),
                                          "smarty"], output_format="xhtml")
                bio = md.convert(person.bio)
            affiliation = (f'<p class="contributor-affiliation">{self.inline(person.affiliation)}'
                           "</p>" if person.affiliation else "")
            blocks.append(
                f'<div class="contributor" id="contributor-{html.escape(person.key)}">'
                f'<h2 class="contributor-name">{self.inline(person.name)}</h2>'
                f"{affiliation}{bio}</div>")
        return f'<div class="contributors">{"".join(blocks)}</div>'


def _without_definitions(body: str) -> str:
    """The abbreviations part's prose, without its `*[ABBR]: ...` lines."""
    lines = body.split("\n")
    definition_lines = {index for index, line in prose_lines(lines) if line.startswith("*[")}
    return "\n".join("" if i in definition_lines else line for i, line in enumerate(lines))


def _sort_key(abbr: str) -> str:
    return "".join(ch for ch in abbr.casefold() if ch.isalnum())


def _serialize(md: Markdown, element) -> str:
    text = md.serializer(element)
    for processor in md.postprocessors:
        text = processor.run(text)
    return text


def _serialize_children(md: Markdown, element) -> str:
    return "".join(_serialize(md, child) for child in element)


def _text_of(fragment: str) -> str:
    if not fragment.strip():
        return ""
    return " ".join(lxml.html.fragment_fromstring(fragment, create_parent="span")
                    .text_content().split())


def _ids_in(fragment: str) -> Iterable[str]:
    if not fragment.strip():
        return []
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    return [el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")]
