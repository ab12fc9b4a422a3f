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

Peak memory is the largest sum of PSS (proportional set size: a page shared by several
processes, as forked workers share their parent's, is split among them) over the process
and all its descendants, sampled every 20 ms with psutil. The report gives medians, and above all ratios against targets.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
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

try:
    import psutil
    import pypandoc
except ImportError as exc:  # pragma: no cover - a message, not a traceback
    sys.exit(f"bench/run.py needs the bench extras: pip install -e '.[bench]' ({exc})")

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
ALLIANCEPRINT = BIN / "allianceprint"
WEASYPRINT = BIN / "weasyprint"
SAMPLE_EVERY = 0.02

# ratio name -> (numerator variant, denominator variant, metric, target, description)
RATIOS = [
    ("cold_vs_pandoc", "cold", "pandoc", "seconds", 0.45,
     "cold PDF+EPUB build vs the Pandoc route"),
    ("edit_vs_cold", "edit", "cold", "seconds", 0.15,
     "rebuild after a one-chapter edit vs cold build"),
    ("noop_vs_cold", "noop", "cold", "seconds", 0.05,
     "no-op rebuild vs cold build"),
    ("memory_vs_single", "cold", "single", "peak_pss", 0.5,
     "peak memory (cold build) vs --single-document"),
    ("size_vs_single", "cold", "single", "pdf_bytes", 1.1,
     "PDF file size (pieces merged) vs --single-document"),
]


@dataclass
class Sample:
    seconds: float
    peak_pss: int  # bytes
    pages: int | None = None
    pdf_bytes: int | None = None  # the size of the PDF it wrote


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

def measure(cmd: list[str], cwd: Path | None = None) -> tuple[float, int, str]:
    """Run `cmd`; return (wall seconds, peak PSS of its process tree in bytes, stdout).
    A non-zero exit raises BenchError with the command's stderr."""
    start = time.perf_counter()
    proc = psutil.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            total = 0
            try:
                procs = [proc] + proc.children(recursive=True)
            except psutil.Error:
                procs = [proc]
            for p in procs:
                try:
                    # PSS: a page shared by forked workers counts once, split among them
                    # (summed RSS would count the parent's pages again in every worker).
                    total += p.memory_full_info().pss
                except psutil.Error:
                    pass
            peak = max(peak, total)
            done.wait(SAMPLE_EVERY)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise BenchError(f"{' '.join(map(str, cmd))} exited with {proc.returncode}:\n"
                         + err.decode(errors="replace")[-3000:])
    return elapsed, peak, out.decode(errors="replace")


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
    help_text = subprocess.run([str(ALLIANCEPRINT), "build", "--help"], capture_output=True,
                               text=True, check=False).stdout
    return "--single-document" in help_text


def ap_build(manuscript: Path, out: Path, *, clean: bool, extra: tuple[str, ...] = ()) -> Sample:
    if clean and out.exists():
        shutil.rmtree(out)  # everything, OUT/.cache included
    seconds, peak, stdout = measure([str(ALLIANCEPRINT), "build", str(manuscript),
                                     "--output", str(out), *extra])
    pdfs = sorted(out.glob("*.pdf"))
    return Sample(seconds, peak, pdf_pages(stdout), pdfs[0].stat().st_size if pdfs else None)


def middle_chapter(manuscript: Path) -> Path:
    contents = tomllib.loads((manuscript / "book.toml").read_text("utf-8")).get("contents", {})
    chapters = contents.get("chapters") or contents.get("front") or []
    if not chapters:
        raise BenchError("book.toml lists no chapters to edit")
    return manuscript / chapters[len(chapters) // 2]


EDIT_WORDS = ["provisional", "durable", "layered", "quiet", "reciprocal", "uneven",
              "deliberate", "gradual", "visible", "collective", "cautious", "modest"]


def edit_sentence(path: Path, repetition: int) -> str:
    """Replace one sentence in the middle paragraph of `path` with a new one (different for
    each repetition). Returns the new sentence."""
    text = path.read_text("utf-8")
    lines = text.split("\n")
    body_start = 0
    if lines and lines[0].strip() == "---":
        body_start = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), 0) + 1
    paragraphs = [i for i in range(body_start, len(lines))
                  if len(lines[i]) > 200 and lines[i][:1].isalpha()
                  and not lines[i].startswith(("Table:",)) and "|" not in lines[i][:2]]
    if not paragraphs:
        raise BenchError(f"{path}: no paragraph to edit")
    index = paragraphs[len(paragraphs) // 2]
    line = lines[index]
    sentences = re.split(r"(?<=[.!?]) (?=[A-Z])", line)
    # the middle sentence, preferring one without notes or abbreviations (so that the edit
    # leaves the checks' findings alone); note references are kept in any case
    plain = [i for i, x in enumerate(sentences)
             if "[^" not in x and not re.search(r"\b[A-Z]{2,}\b", x)]
    target = plain[len(plain) // 2] if plain else len(sentences) // 2
    word = EDIT_WORDS[repetition % len(EDIT_WORDS)]
    new = (f"In revision {repetition + 1} of this draft the argument became more {word} "
           f"than before, and the {word} reading is the one kept here.")
    new += "".join(re.findall(r"\[\^[^\]]+\]", sentences[target]))
    sentences[target] = new
    lines[index] = " ".join(sentences)
    path.write_text("\n".join(lines), encoding="utf-8")
    return new


# --- the Pandoc route ---------------------------------------------------------------------

FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n(?:---|\.\.\.)\s*\n", re.DOTALL)
NOTE_LABEL = re.compile(r"\[\^([^\]\s]+)\]")
LINK = re.compile(r"(\]\()([^)\s]+)")


def pandoc_css(config: dict) -> str:
    """6x9 page and allianceprint's default margins and size, folios in margin boxes."""
    p = config.get("print", {})
    size = {"6x9": "6in 9in", "a5": "A5", "a4": "A4", "letter": "letter", "b5": "B5"}.get(
        str(p.get("trim", "6x9")).lower(), p.get("trim", "6in 9in"))
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
    order = [*contents.get("front", []), *contents.get("chapters", []),
             *contents.get("back", [])]
    ids = {Path(rel).as_posix(): f"part-{n}" for n, rel in enumerate(order, 1)}
    out: list[str] = []
    for n, rel in enumerate(order, 1):
        path = manuscript / rel
        text = path.read_text("utf-8")
        meta: dict = {}
        found = FRONT_MATTER.match(text)
        if found:
            meta = yaml.safe_load(found.group(1)) or {}
            text = text[found.end():]
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
                entries.append(f"**{p['name']}**, *{p.get('affiliation', '')}*. "
                               f"{p.get('bio', '')}")
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
        [pandoc, str(md), "-f", "markdown", "-t", "html5", "-s", "--toc", "--toc-depth=1",
         "--reference-location=section", "-c", css.name, *meta, "-o", str(html)],
        [str(WEASYPRINT), str(html), str(pdf)],
        [pandoc, str(md), "-f", "markdown", "-t", "epub3", "--toc", "--toc-depth=1",
         "--split-level=1", *meta, "-o", str(epub)],
    ]
    seconds, peak = 0.0, 0
    for cmd in steps:
        s, p, _ = measure(cmd, cwd=work)
        seconds += s
        peak = max(peak, p)
    return Sample(seconds, peak, count_pdf_pages(pdf))


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
            return subprocess.run(cmd, capture_output=True, text=True,
                                  check=False).stdout.strip()
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

def run(manuscript: Path, work: Path, repeat: int, log=print) -> dict[str, object]:
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

    log(f"warm-up: allianceprint check {manuscript}")
    measure([str(ALLIANCEPRINT), "check", str(manuscript)])

    def ours_chain(rep: int) -> None:
        variants["cold"].samples.append(s := ap_build(manuscript, ours, clean=True))
        log(f"  cold    {s.seconds:7.2f} s  {s.peak_pss / 2**20:7.0f} MiB  pages={s.pages}")
        variants["noop"].samples.append(s := ap_build(manuscript, ours, clean=False))
        log(f"  noop    {s.seconds:7.2f} s  {s.peak_pss / 2**20:7.0f} MiB")
        edit_sentence(chapter, rep)
        variants["edit"].samples.append(s := ap_build(manuscript, ours, clean=False))
        log(f"  edit    {s.seconds:7.2f} s  {s.peak_pss / 2**20:7.0f} MiB  "
            f"({chapter.relative_to(manuscript)})")

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

    groups = [ours_chain, single, pandoc]
    for rep in range(repeat):
        log(f"repetition {rep + 1}/{repeat}")
        for group in groups[rep % 3:] + groups[: rep % 3]:
            group(rep)

    ratios = []
    for key, num, den, metric, target, text in RATIOS:
        a, b = variants[num].median(metric), variants[den].median(metric)
        value = a / b if a is not None and b else None
        ratios.append({"name": key, "description": text, "numerator": num,
                       "denominator": den, "metric": metric, "target": target,
                       "value": value,
                       "pass": None if value is None else value <= target})
    return {
        "manuscript": str(manuscript),
        "repeat": repeat,
        "machine": machine(),
        "ratios": ratios,
        "variants": {
            v.name: {"label": v.label, "available": v.available,
                     "why_unavailable": v.why_unavailable or None,
                     "median_seconds": v.median("seconds"),
                     "median_peak_pss_mib": (None if not v.samples
                                             else v.median("peak_pss") / 2**20),
                     "pages": v.samples[-1].pages if v.samples else None,
                     "median_pdf_kb": (None if v.median("pdf_bytes") is None
                                       else v.median("pdf_bytes") / 1000),
                     "samples": [{"seconds": s.seconds, "peak_pss_mib": s.peak_pss / 2**20,
                                  "pages": s.pages, "pdf_bytes": s.pdf_bytes}
                                 for s in v.samples]}
            for v in variants.values()},
    }


def report(result: dict[str, object]) -> str:
    m = result["machine"]
    lines = ["", "RATIOS (medians; lower is better)", ""]
    for r in result["ratios"]:
        if r["value"] is None:
            verdict, value = "n/a ", "   unavailable"
        else:
            verdict = "PASS" if r["pass"] else "FAIL"
            value = f"{r['value']:8.3f}x"
        lines.append(f"  {verdict}  {value}  (target <= {r['target']}x)  {r['description']}")
    lines += ["", (f"machine: {m['cpu']}, {m['logical_cores']} logical / "
                   f"{m['physical_cores']} physical cores, {m['ram_gb']} GiB RAM, "
                   f"load average at start {m['load_average_at_start']}"),
              (f"         {m['os']}; Python {m['python']}; {m['weasyprint']}; "
               f"Pandoc {m['pandoc']}; {m['allianceprint']}"),
              "", f"DETAIL: {result['manuscript']}, {result['repeat']} repetition(s)", ""]
    lines.append(f"  {'variant':<50} {'median s':>9} {'min s':>8} {'max s':>8} "
                 f"{'peak MiB':>9} {'pages':>6} {'PDF kB':>7}")
    for v in result["variants"].values():
        if not v["available"]:
            lines.append(f"  {v['label']:<50} unavailable: {v['why_unavailable']}")
            continue
        times = [s["seconds"] for s in v["samples"]]
        lines.append(f"  {v['label']:<50} {v['median_seconds']:9.2f} {min(times):8.2f} "
                     f"{max(times):8.2f} {v['median_peak_pss_mib']:9.0f} "
                     f"{v['pages'] if v['pages'] is not None else '-':>6} "
                     f"{'-' if v['median_pdf_kb'] is None else round(v['median_pdf_kb']):>7}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--pages", type=int, default=None,
                        help="generate a synthetic volume of about this many pages "
                             "(default: 80)")
    source.add_argument("--manuscript", type=Path, default=None,
                        help="use an existing manuscript folder (copied first, never edited)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default: 1)")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions (default: 3)")
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary folder (manuscript and outputs)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if not ALLIANCEPRINT.exists() or not WEASYPRINT.exists():
        parser.error(f"run this with the venv's Python: {ALLIANCEPRINT} or {WEASYPRINT} "
                     "is missing")

    work = Path(tempfile.mkdtemp(prefix="allianceprint-bench-"))
    try:
        manuscript = work / "manuscript"
        if args.manuscript is not None:
            shutil.copytree(args.manuscript, manuscript,
                            ignore=shutil.ignore_patterns("build", ".cache"))
            print(f"copied {args.manuscript} to {manuscript}")
        else:
            sys.path.insert(0, str(HERE))
            from generate import generate

            pages = args.pages or 80
            summary = generate(manuscript, pages, args.seed)
            print(f"generated ~{pages} pages into {manuscript}: {summary['chapters']} "
                  f"chapters, {summary['words']} words, {summary['notes']} notes")
        result = run(manuscript, work, args.repeat)
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
