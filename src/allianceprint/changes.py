"""Two PDFs of one book (OLD, NEW) -> `ChangeReport`: what changed on each printed page.

Input: two PDF files, built by allianceprint or not. Output: a `ChangeReport` with one
`PageChange` per printed page (unchanged, text, reflow, folio, added, removed), the edits
(each with the first and last page it touches) and a summary (page counts, signatures,
contents); `as_json` and `as_text` give the report as `allianceprint changes` prints it.

How pages are compared:
1. Each page's text is read with pdfium (pypdfium2), line by line with the lines' boxes;
   the running head and folio (a line at the top or bottom of the page set apart from the
   rest by more than one and a half lines, at a place where such a line is always set
   apart) are kept apart from the page's body.
2. The body lines of the whole book are compared as one sequence (difflib); where lines
   differ, their words are compared (Chinese, Japanese and Korean by character; a word
   hyphenated across lines is joined first). So an edit is found as the words it changed,
   and the lines after it that merely moved are not edits.
3. Pages whose body lines are all the same are paired in order; the pages between such
   pairs are paired in order too, and what is left over was added or removed. A paired
   page is `unchanged`, `folio` (only its number or running head differs), `text` (words
   changed on it), or `reflow` (the same words, on other lines or pages).

With allianceprint's own PDFs, the page record each carries (pagerecord) adds what the
build knew: the book (two different books are refused by title and ISBN), the part and
Markdown file each page belongs to, and where the contents are.

Memory: only the text of the pages is kept (about 100 bytes a word), never their drawing;
a page with more than `MAX_PAGE_CHARS` characters is refused as bad input.
"""

from __future__ import annotations

import ctypes
import difflib
import os
import re
import sys
import unicodedata
from array import array
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from allianceprint import pagerecord
from allianceprint.pagerecord import PageRecord

Status = Literal["unchanged", "text", "reflow", "folio", "added", "removed"]
STATUSES: tuple[str, ...] = ("unchanged", "text", "reflow", "folio", "added", "removed")
SIGNATURES = (16, 32)  # pages per signature (a folded sheet) the summary checks
MAX_PAGE_CHARS = 200_000  # more text than any book page holds: refused
MAX_PAGES = 100_000
CONTENTS_WORDS = ("contents", "table of contents", "table des matières", "sommaire",
                  "inhalt", "inhaltsverzeichnis", "índice", "目次", "目录", "目錄", "indice")


class BadInput(Exception):
    """One of the PDFs cannot be compared: not a PDF, encrypted, damaged, another book."""


# --- reading the pages --------------------------------------------------------------------


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
                raise BadInput(f"{path}: page {index + 1} has more than {MAX_PAGE_CHARS} "
                               "characters of text; not a book page") from exc
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
                    segments.append((piece, baseline, (min(box_a[0], box_b[0]),
                                                       min(box_a[1], box_b[1]),
                                                       max(box_a[2], box_b[2]),
                                                       max(box_a[3], box_b[3]))))
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
        pages.append(PageText(page.label, body, tuple(lines[i][0].text for i in order),
                              page.width, page.top - page.bottom))
    return tuple(pages)


def _lines(segments: list[tuple[str, float, tuple[float, float, float, float]]]
           ) -> list[tuple[Line, float]]:
    """Segments on one baseline, one after another in the text, are one line."""
    lines: list[tuple[list[str], float, list[float]]] = []
    for text, baseline, box in segments:
        if lines and abs(lines[-1][1] - baseline) < 1.0:
            texts, _, merged = lines[-1]
            texts.append(text)
            merged[:] = [min(merged[0], box[0]), min(merged[1], box[1]),
                         max(merged[2], box[2]), max(merged[3], box[3])]
        else:
            lines.append(([text], baseline, list(box)))
    return [(Line(" ".join(t.strip() for t in texts), tuple(box)), baseline)
            for texts, baseline, box in lines]


def _candidates(lines: list[tuple[Line, float]], bottom: float, top: float,
                pitch: float) -> dict[str, tuple[int, float, bool]]:
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
        found["top"] = (first, lines[first][1],
                        lines[first][1] - lines[order[1]][1] > 1.5 * pitch)
    if lines[last][1] < bottom + band:
        found["bottom"] = (last, lines[last][1],
                           lines[order[-2]][1] - lines[last][1] > 1.5 * pitch)
    return found


# --- words --------------------------------------------------------------------------------

_CJK = pagerecord.CJK
_TOKEN = pagerecord.WORD
_AUTO_HYPHENS = ("\u2010", "\u00ad")  # what hyphenation adds at a line's end


class Words:
    """The body text of a book as words (`keys` compared, `shown` printed), each with the
    page and line it is on. Words are interned and places kept in arrays: a word costs
    about 24 bytes, whatever the book's length."""

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.shown: list[str] = []
        self.page = array("i")
        self.line = array("i")  # index into the book's body lines

    def add(self, token: str, page: int, line: int) -> None:
        self.extend([token], page, line)

    def extend(self, tokens: list[str], page: int, line: int) -> None:
        intern, keys, shown = sys.intern, self.keys, self.shown
        for token in tokens:
            token = intern(token)
            shown.append(token)
            keys.append(token if token.isascii()
                        else intern(unicodedata.normalize("NFKC", token)))
        self.page.extend([page] * len(tokens))
        self.line.extend([line] * len(tokens))


def _words(book: BookText) -> tuple[Words, list[tuple[int, int]]]:
    """The words of the book and, for each body line of the book, (page, line on page)."""
    words = Words()
    places: list[tuple[int, int]] = []
    carry: tuple[str, int, int] | None = None  # a hyphenated word's first half
    for page_index, page in enumerate(book.pages):
        for line_index, line in enumerate(page.body):
            book_line = len(places)
            places.append((page_index, line_index))
            tokens = _TOKEN.findall(line.text)
            if carry is not None and tokens and tokens[0][:1].isalnum():
                head, head_page, head_line = carry
                tokens[0] = head + tokens[0]
                first_place = (head_page, head_line)
            elif carry is not None:
                words.add(*carry)
                first_place = None
            else:
                first_place = None
            carry = None
            if tokens and tokens[-1].endswith(_AUTO_HYPHENS + ("-",)) and len(tokens[-1]) > 1 \
                    and tokens[-1][-2].isalpha():
                last = tokens.pop()
                if last.endswith(_AUTO_HYPHENS):
                    last = last[:-1]
                carry = (last, page_index, book_line)
            if first_place and tokens:  # the word's first half was on the line before
                words.add(tokens[0], *first_place)
                tokens = tokens[1:]
            words.extend(tokens, page_index, book_line)
    if carry is not None:
        words.add(*carry)
    return words, places


# --- comparing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Edit:
    """Words changed in one place: `old` replaced by `new` (either may be empty)."""

    old: str
    new: str
    old_pages: tuple[int, ...]  # page indexes in OLD and NEW where its words are
    new_pages: tuple[int, ...]
    old_lines: tuple[int, ...]  # the book's body line indexes of its words
    new_lines: tuple[int, ...]
    new_at: int  # the NEW page where the edit sits (for a deletion: where it was)
    old_at: int
    before: str = ""  # a few of NEW's words just before it, to find it in the source
    moved: bool = False  # the same words taken out here and put in elsewhere
    blocks: tuple[str, str] | None = None  # a moved block's id in OLD and in NEW (records)

    def as_json(self) -> dict:
        found = {"old": self.old, "new": self.new}
        if self.moved:
            found["moved"] = True
        if self.blocks:
            found["old_block"], found["new_block"] = self.blocks
        return found


@dataclass(frozen=True)
class PageChange:
    old: int | None  # page index in OLD (None: added)
    new: int | None  # page index in NEW (None: removed)
    old_label: str | None
    new_label: str | None
    status: Status
    edits: tuple[int, ...] = ()  # indexes into ChangeReport.edits
    furniture: tuple[tuple[str, ...], tuple[str, ...]] | None = None  # old, new (folio)


@dataclass(frozen=True)
class EditSpan:
    edit: int
    at: str  # the printed page where the edit sits
    first: str  # the first and last printed pages whose text or lines it changes
    last: str
    source: str = ""  # the Markdown file (allianceprint's own PDFs)
    part: str = ""


@dataclass(frozen=True)
class ChangeReport:
    old: BookText
    new: BookText
    pages: tuple[PageChange, ...]
    edits: tuple[Edit, ...]
    spans: tuple[EditSpan, ...]
    signatures: tuple[int, ...] = SIGNATURES

    @property
    def changed(self) -> bool:
        return any(page.status != "unchanged" for page in self.pages)

    def changed_new_pages(self) -> list[int]:
        """NEW's page indexes that are not unchanged, in order."""
        return [p.new for p in self.pages if p.new is not None and p.status != "unchanged"]

    def contents_changed(self) -> bool:
        old_pages, new_pages = _contents_pages(self.old), _contents_pages(self.new)
        return any(p.status != "unchanged" and (p.old in old_pages or p.new in new_pages)
                   for p in self.pages) or len(old_pages) != len(new_pages)

    def signature_summary(self) -> dict[str, dict]:
        summary = {}
        touched = self.changed_new_pages()
        removed_at = [p.old for p in self.pages if p.status == "removed"]
        for size in self.signatures:
            old_count = -(-len(self.old.pages) // size)
            new_count = -(-len(self.new.pages) // size)
            changed = sorted({index // size + 1 for index in touched}
                             | {index // size + 1 for index in removed_at if index is not None})
            summary[str(size)] = {
                "old": old_count, "new": new_count,
                "same_count": old_count == new_count,
                "changed": changed,
                "intact": not changed,
            }
        return summary

    def summary(self) -> dict:
        counts = {status: 0 for status in STATUSES}
        for page in self.pages:
            counts[page.status] += 1
        return {
            "old_pages": len(self.old.pages),
            "new_pages": len(self.new.pages),
            "contents_changed": self.contents_changed(),
            "signatures": self.signature_summary(),
            "statuses": counts,
            "changed_pages": [self.new.pages[i].label for i in self.changed_new_pages()],
            "edits": [{"at": s.at, "first": s.first, "last": s.last,
                       **self.edits[s.edit].as_json(),
                       **({"source": s.source} if s.source else {})} for s in self.spans],
            "recorded": self.old.record is not None and self.new.record is not None,
        }

    def as_json(self) -> dict:
        pages = []
        for page in self.pages:
            item = {"old": page.old_label, "new": page.new_label, "status": page.status,
                    "changes": [self.edits[i].as_json() for i in page.edits]}
            if page.furniture is not None:
                item["furniture"] = {"old": list(page.furniture[0]),
                                     "new": list(page.furniture[1])}
            part = _part_of(self.new, page.new) or _part_of(self.old, page.old)
            if part:
                item["part"] = part
            pages.append(item)
        return {"old_file": str(self.old.path), "new_file": str(self.new.path),
                "pages": pages, "summary": self.summary()}

    def as_text(self) -> str:
        rows = [f"{'old':>6}  {'new':>6}  status     changes"]
        for page in self.pages:
            changes = "; ".join(_shown(self.edits[i]) for i in page.edits)
            if page.status == "folio" and page.furniture is not None:
                changes = " / ".join(page.furniture[1]) or "(no folio)"
            rows.append(f"{page.old_label or '—':>6}  {page.new_label or '—':>6}  "
                        f"{page.status:<9}  {changes}".rstrip())
        summary = self.summary()
        rows.append("")
        rows.append(f"pages: {summary['old_pages']} -> {summary['new_pages']}; "
                    + ", ".join(f"{n} {s}" for s, n in summary["statuses"].items() if n))
        for size, sig in summary["signatures"].items():
            state = "intact" if sig["intact"] else \
                "changed: " + ", ".join(str(n) for n in sig["changed"])
            rows.append(f"signatures of {size} pages: {sig['old']} -> {sig['new']}, {state}")
        rows.append("contents: " + ("changed" if summary["contents_changed"] else "unchanged"))
        for span in self.spans:
            edit = self.edits[span.edit]
            pages = span.first if span.first == span.last else f"{span.first}–{span.last}"
            where = f" ({span.source})" if span.source else ""
            rows.append(f"edit on page {span.at}{where}: {_shown(edit)}; pages {pages}")
        return "\n".join(rows)


def _shown(edit: Edit) -> str:
    old, new = _clip(edit.old), _clip(edit.new)
    if edit.moved:
        return f"moved “{old}”"
    if not old:
        return f"+“{new}”"
    if not new:
        return f"-“{old}”"
    return f"“{old}” -> “{new}”"


def _clip(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def _part_of(book: BookText, index: int | None) -> str:
    if index is None or book.record is None or index >= len(book.record.pages):
        return ""
    return book.record.pages[index].part


def _contents_pages(book: BookText) -> set[int]:
    """The pages of the contents: from the record, else the pages headed "Contents"."""
    if book.record is not None and len(book.record.pages) == len(book.pages):
        found, inside = set(), False  # the opening's pages from the contents on
        for index, page in enumerate(book.record.pages):
            inside = inside or "contents" in page.anchors
            if inside and page.part == pagerecord.OPENING:
                found.add(index)
        return found
    found = set()
    for index, page in enumerate(book.pages[:max(12, len(book.pages) // 10)]):
        if page.body and page.body[0].text.strip().casefold() in CONTENTS_WORDS:
            found.add(index)
        elif found and index - 1 in found and page.body and not page.furniture:
            found.add(index)
    return found


def _join(tokens: list[str]) -> str:
    text = ""
    for token in tokens:
        if text and not (_TOKEN.fullmatch(token) and re.match(f"[{_CJK}]", token)
                         and re.search(f"[{_CJK}]$", text)):
            text += " "
        text += token
    return text


def compare(old: BookText, new: BookText,
            signatures: tuple[int, ...] = SIGNATURES) -> ChangeReport:
    """The report of what changed from `old` to `new`; BadInput for two different books."""
    if old.record is not None and new.record is not None:
        a, b = old.record, new.record
        if a.title != b.title or (a.isbn_print and b.isbn_print and a.isbn_print != b.isbn_print):
            raise BadInput(f"{new.path}: another book than {old.path} "
                           f"(“{b.title}” against “{a.title}”)")
    old_words, old_places = _words(old)
    new_words, new_places = _words(new)
    old_lines = [old.pages[p].body[l].text for p, l in old_places]
    new_lines = [new.pages[p].body[l].text for p, l in new_places]
    lines = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    blocks = lines.get_matching_blocks()
    same = sum(block.size for block in blocks)
    if min(len(old_lines), len(new_lines)) >= 40 and same < 0.2 * max(len(old_lines),
                                                                     len(new_lines)):
        raise BadInput(f"{new.path}: shares under a fifth of its lines with {old.path}; "
                       "these are not two printings of one book")
    edits = _moves(_edits(old_words, new_words, lines.get_opcodes()), old.record, new.record)
    pages = _pair_pages(old, new, edits)
    spans = _spans(old, new, pages, edits)
    return ChangeReport(old, new, tuple(pages), tuple(edits), tuple(spans), signatures)


def _edits(old: Words, new: Words, opcodes) -> list[Edit]:
    """The words that differ, within the lines that differ."""
    old_by_line = _by_line(old)
    new_by_line = _by_line(new)
    edits: list[Edit] = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            continue
        a = [w for line in range(i1, i2) for w in old_by_line.get(line, ())]
        b = [w for line in range(j1, j2) for w in new_by_line.get(line, ())]
        a_keys, b_keys = [old.keys[w] for w in a], [new.keys[w] for w in b]
        big = len(a_keys) * len(b_keys) > 4_000_000
        words = difflib.SequenceMatcher(None, a_keys, b_keys, autojunk=big)
        for wtag, k1, k2, l1, l2 in words.get_opcodes():
            if wtag == "equal":
                continue
            ow, nw = a[k1:k2], b[l1:l2]
            new_at = new.page[nw[0]] if nw else (
                new.page[b[l1]] if l1 < len(b) else (new.page[b[-1]] if b else
                                                     _page_of_line(new, j1)))
            old_at = old.page[ow[0]] if ow else (
                old.page[a[k1]] if k1 < len(a) else (old.page[a[-1]] if a else
                                                     _page_of_line(old, i1)))
            edits.append(Edit(
                old=_join([old.shown[w] for w in ow]), new=_join([new.shown[w] for w in nw]),
                old_pages=tuple(sorted({old.page[w] for w in ow})),
                new_pages=tuple(sorted({new.page[w] for w in nw})),
                old_lines=tuple(sorted({old.line[w] for w in ow})),
                new_lines=tuple(sorted({new.line[w] for w in nw})),
                new_at=new_at, old_at=old_at,
                before=_join([new.shown[w] for w in b[max(0, l1 - 6):l1]])))
    return edits


def _moves(edits: list[Edit], old: PageRecord | None, new: PageRecord | None) -> list[Edit]:
    """A passage of five words or more taken out in one place and put in, word for word, in
    another was moved: both edits say so, with its words as old and new. With both PDFs'
    records, a moved block is matched by its id: its fingerprint names it in each."""
    old_ids = _ids_by_fingerprint(old)
    new_ids = _ids_by_fingerprint(new)
    inserted: dict[str, list[int]] = {}
    for index, edit in enumerate(edits):
        if edit.new and not edit.old and len(edit.new.split()) >= 5:
            inserted.setdefault(edit.new, []).append(index)
    out = list(edits)
    for index, edit in enumerate(edits):
        if edit.old and not edit.new and inserted.get(edit.old):
            other = inserted[edit.old].pop(0)
            print_ = pagerecord.fingerprint(_TOKEN.findall(edit.old))
            ids = (old_ids[print_], new_ids[print_]) \
                if print_ in old_ids and print_ in new_ids else None
            out[index] = replace(edit, new=edit.old, moved=True, blocks=ids)
            out[other] = replace(edits[other], old=edits[other].new, moved=True, blocks=ids)
    return out


def _ids_by_fingerprint(record: PageRecord | None) -> dict[str, str]:
    """fingerprint -> block id, for the fingerprints only one block has."""
    if record is None:
        return {}
    found: dict[str, str | None] = {}
    for block, mark in record.blocks:
        found[mark] = None if mark in found else block
    return {mark: block for mark, block in found.items() if block is not None}


def _by_line(words: Words) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for index, line in enumerate(words.line):
        found.setdefault(line, []).append(index)
    return found


def _page_of_line(words: Words, line: int) -> int:
    for index, at in enumerate(words.line):
        if at >= line:
            return words.page[index]
    return words.page[-1] if words.page else 0


def _pair_pages(old: BookText, new: BookText, edits: list[Edit]) -> list[PageChange]:
    """Pages with the same body paired in order, the pages between such pairs paired in
    order, the rest added or removed; each with its status."""
    old_edits: dict[int, list[int]] = {}
    new_edits: dict[int, list[int]] = {}
    for index, edit in enumerate(edits):
        for page in edit.old_pages or (edit.old_at,):
            old_edits.setdefault(page, []).append(index)
        for page in edit.new_pages or (edit.new_at,):
            new_edits.setdefault(page, []).append(index)
    matcher = difflib.SequenceMatcher(None, [p.signature for p in old.pages],
                                      [p.signature for p in new.pages], autojunk=False)
    pages: list[PageChange] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for i, j in zip(range(i1, i2), range(j1, j2)):
                pages.append(_same_body(old, new, i, j, new_edits.get(j, [])))
            continue
        for k in range(max(i2 - i1, j2 - j1)):
            i = i1 + k if i1 + k < i2 else None
            j = j1 + k if j1 + k < j2 else None
            mine = sorted(set(old_edits.get(i, []) if i is not None else [])
                          | set(new_edits.get(j, []) if j is not None else []))
            if i is None:
                status = "added"
            elif j is None:
                status = "removed"
            else:
                status = "text" if any(not edits[k].moved for k in mine) else "reflow"
            pages.append(PageChange(i, j, old.pages[i].label if i is not None else None,
                                    new.pages[j].label if j is not None else None,
                                    status, tuple(mine)))
    return pages


def _same_body(old: BookText, new: BookText, i: int, j: int,
               edits: list[int]) -> PageChange:
    a, b = old.pages[i], new.pages[j]
    if edits:  # a word joined across the page's last line changed
        return PageChange(i, j, a.label, b.label, "text", tuple(edits))
    if a.label == b.label and a.furniture == b.furniture:
        return PageChange(i, j, a.label, b.label, "unchanged")
    return PageChange(i, j, a.label, b.label, "folio", furniture=(a.furniture, b.furniture))


def _spans(old: BookText, new: BookText, pages: list[PageChange],
           edits: list[Edit]) -> list[EditSpan]:
    """For each edit, the run of pages around it whose text or lines changed."""
    row_of_new = {p.new: r for r, p in enumerate(pages) if p.new is not None}
    row_of_old = {p.old: r for r, p in enumerate(pages) if p.old is not None}
    touched = [p.status in ("text", "reflow", "added", "removed") for p in pages]
    spans = []
    for index, edit in enumerate(edits):
        row = row_of_new.get(edit.new_at, row_of_old.get(edit.old_at, 0))
        first = last = row
        while last + 1 < len(pages) and touched[last + 1]:
            following = pages[last + 1]
            if following.status == "text" and index not in following.edits:
                break  # another edit's page: its own span begins there
            last += 1
        part = _part_of(new, edit.new_at)
        source = new.record.source_of(part) if new.record is not None and part else ""
        spans.append(EditSpan(index, _label(pages[row]), _label(pages[first]),
                              _label(pages[last]), source, part))
    return spans


def _label(page: PageChange) -> str:
    return page.new_label if page.new_label is not None else f"(old {page.old_label})"


def compare_files(old: Path, new: Path, signatures: tuple[int, ...] = SIGNATURES
                  ) -> ChangeReport:
    return compare(*read_both(old, new), signatures)


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



# --- build --keep-pages -------------------------------------------------------------------


def check_kept_pages(old_pdf: Path, new_pdf: Path, manuscript: Path) -> None:
    """Raise a located ManuscriptError when NEW (a corrected printing, just laid out) moves
    page breaks beyond the page where an edit sits, compared with OLD (the last build's
    PDF). Nothing is checked when OLD is missing, unreadable, or another book."""
    from allianceprint.errors import ManuscriptError

    try:  # one after the other: no process forked from inside a build
        report = compare(read_pdf(old_pdf), read_pdf(new_pdf))
    except BadInput:
        return
    for span in report.spans:
        if span.first == span.last and span.at == span.first:
            continue
        edit = report.edits[span.edit]
        path, line = _source_line(manuscript, span.source, edit)
        raise ManuscriptError(_reflow_message(report, span, edit), path, line)
    if len(report.old.pages) != len(report.new.pages):
        raise ManuscriptError(
            f"this printing has {len(report.new.pages)} pages, the last build "
            f"{len(report.old.pages)}: shorten or lengthen the corrections, or allow reflow "
            "(--allow-reflow)", manuscript / "book.toml")


def _reflow_message(report: ChangeReport, span: EditSpan, edit: Edit) -> str:
    """"this correction pushes 2 lines onto page 38 and reflows pages 38–52; shorten it by
    61 characters or allow reflow"."""
    rows = {p.new_label: p for p in report.pages if p.new_label is not None}
    after = _next_label(report, span.at)
    pushed, chars = _pushed_lines(report, rows.get(after))
    pages = after if after == span.last else f"{after}–{span.last}"
    verb = "correction" if edit.old and edit.new else ("addition" if edit.new else "cut")
    if pushed > 0:
        lines = "1 line" if pushed == 1 else f"{pushed} lines"
        return (f"this {verb} pushes {lines} onto page {after} and reflows pages {pages}; "
                f"shorten it by {chars} characters or allow reflow (--allow-reflow)")
    if pushed < 0:
        lines = "1 line" if pushed == -1 else f"{-pushed} lines"
        return (f"this {verb} pulls {lines} back from page {after} and reflows pages "
                f"{pages}; lengthen it by about {chars} characters or allow reflow "
                "(--allow-reflow)")
    return (f"this {verb} on page {span.at} reflows pages {pages}; keep it to its own page "
            "or allow reflow (--allow-reflow)")


def _next_label(report: ChangeReport, label: str) -> str:
    labels = [p.label for p in report.new.pages]
    index = labels.index(label) if label in labels else -1
    return labels[index + 1] if 0 <= index < len(labels) - 1 else label


def _pushed_lines(report: ChangeReport, row: PageChange | None) -> tuple[int, int]:
    """How many lines the page after the edit gained at its top (negative: lost), and how
    many characters they hold: found by the first line that both pages have, once each."""
    if row is None or row.old is None or row.new is None:
        return 0, 0
    old, new = report.old.pages[row.old].body, report.new.pages[row.new].body
    old_texts = [line.text for line in old]
    new_texts = [line.text for line in new]
    for at, text in enumerate(old_texts):
        if old_texts.count(text) == 1 and new_texts.count(text) == 1:
            moved = new_texts.index(text) - at
            lines = new[:moved] if moved > 0 else old[:-moved]
            return moved, sum(len(line.text.replace(" ", "")) for line in lines)
    return 0, 0


def _source_line(manuscript: Path, source: str, edit: Edit) -> tuple[Path, int | None]:
    """The Markdown file and line where the edit's words (or those before it) are."""
    if not source:
        return manuscript, None
    path = manuscript / source
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return path, None
    flat = [_plain(line) for line in lines]
    for text in (edit.new, edit.before):
        words = _plain(text).split()
        for size in (6, 4, 3, 2, 1):
            if len(words) < size:
                continue
            for start in range(0, len(words) - size + 1):
                needle = " ".join(words[start:start + size])
                hits = [n for n, line in enumerate(flat, 1) if needle in line]
                if len(hits) == 1:
                    return path, hits[0]
    return path, None


_PLAIN = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "--", "—": "---",
                        "…": "..."})


def _plain(text: str) -> str:
    """Text as the Markdown source would spell it, roughly: straight quotes, one space."""
    return " ".join(unicodedata.normalize("NFKC", text).translate(_PLAIN).split())
