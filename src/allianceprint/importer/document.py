"""The typed document model between the .docx reader and the Markdown writer.

`reader.read_document` fills it from the OOXML; `markdown.write_markdown` turns it into a
part. Inlines and blocks are frozen dataclasses; notes keep their kind (footnote or
endnote) and Word's id, and are numbered by the writer in reading order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union


@dataclass(frozen=True)
class Span:
    """A run of text with one formatting."""

    text: str
    italic: bool = False
    bold: bool = False
    small_caps: bool = False
    script: str = ""  # "sup", "sub" or ""


@dataclass(frozen=True)
class NoteRef:
    kind: str  # "footnote" or "endnote"
    id: str


@dataclass(frozen=True)
class Link:
    target: str  # a web address, or "#id" of a heading in this part
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Picture:
    """An embedded image, saved as `name` in the part's image folder."""

    name: str
    alt: str


@dataclass(frozen=True)
class LineBreak:
    pass


@dataclass(frozen=True)
class CommentMark:
    """Where a comment's reference stands (its text is in `Document.comments`)."""

    id: str


Inline = Union[Span, NoteRef, Link, Picture, LineBreak, CommentMark]


@dataclass(frozen=True)
class ListInfo:
    level: int  # 0 for the outermost
    ordered: bool
    style: str  # CSS list-style-type: decimal, lower-alpha, upper-roman, disc...
    number: int  # this item's number in its list (ordered lists)


@dataclass(frozen=True)
class Paragraph:
    inlines: tuple[Inline, ...]
    kind: str = "body"  # body, heading, title, quote, caption
    level: int = 0  # Word's heading level (1 for Heading 1), 0 for Title
    list: ListInfo | None = None
    anchors: tuple[str, ...] = ()  # bookmark names that internal links point to
    number: int = 0  # paragraph number in the document, for messages


@dataclass(frozen=True)
class Cell:
    blocks: tuple[Block, ...]
    colspan: int = 1
    rowspan: int = 1  # > 1 on the first cell of a vertical merge
    merged: bool = False  # a continuation of a vertical merge (not shown)


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[Cell, ...], ...]
    nested: bool = False  # holds another table
    number: int = 0
    caption: str = ""


Block = Union[Paragraph, Table]


@dataclass(frozen=True)
class Note:
    kind: str
    id: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Comment:
    id: str
    author: str
    date: str
    text: str


@dataclass(frozen=True)
class Finding:
    """Something that could not be carried as it was, and where."""

    message: str
    where: str = ""  # 'paragraph 12 ("The first words…")', 'footnote 3', or ""


@dataclass
class Document:
    blocks: list[Block]
    notes: dict[tuple[str, str], Note]
    comments: dict[str, Comment]
    images: dict[str, bytes]  # file name -> content
    author_hint: str = ""
    findings: list[Finding] = field(default_factory=list)
    changes: dict[str, int] = field(default_factory=dict)  # "insertions"/"deletions" -> count
