"""`allianceprint watch`: saves in the manuscript and styles folders -> rebuilds, one line each.

`watch()` builds once, then waits for changes and rebuilds once per burst of them (the
editor's "save all", its write-then-rename: watchfiles gathers them until nothing has changed
for `debounce_ms`). After each build it prints one line on stdout, e.g.

    rebuilt ch-otsuka, ch-lecka in 3.2 s (10 parts from cache)

or `up to date`. After the first build, `warm` (the command's `build.warm_up`) imports what a
rebuild needs, so that the first save does not wait for it. A mistake in the manuscript (`ManuscriptError`) goes to `on_error` (the
command line prints it the way `build` does) and the watching goes on; anything else, and
Ctrl-C (`KeyboardInterrupt`), ends it. Changes come from `file_changes()` (watchfiles) or,
in tests, from any iterable of sets of `(change, path)`.

`WatchFilter` decides which changes count: any file in the watched folders except those in
the output folder (`DIR/build` by default, its cache included), hidden files and folders
(`.git`, `.#chapter.md`, `.DS_Store`) and editors' temporary files (`*.swp`, `*~`, `4913`,
`#chapter.md#`, `*.tmp`).
"""

from __future__ import annotations

import re
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Protocol, TextIO

from allianceprint.errors import ManuscriptError

#: Default quiet time before a rebuild, in milliseconds (`--debounce`).
DEBOUNCE_MS = 200
#: A steady stream of changes still rebuilds at least this often (ms)...
MAX_WAIT_MS = 1600
#: ...or every this many quiet times, if that is longer.
MAX_WAIT_STEPS = 8

#: Names of editors' temporary and backup files: vim (`.swp`, `.swx`, `4913`, `file~`),
#: Emacs (`#file#`, `.#file`), JetBrains (`file___jb_tmp___`), Kate, and `*.tmp`.
EDITOR_TEMP = re.compile(
    r"\.sw[a-z]$|~$|^4913$|^#.*#$|^\.#|___jb_\w+___$|\.kate-swp$"
    r"|\.tmp$",
    re.IGNORECASE,
)
#: Folders that never hold a manuscript's or a style's files.
IGNORED_DIRS = frozenset({"__pycache__", "node_modules"})

FileChange = tuple[object, str]  # (watchfiles.Change, absolute path)


class BuildOutcome(Protocol):
    """What `watch` needs of a build's result (`allianceprint.build.BuildResult`)."""

    @property
    def rendered(self) -> tuple[str, ...]: ...  # ids of the parts laid out in this run

    @property
    def reused(self) -> tuple[str, ...]: ...  # ids of the parts taken from the cache

    @property
    def up_to_date(self) -> bool: ...  # nothing changed since the last build


class WatchFilter:
    """`(change, path) -> bool`: whether a change in one of `roots` calls for a rebuild.
    A watchfiles `watch_filter`; `ignore` are folders (the output) whose changes never do."""

    def __init__(self, roots: Sequence[Path], ignore: Sequence[Path] = ()) -> None:
        self.roots = tuple(root.resolve() for root in roots)
        self.ignore = tuple(path.resolve() for path in ignore)

    def __call__(self, change: object, path: str) -> bool:
        changed = Path(path)
        if not changed.is_absolute():
            changed = changed.resolve()
        if any(changed.is_relative_to(folder) for folder in self.ignore):
            return False
        root = next((root for root in self.roots if changed.is_relative_to(root)), None)
        parts = changed.relative_to(root).parts if root is not None else (changed.name,)
        if not parts:
            return True  # a root itself (created, or deleted: the build says so)
        if any(part.startswith(".") or part in IGNORED_DIRS for part in parts):
            return False
        return EDITOR_TEMP.search(parts[-1]) is None


def file_changes(
    roots: Sequence[Path],
    ignore: Sequence[Path] = (),
    debounce_ms: int = DEBOUNCE_MS,
    stop_event: threading.Event | None = None,
) -> Iterator[AbstractSet[FileChange]]:
    """Sets of changes in `roots` (see `WatchFilter`), one per burst: a set comes once no
    file has changed for `debounce_ms` (or after MAX_WAIT_MS of steady changes). Ends when
    `stop_event` is set; Ctrl-C raises KeyboardInterrupt.

    The folders are being watched when this returns, so that changes made during the first
    build are not missed."""
    import watchfiles

    changes = watchfiles.watch(
        *(root.resolve() for root in roots),
        watch_filter=WatchFilter(roots, ignore),
        step=debounce_ms,
        debounce=max(MAX_WAIT_MS, MAX_WAIT_STEPS * debounce_ms),
        stop_event=stop_event,
        # Wake up now and then with an empty set: the first one says the watcher is up.
        rust_timeout=debounce_ms,
        yield_on_timeout=True,
        raise_interrupt=True,
    )
    next(changes, None)  # may be a real change: the first build comes next anyway
    return changes


def watch(
    manuscript: Path,
    build_once: Callable[[], BuildOutcome],
    changes: Iterable[AbstractSet[FileChange]] | None = None,
    *,
    output: Path | None = None,
    styles: Path | None = None,
    debounce_ms: int = DEBOUNCE_MS,
    stop_event: threading.Event | None = None,
    on_error: Callable[[ManuscriptError], None] | None = None,
    out: TextIO | None = None,
    warm: Callable[[], None] | None = None,
) -> None:
    """Build with `build_once`, then again after each set of changes, until `changes` ends
    or `stop_event` is set. Returns then; Ctrl-C raises KeyboardInterrupt.

    `changes` defaults to `file_changes()` in `manuscript` and `styles`, ignoring `output`
    (default `manuscript/build`). A ManuscriptError from a build goes to `on_error`
    (default: its lines on stderr), and the watching goes on. One line per build goes to
    `out` (default: stdout at the time of the call).
    """
    out = sys.stdout if out is None else out
    report = on_error if on_error is not None else _print_error
    if not manuscript.is_dir():
        raise ManuscriptError("the manuscript folder does not exist; nothing to watch", manuscript)
    roots = [manuscript] + ([styles] if styles is not None and styles.is_dir() else [])
    if changes is None:
        changes = file_changes(
            roots, [output if output is not None else manuscript / "build"], debounce_ms, stop_event
        )
    _run(build_once, report, out, first=True)
    if warm is not None:
        warm()  # the changes meanwhile are not lost: the folders are watched already
    shown = " and ".join(str(root) for root in roots)
    print(f"watching {shown} for changes (Ctrl-C to stop)", file=out, flush=True)
    for batch in changes:
        if stop_event is not None and stop_event.is_set():
            break
        if batch:  # empty: the watcher woke up with nothing to report
            _run(build_once, report, out, first=False)


def summary(result: BuildOutcome, seconds: float, first: bool = False) -> str:
    """The line printed after a build, e.g. `rebuilt ch-otsuka in 3.2 s (10 parts from
    cache)` or `up to date`."""
    if result.up_to_date:
        return "up to date"
    verb = "built" if first else "rebuilt"
    rendered, reused = list(result.rendered), len(result.reused)
    if not rendered:
        what = "the outputs"
    elif len(rendered) > 6 and not reused:
        what = f"all {len(rendered)} parts"
    elif len(rendered) > 6:
        what = f"{', '.join(rendered[:4])} and {len(rendered) - 4} more parts"
    else:
        what = ", ".join(rendered)
    cache = f" ({reused} part{'' if reused == 1 else 's'} from cache)" if reused else ""
    return f"{verb} {what} in {seconds:.1f} s{cache}"


def _run(
    build_once: Callable[[], BuildOutcome],
    report: Callable[[ManuscriptError], None],
    out: TextIO,
    first: bool,
) -> None:
    started = time.monotonic()
    try:
        result = build_once()
    except ManuscriptError as exc:
        report(exc)  # the editor fixes it and saves again: the watching goes on
        return
    print(summary(result, time.monotonic() - started, first), file=out, flush=True)


def _print_error(exc: ManuscriptError) -> None:
    print(exc, file=sys.stderr, flush=True)  # one `path:line:column: error: ...` per line
