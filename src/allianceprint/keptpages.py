"""`build --keep-pages`: the last build's PDF + a corrected printing just laid out -> a
located `ManuscriptError` when a correction moves page breaks beyond its own page.

The message says what the correction does and what to do: "this correction pushes 1 line
onto page 3 and reflows pages 3–4; shorten it by 60 characters or allow reflow
(--allow-reflow)", at the Markdown file and line where the corrected words are.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from allianceprint.changereport import ChangeReport, Edit, EditSpan, PageChange
from allianceprint.changes import compare
from allianceprint.errors import ManuscriptError
from allianceprint.pdftext import BadInput, read_pdf


def check_kept_pages(old_pdf: Path, new_pdf: Path, manuscript: Path) -> None:
    """Raise a located ManuscriptError when NEW (a corrected printing, just laid out) moves
    page breaks beyond the page where an edit sits, compared with OLD (the last build's
    PDF). Nothing is checked when OLD is missing, unreadable, or another book."""
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
            "(--allow-reflow)",
            manuscript / "book.toml",
        )


def _reflow_message(report: ChangeReport, span: EditSpan, edit: Edit) -> str:
    """ "this correction pushes 2 lines onto page 38 and reflows pages 38–52; shorten it by
    61 characters or allow reflow"."""
    rows = {p.new_label: p for p in report.pages if p.new_label is not None}
    after = _next_label(report, span.at)
    pushed, chars = _pushed_lines(report, rows.get(after))
    pages = after if after == span.last else f"{after}–{span.last}"
    verb = "correction" if edit.old and edit.new else ("addition" if edit.new else "cut")
    if pushed > 0:
        lines = "1 line" if pushed == 1 else f"{pushed} lines"
        return (
            f"this {verb} pushes {lines} onto page {after} and reflows pages {pages}; "
            f"shorten it by {chars} characters or allow reflow (--allow-reflow)"
        )
    if pushed < 0:
        lines = "1 line" if pushed == -1 else f"{-pushed} lines"
        return (
            f"this {verb} pulls {lines} back from page {after} and reflows pages "
            f"{pages}; lengthen it by about {chars} characters or allow reflow "
            "(--allow-reflow)"
        )
    return (
        f"this {verb} on page {span.at} reflows pages {pages}; keep it to its own page "
        "or allow reflow (--allow-reflow)"
    )


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
                needle = " ".join(words[start : start + size])
                hits = [n for n, line in enumerate(flat, 1) if needle in line]
                if len(hits) == 1:
                    return path, hits[0]
    return path, None


_PLAIN = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "--", "—": "---", "…": "..."})


def _plain(text: str) -> str:
    """Text as the Markdown source would spell it, roughly: straight quotes, one space."""
    return " ".join(unicodedata.normalize("NFKC", text).translate(_PLAIN).split())
