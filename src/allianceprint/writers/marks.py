"""The printer's PDF's pages -> the same pages on a larger sheet, with printer's marks.

WeasyPrint draws its `marks` inside the bleed, short and close to the trim, where a
printer's guillotine and a bleed image would meet them. Here the page is laid out with its
bleed and no marks, and then each page's media box is grown by a margin outside the bleed
(`[print] marks_offset` plus the marks' length plus a little room), and in that margin:

- crop marks: at each corner of the trim, two hairlines along its edges, `MARK_LENGTH`
  long, starting `marks_offset` outside the bleed (so never drawn into it);
- registration crosses: a circle and a cross at the middle of each side, in the same band;
- a slug line at the foot, below the marks' band: the title, the file name, the date and the page (its printed
  number and its place in the file), laid out by WeasyPrint (so its font is embedded and
  subset as the book's are) and drawn as a form.

TrimBox and BleedBox stay as WeasyPrint set them. Everything is drawn after the page's own
content, marked as a page artifact so that screen readers pass over it. Both the book laid
out in pieces (writers/pdfmerge) and as one document (writers/pdf) call `draw_marks`, so
the two agree.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from pikepdf import Array, Name

from allianceprint.housestyle import StyleSet

MM = 72 / 25.4
MARK_LENGTH = 6 * MM  # at least 5 mm, as printers ask
CROSS_RADIUS = 2.5 * MM
SLUG_SIZE = 6.5  # points
SLUG_HEIGHT = SLUG_SIZE * 1.6
ROOM = 4.5 * MM  # beyond the marks, to the sheet's edge: the slug line's band
_LINE_WIDTH = 0.25


@dataclass(frozen=True)
class MarksPlan:
    """What the printer's marks need to know of the book."""

    marks: tuple[str, ...]  # "crop", "cross"; the slug line comes with any mark
    offset: float  # points between the bleed's edge and the marks
    title: str
    file_name: str
    date: str  # YYYY-MM-DD
    labels: tuple[str, ...]  # every page's printed number


def margin(plan: MarksPlan) -> float:
    """How far the sheet extends beyond the bleed, in points."""
    return plan.offset + MARK_LENGTH + ROOM


def draw_marks(pdf: pikepdf.Pdf, plan: MarksPlan, slug: Path | None) -> None:
    """Grow every page's media box and draw the marks and the slug line (`slug_pdf`'s
    pages, one per page) outside its bleed."""
    if not plan.marks:
        return
    slugs = pikepdf.open(slug) if slug is not None else None
    extra = margin(plan)
    before = pdf.make_stream(b"q\n")
    for index, page in enumerate(pdf.pages):
        trim = [float(v) for v in page.obj.get("/TrimBox", page.obj.MediaBox)]
        bleed = [float(v) for v in page.obj.get("/BleedBox", page.obj.MediaBox)]
        page.obj.MediaBox = Array(
            [bleed[0] - extra, bleed[1] - extra, bleed[2] + extra, bleed[3] + extra]
        )
        if "/CropBox" in page.obj:
            page.obj.CropBox = Array(list(page.obj.MediaBox))
        drawing = _vector_marks(plan, trim, bleed)
        if slugs is not None and index < len(slugs.pages):
            form = pdf.copy_foreign(slugs.pages[index].as_form_xobject())
            name = page.add_resource(
                form, Name.XObject, Name(f"/APslug{index + 1}"), replace_existing=False
            )
            x = trim[0]
            y = bleed[1] - plan.offset - MARK_LENGTH - SLUG_HEIGHT - 0.5 * MM
            drawing += f"q 1 0 0 1 {x:.3f} {y:.3f} cm {name} Do Q\n"
        page.contents_add(before, prepend=True)
        page.contents_add(
            pdf.make_stream(f"Q\n/Artifact <</Type /Page>> BDC\nq\n{drawing}Q\nEMC\n".encode()),
            prepend=False,
        )


def _vector_marks(plan: MarksPlan, trim: list[float], bleed: list[float]) -> str:
    ops = [f"{_LINE_WIDTH} w 0 0 0 RG 0 J"]
    out = plan.offset
    if "crop" in plan.marks:
        for x, sx in ((trim[0], -1), (trim[2], 1)):
            for y, sy in ((trim[1], -1), (trim[3], 1)):
                # along the trim's vertical edge, outside the bleed above or below
                edge_y = bleed[1] if sy < 0 else bleed[3]
                start = edge_y + sy * out
                ops.append(f"{x:.3f} {start:.3f} m {x:.3f} {start + sy * MARK_LENGTH:.3f} l S")
                edge_x = bleed[0] if sx < 0 else bleed[2]
                start = edge_x + sx * out
                ops.append(f"{start:.3f} {y:.3f} m {start + sx * MARK_LENGTH:.3f} {y:.3f} l S")
    if "cross" in plan.marks:
        middle_x, middle_y = (trim[0] + trim[2]) / 2, (trim[1] + trim[3]) / 2
        band = out + MARK_LENGTH / 2
        for cx, cy in (
            (middle_x, bleed[3] + band),
            (middle_x, bleed[1] - band),
            (bleed[0] - band, middle_y),
            (bleed[2] + band, middle_y),
        ):
            ops.append(_cross(cx, cy))
    return "\n".join(ops) + "\n"


def _cross(cx: float, cy: float) -> str:
    r, k = CROSS_RADIUS, 0.5523 * CROSS_RADIUS * 0.6  # a circle of 0.6 r, four Béziers
    c = 0.6 * r
    circle = (
        f"{cx + c:.3f} {cy:.3f} m "
        f"{cx + c:.3f} {cy + k:.3f} {cx + k:.3f} {cy + c:.3f} {cx:.3f} {cy + c:.3f} c "
        f"{cx - k:.3f} {cy + c:.3f} {cx - c:.3f} {cy + k:.3f} {cx - c:.3f} {cy:.3f} c "
        f"{cx - c:.3f} {cy - k:.3f} {cx - k:.3f} {cy - c:.3f} {cx:.3f} {cy - c:.3f} c "
        f"{cx + k:.3f} {cy - c:.3f} {cx + c:.3f} {cy - k:.3f} {cx + c:.3f} {cy:.3f} c S"
    )
    return (
        f"{cx - r:.3f} {cy:.3f} m {cx + r:.3f} {cy:.3f} l S "
        f"{cx:.3f} {cy - r:.3f} m {cx:.3f} {cy + r:.3f} l S {circle}"
    )


def slug_pdf(plan: MarksPlan, trim_width: float, folder: Path, styles: StyleSet) -> Path | None:
    """The slug lines, one page each, from the style's `slug.html.j2`, laid out by
    WeasyPrint; None without marks."""
    if not plan.marks:
        return None
    from weasyprint import HTML

    document = styles.render(
        "print", "slug.html.j2", plan=plan, width=trim_width, height=SLUG_HEIGHT, size=SLUG_SIZE
    )
    folder.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=".slug-", suffix=".pdf", dir=folder)
    path = Path(name)
    with open(handle, "wb") as out:
        HTML(string=document).write_pdf(out)
    return path


_UNITS = {"mm": MM, "cm": 10 * MM, "in": 72.0, "pt": 1.0, "pc": 12.0, "px": 0.75}


def points(length: str) -> float:
    """A CSS length of book.toml ("3mm", "0.125in") in points."""
    value = length.strip()
    for unit, factor in _UNITS.items():
        if value.endswith(unit):
            return float(value[: -len(unit)]) * factor
    return float(value)


def plan_for(
    options, title: str, file_name: str, created: str | None, labels: tuple[str, ...] | list[str]
) -> MarksPlan:
    """The plan from `[print]` (PrintOptions), the book's title and its page labels."""
    import datetime as dt

    date = created[:10] if created else dt.date.today().isoformat()
    return MarksPlan(
        tuple(options.marks), points(options.marks_offset), title, file_name, date, tuple(labels)
    )


def trim_width(options) -> float:
    return points(options.trim.split()[0])
