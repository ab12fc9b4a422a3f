"""A part's text -> its front matter (the YAML between `---` lines: a mapping of the known
keys, without aliases, nested at most MAX_YAML_NESTING deep), its body and the line where
the body begins; and where a front matter key, or an author in its list, stands.

The loader (loader.py) reads the values it needs with `text_field` and `authors_field`;
every mistake is a FrontMatterError at the file, line and column.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from allianceprint.errors import FrontMatterError
from allianceprint.validators import control_character_problem

FRONT_MATTER_KEYS = {
    "title": "the part's title (else its first `#` heading)",
    "short_title": "a shorter title for running heads",
    "authors": "contributor keys of the part's authors",
    "kind": "text (default), abbreviations or contributors",
    "lang": "the part's language, when not the book's (a BCP 47 tag such as en or ja)",
    "numbered": "false: a chapter that takes no number ([book] chapter_label)",
}
#: What to do about most YAML mistakes an editor makes in a title (`title: Dams: A History`,
#: `title: *Trust* and Data`, `title: [Draft] Rivers`).
QUOTE_HINT = (
    "a value that holds ': ' or ' #', or begins with * & ! [ { | > % @ or `, must be in "
    'double quotes, e.g. title: "Dams: A History"'
)
MAX_FRONT_MATTER_BYTES = 64 * 1024
MAX_YAML_NESTING = 16


class _NoAliasLoader(yaml.SafeLoader):
    """YAML without anchors and aliases, nested at most MAX_YAML_NESTING deep: front matter
    needs neither, aliases allow "billion laughs" bombs and deep nesting exhausts the stack."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                None, None, "aliases (*name) are not allowed in front matter", event.start_mark
            )
        if self.depth >= MAX_YAML_NESTING:
            raise yaml.MarkedYAMLError(
                None,
                None,
                f"values nest more than {MAX_YAML_NESTING} "
                "deep; front matter needs only `key: value` lines and "
                "lists",
                self.peek_event().start_mark,
            )
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def split_front_matter(text: str, shown: Path) -> tuple[dict[str, Any], str, int]:
    """(front matter mapping, body, line number of the body's first line)."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return {}, text, 1
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            break
    else:
        raise FrontMatterError(
            "the front matter opened by '---' on line 1 is never closed: end it with a '---' line",
            shown,
            1,
            1,
        )
    yaml_text = "\n".join(lines[1:index])
    if len(yaml_text.encode("utf-8")) > MAX_FRONT_MATTER_BYTES:
        raise FrontMatterError(
            f"the front matter is {len(yaml_text) // 1024} kB; it holds only "
            f"{', '.join(FRONT_MATTER_KEYS)}, in at most "
            f"{MAX_FRONT_MATTER_BYTES // 1024} kB: is a closing '---' "
            "missing?",
            shown,
            1,
            1,
        )
    try:
        meta = yaml.load(yaml_text, Loader=_NoAliasLoader)  # noqa: S506 (a safe loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark and mark.index >= len(yaml_text):
            # "unexpected end of stream": the mistake is where the unclosed thing began.
            mark = exc.context_mark
        line = mark.line + 2 if mark else 1
        column = mark.column + 1 if mark else 1
        reason = exc.problem or exc.context or "invalid YAML"
        if not reason.startswith("values nest"):
            reason += f": {QUOTE_HINT}"
        raise FrontMatterError(
            f"front matter is not valid YAML: {reason}", shown, line, column
        ) from exc
    except yaml.reader.ReaderError as exc:
        # A character YAML refuses: locate it in the file from its index in the YAML text.
        before = yaml_text[: exc.position]
        line = before.count("\n") + 2
        column = exc.position - (before.rfind("\n") + 1) + 1
        raise FrontMatterError(
            f"front matter has a character YAML does not allow (U+{exc.character:04X}): remove it",
            shown,
            line,
            column,
        ) from exc
    except yaml.YAMLError as exc:
        reason = " ".join(str(exc).split())  # one line, whatever the YAML library says
        raise FrontMatterError(f"front matter is not valid YAML: {reason}", shown, 1, 1) from exc
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise FrontMatterError("front matter must be `key: value` lines", shown, 2, 1)
    for key in meta:
        if key not in FRONT_MATTER_KEYS:
            raise FrontMatterError(
                f"unknown front matter key {key!r}: the keys are {', '.join(FRONT_MATTER_KEYS)}",
                shown,
                *key_position(text, str(key)),
            )
    body_line = index + 2
    return meta, "\n".join(lines[index + 1 :]), body_line


def key_position(text: str, key: str) -> tuple[int | None, int | None]:
    """(line, column) of front matter `key`; (None, None) when it is not on a line of its own."""
    for number, line in enumerate(text.split("\n")[1:], start=2):
        if line.rstrip() in ("---", "..."):
            break
        if re.match(rf"""^(["']?){re.escape(key)}\1\s*:""", line):
            return number, 1
    return None, None


def _comment_after(text: str, key: str) -> tuple[int, int] | None:
    """(line, column) of a YAML comment after `key`'s plain (unquoted) one-line value."""
    line, _ = key_position(text, key)
    if line is None:
        return None
    content = text.split("\n")[line - 1]
    start = content.index(":") + 1
    value = content[start:].lstrip()
    if not value or value[0] in "\"'|>[{#":
        return None
    found = re.search(r"\s#", value)
    if found is None:
        return None
    return line, len(content) - len(value) + found.start() + 2


def author_position(text: str, author: str) -> tuple[int | None, int | None]:
    """(line, column) of the contributor key `author` in the front matter's `authors` value
    (a flow list on the key's line, or a block list below it); else of the key itself."""
    line, _ = key_position(text, "authors")
    if line is None:
        return None, None
    lines = text.split("\n")
    word = re.compile(rf"""(?<![\w-]){re.escape(author)}(?![\w-])""")
    for number in range(line, len(lines) + 1):
        content = lines[number - 1]
        if number > line and (content.rstrip() in ("---", "...") or re.match(r"^\S", content)):
            break
        found = word.search(content, content.index(":") + 1 if number == line else 0)
        if found:
            return number, found.start() + 1
    return line, 1


def text_field(meta: dict[str, Any], key: str, shown: Path, text: str) -> str:
    """The front matter's `key` as one line of text ("" when it is not there)."""
    value = meta.get(key)
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):  # `title: Yes` (a boolean), `title: 2026-03-01` (a date)
        raise FrontMatterError(
            f"`{key}` must be text: put it in double quotes", shown, *key_position(text, key)
        )
    comment = _comment_after(text, key)
    if comment is not None:  # `title: The #MeToo Moment` is "The" in YAML
        raise FrontMatterError(
            f"`{key}` stops at ' #', which begins a YAML comment, so the rest of the line is "
            f"left out: put the whole {key} in double quotes (a comment goes on a line of "
            "its own)",
            shown,
            *comment,
        )
    problem = control_character_problem(value)  # from an escape, such as "\e"
    if problem is not None:
        raise FrontMatterError(f"`{key}` {problem}", shown, *key_position(text, key))
    return " ".join(value.split())


def authors_field(meta: dict[str, Any], shown: Path, text: str) -> tuple[str, ...]:
    """The contributor keys the front matter's `authors` lists."""
    value = meta.get("authors")
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FrontMatterError(
            "`authors` must be a list of contributor keys, e.g. [voss, arakawa]",
            shown,
            *key_position(text, "authors"),
        )
    return tuple(value)
