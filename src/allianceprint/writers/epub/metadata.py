"""`RenderedBook` -> the EPUB package's metadata: identifier, title, creators and
contributors with their MARC roles, the original of a translation (`dc:source`), the
edition and its history, and the schema.org accessibility metadata (with the page source
when the EPUB carries the print edition's pages)."""

from __future__ import annotations

import re
import uuid

from ebooklib import epub

from allianceprint.fragments import parse_fragment
from allianceprint.model import Original, RenderedBook
from allianceprint.writers.epub.namespaces import XML_LANG


def book_identifier(book: RenderedBook) -> str:
    """The EPUB ISBN as a URN, else a UUID derived from the book (stable across builds)."""
    meta = book.book.config.book
    if meta.isbn_epub:
        return "urn:isbn:" + meta.isbn_epub.replace("-", "").replace(" ", "")
    people = book.book.config.contributors
    names = [people[k].name for k in (*meta.editors, *meta.authors) if k in people]
    seed = "\n".join([meta.title, meta.subtitle, meta.publisher, meta.date, *names])
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'allianceprint:' + seed)}"


def add_metadata(package: epub.EpubBook, book: RenderedBook, has_pages: bool) -> None:
    """Everything the package says about the book; `has_pages`: the EPUB carries the print
    edition's page-break markers and page list."""
    _Metadata(package, book, has_pages).add()


class _Metadata:
    def __init__(self, package: epub.EpubBook, book: RenderedBook, has_pages: bool) -> None:
        self.package = package
        self.book = book
        self.has_pages = has_pages
        self.meta = book.book.config.book
        self.lang = self.meta.language

    def add(self) -> None:
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
        for name, value in (
            ("date", meta.date),
            ("publisher", meta.publisher),
            ("rights", meta.rights),
            ("description", meta.description),
        ):
            if value:
                package.add_metadata("DC", name, value)
        if meta.original is not None:
            self.add_source(meta.original)
        if meta.subtitle:
            package.add_metadata("DC", "title", meta.subtitle, {"id": "subtitle"})
            package.add_metadata(
                None, "meta", "subtitle", {"refines": "#subtitle", "property": "title-type"}
            )
        self.add_edition()
        self.add_accessibility()

    def contributor(self, name: str, key: str, role: str) -> None:
        """A `dc:contributor` with its MARC relator role (`aut`, `trl`)."""
        self.package.add_metadata("DC", "contributor", name, {"id": f"contributor-{key}"})
        self.package.add_metadata(
            None,
            "meta",
            role,
            {"refines": f"#contributor-{key}", "property": "role", "scheme": "marc:relators"},
        )

    def add_source(self, original: Original) -> None:
        """A translation's original as `dc:source`: its ISBN as a URN when it has one (what
        the EPUB specification suggests for dc:source), else its title; the title refined
        in the original's language when the source is an ISBN."""
        if original.isbn:
            isbn = "urn:isbn:" + re.sub(r"[^0-9Xx]", "", original.isbn)
            self.package.add_metadata("DC", "source", isbn, {"id": "source"})
            self.package.add_metadata(
                None,
                "meta",
                original.title,
                {"refines": "#source", "property": "dcterms:title", XML_LANG: original.language},
            )
        else:
            self.package.add_metadata(
                "DC", "source", original.title, {"id": "source", XML_LANG: original.language}
            )

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
            package.add_metadata(None, "meta", str(meta.printing), {"property": "schema:version"})
        for number, revision in enumerate(meta.history, start=1):
            uid = f"history_{number}"  # part ids never hold "_": no manifest id is the same
            package.add_metadata(
                None, "meta", revision.description, {"property": "dcterms:hasVersion", "id": uid}
            )
            package.add_metadata(
                None, "meta", revision.date, {"refines": f"#{uid}", "property": "dcterms:issued"}
            )

    def add_accessibility(self) -> None:
        """The schema.org accessibility metadata (EPUB Accessibility 1.1), from what the book
        has; the page source when the EPUB carries the print edition's pages."""
        images = [image for part in self.book.parts for image in _images(part.body_html)]
        described = all(image.get("alt", "").strip() for image in images)
        has_pages = self.has_pages
        modes = ["textual", "visual"] if images else ["textual"]
        sufficient = (["textual"] if described else []) + (["textual,visual"] if images else [])
        features = [
            "structuralNavigation",
            "tableOfContents",
            "readingOrder",
            "displayTransformability",
        ]
        if images and described:
            features.append("alternativeText")
        if has_pages:
            features += ["pageBreakMarkers", "pageNavigation"]
        for prop, values in (
            ("schema:accessMode", modes),
            ("schema:accessModeSufficient", sufficient),
            ("schema:accessibilityFeature", features),
            ("schema:accessibilityHazard", ["none"]),
        ):
            for value in values:
                self.package.add_metadata(None, "meta", value, {"property": prop})
        summary = (
            "Reflowable text in reading order that takes the reader's choice of font, "
            "size and colours, with a table of contents, a heading for every part and "
            "section, and notes linked to and from the text."
        )
        if images:
            summary += (
                " Every image has a text description."
                if described
                else " Some images have no text description."
            )
        if has_pages:
            summary += (
                " Page-break markers and a page list give the page numbers of the print edition."
            )
        attributes = {"property": "schema:accessibilitySummary"}
        if not self.lang.lower().startswith("en"):
            attributes[XML_LANG] = "en"  # the summary is written in English
        self.package.add_metadata(None, "meta", summary, attributes)
        if has_pages:
            self.package.add_metadata(
                None, "meta", self.page_source(), {"property": "pageBreakSource"}
            )

    def page_source(self) -> str:
        """What the page numbers come from: the print edition's ISBN, else its title."""
        if self.meta.isbn_print:
            return "urn:isbn:" + re.sub(r"[^0-9Xx]", "", self.meta.isbn_print)
        return self.meta.title


def _images(fragment: str) -> list:
    if not fragment.strip():
        return []
    return list(parse_fragment(fragment).iter("img"))
