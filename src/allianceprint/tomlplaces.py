"""book.toml's text + a table, a key or an entry of a list -> the line and column where it
stands; where arrays first nest too deep, found before the text is parsed; and where
tomllib's own error stands, with its reason.

tomllib says nothing of where values stand, so a message about a value finds its place in
the text here. One tokenizer (strings, comments, brackets) serves both jobs.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection

#: A string (multi-line ones included), a comment, or a bracket or brace.
_TOKEN_RE = re.compile(
    r'"""(?:[^\\]|\\.)*?"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"'
    r"|'[^'\n]*'|#[^\n]*|[\[\]{}]",
    re.DOTALL,
)
_HEADER_RE = re.compile(r"^\s*\[\[?([^\]]*)\]\]?\s*(#.*)?$")  # `[]` too: an error to locate
_ASSIGNMENT_RE = re.compile(r"""^\s*["']?([A-Za-z0-9_-]+)["']?\s*=""")

Place = tuple[int | None, int | None]  # (line, column), from 1; None where not found


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """The line and column of the character at `offset` in `text`."""
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


def too_deep(text: str, limit: int) -> tuple[int, int] | None:
    """(line, column) where arrays or inline tables first nest deeper than `limit`, or None.

    tomllib reads nested values recursively, so a hostile book.toml of a few thousand `[`
    would exhaust the stack: it is turned away before parsing.
    """
    depth = 0
    for token in _TOKEN_RE.finditer(text):
        char = token.group(0)
        if char in "[{":
            depth += 1
            if depth > limit:
                return line_and_column(text, token.start())
        elif char in "]}":
            depth = max(depth - 1, 0)
    return None


class TomlPlaces:
    """Where tables, keys and list entries stand in one book.toml text."""

    def __init__(self, text: str, array_tables: Collection[str] = ()) -> None:
        self.lines = text.splitlines()
        self.array_tables = array_tables  # tables written [[table]], one header per entry

    def line_of(self, table: str, key: str | None = None, index: int | None = None) -> int | None:
        """The line of `[table]` (or of `key` inside it); None when it cannot be found. With
        `index`, of the `index`-th (from 0) `[[table]]` entry of an array of tables; an array
        written inline (`history = [...]`) is found at its key."""
        current = None
        seen = -1  # the headers of `table` so far, less one: the entry we are in
        for number, line in enumerate(self.lines, start=1):
            header = _HEADER_RE.match(line)
            if header:
                current = "".join(header.group(1).replace('"', "").split())
                if current == table:
                    seen += 1
                if key is None and current == table and index in (None, seen):
                    return number
                continue
            if key is not None and current == table and index in (None, seen):
                if re.match(rf'^\s*"?{re.escape(key)}"?\s*=', line):
                    return number
        if key is not None:
            return self.line_of(table, None, index)
        if table in self.array_tables:
            for number, line in enumerate(self.lines, start=1):
                if _HEADER_RE.match(line):
                    break
                if re.match(rf'^\s*"?{re.escape(table)}"?\s*=', line):
                    return number
        return None

    def column_of(self, line: int | None) -> int | None:
        """The column where the key or table header on `line` begins."""
        if line is None or line > len(self.lines):
            return None
        text = self.lines[line - 1]
        return len(text) - len(text.lstrip()) + 1

    def place_of(self, table: str, key: str | None = None, index: int | None = None) -> Place:
        """(line, column) of `[table]`, or of `key` in it (see line_of)."""
        line = self.line_of(table, key, index)
        return line, self.column_of(line)

    def entry_place(self, table: str, key: str, position: int) -> Place:
        """(line, column) of the string at `position` (from 0) in the list `key` of `[table]`,
        written on one line or over several."""
        current: str | None = None
        count = 0
        in_table = False
        for number, line in enumerate(self.lines, 1):
            header = _HEADER_RE.match(line)
            if header or line.strip().startswith("["):
                in_table = bool(header) and "".join(header.group(1).split()) == table
                current = None
                continue
            if not in_table:
                continue
            start = 0
            assignment = _ASSIGNMENT_RE.match(line)
            if assignment:
                current, count = assignment.group(1), 0
                start = assignment.end()
            if current != key:
                continue
            for token in _TOKEN_RE.finditer(line, start):
                text = token.group(0)
                if text.startswith("#"):
                    break
                if text in ("[", "]", "{", "}"):
                    continue
                if count == position:
                    return number, token.start() + 1
                count += 1
        return None, None


def error_place(exc: tomllib.TOMLDecodeError) -> Place:
    """The line and column tomllib's error names (its attributes, else its message)."""
    match = re.search(r"at line (\d+)(?:, column (\d+))?", str(exc))
    line = getattr(exc, "lineno", None) or (match.group(1) if match else None)
    column = getattr(exc, "colno", None) or (match.group(2) if match else None)
    return int(line) if line else None, int(column) if column else None


def error_reason(exc: tomllib.TOMLDecodeError) -> str:
    """tomllib's message without the place it names (the diagnostic gives it)."""
    return re.sub(
        r"\s*\(at line \d+, column \d+\)|\s*\(at end of document\)",
        "",
        getattr(exc, "msg", None) or str(exc),
    )
