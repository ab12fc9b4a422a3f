"""`styles.xml` and `numbering.xml` of a .docx -> what a paragraph or run style means.

Styles are recognised by their names, which Word writes in English whatever the language of
its interface ("heading 1", "Title", "Quote"), following `w:basedOn`; list formats come
from `numbering.xml` through `w:num` -> `w:abstractNum` (and `w:numStyleLink`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from allianceprint.importer.package import NS

W = "{%s}" % NS["w"]
_HEADING_RE = re.compile(r"^heading\s*(\d)$")

LIST_STYLES = {
    "bullet": "disc",
    "decimal": "decimal",
    "decimalZero": "decimal",
    "lowerLetter": "lower-alpha",
    "upperLetter": "upper-alpha",
    "lowerRoman": "lower-roman",
    "upperRoman": "upper-roman",
}


def _kind(name: str) -> tuple[str, int]:
    """What a paragraph style's (lower-case) name says it is: a kind and a heading level;
    ("", 0) for a name that says nothing (its `w:basedOn` may)."""
    heading = _HEADING_RE.match(name)
    if name == "title":
        return "title", 0
    if heading:
        return "heading", int(heading.group(1))
    if "quot" in name or name in ("block text", "blockquote", "extract"):
        return "quote", 0
    if name in ("caption", "table caption", "figure caption"):
        return "caption", 0
    if re.match(r"^(toc \d|toc heading|contents \d|contents heading)$", name):
        return "toc", 0
    if name == "subtitle":
        return "body", 0
    return "", 0


def int_attr(value: str | None, default: int = 0, low: int = 0, high: int = 10_000) -> int:
    """An integer attribute, within [low, high]; `default` when it is not a number (a
    damaged or hostile file must not stop the import with a traceback)."""
    try:
        return min(max(int(value), low), high) if value is not None else default
    except ValueError:
        return default


def on(element: etree._Element | None) -> bool:
    """A toggle property (`w:i`, `w:b`...): present and not switched off."""
    return element is not None and element.get(W + "val", "true") not in ("0", "false", "off")


@dataclass(frozen=True)
class ParagraphStyle:
    kind: str  # body, title, heading, quote, caption, toc
    level: int = 0
    num_id: str = ""
    ilvl: int = 0


@dataclass(frozen=True)
class RunFormat:
    italic: bool = False
    bold: bool = False
    small_caps: bool = False
    script: str = ""


@dataclass(frozen=True)
class LevelFormat:
    ordered: bool
    style: str
    start: int


class Styles:
    def __init__(self, styles: etree._Element | None, numbering: etree._Element | None):
        self._styles: dict[str, etree._Element] = {}
        if styles is not None:
            for style in styles.iterfind("w:style", NS):
                self._styles[style.get(W + "styleId", "")] = style
        self._nums: dict[str, tuple[str, dict[int, int]]] = {}
        self._abstract: dict[str, etree._Element] = {}
        if numbering is not None:
            for abstract in numbering.iterfind("w:abstractNum", NS):
                self._abstract[abstract.get(W + "abstractNumId", "")] = abstract
            for num in numbering.iterfind("w:num", NS):
                ref = num.find("w:abstractNumId", NS)
                starts = {}
                for override in num.iterfind("w:lvlOverride", NS):
                    start = override.find("w:startOverride", NS)
                    if start is None:  # a whole level redefined, with its own start
                        start = override.find("w:lvl/w:start", NS)
                    if start is not None:
                        starts[int_attr(override.get(W + "ilvl"), 0, 0, 8)] = int_attr(
                            start.get(W + "val"), 1
                        )
                self._nums[num.get(W + "numId", "")] = (
                    ref.get(W + "val", "") if ref is not None else "",
                    starts,
                )

    def _chain(self, style_id: str):
        seen = set()
        while style_id and style_id in self._styles and style_id not in seen:
            seen.add(style_id)
            style = self._styles[style_id]
            yield style
            based = style.find("w:basedOn", NS)
            style_id = based.get(W + "val", "") if based is not None else ""

    def paragraph(self, style_id: str) -> ParagraphStyle:
        kind, level, num_id, ilvl = "", 0, "", 0
        outline = None
        for style in self._chain(style_id):
            outline_el = style.find("w:pPr/w:outlineLvl", NS)
            if outline is None and outline_el is not None:
                outline = int_attr(outline_el.get(W + "val"), 9, 0, 9)
            name_el = style.find("w:name", NS)
            name = (name_el.get(W + "val", "") if name_el is not None else "").lower().strip()
            if not num_id:
                num_pr = style.find("w:pPr/w:numPr", NS)
                if num_pr is not None:
                    num = num_pr.find("w:numId", NS)
                    lvl = num_pr.find("w:ilvl", NS)
                    num_id = num.get(W + "val", "") if num is not None else ""
                    ilvl = int_attr(lvl.get(W + "val"), 0, 0, 8) if lvl is not None else 0
            if not kind:
                kind, level = _kind(name)
        if not kind and style_id and style_id not in self._styles:
            # used but not defined (a file without styles.xml, written by a program, not
            # Word): Word's own style ids are its English names without the spaces
            kind, level = _kind(style_id.lower())
        if not kind and outline is not None and outline < 6:  # a house style's heading
            kind, level = "heading", outline + 1
        return ParagraphStyle(kind or "body", level, num_id, ilvl)

    def run(self, style_id: str) -> RunFormat:
        """The formatting a character style gives."""
        italic = bold = small_caps = None
        script = None
        for style in self._chain(style_id):
            rpr = style.find("w:rPr", NS)
            if rpr is None:
                continue
            if italic is None and rpr.find("w:i", NS) is not None:
                italic = on(rpr.find("w:i", NS))
            if bold is None and rpr.find("w:b", NS) is not None:
                bold = on(rpr.find("w:b", NS))
            if small_caps is None and rpr.find("w:smallCaps", NS) is not None:
                small_caps = on(rpr.find("w:smallCaps", NS))
            vert = rpr.find("w:vertAlign", NS)
            if script is None and vert is not None:
                script = {"superscript": "sup", "subscript": "sub"}.get(vert.get(W + "val"), "")
        return RunFormat(bool(italic), bool(bold), bool(small_caps), script or "")

    def _definition(self, num_id: str) -> tuple[str, etree._Element | None]:
        """The abstract numbering definition list `num_id` is an instance of (through
        `w:numStyleLink` to the list style that defines its levels), and its id."""
        abstract_id = self._nums[num_id][0]
        abstract = self._abstract.get(abstract_id)
        link = abstract.find("w:numStyleLink", NS) if abstract is not None else None
        if link is not None:  # the list's levels are those of the list style it names
            target = link.get(W + "val", "")
            for key, candidate in self._abstract.items():
                style_link = candidate.find("w:styleLink", NS)
                if style_link is not None and style_link.get(W + "val") == target:
                    return key, candidate
        return abstract_id, abstract

    def counter(self, num_id: str, ilvl: int) -> tuple[str, int | None]:
        """What numbers list `num_id` at level `ilvl`: Word counts per abstract definition,
        so instances of one definition continue each other's numbers (LibreOffice writes a
        list that continues another as a second instance), except where an instance's
        `w:startOverride` restarts the level. Returns the definition's id and that start
        (None: the instance continues)."""
        if num_id not in self._nums:
            return "", None
        return self._definition(num_id)[0], self._nums[num_id][1].get(ilvl)

    def level(self, num_id: str, ilvl: int) -> LevelFormat | None:
        """The format of level `ilvl` of list `num_id`; None for "no list"."""
        if not num_id or num_id == "0" or num_id not in self._nums:
            return None
        starts = self._nums[num_id][1]
        abstract = self._definition(num_id)[1]
        if abstract is None:
            return LevelFormat(False, "disc", 1)
        lvl = next(
            (
                lv
                for lv in abstract.iterfind("w:lvl", NS)
                if int_attr(lv.get(W + "ilvl"), 0, 0, 8) == ilvl
            ),
            None,
        )
        if lvl is None:
            return LevelFormat(False, "disc", 1)
        fmt_el = lvl.find("w:numFmt", NS)
        fmt = fmt_el.get(W + "val", "decimal") if fmt_el is not None else "decimal"
        if fmt == "none":
            return None
        start_el = lvl.find("w:start", NS)
        start = starts.get(
            ilvl, int_attr(start_el.get(W + "val"), 1) if start_el is not None else 1
        )
        style = LIST_STYLES.get(fmt, "decimal")
        return LevelFormat(style != "disc", style, start)
