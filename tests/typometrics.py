"""A print PDF -> the figures an editor marking proofs would circle (pdfplumber).

    python tests/typometrics.py build/allied-horizons.pdf [more.pdf ...] [--details]

Works on any PDF of justified text in one column (ours or another press's): it finds the
text block from the text itself, so it needs no knowledge of the book's settings.

- Lines: the characters of each page grouped by baseline (a note reference's superscript
  belongs to the line under it). The *body size* is the most common character size. The
  *text block* runs from the highest to the lowest baseline of body-size lines in the
  book; what lies above it is a running head, what lies below it a folio.
- A *paragraph's last line* is a line that the next line does not continue: the next line
  (on the same page, or the first of the next page for the last line of a page) is not
  flush with it at the left, is set in another size, or lies more than a line pitch below.
- A *runt*: a paragraph's last line of fewer than 8 characters (spaces aside) after a long
  line (at least 60% of the block's width) of the same paragraph. A list's bullet, which
  may sit a little off its line's baseline, is not a line. *Hyphenated* when that
  line ends with a hyphen: the runt is the fragment of a broken word.
- *Widow*: a paragraph's last line alone at the top of a page; *orphan*: a paragraph's
  first line (indented, or after a heading) alone at the foot of one.
- *Spreads*: facing pages (a left page and the right page after it). *Mid-part*: both
  carry a running head, and so does the page after them (so neither is a part's opening
  page nor its last). *Balanced*: their last baselines differ by at most 0.5 pt.
- *Short pages*: mid-part pages (a running head on them and on the next page) whose last
  baseline is more than one line pitch above the block's foot; excused when the top half
  of the next page holds a figure or a table (an image, or a run of ruled lines) taller
  than the space left: one that could not fit.
- *Hyphenation*: the longest run of consecutive lines ending in a hyphen; lines ending in
  a hyphen in headings (larger than the body size), running heads and the contents (pages
  with leader dots); a word broken across a page turn (a right-hand page's last line
  ending in a hyphen; left-hand pages are reported apart: the reader sees both lines).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber

HYPHENS = ("-", "\u2010", "\u00ad")
RUNT_CHARS = 8  # a last line shorter than this is a runt
BALANCE_PT = 0.5
MARKERS = {"•", "◦", "▪", "–", "—", "-"}  # a list's bullet, set on a baseline of its own


@dataclass(frozen=True)
class Line:
    page: int  # page index
    text: str
    x0: float
    x1: float
    baseline: float  # from the top of the page, points
    size: float  # the median character size

    @property
    def hyphenated(self) -> bool:
        return self.text.endswith(HYPHENS) and len(self.text) > 1

    @property
    def length(self) -> int:
        return len("".join(self.text.split()))


@dataclass
class Report:
    path: Path
    pages: int
    body_size: float = 0.0
    pitch: float = 0.0  # the body's line pitch
    runts: list[tuple[int, str]] = field(default_factory=list)  # (page index, text)
    hyphenated_runts: list[tuple[int, str]] = field(default_factory=list)
    widows: list[int] = field(default_factory=list)
    orphans: list[int] = field(default_factory=list)
    spreads: list[tuple[int, int, float]] = field(default_factory=list)  # mid-part: (l, r, diff)
    short_pages: list[tuple[int, float]] = field(default_factory=list)  # (page, lines short)
    short_excused: list[tuple[int, float]] = field(default_factory=list)
    longest_hyphen_run: int = 0
    hyphen_runs: list[tuple[int, int]] = field(default_factory=list)  # (page, length) runs > 2
    hyphenated_lines: int = 0
    heading_hyphens: list[tuple[int, str]] = field(default_factory=list)
    head_hyphens: list[tuple[int, str]] = field(default_factory=list)
    contents_hyphens: list[tuple[int, str]] = field(default_factory=list)
    turn_breaks_recto: list[int] = field(default_factory=list)
    turn_breaks_verso: list[int] = field(default_factory=list)

    @property
    def runts_per_100(self) -> float:
        return 100 * len(self.runts) / max(1, self.pages)

    @property
    def balanced(self) -> int:
        return sum(1 for _, _, diff in self.spreads if diff <= BALANCE_PT)

    @property
    def balanced_share(self) -> float:
        return self.balanced / len(self.spreads) if self.spreads else 1.0

    def summary(self) -> str:
        return "\n".join(
            [
                f"{self.path.name}: {self.pages} pages, body {self.body_size:g} pt, "
                f"pitch {self.pitch:.2f} pt",
                f"  runts (last line < {RUNT_CHARS} chars): {len(self.runts)} "
                f"({self.runts_per_100:.1f} per 100 pages), hyphenated: "
                f"{len(self.hyphenated_runts)}",
                f"  widows: {len(self.widows)}, orphans: {len(self.orphans)}",
                f"  mid-part spreads balanced (±{BALANCE_PT} pt): {self.balanced} of "
                f"{len(self.spreads)} ({100 * self.balanced_share:.0f}%)",
                f"  mid-part pages > 1 line short: {len(self.short_pages)} "
                f"(+{len(self.short_excused)} before a figure or table)",
                f"  hyphenated line ends: {self.hyphenated_lines}, longest run: "
                f"{self.longest_hyphen_run}, runs > 2: {len(self.hyphen_runs)}",
                f"  hyphens in headings: {len(self.heading_hyphens)}, running heads: "
                f"{len(self.head_hyphens)}, contents: {len(self.contents_hyphens)}",
                f"  words broken across a page turn: {len(self.turn_breaks_recto)} "
                f"(+{len(self.turn_breaks_verso)} at the foot of a left page)",
            ]
        )

    def details(self) -> str:
        rows = []
        for page, text in self.runts:
            rows.append(f"  runt p{page + 1}: {text!r}")
        for left, right, diff in self.spreads:
            if diff > BALANCE_PT:
                rows.append(f"  spread p{left + 1}-{right + 1}: {diff:.1f} pt apart")
        for page, short in self.short_pages:
            rows.append(f"  short p{page + 1}: {short:.1f} lines")
        for page, length in self.hyphen_runs:
            rows.append(f"  {length} hyphens in a row from p{page + 1}")
        for kind, found in (
            ("heading", self.heading_hyphens),
            ("head", self.head_hyphens),
            ("contents", self.contents_hyphens),
        ):
            rows.extend(f"  hyphen in {kind} p{page + 1}: {text!r}" for page, text in found)
        rows.extend(f"  broken across turn p{p + 1}" for p in self.turn_breaks_recto)
        return "\n".join(rows)


def _page_lines(page, index: int) -> list[Line]:
    top = float(page.mediabox[3])  # baselines from the top of the media box
    chars = [c for c in page.chars if c.get("upright", True) and c["text"].strip()]
    chars.sort(key=lambda c: (round(top - c["matrix"][5], 1), c["x0"]))
    clusters: list[list[dict]] = []
    for char in chars:
        baseline = top - char["matrix"][5]
        if clusters and abs(baseline - (top - clusters[-1][-1]["matrix"][5])) <= 1.0:
            clusters[-1].append(char)
        else:
            clusters.append([char])
    # A cluster of small characters just above a line (a note reference) joins that line.
    merged: list[list[dict]] = []
    for cluster in reversed(clusters):
        size = max(c["size"] for c in cluster)
        if merged:
            below = merged[-1]
            below_size = statistics.median(c["size"] for c in below)
            rise = (top - below[0]["matrix"][5]) - (top - cluster[0]["matrix"][5])
            if (
                size < 0.8 * below_size
                and 0 < rise < 0.6 * below_size
                and (
                    min(c["x0"] for c in cluster) >= min(c["x0"] for c in below) - 1
                    and max(c["x1"] for c in cluster) <= max(c["x1"] for c in below) + 20
                )
            ):
                below.extend(cluster)
                continue
        merged.append(cluster)
    lines = []
    for cluster in reversed(merged):
        size = statistics.median(c["size"] for c in cluster)
        main = [c for c in cluster if c["size"] >= 0.8 * size] or cluster
        baseline = statistics.median(top - c["matrix"][5] for c in main)
        cluster.sort(key=lambda c: c["x0"])
        text, last = "", None
        for char in cluster:
            if last is not None and char["x0"] - last["x1"] > 0.18 * size:
                text += " "
            text += char["text"]
            last = char
        lines.append(
            Line(
                index,
                text.strip(),
                min(c["x0"] for c in cluster),
                max(c["x1"] for c in cluster),
                baseline,
                round(size, 2),
            )
        )
    return lines


def measure(path: Path) -> Report:
    with pdfplumber.open(path) as pdf:
        pages = [_page_lines(page, i) for i, page in enumerate(pdf.pages)]
        figures_at_top = [_figure_heights(page) for page in pdf.pages]
        tables = [_table_spans(page) for page in pdf.pages]
    report = Report(Path(path), len(pages))
    sizes = Counter(line.size for page in pages for line in page for _ in line.text)
    if not sizes:
        return report
    body = report.body_size = sizes.most_common(1)[0][0]

    def is_body(line: Line) -> bool:
        return abs(line.size - body) < 0.3

    pitches = Counter(
        round(b.baseline - a.baseline, 1)
        for page in pages
        for a, b in zip(page, page[1:])
        if is_body(a) and is_body(b) and b.baseline > a.baseline
    )
    pitch = report.pitch = pitches.most_common(1)[0][0] if pitches else body * 1.2
    body_lines = [line for page in pages for line in page if is_body(line)]
    block_top = min(line.baseline for line in body_lines) - 1
    block_foot = max(line.baseline for line in body_lines)
    left = statistics.median(line.x0 for line in body_lines)  # not quite: see per page
    width = Counter(round(line.x1 - line.x0) for line in body_lines).most_common(1)[0][0]

    heads = [[line for line in page if line.baseline < block_top - 2] for page in pages]
    text = [
        [
            line
            for line in page
            if block_top - 2 <= line.baseline <= block_foot + 2 and line.text not in MARKERS
        ]
        for page in pages
    ]
    in_table = {
        id(line)
        for index, page in enumerate(text)
        for line in page
        if any(top - 3 * pitch <= line.baseline <= foot for top, foot in tables[index])
    }
    contents = [any(". . ." in line.text or "....." in line.text for line in page) for page in text]

    # Reading order across pages: each text line and the next.
    flat = [line for page in text for line in page]

    def continues(a: Line, b: Line | None) -> bool:
        """`b` is the next line of `a`'s paragraph."""
        if b is None or abs(a.size - b.size) > 0.3 or abs(a.x0 - b.x0) > 1.0:
            return False
        if b.page == a.page:
            return 0 < b.baseline - a.baseline <= a.size * 1.6
        return b.page == a.page + 1 and b is text[b.page][0] and a is text[a.page][-1]

    for i, line in enumerate(flat):
        after = flat[i + 1] if i + 1 < len(flat) else None
        before = flat[i - 1] if i else None
        if before is None or continues(line, after) or id(line) in in_table:
            continue
        # `line` ends a paragraph; a runt when the line before is long and of the same one.
        if (
            line.length < RUNT_CHARS
            and line.size <= body + 0.5
            and continues(before, line)
            and before.x1 - before.x0 >= 0.6 * width
        ):
            report.runts.append((line.page, f"{before.text[-20:]} / {line.text}"))
            if before.hyphenated:
                report.hyphenated_runts.append((line.page, f"{before.text[-20:]} / {line.text}"))
        if line is text[line.page][0] and continues(before, line):
            report.widows.append(line.page)
    for index, page in enumerate(text):  # orphans: a first line alone at the foot
        if not page or index + 1 >= len(text) or not text[index + 1]:
            continue
        last, first_next = page[-1], text[index + 1][0]
        if not continues(last, first_next):
            continue
        prior = page[-2] if len(page) > 1 else None
        if prior is None or not continues(prior, last):
            report.orphans.append(index)

    # Hyphenation.
    run = 0
    for i, line in enumerate(flat):
        if line.hyphenated:
            report.hyphenated_lines += 1
            run += 1
            report.longest_hyphen_run = max(report.longest_hyphen_run, run)
            if run == 3:
                report.hyphen_runs.append((line.page, run))
            elif run > 3:
                report.hyphen_runs[-1] = (report.hyphen_runs[-1][0], run)
        else:
            run = 0
        if line.size > body + 0.5 and line.hyphenated and not contents[line.page]:
            report.heading_hyphens.append((line.page, line.text))
        if contents[line.page] and line.hyphenated:
            report.contents_hyphens.append((line.page, line.text))
    for index, page in enumerate(heads):
        report.head_hyphens.extend((index, line.text) for line in page if line.hyphenated)
    for index, page in enumerate(text):
        if page and page[-1].hyphenated and index + 1 < len(text) and text[index + 1]:
            (report.turn_breaks_recto if index % 2 == 0 else report.turn_breaks_verso).append(index)

    # Spreads and short pages, in the middle of parts.
    has_head = [bool(h) for h in heads] + [False]

    def mid_part(index: int) -> bool:
        return has_head[index] and has_head[index + 1] and bool(text[index])

    for index, page in enumerate(text):
        if not mid_part(index):
            continue
        short = (block_foot - page[-1].baseline) / pitch
        if short > 1.05:
            could_not_fit = max(figures_at_top[index + 1], default=0) > short * pitch
            (report.short_excused if could_not_fit else report.short_pages).append((index, short))
    for left_page in range(1, len(text) - 1, 2):
        right_page = left_page + 1
        if has_head[left_page] and mid_part(right_page) and text[left_page]:
            diff = abs(text[left_page][-1].baseline - text[right_page][-1].baseline)
            report.spreads.append((left_page, right_page, round(diff, 2)))
    del left
    return report


def _table_spans(page) -> list[tuple[float, float]]:
    """Where tables are on the page: runs of three or more horizontal rules (a ruled table's
    rows), as (top of the first rule, top of the last), from the top of the page."""
    rules = sorted(
        rule["top"] for rule in page.lines + page.rects if rule["width"] > 50 and rule["height"] < 2
    )
    spans: list[list[float]] = []
    for top in rules:
        if spans and top - spans[-1][-1] < 90:
            spans[-1].append(top)
        else:
            spans.append([top])
    return [(span[0], span[-1]) for span in spans if len(span) >= 3]


def _figure_heights(page) -> list[float]:
    """The heights of the figures and tables in the top half of the page: images, and runs
    of ruled lines (a table's rows)."""
    limit = float(page.height) * 0.5
    heights = [
        float(image["bottom"] - image["top"]) for image in page.images if image["top"] < limit
    ]
    heights += [foot - top for top, foot in _table_spans(page) if top < limit]
    drawn = [shape for shape in page.rects + page.curves + page.lines if shape["top"] < limit]
    if len(drawn) >= 5:  # a drawing (an SVG figure is drawn, not an image)
        heights.append(max(s["bottom"] for s in drawn) - min(s["top"] for s in drawn))
    return heights


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pdf", nargs="+", type=Path)
    parser.add_argument("--details", action="store_true", help="list every finding")
    args = parser.parse_args(argv)
    for path in args.pdf:
        report = measure(path)
        print(report.summary())
        if args.details:
            print(report.details())
    return 0


if __name__ == "__main__":
    sys.exit(main())
