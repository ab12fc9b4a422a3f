"""Reading the print PDF back: pages' text, labels, outline, running heads."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pdfplumber
from pypdf import PdfReader


@dataclass(frozen=True)
class OutlineItem:
    title: str
    page: int  # 0-based page index
    level: int


class Pdf:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.reader = PdfReader(str(path))

    @property
    def pages(self) -> int:
        return len(self.reader.pages)

    @cached_property
    def labels(self) -> list[str]:
        return list(self.reader.page_labels)

    @cached_property
    def outline(self) -> list[OutlineItem]:
        items: list[OutlineItem] = []

        def walk(nodes, level: int) -> None:
            for node in nodes:
                if isinstance(node, list):
                    walk(node, level + 1)
                else:
                    items.append(OutlineItem(node.title, self.reader.get_destination_page_number(
                        node), level))
        walk(self.reader.outline, 1)
        return items

    @cached_property
    def lines(self) -> list[list[str]]:
        """Each page's text lines, top to bottom (pdfplumber's layout order)."""
        result = []
        with pdfplumber.open(self.path) as pdf:
            for page in pdf.pages:
                text = page.extract_text() or ""
                result.append([line.strip() for line in text.splitlines() if line.strip()])
        return result

    def head(self, index: int) -> str:
        """The text in the page's top margin (the running head), or ''."""
        with pdfplumber.open(self.path) as pdf:
            page = pdf.pages[index]
            top = page.crop((0, 0, page.width, 0.62 * 72))
            return " ".join((top.extract_text() or "").split())

    def foot(self, index: int) -> str:
        with pdfplumber.open(self.path) as pdf:
            page = pdf.pages[index]
            bottom = page.crop((0, page.height - 0.75 * 72, page.width, page.height))
            return " ".join((bottom.extract_text() or "").split())
