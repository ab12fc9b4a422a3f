"""A CJK body paragraph (after `cjk.typeset`) -> the same paragraph, with its short lines
mended: punctuation set half-width, or characters spaced, where kinsoku (or a Latin run)
would otherwise leave a justified line short of the right edge.

WeasyPrint cannot stretch a line of ideographs. When a line is full and the next character
may not begin a line (`，` `。` `」` a small kana...), Pango moves the character before it to
the next line too, and the line ends an em short of the right edge. A press pushes the pair
in instead (jlreq 3.8 oikomi; clreq): it sets punctuation of that line half-width, the
line-end mark first, until the pair fits.

The width of every box of such a paragraph is known (see `cjk`), so the line breaks Pango
will make can be found here by filling lines as it does: each ideograph, kana and mark is
1 em, each compressed mark 1/2 em, each Latin run and note number the width `cjk` measured
(and, for a run, where it may break). Where a conflict comes, enough marks of the line (an
exact number of half ems) are set with the font's `halt` feature, and the line then holds
the pair and ends on the right edge (zh-Hans, ja); where that cannot be, the characters of
the line Pango will leave short are spaced apart (oidashi), as they are on a line a Latin
run leaves short. A box whose width is not known (an image, code) ends the filling: the
lines after it are left as Pango sets them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping

from lxml import etree

from allianceprint.cjklang import is_cjk
from allianceprint.fragments import replace_text

#: Marks that may not begin a line (clreq/jlreq), with small kana and iteration marks.
NO_START = frozenset(
    "、。，．：；？！）〕］｝〉》」』】〙〗”’％‰・ー々ゝゞヽヾ〻"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ"
)
#: Marks that may not end a line.
NO_END = frozenset("（〔［｛〈《「『【〘〖“‘")
#: Marks whose blank half the CJK fonts' `halt` feature removes.
HALVES = frozenset("，。、：；（）《》〈〉「」『』【】〔〕“”")
_INSEPARABLE = frozenset("—…‥")
_FULL_WIDTH = (
    (0x2E80, 0x303F),
    (0x3040, 0x30FF),
    (0x31F0, 0x31FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0xFF01, 0xFF60),
    (0x20000, 0x3FFFF),
)
_INLINE = frozenset({"em", "strong", "b", "i", "a", "span", "cite", "q", "small", "mark"})
_EPSILON = 1e-3
_SAFETY = 0.004  # em: a filled line ends this much short, never over
_ON_GRID = 0.02  # em: the most a line whose marks are halved may end short
#: The most a short line's characters are spaced apart (em).
MAX_LETTER = 0.2


@dataclass
class _Atom:
    """One box of the line: a character (1 em, or 1/2 em when compressed), a Latin run,
    or a word joiner (no width, no break on either side)."""

    width: float
    char: str  # "" for a Latin run
    owner: etree._Element | None = None  # the element whose text or tail holds the char
    tail: bool = False
    offset: int = 0
    lead: float = 0.0  # a Latin run's gaps, dropped at a line's start or end
    trail: float = 0.0
    breaks: tuple[tuple[float, float], ...] = ()  # a Latin run's spaces: (before, after)
    run: etree._Element | None = None  # a Latin run's element
    piece: int = 0  # the rest of a run broken at its piece-th space
    breakable: bool | None = None  # Pango may break before it (None: not asked)


class _Unknown(Exception):
    """A box whose width is not known: the filling stops before it."""


@dataclass(frozen=True)
class _Fill:
    """A line left short (Pango broke it early): its characters spaced apart to fill it."""

    atoms: tuple[_Atom, ...]
    letter: float  # em


@dataclass
class _Plan:
    halved: list[list[_Atom]]  # per mended line, the marks set half-width
    fills: list[_Fill]
    # Latin runs at a line's edge: the gap dropped there ("lead", "trail"), or the space
    # where the line breaks the run (a zero-width space then: a space at a line's end
    # counts when WeasyPrint fits the line, and is dropped after).
    edges: list[tuple[etree._Element, str, int]] = field(default_factory=list)


def push_in(
    paragraph: etree._Element,
    measure: int,
    indent: int,
    halve: bool = True,
    widths: Mapping[str, float] | None = None,
    language: str | None = None,
) -> int:
    """Mend the lines that kinsoku (or a Latin run) would end short: halve punctuation
    (`halve`; not for centred marks), else space the line's characters apart. `widths`:
    the width in the CJK face of the characters it shares with Latin text (cjklatin.SHARED).
    Return the number of lines mended."""
    atoms: list[_Atom] = []
    try:
        _collect(paragraph, atoms, widths or {})
        complete = True
    except _Unknown:
        complete = False
    _ask_pango(atoms, language)
    plan = _fill(atoms, measure, indent, halve, complete)
    _apply(plan)
    return len(plan.halved) + len(plan.fills)


def _collect(element: etree._Element, atoms: list[_Atom], widths: Mapping[str, float]) -> None:
    _text(element, False, element.text, atoms, widths)
    for child in element:
        if not isinstance(child.tag, str):
            _text(child, True, child.tail, atoms, widths)
            continue
        css = (child.get("class") or "").split()
        if child.get("data-em"):
            lead, trail = (float(g) for g in child.get("data-gaps", "0 0").split())
            breaks = tuple(
                tuple(float(w) for w in pair.split(":"))  # type: ignore[misc]
                for pair in child.get("data-breaks", "").split()
            )
            atoms.append(
                _Atom(
                    float(child.get("data-em")),
                    "",
                    lead=lead,
                    trail=trail,
                    breaks=breaks,
                    run=child,
                )
            )  # a Latin run, a note's number
            _text(child, True, child.tail, atoms, widths)
            continue
        elif "cjk-latin" in css or (child.get("lang") and not is_cjk(child.get("lang"))):
            raise _Unknown()
        elif "cjk-halt" in css:
            atoms.extend(_Atom(0.5, ch) for ch in child.text or "")
        elif child.tag in _INLINE and not child.get("style"):
            _collect(child, atoms, widths)
        else:
            raise _Unknown()
        _text(child, True, child.tail, atoms, widths)


def _text(
    owner: etree._Element,
    tail: bool,
    text: str | None,
    atoms: list[_Atom],
    widths: Mapping[str, float],
) -> None:
    for offset, char in enumerate(text or ""):
        if char == "\u2060":
            atoms.append(_Atom(0.0, char))
        elif char in widths:
            atoms.append(_Atom(widths[char], char, owner, tail, offset))
        elif any(low <= ord(char) <= high for low, high in _FULL_WIDTH):
            atoms.append(_Atom(1.0, char, owner, tail, offset))
        else:
            raise _Unknown()


def _content(atom: _Atom) -> str:
    return atom.char or ("".join(atom.run.itertext()) if atom.run is not None else "")


def _ask_pango(atoms: list[_Atom], language: str | None) -> None:
    """Set each atom's `breakable` from Pango's own line-break opportunities (UAX 14 as the
    installed Pango implements it: no break before “ or after ” there, for example), so the
    filling breaks where WeasyPrint will. Without WeasyPrint's Pango binding, the rules of
    _may_break_before stand alone."""
    try:
        from weasyprint.text.line_break import get_log_attrs
    except ImportError:  # pragma: no cover - WeasyPrint is a dependency
        return
    starts, text = [], ""
    for atom in atoms:
        starts.append(len(text))
        text += _content(atom)
    if not text:
        return
    attrs = get_log_attrs(text, language)
    for atom, start in zip(atoms, starts):
        # a run's leading gap hangs at the end of the line before: the break is after it
        content = _content(atom)
        spaces = len(content) - len(content.lstrip(" "))
        atom.breakable = any(attrs[start + k].is_line_break for k in range(spaces + 1))


def _may_break_before(atoms: list[_Atom], index: int) -> bool:
    before, after = atoms[index - 1], atoms[index]
    if after.breakable is False:
        return False
    # What follows a run with a gap before it (" IPEF") does not fit: WeasyPrint breaks
    # inside the run's box, at that gap, not between the box and the text after it.
    if before.run is not None and before.lead and not before.breaks and not after.lead:
        return False
    if "\u2060" in (before.char, after.char):
        return False
    if after.char in NO_START or before.char in NO_END:
        return False
    if before.char and before.char == after.char and before.char in _INSEPARABLE:
        return False
    return True


def _line_width(atoms: list[_Atom]) -> float:
    """The width of a line holding `atoms`: a Latin run's gap is dropped at either end."""
    return sum(a.width for a in atoms) - atoms[0].lead - atoms[-1].trail


def _fill(
    atoms: list[_Atom], measure: int, indent: int, halve: bool, complete: bool = True
) -> _Plan:
    """Fill lines as Pango does, and plan how to mend each one that ends short. `complete`:
    `atoms` are the whole paragraph (else they stop before a box of unknown width, and what
    follows their last one is not known)."""
    plan = _Plan([], [])

    def line_ends(atoms_of_line: list[_Atom]) -> None:
        first, last = atoms_of_line[0], atoms_of_line[-1]
        if first.run is not None and first.lead:
            plan.edges.append((first.run, "lead", 0))
        if last.run is not None and last.trail:
            plan.edges.append((last.run, "trail", 0))

    start, index = 0, 0
    while index < len(atoms):
        available = measure - (indent if start == 0 else 0)
        if _line_width(atoms[start : index + 1]) <= available + _EPSILON:
            index += 1
            continue
        run = atoms[index]
        if run.breaks:  # Pango breaks a Latin run at its last space that fits
            used = _line_width(atoms[start:index]) if index > start else 0.0
            lead = run.lead if index == start else 0.0
            fitting = [
                (before, after)
                for before, after in run.breaks
                if used + before - lead <= available + _EPSILON
            ]
            if fitting:
                before, after = fitting[-1]
                head = _Atom(before, "", lead=run.lead, run=run.run)
                _fill_short([*atoms[start:index], head], available, plan)
                line_ends([*atoms[start:index], head])
                plan.edges.append((run.run, "break", len(fitting)))
                later = len(fitting) < len(run.breaks)
                atoms[index] = _Atom(
                    after, "", trail=run.trail, run=run.run, breaks=((1e9, 0.0),) if later else ()
                )
                start = index
                continue
            if run.breaks[0][0] > 1e8:
                return plan  # the rest of a long run: its breaks are not known
        if index == start:
            return plan  # one box wider than the line: not ours to mend
        if _may_break_before(atoms, index):
            _fill_short(atoms[start:index], available, plan)
            line_ends(atoms[start:index])
            start = index
            continue
        # A unit that may not be parted (X。 「X Xっ): it ends at the next break.
        end = index + 1
        while end < len(atoms) and not _may_break_before(atoms, end):
            end += 1
        if end == len(atoms) and not complete:
            return plan  # the unit may go on into the box of unknown width
        overflow = _line_width(atoms[start:end]) - available
        # Latin runs are set a hair under the grid (cjklatin._SAFETY): a line holding them may
        # end that little short once its marks are halved.
        steps = math.ceil(overflow / 0.5 - _EPSILON)
        marks = [
            a
            for a in reversed(atoms[start : end - 1])
            if a.char in HALVES and a.owner is not None and a.width == 1.0
        ]
        # Not the line's last mark: halved, its glyph box would reach past the edge (and a
        # PDF reader's selection with it); a line short of marks is spaced out instead.
        if halve and 1 <= steps <= len(marks) and steps * 0.5 - overflow < _ON_GRID:
            for mark in marks[:steps]:
                mark.width = 0.5
            plan.halved.append(marks[:steps])
            line_ends(atoms[start:end])
            start = index = end
            continue
        # Pango breaks before the unit, at the last opportunity: the line ends short.
        back = index - 1
        while back > start and not _may_break_before(atoms, back):
            back -= 1
        if back <= start:
            return plan
        _fill_short(atoms[start:back], available, plan)
        line_ends(atoms[start:back])
        start = index = back
    return plan


def _fill_short(line: list[_Atom], available: float, plan: _Plan) -> None:
    """Space the characters of a line that ends short, so that it ends at the right edge
    (jlreq oidashi)."""
    short = available - _line_width(line)
    if short < 0.02:
        return
    # Every character of the line is spaced but the last, and one before a Latin run: a
    # box of k characters grows by k spacings, each after its character, so theirs would
    # be a blank at the line's end, or widen the gap before the run.
    spaced = [
        a
        for i, a in enumerate(line)
        if a.owner is not None and i + 1 < len(line) and line[i + 1].owner is not None
    ]
    # Each spaced box costs WeasyPrint some layout, so the longest run of characters in one
    # text node is spaced alone where that is enough; else all of them.
    runs: list[list[_Atom]] = []
    for atom in spaced:
        if (
            runs
            and atom.owner is runs[-1][-1].owner
            and atom.tail == runs[-1][-1].tail
            and atom.offset == runs[-1][-1].offset + 1
        ):
            runs[-1].append(atom)
        else:
            runs.append([atom])
    if not runs:
        return
    longest = max(runs, key=len)
    for chars, boxes in ((longest, 1), (spaced, len(runs))):
        # WeasyPrint may fit a spaced box as one spacing wider than it draws it: a spacing
        # is kept free for each box (the line may then end that much short).
        letter = (short - _SAFETY) / (len(chars) + boxes)
        if letter <= MAX_LETTER:
            plan.fills.append(_Fill(tuple(chars), letter))
            return


def _apply(plan: _Plan) -> None:
    """Wrap each halved mark in `<span class="cjk-halt">` and each filled line's characters
    in `<span class="cjk-fill" style="letter-spacing: ...">`, text node by text node."""
    places: dict[tuple[int, bool], tuple[etree._Element, bool, list]] = {}

    def place(atom: _Atom) -> list:
        return places.setdefault((id(atom.owner), atom.tail), (atom.owner, atom.tail, []))[2]

    for line in plan.halved:
        for atom in line:
            place(atom).append((atom.offset, atom.offset + 1, "cjk-halt", None))
    for fill in plan.fills:
        style = f"letter-spacing:{fill.letter:.4f}em"
        group: list[_Atom] = []
        for atom in [*fill.atoms, None]:
            if group and (
                atom is None
                or atom.owner is not group[-1].owner
                or atom.tail != group[-1].tail
                or atom.offset != group[-1].offset + 1
            ):
                place(group[0]).append((group[0].offset, group[-1].offset + 1, "cjk-fill", style))
                group = []
            if atom is not None:
                group.append(atom)
    for run, where, nth in plan.edges:
        text = run.text or ""
        if where == "lead" and text.startswith(" "):
            run.text = text[1:]
        elif where == "trail" and text.endswith(" "):
            run.text = text[:-1]
        elif where == "break":
            inner = [
                i
                for i, ch in enumerate(text)
                if ch == " " and 0 < i < len(text) - 1 and text[i - 1] != " "
            ]
            if nth <= len(inner):
                at = inner[nth - 1]
                run.text = text[:at] + "\u200b" + text[at + 1 :]
    for owner, tail, spans in places.values():
        text = owner.tail if tail else owner.text
        pieces: list[str | etree._Element] = []
        last = 0
        for begin, end, css, style in sorted(spans, key=lambda item: item[0]):
            pieces.append(text[last:begin])
            span = etree.Element("span", {"class": css})
            if style:
                span.set("style", style)
            span.text = text[begin:end]
            pieces.append(span)
            last = end
        pieces.append(text[last:])
        _put(owner, tail, [p for p in pieces if not isinstance(p, str) or p])


def _put(owner: etree._Element, tail: bool, pieces: list[str | etree._Element]) -> None:
    """Put `pieces` where `owner`'s text (or, with `tail`, its tail) was."""
    if tail:
        replace_text(owner.getparent(), owner, pieces)
    else:
        replace_text(owner, None, pieces)
