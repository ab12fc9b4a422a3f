"""What goes to a layout worker (`PieceJob`) and what comes back (`PieceLayout`, with its
`PiecePage`s), which the cache also keeps as a JSON record beside the piece's PDF
(`to_data`, `from_data`: a record read back is checked against `RECORD_SHAPE`, and anything
of another shape is `Untrusted`)."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from allianceprint.cachefolder import Untrusted, checked
from allianceprint.pagemap import Position
from allianceprint.writers import pdffonts, pdfmerge

#: The pieces that are not parts (whose pieces are named by the part's id).
OPENING = "opening"  # the title page, the copyright page, the contents
BOOK_NOTES = "book-notes"  # the notes section at the back (book-end notes)
FOLIOS = "folios"  # a run of folio pages: "folios-0", "folios-1", ...


@dataclass(frozen=True)
class PiecePage:
    """One page of a piece, as its layout left it."""

    name: str  # the named page: "title", "front", "body", "booknotes", "back"
    blank: bool  # left empty by a right-hand or left-hand break
    anchors: tuple[str, ...]  # the ids whose elements begin on it, in order


@dataclass(frozen=True)
class PieceLayout:
    """What laying out one piece yields; also what the cache keeps of it."""

    piece: str  # "opening", a part's id, "book-notes", "folios-N"
    key: str  # the cache key
    pdf: Path
    pages: tuple[PiecePage, ...]
    bookmarks: tuple[pdfmerge.Bookmark, ...]  # pages counted within the piece
    starts: tuple[Position | None, ...]  # where each page begins, for the EPUB ((): none)
    end: Position | None  # where the piece's shared text ends
    logs: tuple[tuple[str, int, str], ...] = ()  # (logger, level, message) of the layout
    fonts: tuple[pdffonts.EmbeddedFont, ...] = ()  # what the merge needs to share them
    cached: bool = False  # taken from the cache, not laid out in this build

    def to_data(self, pdf_sha256: str) -> dict:
        """The cache's record of the layout, with a hash of the PDF it was written with."""
        data = asdict(self)
        data["pdf"] = str(self.pdf)
        data["fonts"] = [font.to_json() for font in self.fonts]
        data["pdf_sha256"] = pdf_sha256
        del data["cached"]
        return data

    @classmethod
    def from_data(cls, data: dict) -> PieceLayout:
        """The layout a record (checked against `RECORD_SHAPE`) holds; `Untrusted` if a part of
        it has not the shape it should."""

        def bookmark(item: object) -> pdfmerge.Bookmark:
            checked(item, BOOKMARK_SHAPE, "bookmark")
            return pdfmerge.Bookmark(
                item["label"],
                item["page"],
                float(item["x"]),
                float(item["y"]),
                tuple(bookmark(child) for child in item["children"]),
            )

        def position(item: list | None) -> Position | None:
            if item is None:
                return None
            if len(item) != 2 or not isinstance(item[0], str) or type(item[1]) is not int:
                raise Untrusted("a position that is not [anchor, count]")
            return (item[0], item[1])

        def fonts(items: list) -> tuple[pdffonts.EmbeddedFont, ...]:
            try:
                return tuple(pdffonts.EmbeddedFont.from_json(item) for item in items)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                raise Untrusted(f"a font entry that is not what pdffonts writes ({exc})") from exc

        logs = tuple(tuple(entry) for entry in data["logs"])
        if any(len(entry) != 3 or [type(x) for x in entry] != [str, int, str] for entry in logs):
            raise Untrusted("a log entry that is not [logger, level, message]")
        return cls(
            piece=data["piece"],
            key=data["key"],
            pdf=Path(data["pdf"]),
            pages=tuple(
                PiecePage(p["name"], p["blank"], tuple(p["anchors"])) for p in data["pages"]
            ),
            bookmarks=tuple(bookmark(b) for b in data["bookmarks"]),
            starts=tuple(position(s) for s in data["starts"]),
            end=position(data["end"]),
            logs=logs,
            fonts=fonts(data["fonts"]),
            cached=True,
        )


BOOKMARK_SHAPE = {"label": str, "page": int, "x": float, "y": float, "children": list}
RECORD_SHAPE = {
    "piece": str,
    "key": str,
    "pdf": str,
    "pdf_sha256": str,
    "pages": [{"name": str, "blank": bool, "anchors": [str]}],
    "bookmarks": list,
    "starts": [(None, list)],
    "end": (None, list),
    "logs": [list],
    "fonts": list,
}


@dataclass(frozen=True)
class PieceJob:
    """Everything a worker process needs to lay out one piece (it is pickled)."""

    piece: str
    key: str
    html: str
    base_url: str
    stylesheet: Path
    allowed: tuple[Path, ...]  # the folders the fetcher may read
    styles_digest: str  # of every style file (housestyle.StyleSet.digest)
    variant: str | None  # WeasyPrint's pdf_variant
    pdf: Path  # where the piece's PDF goes (in the cache)
    anchors: frozenset[str] = field(default_factory=frozenset)  # map the pages: shared ids
    folios: bool = False  # a folio run: no bookmarks, no page map


def pdf_sha256(pdf: Path) -> str | None:
    """The hash of a piece's PDF, as its record keeps it; None if it cannot be read."""
    try:
        with pdf.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None
