"""A part's rendered HTML and source + the book's known words -> the all-caps words the
checks find in it, with their places, kept from the last build.

Looking for undefined abbreviations (checks.undefined_capitals) walks every text node of
every part: the largest of the checks, and on a one-chapter edit the same answer for every
part but one. So each part's answer — its all-caps words that are not `known` (the
abbreviations defined and `[checks] ignore_words`), first use first, each with its line and
column — is kept in one sealed file, `<output>/.cache/checks.json`, under a hash of all it
depends on: the part's source file name, text, first body line, front matter titles and
their lines, its rendered title, body and notes, the known words, and allianceprint's
code. The book-wide step (a word reported once, in the first part that uses it) still runs
over every part on each build, from these answers, so the findings and their order are
those of a build without the cache. The file holds only the parts of the last build that
passed its checks (it is written with the render cache, after them).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from allianceprint.cachefolder import CacheFolder
from allianceprint.model import RenderedPart
from allianceprint.stamp import code_digest

#: Where one word was found: the word, its line and column (None where not known).
Found = tuple[str, int | None, int | None]


class CapitalsCache:
    """The parts' all-caps words from the last build, and those of this one."""

    def __init__(self, cache: CacheFolder, known: set[str]) -> None:
        self.cache = cache
        self.known = sorted(known)
        self.kept = _entries(cache)
        self.used: dict[str, list[Found]] = {}

    def capitals(self, part: RenderedPart, find: Callable[[], list[Found]]) -> list[Found]:
        """The part's all-caps words that are not known, with their places: kept from the
        last build when nothing they depend on changed, else `find()`."""
        key = self._key(part)
        found = self.kept.get(key)
        if found is None:
            found = find()
        self.used[key] = found
        return found

    def save(self) -> None:
        """Keep this build's answers (and only them), if they differ from the last's."""
        if self.used != self.kept:
            self.cache.root.mkdir(parents=True, exist_ok=True)
            self.cache.write_json(
                self.cache.checks,
                {"parts": {k: [list(f) for f in v] for k, v in self.used.items()}},
            )

    def _key(self, part: RenderedPart) -> str:
        source = part.part
        data = [
            code_digest(),
            self.known,
            str(source.source),
            source.body,
            source.body_line,
            source.title,
            source.short_title,
            sorted(source.front_matter_lines.items()),
            part.title_html,
            part.body_html,
            [note.html for note in part.notes],
        ]
        return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()[:32]


def _entries(cache: CacheFolder) -> dict[str, list[Found]]:
    """The answers kept in the cache; none if the file is missing, foreign or damaged."""
    data = cache.read_json(cache.checks, dict)
    if data is None:
        return {}
    parts = data.get("parts")
    if not isinstance(parts, dict):
        cache.rejected.add(cache.checks)
        return {}
    entries: dict[str, list[Found]] = {}
    for key, found in parts.items():
        if not isinstance(found, list) or not all(_is_found(item) for item in found):
            cache.rejected.add(cache.checks)
            return {}
        entries[key] = [(word, line, column) for word, line, column in found]
    return entries


def _is_found(item: object) -> bool:
    return (
        isinstance(item, list)
        and len(item) == 3
        and isinstance(item[0], str)
        and all(value is None or type(value) is int for value in item[1:])
    )
