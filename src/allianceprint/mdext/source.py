"""Where a part's Markdown comes from, so that every finding can name its file and line;
the lines of a body outside code, its headings (the loader's titles, the checks' heading
levels), and removing an element from a tree."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from allianceprint.errors import Diagnostics

_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN_RE = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")
_ATX_RE = re.compile(r"^(#{1,6})(?!#)")
_SETEXT_RE = re.compile(r"^(=+|-+)[ ]*$")


@dataclass
class SourceInfo:
    """Where a part's body comes from, so that mistakes can be located."""

    path: Path  # as shown in messages (relative to the manuscript folder's parent)
    body: str
    first_line: int  # line number in the file of the body's first line
    diagnostics: Diagnostics
    #: False when `body` is a value that does not stand in the file as it is (a front matter
    #: title, a biography in book.toml): then every finding is placed on `first_line`, with
    #: no column.
    verbatim: bool = True

    def position_of(self, needle: str, occurrence: int = 0) -> tuple[int | None, int | None]:
        """(line, column) in the file of `needle`, where a body line uses it as a link or
        image target (`](needle`), else where a line contains it at all: the `occurrence`-th
        such place, counting from 0. Code spans and fenced code are not searched."""
        if not self.verbatim:
            return self.first_line, None
        for prefix in ("](", "](<", ""):
            pattern, seen = prefix + needle, 0
            for offset, line in enumerate(self.searchable):
                start = line.find(pattern)
                while start >= 0:
                    if seen == occurrence:
                        return self.first_line + offset, start + len(prefix) + 1
                    seen += 1
                    start = line.find(pattern, start + 1)
        return None, None

    @cached_property
    def searchable(self) -> list[str]:
        """The body's lines, split as Python-Markdown splits them (not at U+2028 or \f),
        with code blanked out."""
        return [line for _, line in prose_lines(self.body.split("\n"), keep_all=True)]

    def line_of(self, needle: str) -> int | None:
        """The file line of `needle` (see `position_of`)."""
        return self.position_of(needle)[0]

    def error(self, message: str, line: int | None, column: int | None = None) -> None:
        self.diagnostics.error(message, self.path, line, column)

    def warning(self, message: str, line: int | None, column: int | None = None) -> None:
        self.diagnostics.warning(message, self.path, line, column)


def prose_lines(lines: list[str], keep_all: bool = False) -> list[tuple[int, str]]:
    """(index, line) for the lines outside fenced code, with code spans blanked out (so that
    columns stay true); with `keep_all`, the fenced lines are kept too, blanked."""
    result = []
    fence: str | None = None
    for index, line in enumerate(lines):
        match = _FENCE_RE.match(line)
        if fence is not None:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = None
            if keep_all:
                result.append((index, " " * len(line)))
            continue
        if match:
            fence = match.group(1)
            if keep_all:
                result.append((index, " " * len(line)))
            continue
        result.append((index, _CODE_SPAN_RE.sub(lambda m: " " * len(m.group(0)), line)))
    return result


@dataclass(frozen=True)
class SourceHeading:
    """A heading as the Markdown source writes it."""

    index: int  # its line's index in the lines read (a setext heading: its text's line)
    level: int  # 1 to 6
    text: str  # as written, without the `#`s and their closing sequence, or the underline


def source_headings(lines: list[str]) -> list[SourceHeading]:
    """The headings in a body's `lines`, by Python-Markdown's rules: a line that starts with
    one to six `#`, or a line of text underlined with `=` (level 1) or `-` (level 2).
    `lines`: as `prose_lines(..., keep_all=True)` gives them, so that nothing in code
    counts and the indexes stay those of the body's lines."""
    found: list[SourceHeading] = []
    for index, line in enumerate(lines):
        atx = _ATX_RE.match(line)
        if atx:
            found.append(
                SourceHeading(index, len(atx.group(1)), atx_text(line[atx.end() :].lstrip(" \t")))
            )
        elif (
            line.strip()
            and index + 1 < len(lines)
            and _SETEXT_RE.match(lines[index + 1])
            and lines[index + 1].strip()
        ):
            level = 1 if lines[index + 1].startswith("=") else 2
            found.append(SourceHeading(index, level, line.strip()))
    return found


def atx_text(text: str) -> str:
    """An ATX heading's text without its closing sequence (` ##`), found without a regex
    (one that does it backtracks quadratically over a long run of spaces)."""
    text = text.rstrip(" \t")
    before = text.rstrip("#")
    if before != text and before.strip(" \t") and before[-1] in " \t":
        return before.rstrip(" \t")
    return text


def remove_element(root: etree.Element, target: etree.Element) -> None:
    """Remove `target` from wherever it is below `root`, keeping its tail text."""
    for parent in root.iter():
        children = list(parent)
        if target in children:
            index = children.index(target)
            if target.tail and target.tail.strip():
                if index > 0:
                    prev = children[index - 1]
                    prev.tail = (prev.tail or "") + target.tail
                else:
                    parent.text = (parent.text or "") + target.tail
            parent.remove(target)
            return
