"""An output folder -> its cache folder: where a build keeps what the next one may reuse.

`<output>/.cache` holds the stamp (stamp.py: is the last build current?), the rendered
parts (rendercache.py: `render/<key>.json`) and the laid-out pieces of the PDF
(writers/pdfparts.py: `pieces/<key>.pdf` with `pieces/<key>.json`). `CacheFolder` names
those paths, so that no other module builds them; `write_atomically` is how every file of
the cache (and every output) is written: into a `.NAME.PID.part` file beside it, moved onto
its name in one step once complete, so that a reader never sees half a file and an
interrupted writer leaves at most a `.part` file, which the next good build removes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

CACHE = ".cache"  # the cache folder's name, under the output folder


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


def write_bytes_atomically(target: Path, data: bytes) -> None:
    write_atomically(target, lambda temporary: temporary.write_bytes(data))


@dataclass(frozen=True)
class CacheFolder:
    """The cache folder of one output folder, and the paths of what it holds."""

    root: Path

    @classmethod
    def of(cls, output: Path) -> CacheFolder:
        return cls(output / CACHE)

    @property
    def output(self) -> Path:
        return self.root.parent

    @property
    def stamp(self) -> Path:
        return self.root / "stamp.json"

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
