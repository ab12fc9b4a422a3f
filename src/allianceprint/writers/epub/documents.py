"""`RenderedBook` -> the EPUB's items: its XHTML documents (the cover, the title page, the
nav, one per part: styles/epub/*.xhtml.j2, each parsed as XML before it is stored), its
stylesheet and images, its contents and spine."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from ebooklib import epub
from lxml import etree

from allianceprint.fragments import inner_html, parse_fragment
from allianceprint.labels import (
    history_date,
    join_names,
    list_names,
    original_statement,
    uses_zh_ja_formats,
)
from allianceprint.model import Note, PageMap, RenderedBook, RenderedPart
from allianceprint.noteplacing import run_in_number
from allianceprint.writers.epub.metadata import add_metadata
from allianceprint.writers.epub.namespaces import XML_LANG
from allianceprint.writers.epub.pagelist import PageList

MEDIA_TYPES = {
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}

#: epub:type and DPUB-ARIA role for a part, by division.
SEMANTICS = {"body": ("chapter", "doc-chapter")}


class EpubBuilder:
    """The EPUB's items, put into an ebooklib package."""

    def __init__(self, book: RenderedBook, page_map: PageMap | None) -> None:
        self.book = book
        self.page_list = PageList(book, page_map)
        self.has_pages = page_map is not None
        self.meta = book.book.config.book
        self.lang = self.meta.language
        self.package = epub.EpubBook()

    def build(self) -> epub.EpubBook:
        add_metadata(self.package, self.book, self.has_pages)
        stylesheet = epub.EpubItem(
            uid="css",
            file_name="styles/epub.css",
            media_type="text/css",
            content=self.book.styles.file("epub/epub.css").read_bytes(),
        )
        self.package.add_item(stylesheet)
        # Documents: file name -> (manifest id, parsed XHTML), in reading order.
        front: dict[str, tuple[str, etree._Element]] = {}
        cover = self.add_cover()
        if cover is not None:
            front["cover.xhtml"] = ("cover", cover)
        front["titlepage.xhtml"] = (
            "titlepage",
            _parse(self.render("titlepage.xhtml.j2", **self.people())),
        )
        parts = {
            f"{part.id}.xhtml": (part.id, _parse(self.part_document(part)))
            for part in self.book.parts
        }
        # The printed pages, whose list the nav holds: it is made after the others.
        pages = self.page_list.pages({**front, **parts})
        nav = _parse(
            self.render(
                "nav.xhtml.j2",
                toc=self.book.toc,
                has_cover=cover is not None,
                pages=pages,
                first_body=next((p.id for p in self.book.parts if p.part.division == "body"), ""),
            )
        )
        documents = {**front, "nav.xhtml": ("nav", nav), **parts}
        self.page_list.mark_pages(documents, pages)
        toc = [
            epub.Link(
                f"{part.id}.xhtml",
                " ".join(filter(None, (part.number_label, part.title_text))),
                part.id,
            )
            for part in self.book.parts
        ]
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

    def add_cover(self) -> etree._Element | None:
        if not self.meta.cover:
            return None
        source = self.book.book.root / self.meta.cover
        name = "images/cover" + source.suffix.lower()
        image = epub.EpubItem(
            uid="cover-image",
            file_name=name,
            media_type=MEDIA_TYPES[source.suffix.lower()],
            content=source.read_bytes(),
        )
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
                media_type = (
                    MEDIA_TYPES.get(source.suffix.lower())
                    or mimetypes.guess_type(source.name)[0]
                    or "application/octet-stream"
                )
                self.package.add_item(
                    epub.EpubItem(
                        uid=f"image-{len(seen)}",
                        file_name=relative.as_posix(),
                        media_type=media_type,
                        content=source.read_bytes(),
                    )
                )

    def people(self) -> dict[str, str]:
        people = self.book.book.config.contributors

        def join(keys: tuple[str, ...]) -> str:
            return join_names([people[k].name for k in keys], self.book.labels)

        return {
            "meta": self.meta,
            "editors": join(self.meta.editors),
            "authors": join(self.meta.authors),
            "translators": join(self.meta.translators),
        }

    def part_document(self, part: RenderedPart) -> str:
        notes = [
            {"id": n.id, "number": n.number, "ref_ids": n.ref_ids, "html": self.note_html(n, part)}
            for n in part.notes
        ]
        matter = {"front": "frontmatter", "body": "bodymatter", "back": "backmatter"}
        return self.render(
            "part.xhtml.j2",
            lang=part.part.lang or self.lang,
            part=part,
            title_html=self.xhtml(part.title_html, part),
            body_html=self.xhtml(part.body_html, part),
            notes=notes,
            note_kind=self.book.note_placement.epub_kind,
            matter=matter[part.part.division],
            semantics=SEMANTICS.get(part.part.division),
        )

    def note_html(self, note: Note, part: RenderedPart) -> str:
        """The note's text with its number, a link back to its first reference, run into its
        first paragraph (as the print edition sets it: noteplacing)."""
        container = run_in_number(
            note, {"role": "doc-backlink", "title": self.book.labels["back_to_text"]}, gap=" "
        )
        return self.xhtml(inner_html(container), part)

    def xhtml(self, fragment: str, part: RenderedPart) -> str:
        """An HTML fragment as well-formed XHTML, with links to other parts' files."""
        if not fragment.strip():
            return ""
        container = parse_fragment(fragment)
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
        return text[len("<div>") : -len("</div>")] if text.startswith("<div>") else text

    def render(self, template: str, **context) -> str:
        language = self.meta.language
        context.setdefault("lang", self.lang)
        return self.book.styles.render(
            "epub",
            template,
            labels=self.book.labels,
            cjk=uses_zh_ja_formats(language),
            names=lambda names: list_names(list(names), self.book.labels),
            revision_date=lambda date: history_date(date, language),
            original=original_statement(self.meta.original, language, self.book.labels),
            **context,
        )

    def document(self, uid: str, file_name: str, tree: etree._Element) -> epub.EpubItem:
        data = etree.tostring(tree.getroottree(), encoding="utf-8", xml_declaration=True)
        item = epub.EpubItem(
            uid=uid, file_name=file_name, media_type="application/xhtml+xml", content=data
        )
        self.package.add_item(item)
        return item


def _parse(content: str) -> etree._Element:
    """A rendered document, parsed: a bug in a template or fragment fails here, not in a
    reading system."""
    return etree.fromstring(content.encode("utf-8"))
