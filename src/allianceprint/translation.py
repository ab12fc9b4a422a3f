"""A translation and its original (two checked `RenderedBook`s) -> the differences in their
structure, as findings located in the translation that name the place in the original.

`allianceprint check DIR --original ORIG_DIR` compares them part by part: which parts have
a counterpart, then for each pair the sections (`##`), subsections (`###`), the notes in
each section (a note lost in translation is the classic error of translated editions), the
tables and the figures; and the abbreviations list. The words are not compared: they are
in different languages.

Parts are paired by their path in the manuscript (`chapters/02-trusted-networks.md` in
both); when no path is the same in both (the translator named the files anew), in order
within their division (front, body, back). A part of the original with no counterpart is
reported on the translation's `[contents]` line as a warning (an edition may translate a
selection), so `--strict` fails on it; every other difference is an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable

from allianceprint.config import CONFIG_NAME, key_line
from allianceprint.errors import Diagnostics, ManuscriptError, shown_path
from allianceprint.mdext import prose_lines
from allianceprint.mdext.abbreviations import abbreviation_pattern
from allianceprint.model import RenderedBook, RenderedPart

_HEADING_RE = re.compile(r"^(#{2,3})(?!#)\s*(.*?)\s*#*\s*$")
_NOTE_REF_RE = re.compile(r"\[\^([^\]\n]+)\](?!:)")
_NOTE_DEF_RE = re.compile(r"^\[\^[^\]\n]+\]:")
_TABLE_RULE_RE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_IMAGE_RE = re.compile(r"^\s*!\[")
_URL_RE = re.compile(r"\S+://\S*")
_CONTENTS_KEYS = {"front": "front", "body": "chapters", "back": "back"}


@dataclass(frozen=True)
class Place:
    """A line of a manuscript file, as messages name it."""

    path: Path
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Section:
    """A `##` section of a part (the first, untitled, holds what comes before any `##`)."""

    title: str
    place: Place
    notes: tuple[Place, ...]  # the first reference to each note in it, in order
    labels: tuple[str, ...]  # those notes' labels, in the same order
    subsections: int


@dataclass(frozen=True)
class Outline:
    """The structure of one part, read from its source and its rendered HTML."""

    rendered: RenderedPart
    place: Place  # the part's first line
    sections: tuple[Section, ...]
    tables: tuple[Place, ...]
    figures: tuple[Place, ...]

    @property
    def notes(self) -> int:
        return len(self.rendered.notes)

    @property
    def name(self) -> str:
        return self.rendered.title_text or str(self.rendered.part.source)


def compare(translation: RenderedBook, original: RenderedBook, diagnostics: Diagnostics) -> None:
    """Add to `diagnostics` every difference in structure between the two books."""
    ours = [outline(part, translation) for part in translation.parts]
    theirs = [outline(part, original) for part in original.parts]
    pairs, lost, extra = _pair(ours, theirs)
    toml = shown_path(translation.book.config.root, CONFIG_NAME)
    for part in lost:
        key = _CONTENTS_KEYS[part.rendered.part.division]
        diagnostics.warning(
            f"[contents] {key}: the original's part {part.rendered.part.source} "
            f'("{part.name}", {part.place}) has no counterpart in this translation: '
            "translate it and list it here, unless this edition is a selection of the "
            "original",
            toml,
            key_line(translation.book.config.text, "contents", key),
        )
    for part in extra:
        diagnostics.error(
            f"this part has no counterpart in the original ({original.book.root.name}): a "
            "translation adds nothing of its own; check [contents] in both books",
            part.place.path,
            part.place.line,
        )
    for mine, theirs_part in pairs:
        _compare_parts(mine, theirs_part, diagnostics)
    _compare_abbreviations(translation, original, diagnostics)


def outline(rendered: RenderedPart, book: RenderedBook) -> Outline:
    """The structure of `rendered`: its sections with their notes, its tables and figures."""
    part = rendered.part
    shown = shown_path(book.book.config.root, part.source)
    labels = {note.label for note in rendered.notes}
    seen: set[str] = set()
    lines = part.body.split("\n")
    sections: list[Section] = []
    title, start, notes, note_labels, subsections = "", Place(shown, 1), [], [], 0
    tables: list[Place] = []
    images: list[Place] = []
    in_note = False
    prose = prose_lines(lines)
    for position, (index, line) in enumerate(prose):
        here = Place(shown, part.body_line + index)
        if _NOTE_DEF_RE.match(line):
            in_note = True
            continue
        if in_note and (line.startswith("    ") or line.startswith("\t") or not line.strip()):
            continue  # a note's further paragraphs: references in notes are not the text's
        in_note = False
        heading = _HEADING_RE.match(line)
        if heading and len(heading.group(1)) == 2:
            sections.append(Section(title, start, tuple(notes), tuple(note_labels), subsections))
            title, start, notes, note_labels, subsections = heading.group(2), here, [], [], 0
        elif heading:
            subsections += 1
        following = prose[position + 1][1] if position + 1 < len(prose) else ""
        if line.lstrip().startswith("|") and _TABLE_RULE_RE.match(following):
            tables.append(here)
        if _IMAGE_RE.match(line):
            images.append(here)
        for found in _NOTE_REF_RE.finditer(line):
            label = found.group(1)
            if label in labels and label not in seen:
                seen.add(label)
                notes.append(here)
                note_labels.append(label)
    sections.append(Section(title, start, tuple(notes), tuple(note_labels), subsections))
    figures = rendered.body_html.count("<figure")
    return Outline(
        rendered=rendered,
        place=Place(shown, 1),
        sections=tuple(sections),
        tables=tuple(tables),
        figures=tuple(images[:figures]),
    )


def _pair(
    ours: list[Outline], theirs: list[Outline]
) -> tuple[list[tuple[Outline, Outline]], list[Outline], list[Outline]]:
    """(translation, original) pairs, the original's parts left over, the translation's."""
    by_source = {o.rendered.part.source.as_posix(): o for o in theirs}
    paired: dict[int, Outline] = {}
    taken: set[int] = set()
    for index, part in enumerate(ours):
        match = by_source.get(part.rendered.part.source.as_posix())
        if match is not None and id(match) not in taken:
            paired[index] = match
            taken.add(id(match))
    for division in ("front", "body", "back") if not paired else ():
        rest_ours = [
            i
            for i, p in enumerate(ours)
            if i not in paired and p.rendered.part.division == division
        ]
        rest_theirs = [
            p for p in theirs if id(p) not in taken and p.rendered.part.division == division
        ]
        for index, match in zip(rest_ours, rest_theirs):
            paired[index] = match
            taken.add(id(match))
    pairs = [(ours[i], paired[i]) for i in sorted(paired)]
    lost = [p for p in theirs if id(p) not in taken]
    extra = [p for i, p in enumerate(ours) if i not in paired]
    return pairs, lost, extra


def _compare_parts(mine: Outline, theirs: Outline, diagnostics: Diagnostics) -> None:
    """The differences between one part and its original."""

    def error(message: str, place: Place) -> None:
        diagnostics.error(message, place.path, place.line)

    if mine.rendered.part.kind != theirs.rendered.part.kind:
        error(
            f"this part is of kind {mine.rendered.part.kind!r}, its original "
            f"({theirs.place}) of kind {theirs.rendered.part.kind!r}: set `kind` alike",
            mine.place,
        )
        return
    if len(mine.sections) != len(theirs.sections):
        error(
            f"this part has {len(mine.sections) - 1} sections (##), on lines "
            f"{_lines(s.place for s in mine.sections[1:])}; its original ({theirs.place}) "
            f"has {len(theirs.sections) - 1}, on lines "
            f"{_lines(s.place for s in theirs.sections[1:])}",
            mine.place,
        )
    else:
        for ours, original in zip(mine.sections, theirs.sections):
            where = ours.place if ours.title else mine.place
            if ours.subsections != original.subsections:
                error(
                    f"{_section_name(ours)} has {ours.subsections} subsections (###), "
                    f"its original ({original.place}) has {original.subsections}",
                    where,
                )
            if len(ours.notes) != len(original.notes):
                error(
                    f"{_section_name(ours)} has {len(ours.notes)} notes, its original "
                    f"({original.place}) has {len(original.notes)}: "
                    f"{_note_difference(ours, original)}",
                    _note_place(ours, original, where),
                )
    # With the sections alike, a difference is reported per section above, unless it lies in
    # what the sections do not hold (a note on a title given in the front matter).
    by_section = len(mine.sections) == len(theirs.sections) and sum(
        len(s.notes) for s in mine.sections
    ) != sum(len(s.notes) for s in theirs.sections)
    if mine.notes != theirs.notes and not by_section:
        ours_labels = {n.label for n in mine.rendered.notes}
        lost = [n.label for n in theirs.rendered.notes if n.label not in ours_labels]
        named = (
            ": lost in translation: " + ", ".join(f"[^{label}]" for label in lost)
            if lost and mine.notes < theirs.notes
            else ""
        )
        error(
            f"this part has {mine.notes} notes, its original ({theirs.place}) has "
            f"{theirs.notes}{named}",
            mine.place,
        )
    for kind, ours_places, original_places in (
        ("tables", mine.tables, theirs.tables),
        ("figures", mine.figures, theirs.figures),
    ):
        if len(ours_places) != len(original_places):
            count = min(len(ours_places), len(original_places))
            place = ours_places[count] if count < len(ours_places) else mine.place
            theirs_at = (
                f"; the original's {kind[:-1]} {count + 1} is at {original_places[count]}"
                if count < len(original_places)
                else ""
            )
            error(
                f"this part has {len(ours_places)} {kind}, its original ({theirs.place}) "
                f"has {len(original_places)}{theirs_at}",
                place,
            )


def _section_name(section: Section) -> str:
    return f'section "{section.title}"' if section.title else "the text before the first section"


def _note_place(ours: Section, original: Section, where: Place) -> Place:
    """Where to look: the reference that follows the lost note's place (by label), else the
    section's heading."""
    for position, label in enumerate(original.labels):
        if label not in ours.labels:
            later = [p for l, p in zip(ours.labels, ours.notes) if l in original.labels[position:]]
            return later[0] if later else where
    return where


def _lines(places: Iterable[Place]) -> str:
    return ", ".join(str(p.line) for p in places) or "none"


def _note_difference(ours: Section, original: Section) -> str:
    """What became of the notes: by label when the translation kept the original's labels
    (`[^osa]` in both), else where the original references its notes."""
    lost = [
        (label, place)
        for label, place in zip(original.labels, original.notes)
        if label not in ours.labels
    ]
    added = [label for label in ours.labels if label not in original.labels]
    if len(ours.notes) < len(original.notes) and lost and not added:
        return "lost in translation: " + ", ".join(
            f"[^{label}] (referenced at {place})" for label, place in lost
        )
    if len(ours.notes) > len(original.notes) and added and not lost:
        return "added in translation: " + ", ".join(f"[^{label}]" for label in added)
    change = "lost" if len(ours.notes) < len(original.notes) else "added"
    return (
        f"a note was {change} in translation (the original references its notes on "
        f"lines {_lines(original.notes)}, this section on lines {_lines(ours.notes)})"
    )


def _compare_abbreviations(
    translation: RenderedBook, original: RenderedBook, diagnostics: Diagnostics
) -> None:
    """The abbreviations list against the original's: an abbreviation of the original's list
    that the translation uses must be in its list too, and the list holds nothing that the
    original's lacks. (A translation may spell out what the original abbreviates, 美国 for
    U.S., and a selection does not list what only other parts use.)"""
    ours = {a.abbr: a for a in translation.book.abbreviations}
    theirs = {a.abbr: a for a in original.book.abbreviations}
    source = next((p for p in translation.book.parts if p.kind == "abbreviations"), None)
    their_source = next((p for p in original.book.parts if p.kind == "abbreviations"), None)
    if their_source is None:
        return
    their_shown = shown_path(original.book.config.root, their_source.source)
    missing = sorted(set(theirs) - set(ours), key=len, reverse=True)
    pattern = abbreviation_pattern(missing) if missing else None
    reported: set[str] = set()
    for part in translation.parts:
        if pattern is None or part.part.kind == "abbreviations":
            continue
        shown = shown_path(translation.book.config.root, part.part.source)
        for index, line in prose_lines(part.part.body.split("\n")):
            line = _URL_RE.sub(lambda m: " " * len(m.group(0)), line)
            for found in pattern.finditer(line):
                abbr = found.group(0)
                if abbr in reported:
                    continue
                reported.add(abbr)
                diagnostics.error(
                    f"abbreviation {abbr!r} is in the original's list ({their_shown}:"
                    f"{theirs[abbr].line}: {theirs[abbr].expansion}) but not in this "
                    "translation's: add it to the abbreviations part",
                    shown,
                    part.part.body_line + index,
                    found.start() + 1,
                )
    if source is None:
        return
    shown = shown_path(translation.book.config.root, source.source)
    for abbr in sorted(ours.keys() - theirs.keys()):
        diagnostics.error(
            f"abbreviation {abbr!r} is not in the original's list ({their_shown}): a "
            "translation keeps the original's abbreviations",
            shown,
            ours[abbr].line,
        )


def check_translation(
    manuscript: Path, original: Path, diagnostics: Diagnostics, strict: bool = False
) -> RenderedBook:
    """`check DIR --original ORIG_DIR`: check the translation as `check` does, then compare
    it with its original (checked too, its own findings kept apart), raising every
    difference found together with the translation's other findings."""
    from allianceprint.build import checked_book
    from allianceprint.checks import reading_order

    rendered = checked_book(manuscript, diagnostics, strict)
    theirs = Diagnostics()
    try:
        source = checked_book(original, theirs)
    except ManuscriptError as exc:
        theirs.add(exc)  # book.toml's errors are raised before anything is collected
        for found in theirs.errors:
            diagnostics.record(replace(found, message=f"in the original: {found.message}"))
        diagnostics.error(
            f"the original has {len(theirs.errors)} errors of its own, so it "
            "cannot be compared: correct them first",
            original,
        )
        diagnostics.raise_if_errors()
    compare(rendered, source, diagnostics)
    diagnostics.sort(reading_order(rendered.book))
    diagnostics.raise_if_errors(strict)
    return rendered
