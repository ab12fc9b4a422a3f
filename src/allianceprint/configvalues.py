"""A value from book.toml + its kind (`Kind`) -> the value in its Python form, or what is
wrong with it and how to mend it: one checker per kind of value.

config.py's schema names a kind for each key; its validator walks the tables and reports
each problem at the key's line. The checkers know nothing of tables or lines.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Callable, Literal

from allianceprint.housestyle import validate_folder
from allianceprint.model import NOTE_MODES
from allianceprint.validators import (
    control_character_problem,
    isbn13_valid,
    language_tag_problem,
    orcid_valid,
)

Kind = Literal[
    "text",
    "keys",
    "files",
    "date",
    "isbn",
    "language",
    "file",
    "orcid",
    "size",
    "length",
    "marks",
    "flag",
    "variant",
    "notes",
    "words",
    "count",
    "line",
    "folder",
    "filename",
    "table",
]

#: A checker: the value -> (its Python form, None) or (None, what is wrong and how to fix it).
Checker = Callable[[Any], tuple[Any, str | None]]

#: Named trim sizes (lower case, spaces removed) and their CSS page sizes.
NAMED_TRIMS = {
    "a4": "210mm 297mm",
    "a5": "148mm 210mm",
    "b5": "176mm 250mm",
    "letter": "8.5in 11in",
    "usletter": "8.5in 11in",
    "us-letter": "8.5in 11in",
    "6x9": "6in 9in",
    "6×9": "6in 9in",
    "6x9in": "6in 9in",
    "6×9in": "6in 9in",
}

_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_LENGTH = r"\d+(\.\d+)?(mm|cm|in|pt|pc|px)"
_SIZE_RE = re.compile(rf"^{_LENGTH}\s+{_LENGTH}$")
_LENGTH_RE = re.compile(rf"^{_LENGTH}$")

#: Characters no output file name may hold: path separators, and what Windows forbids.
_FILENAME_FORBIDDEN = set('/\\<>:"|?*')
_WINDOWS_DEVICES = re.compile(r"(con|prn|aux|nul|com\d|lpt\d)(\..*)?", re.IGNORECASE)
MAX_FILENAME_BYTES = 200  # file systems allow 255; "-print.pdf" and a temporary suffix follow


def filename_problem(value: str) -> str | None:
    """What is wrong with `value` as the outputs' name (without extension), or None."""
    if not value:
        return "must not be empty: leave the key out to name the outputs after the title"
    if control_character_problem(value) or "\0" in value or "\n" in value or "\t" in value:
        return "must not hold control characters or line breaks"
    bad = sorted(_FILENAME_FORBIDDEN & set(value))
    if bad:
        return (
            f"{value!r} holds {' '.join(bad)}, which a file name cannot hold on every "
            "system: the outputs are written into the output folder, name them only"
        )
    if value.startswith(".") or value.endswith((".", " ")):
        return f"{value!r} must not begin with a dot or end with a dot or a space"
    if value.lower().endswith((".pdf", ".epub")):
        return f"{value!r} is the name without its extension: leave out .pdf or .epub"
    if _WINDOWS_DEVICES.fullmatch(value):
        return f"{value!r} is a device name on Windows: choose another name"
    if len(value.encode("utf-8")) > MAX_FILENAME_BYTES:
        return f"is too long for a file name: at most {MAX_FILENAME_BYTES} bytes in UTF-8"
    return None


def checkers(root: Path) -> dict[str, Checker]:
    """The checker of each kind of value (see Kind); files and folders are found in `root`,
    the manuscript folder."""
    return {
        "text": _text,
        "line": _line,
        "count": _count,
        "keys": _keys,
        "words": _words,
        "files": _files,
        "file": lambda value: _file(value, root),
        "folder": lambda value: _folder(value, root),
        "date": _date,
        "isbn": _isbn,
        "language": _language,
        "orcid": _orcid,
        "size": _size,
        "length": _length,
        "marks": _marks,
        "table": _table,
        "filename": _filename,
        "flag": _flag,
        "variant": _variant,
        "notes": _notes,
    }


def _text(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, str):
        return None, "must be a string in quotes"
    return value.strip(), control_character_problem(value)


def _line(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, str):
        return None, "must be a string in quotes"
    value = value.strip()
    if not value:
        return None, "must not be empty: say in a few words what this was"
    if any(char in value for char in "\n\r\x85\u2028\u2029"):
        return None, "must be one line: write it without line breaks"
    return value, control_character_problem(value)


def _count(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return None, f"{value!r} is not a whole number from 1: write e.g. 3, without quotes"
    return value, None


def _keys(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None, 'must be a list of contributor keys, e.g. ["voss", "arakawa"]'
    return tuple(value), None


def _words(value: Any) -> tuple[Any, str | None]:
    if (
        not isinstance(value, list)
        or not all(isinstance(v, str) for v in value)
        or not all(re.fullmatch(r"[^\W_]+", v) for v in value)
    ):
        return None, 'must be a list of words (letters and digits), e.g. ["NB", "DC"]'
    return tuple(value), None


def _files(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None, 'must be a list of Markdown files, e.g. ["chapters/one.md"]'
    return tuple(value), None


def _file(value: Any, root: Path) -> tuple[Any, str | None]:
    if not isinstance(value, str):
        return None, "must be a path in quotes, relative to the manuscript folder"
    try:
        target = (root / value).resolve()
        if not target.is_relative_to(root.resolve()):
            return None, f"{value!r} lies outside the manuscript folder"
        if not target.is_file():
            return None, f"{value!r} does not exist"
    except (OSError, ValueError) as exc:  # a NUL byte, a name too long for the system
        return None, f"{value!r} is not a usable file name ({exc})"
    if target.suffix.lower() not in (".jpg", ".jpeg", ".png"):
        return None, f"{value!r} must be a JPEG or PNG image"
    return value, None


def _folder(value: Any, root: Path) -> tuple[Any, str | None]:
    if not isinstance(value, str):
        return None, "must be a path in quotes, relative to the manuscript folder"
    return value, validate_folder(root, value)


def _date(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat(), None
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str) or not _DATE_RE.match(value):
        return None, (f"{value!r} is not an ISO 8601 date: write 2026, 2026-03 or 2026-03-15")
    parts = [int(p) for p in value.split("-")]
    try:
        dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return None, (
            f"{value!r} is not a real date: write a month from 01 to 12 and a day that month has"
        )
    return value, None


def _isbn(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, str) or not isbn13_valid(value):
        return None, (
            f"{value!r} is not a valid ISBN-13: check the digits "
            "(13 digits starting 978 or 979, last one a check digit)"
        )
    return value, None


def _language(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, str):
        return None, f"{value!r} is not a BCP 47 language tag: write e.g. en, en-GB, fr, zh-Hans"
    return value, language_tag_problem(value)


def _orcid(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, str) or not orcid_valid(value):
        return None, f"{value!r} is not a valid ORCID iD (0000-0002-1825-0097 form)"
    return value, None


def _size(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, str):
        return None, 'must be a string, e.g. "6in 9in" or "A5"'
    named = NAMED_TRIMS.get(value.strip().lower().replace(" ", ""))
    if named:
        return named, None
    if not _SIZE_RE.match(value.strip()):
        return None, f'{value!r} is not a trim size: write "6in 9in", "A5", "A4", "letter" or "B5"'
    return value.strip(), None


def _length(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, str) or not _LENGTH_RE.match(value.strip()):
        return None, f'{value!r} is not a length: write e.g. "0.75in", "18mm" or "10.5pt"'
    return value.strip(), None


def _marks(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, str):
        value = value.split()
    if not isinstance(value, list) or not all(v in ("crop", "cross") for v in value):
        return None, 'must be a list of "crop" and "cross", e.g. ["crop", "cross"], or []'
    return tuple(dict.fromkeys(value)), None


def _table(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, dict):
        return None, "must be a table: write its keys under a [book.<key>] header"
    return value, None


def _filename(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, str):
        return None, 'must be a file name in quotes, e.g. "allied-horizons"'
    return value.strip(), filename_problem(value.strip())


def _flag(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, bool):
        return None, "must be true or false (without quotes)"
    return value, None


def _variant(value: Any) -> tuple[Any, str | None]:
    from weasyprint.pdf import VARIANTS

    if not isinstance(value, str) or (value != "none" and value not in VARIANTS):
        return None, (
            f"{value!r} is not a PDF variant WeasyPrint writes: use none, "
            + ", ".join(sorted(v for v in VARIANTS if v != "debug"))
        )
    return value, None


def _notes(value: Any) -> tuple[Any, str | None]:
    if value not in NOTE_MODES:
        return None, f"{value!r} is not a notes mode: use {', '.join(NOTE_MODES)}"
    return value, None
