"""A Latin run in CJK text + the face it is set in -> its width (HarfBuzz, on the font file
fontconfig gives WeasyPrint) and the spacing that makes run and gaps a whole number of ems.

The gaps between an ideograph and a Latin word are kept GAP_MIN..GAP_MAX em, as near
GAP_IDEAL as the grid allows; where that is not enough, a letter-spacing of a few
hundredths of an em brings the run onto the grid (`spacing_for`). Also the width, in the
CJK face of a language, of the characters CJK text shares with Latin text
(`shared_widths`). Used by cjk.py; cjklines.py reads the widths it leaves on the boxes.
"""

from __future__ import annotations

import math
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from allianceprint import fonts
from allianceprint.cjklang import region

#: Gaps between an ideograph and a Latin word, in em (clreq: a quarter em or less; CSS
#: text-autospace and Vivliostyle: an eighth; here a fifth where the grid allows; at most
#: 0.35, so that with the letter-spacing of the run and of a filled line (see cjklines) no
#: gap exceeds half an em).
GAP_MIN, GAP_IDEAL, GAP_MAX = 0.15, 0.2, 0.35
#: The widest a gap may look, with the letter-spacing of the glyph before it.
MAX_VISIBLE_GAP = 0.42
#: The letter-spacing (em) a Latin run may take to come onto the grid: a little looser,
#: hardly tighter.
MAX_LETTER_SPACING, MIN_LETTER_SPACING = 0.05, -0.02
#: How far short of the grid a run is set, so a rounding in the layout never pushes the
#: line's last ideograph to the next line (justification absorbs the rest).
_SAFETY = 0.004


@dataclass(frozen=True)
class Face:
    """The Latin face a run is set in: the book's serif or sans, bold or not, italic or not."""

    sans: bool = False
    bold: bool = False
    italic: bool = False

    def pattern(self) -> str:
        family = "Linux Biolinum O" if self.sans else "Linux Libertine O"
        return (
            f"{family}:weight={'bold' if self.bold else 'regular'}"
            f":slant={'italic' if self.italic else 'roman'}"
        )


@dataclass(frozen=True)
class RunWidth:
    """A Latin run as HarfBuzz sets it: its width in em, without and with its spaces."""

    glyphs: float  # every character but the spaces
    space: float  # the natural width of one space
    spaces: int
    characters: int


class LatinMetrics:
    """Widths of Latin runs in the faces WeasyPrint will use (HarfBuzz on fontconfig's file,
    with kerning and ligatures as the print stylesheet asks)."""

    def __init__(self) -> None:
        self._fonts: dict[Face, object | None] = {}

    def font(self, face: Face):
        if face not in self._fonts:
            self._fonts[face] = _hb_font(face.pattern())
        return self._fonts[face]

    def width(self, text: str, face: Face) -> RunWidth | None:
        font = self.font(face)
        if font is None:
            return None
        import uharfbuzz as hb

        upem = font.face.upem

        def advance(string: str) -> float:
            buffer = hb.Buffer()
            buffer.add_str(string)
            buffer.guess_segment_properties()
            hb.shape(font, buffer, {"kern": True, "liga": True})
            return sum(p.x_advance for p in buffer.glyph_positions) / upem

        space = advance(" ")
        spaces = text.count(" ")
        return RunWidth(advance(text) - spaces * space, space, spaces, len(text) - spaces)


#: Characters CJK text shares with Latin text, whose width in the CJK face depends on the
#: region (“ is a full em in SC and TC, less in JP; · is narrow everywhere). The dashes and
#: the ellipsis are a full em with the language's forms (Pango applies them).
SHARED = "·“”‘’"


@lru_cache(maxsize=None)
def shared_widths(language: str) -> dict[str, float]:
    """The width (em) of each SHARED character in the language's CJK face, as Pango shapes
    it (with the language, so the font's regional forms apply)."""
    font = _hb_font(f"Noto Serif CJK {region(language)}")
    if font is None:
        return {}
    import uharfbuzz as hb

    widths = {}
    for char in SHARED:
        buffer = hb.Buffer()
        buffer.add_str(char)
        buffer.guess_segment_properties()
        buffer.language = language
        hb.shape(font, buffer, {})
        width = sum(p.x_advance for p in buffer.glyph_positions) / font.face.upem
        if char == "·" or width == 1.0:  # proportional quotes: kerned, so not known here
            widths[char] = width
    return {**widths, "—": 1.0, "…": 1.0}


@lru_cache(maxsize=None)
def _hb_font(pattern: str):
    try:
        import uharfbuzz as hb

        found = fonts.match(pattern)
    except (ImportError, OSError, ValueError, subprocess.CalledProcessError):
        return None
    if found.file == Path():  # fc-match named no file
        return None
    return hb.Font(hb.Face(hb.Blob.from_file_path(str(found.file)), found.index))


@dataclass(frozen=True)
class Spacing:
    """How a Latin run is set between ideographs: its word- and letter-spacing, in em."""

    word: float
    letter: float
    on_grid: bool


def spacing_for(run: RunWidth) -> Spacing:
    """The gaps (each GAP_MIN..GAP_MAX em, as near GAP_IDEAL as the grid allows) and the
    letter-spacing (at most MAX_LETTER_SPACING, as little as can be) that make the run and
    its gaps a whole number of ems; failing both, the ideal gaps off the grid (justification
    then absorbs the difference on the run's line)."""
    n = run.spaces
    low, high = run.glyphs + n * GAP_MIN, run.glyphs + n * GAP_MAX
    best: tuple[float, Spacing] | None = None
    for target in range(max(1, math.floor(low)), math.ceil(high) + 1):
        gap = min(max((target - run.glyphs) / n, GAP_MIN), GAP_MAX) if n else 0.0
        # Pango spaces every character; WeasyPrint counts one more spacing in the box.
        letter = (target - run.glyphs - n * gap) / (run.characters + n + 1)
        if not MIN_LETTER_SPACING <= letter <= MAX_LETTER_SPACING:
            continue
        # The gap after a run shows the letter-spacing of its last glyph and of the space.
        if n and not 0.11 <= gap + 2 * letter <= MAX_VISIBLE_GAP:
            continue
        score = 10 * abs(letter) + abs(gap - GAP_IDEAL)
        if n:
            gap -= _SAFETY / n
        else:
            letter -= _SAFETY / (run.characters + 1)
        if best is None or score < best[0]:
            best = (score, Spacing(gap - run.space if n else 0.0, letter, True))
    if best is not None:
        return best[1]
    return Spacing(GAP_IDEAL - run.space if n else 0.0, 0.0, False)


def box_width(run: RunWidth, spacing: Spacing) -> float:
    n = run.spaces
    return run.glyphs + n * (run.space + spacing.word) + (run.characters + n + 1) * spacing.letter
