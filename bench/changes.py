"""Benchmark `allianceprint changes` against a cold build of the same book.

    python bench/changes.py --pages 600                  # the issue's measure
    python bench/changes.py --pages 80 --repeat 3 --json out.json

Steps: generate a synthetic volume (bench/generate.py) in a temporary folder; build it cold
(`allianceprint build DIR --output OUT`, PDF and EPUB, OUT deleted first) and keep its PDF
as OLD; add one sentence to the middle paragraph of the middle chapter and build again (the
corrected printing, NEW); then time, each `--repeat` times, as separate processes:

- `changes OLD NEW --format json` (the report alone);
- `changes OLD NEW --pdf FILE --replacement-pages FILE` (with both PDFs written).

Reported: medians in seconds, the ratio of each to the cold build (target < 0.2), and the
peak resident memory (maxrss) of the `changes` process. Needs no extras.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ALLIANCEPRINT = Path(sys.executable).parent / "allianceprint"
TARGET = 0.2

# Runs a command and prints its peak resident memory (KiB) on the last line of stderr.
_MAXRSS = (
    "import resource, subprocess, sys\n"
    "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(r.returncode)\n"
)


def timed(cmd: list[str], ok: tuple[int, ...] = (0,)) -> tuple[float, int]:
    """(wall seconds, peak RSS in KiB) of `cmd` as a process of its own."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _MAXRSS, *cmd], stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode not in ok:
        sys.exit(f"{' '.join(cmd)} exited with {proc.returncode}:\n{proc.stderr[-3000:]}")
    return seconds, int(proc.stderr.strip().splitlines()[-1])


def add_sentence(manuscript: Path) -> Path:
    """One sentence added to the middle paragraph of the middle chapter: a correction that
    reflows the rest of its chapter."""
    contents = tomllib.loads((manuscript / "book.toml").read_text("utf-8"))["contents"]
    path = manuscript / contents["chapters"][len(contents["chapters"]) // 2]
    lines = path.read_text("utf-8").split("\n")
    paragraphs = [i for i, line in enumerate(lines) if len(line) > 200 and line[:1].isalpha()]
    index = paragraphs[len(paragraphs) // 2]
    lines[index] = re.sub(
        r"(\.)( |$)", r". A late correction added this sentence here.\2", lines[index], count=1
    )
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def run(pages: int, repeat: int, work: Path, log=print) -> dict:
    sys.path.insert(0, str(HERE))
    import generate  # bench/generate.py

    manuscript = work / "book"
    generate.generate(manuscript, pages)
    out = work / "out"
    log(f"cold build of a {pages}-page volume ...")
    cold, cold_rss = timed([str(ALLIANCEPRINT), "build", str(manuscript), "--output", str(out)])
    pdf = next(out.glob("*.pdf"))
    old = work / "old.pdf"
    shutil.copy(pdf, old)
    add_sentence(manuscript)
    timed([str(ALLIANCEPRINT), "build", str(manuscript), "--output", str(out), "--allow-reflow"])
    new = work / "new.pdf"
    shutil.copy(pdf, new)
    log(f"  cold build {cold:.1f} s")
    report, written = [], []
    rss = 0
    for rep in range(repeat):
        seconds, peak = timed(
            [str(ALLIANCEPRINT), "changes", str(old), str(new), "--format", "json"], ok=(1,)
        )
        report.append(seconds)
        rss = max(rss, peak)
        seconds, peak = timed(
            [
                str(ALLIANCEPRINT),
                "changes",
                str(old),
                str(new),
                "--pdf",
                str(work / "changes.pdf"),
                "--replacement-pages",
                str(work / "replace.pdf"),
            ],
            ok=(1,),
        )
        written.append(seconds)
        rss = max(rss, peak)
        log(f"  repetition {rep + 1}: report {report[-1]:.2f} s, with PDFs {written[-1]:.2f} s")
    summary = json.loads(
        subprocess.run(
            [str(ALLIANCEPRINT), "changes", str(old), str(new), "--format", "json"],
            capture_output=True,
            text=True,
        ).stdout
    )["summary"]
    return {
        "pages": summary["new_pages"],
        "cold_build_seconds": round(cold, 2),
        "changes_seconds": round(statistics.median(report), 2),
        "changes_with_pdfs_seconds": round(statistics.median(written), 2),
        "ratio": round(statistics.median(report) / cold, 4),
        "ratio_with_pdfs": round(statistics.median(written) / cold, 4),
        "target": TARGET,
        "changes_peak_rss_mib": round(rss / 1024, 1),
        "changed_pages": len(summary["changed_pages"]),
        "edits": summary["edits"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=600, help="size of the volume")
    parser.add_argument("--repeat", type=int, default=3, help="timings of `changes`")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-changes-") as work:
        result = run(args.pages, args.repeat, Path(work))
    for key, value in result.items():
        if key != "edits":
            print(f"{key}: {value}")
    verdict = "meets" if result["ratio_with_pdfs"] < TARGET else "misses"
    print(
        f"changes vs cold build: {result['ratio']}x ({result['ratio_with_pdfs']}x with "
        f"both PDFs), {verdict} the target of {TARGET}x"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
