"""The pieces' embedded fonts -> one subset of each font for the whole book (HarfBuzz).

Each piece of the book (writers/pieces) is its own WeasyPrint document, so each embeds its
own subset of every font it uses: a book of thirty pieces would carry each font thirty times.
WeasyPrint subsets with the glyph ids retained, so the pieces' content streams all name a
glyph by its id in the original font. The book can then carry each font once:

1. `record` (in the worker, after a piece is written): for each font WeasyPrint embedded,
   its PDF name, the original font file (kept once in the font store, named by a hash of
   its bytes: WeasyPrint reads it from fontconfig or from an @font-face download, so the
   store, not a path, is what stays reliable) and the glyphs the piece used, with their
   widths and text. This is kept in the piece's cache record.
2. `plan` (in the main process): per font name, the union of every piece's glyphs; the
   subset's cache name is a hash of that union, so an edit that brings no new glyph reuses
   the last build's subset.
3. `share` (in the merge, on the joined book): subsets the original file with HarfBuzz
   (uharfbuzz) from that union, as WeasyPrint does, unless the store holds it already; gives
   the book one font dictionary per name whose widths (/W) and ToUnicode map cover every
   piece; and points every piece's font resources (pages and folio forms) at it.

Fonts WeasyPrint changes after subsetting (variable fonts it instances, colour and bitmap
fonts) or that lack glyphs (a /notdef encoding of their own) are left as each piece
embedded them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from math import ceil
from pathlib import Path
from typing import Callable, Iterable

import pikepdf
from pikepdf import Array, Dictionary, Name

from allianceprint.cachefolder import write_atomically

STORE = "fonts"  # the font store: a folder of the pieces' cache


@dataclass(frozen=True)
class EmbeddedFont:
    """One font as a piece embeds it: its PDF name (/BaseFont), its original file in the
    store ("" when it cannot be shared) and the glyphs the piece drew with it."""

    name: str
    file: str  # the store's name for the original font file
    index: int  # the face in a collection
    widths: tuple[tuple[int, float], ...] = ()  # (glyph id, width in 1/1000 em)
    text: tuple[tuple[int, str], ...] = ()  # (glyph id, the text it stands for)

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "file": self.file,
            "index": self.index,
            "widths": [list(item) for item in self.widths],
            "text": [list(item) for item in self.text],
        }

    @classmethod
    def from_json(cls, data: dict) -> EmbeddedFont:
        return cls(
            str(data["name"]),
            str(data["file"]),
            int(data["index"]),
            tuple((int(g), float(w)) for g, w in data["widths"]),
            tuple((int(g), str(t)) for g, t in data["text"]),
        )


@dataclass(frozen=True)
class SharedFont:
    """One font as the book carries it: the union of the pieces' glyphs."""

    name: str
    original: Path  # the original font file, in the store
    index: int
    subset: Path  # where the store keeps (or will keep) the subset of these glyphs
    widths: tuple[tuple[int, float], ...]  # sorted by glyph id
    text: tuple[tuple[int, str], ...]  # sorted by glyph id

    @property
    def glyphs(self) -> tuple[int, ...]:
        return tuple(sorted({gid for gid, _ in self.widths} | {gid for gid, _ in self.text}))


# What the worker records ----------------------------------------------------------------


def record(document, store: Path) -> tuple[EmbeddedFont, ...]:
    """The fonts a WeasyPrint document embedded (call after `write_pdf`); each shareable
    font's original file is put in `store` if it is not there yet."""
    from weasyprint.text.fonts import get_hb_object_data

    found = []
    for font in getattr(document, "fonts", {}).values():
        name = font.name.decode("latin-1").lstrip("/")
        if not _shareable(font):
            found.append(EmbeddedFont(name, "", 0))
            continue
        data = get_hb_object_data(font.hb_face)
        if not data:
            found.append(EmbeddedFont(name, "", 0))
            continue
        digest = hashlib.sha256(data).hexdigest()[:32]
        _keep(store / f"{digest}.font", data)
        found.append(
            EmbeddedFont(
                name,
                digest,
                int(font.index),
                tuple(sorted((int(g), float(w)) for g, w in font.widths.items())),
                tuple(sorted((int(g), str(t)) for g, t in font.to_unicode.items())),
            )
        )
    return tuple(found)


def _shareable(font) -> bool:
    """A font WeasyPrint embeds as a plain subset of its file (glyph ids retained)."""
    try:
        return not (
            font.bitmap
            or font.png
            or font.svg
            or getattr(font, "colr", False)
            or font.missing
            or font.used_in_forms
            or "fvar" in font.tables
        )
    except AttributeError:  # another WeasyPrint: embed as it does
        return False


def _keep(path: Path, data: bytes) -> None:
    """Write `data` to `path` unless it is there (atomically: other workers write too)."""
    if path.is_file() and path.stat().st_size == len(data):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, lambda temporary: temporary.write_bytes(data))


# What the main process plans ------------------------------------------------------------


def plan(pieces: Iterable[tuple[EmbeddedFont, ...]], store: Path) -> tuple[SharedFont, ...]:
    """Each font the pieces (in reading order) may share: one per name whose every piece
    embeds the same original file. Where two pieces give a glyph different text, the first
    wins, as it does within one WeasyPrint document."""
    groups: dict[str, list[EmbeddedFont]] = {}
    for fonts in pieces:
        for font in fonts:
            groups.setdefault(font.name, []).append(font)
    shared = []
    for name, fonts in groups.items():
        origins = {(font.file, font.index) for font in fonts}
        if len(origins) != 1 or not fonts[0].file:
            continue
        widths: dict[int, float] = {}
        text: dict[int, str] = {}
        for font in fonts:
            for gid, width in font.widths:
                widths.setdefault(gid, width)
            for gid, chars in font.text:
                text.setdefault(gid, chars)
        font = fonts[0]
        glyphs = sorted(set(widths) | set(text))
        key = hashlib.sha256(
            repr((font.file, font.index, glyphs, _FLAGS_VERSION)).encode()
        ).hexdigest()[:32]
        shared.append(
            SharedFont(
                name,
                store / f"{font.file}.font",
                font.index,
                store / f"{font.file}-{key}.subset",
                tuple(sorted(widths.items())),
                tuple(sorted(text.items())),
            )
        )
    return tuple(shared)


def store_names(
    fonts: Iterable[SharedFont], pieces: Iterable[tuple[EmbeddedFont, ...]]
) -> frozenset[str]:
    """The store's files a build used: the originals and the subsets."""
    names = {font.subset.name for font in fonts}
    names.update(f"{font.file}.font" for group in pieces for font in group if font.file)
    return frozenset(names)


def prune(store: Path, keep: Callable[[str], bool]) -> None:
    """Remove the store's files a good build did not use (whose name `keep` refuses)."""
    if store.is_dir():
        for path in store.iterdir():
            if not keep(path.name) and not path.name.startswith("."):
                path.unlink(missing_ok=True)


# What the merge does --------------------------------------------------------------------

_FLAGS_VERSION = 1  # bump when the subsetting below changes (cache names change with it)
_DROP = (
    "BASE",
    "DSIG",
    "EBDT",
    "EBLC",
    "EBSC",
    "GPOS",
    "GSUB",
    "JSTF",
    "LTSH",
    "PCLT",
    "SVG ",
)  # as WeasyPrint drops them


def subset(font: SharedFont) -> bytes | None:
    """The font's subset, from the store or made now (HarfBuzz, glyph ids retained); None
    when the store lacks the original file, or holds other bytes than were recorded."""
    try:
        return font.subset.read_bytes()
    except OSError:
        pass
    import uharfbuzz as hb

    try:
        original = font.original.read_bytes()
    except OSError:
        return None
    if hashlib.sha256(original).hexdigest()[:32] != font.original.stem:
        font.original.unlink(missing_ok=True)  # damaged: the next layout writes it again
        return None
    face = hb.Face(hb.Blob(original), font.index)
    options = hb.SubsetInput()
    options.glyph_set.update(font.glyphs)
    options.drop_table_tag_set.update(_tag(tag) for tag in _DROP)
    options.flags = (
        hb.SubsetFlags.RETAIN_GIDS
        | hb.SubsetFlags.PASSTHROUGH_UNRECOGNIZED
        | hb.SubsetFlags.DESUBROUTINIZE
        | hb.SubsetFlags.NO_HINTING
    )
    result = hb.subset(face, options)
    if result is None:
        return None
    data = result.blob.data
    _keep(font.subset, data)
    return data


def _tag(name: str) -> int:
    return int.from_bytes(name.encode("latin-1"), "big")


def share(book: pikepdf.Pdf, fonts: tuple[SharedFont, ...]) -> None:
    """Give `book` one font dictionary per shared font, and point every
    font resource of that name at it."""
    if not fonts:
        return
    by_name = {"/" + font.name: font for font in fonts}
    found: dict[str, list] = {}  # name -> the resource dictionaries naming such a font
    seen: set[tuple[int, int]] = set()

    def visit(resources) -> None:
        if not isinstance(resources, pikepdf.Dictionary):
            return
        if resources.is_indirect:
            if resources.objgen in seen:
                return
            seen.add(resources.objgen)
        table = resources.get("/Font")
        if isinstance(table, pikepdf.Dictionary):
            for key in list(table.keys()):
                entry = table[key]
                name = str(entry.get("/BaseFont", ""))
                if (
                    name in by_name
                    and entry.is_indirect
                    and entry.get("/Encoding") == pikepdf.Name("/Identity-H")
                ):
                    found.setdefault(name, []).append((table, key, entry))
        for group in ("/XObject", "/Pattern"):
            for item in resources.get(group, {}).values() if group in resources else ():
                if isinstance(item, (pikepdf.Stream, pikepdf.Dictionary)):
                    visit(item.get("/Resources"))

    for page in book.pages:
        visit(page.obj.get("/Resources"))
    for name, uses in found.items():
        font = by_name[name]
        program = subset(font)
        if not program:  # the pieces keep the subsets they embedded
            continue
        first = uses[0][2]
        with_cidset = any(
            "/CIDSet" in entry.DescendantFonts[0].FontDescriptor for _, _, entry in uses
        )
        _rewrite(book, first, font, program, with_cidset)
        for table, key, entry in uses[1:]:
            if entry.objgen != first.objgen:
                table[key] = first


def _rewrite(
    book: pikepdf.Pdf, entry: Dictionary, font: SharedFont, program: bytes, with_cidset: bool
) -> None:
    """Make the Type 0 font dictionary `entry` the book's one for `font`."""
    descendant = entry.DescendantFonts[0]
    descriptor = descendant.FontDescriptor
    widths = dict(font.widths)
    descendant.W = _widths_array(widths)
    entry.ToUnicode = book.make_stream(_to_unicode(font.text))
    if "/FontFile3" in descriptor:
        descriptor.FontFile3 = book.make_stream(program, Dictionary(Subtype=Name.OpenType))
    else:
        descriptor.FontFile2 = book.make_stream(program, Dictionary(Length1=len(program)))
    bbox = [float(value) for value in descriptor.FontBBox]
    bbox[2] = max(widths.values()) if widths else 0
    descriptor.FontBBox = Array(bbox)
    flags = int(descriptor.Flags) & ~1  # FixedPitch again, from every piece's widths
    if len(widths) > 1 and len(set(widths.values())) == 1:
        flags |= 1
    descriptor.Flags = flags
    if with_cidset:  # PDF 1.4 (PDF/A-1): the glyphs the font program holds
        glyphs = font.glyphs
        size = ceil((glyphs[-1] + 1) / 8)
        bits = bytearray(size)
        for gid in glyphs:
            bits[gid // 8] |= 0x80 >> (gid % 8)
        descriptor.CIDSet = book.make_stream(bytes(bits))
    elif "/CIDSet" in descriptor:
        del descriptor.CIDSet


def _widths_array(widths: dict[int, float]) -> Array:
    result = Array()
    run: list[float] = []
    for gid in sorted(widths):
        if gid - 1 not in widths:
            if run:
                result.append(Array(run))
            result.append(gid)
            run = []
        value = widths[gid]
        run.append(int(value) if float(value).is_integer() else round(value, 4))
    if run:
        result.append(Array(run))
    return result


def _to_unicode(text: tuple[tuple[int, str], ...]) -> bytes:
    """A ToUnicode CMap as WeasyPrint writes one."""
    lines = [
        b"/CIDInit /ProcSet findresource begin",
        b"12 dict begin",
        b"begincmap",
        b"/CIDSystemInfo",
        b"<< /Registry (Adobe)",
        b"/Ordering (UCS)",
        b"/Supplement 0",
        b">> def",
        b"/CMapName /Adobe-Identity-UCS def",
        b"/CMapType 2 def",
        b"1 begincodespacerange",
        b"<0000> <ffff>",
        b"endcodespacerange",
    ]
    for start in range(0, len(text), 100):
        batch = text[start : start + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        for gid, chars in batch:
            lines.append(f"<{gid:04x}> <{chars.encode('utf-16-be').hex()}>".encode())
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)
