"""A Word field's instruction (`HYPERLINK "https://..."`, `PAGEREF _Toc1 \\h`,
`ADDIN ZOTERO_ITEM ...`) -> its name, its link target, and the finding that says what
importing its shown text keeps or loses. The reader (reader.py) tracks the fields as it
walks the runs; what each kind of field means is decided here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Fields whose shown text is kept silently (HYPERLINK becomes a link; the rest are formatting).
_QUIET_FIELDS = {"HYPERLINK", "SYMBOL", "QUOTE", "FORMTEXT", "MERGEFORMAT"}


@dataclass
class Field:
    """A field being read: its instruction, and the links it holds while its result is read."""

    code: str = ""
    separated: bool = False
    saved: list | None = None  # the output list while a HYPERLINK's result is captured
    children: list | None = None

    @property
    def name(self) -> str:
        words = self.code.split()
        if not words:
            return ""
        if words[0].upper() == "ADDIN" and len(words) > 1:
            return "ADDIN " + words[1].upper()
        return words[0].upper()


def field_finding(name: str, in_caption: bool) -> str | None:
    """What importing a field named `name` keeps or loses, in one line for the report; None
    for a field whose shown text is right as it is (HYPERLINK: the reader makes a link)."""
    if name == "TOC":
        return "a table of contents (TOC field) is left out: the book makes its own"
    if name == "INDEX":
        return "an index (INDEX field) is left out: the book has no index"
    if name in ("XE", "TC", "RD"):
        return None  # index and contents entries: they show nothing
    if name in ("PAGEREF",):
        return (
            "a page reference (PAGEREF field) is kept as the page number Word "
            "showed, which will be wrong in the book: reword it"
        )
    if name in ("REF", "NOTEREF"):
        return f"a cross-reference ({name} field) is kept as the text Word showed: check it"
    if name == "SEQ":
        if in_caption:
            return None
        return "a number (SEQ field) is kept as the text Word showed: check it"
    if name.startswith("ADDIN"):
        manager = (
            "Zotero"
            if "ZOTERO" in name
            else "EndNote"
            if "EN." in name
            else "Mendeley"
            if "CSL" in name or "MENDELEY" in name
            else "a reference manager"
        )
        return (
            f"a citation field of {manager} ({name}) is kept as its text; its "
            "link to the reference library is lost"
        )
    if name and name not in _QUIET_FIELDS:
        return f"a {name} field is kept as the text Word showed"
    return None


def hyperlink_target(code: str) -> str:
    """The target of a HYPERLINK field: `HYPERLINK "https://..."` or `HYPERLINK \\l "_Toc1"`."""
    words = re.findall(r'"([^"]*)"|(\\[a-z])|(\S+)', code)
    target, anchor, flag = "", "", ""
    for quoted, switch, bare in words[1:]:
        value = quoted or bare
        if switch:
            flag = switch
            continue
        if flag == "\\l":
            anchor = value
        elif flag in ("\\o", "\\t"):
            pass
        elif not target:
            target = value
        flag = ""
    if anchor and not target:
        return "#" + anchor
    return target + (f"#{anchor}" if anchor else "")
