"""An output folder -> its cache folder: where a build keeps what the next one may reuse.

Nothing is read from the cache unless this user's own build wrote it. The cache sits in
the output folder, which by default is inside the manuscript folder, and manuscript folders
travel (zips, repositories): a `build/.cache` that arrives with one could put HTML that is in
no source file, or another file of the user's, into the outputs. So every cache file is
sealed: it begins with an HMAC-SHA256 of its name and its content under a key of this
user's, kept outside every manuscript (`$XDG_CONFIG_HOME/allianceprint/cache.key`, made
0600 on first use). A file whose seal does not match, or whose content does not have the
shape its reader expects (`checked`), is ignored and made again; the build then says once
how many it ignored (see docs/safety.md).

`<output>/.cache` holds the stamp (stamp.py: is the last build current?), the rendered
parts (rendercache.py: `render/<key>.json`), what the checks found in each part
(checkcache.py: `checks.json`) and the laid-out pieces of the PDF
(writers/pieces: `pieces/<key>.pdf` with `pieces/<key>.json`). `CacheFolder` names
those paths, so that no other module builds them; `write_atomically` is how every file of
the cache (and every output) is written (`write_all_atomically` for several that go
together): into a `.NAME.PID.part` file beside it, moved onto
its name in one step once complete, so that a reader never sees half a file and an
interrupted writer leaves at most a `.part` file, which the next good build removes.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import hmac
import json
import logging
import os
import secrets
from pathlib import Path
from typing import Any, Callable, Mapping

from allianceprint.errors import Diagnostic, ManuscriptError

CACHE = ".cache"  # the cache folder's name, under the output folder
KEY_NAME = "cache.key"
_SEAL = b"allianceprint-seal-1 "  # a sealed file: this, 64 hex digits, a newline, content

log = logging.getLogger("allianceprint")


class Untrusted(ValueError):
    """A cache file this user's builds did not write, or that was damaged since."""


def key_folder() -> Path:
    """Where the user's cache key lives: `$XDG_CONFIG_HOME/allianceprint` (~/.config)."""
    config = os.environ.get("XDG_CONFIG_HOME") or ""
    base = Path(config) if os.path.isabs(config) else Path.home() / ".config"
    return base / "allianceprint"


@functools.cache
def _key_in(folder: Path) -> bytes:
    path = folder / KEY_NAME
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileExistsError:
            pass
        else:  # the first build of this user: a new key
            with os.fdopen(handle, "wb") as made:
                made.write(secrets.token_bytes(32))
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(handle, "rb") as opened:
            key = opened.read(65)
        if len(key) >= 32 and len(key) <= 64:
            return key
    except OSError:
        pass
    # No key can be kept (a read-only home, say): one for this process only, so that
    # nothing from the cache is trusted and every build is a full one.
    return secrets.token_bytes(32)


def user_key() -> bytes:
    """This user's cache key (made on first use). Read it before starting worker processes:
    they inherit it."""
    return _key_in(key_folder())


def seal(name: str, content: bytes) -> bytes:
    """`content` as a cache file named `name` holds it: with its seal."""
    mac = (
        hmac.new(
            user_key(), name.encode("utf-8", "surrogateescape") + b"\0" + content, hashlib.sha256
        )
        .hexdigest()
        .encode()
    )
    return _SEAL + mac + b"\n" + content


def unseal(name: str, data: bytes) -> bytes:
    """The content of a sealed cache file named `name`; `Untrusted` if the seal is not this
    user's or the content changed since."""
    head, newline, content = data.partition(b"\n")
    if not newline or not head.startswith(_SEAL):
        raise Untrusted("not sealed")
    expected = seal(name, content).partition(b"\n")[0]
    if not hmac.compare_digest(head, expected):
        raise Untrusted("sealed with another key, or changed since")
    return content


def checked(value: Any, shape: Any, where: str = "entry") -> Any:
    """`value` (parsed JSON) if it has `shape`, else `Untrusted`. A shape is a type (str,
    int, float, bool), a tuple of alternative shapes (None for null), a one-element list
    (a list of that shape) or a dict (an object with exactly those keys)."""
    if isinstance(shape, tuple):
        for alternative in shape:
            try:
                return checked(value, alternative, where)
            except Untrusted:
                pass
        raise Untrusted(f"{where}: none of the expected kinds")
    if shape is None:
        if value is not None:
            raise Untrusted(f"{where}: not null")
        return value
    if isinstance(shape, list):
        if not isinstance(value, list):
            raise Untrusted(f"{where}: not a list")
        for index, item in enumerate(value):
            checked(item, shape[0], f"{where}[{index}]")
        return value
    if isinstance(shape, dict):
        if not isinstance(value, dict) or set(value) != set(shape):
            raise Untrusted(f"{where}: not an object with the expected keys")
        for key, inner in shape.items():
            checked(value[key], inner, f"{where}.{key}")
        return value
    if shape is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif shape is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, shape)
    if not ok:
        raise Untrusted(f"{where}: not {shape.__name__}")
    return value


def temporary_for(target: Path) -> Path:
    """The temporary file `target` is written into before it takes its name."""
    return target.with_name(f".{target.name}.{os.getpid()}.part")


def write_atomically(target: Path, write: Callable[[Path], object]) -> None:
    """`write(temporary)` fills a file beside `target`, which then replaces `target` in one
    step; if writing fails, `target` is as it was and the temporary file is gone."""
    temporary = temporary_for(target)
    try:
        write(temporary)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def write_all_atomically(files: Mapping[Path, bytes]) -> None:
    """Write each of `files` (path -> content) as `write_atomically` does, all before any
    takes its name, so that a failure (a full disk, Ctrl-C) while writing replaces none of
    them and leaves no temporary file; the folders must exist."""
    temporaries = [(temporary_for(target), target) for target in files]
    try:
        for temporary, target in temporaries:
            temporary.write_bytes(files[target])
        for temporary, target in temporaries:
            os.replace(temporary, target)
    finally:
        for temporary, _ in temporaries:
            temporary.unlink(missing_ok=True)


def write_sealed(target: Path, content: bytes) -> None:
    """Write `content` to the cache file `target`, sealed with this user's key."""
    data = seal(target.name, content)
    write_atomically(target, lambda temporary: temporary.write_bytes(data))


#: A finding as a cache keeps it (errors.Diagnostic.as_json).
DIAGNOSTIC = {
    "path": (str, None),
    "line": (int, None),
    "column": (int, None),
    "severity": str,
    "message": str,
}


def diagnostics_from(items: list[dict]) -> list[Diagnostic]:
    """Findings kept in a cache (checked against `DIAGNOSTIC` already)."""
    if any(item["severity"] not in ("error", "warning") for item in items):
        raise Untrusted("a finding that is neither an error nor a warning")
    return [Diagnostic.from_json(item) for item in items]


class CacheFolder:
    """The cache folder of one output folder, the paths of what it holds, and the reading
    and writing of its sealed files."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.rejected: set[Path] = set()  # files found there and ignored, in this build
        self._lock: int | None = None  # the open lock file, while this build holds it

    @property
    def lock_file(self) -> Path:
        return self.root / "lock"

    def lock(self) -> None:
        """Hold the output folder for this build (fcntl.flock on `.cache/lock`), waiting
        for another build into it to end; nothing if held already. Two builds into one
        folder would otherwise remove each other's pieces and temporary files."""
        if self._lock is not None:
            return
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            handle = os.open(
                self.lock_file, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666
            )
        except OSError as exc:
            raise ManuscriptError(
                f"cannot write the outputs here: {exc.strerror}", self.output
            ) from exc
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                log.warning(
                    "%s: another build into this folder is running; waiting for it to end",
                    self.output,
                )
                fcntl.flock(handle, fcntl.LOCK_EX)
        except BaseException:
            os.close(handle)
            raise
        self._lock = handle

    def lock_if_there(self) -> None:
        """Hold the output folder if it has a cache folder (a first build creates nothing
        until its checks pass, and takes the lock then)."""
        if self.root.is_dir():
            self.lock()

    def sweep(self) -> None:
        """Remove the temporary files that interrupted builds left (a full disk, a kill):
        called by a good build, which holds the lock, so none is another build's."""
        for folder in (self.output, self.root, self.render, self.pieces):
            for temporary in folder.glob(".*.part"):
                temporary.unlink(missing_ok=True)

    def unlock(self) -> None:
        if self._lock is not None:
            os.close(self._lock)  # closing the last descriptor releases the lock
            self._lock = None

    @classmethod
    def of(cls, output: Path) -> CacheFolder:
        return cls(output / CACHE)

    def read_json(self, path: Path, shape: Any) -> Any:
        """The JSON content of the sealed file at `path`, checked against `shape`; None if
        there is none, or if it is foreign or damaged (then remembered in `rejected`)."""
        try:
            data = path.read_bytes()
        except OSError:
            return None
        try:
            return checked(json.loads(unseal(path.name, data)), shape, path.name)
        except (Untrusted, ValueError, RecursionError):
            self.rejected.add(path)
            return None

    def write_json(self, path: Path, data: Any) -> None:
        """Write `data` to the sealed file at `path` (atomically)."""
        write_sealed(path, json.dumps(data, ensure_ascii=False).encode())

    def report(self) -> None:
        """Say once, if it happened, that entries were ignored (they have been made again)."""
        if self.rejected:
            count = len(self.rejected)
            log.warning(
                "%s: ignored %d cache file%s that this user's builds did not write "
                "or that changed since (copied from elsewhere, or damaged); made "
                "again",
                self.root,
                count,
                "" if count == 1 else "s",
            )
            self.rejected.clear()

    @property
    def output(self) -> Path:
        return self.root.parent

    @property
    def stamp(self) -> Path:
        return self.root / "stamp.json"

    @property
    def checks(self) -> Path:
        """The parts' all-caps words, for the checks (checkcache.py)."""
        return self.root / "checks.json"

    @property
    def render(self) -> Path:
        """The rendered parts: `<key>.json` each."""
        return self.root / "render"

    @property
    def pieces(self) -> Path:
        """The laid-out pieces of the PDF: `<key>.pdf` and its record `<key>.json`."""
        return self.root / "pieces"

    def render_entry(self, key: str) -> Path:
        return self.render / f"{key}.json"

    def piece_pdf(self, key: str) -> Path:
        return self.pieces / f"{key}.pdf"

    def piece_record(self, key: str) -> Path:
        return self.pieces / f"{key}.json"
