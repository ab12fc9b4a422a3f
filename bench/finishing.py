"""What the print finishing (hyphens.lay_out: hyphen ladders, words broken at a recto turn)
costs in a cold build, and where a cold build's CPU goes in WeasyPrint (issue 14).

Builds a manuscript (a generated one with --pages N) in THIS process, as a one-core build
does (`os.sched_setaffinity` to one core: the pieces are laid out in-process, so they are
profiled too), under cProfile, and prints:
- per piece: its pages, and the faults `hyphens.find_faults` finds after each layout
  (the last count is of the layout kept: faults left in the book);
- the profiled seconds of WeasyPrint's stages: style cascade (`get_all_computed_styles`),
  box building (`build_formatting_structure`), layout (`layout_document`), drawing and
  writing the PDF (`Document.write_pdf`), and of `hyphens` itself.
cProfile inflates Python-heavy code, so read the shares, not the seconds.

With --no-profile, the stages' CPU time is added up by wrappers instead (steadier).

Run: .venv/bin/python bench/finishing.py --pages 200 [--manuscript DIR] [--no-profile]
[--full: every pass lays out every page, as before the passes were made cheap]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from allianceprint import finishing, hyphens, remake
from allianceprint.build import build
from allianceprint.errors import Diagnostics

STAGES = (  # label, then the functions (file suffix, name, as pstats names them) it sums
    ("style cascade", [("weasyprint/css/__init__.py", "get_all_computed_styles")]),
    ("box building", [("weasyprint/formatting_structure/build.py", "build_formatting_structure")]),
    (
        "layout",
        [
            ("weasyprint/layout/__init__.py", "layout_document"),
            ("allianceprint/remake.py", "_paginate"),
        ],
    ),
    ("drawing + PDF write", [("weasyprint/document.py", "write_pdf")]),
    ("hyphens.find_faults", [("allianceprint/hyphens.py", "find_faults")]),
    ("hyphens.lay_out, all passes", [("allianceprint/hyphens.py", "lay_out_counted")]),
    ("Markdown render", [("allianceprint/render.py", "render_book")]),
    ("checks", [("allianceprint/checks.py", "check_book")]),
)


def counting(runs: list[tuple[str, int, list[int], int]]):
    """A `lay_out` that records the faults found after each layout of each document, and
    the pages laid out in all."""
    find = hyphens.find_faults

    def lay_out(html, stylesheets):
        counts: list[int] = []

        def find_faults(document):
            faults = find(document)
            counts.append(len(faults))
            return faults

        hyphens.find_faults = find_faults
        try:
            layout = hyphens.lay_out_counted(html, stylesheets)
        finally:
            hyphens.find_faults = find
        document = layout.document
        if len(counts) <= hyphens.PASSES:  # the kept layout was not looked at: look
            counts.append(len(find(document)))
        anchors = [a for page in document.pages for a in page.anchors]
        runs.append((anchors[0] if anchors else "?", len(document.pages), counts, layout.laid_out))
        return document

    return lay_out


def timed(spent: dict[str, float]) -> None:
    """Wrap WeasyPrint's stages (where allianceprint and WeasyPrint call them) to add up
    their CPU time in `spent`: what the profile shows, without the profiler's overhead."""
    import weasyprint.document as document

    def plain(label, function):
        def wrapper(*args, **kwargs):
            started = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + time.process_time() - started

        return wrapper

    def generator(label, function):
        def wrapper(*args, **kwargs):
            items = function(*args, **kwargs)
            while True:
                started = time.process_time()
                try:
                    item = next(items)
                except StopIteration:
                    return
                finally:
                    spent[label] = spent.get(label, 0.0) + time.process_time() - started
                yield item

        return wrapper

    document.get_all_computed_styles = plain("style cascade", document.get_all_computed_styles)
    boxes = plain("box building", document.build_formatting_structure)
    document.build_formatting_structure = remake.build_formatting_structure = boxes
    document.layout_document = generator("layout", document.layout_document)
    remake._paginate = generator("layout", remake._paginate)
    document.Document.write_pdf = plain("drawing + PDF write", document.Document.write_pdf)
    hyphens.find_faults = plain("hyphens.find_faults", hyphens.find_faults)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--manuscript", type=Path)
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument(
        "--full",
        action="store_true",
        help="lay out every page in every pass, as before remake.again",
    )
    args = parser.parse_args()
    if args.full:
        remake.again = lambda previous, changed: remake.again_in_full(previous)
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    with tempfile.TemporaryDirectory() as folder:
        root = args.manuscript
        if root is None:
            root = Path(folder) / "book"
            subprocess.run(
                [
                    sys.executable,
                    str(Path(__file__).with_name("generate.py")),
                    "--pages",
                    str(args.pages),
                    str(root),
                ],
                check=True,
            )
        runs: list[tuple[str, int, list[int], int]] = []
        spent: dict[str, float] = {}
        if args.no_profile:
            timed(spent)
        finishing.lay_out = counting(runs)  # both PDF writers lay out through finishing
        profile = None if args.no_profile else cProfile.Profile(time.process_time)
        started, cpu = time.perf_counter(), time.process_time()
        if profile:
            profile.enable()
        build(root, Path(folder) / "out", ("pdf",), Diagnostics())
        if profile:
            profile.disable()
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"PASSES = {hyphens.PASSES}; faults found after each layout, per piece:")
    for first, pages, counts, laid_out in runs:
        print(
            f"  {first[:28]:28} {pages:4} pages, {laid_out:4} laid out;  faults "
            f"{' -> '.join(map(str, counts))}"
        )
    for n in range(hyphens.PASSES + 1):
        print(
            f"  pieces with faults after pass {n}: "
            f"{sum(1 for _, _, c, _ in runs if len(c) > n and c[n])} of {len(runs)}"
        )
    pages = sum(run[1] for run in runs)
    laid_out = sum(run[3] for run in runs)
    print(
        f"  {laid_out} pages laid out for {pages} ({laid_out / pages:.2f} a page); "
        f"faults left: {sum(c[-1] for _, _, c, _ in runs)}"
    )
    print(f"build: {wall:.1f} s wall, {cpu:.1f} s CPU" + (" (profiled)" if profile else ""))
    for label, seconds in spent.items():
        print(f"  {label:22} {seconds:7.1f} s CPU {100 * seconds / cpu:3.0f}%")
    if profile:
        stats = pstats.Stats(profile).stats
        for label, functions in STAGES:
            chosen = [
                entry
                for (file, _, function), entry in stats.items()
                if any(file.endswith(path) and function == name for path, name in functions)
            ]
            total = sum(entry[3] for entry in chosen)
            calls = sum(entry[1] for entry in chosen)
            print(f"  {label:22} {total:7.1f} s CPU {100 * total / cpu:3.0f}%  ({calls} calls)")


if __name__ == "__main__":
    main()
