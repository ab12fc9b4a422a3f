"""`RenderedBook` (and, when the print edition was built in the same run, its `PageMap`) ->
the EPUB 3 (ebooklib for the package, Jinja2 for the documents).

One XHTML document per part (styles/epub/part.xhtml.j2), a title page, a nav document with
the contents (authors under chapter titles) and landmarks, an NCX for older readers, the
stylesheet styles/epub/epub.css, the images the parts use and the cover (first in the reading
order). ebooklib writes the package document, the NCX and the container; the XHTML is ours,
parsed as XML before it is stored so that a malformed document is caught here rather than by
a reading system.

Notes are `aside`s (epub:type `endnote`, or `footnote` when the print edition sets them as
footnotes) in a numbered list at the end of their part: reading systems that can show a note
in a pop-up do, the others follow the link and the link back. The package carries the
schema.org accessibility metadata. Given the print edition's `PageMap` (both editions built
in one run), every printed page gets an invisible page-break marker where it begins, listed
in the nav's page list, with `pageBreakSource` naming the print edition.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import re
import uuid
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import lxml.html
from ebooklib import epub
from lxml import etree

from allianceprint.fragments import inner_html
from allianceprint.labels import history_date, is_cjk, join_names, list_names, original_statement
from allianceprint.model import Note, Original, PageMap, RenderedBook, RenderedPart
from allianceprint.noteplacing import run_in_number
from allianceprint.pagemap import shared_anchors, text_position

MEDIA_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
               ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp"}

#: epub:type and DPUB-ARIA role for a part, by division.
SEMANTICS = {"body": ("chapter", "doc-chapter")}

XHTML = "http://www.w3.org/1999/xhtml"
OPS = "http://www.idpf.org/2007/ops"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

#: Elements a page-break marker at their very start moves out of: phrasing elements (so it
#: never becomes part of a link's or a heading's name), headings and their containers.
_HOISTED = frozenset({"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "i",
                      "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup",
                      "time", "u", "var", "h1", "h2", "h3", "h4", "h5", "h6", "hgroup",
                      "header", "nav"})
#: Elements that cannot hold a marker themselves: it goes into their first child instead.
_NO_PHRASING = frozenset({"ol", "ul", "dl", "table", "thead", "tbody", "tfoot", "tr", "colgroup"})


def book_identifier(book: RenderedBook) -> str:
    """The EPUB ISBN as a URN, else a UUID derived from the book (stable across builds)."""
    meta = book.book.config.book
    if meta.isbn_epub:
        return "urn:isbn:" + meta.isbn_epub.replace("-", "").replace(" ", "")
    people = book.book.config.contributors
    names = [people[k].name for k in (*meta.editors, *meta.authors) if k in people]
    seed = "\n".join([meta.title, meta.subtitle, meta.publisher, meta.date, *names])
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'allianceprint:' + seed)}"


def write_epub(book: RenderedBook, target: Path, modified: dt.datetime,
               page_map: PageMap | None = None) -> Path:
    """Write the EPUB edition to `target`; `modified` becomes dcterms:modified. With the print
    edition's `page_map`, the EPUB carries the printed page numbers."""
    package = _EpubBuilder(book, page_map).build()
    writer = _PackageWriter(str(target), package, {"mtime": modified, "epub3_pages": False,
                                                   "epub2_guide": False},
                            book.book.config.book.language)
    writer.process()
    writer.write()
    _fix_zip_times(target, modified)
    return target


def _fix_zip_times(path: Path, when: dt.datetime) -> None:
    """Give every entry of the EPUB the same timestamp, `when` (the build's time, so
    SOURCE_DATE_EPOCH), instead of the moment ebooklib wrote it: the same sources then make
    a byte-identical EPUB. The order of the entries, `mimetype` first and stored, is kept."""
    stamp = max(when, dt.datetime(1980, 1, 1, tzinfo=dt.timezone.utc)).timetuple()[:6]
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w") as target:
        for info, data in entries:
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = info.compress_type
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, data)


class _PackageWriter(epub.EpubWriter):
    """ebooklib's writer, with the book's language on the package document and the NCX
    (`xml:lang`), where accessibility checkers look for it."""

    def __init__(self, name: str, package: epub.EpubBook, options: dict, language: str) -> None:
        super().__init__(name, package, options)
        self.language = language

    def _write_opf_file(self, root) -> None:
        root.set(XML_LANG, self.language)
        super()._write_opf_file(root)

    def _get_ncx(self) -> bytes:
        ncx = etree.fromstring(super()._get_ncx())
        ncx.set(XML_LANG, self.language)
        return etree.tostring(ncx, encoding="utf-8", xml_declaration=True, pretty_print=True)


@dataclass(frozen=True)
class _Page:
    """A printed page as the EPUB's page list shows it."""

    label: str
    document: str  # the XHTML file its marker is in
    marker_id: str

    @property
    def href(self) -> str:
        return f"{self.document}#{self.marker_id}"


class _EpubBuilder:
    def __init__(self, book: RenderedBook, page_map: PageMap | None) -> None:
        self.book = book
        self.page_map = page_map
        self.meta = book.book.config.book
        self.lang = self.meta.language
        self.package = epub.EpubBook()

    def build(self) -> epub.EpubBook:
        self.add_metadata()
        stylesheet = epub.EpubItem(uid="css", file_name="styles/epub.css", media_type="text/css",
                                   content=self.book.styles.file("epub/epub.css")
                                   .read_bytes())
        self.package.add_item(stylesheet)
        # Documents: file name -> (manifest id, parsed XHTML), in reading order.
        front: dict[str, tuple[str, etree._Element]] = {}
        cover = self.add_cover()
        if cover is not None:
            front["cover.xhtml"] = ("cover", cover)
        front["titlepage.xhtml"] = ("titlepage", _parse(
            self.render("titlepage.xhtml.j2", **self.people())))
        parts = {f"{part.id}.xhtml": (part.id, _parse(self.part_document(part)))
                 for part in self.book.parts}
        pages = self.pages({**front, **parts})  # the nav lists them: it comes after them
        nav = _parse(self.render(
            "nav.xhtml.j2", toc=self.book.toc, has_cover=cover is not None, pages=pages,
            first_body=next((p.id for p in self.book.parts if p.part.division == "body"), "")))
        documents = {**front, "nav.xhtml": ("nav", nav), **parts}
        self.mark_pages(documents, pages)
        toc = [epub.Link(f"{part.id}.xhtml", " ".join(filter(None, (part.number_label,
                                                                   part.title_text))), part.id)
               for part in self.book.parts]
        spine: list[epub.EpubItem] = []
        for file_name, (uid, tree) in documents.items():
            item = self.document(uid, file_name, tree)
            if file_name == "nav.xhtml":
                item.properties = ["nav"]
            spine.append(item)
        self.add_images()
        self.package.add_item(epub.EpubNcx())
        self.package.toc = toc
        self.package.spine = spine
        return self.package

    def add_metadata(self) -> None:
        meta, people = self.meta, self.book.book.config.contributors
        package = self.package
        package.set_identifier(book_identifier(self.book))
        package.set_title(meta.title)
        package.set_language(self.lang)
        for role, keys in (("aut", meta.authors), ("edt", meta.editors)):
            for key in keys:
                package.add_author(people[key].name, role=role, uid=f"creator-{key}")
        for key in meta.translators:  # a translator contributes; the book is the authors'
            self.contributor(people[key].name, key, "trl")
        credited = {*meta.authors, *meta.editors, *meta.translators}
        for part in self.book.parts:
            for person in part.authors:
                if person.key in credited:
                    continue
                credited.add(person.key)
                self.contributor(person.name, person.key, "aut")
        for name, value in (("date", meta.date), ("publisher", meta.publisher),
                            ("rights", meta.rights), ("description", meta.description)):
            if value:
                package.add_metadata("DC", name, value)
        if meta.original is not None:
            self.add_source(meta.original)
        if meta.subtitle:
            package.add_metadata("DC", "title", meta.subtitle, {"id": "subtitle"})
            package.add_metadata(None, "meta", "subtitle",
                                 {"refines": "#subtitle", "property": "title-type"})
        self.add_edition()
        self.add_accessibility()

    def contributor(self, name: str, key: str, role: str) -> None:
        """A `dc:contributor` with its MARC relator role (`aut`, `trl`)."""
        self.package.add_metadata("DC", "contributor", name, {"id": f"contributor-{key}"})
        self.package.add_metadata(None, "meta", role, {
            "refines": f"#contributor-{key}", "property": "role", "scheme": "marc:relators"})

    def add_source(self, original: Original) -> None:
        """A translation's original as `dc:source`: its ISBN as a URN when it has one (what
        the EPUB specification suggests for dc:source), else its title; the title refined
        in the original's language when the source is an ISBN."""
        if original.isbn:
            isbn = "urn:isbn:" + re.sub(r"[^0-9Xx]", "", original.isbn)
            self.package.add_metadata("DC", "source", isbn, {"id": "source"})
            self.package.add_metadata(None, "meta", original.title, {
                "refines": "#source", "property": "dcterms:title", XML_LANG: original.language})
        else:
            self.package.add_metadata("DC", "source", original.title,
                                      {"id": "source", XML_LANG: original.language})

    def add_edition(self) -> None:
        """The edition and its history: the edition statement as `schema:bookEdition`, the
        printing (the impression of that edition, 3 for the third) as `schema:version`, and
        each `[[history]]` entry as a `dcterms:hasVersion` (its description) refined by a
        `dcterms:issued` (its date). `schema:` and `dcterms:` are prefixes that EPUB 3
        reserves, as for the accessibility metadata: the package declares neither."""
        meta, package = self.meta, self.package
        if meta.edition:
            package.add_metadata(None, "meta", meta.edition, {"property": "schema:bookEdition"})
        if meta.printing is not None:
            package.add_metadata(None, "meta", str(meta.printing),
                                 {"property": "schema:version"})
        for number, revision in enumerate(meta.history, start=1):
            uid = f"history_{number}"  # part ids never hold "_": no manifest id is the same
            package.add_metadata(None, "meta", revision.description,
                                 {"property": "dcterms:hasVersion", "id": uid})
            package.add_metadata(None, "meta", revision.date,
                                 {"refines": f"#{uid}", "property": "dcterms:issued"})

    def add_accessibility(self) -> None:
        """The schema.org accessibility metadata (EPUB Accessibility 1.1), from what the book
        has; the page source when the EPUB carries the print edition's pages."""
        images = [image for part in self.book.parts for image in _images(part.body_html)]
        described = all(image.get("alt", "").strip() for image in images)
        has_pages = self.page_map is not None
        modes = ["textual", "visual"] if images else ["textual"]
        sufficient = (["textual"] if described else []) + (["textual,visual"] if images else [])
        features = ["structuralNavigation", "tableOfContents", "readingOrder",
                    "displayTransformability"]
        if images and described:
            features.append("alternativeText")
        if has_pages:
            features += ["pageBreakMarkers", "pageNavigation"]
        for prop, values in (("schema:accessMode", modes),
                             ("schema:accessModeSufficient", sufficient),
                             ("schema:accessibilityFeature", features),
                             ("schema:accessibilityHazard", ["none"])):
            for value in values:
                self.package.add_metadata(None, "meta", value, {"property": prop})
        summary = ("Reflowable text in reading order that takes the reader's choice of font, "
                   "size and colours, with a table of contents, a heading for every part and "
                   "section, and notes linked to and from the text.")
        if images:
            summary += (" Every image has a text description." if described else
                        " Some images have no text description.")
        if has_pages:
            summary += (" Page-break markers and a page list give the page numbers of the "
                        "print edition.")
        attributes = {"property": "schema:accessibilitySummary"}
        if not self.lang.lower().startswith("en"):
            attributes[XML_LANG] = "en"  # the summary is written in English
        self.package.add_metadata(None, "meta", summary, attributes)
        if has_pages:
            self.package.add_metadata(None, "meta", self.page_source(),
                                      {"property": "pageBreakSource"})

    def page_source(self) -> str:
        """What the page numbers come from: the print edition's ISBN, else its title."""
        if self.meta.isbn_print:
            return "urn:isbn:" + re.sub(r"[^0-9Xx]", "", self.meta.isbn_print)
        return self.meta.title

    def add_cover(self) -> etree._Element | None:
        if not self.meta.cover:
            return None
        source = self.book.book.root / self.meta.cover
        name = "images/cover" + source.suffix.lower()
        image = epub.EpubItem(uid="cover-image", file_name=name,
                              media_type=MEDIA_TYPES[source.suffix.lower()],
                              content=source.read_bytes())
        image.properties = ["cover-image"]
        self.package.add_item(image)
        self.package.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-image"})
        return _parse(self.render("cover.xhtml.j2", cover=name, meta=self.meta))

    def add_images(self) -> None:
        seen: set[Path] = set()
        for part in self.book.parts:
            for relative in part.images:
                if relative in seen:
                    continue
                seen.add(relative)
                source = self.book.book.root / relative
                media_type = MEDIA_TYPES.get(source.suffix.lower()) or \
                    mimetypes.guess_type(source.name)[0] or "application/octet-stream"
                self.package.add_item(epub.EpubItem(
                    uid=f"image-{len(seen)}", file_name=relative.as_posix(),
                    media_type=media_type, content=source.read_bytes()))

    def people(self) -> dict[str, str]:
        people = self.book.book.config.contributors

        def join(keys: tuple[str, ...]) -> str:
            return join_names([people[k].name for k in keys], self.book.labels)

        return {"meta": self.meta, "editors": join(self.meta.editors),
                "authors": join(self.meta.authors), "translators": join(self.meta.translators)}

    def part_document(self, part: RenderedPart) -> str:
        notes = [{"id": n.id, "number": n.number, "ref_ids": n.ref_ids,
                  "html": self.note_html(n, part)} for n in part.notes]
        matter = {"front": "frontmatter", "body": "bodymatter", "back": "backmatter"}
        return self.render("part.xhtml.j2", lang=part.part.lang or self.lang, part=part,
                           title_html=self.xhtml(part.title_html, part),
                           body_html=self.xhtml(part.body_html, part), notes=notes,
                           note_kind=self.book.note_placement.epub_kind,
                           matter=matter[part.part.division],
                           semantics=SEMANTICS.get(part.part.division))

    def note_html(self, note: Note, part: RenderedPart) -> str:
        """The note's text with its number, a link back to its first reference, run into its
        first paragraph (as the print edition sets it: noteplacing)."""
        container = run_in_number(note, {"role": "doc-backlink",
                                         "title": self.book.labels["back_to_text"]}, gap=" ")
        return self.xhtml(inner_html(container), part)

    def xhtml(self, fragment: str, part: RenderedPart) -> str:
        """An HTML fragment as well-formed XHTML, with links to other parts' files."""
        if not fragment.strip():
            return ""
        container = lxml.html.fragment_fromstring(fragment, create_parent="div")
        for link in container.iter("a"):
            href = link.get("href", "")
            if href.startswith("#"):
                owner = self.book.anchors.get(href[1:])
                if owner and owner != part.id:
                    link.set("href", f"{owner}.xhtml" + ("" if href[1:] == owner else href))
        for element in container.iter():  # a span in another language: both attributes
            if isinstance(element.tag, str) and element.get("lang"):
                element.set(XML_LANG, element.get("lang"))
        text = etree.tostring(container, encoding="unicode", method="xml")
        return text[len("<div>"):-len("</div>")] if text.startswith("<div>") else text

    def render(self, template: str, **context) -> str:
        language = self.meta.language
        context.setdefault("lang", self.lang)
        return self.book.styles.render(
            "epub", template, labels=self.book.labels, cjk=is_cjk(language),
            names=lambda names: list_names(list(names), self.book.labels),
            revision_date=lambda date: history_date(date, language),
            original=original_statement(self.meta.original, language, self.book.labels),
            **context)

    def document(self, uid: str, file_name: str, tree: etree._Element) -> epub.EpubItem:
        data = etree.tostring(tree.getroottree(), encoding="utf-8", xml_declaration=True)
        item = epub.EpubItem(uid=uid, file_name=file_name, media_type="application/xhtml+xml",
                             content=data)
        self.package.add_item(item)
        return item

    # --- the print edition's pages ------------------------------------------------------

    def pages(self, documents: dict[str, tuple[str, etree._Element]]) -> list[_Page]:
        """The page list: each printed page, the document its marker goes in, the marker's id."""
        if self.page_map is None:
            return []
        taken = {element.get("id") for _, tree in documents.values() for element in tree.iter()
                 if isinstance(element.tag, str) and element.get("id")}
        pages = []
        for start in self.page_map.pages:
            document, _ = self.anchor_home(start.anchor)
            marker_id = base = "page-" + re.sub(r"[^A-Za-z0-9_.-]", "-", start.label)
            number = 1
            while marker_id in taken:
                number += 1
                marker_id = f"{base}-{number}"
            taken.add(marker_id)
            pages.append(_Page(start.label, document, marker_id))
        return pages

    def anchor_home(self, anchor: str) -> tuple[str, str]:
        """The document and the element id where an anchor of the page map is in the EPUB."""
        if anchor in _FRAME_HOMES:
            return _FRAME_HOMES[anchor]
        owner = self.book.anchors.get(anchor)
        if owner is None:
            raise ValueError(f"the print edition's page map begins a page in {anchor!r}, "
                             "which the EPUB does not have")
        return f"{owner}.xhtml", anchor

    def mark_pages(self, documents: dict[str, tuple[str, etree._Element]],
                   pages: list[_Page]) -> None:
        """Put each printed page's marker where the page begins; pages that begin at the same
        place (a blank page and the next) get their markers there in page order."""
        if self.page_map is None:
            return
        anchors = shared_anchors(self.book)
        places: dict[tuple[str, int], list[_Page]] = defaultdict(list)
        for start, page in zip(self.page_map.pages, pages):
            places[(start.anchor, start.offset)].append(page)
        for (anchor, offset), together in places.items():
            document, element_id = self.anchor_home(anchor)
            found = documents[document][1].xpath("//*[@id=$id]", id=element_id)
            if len(found) != 1:
                raise ValueError(f"{document} has {len(found)} elements with the id "
                                 f"{element_id!r}, where a printed page begins")
            markers = [_marker(page) for page in together]
            _place(found[0], offset, anchors, markers[0])
            for previous, marker in zip(markers, markers[1:]):
                marker.tail, previous.tail = previous.tail, None
                previous.addnext(marker)


#: Where the EPUB has the pages that both editions generate (pagemap.FRAME_ANCHORS).
_FRAME_HOMES = {"title-page": ("titlepage.xhtml", "title-page"),
                "copyright-page": ("titlepage.xhtml", "copyright-page"),
                "contents": ("nav.xhtml", "toc")}


def _parse(content: str) -> etree._Element:
    """A rendered document, parsed: a bug in a template or fragment fails here, not in a
    reading system."""
    return etree.fromstring(content.encode("utf-8"))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _marker(page: _Page) -> etree._Element:
    marker = etree.Element(f"{{{XHTML}}}span", {
        f"{{{OPS}}}type": "pagebreak", "role": "doc-pagebreak", "id": page.marker_id,
        "aria-label": page.label})
    marker.text = ""
    return marker


def _place(element: etree._Element, offset: int, anchors: frozenset[str],
           marker: etree._Element) -> None:
    """Put `marker` before the `offset`-th character of `element`'s own text (see pagemap),
    at the element's start for 0, at its end past its text."""
    position = text_position(element, offset, anchors) if offset > 0 else None
    if position is not None:
        node, attr, index = position
        text = getattr(node, attr)
        marker.tail = text[index:]
        setattr(node, attr, text[:index])
        if attr == "text":
            node.insert(0, marker)
        else:
            node.addnext(marker)
    elif offset > 0:
        element.append(marker)
    else:
        element = _start_of(element)
        marker.tail, element.text = element.text, None
        element.insert(0, marker)
    _hoist(marker)


def _start_of(element: etree._Element) -> etree._Element:
    """The element whose start a marker for the start of `element` goes in: `element`
    itself, or its first child where it cannot hold one (a list, a table, a row) or where
    that child must come first (a figure's caption)."""
    while len(element) and isinstance(element[0].tag, str):
        first = _local(element[0].tag)
        if _local(element.tag) in _NO_PHRASING or \
                (first == "figcaption" and not (element.text or "").strip()):
            element = element[0]
        else:
            break
    return element


def _hoist(marker: etree._Element) -> None:
    """Move a marker that stands at the very start of a phrasing element or a heading to
    just before it (a marker inside a link of the nav's contents stays there: only links may
    hold it)."""
    while True:
        parent = marker.getparent()
        if _local(parent.tag) not in _HOISTED or parent.index(marker) != 0 \
                or (parent.text or "").strip():
            return
        if _local(parent.tag) == "a" and parent.xpath("ancestor::x:nav", namespaces={"x": XHTML}):
            return
        parent.text = (parent.text or "") + (marker.tail or "")
        marker.tail = None
        parent.remove(marker)
        parent.addprevious(marker)


def _images(fragment: str) -> list:
    if not fragment.strip():
        return []
    return list(lxml.html.fragment_fromstring(fragment, create_parent="div").iter("img"))
