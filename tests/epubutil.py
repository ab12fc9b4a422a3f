"""Reading the EPUB back: package document, spine, nav, documents."""

from __future__ import annotations

import posixpath
import zipfile
from functools import cached_property
from pathlib import Path

from lxml import etree

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


class Epub:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip = zipfile.ZipFile(path)

    def xml(self, name: str) -> etree._Element:
        return etree.fromstring(self.zip.read(name))

    @cached_property
    def opf_path(self) -> str:
        container = self.xml("META-INF/container.xml")
        return container.find(".//c:rootfile", NS).get("full-path")

    @cached_property
    def opf(self) -> etree._Element:
        return self.xml(self.opf_path)

    def href(self, relative: str) -> str:
        return posixpath.normpath(posixpath.join(posixpath.dirname(self.opf_path), relative))

    @cached_property
    def manifest(self) -> dict[str, etree._Element]:
        return {item.get("id"): item for item in self.opf.iterfind(".//opf:manifest/opf:item", NS)}

    @cached_property
    def spine(self) -> list[str]:
        """The spine's documents, as zip member names."""
        return [
            self.href(self.manifest[ref.get("idref")].get("href"))
            for ref in self.opf.iterfind(".//opf:spine/opf:itemref", NS)
        ]

    @cached_property
    def nav_path(self) -> str:
        item = next(i for i in self.manifest.values() if "nav" in (i.get("properties") or ""))
        return self.href(item.get("href"))

    def metadata(self, tag: str) -> list[str]:
        return [el.text for el in self.opf.iterfind(f".//opf:metadata/dc:{tag}", NS)]

    def meta_property(self, prop: str) -> list[str]:
        return [
            el.text for el in self.opf.iterfind(f".//opf:metadata/opf:meta[@property='{prop}']", NS)
        ]
