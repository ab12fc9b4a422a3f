"""`ChangeReport` -> what `allianceprint changes` writes: the report (text or JSON), the
editor's side-by-side PDF, the printer's replacement pages, and a `[[history]]` entry.

Input: a `ChangeReport` (changes.py) and the two PDFs it compared. Output: files and text.
- `write_side_by_side`: for every page that is not unchanged, one sheet with OLD's page on
  the left and NEW's on the right, drawn as they are (form XObjects, pikepdf: nothing is
  rasterized), the lines with changed words highlighted in yellow on NEW and in pink on OLD,
  the lines that only moved in blue, and a caption naming the pages and their status.
- `write_replacement_pages`: NEW's pages that are not unchanged, copied whole (their
  MediaBox, TrimBox and BleedBox as they were), each labelled with its printed number.
- `history_entry`: the `[[history]]` table for book.toml naming the corrected pages.
- `run`: the command itself: exit status 0 (nothing changed), 1 (something did), 2 (bad
  input, one line on stderr).
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from allianceprint.cachefolder import write_atomically
from allianceprint.changereport import ChangeReport
from allianceprint.changes import compare_files
from allianceprint.pdftext import BadInput, BookText

GUTTER = 18.0  # points between the two pages of a sheet
CAPTION = 28.0  # points above them for the caption
YELLOW = (1.0, 0.9, 0.2)  # changed words, on NEW
PINK = (1.0, 0.6, 0.65)  # changed words, on OLD
BLUE = (0.6, 0.8, 1.0)  # lines that moved


@dataclass(frozen=True)
class Options:
    old: Path
    new: Path
    format: str = "text"  # "text" or "json"
    pdf: Path | None = None
    replacement_pages: Path | None = None
    history: bool = False
    signatures: tuple[int, ...] = (16, 32)


def run(options: Options) -> int:
    """Compare, print the report, write the files asked for; the exit status."""
    try:
        for path in (options.pdf, options.replacement_pages):
            if path is not None and path.resolve() in (
                options.old.resolve(),
                options.new.resolve(),
            ):
                raise BadInput(f"{path}: would overwrite a PDF being compared; name another file")
        report = compare_files(options.old, options.new, options.signatures)
    except BadInput as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if options.history:
        print(history_entry(report))
    elif options.format == "json":
        print(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        print(report.as_text())
    try:
        if options.pdf is not None:
            write_side_by_side(report, options.pdf)
        if options.replacement_pages is not None:
            write_replacement_pages(report, options.replacement_pages)
    except OSError as exc:
        print(f"error: cannot write {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    return 1 if report.changed else 0


# --- the history entry --------------------------------------------------------------------


def page_ranges(labels: list[str]) -> str:
    """ "3, 5–8, xii": runs of consecutive arabic numbers joined."""
    out: list[str] = []
    run: list[int] = []

    def flush() -> None:
        if run:
            out.append(str(run[0]) if len(run) == 1 else f"{run[0]}–{run[-1]}")
            run.clear()

    for label in labels:
        if label.isdigit():
            if run and int(label) != run[-1] + 1:
                flush()
            run.append(int(label))
        else:
            flush()
            out.append(label)
    flush()
    return ", ".join(out)


def history_entry(report: ChangeReport) -> str:
    """A `[[history]]` table for book.toml: this printing, naming the pages it corrected
    (those whose words changed) and, apart, those only reflowed."""
    from allianceprint.labels import labels_for, printing_statement

    record = report.new.record or report.old.record
    language = record.language if record and record.language else "en"
    printing = record.printing if record and record.printing else None
    if printing is None and report.old.record and report.old.record.printing:
        printing = report.old.record.printing + 1
    labels = labels_for(language)
    what = printing_statement(printing, language, labels) if printing else "Reprint"
    corrected = [p.new_label for p in report.pages if p.status == "text" and p.new_label]
    moved = [p.new_label for p in report.pages if p.status in ("reflow", "added") and p.new_label]
    description = what
    if corrected:
        description += f", with corrections on pages {page_ranges(corrected)}"
    if moved:
        description += f" (pages {page_ranges(moved)} reset)"
    when = _today()
    return (
        "[[history]]\n"
        f"date = {json.dumps(when)}\n"
        f"description = {json.dumps(description, ensure_ascii=False)}"
    )


def _today() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = (
        dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
        if epoch and epoch.isdigit()
        else dt.datetime.now(tz=dt.timezone.utc)
    )
    return moment.strftime("%Y-%m")


# --- the PDFs -----------------------------------------------------------------------------


class _Lines:
    """A book's body lines by their index in the whole book -> (page, line on the page)."""

    def __init__(self, book: BookText) -> None:
        self.book = book
        self.starts: list[int] = []
        total = 0
        for page in book.pages:
            self.starts.append(total)
            total += len(page.body)

    def place(self, line: int) -> tuple[int, int]:
        page = bisect.bisect_right(self.starts, line) - 1
        return page, line - self.starts[page]


def _marked(report: ChangeReport) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """The lines with changed words: OLD's and NEW's, page -> line indexes on it."""
    old_lines, new_lines = _Lines(report.old), _Lines(report.new)
    old_marks: dict[int, set[int]] = {}
    new_marks: dict[int, set[int]] = {}
    for edit in report.edits:
        for line in edit.old_lines:
            page, at = old_lines.place(line)
            old_marks.setdefault(page, set()).add(at)
        for line in edit.new_lines:
            page, at = new_lines.place(line)
            new_marks.setdefault(page, set()).add(at)
    return old_marks, new_marks


def write_side_by_side(report: ChangeReport, target: Path) -> int:
    """The editor's PDF: each page that is not unchanged, OLD beside NEW. Returns its page
    count (a PDF with one sheet saying so when nothing changed)."""
    import pikepdf

    old_marks, new_marks = _marked(report)
    out = pikepdf.new()
    font = out.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type1,
            BaseFont=pikepdf.Name.Helvetica,
            Encoding=pikepdf.Name.WinAnsiEncoding,
        )
    )
    multiply = out.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.ExtGState, BM=pikepdf.Name.Multiply)
    )
    with pikepdf.open(report.old.path) as old, pikepdf.open(report.new.path) as new:
        for row in report.pages:
            if row.status == "unchanged":
                continue
            sides = []
            for pdf, book, index, marks, colour in (
                (old, report.old, row.old, old_marks, PINK),
                (new, report.new, row.new, new_marks, YELLOW),
            ):
                other = report.new if book is report.old else report.old
                other_index = row.new if book is report.old else row.old
                sides.append(
                    _side(
                        out,
                        pdf,
                        book,
                        index,
                        marks.get(index, set()) if index is not None else set(),
                        colour,
                        other,
                        other_index,
                    )
                )
            caption = f"old {row.old_label or '-'}  |  new {row.new_label or '-'}  :  {row.status}"
            _sheet(out, sides, caption, font, multiply)
        if not len(out.pages):
            _sheet(out, [], "no page changed", font, multiply)
        write_atomically(target, out.save)  # a failure leaves no half-written file
        return len(out.pages)


@dataclass
class _Side:
    form: object | None  # the page as a form XObject in the output
    box: tuple[float, float, float, float]  # its MediaBox
    marks: list[tuple[tuple[float, float, float], tuple[float, float, float, float]]]


def _side(
    out,
    pdf,
    book: BookText,
    index: int | None,
    changed: set[int],
    colour,
    other: BookText,
    other_index: int | None,
) -> _Side:
    if index is None:
        return _Side(None, (0.0, 0.0, 0.0, 0.0), [])
    page = pdf.pages[index]
    box = tuple(float(v) for v in page.mediabox)
    form = out.copy_foreign(page.as_form_xobject())
    text = book.pages[index]
    there = set(other.pages[other_index].signature) if other_index is not None else set()
    marks = []
    for at, line in enumerate(text.body):
        if at in changed:
            marks.append((colour, line.box))
        elif line.text not in there:
            marks.append((BLUE, line.box))
    return _Side(form, box, marks)


def _sheet(out, sides: list[_Side], caption: str, font, multiply) -> None:
    import pikepdf

    widths = [s.box[2] - s.box[0] for s in sides if s.form is not None]
    heights = [s.box[3] - s.box[1] for s in sides if s.form is not None]
    page_w = max(widths, default=432.0)
    page_h = max(heights, default=648.0)
    width, height = 2 * page_w + 3 * GUTTER, page_h + CAPTION + 2 * GUTTER
    resources = pikepdf.Dictionary(
        Font=pikepdf.Dictionary(F1=font),
        ExtGState=pikepdf.Dictionary(M=multiply),
        XObject=pikepdf.Dictionary(),
    )
    ops = [b"q 1 1 1 rg 0 0 %.2f %.2f re f Q" % (width, height)]
    for number, side in enumerate(sides):
        x0 = GUTTER + number * (page_w + GUTTER)
        y0 = GUTTER
        # a frame where the page is, so that an absent page (added, removed) shows as such
        ops.append(b"q 0.6 G 0.5 w %.2f %.2f %.2f %.2f re S Q" % (x0, y0, page_w, page_h))
        if side.form is None:
            continue
        name = f"/P{number}"
        resources.XObject[name] = side.form
        dx, dy = x0 - side.box[0], y0 - side.box[1]
        ops.append(b"q 1 0 0 1 %.2f %.2f cm %s Do Q" % (dx, dy, name.encode()))
        for (r, g, b), (left, bottom, right, top) in side.marks:
            ops.append(
                b"q /M gs %.3f %.3f %.3f rg %.2f %.2f %.2f %.2f re f Q"
                % (r, g, b, left + dx - 2, bottom + dy - 2, right - left + 4, top - bottom + 4)
            )
    text = (
        caption.encode("cp1252", "replace")
        .replace(b"\\", b"\\\\")
        .replace(b"(", b"\\(")
        .replace(b")", b"\\)")
    )
    ops.append(b"BT /F1 12 Tf 0 g %.2f %.2f Td (%s) Tj ET" % (GUTTER, height - GUTTER - 12, text))
    page = out.add_blank_page(page_size=(width, height))
    page.obj.Resources = resources
    page.obj.Contents = out.make_stream(b"\n".join(ops))


def write_replacement_pages(report: ChangeReport, target: Path) -> int:
    """NEW's pages that are not unchanged, whole, each labelled with its printed number.
    Returns how many."""
    import pikepdf

    indexes = report.changed_new_pages()
    if not indexes:
        print(f"no page changed: {target} not written", file=sys.stderr)
        return 0
    with pikepdf.open(report.new.path) as new:
        out = pikepdf.new()
        for index in indexes:
            out.pages.append(new.pages[index])
        nums = pikepdf.Array()
        for at, index in enumerate(indexes):
            nums.append(at)
            nums.append(pikepdf.Dictionary(P=pikepdf.String(report.new.pages[index].label)))
        out.Root.PageLabels = pikepdf.Dictionary(Nums=nums)
        write_atomically(target, out.save)  # a failure leaves no half-written file
    return len(indexes)


def run_from_args(args) -> int:
    """`allianceprint changes`, from its parsed arguments (cli.py)."""
    signatures = tuple(args.signature) if args.signature else (16, 32)
    if any(size < 2 or size % 2 for size in signatures):
        print("error: --signature takes an even number of pages, e.g. 16", file=sys.stderr)
        return 2
    return run(
        Options(
            args.old,
            args.new,
            args.report,
            args.pdf,
            args.replacement_pages,
            args.history,
            signatures,
        )
    )
