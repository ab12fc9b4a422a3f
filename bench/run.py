"""Benchmark allianceprint against itself and against the Pandoc route.

    python bench/run.py --pages 80                 # generate a ~80-page volume, 3 repetitions
    python bench/run.py --pages 600 --repeat 1
    python bench/run.py --manuscript manuscript    # an existing manuscript (copied first)
    python bench/run.py --pages 80 --json out.json

Variants, measured round-robin within each repetition (the order of the independent groups
rotates from one repetition to the next), each as a separate process tree:

- cold:     `allianceprint build DIR --output OUT` after deleting OUT (and OUT/.cache);
- noop:     the same command again, nothing changed;
- edit:     one sentence in the middle chapter replaced (a different one each repetition),
            then the same command;
- single:   `allianceprint build DIR --output OUT2 --single-document`, OUT2 deleted first
            (the whole book as one WeasyPrint document: the memory baseline); reported as
            unavailable when `allianceprint build --help` does not list the flag;
- pandoc:   the Pandoc route: the parts concatenated into one Markdown file, Pandoc ->
            standalone HTML with a 6x9 paged-media stylesheet, the `weasyprint` command ->
            PDF, and Pandoc -> EPUB; its time is the sum of the three commands.

Then, unless `--parts` leaves them out:

- watch:    `allianceprint watch` on the book (or on a book of `--watch-pages`), 20 saves in
            different chapters, two of them adding a paragraph that changes the chapter's
            page count: median, p90 and max of the time from the save until both the PDF and
            the EPUB are replaced (bench/watchrun.py), and its peak memory;
- cjk:      the same generated book in Chinese (generate.py --language zh-Hans, `--cjk-pages`),
            built cold once: its CPU seconds per page against the English book's.

Peak memory is the largest sum of PSS (proportional set size: a page shared by several
processes, as forked workers share their parent's, is split among them) over the process
and all its descendants, sampled every 20 ms with psutil. The report gives medians, and above all ratios against targets.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

try:
    import psutil
    import pypandoc
except ImportError as exc:  # pragma: no cover - a message, not a traceback
    sys.exit(f"bench/run.py needs the bench extras: pip install -e '.[bench]' ({exc})")

sys.path.insert(0, str(Path(__file__).resolve().parent))
from watchrun import WatchBenchError, measure_watch, tree_pss  # noqa: E402

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
ALLIANCEPRINT = BIN / "allianceprint"
WEASYPRINT = BIN / "weasyprint"
SAMPLE_EVERY = 0.02

# ratio name -> (numerator variant, denominator variant, metric, target, description)
RATIOS = [
    (
        "cold_vs_pandoc",
        "cold",
        "pandoc",
        "seconds",
        0.45,
        "cold PDF+EPUB build vs the Pandoc route",
    ),
    (
        "edit_vs_cold",
        "edit",
        "cold",
        "seconds",
        0.15,
        "rebuild after a one-chapter edit vs cold build",
    ),
    ("noop_vs_cold", "noop", "cold", "seconds", 0.05, "no-op rebuild vs cold build"),
    (
        "memory_vs_single",
        "cold",
        "single",
        "peak_pss",
        0.5,
        "peak memory (cold build) vs --single-document",
    ),
    (
        "size_vs_single",
        "cold",
        "single",
        "pdf_bytes",
        1.1,
        "PDF file size (pieces merged) vs --single-document",
    ),
]
#: The watch's goal: a saved one-sentence edit updates both files within this, median.
WATCH_TARGET_SECONDS = 1.0
#: A page of Chinese may cost this much of a page of English (CPU seconds per page).
CJK_TARGET = 1.5
PARTS = ("builds", "watch", "cjk")


@dataclass
class Sample:
    seconds: float
    peak_pss: int  # bytes
    pages: int | None = None
    pdf_bytes: int | None = None  # the size of the PDF it wrote
    cpu_seconds: float | None = None  # user + system, the whole process tree
    epub_bytes: int | None = None  # the size of the EPUB it wrote


@dataclass
class Variant:
    name: str
    label: str
    available: bool = True
    why_unavailable: str = ""
    samples: list[Sample] = field(default_factory=list)

    def median(self, metric: str) -> float | None:
        values = [getattr(s, metric) for s in self.samples if getattr(s, metric) is not None]
        return statistics.median(values) if values else None


class BenchError(Exception):
    pass


# --- measuring one command ----------------------------------------------------------------


class Measured(NamedTuple):
    seconds: float  # wall clock
    peak_pss: int  # bytes, the whole process tree
    stdout: str
    cpu_seconds: float  # user + system of the whole tree: steadier on a shared machine


def measure(cmd: list[str], cwd: Path | None = None) -> Measured:
    """Run `cmd` and measure it. A non-zero exit raises BenchError with the command's
    stderr."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = psutil.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_pss(proc))
            done.wait(SAMPLE_EVERY)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # The build waits for its workers, so their time is in its own children's usage.
    cpu = (after.ru_utime + after.ru_stime) - (usage.ru_utime + usage.ru_stime)
    if proc.returncode != 0:
        raise BenchError(
            f"{' '.join(map(str, cmd))} exited with {proc.returncode}:\n"
            + err.decode(errors="replace")[-3000:]
        )
    return Measured(elapsed, peak, out.decode(errors="replace"), cpu)


def pdf_pages(stdout: str) -> int | None:
    found = re.search(r"\.pdf \([^)]*, (\d+) pages\)", stdout)
    return int(found.group(1)) if found else None


def count_pdf_pages(path: Path) -> int | None:
    try:
        from pypdf import PdfReader  # in the test extras; optional here
    except ImportError:
        return None
    return len(PdfReader(path).pages)


# --- allianceprint variants ---------------------------------------------------------------


def has_single_document() -> bool:
    help_text = subprocess.run(
        [str(ALLIANCEPRINT), "build", "--help"], capture_output=True, text=True, check=False
    ).stdout
    return "--single-document" in help_text


def ap_build(manuscript: Path, out: Path, *, clean: bool, extra: tuple[str, ...] = ()) -> Sample:
    if clean and out.exists():
        shutil.rmtree(out)  # everything, OUT/.cache included
    run = measure([str(ALLIANCEPRINT), "build", str(manuscript), "--output", str(out), *extra])
    pdfs, epubs = sorted(out.glob("*.pdf")), sorted(out.glob("*.epub"))
    return Sample(
        run.seconds,
        run.peak_pss,
        pdf_pages(run.stdout),
        pdfs[0].stat().st_size if pdfs else None,
        run.cpu_seconds,
        epubs[0].stat().st_size if epubs else None,
    )


def middle_chapter(manuscript: Path) -> Path:
    contents = tomllib.loads((manuscript / "book.toml").read_text("utf-8")).get("contents", {})
    chapters = contents.get("chapters") or contents.get("front") or []
    if not chapters:
        raise BenchError("book.toml lists no chapters to edit")
    return manuscript / chapters[len(chapters) // 2]


EDIT_WORDS = [
    "provisional",
    "durable",
    "layered",
    "quiet",
    "reciprocal",
    "uneven",
    "deliberate",
    "gradual",
    "visible",
    "collective",
    "cautious",
    "modest",
]


def edit_sentence(path: Path, repetition: int) -> str:
    """Replace one sentence in the middle paragraph of `path` with a new one (different for
    each repetition). Returns the new sentence."""
    text = path.read_text("utf-8")
    lines = text.split("\n")
    body_start = 0
    if lines and lines[0].strip() == "---":
        body_start = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), 0) + 1
    paragraphs = [
        i
        for i in range(body_start, len(lines))
        if len(lines[i]) > 200
        and lines[i][:1].isalpha()
        and not lines[i].startswith(("Table:",))
        and "|" not in lines[i][:2]
    ]
    if not paragraphs:
        raise BenchError(f"{path}: no paragraph to edit")
    index = paragraphs[len(paragraphs) // 2]
    line = lines[index]
    sentences = re.split(r"(?<=[.!?]) (?=[A-Z])", line)
    # the middle sentence, preferring one without notes or abbreviations (so that the edit
    # leaves the checks' findings alone); note references are kept in any case
    plain = [
        i for i, x in enumerate(sentences) if "[^" not in x and not re.search(r"\b[A-Z]{2,}\b", x)
    ]
    target = plain[len(plain) // 2] if plain else len(sentences) // 2
    word = EDIT_WORDS[repetition % len(EDIT_WORDS)]
    new = (
        f"In revision {repetition + 1} of this draft the argument became more {word} "
        f"than before, and the {word} reading is the one kept here."
    )
    new += "".join(re.findall(r"\[\^[^\]]+\]", sentences[target]))
    sentences[target] = new
    lines[index] = " ".join(sentences)
    path.write_text("\n".join(lines), encoding="utf-8")
    return new


def grow_chapter(path: Path, repetition: int) -> str:
    """Add a paragraph of about 600 words (two pages) after the middle paragraph of `path`:
    the part's page count changes, and every page after it moves. Returns the paragraph."""
    sys.path.insert(0, str(HERE))
    from generate import Writer

    writer = Writer(random.Random(f"allianceprint-bench-grow:{repetition}"))
    paragraph = writer.paragraph(600, abbreviations=False)
    text = path.read_text("utf-8")
    blocks = text.split("\n\n")
    prose = [i for i, block in enumerate(blocks) if len(block) > 200 and block[:1].isalpha()]
    if not prose:
        raise BenchError(f"{path}: no paragraph to add one after")
    blocks.insert(prose[len(prose) // 2] + 1, paragraph)
    path.write_text("\n\n".join(blocks), encoding="utf-8")
    return paragraph


# --- the Pandoc route ---------------------------------------------------------------------

FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n(?:---|\.\.\.)\s*\n", re.DOTALL)
NOTE_LABEL = re.compile(r"\[\^([^\]\s]+)\]")
LINK = re.compile(r"(\]\()([^)\s]+)")


def pandoc_css(config: dict) -> str:
    """6x9 page and allianceprint's default margins and size, folios in margin boxes."""
    p = config.get("print", {})
    size = {"6x9": "6in 9in", "a5": "A5", "a4": "A4", "letter": "letter", "b5": "B5"}.get(
        str(p.get("trim", "6x9")).lower(), p.get("trim", "6in 9in")
    )
    top, bottom = p.get("margin_top", "0.7in"), p.get("margin_bottom", "0.8in")
    inner, outer = p.get("margin_inner", "0.875in"), p.get("margin_outer", "0.625in")
    return f"""@page {{ size: {size}; margin: {top} {outer} {bottom} {inner}; }}
@page :left {{ margin-left: {outer}; margin-right: {inner};
  @bottom-left {{ content: counter(page); font-size: 9pt; }} }}
@page :right {{ @bottom-right {{ content: counter(page); font-size: 9pt; }} }}
html {{ font-family: "Linux Libertine O", "Libertinus Serif", serif;
  font-size: {p.get("font_size", "10.5pt")}; line-height: 1.33; }}
h1, h2, h3 {{ font-family: "Linux Biolinum O", sans-serif; break-after: avoid; }}
h1 {{ break-before: right; font-size: 1.6em; }}
p {{ margin: 0; text-align: justify; hyphens: auto; text-indent: 1.4em; }}
.author {{ font-style: italic; text-indent: 0; }}
table {{ border-collapse: collapse; font-size: 0.85em; margin: 1em 0; }}
th, td {{ border-bottom: 0.5pt solid #999; padding: 2pt 4pt; text-align: left; }}
section.footnotes, aside.footnotes {{ font-size: 0.85em; }}
nav#TOC a::after {{ content: leader('.') target-counter(attr(href), page); }}
nav#TOC ul {{ list-style: none; }}
a {{ color: inherit; text-decoration: none; }}
"""


def pandoc_markdown(manuscript: Path, config: dict) -> str:
    """All parts in reading order as one Pandoc Markdown text: front matter turned into a
    `#` title and an authors line, note labels made unique per part, abbreviations as a
    definition list, the contributors part generated from book.toml, links to parts turned
    into links to their headings, image paths made absolute."""
    import yaml  # a dependency of allianceprint

    contents = config.get("contents", {})
    people = config.get("contributors", {})
    order = [*contents.get("front", []), *contents.get("chapters", []), *contents.get("back", [])]
    ids = {Path(rel).as_posix(): f"part-{n}" for n, rel in enumerate(order, 1)}
    out: list[str] = []
    for n, rel in enumerate(order, 1):
        path = manuscript / rel
        text = path.read_text("utf-8")
        meta: dict = {}
        found = FRONT_MATTER.match(text)
        if found:
            meta = yaml.safe_load(found.group(1)) or {}
            text = text[found.end() :]
        title = meta.get("title")
        body = text.lstrip()
        if title is None and body.startswith("# "):
            title, _, body = body[2:].partition("\n")
        title = str(title or path.stem)
        kind = meta.get("kind", "text")
        body = NOTE_LABEL.sub(lambda m, n=n: f"[^p{n}-{m.group(1)}]", body)

        def relink(m: re.Match, path: Path = path) -> str:
            target = m.group(2)
            if re.match(r"[a-z]+:|#", target):
                return m.group(0)
            file, _, anchor = target.partition("#")
            resolved = (path.parent / file).resolve()
            try:
                key = resolved.relative_to(manuscript.resolve()).as_posix()
            except ValueError:
                key = ""
            if key in ids:
                return m.group(1) + "#" + (anchor or ids[key])
            return m.group(1) + resolved.as_uri()

        body = LINK.sub(relink, body)
        lines = [f"# {title} {{#part-{n}}}", ""]
        authors = [people.get(k, {}).get("name", k) for k in meta.get("authors", [])]
        if authors:
            lines += [f"::: author\n{', '.join(authors)}\n:::", ""]
        if kind == "abbreviations":
            rest = []
            for line in body.splitlines():
                m = re.match(r"\*\[([^\]]+)\]:\s*(.*)", line)
                if m:
                    rest += [m.group(1), f":   {m.group(2)}", ""]
                else:
                    rest.append(line)
            body = "\n".join(rest)
        elif kind == "contributors":
            keys = [*config.get("book", {}).get("editors", []), *people]
            seen: list[str] = []
            for k in keys:
                if k not in seen:
                    seen.append(k)
            entries = []
            for k in seen:
                p = people[k]
                entries.append(f"**{p['name']}**, *{p.get('affiliation', '')}*. {p.get('bio', '')}")
            body = body + "\n\n" + "\n\n".join(entries)
        out += lines + [body.strip(), ""]
    return "\n".join(out) + "\n"


def pandoc_prepare(manuscript: Path, work: Path) -> tuple[Path, Path, str]:
    config = tomllib.loads((manuscript / "book.toml").read_text("utf-8"))
    work.mkdir(parents=True, exist_ok=True)
    md = work / "book.md"
    md.write_text(pandoc_markdown(manuscript, config), encoding="utf-8")
    css = work / "book.css"
    css.write_text(pandoc_css(config), encoding="utf-8")
    return md, css, config.get("book", {}).get("title", "Book")


def pandoc_route(manuscript: Path, work: Path) -> Sample:
    """Concatenation (untimed: a shell one-liner would do), then the three timed commands."""
    if work.exists():
        shutil.rmtree(work)
    md, css, title = pandoc_prepare(manuscript, work)
    pandoc = pypandoc.get_pandoc_path()
    lang = tomllib.loads((manuscript / "book.toml").read_text("utf-8"))["book"]["language"]
    meta = ["--metadata", f"title={title}", "--metadata", f"lang={lang}"]
    html, pdf, epub = work / "book.html", work / "book.pdf", work / "book.epub"
    steps = [
        [
            pandoc,
            str(md),
            "-f",
            "markdown",
            "-t",
            "html5",
            "-s",
            "--toc",
            "--toc-depth=1",
            "--reference-location=section",
            "-c",
            css.name,
            *meta,
            "-o",
            str(html),
        ],
        [str(WEASYPRINT), str(html), str(pdf)],
        [
            pandoc,
            str(md),
            "-f",
            "markdown",
            "-t",
            "epub3",
            "--toc",
            "--toc-depth=1",
            "--split-level=1",
            *meta,
            "-o",
            str(epub),
        ],
    ]
    seconds, peak, cpu = 0.0, 0, 0.0
    for cmd in steps:
        step = measure(cmd, cwd=work)
        seconds += step.seconds
        peak = max(peak, step.peak_pss)
        cpu += step.cpu_seconds
    return Sample(seconds, peak, count_pdf_pages(pdf), pdf.stat().st_size, cpu)


# --- the machine ------------------------------------------------------------------------


def machine() -> dict[str, object]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass

    def version(cmd: list[str]) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
        except OSError:
            return "unknown"

    return {
        "cpu": cpu,
        "logical_cores": psutil.cpu_count(logical=True),
        "physical_cores": psutil.cpu_count(logical=False),
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "os": platform.platform(),
        "python": platform.python_version(),
        "weasyprint": version([str(WEASYPRINT), "--version"]),
        "pandoc": str(pypandoc.get_pandoc_version()),
        "allianceprint": version([str(ALLIANCEPRINT), "--version"]),
    }


# --- the run ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What one run measures."""

    repeat: int = 3
    parts: tuple[str, ...] = PARTS
    pages: int | None = None  # the main book's --pages (None: --manuscript)
    watch_manuscript: Path | None = None  # None: the main book
    watch_edits: int = 20
    cjk_pages: int | None = None  # the Chinese book's pages; None: no CJK part
    seed: int = 1


def run(manuscript: Path, work: Path, plan: Plan, log=print) -> dict[str, object]:
    ours, single_out, pandoc_work = work / "out", work / "out-single", work / "pandoc"
    variants = {
        "cold": Variant("cold", "allianceprint cold build (PDF+EPUB)"),
        "noop": Variant("noop", "allianceprint no-op rebuild"),
        "edit": Variant("edit", "allianceprint rebuild after a one-chapter edit"),
        "single": Variant("single", "allianceprint --single-document, cold (PDF+EPUB)"),
        "pandoc": Variant("pandoc", "Pandoc route (HTML -> WeasyPrint PDF, + EPUB)"),
    }
    if not has_single_document():
        variants["single"].available = False
        variants["single"].why_unavailable = "`allianceprint build --help` has no --single-document"
    chapter = middle_chapter(manuscript)
    at_start = machine()  # the load average before the run

    log(f"warm-up: allianceprint check {manuscript}")
    measure([str(ALLIANCEPRINT), "check", str(manuscript)])

    def ours_chain(rep: int) -> None:
        variants["cold"].samples.append(s := ap_build(manuscript, ours, clean=True))
        log(f"  cold    {s.seconds:7.2f} s  {s.peak_pss / 2**20:7.0f} MiB  pages={s.pages}")
        variants["noop"].samples.append(s := ap_build(manuscript, ours, clean=False))
        log(f"  noop    {s.seconds:7.2f} s  {s.peak_pss / 2**20:7.0f} MiB")
        edit_sentence(chapter, rep)
        variants["edit"].samples.append(s := ap_build(manuscript, ours, clean=False))
        log(
            f"  edit    {s.seconds:7.2f} s  {s.peak_pss / 2**20:7.0f} MiB  "
            f"({chapter.relative_to(manuscript)})"
        )

    def single(rep: int) -> None:
        if not variants["single"].available:
            return
        s = ap_build(manuscript, single_out, clean=True, extra=("--single-document",))
        variants["single"].samples.append(s)
        log(f"  single  {s.seconds:7.2f} s  {s.peak_pss / 2**20:7.0f} MiB  pages={s.pages}")

    def pandoc(rep: int) -> None:
        s = pandoc_route(manuscript, pandoc_work)
        variants["pandoc"].samples.append(s)
        log(f"  pandoc  {s.seconds:7.2f} s  {s.peak_pss / 2**20:7.0f} MiB  pages={s.pages}")

    if "builds" in plan.parts:
        groups = [ours_chain, single, pandoc]
        for rep in range(plan.repeat):
            log(f"repetition {rep + 1}/{plan.repeat}")
            for group in groups[rep % 3 :] + groups[: rep % 3]:
                group(rep)

    ratios = []
    for key, num, den, metric, target, text in RATIOS:
        a, b = variants[num].median(metric), variants[den].median(metric)
        value = a / b if a is not None and b else None
        ratios.append(
            {
                "name": key,
                "description": text,
                "numerator": num,
                "denominator": den,
                "metric": metric,
                "target": target,
                "value": value,
                "pass": None if value is None else value <= target,
            }
        )

    watched = None
    if "watch" in plan.parts:
        log("watch")
        # The main book watched where it was built (its first build then has little to
        # do); a book of --watch-pages from cold.
        own = plan.watch_manuscript is None
        watched = watch_part(
            manuscript if own else plan.watch_manuscript,
            ours if own else work / "out-watch",
            plan.watch_edits,
            log,
        )
        median = watched["median_seconds"]
        ratios.append(
            {
                "name": "watch_median",
                "metric": "watch_seconds",
                "description": f"watch: save -> PDF and EPUB replaced, median of "
                f"{watched['edits']} edits, {watched['pages']} pages "
                "(seconds, not a ratio)",
                "target": WATCH_TARGET_SECONDS,
                "value": median,
                "pass": None if median is None else median <= WATCH_TARGET_SECONDS,
            }
        )
    cjk = None
    if "cjk" in plan.parts and plan.cjk_pages:
        log("cjk")
        same = variants["cold"].samples and plan.cjk_pages == plan.pages
        cjk = cjk_part(
            work, plan.cjk_pages, plan.seed, variants["cold"].samples if same else None, log
        )
        ratios.append(
            {
                "name": "cjk_page_cost",
                "metric": "cpu_seconds_per_page",
                "description": "CPU per page, Chinese book vs English book (cold)",
                "target": CJK_TARGET,
                "value": cjk["ratio"],
                "pass": cjk["ratio"] <= CJK_TARGET,
            }
        )
    return {
        "manuscript": str(manuscript),
        "repeat": plan.repeat,
        "parts": list(plan.parts),
        "machine": at_start,
        "ratios": ratios,
        "variants": {
            v.name: {
                "label": v.label,
                "available": v.available and bool(v.samples),
                "why_unavailable": v.why_unavailable
                or (None if v.samples else "not measured (--parts)"),
                "median_seconds": v.median("seconds"),
                "median_cpu_seconds": v.median("cpu_seconds"),
                "median_peak_pss_mib": (None if not v.samples else v.median("peak_pss") / 2**20),
                "pages": v.samples[-1].pages if v.samples else None,
                "median_pdf_kb": (
                    None if v.median("pdf_bytes") is None else v.median("pdf_bytes") / 1000
                ),
                "median_epub_kb": (
                    None if v.median("epub_bytes") is None else v.median("epub_bytes") / 1000
                ),
                "samples": [
                    {
                        "seconds": s.seconds,
                        "cpu_seconds": s.cpu_seconds,
                        "peak_pss_mib": s.peak_pss / 2**20,
                        "pages": s.pages,
                        "pdf_bytes": s.pdf_bytes,
                        "epub_bytes": s.epub_bytes,
                    }
                    for s in v.samples
                ],
            }
            for v in variants.values()
        },
        "watch": watched,
        "cjk": cjk,
    }


def watch_part(manuscript: Path, output: Path, edits: int, log) -> dict[str, object]:
    """`allianceprint watch` under `edits` saves (bench/watchrun.py)."""
    try:
        result = measure_watch(
            ALLIANCEPRINT,
            manuscript,
            output,
            edit_sentence,
            grow_chapter,
            edits=edits,
            log=log,
            count_pages=count_pdf_pages,
        )
    except WatchBenchError as exc:
        raise BenchError(f"watch: {exc}") from exc
    return result.summary()


def cjk_part(
    work: Path, pages: int, seed: int, english: list[Sample] | None, log
) -> dict[str, object]:
    """The generated book in Chinese and in English, `pages` pages each, built cold (PDF and
    EPUB): CPU seconds per page of each (the English one from `english`, the main book's
    cold builds, when they are of the same size) and their ratio."""
    sys.path.insert(0, str(HERE))
    from generate import generate

    books = {}
    for language in ("zh-Hans", "en-US"):
        if language == "en-US" and english:
            books[language] = english
            continue
        folder = work / f"cjk-{language}"
        generate(folder / "manuscript", pages, seed, language)
        sample = ap_build(folder / "manuscript", folder / "out", clean=True)
        log(
            f"  {language:8s} {sample.seconds:7.2f} s  {sample.cpu_seconds:7.2f} s CPU  "
            f"{sample.peak_pss / 2**20:5.0f} MiB  pages={sample.pages}"
        )
        books[language] = [sample]

    def per_page(samples: list[Sample], metric: str) -> float:
        return statistics.median(getattr(s, metric) / s.pages for s in samples)

    zh, en = books["zh-Hans"], books["en-US"]
    return {
        "pages": {"zh-Hans": zh[-1].pages, "en-US": en[-1].pages},
        "cpu_per_page": {
            "zh-Hans": per_page(zh, "cpu_seconds"),
            "en-US": per_page(en, "cpu_seconds"),
        },
        "wall_per_page": {"zh-Hans": per_page(zh, "seconds"), "en-US": per_page(en, "seconds")},
        "ratio": per_page(zh, "cpu_seconds") / per_page(en, "cpu_seconds"),
        "wall_ratio": per_page(zh, "seconds") / per_page(en, "seconds"),
        "zh_pdf_kb": zh[-1].pdf_bytes / 1000 if zh[-1].pdf_bytes else None,
    }


def report(result: dict[str, object]) -> str:
    m = result["machine"]
    lines = ["", "RATIOS (medians; lower is better)", ""]
    for r in result["ratios"]:
        if r["value"] is None:
            verdict, value = "n/a ", "   unavailable"
        else:
            verdict = "PASS" if r["pass"] else "FAIL"
            value = f"{r['value']:8.3f}" + (" s" if r["metric"] == "watch_seconds" else "x")
        unit = " s" if r["metric"] == "watch_seconds" else "x"
        lines.append(f"  {verdict}  {value}  (target <= {r['target']}{unit})  {r['description']}")
    lines += [
        "",
        (
            f"machine: {m['cpu']}, {m['logical_cores']} logical / "
            f"{m['physical_cores']} physical cores, {m['ram_gb']} GiB RAM, "
            f"load average at start {m['load_average_at_start']}, "
            f"at the end {m.get('load_average_at_end')}"
        ),
        (
            f"         {m['os']}; Python {m['python']}; {m['weasyprint']}; "
            f"Pandoc {m['pandoc']}; {m['allianceprint']}"
        ),
        "",
    ]
    if "builds" in result["parts"]:
        lines += [
            f"DETAIL: {result['manuscript']}, {result['repeat']} repetition(s)",
            "",
            f"  {'variant':<50} {'median s':>9} {'min s':>8} {'max s':>8} "
            f"{'CPU s':>7} {'peak MiB':>9} {'pages':>6} {'PDF kB':>7} {'EPUB kB':>8}",
        ]
        lines += [_detail(v) for v in result["variants"].values()]
    w = result.get("watch")
    if w:
        lines += [
            "",
            (
                f"WATCH: {w['edits']} saves in different chapters of a {w['pages']}-page "
                f"book, {w['page_count_changes']} of them changing the book's page count; "
                "save -> both PDF and EPUB replaced:"
            ),
            (
                f"  median {w['median_seconds']:.2f} s, p90 {w['p90_seconds']:.2f} s, "
                f"max {w['max_seconds']:.2f} s, min {w['min_seconds']:.2f} s; CPU "
                f"{w['median_cpu_seconds'] or 0:.2f} s (median); "
                f"peak memory {w['peak_pss_mib']:.0f} MiB; first build "
                f"{w['first_build_seconds']:.1f} s"
            ),
        ]
        grown = [e for e in w["samples"] if e["kind"] == "grow"]
        for edit in grown:
            lines.append(
                f"  page count: {edit['part']} grew by a paragraph, "
                f"{edit['pages_before']} -> {edit['pages_after']} pages, "
                f"{edit['seconds']:.2f} s"
            )
    c = result.get("cjk")
    if c:
        lines += [
            "",
            "CJK: the generated book in Chinese vs in English, cold build:",
            (
                f"  zh-Hans {c['pages']['zh-Hans']} pages, {c['cpu_per_page']['zh-Hans']:.3f} "
                f"CPU s/page ({c['wall_per_page']['zh-Hans']:.3f} s/page wall); en-US "
                f"{c['pages']['en-US']} pages, {c['cpu_per_page']['en-US']:.3f} CPU s/page "
                f"({c['wall_per_page']['en-US']:.3f} wall): {c['ratio']:.2f}x CPU, "
                f"{c['wall_ratio']:.2f}x wall"
            ),
        ]
    return "\n".join(lines)


def _detail(v: dict[str, object]) -> str:
    """One variant's line of the detail table."""
    if not v["available"]:
        return f"  {v['label']:<50} unavailable: {v['why_unavailable']}"

    def kb(value: float | None) -> str:
        return "-" if value is None else str(round(value))

    times = [s["seconds"] for s in v["samples"]]
    cpu = v["median_cpu_seconds"]
    return (
        f"  {v['label']:<50} {v['median_seconds']:9.2f} {min(times):8.2f} "
        f"{max(times):8.2f} {'-' if cpu is None else f'{cpu:.1f}':>7} "
        f"{v['median_peak_pss_mib']:9.0f} "
        f"{v['pages'] if v['pages'] is not None else '-':>6} "
        f"{kb(v['median_pdf_kb']):>7} {kb(v['median_epub_kb']):>8}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--pages",
        type=int,
        default=None,
        help="generate a synthetic volume of about this many pages (default: 80)",
    )
    source.add_argument(
        "--manuscript",
        type=Path,
        default=None,
        help="use an existing manuscript folder (copied first, never edited)",
    )
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default: 1)")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions (default: 3)")
    parser.add_argument(
        "--parts",
        default=",".join(PARTS),
        help="what to measure, comma-separated: builds (cold, no-op, edit, "
        "single, Pandoc), watch, cjk (default: all)",
    )
    parser.add_argument(
        "--watch-pages",
        type=int,
        default=None,
        help="run the watch part on a generated book of this many pages "
        "(e.g. 200 for a quick run; default: the main book)",
    )
    parser.add_argument(
        "--watch-edits", type=int, default=20, help="saves in the watch part (default: 20)"
    )
    parser.add_argument(
        "--cjk-pages",
        type=int,
        default=None,
        help="pages of the Chinese book (and its English twin; default: --pages, or 200)",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary folder (manuscript and outputs)"
    )
    args = parser.parse_args(argv)
    parts = tuple(part.strip() for part in args.parts.split(",") if part.strip())
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if not parts or any(part not in PARTS for part in parts):
        parser.error(f"--parts: choose from {', '.join(PARTS)}")
    if not ALLIANCEPRINT.exists() or not WEASYPRINT.exists():
        parser.error(f"run this with the venv's Python: {ALLIANCEPRINT} or {WEASYPRINT} is missing")

    work = Path(tempfile.mkdtemp(prefix="allianceprint-bench-"))
    sys.path.insert(0, str(HERE))
    from generate import generate

    try:
        manuscript = work / "manuscript"
        if args.manuscript is not None:
            shutil.copytree(
                args.manuscript, manuscript, ignore=shutil.ignore_patterns("build", ".cache")
            )
            print(f"copied {args.manuscript} to {manuscript}")
        else:
            pages = args.pages or 80
            summary = generate(manuscript, pages, args.seed)
            print(
                f"generated ~{pages} pages into {manuscript}: {summary['chapters']} "
                f"chapters, {summary['words']} words, {summary['notes']} notes"
            )
        watch_manuscript = None
        if "watch" in parts and args.watch_pages is not None:
            watch_manuscript = work / "watch-manuscript"
            generate(watch_manuscript, args.watch_pages, args.seed)
        plan = Plan(
            repeat=args.repeat,
            parts=parts,
            pages=None if args.manuscript is not None else args.pages or 80,
            watch_manuscript=watch_manuscript,
            watch_edits=args.watch_edits,
            cjk_pages=args.cjk_pages or args.pages or 200,
            seed=args.seed,
        )
        result = run(manuscript, work, plan)
        result["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    except BenchError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(report(result))
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
