"""Reading the print PDF back: pages' text, labels, outline, running heads."""

from __future__ import annotations

import re
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
                    items.append(
                        OutlineItem(
                            node.title, self.reader.get_destination_page_number(node), level
                        )
                    )

        walk(self.reader.outline, 1)
        return items

    @cached_property
    def plumber(self) -> pdfplumber.PDF:
        return pdfplumber.open(self.path)

    @cached_property
    def lines(self) -> list[list[str]]:
        """Each page's text lines, top to bottom (pdfplumber's layout order)."""
        return [
            [line.strip() for line in (page.extract_text() or "").splitlines() if line.strip()]
            for page in self.plumber.pages
        ]

    def region_lines(self, index: int, top: float, bottom: float) -> list[str]:
        """The text lines between `top` and `bottom` points from the top of the page."""
        page = self.plumber.pages[index]
        text = page.crop((0, top, page.width, bottom)).extract_text() or ""
        return [line for line in text.splitlines() if line.strip()]

    def head(self, index: int) -> str:
        """The text in the page's top margin (the running head), or ''."""
        return " ".join(" ".join(self.region_lines(index, 0, 0.62 * 72)).split())

    def foot(self, index: int) -> str:
        height = self.plumber.pages[index].height
        return " ".join(" ".join(self.region_lines(index, height - 0.75 * 72, height)).split())


_CJK = "\u3000-\u303f\u3040-\u30ff\u3400-\u9fff\uff00-\uffef"
_CJK_LATIN_GAP = re.compile(
    rf"(?<=[{_CJK}])[ \u2009]+(?=[^\s{_CJK}])"
    rf"|(?<=[^\s{_CJK}])[ \u2009]+(?=[{_CJK}])"
)


def cjk_flat(text: str) -> str:
    """`text` without the spaces Chinese and Japanese setting puts between an ideograph and a
    Latin word or number (cjk.py: the only characters it adds), for comparing with a source."""
    return _CJK_LATIN_GAP.sub("", text)
