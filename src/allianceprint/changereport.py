"""What `changes` found -> the report: its types (`Edit`, `PageChange`, `EditSpan`,
`ChangeReport`) and the report as `allianceprint changes` prints it (`as_text`) or gives it
as JSON (`as_json`), with its summary (page counts, signatures, contents).

changes.py fills it in; changesout.py writes it to files; keptpages.py reads it for
`build --keep-pages`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from allianceprint import pagerecord
from allianceprint.pdftext import BookText

Status = Literal["unchanged", "text", "reflow", "folio", "added", "removed"]
STATUSES: tuple[str, ...] = ("unchanged", "text", "reflow", "folio", "added", "removed")
SIGNATURES = (16, 32)  # pages per signature (a folded sheet) the summary checks
CONTENTS_WORDS = (
    "contents",
    "table of contents",
    "table des matières",
    "sommaire",
    "inhalt",
    "inhaltsverzeichnis",
    "índice",
    "目次",
    "目录",
    "目錄",
    "indice",
)


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
        return any(
            p.status != "unchanged" and (p.old in old_pages or p.new in new_pages)
            for p in self.pages
        ) or len(old_pages) != len(new_pages)

    def signature_summary(self) -> dict[str, dict]:
        summary = {}
        touched = self.changed_new_pages()
        removed_at = [p.old for p in self.pages if p.status == "removed"]
        for size in self.signatures:
            old_count = -(-len(self.old.pages) // size)
            new_count = -(-len(self.new.pages) // size)
            changed = sorted(
                {index // size + 1 for index in touched}
                | {index // size + 1 for index in removed_at if index is not None}
            )
            summary[str(size)] = {
                "old": old_count,
                "new": new_count,
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
            "edits": [
                {
                    "at": s.at,
                    "first": s.first,
                    "last": s.last,
                    **self.edits[s.edit].as_json(),
                    **({"source": s.source} if s.source else {}),
                }
                for s in self.spans
            ],
            "recorded": self.old.record is not None and self.new.record is not None,
        }

    def as_json(self) -> dict:
        pages = []
        for page in self.pages:
            item = {
                "old": page.old_label,
                "new": page.new_label,
                "status": page.status,
                "changes": [self.edits[i].as_json() for i in page.edits],
            }
            if page.furniture is not None:
                item["furniture"] = {"old": list(page.furniture[0]), "new": list(page.furniture[1])}
            part = self.new.part_of(page.new) or self.old.part_of(page.old)
            if part:
                item["part"] = part
            pages.append(item)
        return {
            "old_file": str(self.old.path),
            "new_file": str(self.new.path),
            "pages": pages,
            "summary": self.summary(),
        }

    def as_text(self) -> str:
        rows = [f"{'old':>6}  {'new':>6}  status     changes"]
        for page in self.pages:
            changes = "; ".join(_shown(self.edits[i]) for i in page.edits)
            if page.status == "folio" and page.furniture is not None:
                changes = " / ".join(page.furniture[1]) or "(no folio)"
            rows.append(
                f"{page.old_label or '—':>6}  {page.new_label or '—':>6}  "
                f"{page.status:<9}  {changes}".rstrip()
            )
        summary = self.summary()
        rows.append("")
        rows.append(
            f"pages: {summary['old_pages']} -> {summary['new_pages']}; "
            + ", ".join(f"{n} {s}" for s, n in summary["statuses"].items() if n)
        )
        for size, sig in summary["signatures"].items():
            state = (
                "intact"
                if sig["intact"]
                else "changed: " + ", ".join(str(n) for n in sig["changed"])
            )
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
    return text if len(text) <= width else text[: width - 1] + "…"


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
    for index, page in enumerate(book.pages[: max(12, len(book.pages) // 10)]):
        if page.body and page.body[0].text.strip().casefold() in CONTENTS_WORDS:
            found.add(index)
        elif found and index - 1 in found and page.body and not page.furniture:
            found.add(index)
    return found
