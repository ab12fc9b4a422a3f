"""The typed objects that pass between the stages.

config -> `BookConfig`; loader -> `Book` (made of `Part`s, `Contributor`s and
`Abbreviation`s); render -> `RenderedBook` (made of `RenderedPart`s, `Note`s and
`TocEntry`s); the print writer's layout -> `PageMap` (made of `PageStart`s), which the EPUB
writer turns into its page list. All are frozen: a stage never edits what an earlier stage
produced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Mapping

from allianceprint.labels import printing_statement

if TYPE_CHECKING:
    from allianceprint.housestyle import StyleSet
    from allianceprint.noteplacing import NotePlacement

Division = Literal["front", "body", "back"]
PartKind = Literal["text", "abbreviations", "contributors"]
PART_KINDS: tuple[str, ...] = ("text", "abbreviations", "contributors")


@dataclass(frozen=True)
class Contributor:
    """A person declared once in `[contributors.<key>]` and referred to by key."""

    key: str
    name: str
    affiliation: str = ""
    bio: str = ""  # Markdown
    orcid: str = ""


@dataclass(frozen=True)
class Revision:
    """One `[[history]]` entry of book.toml: an edition or printing of the book, in order."""

    date: str  # ISO 8601: YYYY, YYYY-MM or YYYY-MM-DD
    description: str  # one line, e.g. "Second printing, with corrections"


@dataclass(frozen=True)
class Original:
    """`[book.original]` of a translation: the book it was translated from."""

    title: str
    language: str  # BCP 47
    publisher: str = ""
    date: str = ""  # ISO 8601: YYYY, YYYY-MM or YYYY-MM-DD
    isbn: str = ""  # ISBN-13


@dataclass(frozen=True)
class BookMeta:
    """`[book]` in book.toml: what the title page, copyright page and metadata say (with the
    `[[history]]` entries, which the copyright page and the metadata show with it)."""

    title: str
    language: str
    subtitle: str = ""
    series: str = ""
    authors: tuple[str, ...] = ()
    editors: tuple[str, ...] = ()
    translators: tuple[str, ...] = ()
    publisher: str = ""
    date: str = ""  # ISO 8601: YYYY, YYYY-MM or YYYY-MM-DD
    edition: str = ""
    printing: int | None = None  # the impression of this edition: 3 for its third printing
    history: tuple[Revision, ...] = ()  # from [[history]], in order
    rights: str = ""
    isbn_print: str = ""
    isbn_epub: str = ""
    description: str = ""
    cover: str = ""  # path relative to the manuscript folder
    filename: str = ""  # the outputs' name without extension; "" means from the title
    original: Original | None = None  # a translation's original
    chapter_label: str = ""  # "Chapter {n}", "{n}", "第{n}章"; "": chapters are not numbered

    def printing_statement(self, labels: Mapping[str, str]) -> str:
        """The printing as the copyright page states it ("Third printing"), or ""."""
        if self.printing is None:
            return ""
        return printing_statement(self.printing, self.language, labels)


@dataclass(frozen=True)
class Contents:
    """`[contents]`: the parts of the book, in order, as paths relative to the manuscript."""

    front: tuple[str, ...] = ()
    chapters: tuple[str, ...] = ()
    back: tuple[str, ...] = ()

    @property
    def files(self) -> tuple[str, ...]:
        """Every part's file, in the book's order: front matter, chapters, back matter."""
        return (*self.front, *self.chapters, *self.back)


NoteMode = Literal["chapter-end", "footnotes", "book-end"]
NOTE_MODES: tuple[str, ...] = ("chapter-end", "footnotes", "book-end")


@dataclass(frozen=True)
class PrintOptions:
    """`[print]`: the page the print edition is set on, and what the printer gets."""

    trim: str = "6in 9in"  # a CSS page size: two lengths
    font_size: str = "10.5pt"
    margin_top: str = "0.7in"
    margin_bottom: str = "0.8in"
    margin_inner: str = "0.875in"  # the gutter, at the spine
    margin_outer: str = "0.625in"
    bleed: str = "0.125in"  # only in the print-ready PDF
    marks: tuple[str, ...] = ("crop", "cross")  # only in the print-ready PDF
    marks_offset: str = "3mm"  # between the bleed's edge and the marks (writers/marks.py)
    print_ready: bool = False  # also write the printer's PDF, with bleed and marks
    pdf_variant: str = "pdf/ua-1"  # a WeasyPrint PDF variant, or "none"
    notes: NoteMode = "chapter-end"

    @property
    def weasyprint_variant(self) -> str | None:
        """`pdf_variant` as WeasyPrint's `write_pdf` takes it (None: plain PDF)."""
        return None if self.pdf_variant == "none" else self.pdf_variant


@dataclass(frozen=True)
class CheckOptions:
    """`[checks]`: what `allianceprint check` accepts."""

    ignore_words: tuple[str, ...] = ()  # all-caps words that need no abbreviation entry


@dataclass(frozen=True)
class StyleOptions:
    """`[style]`: the press's own house style, if the book has one."""

    folder: str | None = None  # relative to the manuscript folder (see housestyle)


@dataclass(frozen=True)
class BookConfig:
    """Everything book.toml says, validated."""

    root: Path  # the manuscript folder
    path: Path  # book.toml itself
    book: BookMeta
    contributors: Mapping[str, Contributor]
    contents: Contents
    print: PrintOptions
    labels: Mapping[str, str]
    text: str  # book.toml as read, so that later stages can locate its keys without rereading
    checks: CheckOptions = CheckOptions()
    style: StyleOptions = StyleOptions()


@dataclass(frozen=True)
class Part:
    """One Markdown file of the manuscript, with its front matter read."""

    id: str  # unique, safe as an HTML id and a file name
    source: Path  # relative to the manuscript folder
    division: Division
    kind: PartKind
    title: str  # from front matter or the first `#` heading; "" when neither is given
    short_title: str
    authors: tuple[str, ...]  # contributor keys
    body: str  # the Markdown after the front matter
    body_line: int  # line number in the file where `body` begins
    front_matter_lines: Mapping[str, int] = field(default_factory=dict)  # key -> its line
    lang: str = ""  # the part's language when it is not the book's ("" = the book's)
    numbered: bool = True  # front matter `numbered: false`: a chapter without a number


@dataclass(frozen=True)
class Abbreviation:
    """One `*[ABBR]: Expansion` line of the abbreviations part."""

    abbr: str
    expansion: str
    line: int


@dataclass(frozen=True)
class Book:
    """A loaded manuscript: config plus the parts in reading order."""

    config: BookConfig
    parts: tuple[Part, ...]
    abbreviations: tuple[Abbreviation, ...]

    @property
    def root(self) -> Path:
        return self.config.root

    def contributor_order(self) -> tuple[Contributor, ...]:
        """Contributors in the order they first appear: book editors/authors, then parts."""
        seen: dict[str, Contributor] = {}
        meta = self.config.book
        keys = [*meta.editors, *meta.authors, *meta.translators]
        for part in self.parts:
            keys.extend(part.authors)
        for key in keys:
            if key not in seen and key in self.config.contributors:
                seen[key] = self.config.contributors[key]
        return tuple(seen.values())


@dataclass(frozen=True)
class Note:
    """One endnote of a part, numbered from 1 in order of first reference."""

    number: int
    label: str  # the author's label, e.g. "1" or "nss"
    id: str  # the note's anchor
    ref_ids: tuple[str, ...]  # the anchors of every reference to it, in order
    html: str  # its content, without the back links


@dataclass(frozen=True)
class RenderedPart:
    """A part turned into HTML, ready for either writer."""

    part: Part
    title_html: str  # the title, with any note reference hanging on it
    title_text: str  # the title as plain text, without note references
    short_title: str  # for running heads
    authors: tuple[Contributor, ...]
    body_html: str  # without the title and without the notes
    notes: tuple[Note, ...]
    images: tuple[Path, ...]  # manuscript-relative paths of the images the part shows
    number_label: str = ""  # "Chapter 3", "第三章": [book] chapter_label (chapters.py)

    @property
    def id(self) -> str:
        return self.part.id


@dataclass(frozen=True)
class TocEntry:
    """One line of the contents: a part, its authors, where it begins."""

    part_id: str
    title: str
    authors: tuple[str, ...]  # contributor names
    division: Division
    number_label: str = ""  # "Chapter 3": see RenderedPart


@dataclass(frozen=True)
class RenderedBook:
    """The whole book as HTML fragments, plus the contents and the labels."""

    book: Book
    parts: tuple[RenderedPart, ...]
    toc: tuple[TocEntry, ...]
    labels: Mapping[str, str]
    anchors: Mapping[str, str]  # every anchor id -> the id of the part that holds it
    contributors: tuple[Contributor, ...]  # in order of first appearance
    styles: StyleSet  # where the writers read their stylesheets and templates
    note_placement: NotePlacement  # where the notes print, decided once (noteplacing)


@dataclass(frozen=True)
class PageStart:
    """Where one printed page begins, in terms both editions share (see pagemap)."""

    label: str  # the printed page number: "iii", "37"
    anchor: str  # id of the element the page's first line begins in
    offset: int  # characters of that element's own text before the page (spaces not counted)
    blank: bool = False  # no text of its own: it shares the position of the next page


@dataclass(frozen=True)
class PageMap:
    """The print edition's pages, from its layout: what the EPUB's page list points to."""

    pages: tuple[PageStart, ...]  # every page of the print edition, in order
