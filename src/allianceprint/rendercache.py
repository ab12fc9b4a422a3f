"""A part's Markdown + the book's context -> its `RenderedPart`, kept from the last build.

Converting Markdown is most of what reading a manuscript costs (a 600-page book: seconds),
and a revision usually touches one part. Each part rendered without an error is kept in
`<output>/.cache/render/<key>.json` with the warnings its rendering gave; the key hashes
the part (its file, front matter and text) and everything else a part's HTML depends on:
book.toml, the abbreviations, every part's file, id, division and authors (the contributors
part lists them; links between parts use the ids), the names of the manuscript's files
(links and images are checked against them) and allianceprint's code. A part with errors is
never kept, so its errors are always found afresh. Entries are JSON, never pickles: a
manuscript folder from elsewhere may bring a `build/.cache` of its own. They are sealed with
the user's key (cachefolder.py), every field is type-checked, and every image path must
name a file inside the manuscript folder, as a source's image path must; an entry that
fails any of this is rendered again.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Callable

from allianceprint.cachefolder import DIAGNOSTIC, CacheFolder, Untrusted, diagnostics_from
from allianceprint.errors import Diagnostic, Diagnostics, ManuscriptError
from allianceprint.model import Book, Contributor, Note, Part, RenderedPart
from allianceprint.stamp import code_digest


class RenderCache:
    def __init__(self, cache: CacheFolder, book: Book) -> None:
        self.cache = cache
        self.folder = cache.render
        self.output = cache.output
        self.root = book.root
        self.context = _context_digest(book, cache.output)
        self.used: set[str] = set()
        self.pending: dict[Path, tuple[RenderedPart, list[Diagnostic]]] = {}

    def render(
        self, part: Part, diagnostics: Diagnostics, render: Callable[[Part], RenderedPart]
    ) -> RenderedPart:
        """The part from the cache (its warnings given again), or rendered and kept."""
        key = self._key(part)
        self.used.add(key)
        entry = self.cache.render_entry(key)
        data = self.cache.read_json(entry, _ENTRY)
        rendered = None  # not there, foreign or damaged: render again and overwrite it
        if data is not None:
            try:
                rendered = _rendered_from(data, part, self.root)
                found = diagnostics_from(data["diagnostics"])
            except Untrusted:
                self.cache.rejected.add(entry)
                rendered = None
        if rendered is not None:
            for diagnostic in found:
                diagnostics.record(diagnostic)
            return rendered
        before = len(diagnostics)
        rendered = render(part)
        found = list(diagnostics)[before:]
        if not any(d.severity == "error" for d in found):
            self.pending[entry] = (rendered, found)
        return rendered

    def save(self) -> None:
        """Keep the parts rendered afresh and forget those this build did not use: called
        once the manuscript has passed its checks (a build that fails writes nothing)."""
        try:
            for entry, (rendered, found) in self.pending.items():
                self._keep(entry, rendered, found)
        except OSError as exc:  # the output folder is a file, or may not be written
            raise ManuscriptError(
                f"cannot write the outputs here: {exc.strerror}", self.output
            ) from exc
        self.pending.clear()
        for entry in self.folder.glob("*.json"):
            if entry.stem not in self.used:
                entry.unlink(missing_ok=True)

    def _key(self, part: Part) -> str:
        digest = hashlib.sha256(self.context.encode())
        digest.update(json.dumps(_part_data(part), sort_keys=True).encode())
        return digest.hexdigest()[:32]

    def _keep(self, entry: Path, rendered: RenderedPart, found: list[Diagnostic]) -> None:
        data = {
            "title_html": rendered.title_html,
            "title_text": rendered.title_text,
            "short_title": rendered.short_title,
            "authors": [asdict(a) for a in rendered.authors],
            "body_html": rendered.body_html,
            "notes": [{**asdict(n), "ref_ids": list(n.ref_ids)} for n in rendered.notes],
            "images": [str(p) for p in rendered.images],
            "diagnostics": [d.as_json() for d in found],
        }
        self.folder.mkdir(parents=True, exist_ok=True)
        self.cache.write_json(entry, data)


_CONTRIBUTOR = {"key": str, "name": str, "affiliation": str, "bio": str, "orcid": str}
_NOTE = {"number": int, "label": str, "id": str, "ref_ids": [str], "html": str}
_ENTRY = {
    "title_html": str,
    "title_text": str,
    "short_title": str,
    "authors": [_CONTRIBUTOR],
    "body_html": str,
    "notes": [_NOTE],
    "images": [str],
    "diagnostics": [DIAGNOSTIC],
}


def _inside(root: Path, name: str) -> Path:
    """An image path from an entry, if it names a file inside the manuscript folder (as
    the image paths of the sources must); else `Untrusted`."""
    path = Path(name)
    if path.is_absolute() or ".." in path.parts or not name or "\0" in name:
        raise Untrusted(f"image {name!r} is not a path inside the manuscript")
    real, base = (root / path).resolve(), root.resolve()
    if not real.is_relative_to(base) or not real.is_file():
        raise Untrusted(f"image {name!r} is not a file of the manuscript")
    return path


def _rendered_from(data: dict, part: Part, root: Path) -> RenderedPart:
    return RenderedPart(
        part=part,
        title_html=data["title_html"],
        title_text=data["title_text"],
        short_title=data["short_title"],
        authors=tuple(Contributor(**a) for a in data["authors"]),
        body_html=data["body_html"],
        notes=tuple(
            Note(n["number"], n["label"], n["id"], tuple(n["ref_ids"]), n["html"])
            for n in data["notes"]
        ),
        images=tuple(_inside(root, p) for p in data["images"]),
    )


def _part_data(part: Part) -> dict:
    return {
        "id": part.id,
        "source": str(part.source),
        "division": part.division,
        "kind": part.kind,
        "title": part.title,
        "short_title": part.short_title,
        "authors": list(part.authors),
        "body": part.body,
        "body_line": part.body_line,
        "front_matter_lines": dict(part.front_matter_lines),
    }


def _context_digest(book: Book, skip: Path) -> str:
    digest = hashlib.sha256(code_digest().encode())
    digest.update(book.config.text.encode())
    digest.update(json.dumps([(a.abbr, a.expansion, a.line) for a in book.abbreviations]).encode())
    digest.update(
        json.dumps(
            [(str(p.source), p.id, p.division, list(p.authors)) for p in book.parts]
        ).encode()
    )
    skip = skip.resolve()
    for root, dirs, files in os.walk(book.root):
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if (here / d).resolve() != skip)
        for name in sorted(files):
            digest.update(
                str((here / name).relative_to(book.root)).encode("utf-8", "surrogateescape") + b"\0"
            )
    return digest.hexdigest()
