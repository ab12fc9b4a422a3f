"""`RenderedBook` -> the EPUB 3 (ebooklib for the package, Jinja2 for the documents).

One XHTML document per part (styles/epub/part.xhtml.j2), a title page, a nav document with
the contents (authors under chapter titles) and landmarks, an NCX for older readers, the
stylesheet styles/epub/epub.css, the images the parts use and the cover. ebooklib writes the
package document, the NCX and the container; the XHTML is ours, parsed as XML before it is
stored so that a malformed document is caught here rather than by a reading system.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import uuid
from pathlib import Path

import jinja2
import lxml.html
from ebooklib import epub
from lxml import etree

from allianceprint.model import RenderedBook, RenderedPart

MEDIA_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
               ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp"}

#: epub:type and DPUB-ARIA role for a part, by division.
SEMANTICS = {"body": ("chapter", "doc-chapter")}


def book_identifier(book: RenderedBook) -> str:
    """The EPUB ISBN as a URN, else a UUID derived from the book (stable across builds)."""
    meta = book.book.config.book
    if meta.isbn_epub:
        return "urn:isbn:" + meta.isbn_epub.replace("-", "").replace(" ", "")
    people = book.book.config.contributors
    names = [people[k].name for k in (*meta.editors, *meta.authors) if k in people]
    seed = "\n".join([meta.title, meta.subtitle, meta.publisher, meta.date, *names])
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'allianceprint:' + seed)}"


def write_epub(book: RenderedBook, target: Path, modified: dt.datetime) -> Path:
    """Write the EPUB edition to `target`; `modified` becomes dcterms:modified."""
    writer = _EpubBuilder(book)
    package = writer.build()
    epub.write_epub(str(target), package, {"mtime": modified, "epub3_pages": False,
                                           "epub2_guide": False, "raise_exceptions": True})
    return target


class _EpubBuilder:
    def __init__(self, book: RenderedBook) -> None:
        self.book = book
        self.meta = book.book.config.book
        self.lang = self.meta.language
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(book.stylesheet_dir / "epub"), autoescape=True,
            undefined=jinja2.StrictUndefined)
        self.package = epub.EpubBook()

    def build(self) -> epub.EpubBook:
        self.add_metadata()
        stylesheet = epub.EpubItem(uid="css", file_name="styles/epub.css", media_type="text/css",
                                   content=(self.book.stylesheet_dir / "epub" / "epub.css")
                                   .read_bytes())
        self.package.add_item(stylesheet)
        spine: list[epub.EpubItem] = []
        cover = self.add_cover()
        if cover is not None:
            spine.append(cover)
        spine.append(self.document("titlepage", "titlepage.xhtml",
                                   self.render("titlepage.xhtml.j2", **self.people())))
        nav = self.document("nav", "nav.xhtml", self.render(
            "nav.xhtml.j2", toc=self.book.toc, has_cover=cover is not None,
            first_body=next((p.id for p in self.book.parts if p.part.division == "body"), "")))
        nav.properties = ["nav"]
        spine.append(nav)
        toc = []
        for part in self.book.parts:
            item = self.document(part.id, f"{part.id}.xhtml", self.part_document(part))
            spine.append(item)
            toc.append(epub.Link(f"{part.id}.xhtml", part.title_text, part.id))
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
        for role, keys in (("aut", meta.authors), ("edt", meta.editors),
                           ("trl", meta.translators)):
            for key in keys:
                package.add_author(people[key].name, role=role, uid=f"creator-{key}")
        credited = {*meta.authors, *meta.editors, *meta.translators}
        for part in self.book.parts:
            for person in part.authors:
                if person.key in credited:
                    continue
                credited.add(person.key)
                package.add_metadata("DC", "contributor", person.name,
                                     {"id": f"contributor-{person.key}"})
                package.add_metadata(None, "meta", "aut", {
                    "refines": f"#contributor-{person.key}", "property": "role",
                    "scheme": "marc:relators"})
        for name, value in (("date", meta.date), ("publisher", meta.publisher),
                            ("rights", meta.rights), ("description", meta.description)):
            if value:
                package.add_metadata("DC", name, value)
        if meta.subtitle:
            package.add_metadata("DC", "title", meta.subtitle, {"id": "subtitle"})
            package.add_metadata(None, "meta", "subtitle",
                                 {"refines": "#subtitle", "property": "title-type"})

    def add_cover(self) -> epub.EpubItem | None:
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
        return self.document("cover", "cover.xhtml", self.render("cover.xhtml.j2", cover=name,
                                                                meta=self.meta))

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
        people, and_word = self.book.book.config.contributors, self.book.labels["and"]

        def join(keys: tuple[str, ...]) -> str:
            names = [people[k].name for k in keys]
            if len(names) <= 1:
                return "".join(names)
            return ", ".join(names[:-1]) + f" {and_word} " + names[-1]

        return {"meta": self.meta, "editors": join(self.meta.editors),
                "authors": join(self.meta.authors), "translators": join(self.meta.translators)}

    def part_document(self, part: RenderedPart) -> str:
        notes = [{"id": n.id, "number": n.number, "ref_ids": n.ref_ids,
                  "html": self.xhtml(n.html, part)} for n in part.notes]
        matter = {"front": "frontmatter", "body": "bodymatter", "back": "backmatter"}
        return self.render("part.xhtml.j2", part=part, title_html=self.xhtml(part.title_html, part),
                           body_html=self.xhtml(part.body_html, part), notes=notes,
                           matter=matter[part.part.division],
                           semantics=SEMANTICS.get(part.part.division))

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
        text = etree.tostring(container, encoding="unicode", method="xml")
        return text[len("<div>"):-len("</div>")] if text.startswith("<div>") else text

    def render(self, template: str, **context) -> str:
        return self.env.get_template(template).render(lang=self.lang, labels=self.book.labels,
                                                      **context)

    def document(self, uid: str, file_name: str, content: str) -> epub.EpubItem:
        data = content.encode("utf-8")
        etree.fromstring(data)  # a bug in a template or fragment fails here, not in a reader
        item = epub.EpubItem(uid=uid, file_name=file_name, media_type="application/xhtml+xml",
                             content=data)
        self.package.add_item(item)
        return item
