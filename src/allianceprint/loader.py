"""Manuscript folder + `BookConfig` -> `Book`.

Reads every part that `[contents]` lists, in order: its YAML front matter (title,
short_title, authors, kind; read by frontmatter.py), its title (else its first `#`
heading) and its Markdown body; reads the abbreviations part's definitions; warns about
Markdown files that no list names.
Mistakes are collected in a `Diagnostics`; a part that cannot be read is left out of the
`Book`, so that the later stages can still check the others (`build.checked_book` raises
them all together). Only a `book.toml` that cannot be read stops the loading at once.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from allianceprint.config import CONFIG_NAME, load_config
from allianceprint.errors import Diagnostics, FrontMatterError, ManuscriptError, shown_path
from allianceprint.frontmatter import (
    author_position,
    authors_field,
    key_position,
    split_front_matter,
    text_field,
)
from allianceprint.mdext import prose_lines, source_headings
from allianceprint.mdext.abbreviations import DEFINITION_RE
from allianceprint.model import PART_KINDS, Abbreviation, Book, BookConfig, Division, Part
from allianceprint.slugs import ascii_slug
from allianceprint.tomlplaces import TomlPlaces
from allianceprint.validators import (
    CONTROL_CHARACTER_RE,
    language_tag_problem,
    missing_file_advice,
)

MAX_PART_BYTES = 5 * 1024 * 1024  # about 2,000 printed pages: more is a mistake or an attack

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
                    problem = (
                        f"{relative!r} is listed twice (also in {seen[resolved]}): "
                        "list each part once"
                    )
                elif not is_file and resolved.exists():
                    problem = (
                        f"{relative!r} is not a regular file (a folder, a pipe or a "
                        "device): list Markdown files only"
                    )
                elif not is_file:
                    problem = f"{relative!r} does not exist: " + missing_file_advice(
                        config.root / relative,
                        "create it or correct the path (relative to the manuscript folder)",
                    )
                elif resolved.suffix.lower() != ".md":
                    problem = f"{relative!r} is not a Markdown (.md) file"
                seen.setdefault(resolved, key)
            if problem:
                # Located only now: scanning book.toml for the entry is for mistakes alone.
                places = TomlPlaces(config.text)
                diagnostics.error(
                    f"[contents] {key}: {problem}",
                    shown_path(config.root, CONFIG_NAME),
                    *places.entry_place("contents", key, position),
                )
                continue
            try:
                part = _load_part(config, resolved, division, used_ids, diagnostics)
            except ManuscriptError as exc:
                diagnostics.add(exc)
                continue
            used_ids.add(part.id)
            parts.append(part)
    if not any(p.division == "body" for p in parts) and not diagnostics.errors:
        diagnostics.error(
            "[contents] chapters is empty: list at least one chapter",
            shown_path(config.root, CONFIG_NAME),
            *TomlPlaces(config.text).place_of("contents"),
        )
    return parts


def _read_text(path: Path, shown: Path) -> str:
    size = path.stat().st_size
    if size > MAX_PART_BYTES:
        raise ManuscriptError(
            f"the file is {size // 1_000_000} MB; a part may be at most "
            f"{MAX_PART_BYTES // 1_000_000} MB: split it",
            shown,
        )
    data = path.read_bytes().removeprefix(codecs.BOM_UTF8)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        line_start = before.rfind(b"\n") + 1
        raise ManuscriptError(
            "the file is not UTF-8 text: save it as UTF-8",
            shown,
            before.count(b"\n") + 1,
            len(before[line_start:].decode("utf-8", "replace")) + 1,
        ) from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        index = text.index("\x00")
        raise ManuscriptError(
            "the file contains a NUL byte: remove it",
            shown,
            text.count("\n", 0, index) + 1,
            index - text.rfind("\n", 0, index),
        )
    return text


def _load_part(
    config: BookConfig, path: Path, division: Division, used_ids: set[str], diagnostics: Diagnostics
) -> Part:
    relative = path.relative_to(config.root)
    shown = shown_path(config.root, relative)
    text = _without_control_characters(_read_text(path, shown), shown, diagnostics)
    meta, body, body_line = split_front_matter(text, shown)
    key_lines = {key: line for key in meta if (line := key_position(text, str(key))[0]) is not None}

    title = text_field(meta, "title", shown, text)
    short_title = text_field(meta, "short_title", shown, text)
    for key, value in (("title", title), ("short_title", short_title)):
        if cited := _NOTE_REF_RE.search(value):  # the front matter is not the text: no notes
            diagnostics.error(
                f"a note cannot hang on the front matter's {key}: {cited.group(0)} would print "
                f"as it is written and the note be left out: delete `{key}:` and open the "
                f"text with `# {value}`"
                if key == "title"
                else f"a short title takes no note: delete {cited.group(0)} from it",
                shown,
                *key_position(text, key),
            )
    kind = text_field(meta, "kind", shown, text) or "text"
    if kind not in PART_KINDS:
        raise FrontMatterError(
            f"kind {kind!r} is unknown: use one of {', '.join(PART_KINDS)}",
            shown,
            *key_position(text, "kind"),
        )
    lang = text_field(meta, "lang", shown, text)
    if lang and (problem := language_tag_problem(lang)):
        raise FrontMatterError(f"lang: {problem}", shown, *key_position(text, "lang"))
    authors = authors_field(meta, shown, text)
    numbered = meta.get("numbered", True)
    if not isinstance(numbered, bool):
        raise FrontMatterError(
            "`numbered` must be true or false", shown, *key_position(text, "numbered")
        )
    for key in authors:
        if key not in config.contributors:
            diagnostics.error(
                f"unknown contributor key {key!r}: declare it in book.toml as [contributors.{key}]",
                shown,
                *author_position(text, key),
            )
    if not title:
        title = _first_heading(body)
    if not title and kind == "contributors":
        title = config.labels["contributors"]
    if not title and kind == "abbreviations":
        title = config.labels["abbreviations"]
    if not title:
        diagnostics.error(
            "the part has no title: add `title:` to its front matter or start "
            "it with a `# Title` line",
            shown,
            1,
            1,
        )
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
        message = (
            f"the file contains the control character {first}, which no book can print: remove it"
        )
    else:
        message = (
            f"the file contains {count} control characters ({first} here, the first), "
            "which no book can print: remove them"
        )
    index = found.start()
    diagnostics.error(
        message, shown, text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index)
    )
    return CONTROL_CHARACTER_RE.sub(" ", text)


def _first_heading(body: str) -> str:
    """The text of the body's first `#` heading (ATX or setext), without note references."""
    lines = [line for _, line in prose_lines(body.split("\n"), keep_all=True)]
    for heading in source_headings(lines):
        if heading.level == 1 and heading.text:
            return " ".join(_NOTE_REF_RE.sub("", heading.text).split())
    return ""


def _part_id(stem: str) -> str:
    """A part's id from its file name: its slug, which an XML id must start with a letter."""
    slug = ascii_slug(stem)
    return slug if slug[:1].isalpha() else f"part-{slug}"


#: The ids of what the build makes itself: the EPUB's documents and items, the print
#: edition's sections and pieces. A part whose file name would give one of them gets the
#: next free id instead (`nav.md` is `nav-2`), so it can replace none of them.
RESERVED_IDS = frozenset(
    {
        "nav",
        "titlepage",
        "title-page",
        "copyright-page",
        "cover",
        "cover-image",
        "css",
        "contents",
        "toc",
        "toc-title",
        "landmarks",
        "page-list",
        "opening",
        "book-notes",
        "notes",
        "folios",
    }
)


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
            diagnostics.warning(
                "this Markdown file is not in any [contents] list, so the "
                "book leaves it out: list it or move it out of the folder",
                shown_path(config.root, relative),
            )


def _load_abbreviations(
    config: BookConfig, parts: list[Part], diagnostics: Diagnostics
) -> list[Abbreviation]:
    sources = [p for p in parts if p.kind == "abbreviations"]
    for extra in sources[1:]:
        diagnostics.error(
            "a book has one abbreviations part; this is a second one (the first "
            f"is {sources[0].source})",
            shown_path(config.root, extra.source),
            1,
            1,
        )
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
            diagnostics.error(
                f"abbreviation {abbr!r} has no expansion: write it after the colon",
                shown,
                number,
                1,
            )
        elif abbr in found:
            diagnostics.error(
                f"abbreviation {abbr!r} is defined twice (first on line "
                f"{found[abbr].line}): keep one",
                shown,
                number,
                1,
            )
        else:
            found[abbr] = Abbreviation(abbr, expansion, number)
    return list(found.values())
