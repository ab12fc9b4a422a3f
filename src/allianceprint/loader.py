"""Manuscript folder + `BookConfig` -> `Book`.

Reads every part that `[contents]` lists, in order: its YAML front matter (title,
short_title, authors, kind), its title (else its first `#` heading) and its Markdown body;
reads the abbreviations part's definitions; warns about Markdown files that no list names.
Mistakes are collected in a `Diagnostics`; a part that cannot be read is left out of the
`Book`, so that the later stages can still check the others (`build.checked_book` raises
them all together). Only a `book.toml` that cannot be read stops the loading at once.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Any

import yaml

from allianceprint.config import CONFIG_NAME, load_config
from allianceprint.errors import Diagnostics, FrontMatterError, ManuscriptError, shown_path
from allianceprint.mdext import prose_lines
from allianceprint.mdext.abbreviations import DEFINITION_RE
from allianceprint.model import PART_KINDS, Abbreviation, Book, BookConfig, Division, Part
from allianceprint.slugs import ascii_slug
from allianceprint.tomlplaces import TomlPlaces
from allianceprint.validators import (
    CONTROL_CHARACTER_RE,
    control_character_problem,
    language_tag_problem,
)

FRONT_MATTER_KEYS = {
    "title": "the part's title (else its first `#` heading)",
    "short_title": "a shorter title for running heads",
    "authors": "contributor keys of the part's authors",
    "kind": "text (default), abbreviations or contributors",
    "lang": "the part's language, when not the book's (a BCP 47 tag such as en or ja)",
    "numbered": "false: a chapter that takes no number ([book] chapter_label)",
}
MAX_PART_BYTES = 5 * 1024 * 1024  # about 2,000 printed pages: more is a mistake or an attack
MAX_FRONT_MATTER_BYTES = 64 * 1024
MAX_YAML_NESTING = 16

_ATX_H1_RE = re.compile(r"^ {0,3}#(?!#)[ \t]+(.+)$")  # its closing #s: see _atx_text
_NOTE_REF_RE = re.compile(r"\[\^[^\[\]\n]+\]")


def load_book(root: Path, diagnostics: Diagnostics) -> Book:
    """Read the manuscript folder `root` into a Book of the parts that can be read.

    Raises ConfigError(s) when book.toml cannot be used; every other mistake is added to
    `diagnostics` (the caller raises them once the later stages have added theirs).
    """
    root = root.resolve()
    config = load_config(root)
    parts = _load_parts(config, diagnostics)
    _warn_unlisted(config, parts, diagnostics)
    abbreviations = _load_abbreviations(config, parts, diagnostics)
    return Book(config=config, parts=tuple(parts), abbreviations=tuple(abbreviations))


def _load_parts(config: BookConfig, diagnostics: Diagnostics) -> list[Part]:
    parts: list[Part] = []
    seen: dict[Path, str] = {}
    used_ids: set[str] = set(RESERVED_IDS)
    lists: list[tuple[Division, str, tuple[str, ...]]] = [
        ("front", "front", config.contents.front),
        ("body", "chapters", config.contents.chapters),
        ("back", "back", config.contents.back),
    ]
    for division, key, files in lists:
        for position, relative in enumerate(files):
            problem = None
            try:
                resolved = (config.root / relative).resolve()
                is_file = resolved.is_file()
            except (OSError, ValueError) as exc:  # a NUL byte, a name too long
                problem = f"{relative!r} is not a usable file name ({exc})"
            else:
                if not resolved.is_relative_to(config.root):
                    problem = f"{relative!r} lies outside the manuscript folder"
                elif resolved in seen:
                    problem = (f"{relative!r} is listed twice (also in {seen[resolved]}): "
                               "list each part once")
                elif not is_file and resolved.exists():
                    problem = (f"{relative!r} is not a regular file (a folder, a pipe or a "
                               "device): list Markdown files only")
                elif not is_file:
                    problem = (f"{relative!r} does not exist: create it or correct the path "
                               "(relative to the manuscript folder)")
                elif resolved.suffix.lower() != ".md":
                    problem = f"{relative!r} is not a Markdown (.md) file"
                seen.setdefault(resolved, key)
            if problem:
                # Located only now: scanning book.toml for the entry is for mistakes alone.
                places = TomlPlaces(config.text)
                diagnostics.error(f"[contents] {key}: {problem}",
                                  shown_path(config.root, CONFIG_NAME),
                                  *places.entry_place("contents", key, position))
                continue
            try:
                part = _load_part(config, resolved, division, used_ids, diagnostics)
            except ManuscriptError as exc:
                diagnostics.add(exc)
                continue
            used_ids.add(part.id)
            parts.append(part)
    if not any(p.division == "body" for p in parts) and not diagnostics.errors:
        diagnostics.error("[contents] chapters is empty: list at least one chapter",
                          shown_path(config.root, CONFIG_NAME),
                          *TomlPlaces(config.text).place_of("contents"))
    return parts


def _read_text(path: Path, shown: Path) -> str:
    size = path.stat().st_size
    if size > MAX_PART_BYTES:
        raise ManuscriptError(f"the file is {size // 1_000_000} MB; a part may be at most "
                              f"{MAX_PART_BYTES // 1_000_000} MB: split it", shown)
    data = path.read_bytes().removeprefix(codecs.BOM_UTF8)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[:exc.start].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        line_start = before.rfind(b"\n") + 1
        raise ManuscriptError("the file is not UTF-8 text: save it as UTF-8", shown,
                              before.count(b"\n") + 1,
                              len(before[line_start:].decode("utf-8", "replace")) + 1) from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        index = text.index("\x00")
        raise ManuscriptError("the file contains a NUL byte: remove it", shown,
                              text.count("\n", 0, index) + 1,
                              index - text.rfind("\n", 0, index))
    return text


def _load_part(config: BookConfig, path: Path, division: Division, used_ids: set[str],
               diagnostics: Diagnostics) -> Part:
    relative = path.relative_to(config.root)
    shown = shown_path(config.root, relative)
    text = _without_control_characters(_read_text(path, shown), shown, diagnostics)
    meta, body, body_line = _split_front_matter(text, shown)
    key_lines = {key: line for key in meta
                 if (line := _key_position(text, str(key))[0]) is not None}

    title = _text_field(meta, "title", shown, text)
    short_title = _text_field(meta, "short_title", shown, text)
    kind = _text_field(meta, "kind", shown, text) or "text"
    if kind not in PART_KINDS:
        raise FrontMatterError(f"kind {kind!r} is unknown: use one of {', '.join(PART_KINDS)}",
                               shown, *_key_position(text, "kind"))
    lang = _text_field(meta, "lang", shown, text)
    if lang and (problem := language_tag_problem(lang)):
        raise FrontMatterError(f"lang: {problem}", shown, *_key_position(text, "lang"))
    authors = _authors_field(meta, shown, text)
    numbered = meta.get("numbered", True)
    if not isinstance(numbered, bool):
        raise FrontMatterError("`numbered` must be true or false", shown,
                               *_key_position(text, "numbered"))
    for key in authors:
        if key not in config.contributors:
            diagnostics.error(f"unknown contributor key {key!r}: declare it in book.toml as "
                              f"[contributors.{key}]", shown, *_author_position(text, key))
    if not title:
        title = _first_heading(body)
    if not title and kind == "contributors":
        title = config.labels["contributors"]
    if not title and kind == "abbreviations":
        title = config.labels["abbreviations"]
    if not title:
        diagnostics.error("the part has no title: add `title:` to its front matter or start "
                          "it with a `# Title` line", shown, 1, 1)
    return Part(
        id=_unique_id(_part_id(relative.stem), used_ids),
        source=relative,
        division=division,
        kind=kind,  # type: ignore[arg-type]
        title=title,
        short_title=short_title or title,
        authors=authors,
        body=body,
        body_line=body_line,
        front_matter_lines=key_lines,
        lang=lang,
        numbered=numbered,
    )


class _NoAliasLoader(yaml.SafeLoader):
    """YAML without anchors and aliases, nested at most MAX_YAML_NESTING deep: front matter
    needs neither, aliases allow "billion laughs" bombs and deep nesting exhausts the stack."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(None, None, "aliases (*name) are not allowed in front "
                                       "matter", event.start_mark)
        if self.depth >= MAX_YAML_NESTING:
            raise yaml.MarkedYAMLError(None, None, f"values nest more than {MAX_YAML_NESTING} "
                                       "deep; front matter needs only `key: value` lines and "
                                       "lists", self.peek_event().start_mark)
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _split_front_matter(text: str, shown: Path) -> tuple[dict[str, Any], str, int]:
    """(front matter mapping, body, line number of the body's first line)."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return {}, text, 1
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            break
    else:
        raise FrontMatterError("the front matter opened by '---' on line 1 is never closed: "
                               "end it with a '---' line", shown, 1, 1)
    yaml_text = "\n".join(lines[1:index])
    if len(yaml_text.encode("utf-8")) > MAX_FRONT_MATTER_BYTES:
        raise FrontMatterError(f"the front matter is {len(yaml_text) // 1024} kB; it holds only "
                               f"{', '.join(FRONT_MATTER_KEYS)}, in at most "
                               f"{MAX_FRONT_MATTER_BYTES // 1024} kB: is a closing '---' "
                               "missing?", shown, 1, 1)
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
        raise FrontMatterError(f"front matter is not valid YAML: {reason}", shown,
                               line, column) from exc
    except yaml.reader.ReaderError as exc:
        # A character YAML refuses: locate it in the file from its index in the YAML text.
        before = yaml_text[:exc.position]
        line = before.count("\n") + 2
        column = exc.position - (before.rfind("\n") + 1) + 1
        raise FrontMatterError(f"front matter has a character YAML does not allow "
                               f"(U+{exc.character:04X}): remove it", shown, line,
                               column) from exc
    except yaml.YAMLError as exc:
        reason = " ".join(str(exc).split())  # one line, whatever the YAML library says
        raise FrontMatterError(f"front matter is not valid YAML: {reason}", shown, 1,
                               1) from exc
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise FrontMatterError("front matter must be `key: value` lines", shown, 2, 1)
    for key in meta:
        if key not in FRONT_MATTER_KEYS:
            raise FrontMatterError(f"unknown front matter key {key!r}: the keys are "
                                   f"{', '.join(FRONT_MATTER_KEYS)}", shown,
                                   *_key_position(text, str(key)))
    body_line = index + 2
    return meta, "\n".join(lines[index + 1:]), body_line


def _key_position(text: str, key: str) -> tuple[int | None, int | None]:
    """(line, column) of front matter `key`; (None, None) when it is not on a line of its own."""
    for number, line in enumerate(text.split("\n")[1:], start=2):
        if line.rstrip() in ("---", "..."):
            break
        if re.match(rf"""^(["']?){re.escape(key)}\1\s*:""", line):
            return number, 1
    return None, None


def _author_position(text: str, author: str) -> tuple[int | None, int | None]:
    """(line, column) of the contributor key `author` in the front matter's `authors` value
    (a flow list on the key's line, or a block list below it); else of the key itself."""
    line, _ = _key_position(text, "authors")
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


def _text_field(meta: dict[str, Any], key: str, shown: Path, text: str) -> str:
    value = meta.get(key)
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise FrontMatterError(f"`{key}` must be text", shown, *_key_position(text, key))
    problem = control_character_problem(value)  # from an escape, such as "\e"
    if problem is not None:
        raise FrontMatterError(f"`{key}` {problem}", shown, *_key_position(text, key))
    return " ".join(value.split())


def _without_control_characters(text: str, shown: Path, diagnostics: Diagnostics) -> str:
    """Report the control characters in `text` (which neither edition can hold) as one
    error, at the first; return the text with each replaced by a space, so that the other
    checks of the part can go on with true columns. The build stops at the error."""
    found = CONTROL_CHARACTER_RE.search(text)
    if found is None:
        return text
    count = len(CONTROL_CHARACTER_RE.findall(text))
    first = f"U+{ord(found.group()):04X}"
    if count == 1:
        message = f"the file contains the control character {first}, which no book can print: " \
                  "remove it"
    else:
        message = f"the file contains {count} control characters ({first} here, the first), " \
                  "which no book can print: remove them"
    index = found.start()
    diagnostics.error(message, shown, text.count("\n", 0, index) + 1,
                      index - text.rfind("\n", 0, index))
    return CONTROL_CHARACTER_RE.sub(" ", text)


def _authors_field(meta: dict[str, Any], shown: Path, text: str) -> tuple[str, ...]:
    value = meta.get("authors")
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FrontMatterError("`authors` must be a list of contributor keys, e.g. "
                               "[voss, arakawa]", shown, *_key_position(text, "authors"))
    return tuple(value)


def _first_heading(body: str) -> str:
    """The text of the body's first `#` heading (ATX or setext), without note references."""
    lines = body.split("\n")
    for index, line in prose_lines(lines):
        match = _ATX_H1_RE.match(line)
        if match and match.group(1).strip(" \t"):
            return " ".join(_NOTE_REF_RE.sub("", _atx_text(match.group(1))).split())
        if (line.strip() and index + 1 < len(lines)
                and re.match(r"^ {0,3}=+[ \t]*$", lines[index + 1])):
            return " ".join(_NOTE_REF_RE.sub("", line).split())
    return ""


def _part_id(stem: str) -> str:
    """A part's id from its file name: its slug, which an XML id must start with a letter."""
    slug = ascii_slug(stem)
    return slug if slug[:1].isalpha() else f"part-{slug}"


#: The ids of what the build makes itself: the EPUB's documents and items, the print
#: edition's sections and pieces. A part whose file name would give one of them gets the
#: next free id instead (`nav.md` is `nav-2`), so it can replace none of them.
RESERVED_IDS = frozenset({
    "nav", "titlepage", "title-page", "copyright-page", "cover", "cover-image", "css",
    "contents", "toc", "toc-title", "landmarks", "page-list", "opening", "book-notes",
    "notes", "folios"})


def _atx_text(text: str) -> str:
    """An ATX heading's text without its closing sequence (` ##`), found without a regex
    (one that does it backtracks quadratically over a long run of spaces)."""
    text = text.rstrip(" \t")
    before = text.rstrip("#")
    if before != text and before.strip(" \t") and before[-1] in " \t":
        return before.rstrip(" \t")
    return text


def _unique_id(base: str, used: set[str]) -> str:
    candidate, counter = base, 2
    while candidate in used:
        candidate = f"{base}-{counter}"
        counter += 1
    return candidate


def _warn_unlisted(config: BookConfig, parts: list[Part], diagnostics: Diagnostics) -> None:
    listed = {(config.root / p.source).resolve() for p in parts}
    for entry in config.contents.files:
        try:
            listed.add((config.root / entry).resolve())
        except (OSError, ValueError):
            continue  # an unusable name: reported as such with [contents]
    for path in sorted(config.root.rglob("*.md")):
        relative = path.relative_to(config.root)
        if any(piece.startswith(".") for piece in relative.parts):
            continue
        if path.resolve() not in listed:
            diagnostics.warning("this Markdown file is not in any [contents] list, so the "
                                "book leaves it out: list it or move it out of the folder",
                                shown_path(config.root, relative))


def _load_abbreviations(config: BookConfig, parts: list[Part],
                        diagnostics: Diagnostics) -> list[Abbreviation]:
    sources = [p for p in parts if p.kind == "abbreviations"]
    for extra in sources[1:]:
        diagnostics.error("a book has one abbreviations part; this is a second one (the first "
                          f"is {sources[0].source})", shown_path(config.root, extra.source), 1, 1)
    if not sources:
        return []
    part = sources[0]
    shown = shown_path(config.root, part.source)
    found: dict[str, Abbreviation] = {}
    for index, line in prose_lines(part.body.split("\n")):
        match = DEFINITION_RE.match(line)
        if not match:
            continue
        abbr, expansion = match.group(1).strip(), " ".join(match.group(2).split())
        number = part.body_line + index
        if not expansion:
            diagnostics.error(f"abbreviation {abbr!r} has no expansion: write it after the "
                              "colon", shown, number, 1)
        elif abbr in found:
            diagnostics.error(f"abbreviation {abbr!r} is defined twice (first on line "
                              f"{found[abbr].line}): keep one", shown, number, 1)
        else:
            found[abbr] = Abbreviation(abbr, expansion, number)
    return list(found.values())
