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

This module writes the package; `documents` makes its XHTML documents and items, `metadata`
its metadata, `pagelist` the print edition's page-break markers.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

from ebooklib import epub
from lxml import etree

from allianceprint.model import PageMap, RenderedBook
from allianceprint.writers.epub.documents import EpubBuilder
from allianceprint.writers.epub.namespaces import XML_LANG


def write_epub(
    book: RenderedBook, target: Path, modified: dt.datetime, page_map: PageMap | None = None
) -> Path:
    """Write the EPUB edition to `target`; `modified` becomes dcterms:modified. With the print
    edition's `page_map`, the EPUB carries the printed page numbers."""
    package = EpubBuilder(book, page_map).build()
    writer = _PackageWriter(
        str(target),
        package,
        {"mtime": modified, "epub3_pages": False, "epub2_guide": False},
        book.book.config.book.language,
    )
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
