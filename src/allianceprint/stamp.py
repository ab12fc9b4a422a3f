"""Manuscript folder + build options -> a stamp that says whether the last build is current.

A build records, in `<output>/.cache/stamp.json`, a hash of everything its outputs were made
from — every file of the manuscript folder (hidden files and the output folder aside, a house style
inside it included), of the built-in style and of a `--styles` folder, the build's options, `SOURCE_DATE_EPOCH` when set, allianceprint's own
code and WeasyPrint's version — with the size and modification time of each file it wrote
and the warnings it gave. The next build with the same hash, whose outputs are still as it
left them, has nothing to do: it gives the same warnings again and writes nothing.

The stamp is sealed with the user's key (cachefolder.py): a `stamp.json` that came with a
manuscript from elsewhere, with outputs whose times survived the copy, never makes a build
"up to date". Nor does a stamp whose outputs are not one file of each format asked for.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Iterable

from allianceprint import __version__
from allianceprint.cachefolder import DIAGNOSTIC, CacheFolder, Untrusted, diagnostics_from
from allianceprint.errors import Diagnostic
from allianceprint.housestyle import StyleSet


@dataclass(frozen=True)
class Written:
    """One output file as the stamp remembers it."""

    name: str
    size: int
    mtime_ns: int
    pages: int | None


_RECORD = {
    "inputs": str,
    "formats": [str],
    "outputs": [{"name": str, "size": int, "mtime_ns": int, "pages": (int, None)}],
    "warnings": [DIAGNOSTIC],
}


@dataclass(frozen=True)
class Stamp:
    inputs: str  # the hash of everything the outputs are made from
    formats: tuple[str, ...]  # the formats asked for: "pdf", "epub"

    @classmethod
    def of(
        cls,
        manuscript: Path,
        output: Path,
        formats: Iterable[str],
        print_ready: bool,
        strict: bool,
        single_document: bool,
        styles: Path | None = None,
    ) -> Stamp:
        """The stamp of a build of `manuscript` (whose own house style, if any, lies inside
        it) with the built-in style and `styles` (`--styles`)."""
        digest = hashlib.sha256()
        options = {
            "formats": sorted(formats),
            "print_ready": print_ready,
            "strict": strict,
            "single_document": single_document,
            "allianceprint": __version__,
            "weasyprint": metadata.version("weasyprint"),
            "code": code_digest(),
            "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH"),
        }
        digest.update(json.dumps(options, sort_keys=True).encode())
        digest.update(StyleSet.with_house_style(styles).digest.encode())
        for path in _files(manuscript, skip=output):
            digest.update(str(path.relative_to(manuscript)).encode("utf-8", "surrogateescape"))
            digest.update(b"\0")
            try:
                data = path.read_bytes()
            except OSError:
                data = b"\0unreadable"  # the build itself will say what is wrong
            digest.update(len(data).to_bytes(8, "big"))
            digest.update(data)
        return cls(digest.hexdigest(), tuple(sorted(formats)))

    def previous(self, cache: CacheFolder) -> list[Diagnostic] | None:
        """The last build's warnings if its outputs are current; None if a build is due."""
        output = cache.output
        record = self._read(cache)
        if record is None or record["inputs"] != self.inputs:
            return None
        for item in record["outputs"]:
            try:
                stat = (output / item["name"]).stat()
            except OSError:
                return None
            if stat.st_size != item["size"] or stat.st_mtime_ns != item["mtime_ns"]:
                return None
        try:
            return diagnostics_from(record["warnings"])
        except Untrusted:
            cache.rejected.add(cache.stamp)
            return None

    def outputs(self, cache: CacheFolder) -> list[Written]:
        record = self._read(cache) or {"outputs": []}
        return [Written(**item) for item in record["outputs"]]

    def _read(self, cache: CacheFolder) -> dict | None:
        """The last build's record, if this user's build wrote it for these formats, with
        one output of each, every one a file of the output folder itself."""
        record = cache.read_json(cache.stamp, _RECORD)
        if record is None or record["formats"] != list(self.formats):
            return None
        names = [item["name"] for item in record["outputs"]]
        if any(name != Path(name).name or name.startswith(".") for name in names) or {
            Path(name).suffix[1:] for name in names
        } != set(self.formats):
            cache.rejected.add(cache.stamp)
            return None
        return record

    def record(
        self,
        cache: CacheFolder,
        written: Iterable[tuple[Path, int | None]],
        warnings: Iterable[Diagnostic],
    ) -> None:
        """Remember this build: its outputs (path and page count) and its warnings."""
        outputs = []
        for path, pages in written:
            stat = path.stat()
            outputs.append(
                {
                    "name": path.name,
                    "size": stat.st_size,
                    "mtime_ns": stat.st_mtime_ns,
                    "pages": pages,
                }
            )
        data = {
            "inputs": self.inputs,
            "formats": list(self.formats),
            "outputs": outputs,
            "warnings": [w.as_json() for w in warnings],
        }
        cache.root.mkdir(parents=True, exist_ok=True)
        cache.write_json(cache.stamp, data)


@functools.cache
def code_digest() -> str:
    """A hash of allianceprint's own modules: a changed program is a changed build, even
    under the same version number (an editable install, a patched copy)."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _files(folder: Path, skip: Path) -> list[Path]:
    """The folder's regular files, in a fixed order, without hidden ones and `skip`."""
    skip = skip.resolve()
    found = []
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and (here / d).resolve() != skip)
        # Regular files only: reading a named pipe would wait for ever (the build itself
        # reports a part or an image that is not a regular file).
        found.extend(
            here / name
            for name in sorted(files)
            if not name.startswith(".") and (here / name).is_file()
        )
    return found
