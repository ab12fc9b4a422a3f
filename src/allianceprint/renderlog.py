"""WeasyPrint's log records of one layout -> located findings (`Diagnostic`s).

WeasyPrint reports what it cannot do (an image it cannot load or draw, CSS it ignores in a
house style, a font it cannot load) as log records, not exceptions: left as log lines they
are easy to miss, carry no location and `--strict` cannot fail on them. The PDF writers
collect the records of each layout with `collect()` (a piece of writers/pieces in its
worker, kept in the piece's record so a cached piece gives them again; the whole book in
writers/pdf) and turn them into findings with `findings()`:

- an image it could not load or draw: an error at the Markdown file and line of the image;
- CSS it ignored (`Ignored ... at L:C`): at the print stylesheet's line and column;
- a box wider than the text block (overflow.py, kept as a record of this module's own
  logger name): a warning at the part's file and the line that holds its text;
- anything else: at the part's Markdown file (a piece's id is its part's id), else at
  book.toml.

A record of level ERROR is an error, WARNING a warning (`--strict` fails on both).
"""

from __future__ import annotations

import json
import logging
import re
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator
from urllib.parse import quote

from allianceprint.errors import Diagnostic, Location, shown_path
from allianceprint.model import RenderedBook, RenderedPart

if TYPE_CHECKING:  # overflow imports WeasyPrint, which only the layout workers need
    from allianceprint.overflow import Overflow

#: One record as kept: (logger name, level, message); plain, so a piece's record holds it.
Record = tuple[str, int, str]

_OVERFLOW = "allianceprint.overflow"
_IMAGE = re.compile(r"^Failed to (?:load|render SVG) image")
_CSS_AT = re.compile(r"^Ignored .{0,2000}? at (\d+):(\d+)\b")
#: What the checks already say, at the image's line (an image without alt text is a warning
#: there, as the EPUB's accessibility metadata says too): WeasyPrint's PDF/UA error for it
#: would make that warning an error a second time, without a line.
_ALREADY_CHECKED = re.compile(r"^Image .{0,2000}? has no required alt description")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[Record] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


def overflow_records(found: Iterable[Overflow]) -> list[Record]:
    """Boxes wider than the text block, as records kept with WeasyPrint's."""
    return [
        (
            _OVERFLOW,
            logging.WARNING,
            json.dumps([item.part, item.kind, item.text, item.points], ensure_ascii=False),
        )
        for item in found
    ]


@contextmanager
def collect() -> Iterator[list[Record]]:
    """WeasyPrint's warnings and errors while the block runs, kept rather than printed."""
    handler = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def findings(
    records: Iterable[Record], book: RenderedBook, piece: str | None = None
) -> list[Diagnostic]:
    """The findings of `records`, logged while laying out `piece` (a part id, another
    piece's name, or None for the whole book)."""
    parts = {part.id: part for part in book.parts}
    found = []
    for name, level, message in records:
        severity = "error" if level >= logging.ERROR else "warning"
        if name == _OVERFLOW:
            found.append(_overflow_finding(message, book, parts, piece))
            continue
        text = " ".join(message.split())
        if _ALREADY_CHECKED.match(text):
            continue
        if _IMAGE.match(text):
            found.append(_image_finding(text, book, parts.get(piece)))
            continue
        css = _CSS_AT.match(text)
        if css:
            stylesheet = book.styles.file("print/print.css")
            found.append(
                Diagnostic(
                    severity,
                    f"the print stylesheet: WeasyPrint: {text}",
                    Location(_shown(book, stylesheet), int(css[1]), int(css[2])),
                )
            )
            continue
        part = parts.get(piece or "")
        where = (
            Location(shown_path(book.book.root, part.part.source))
            if part is not None
            else Location(shown_path(book.book.root, "book.toml"))
        )
        found.append(Diagnostic(severity, f"WeasyPrint: {text}", where))
    return found


def _image_finding(text: str, book: RenderedBook, part: RenderedPart | None) -> Diagnostic:
    """An image WeasyPrint could not load or draw: an error where the image is shown."""
    candidates = [part] if part is not None else list(book.parts)
    for candidate in candidates:
        for image in candidate.images:
            if _names(text, book.book.root, image):
                line, column = _line_of(book.book.root / candidate.part.source, image)
                return Diagnostic(
                    "error",
                    f"image {image.as_posix()} cannot be drawn: "
                    f"replace it with a PNG, JPEG or SVG that opens in an image "
                    f"viewer (WeasyPrint: {text})",
                    Location(shown_path(book.book.root, candidate.part.source), line, column),
                )
    where = (
        shown_path(book.book.root, part.part.source)
        if part is not None
        else shown_path(book.book.root, "book.toml")
    )
    return Diagnostic("error", f"an image cannot be drawn (WeasyPrint: {text})", Location(where))


def _overflow_finding(
    message: str, book: RenderedBook, parts: dict[str, RenderedPart], piece: str | None
) -> Diagnostic:
    part_id, kind, text, points = json.loads(message)
    part = parts.get(part_id) or parts.get(piece or "")
    what = {"table": "a table", "image": "an image"}.get(kind, "a line")
    advice = {
        "table": "give it fewer or narrower columns, or split it",
        "image": "make it narrower",
    }.get(kind, "break it (a long word, code or link)")
    text_note = f" ({text!r})" if text else ""
    message = (
        f"{what}{text_note} is {points:g} pt wider than the text block, and the page "
        f"edge cuts it off: {advice}"
    )
    if part is None:
        return Diagnostic("warning", message, Location(shown_path(book.book.root, "book.toml")))
    line, column = _line_of_text(book.book.root / part.part.source, text, kind == "table")
    return Diagnostic(
        "warning", message, Location(shown_path(book.book.root, part.part.source), line, column)
    )


def _line_of_text(source: Path, text: str, table: bool) -> tuple[int | None, int | None]:
    """The first line of `source` that holds the start of `text` (a table row first,
    for a table); None if none does."""
    words = text.split()
    if not words:
        return None, None
    probe = max(words, key=len).strip("\u2010-")[:20]
    try:
        lines = source.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None, None
    for wanted_row in (True, False) if table else (False,):
        for number, line in enumerate(lines, 1):
            if wanted_row and not line.lstrip().startswith("|"):
                continue
            column = line.find(probe)
            if column >= 0:
                return number, column + 1
    return None, None


def _names(text: str, root: Path, image: Path) -> bool:
    """Whether WeasyPrint's message names `image` (as a file URL or a path)."""
    path = (root / image).as_posix()
    return any(
        form in text for form in (path, quote(path), image.as_posix(), quote(image.as_posix()))
    )


def _line_of(source: Path, image: Path) -> tuple[int | None, int | None]:
    """The first line (and column) of `source` that names `image`; None if none does."""
    try:
        lines = source.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None, None
    for form in (image.as_posix(), quote(image.as_posix()), image.name):
        for number, line in enumerate(lines, 1):
            column = line.find(form)
            if column >= 0:
                return number, column + 1
    return None, None


def _shown(book: RenderedBook, path: Path) -> Path:
    """A stylesheet as messages name it: from the manuscript folder when it lies in it."""
    try:
        return shown_path(book.book.root, path.resolve().relative_to(book.book.root.resolve()))
    except ValueError:
        return path
