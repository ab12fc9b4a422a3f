"""What a build knows about its pages -> a JSON file embedded in the print PDF, and back.

Input: the `RenderedBook`, the printed number of every page, the ids whose elements begin on
each page (the pieces' layouts, or WeasyPrint's pages) and the page map. Output: a
`PageRecord`, written into the PDF as the embedded file `allianceprint-pages.json`
(relationship `Data`), so that `allianceprint changes` (changes.py) needs nothing but the
two PDFs: it knows the book (title, ISBN), which part each page belongs to, the part's
Markdown file, and where each page begins in the book's blocks (by id).

The writers call `record_for` and `embed` (pdfmerge, pdf); `read` takes the record back out
of any PDF (None when there is none, or it is not ours). PDF/A-1b and -2b and PDF/X forbid
embedded files that are not themselves PDF/A: with those variants nothing is recorded, and
`changes` compares the pages as it compares any PDF.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Sequence

from allianceprint.model import PageMap, RenderedBook

#: Chinese, Japanese and Korean characters: each one is a word of its own.
CJK = (
    "\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
)
WORD = re.compile(f"[{CJK}]|[^\\s{CJK}]+")
#: The blocks whose text the record fingerprints, so a moved one is known by its id.
FINGERPRINTED = ("p", "blockquote", "li", "dd", "figcaption", "pre")

NAME = "allianceprint-pages.json"
FORMAT = "allianceprint-pages/1"
#: WeasyPrint's PDF variants whose standards forbid an embedded JSON file.
NO_ATTACHMENTS = (
    "pdf/a-1b",
    "pdf/a-2b",
    "pdf/a-1a",
    "pdf/a-2a",
    "pdf/a-2u",
    "pdf/x-1a",
    "pdf/x-3",
    "pdf/x-4",
    "pdf/x-5g",
)


@dataclass(frozen=True)
class RecordedPart:
    id: str
    source: str  # the Markdown file, relative to the manuscript folder
    title: str


@dataclass(frozen=True)
class RecordedPage:
    label: str  # the printed number
    part: str  # the id of the part the page belongs to; "opening" for the title and contents
    anchors: tuple[str, ...]  # ids whose elements begin on the page, in order
    start: tuple[str, int] | None  # where the page begins (page map), when known


@dataclass(frozen=True)
class PageRecord:
    title: str
    isbn_print: str
    language: str
    printing: int | None
    parts: tuple[RecordedPart, ...]
    pages: tuple[RecordedPage, ...]
    blocks: tuple[tuple[str, str], ...] = ()  # (id, fingerprint of its words), in order

    def to_json(self) -> bytes:
        data = {
            "format": FORMAT,
            "book": {
                "title": self.title,
                "isbn_print": self.isbn_print,
                "language": self.language,
                "printing": self.printing,
            },
            "parts": [{"id": p.id, "source": p.source, "title": p.title} for p in self.parts],
            "pages": [
                {
                    "label": p.label,
                    "part": p.part,
                    "anchors": list(p.anchors),
                    "start": list(p.start) if p.start else None,
                }
                for p in self.pages
            ],
            "blocks": [list(block) for block in self.blocks],
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes) -> PageRecord | None:
        """The record, or None when `raw` is not one this version understands."""
        try:
            data = json.loads(raw.decode("utf-8"))
            if data.get("format") != FORMAT:
                return None
            book = data["book"]
            return cls(
                title=str(book["title"]),
                isbn_print=str(book.get("isbn_print") or ""),
                language=str(book.get("language") or ""),
                printing=book.get("printing"),
                parts=tuple(
                    RecordedPart(str(p["id"]), str(p["source"]), str(p["title"]))
                    for p in data["parts"]
                ),
                pages=tuple(
                    RecordedPage(
                        str(p["label"]),
                        str(p["part"]),
                        tuple(str(a) for a in p["anchors"]),
                        (str(p["start"][0]), int(p["start"][1])) if p.get("start") else None,
                    )
                    for p in data["pages"]
                ),
                blocks=tuple((str(b[0]), str(b[1])) for b in data.get("blocks", ())),
            )
        except (ValueError, KeyError, TypeError, IndexError, AttributeError):
            return None

    def source_of(self, part_id: str) -> str:
        return next((p.source for p in self.parts if p.id == part_id), "")

    def title_of(self, part_id: str) -> str:
        return next((p.title for p in self.parts if p.id == part_id), "")


OPENING = "opening"


def record_for(
    book: RenderedBook,
    labels: Sequence[str],
    page_anchors: Iterable[Iterable[str]],
    page_map: PageMap | None,
) -> PageRecord:
    """The record of a laid-out book: `labels` and `page_anchors` one per page, in order."""
    meta = book.book.config.book
    part_ids = {part.id for part in book.parts}
    current = OPENING
    pages = []
    starts = page_map.pages if page_map is not None else ()
    for index, (label, anchors) in enumerate(zip(labels, page_anchors)):
        anchors = tuple(anchors)
        opening = next((a for a in anchors if a in part_ids), None)
        if opening is not None:
            current = opening
        start = starts[index] if index < len(starts) else None
        pages.append(
            RecordedPage(
                str(label),
                current,
                anchors,
                (start.anchor, start.offset) if start is not None else None,
            )
        )
    parts = tuple(RecordedPart(p.id, p.part.source.as_posix(), p.title_text) for p in book.parts)
    return PageRecord(
        meta.title,
        meta.isbn_print,
        meta.language,
        meta.printing,
        parts,
        tuple(pages),
        _blocks(book),
    )


def fingerprint(words: Iterable[str]) -> str:
    """The fingerprint of a text given as its words (`WORD`), as the PDF prints them."""
    text = " ".join(unicodedata.normalize("NFKC", word) for word in words)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def _blocks(book: RenderedBook) -> tuple[tuple[str, str], ...]:
    """Each fingerprinted block of the parts' bodies with an id: (id, fingerprint)."""
    from allianceprint.fragments import parse_fragment  # lxml: not for an up-to-date check

    found = []
    for part in book.parts:
        if not part.body_html.strip():
            continue
        container = parse_fragment(part.body_html)
        for element in container.iter(*FINGERPRINTED):
            if element.get("id"):
                words = WORD.findall(element.text_content())
                if len(words) >= 5:
                    found.append((element.get("id"), fingerprint(words)))
    return tuple(found)


def allowed(variant: str | None) -> bool:
    """Whether a PDF of this WeasyPrint variant may carry the record."""
    return (variant or "none").lower() not in NO_ATTACHMENTS


def embed(pdf, record: bytes, created: str | None = None) -> None:
    """Attach `record` (PageRecord.to_json) to the pikepdf `pdf`, as data of the document
    (dated `created`, ISO 8601 UTC, as the PDF is: the same sources give the same bytes)."""
    import pikepdf

    date = "D:" + "".join(c for c in created if c.isdigit())[:14] + "Z" if created else ""
    spec = pikepdf.AttachedFileSpec(
        pdf,
        record,
        description="allianceprint page record",
        filename=NAME,
        mime_type="application/json",
        creation_date=date,
        mod_date=date,
        relationship=pikepdf.Name.Data,
    )
    pdf.attachments[NAME] = spec
    if "/AF" not in pdf.Root:
        pdf.Root.AF = pikepdf.Array()
    pdf.Root.AF.append(spec.obj)


def read(document) -> PageRecord | None:
    """The record in a pypdfium2 `PdfDocument`, or None."""
    for index in range(document.count_attachments()):
        attachment = document.get_attachment(index)
        if attachment.get_name() == NAME:
            try:
                return PageRecord.from_json(bytes(attachment.get_data()))
            except Exception:  # a damaged stream: compare without the record
                return None
    return None
