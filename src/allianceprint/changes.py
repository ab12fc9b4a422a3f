"""Two PDFs of one book (OLD, NEW) -> `ChangeReport`: what changed on each printed page.

Input: two PDF files, built by allianceprint or not, read by pdftext. Output: a
`ChangeReport` (changereport.py) with one `PageChange` per printed page (unchanged, text,
reflow, folio, added, removed), the edits (each with the first and last page it touches)
and a summary.

How pages are compared:
1. Each page's text is read (pdftext.py), its running head and folio kept apart from its
   body.
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

Memory: a word costs about 24 bytes (`Words`), whatever the book's length.
"""

from __future__ import annotations

import difflib
import re
import sys
import unicodedata
from array import array
from dataclasses import replace
from pathlib import Path

from allianceprint import pagerecord
from allianceprint.changereport import SIGNATURES, ChangeReport, Edit, EditSpan, PageChange
from allianceprint.pagerecord import PageRecord
from allianceprint.pdftext import BadInput, BookText, read_both

_CJK = pagerecord.CJK
_TOKEN = pagerecord.WORD
_AUTO_HYPHENS = ("\u2010", "\u00ad")  # what hyphenation adds at a line's end
# pdfium joins a line ending in a hyphen to the next and gives the hyphen as U+FFFE, be it
# a compound's own (“Indo-Pacific”) or hyphenation's (“cooper-ation”): which one is told
# by the word as it stands where no line breaks it (`_Unbreak`).
_LINE_END_HYPHEN = "\ufffe"


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
            keys.append(token if token.isascii() else intern(unicodedata.normalize("NFKC", token)))
        self.page.extend([page] * len(tokens))
        self.line.extend([line] * len(tokens))


class _Unbreak:
    """A word pdfium read across a line's end (“Indo\ufffePacific”) -> the word as printed
    unbroken: with its hyphen when the book (or else the other book) has it so somewhere,
    without it when it has it so, else with it. So a compound that a reflow moves to or
    from a line's end compares equal, and so does a word hyphenation broke."""

    def __init__(self, own: frozenset[str], other: frozenset[str]) -> None:
        self.own, self.other = own, other

    def __call__(self, token: str) -> str:
        parts = token.split(_LINE_END_HYPHEN)
        hyphened, joined = "-".join(parts), "".join(parts)
        for known in (self.own, self.other):
            if hyphened in known:
                return hyphened
            if joined in known:
                return joined
        return hyphened


def _unbroken(book: BookText) -> frozenset[str]:
    """The words of the book that no line's end breaks."""
    return frozenset(
        token
        for page in book.pages
        for line in page.body
        for token in _TOKEN.findall(line.text)
        if _LINE_END_HYPHEN not in token
    )


def _words(book: BookText, unbreak: _Unbreak | None = None) -> tuple[Words, list[tuple[int, int]]]:
    """The words of the book and, for each body line of the book, (page, line on page)."""
    words = Words()
    places: list[tuple[int, int]] = []
    carry: tuple[str, int, int] | None = None  # a hyphenated word's first half
    for page_index, page in enumerate(book.pages):
        for line_index, line in enumerate(page.body):
            book_line = len(places)
            places.append((page_index, line_index))
            tokens = _TOKEN.findall(line.text)
            if unbreak is not None and _LINE_END_HYPHEN in line.text:
                tokens = [unbreak(t) if _LINE_END_HYPHEN in t else t for t in tokens]
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
            if (
                tokens
                and tokens[-1].endswith(_AUTO_HYPHENS + ("-",))
                and len(tokens[-1]) > 1
                and tokens[-1][-2].isalpha()
            ):
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


def _join(tokens: list[str]) -> str:
    text = ""
    for token in tokens:
        if text and not (
            _TOKEN.fullmatch(token)
            and re.match(f"[{_CJK}]", token)
            and re.search(f"[{_CJK}]$", text)
        ):
            text += " "
        text += token
    return text


def compare(old: BookText, new: BookText, signatures: tuple[int, ...] = SIGNATURES) -> ChangeReport:
    """The report of what changed from `old` to `new`; BadInput for two different books."""
    recorded = old.record is not None and new.record is not None
    if recorded:
        a, b = old.record, new.record
        if a.title != b.title or (a.isbn_print and b.isbn_print and a.isbn_print != b.isbn_print):
            raise BadInput(
                f"{new.path}: another book than {old.path} (“{b.title}” against “{a.title}”)"
            )
    old_known, new_known = _unbroken(old), _unbroken(new)
    old_words, old_places = _words(old, _Unbreak(old_known, new_known))
    new_words, new_places = _words(new, _Unbreak(new_known, old_known))
    old_lines = [old.pages[p].body[l].text for p, l in old_places]
    new_lines = [new.pages[p].body[l].text for p, l in new_places]
    lines = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    blocks = lines.get_matching_blocks()
    same = sum(block.size for block in blocks)
    # Without both records, the lines alone tell two books apart. With them, the records
    # have said it is one book: a printing reset in a house style or on another trim shares
    # few lines with the last, and is still to be compared (and refused by --keep-pages).
    if (
        not recorded
        and min(len(old_lines), len(new_lines)) >= 40
        and same < 0.2 * max(len(old_lines), len(new_lines))
    ):
        raise BadInput(
            f"{new.path}: shares under a fifth of its lines with {old.path}; "
            "these are not two printings of one book"
        )
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
            new_at = (
                new.page[nw[0]]
                if nw
                else (
                    new.page[b[l1]]
                    if l1 < len(b)
                    else (new.page[b[-1]] if b else _page_of_line(new, j1))
                )
            )
            old_at = (
                old.page[ow[0]]
                if ow
                else (
                    old.page[a[k1]]
                    if k1 < len(a)
                    else (old.page[a[-1]] if a else _page_of_line(old, i1))
                )
            )
            edits.append(
                Edit(
                    old=_join([old.shown[w] for w in ow]),
                    new=_join([new.shown[w] for w in nw]),
                    old_pages=tuple(sorted({old.page[w] for w in ow})),
                    new_pages=tuple(sorted({new.page[w] for w in nw})),
                    old_lines=tuple(sorted({old.line[w] for w in ow})),
                    new_lines=tuple(sorted({new.line[w] for w in nw})),
                    new_at=new_at,
                    old_at=old_at,
                    before=_join([new.shown[w] for w in b[max(0, l1 - 6) : l1]]),
                )
            )
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
            ids = (
                (old_ids[print_], new_ids[print_])
                if print_ in old_ids and print_ in new_ids
                else None
            )
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
    matcher = difflib.SequenceMatcher(
        None, [p.signature for p in old.pages], [p.signature for p in new.pages], autojunk=False
    )
    pages: list[PageChange] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for i, j in zip(range(i1, i2), range(j1, j2)):
                pages.append(_same_body(old, new, i, j, new_edits.get(j, [])))
            continue
        for k in range(max(i2 - i1, j2 - j1)):
            i = i1 + k if i1 + k < i2 else None
            j = j1 + k if j1 + k < j2 else None
            mine = sorted(
                set(old_edits.get(i, []) if i is not None else [])
                | set(new_edits.get(j, []) if j is not None else [])
            )
            if i is None:
                status = "added"
            elif j is None:
                status = "removed"
            else:
                status = "text" if any(not edits[k].moved for k in mine) else "reflow"
            pages.append(
                PageChange(
                    i,
                    j,
                    old.pages[i].label if i is not None else None,
                    new.pages[j].label if j is not None else None,
                    status,
                    tuple(mine),
                )
            )
    return pages


def _same_body(old: BookText, new: BookText, i: int, j: int, edits: list[int]) -> PageChange:
    a, b = old.pages[i], new.pages[j]
    if edits:  # a word joined across the page's last line changed
        return PageChange(i, j, a.label, b.label, "text", tuple(edits))
    if a.label == b.label and a.furniture == b.furniture:
        return PageChange(i, j, a.label, b.label, "unchanged")
    return PageChange(i, j, a.label, b.label, "folio", furniture=(a.furniture, b.furniture))


def _spans(
    old: BookText, new: BookText, pages: list[PageChange], edits: list[Edit]
) -> list[EditSpan]:
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
        part = new.part_of(edit.new_at)
        source = new.record.source_of(part) if new.record is not None and part else ""
        spans.append(
            EditSpan(
                index, _label(pages[row]), _label(pages[first]), _label(pages[last]), source, part
            )
        )
    return spans


def _label(page: PageChange) -> str:
    return page.new_label if page.new_label is not None else f"(old {page.old_label})"


def compare_files(old: Path, new: Path, signatures: tuple[int, ...] = SIGNATURES) -> ChangeReport:
    return compare(*read_both(old, new), signatures)
