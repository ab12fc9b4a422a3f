"""`[print] notes` + the rendered parts -> `NotePlacement`; a `Note` -> its text with its
number run in.

Where the notes print is decided once, when the book is rendered (`render_book` puts the
decision in `RenderedBook.note_placement`); the print HTML (writers/printhtml), the pieces
writer, the EPUB writer and the print template read that object, never `[print] notes`.
Both editions set a note's number, a link back to its first reference, at the start of its
first paragraph: `run_in_number` does it for both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from lxml import etree

from allianceprint.fragments import parse_fragment

if TYPE_CHECKING:
    import lxml.html

    from allianceprint.model import Note, NoteMode


@dataclass(frozen=True)
class NotePlacement:
    """Where the print edition sets the notes (the EPUB keeps them at the end of each part
    in every mode, as footnotes or endnotes)."""

    mode: NoteMode  # `[print] notes`, as the print template's body class names it
    footnotes: bool  # at the foot of the page where each is first referenced
    part_end: bool  # under "Notes" at the end of each part
    book_end: bool  # one "Notes" section after the last chapter (and the book has notes)

    @classmethod
    def decide(cls, mode: NoteMode, any_notes: bool) -> NotePlacement:
        """The placement for `[print] notes = mode`, for a book with or without notes."""
        return cls(
            mode=mode,
            footnotes=mode == "footnotes",
            part_end=mode == "chapter-end",
            book_end=mode == "book-end" and any_notes,
        )

    @property
    def epub_kind(self) -> str:
        """The notes' epub:type in the EPUB: "footnote" or "endnote"."""
        return "footnote" if self.footnotes else "endnote"


def run_in_number(note: Note, attributes: dict[str, str], gap: str = "") -> lxml.html.HtmlElement:
    """The note's text (parsed, in a `div`) with its number, a link back to the first
    reference with `attributes`, run into its first paragraph (a paragraph is made when it
    begins otherwise), `gap` between the number and the text: so the number can never be
    parted from its text at a page break."""
    container = parse_fragment(note.html or "<p></p>")
    first = container[0] if len(container) else None
    if first is None or first.tag != "p":
        first = etree.Element("p")
        container.insert(0, first)
    number = etree.Element(
        "a", {"class": "note-number", "href": f"#{note.ref_ids[0]}", **attributes}
    )
    number.text = f"{note.number}."
    number.tail = gap + (first.text or "") if gap else first.text
    first.text = None
    first.insert(0, number)
    return container
