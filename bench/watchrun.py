"""`allianceprint watch` under a stream of saves: how long until both outputs are new.

Used by bench/run.py (its watch part). `measure_watch` starts `allianceprint watch DIR
--output OUT` as a process of its own, waits until it says it is watching (its first build
done), then makes `edits` saves, one at a time, each in another part (the book's chapters in
turn, spread over the book), and for each measures, from the moment before the file is
written, the time until BOTH the PDF and the EPUB in OUT have been replaced (a new inode or
modification time: the build moves them into place only when both are written). One save in
`grow_every` adds a paragraph of about 600 words (1.5–2 pages) instead of changing a
sentence, so that the part's page count changes and, unless the part grows into the blank
page before the next one, every page after it moves (the book's page count, before and
after, tells which). It also records the line the
watch printed for each rebuild and the peak PSS of its process tree over all the edits.
"""

from __future__ import annotations

import os
import queue
import signal
import statistics
import subprocess
import threading
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil

#: How often the outputs' state is looked at while a rebuild runs (seconds).
POLL = 0.01
#: How long the first build (cold) and each rebuild may take before the run gives up.
FIRST_BUILD_TIMEOUT = 3600.0
EDIT_TIMEOUT = 600.0


class WatchBenchError(Exception):
    pass


@dataclass
class WatchEdit:
    part: str  # the file edited, relative to the manuscript
    kind: str  # "sentence" or "grow" (a paragraph added: the page count changes)
    seconds: float  # save -> both outputs replaced
    reported: str  # the line the watch printed
    cpu_seconds: float | None = None  # the watch's and its children's, save -> line printed
    pages_before: int | None = None
    pages_after: int | None = None


@dataclass
class WatchResult:
    pages: int | None
    edits: list[WatchEdit] = field(default_factory=list)
    peak_pss: int = 0  # bytes, over the edits (the first build not included)
    first_build_seconds: float = 0.0

    def times(self) -> list[float]:
        return [edit.seconds for edit in self.edits]

    def summary(self) -> dict[str, object]:
        times = sorted(self.times())
        return {
            "pages": self.pages,
            "edits": len(times),
            "median_seconds": statistics.median(times) if times else None,
            "p90_seconds": percentile(times, 0.9) if times else None,
            "max_seconds": max(times) if times else None,
            "min_seconds": min(times) if times else None,
            "median_cpu_seconds": statistics.median(
                e.cpu_seconds for e in self.edits if e.cpu_seconds is not None
            )
            if any(e.cpu_seconds is not None for e in self.edits)
            else None,
            "peak_pss_mib": self.peak_pss / 2**20,
            "first_build_seconds": self.first_build_seconds,
            "page_count_changes": sum(
                1
                for e in self.edits
                if e.pages_before is not None and e.pages_before != e.pages_after
            ),
            "samples": [vars(edit) for edit in self.edits],
        }


def percentile(sorted_values: list[float], fraction: float) -> float:
    """The value below which `fraction` of the values lie (nearest rank, as one reads
    "p90 of 20 edits": the 18th smallest)."""
    rank = max(1, -(-len(sorted_values) * fraction // 1))  # ceil
    return sorted_values[int(rank) - 1]


def edited_parts(manuscript: Path, count: int) -> list[str]:
    """`count` part files to edit in turn: the chapters, spread over the book (each a
    different chapter while there are enough of them)."""
    contents = tomllib.loads((manuscript / "book.toml").read_text("utf-8"))["contents"]
    chapters = list(contents.get("chapters", []))
    if not chapters:
        raise WatchBenchError("book.toml lists no chapters to edit")
    # A stride that is prime to the number of chapters visits all of them before repeating.
    stride = next(s for s in (7, 5, 3, 11, 13, 1) if len(chapters) % s or s == 1)
    return [chapters[(i * stride) % len(chapters)] for i in range(count)]


def measure_watch(
    allianceprint: Path,
    manuscript: Path,
    output: Path,
    edit_sentence: Callable[[Path, int], str],
    grow: Callable[[Path, int], str],
    edits: int = 20,
    grow_every: int = 10,
    log: Callable[[str], None] = print,
    count_pages: Callable[[Path], int | None] = lambda _: None,
) -> WatchResult:
    """Run the watch, make `edits` saves, measure each (see the module's docstring)."""
    command = [str(allianceprint), "watch", str(manuscript), "--output", str(output)]
    started = time.perf_counter()
    proc = psutil.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1
    )
    lines: queue.Queue[str | None] = queue.Queue()
    errors: list[str] = []

    def read_stdout() -> None:
        for line in proc.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    def read_stderr() -> None:
        for line in proc.stderr:
            errors.append(line.rstrip("\n"))

    threading.Thread(target=read_stdout, daemon=True).start()
    threading.Thread(target=read_stderr, daemon=True).start()
    peak = [0]
    sampling = threading.Event()
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            if sampling.is_set():
                peak[0] = max(peak[0], tree_pss(proc))
            done.wait(0.05)  # light: the sampling competes with the watch for the cores

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()

    def next_line(timeout: float) -> str:
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            raise WatchBenchError(f"the watch said nothing for {timeout:.0f} s") from None
        if line is None:
            raise WatchBenchError("the watch ended:\n" + "\n".join(errors[-20:]))
        return line

    result = WatchResult(pages=None)
    try:
        deadline = time.perf_counter() + FIRST_BUILD_TIMEOUT
        while not (line := next_line(deadline - time.perf_counter())).startswith("watching"):
            if "error" in line:
                raise WatchBenchError(f"first build: {line}")
        result.first_build_seconds = time.perf_counter() - started
        pdf, epub = _outputs(output)
        result.pages = count_pages(pdf)
        log(
            f"  watch: first build and warm-up {result.first_build_seconds:.1f} s, "
            f"{result.pages} pages"
        )
        sampling.set()
        for index, rel in enumerate(edited_parts(manuscript, edits)):
            kind = "grow" if grow_every and index % grow_every == grow_every - 1 else "sentence"
            before = (_state(pdf), _state(epub))
            pages_before = count_pages(pdf) if kind == "grow" else None
            time.sleep(0.3)  # a save comes after a pause, not in the same burst as the last
            cpu0 = _cpu(proc)
            t0 = time.perf_counter()
            (grow if kind == "grow" else edit_sentence)(manuscript / rel, 1000 + index)
            seen: dict[str, float] = {}
            limit = t0 + EDIT_TIMEOUT
            while len(seen) < 2:
                now = time.perf_counter()
                for name, path, old in (("pdf", pdf, before[0]), ("epub", epub, before[1])):
                    if name not in seen and _state(path) != old:
                        seen[name] = now - t0
                if now > limit:
                    raise WatchBenchError(
                        f"edit {index + 1} ({rel}): outputs not replaced "
                        f"after {EDIT_TIMEOUT:.0f} s; stderr:\n" + "\n".join(errors[-20:])
                    )
                time.sleep(POLL)
            reported = next_line(EDIT_TIMEOUT)
            if not reported.startswith(("rebuilt", "built")):
                raise WatchBenchError(f"edit {index + 1} ({rel}): {reported}")
            cpu = _cpu(proc)
            edit = WatchEdit(
                rel,
                kind,
                max(seen.values()),
                reported,
                None if cpu is None or cpu0 is None else cpu - cpu0,
                pages_before,
                count_pages(pdf) if kind == "grow" else None,
            )
            result.edits.append(edit)
            pages = f", pages {edit.pages_before} -> {edit.pages_after}" if kind == "grow" else ""
            log(
                f"  watch edit {index + 1:2d} {kind:8s} {edit.seconds:6.2f} s  {rel}  "
                f"[{reported}]{pages}"
            )
    finally:
        sampling.clear()
        done.set()
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(30)
            except psutil.TimeoutExpired:
                proc.kill()
        sampler.join()
    result.peak_pss = peak[0]
    return result


def tree_pss(proc: psutil.Process) -> int:
    """The PSS of `proc` and all its descendants, in bytes. PSS: a page that forked workers
    share with their parent counts once, split among them (summed RSS would count the
    parent's pages again in every worker)."""
    try:
        procs = [proc] + proc.children(recursive=True)
    except psutil.Error:
        procs = [proc]
    total = 0
    for p in procs:
        try:
            total += p.memory_full_info().pss
        except psutil.Error:  # ended meanwhile
            pass
    return total


def _cpu(proc: psutil.Process) -> float | None:
    """The CPU seconds of the watch and of its children that have ended (the merge's
    process, a layout worker): steadier than the clock on a shared machine."""
    try:
        times = proc.cpu_times()
    except psutil.Error:
        return None
    return times.user + times.system + times.children_user + times.children_system


def _outputs(output: Path) -> tuple[Path, Path]:
    pdfs = [p for p in output.glob("*.pdf") if not p.name.endswith("-print.pdf")]
    epubs = list(output.glob("*.epub"))
    if len(pdfs) != 1 or len(epubs) != 1:
        raise WatchBenchError(
            f"{output}: expected one PDF and one EPUB, found {[p.name for p in pdfs + epubs]}"
        )
    return pdfs[0], epubs[0]


def _state(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)
