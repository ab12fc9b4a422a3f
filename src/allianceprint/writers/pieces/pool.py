"""`PieceJob`s -> their `PieceLayout`s: each taken from the cache when a record there
matches it (key, PDF hash, seal), else laid out in a pool of processes, one per core (forked:
the workers inherit the book), the longest piece first. `Runner.start` runs one more job
(the merge) in a process of its own once the layouts are done. A worker that dies (killed,
out of memory) ends the build with a clear error instead of a wait for ever; Ctrl-C and
SIGTERM stop every worker.

`EarlyWorkers`: a build in a process that has not imported WeasyPrint (a command run from
the shell) starts its workers before it renders the book, and each imports WeasyPrint (most
of a second, its text library's declarations parsed) while this process renders and checks
the book, which needs none of it. The Runner then takes them. With the printer's PDF too,
its edition's workers start while the reading edition is merged. A process that has imported
it (`watch`, warmed up) forks its workers when it needs them, even for a single piece:
the process that lays a piece out with WeasyPrint 70 keeps about 1.4 MiB of it for good
(garbage collected, its memory trimmed), which a watch left running all day would pile up;
a worker gives it back when it ends with the build. Only with one core is everything laid
out in this process."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import multiprocessing
import multiprocessing.pool
import os
import queue
import signal
import sys
from dataclasses import dataclass, replace
from typing import Callable, Iterator

from allianceprint import renderlog
from allianceprint.cachefolder import CacheFolder, Untrusted, user_key
from allianceprint.errors import ManuscriptError
from allianceprint.progress import Progress
from allianceprint.writers.pieces.records import (
    RECORD_SHAPE,
    PieceJob,
    PieceLayout,
    pdf_sha256,
)


class EarlyWorkers:
    """Layout workers forked before the book is rendered (see the module's docstring), or
    none where they would not help; ended unused if the build stops before it lays out."""

    def __init__(self, workers: int | None = None) -> None:
        count = max(1, workers or _cores())
        self.pool = None
        if count > 1 and "weasyprint" not in sys.modules:
            self.pool = _fork_pool(count, early=True)

    def take(self):
        """The started pool (None: none was started, or it was taken), now the caller's."""
        pool, self.pool = self.pool, None
        return pool

    def close(self) -> None:
        """End the workers if nobody took them (every piece was in the cache, or the build
        stopped before it laid out)."""
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None

    def __enter__(self) -> EarlyWorkers:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Runner:
    """Lays out pieces: from the cache when it holds them, else in a pool of processes (the
    `early` workers when given)."""

    def __init__(
        self,
        cache: CacheFolder,
        workers: int | None,
        progress: Progress,
        early: EarlyWorkers | None = None,
    ) -> None:
        self.folder = cache
        self.cache = cache.pieces
        self.workers = max(1, workers or _cores())
        self.progress = progress
        self.pool = None
        self.early = early or EarlyWorkers(1)  # one worker: none started
        self.broken = False  # a worker died: the pool must be ended with care
        self.used: set[str] = set()
        # What WeasyPrint logged for each piece (from the cache too: a warning does not go
        # away because the piece was not laid out again), for renderlog.findings.
        self.logged: list[tuple[str, tuple[renderlog.Record, ...]]] = []

    def __enter__(self) -> Runner:
        self.cache.mkdir(parents=True, exist_ok=True)
        user_key()  # read before the workers start: they seal what they write with it
        return self

    def __exit__(self, kind, value, traceback) -> None:
        self.early.close()
        if self.pool is not None and self.broken:
            self._abandon()
        elif self.pool is not None:
            if kind is None:
                self.pool.close()
            else:
                self.pool.terminate()  # interrupted or failed: stop the others at once
            self.pool.join()
        if kind is not None:  # what the stopped workers were writing
            for temporary in self.cache.glob(".*.part"):
                temporary.unlink(missing_ok=True)

    def run(self, stage: str, jobs: list[PieceJob]) -> dict[str, PieceLayout]:
        """Lay out `jobs` (the longest first); their layouts by piece."""
        done: dict[str, PieceLayout] = {}
        todo = []
        self.used.update(job.key for job in jobs)
        for job in jobs:
            cached = self._cached(job)
            if cached is not None:
                done[job.piece] = cached
            else:
                todo.append(job)
        for layout in done.values():
            self.logged.append((layout.piece, layout.logs))
        if not todo:
            return done
        todo.sort(key=lambda job: len(job.html), reverse=True)
        with self.progress.stage(stage, total=len(todo)) as progress:
            for layout in self._lay_out(todo):
                self.logged.append((layout.piece, layout.logs))
                done[layout.piece] = layout
                progress.advance(layout.piece)
        return done

    def start(self, function: Callable, *args) -> Callable[[], object]:
        """Begin `function(*args)` in a process of its own, once the layout workers have
        ended (they keep the memory of the longest piece each laid out); return what waits
        for its result."""
        if self.workers == 1:
            result = function(*args)
            return lambda: result
        self.early.close()
        if self.pool is not None:
            self.pool.close()
            self.pool.join()
        self.pool = None
        self._ensure_pool(1)
        return functools.partial(self._wait, self.pool.apply_async(function, args).get)

    def _wait(self, get: Callable[[float], object]) -> object:
        """What `get(timeout)` gives, asked again each second until it comes; a worker that
        died meanwhile (killed, out of memory) ends the wait with an error, where the pool
        would wait for ever for its result."""
        while True:
            try:
                return get(1.0)
            except (queue.Empty, multiprocessing.TimeoutError):
                # Pool keeps its processes in `_pool` (private, but stable since Python 3.2)
                # and replaces a dead one at once: a dead or new process is one that died.
                processes = getattr(self.pool, "_pool", [])
                if (
                    any(process.exitcode is not None for process in processes)
                    or {process.pid for process in processes} != self.pids
                ):
                    self.broken = True
                    raise ManuscriptError(
                        "a layout process ended without finishing (killed, or out of "
                        "memory?): nothing was written; build again, with fewer other "
                        "programs running"
                    ) from None

    def _abandon(self) -> None:
        """End a pool one of whose workers died. `terminate` could wait for ever: the dead
        worker may hold a lock of the pool's queues. So the pool stops replacing workers,
        its workers are killed, and it is left to its (daemon) threads, never joined."""
        pool, self.pool = self.pool, None
        handler = getattr(pool, "_worker_handler", None)
        if handler is not None:
            handler._state = multiprocessing.pool.TERMINATE
            handler.join(2)  # it looks every 0.1 s
        for process in getattr(pool, "_pool", []):
            if process.exitcode is None:
                process.kill()
                process.join(5)
        finalizer = getattr(pool, "_terminate", None)
        if finalizer is not None:
            finalizer.cancel()  # else it would try `terminate` at exit, and wait
        pool._state = multiprocessing.pool.TERMINATE

    def _ensure_pool(self, workers: int | None = None) -> None:
        if self.pool is None:
            self.pids: set[int] = set()
            self.pool = self.early.take() or _fork_pool(workers or self.workers)
            self.pids = {process.pid for process in getattr(self.pool, "_pool", [])}

    def _lay_out(self, jobs: list[PieceJob]) -> Iterator[PieceLayout]:
        if self.workers == 1:
            for job in jobs:
                yield lay_out_piece(job)
            return
        self._ensure_pool()
        results: queue.Queue = queue.Queue()
        for job in jobs:
            self.pool.apply_async(
                lay_out_piece,
                (job,),
                callback=results.put,
                error_callback=lambda exc: results.put(_Failed(exc)),
            )
        for _ in jobs:
            item = self._wait(lambda timeout: results.get(timeout=timeout))
            if isinstance(item, _Failed):
                raise item.error
            yield item

    def _cached(self, job: PieceJob) -> PieceLayout | None:
        record = job.pdf.with_suffix(".json")
        data = self.folder.read_json(record, RECORD_SHAPE)
        if data is None:
            return None  # none, or foreign or damaged: laid out again and overwritten
        try:
            layout = PieceLayout.from_data(data)
            if layout.key != job.key or layout.pdf.name != job.pdf.name:
                raise Untrusted("the record of another piece")
            if pdf_sha256(job.pdf) != data["pdf_sha256"]:
                raise Untrusted("the PDF is not the one laid out")
        except (Untrusted, RecursionError):
            self.folder.rejected.add(record)
            return None
        return replace(layout, piece=job.piece, pdf=job.pdf)  # the folder may have moved


@dataclass
class _Failed:
    error: BaseException


def lay_out_piece(job: PieceJob) -> PieceLayout:
    """writers.pieces.layout.lay_out_piece, imported where it runs (it imports WeasyPrint)."""
    from allianceprint.writers.pieces.layout import lay_out_piece

    return lay_out_piece(job)


def _fork_pool(workers: int, early: bool = False):
    """A pool of `workers` forked processes; `early`: each imports WeasyPrint as it starts."""
    # Frozen, the objects the workers inherit are never scanned by their garbage
    # collector, which would otherwise copy the pages they lie on into each worker.
    gc.collect()
    gc.freeze()
    try:
        return multiprocessing.get_context("fork").Pool(
            workers, initializer=_worker_start, initargs=(os.getpid(), early)
        )
    finally:
        gc.unfreeze()


def _worker_start(parent: int, early: bool) -> None:
    """Workers leave Ctrl-C and SIGTERM to the main process, which stops them, and end
    with it if it is killed (Linux: the kernel sends them SIGTERM). Early ones import
    what a layout needs now, while the main process is still rendering the book."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # killed before the request was made
            os._exit(1)
    if early:
        import allianceprint.writers.pieces.layout  # noqa: F401  (WeasyPrint)

        gc.freeze()  # as a forked worker's inherited modules are: never scanned again


_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _cores() -> int:
    """The cores this process may run on (fewer than the machine's in a container)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
