"""Laid-out pieces of the book (one PDF each) -> the book's PDF (pikepdf).

The pieces arrive in reading order, each laid out on its own without folios (see
writers/pieces). The merge, in order:

1. appends every piece's pages, with a blank page before a piece that would otherwise open
   on a left-hand page;
2. joins their tag trees into one (PDF/UA): each piece's structure elements go under the
   first piece's Document element, and their marked-content keys (`StructParents`) are
   renumbered so that the parent tree stays one;
3. turns the links that point into another piece (written `allianceprint:ID` by the piece)
   into links to the named destination ID, and gathers every piece's named destinations;
4. writes the outline and the page labels for the whole book;
5. lays the folio pages over the book's pages: each as a form XObject drawn last, marked as
   a pagination artifact, so that screen readers pass over it as they do over running heads;
6. gives the book one subset of each font for all its pieces (writers/pdffonts);
7. in the printer's PDF, grows the sheet and draws the marks outside the bleed
   (writers/marks).

The first piece's catalog (language, XMP metadata, viewer preferences) is the book's.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from allianceprint import pagerecord
from allianceprint.writers import pdffonts
from allianceprint.writers.marks import MarksPlan, draw_marks
from allianceprint.writers.pagelabels import LabelRange, write_page_labels

LINK_SCHEME = "allianceprint:"  # how a piece writes a link to an anchor in another piece


@dataclass(frozen=True)
class Bookmark:
    """One outline entry: its label, page (index in the book) and place on it, in PDF
    points from the bottom left, and the entries under it."""

    label: str
    page: int
    x: float
    y: float
    children: tuple[Bookmark, ...] = ()


@dataclass(frozen=True)
class MergeInput:
    pieces: tuple[Path, ...]  # each piece's PDF, in reading order
    blank_before: tuple[bool, ...]  # a blank page goes before this piece
    folios: tuple[Path, ...]  # PDFs whose pages, in order, are the book's folios and marks
    outline: tuple[Bookmark, ...]
    labels: tuple[LabelRange, ...]
    created: str | None = None  # ISO 8601 UTC, "2026-03-01T00:00:00Z": the PDF's dates
    record: bytes = b""  # the build's page record (pagerecord), embedded when given
    marks: MarksPlan | None = None  # the printer's PDF: its marks (writers/marks.py)
    slug: Path | None = None  # the slug lines laid out, one page per page
    fonts: tuple[pdffonts.SharedFont, ...] = ()  # fonts the book carries once (pdffonts)


def merge(plan: MergeInput, target: Path) -> int:
    """Write the book's PDF to `target`; return its page count."""
    book = pikepdf.open(plan.pieces[0])
    tags = _TagTree(book)
    dests: dict[bytes, Array] = {}
    _gather_dests(book, book, 0, dests)
    _link_across(book, range(len(book.pages)))
    for path, blank in zip(plan.pieces[1:], plan.blank_before[1:]):
        piece = pikepdf.open(path)
        if blank:
            _add_blank_page(book)
        first = len(book.pages)
        with warnings.catch_warnings():  # named destinations are carried below
            warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
            book.pages.extend(piece.pages)
        tags.add(piece, first)
        _gather_dests(piece, book, first, dests)
        _link_across(book, range(first, len(book.pages)))
    _write_dests(book, dests)
    _write_outline(book, plan.outline)
    write_page_labels(book, plan.labels)
    _overlay_folios(book, plan.folios)
    pdffonts.share(book, plan.fonts)  # after the folios: their forms bring fonts too
    if plan.marks is not None:
        draw_marks(book, plan.marks, plan.slug)
    if plan.created:
        _write_dates(book, plan.created)
    if plan.record:
        pagerecord.embed(book, plan.record, plan.created)
    book.save(
        target,
        deterministic_id=True,
        fix_metadata_version=False,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
    )  # as WeasyPrint writes
    return len(book.pages)


class _TagTree:
    """The book's structure tree, which pieces' trees are added to."""

    def __init__(self, book: pikepdf.Pdf) -> None:
        self.book = book
        root = book.Root.get("/StructTreeRoot")
        self.document = None
        self.nums: Array | None = None
        self.next_key = 0
        if root is None:
            return
        self.document = _only(root.K)
        if not isinstance(self.document.get("/K"), Array):
            self.document.K = Array([self.document.K] if "/K" in self.document else [])
        self.nums = _nums(root.ParentTree)
        self.next_key = _next_key(self.nums)

    def add(self, piece: pikepdf.Pdf, first_page: int) -> None:
        root = piece.Root.get("/StructTreeRoot")
        if root is None or self.document is None:
            if (root is None) != (self.document is None):
                raise ValueError("the pieces of the book are not all tagged, or all untagged")
            return
        offset = self.next_key
        for page in self.book.pages[first_page : first_page + len(piece.pages)]:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + offset
            for annotation in page.obj.get("/Annots", ()):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + offset
        document = _only(root.K)
        del document.P  # copied without its own root
        copied = self.book.copy_foreign(document)
        kids = copied.get("/K")
        for kid in kids if isinstance(kids, Array) else [kids] if kids is not None else []:
            if isinstance(kid, Dictionary):
                kid.P = self.document
            self.document.K.append(kid)
        # One copy of the whole parent tree: its elements map to those copied above.
        nums = self.book.copy_foreign(piece.make_indirect(_nums(root.ParentTree)))
        for index in range(0, len(nums), 2):
            self.nums.append(int(nums[index]) + offset)
            self.nums.append(nums[index + 1])
        self.next_key = offset + _next_key(nums)
        self.book.Root.StructTreeRoot.ParentTreeNextKey = self.next_key


def _only(kids):
    """The Document element: the one kid of a structure tree's root, as WeasyPrint writes."""
    if isinstance(kids, Array):
        if len(kids) != 1:
            raise ValueError(f"expected one Document element, found {len(kids)}")
        return kids[0]
    return kids


def _nums(parent_tree) -> Array:
    if "/Kids" in parent_tree:
        raise ValueError("a parent tree with /Kids: not written by WeasyPrint")
    return parent_tree.Nums


def _next_key(nums: Array) -> int:
    keys = [int(nums[i]) for i in range(0, len(nums), 2)]
    return max(keys) + 1 if keys else 0


def _add_blank_page(book: pikepdf.Pdf) -> None:
    """A blank left-hand page the size of the page before it."""
    model = book.pages[-1].obj
    page = book.add_blank_page(page_size=(100, 100))
    for box in ("/MediaBox", "/TrimBox", "/BleedBox"):
        if box in model:
            page.obj[box] = Array(list(model[box]))


def _gather_dests(
    piece: pikepdf.Pdf, book: pikepdf.Pdf, first_page: int, dests: dict[bytes, Array]
) -> None:
    """The piece's named destinations, pointing at its pages in the book (the first one of
    a name wins, as within one document)."""
    names = piece.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return
    pages = {page.obj.objgen: first_page + index for index, page in enumerate(piece.pages)}
    tree = pikepdf.NameTree(names.Dests)
    for name, dest in tree.items():
        key = name.encode("utf-8") if isinstance(name, str) else bytes(name)
        if key in dests:
            continue
        target = book.pages[pages[dest[0].objgen]].obj
        dests[key] = Array([target, *list(dest)[1:]])


def _write_dests(book: pikepdf.Pdf, dests: dict[bytes, Array]) -> None:
    if not dests:
        return
    flat = Array()
    for key in sorted(dests):
        flat.append(String(key))
        flat.append(dests[key])
    if "/Names" not in book.Root:
        book.Root.Names = Dictionary()
    book.Root.Names.Dests = book.make_indirect(Dictionary(Names=flat))


def _link_across(book: pikepdf.Pdf, pages: range) -> None:
    """Links the pieces wrote to another piece's anchors become links to named
    destinations."""
    for index in pages:
        for annotation in book.pages[index].obj.get("/Annots", ()):
            action = annotation.get("/A")
            if action is None or action.get("/S") != Name.URI:
                continue
            uri = str(action.URI)
            if not uri.startswith(LINK_SCHEME):
                continue
            anchor = uri[len(LINK_SCHEME) :]
            del annotation.A
            annotation.Dest = String(anchor)
            if "/Contents" in annotation:
                annotation.Contents = String(anchor)


def _write_outline(book: pikepdf.Pdf, outline: tuple[Bookmark, ...]) -> None:
    if "/Outlines" in book.Root:
        del book.Root.Outlines
    if not outline:
        return

    def item(mark: Bookmark) -> pikepdf.OutlineItem:
        entry = pikepdf.OutlineItem(
            mark.label, mark.page, pikepdf.PageLocation.XYZ, left=mark.x, top=mark.y, zoom=0
        )
        entry.children.extend(item(child) for child in mark.children)
        return entry

    with book.open_outline() as tree:
        tree.root.extend(item(mark) for mark in outline)


def _write_dates(book: pikepdf.Pdf, created: str) -> None:
    """The creation and modification dates, in the info dictionary and the XMP metadata
    (the pieces are laid out without them, so that a piece's cache entry outlives a build)."""
    digits = "".join(c for c in created if c.isdigit())[:14]
    book.docinfo[Name.CreationDate] = String(f"D:{digits}Z")
    book.docinfo[Name.ModDate] = String(f"D:{digits}Z")
    with book.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
        for key in ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate"):
            xmp[key] = created


_FOLIO = "/AllianceprintFolio"  # fixed names: the same sources give the same bytes
_BEFORE = b"q\n"
_AFTER = b"\nQ\n/Artifact <</Type /Pagination /Subtype /Footer>> BDC\nq %s Do Q\nEMC\n"


def _overlay_folios(book: pikepdf.Pdf, folios: tuple[Path, ...]) -> None:
    """Draw folio page i over book page i, after (and apart from) its own drawing."""
    sources = [pikepdf.open(path) for path in folios]
    folio_pages = [page for source in sources for page in source.pages]
    if len(folio_pages) != len(book.pages):
        raise ValueError(f"{len(folio_pages)} folio pages for {len(book.pages)} pages")
    before = book.make_stream(_BEFORE)
    shared: dict[bytes, pikepdf.Object] = {}  # the folio forms' resources, once each
    for index, (page, folio) in enumerate(zip(book.pages, folio_pages)):
        form = book.copy_foreign(folio.as_form_xobject())
        form.BBox = Array(list(folio.obj.MediaBox))  # not the trim box: marks lie outside it
        if "/Resources" in form and not form.Resources.is_indirect:
            resources = form.Resources.unparse(resolved=False)
            if resources not in shared:
                shared[resources] = book.make_indirect(form.Resources)
            form.Resources = shared[resources]
        # A piece's pages share one resource dictionary: one name per page of the book.
        name = page.add_resource(
            form, Name.XObject, Name(f"{_FOLIO}{index + 1}"), replace_existing=False
        )
        page.contents_add(before, prepend=True)
        page.contents_add(book.make_stream(_AFTER % str(name).encode()), prepend=False)
