"""A PDF file -> `BookText`: the text of each printed page, line by line with the lines'
boxes, its running head and folio set apart from its body, and the page record it carries.

What `changes` compares (see changes.py). Each page's text is read with pdfium
(pypdfium2); the running head and folio (a line at the top or bottom of the page set apart
from the rest by more than one and a half lines, at a place where such a line is always set
apart) are kept apart from the page's body. With allianceprint's own PDFs the page record
(pagerecord) comes along: the part and Markdown file of each page.

Memory: only the text of the pages is kept, never their drawing; a page with more than
`MAX_PAGE_CHARS` characters is refused as bad input (`BadInput`).
"""

from __future__ import annotations

import ctypes
import os
from dataclasses import dataclass
from pathlib import Path

from allianceprint import pagerecord
from allianceprint.pagerecord import PageRecord

MAX_PAGE_CHARS = 200_000  # more text than any book page holds: refused
MAX_PAGES = 100_000


class BadInput(Exception):
    """One of the PDFs cannot be compared: not a PDF, encrypted, damaged, another book."""


@dataclass(frozen=True)
class Line:
    text: str
    box: tuple[float, float, float, float]  # left, bottom, right, top in PDF points


@dataclass(frozen=True)
class PageText:
    label: str  # the printed number
    body: tuple[Line, ...]
    furniture: tuple[str, ...]  # running head and folio, top to bottom
    width: float
    height: float

    @property
    def signature(self) -> tuple[str, ...]:
        return tuple(line.text for line in self.body)


@dataclass(frozen=True)
class BookText:
    path: Path
    pages: tuple[PageText, ...]
    record: PageRecord | None

    def part_of(self, index: int | None) -> str:
        """The part the page at `index` belongs to, from the page record ("" without one)."""
        if index is None or self.record is None or index >= len(self.record.pages):
            return ""
        return self.record.pages[index].part


def read_pdf(path: Path) -> BookText:
    """The text of every page of the PDF at `path`; BadInput when it cannot be read."""
    import pypdfium2 as pdfium

    try:
        with open(path, "rb") as handle:
            head = handle.read(1024)
    except OSError as exc:
        raise BadInput(f"{path}: cannot read it: {exc.strerror}") from exc
    if b"%PDF-" not in head:
        raise BadInput(f"{path}: not a PDF file (it does not begin with %PDF-)")
    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        reason = str(exc).lower()
        if "password" in reason:
            raise BadInput(f"{path}: the PDF is encrypted; give an unencrypted copy") from exc
        raise BadInput(f"{path}: the PDF is damaged and cannot be read ({exc})") from exc
    try:
        count = len(document)
        if count == 0:
            raise BadInput(f"{path}: the PDF has no pages")
        if count > MAX_PAGES:
            raise BadInput(f"{path}: {count} pages; more than {MAX_PAGES} are not compared")
        raw_pages = []
        for index in range(count):
            try:
                raw_pages.append(_read_page(document, index))
            except pdfium.PdfiumError as exc:
                raise BadInput(f"{path}: page {index + 1} is damaged ({exc})") from exc
            except _TooMuchText as exc:
                raise BadInput(
                    f"{path}: page {index + 1} has more than {MAX_PAGE_CHARS} "
                    "characters of text; not a book page"
                ) from exc
        return BookText(path, _pages(raw_pages), pagerecord.read(document))
    finally:
        document.close()


class _TooMuchText(Exception):
    pass


@dataclass(frozen=True)
class _RawPage:
    label: str
    lines: tuple[tuple[Line, float], ...]  # with their baselines, in the text's order
    bottom: float
    top: float
    width: float


def _read_page(document, index: int) -> _RawPage:
    import pypdfium2.raw as raw

    page = document[index]
    try:
        label = document.get_page_label(index) or str(index + 1)
        left, bottom, right, top = page.get_trimbox()
        textpage = page.get_textpage()
        try:
            count = textpage.count_chars()
            if count > MAX_PAGE_CHARS:
                raise _TooMuchText()
            text = textpage.get_text_range() if count else ""
            segments = []
            x, y = ctypes.c_double(), ctypes.c_double()
            at = 0
            for piece in text.split("\r\n"):
                if piece.strip():
                    first, last = at, at + len(piece) - 1
                    raw.FPDFText_GetCharOrigin(textpage.raw, first, x, y)
                    baseline = y.value
                    box_a = textpage.get_charbox(first)
                    box_b = textpage.get_charbox(last)
                    box = (
                        min(box_a[0], box_b[0]),
                        min(box_a[1], box_b[1]),
                        max(box_a[2], box_b[2]),
                        max(box_a[3], box_b[3]),
                    )
                    # Outside the trim (the printer's slug lines, with the build's date,
                    # beyond the bleed) is no part of the printed page.
                    if box[3] > bottom and box[1] < top and box[2] > left and box[0] < right:
                        segments.append((piece, baseline, box))
                at += len(piece) + 2
        finally:
            textpage.close()
    finally:
        page.close()
    return _RawPage(label, tuple(_lines(segments)), bottom, top, right - left)


def _pages(raw: list[_RawPage]) -> tuple[PageText, ...]:
    """The pages with their running heads and folios set apart (see _candidates)."""
    gaps = []
    for page in raw:
        baselines = sorted((b for _, b in page.lines), reverse=True)
        gaps.extend(a - b for a, b in zip(baselines, baselines[1:]) if a - b > 1.0)
    pitch = sorted(gaps)[len(gaps) // 2] if gaps else 0.0  # the book's line spacing
    candidates = [_candidates(list(page.lines), page.bottom, page.top, pitch) for page in raw]
    # Where a running head or folio stands, it stands on many pages, always set apart: a
    # place where the page's first (or last) line is set apart only now and then is the
    # body's, whose paragraphs are spaced (a book of one or two pages: the page's own say).
    tally: dict[tuple[str, float], list[int]] = {}
    for page, found in zip(raw, candidates):
        for side, (_, baseline, apart) in found.items():
            counts = tally.setdefault((side, round(baseline)), [0, 0])
            counts[0] += apart
            counts[1] += 1
    pages = []
    for page, found in zip(raw, candidates):
        furniture = set()
        for side, (index, baseline, apart) in found.items():
            with_it, at_all = tally[(side, round(baseline))]
            if apart and (len(raw) <= 2 or (with_it >= 2 and with_it >= 0.8 * at_all)):
                furniture.add(index)
        lines = page.lines
        body = tuple(line for i, (line, _) in enumerate(lines) if i not in furniture)
        order = sorted(furniture, key=lambda i: -lines[i][1])
        pages.append(
            PageText(
                page.label,
                body,
                tuple(lines[i][0].text for i in order),
                page.width,
                page.top - page.bottom,
            )
        )
    return tuple(pages)


def _lines(
    segments: list[tuple[str, float, tuple[float, float, float, float]]],
) -> list[tuple[Line, float]]:
    """Segments on one baseline, one after another in the text, are one line."""
    lines: list[tuple[list[str], float, list[float]]] = []
    for text, baseline, box in segments:
        if lines and abs(lines[-1][1] - baseline) < 1.0:
            texts, _, merged = lines[-1]
            texts.append(text)
            merged[:] = [
                min(merged[0], box[0]),
                min(merged[1], box[1]),
                max(merged[2], box[2]),
                max(merged[3], box[3]),
            ]
        else:
            lines.append(([text], baseline, list(box)))
    return [
        (Line(" ".join(t.strip() for t in texts), tuple(box)), baseline)
        for texts, baseline, box in lines
    ]


def _candidates(
    lines: list[tuple[Line, float]], bottom: float, top: float, pitch: float
) -> dict[str, tuple[int, float, bool]]:
    """The page's top and bottom lines when they lie in its outer eighth: side ("top",
    "bottom") -> (index, baseline, set apart from the rest by over 1.5 lines)."""
    found: dict[str, tuple[int, float, bool]] = {}
    if not lines:
        return found
    order = sorted(range(len(lines)), key=lambda i: -lines[i][1])
    band = (top - bottom) / 8
    first, last = order[0], order[-1]
    if len(order) == 1:
        if lines[last][1] < bottom + band / 2:  # a lone folio
            found["bottom"] = (last, lines[last][1], True)
        return found
    if lines[first][1] > top - band:
        found["top"] = (first, lines[first][1], lines[first][1] - lines[order[1]][1] > 1.5 * pitch)
    if lines[last][1] < bottom + band:
        found["bottom"] = (last, lines[last][1], lines[order[-2]][1] - lines[last][1] > 1.5 * pitch)
    return found


def read_both(old: Path, new: Path) -> tuple[BookText, BookText]:
    """Both PDFs read, in two processes when they are large and there are two cores: pdfium
    spends most of the time opening pages, and the two files are independent."""
    big = sum(path.stat().st_size for path in (old, new) if path.is_file()) > 4_000_000
    if not big or (os.cpu_count() or 1) < 2:
        return read_pdf(old), read_pdf(new)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        later = pool.submit(read_pdf, new)
        first = read_pdf(old)
        return first, later.result()
