"""book.toml -> `BookConfig`.

The configuration is a schema: every table and key the book can set is declared below with
its type and a line of documentation (the README's table of keys is checked against it).
Unknown tables and keys are errors, and every error in the file is reported together, each
with the key and the line it stands on.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Literal

import langcodes

from allianceprint.errors import ConfigError, Diagnostics, shown_path
from allianceprint.labels import ENGLISH, PRINTING_PLACEHOLDERS, labels_for
from allianceprint.model import (NOTE_MODES, BookConfig, BookMeta, CheckOptions, Contents,
                                 Contributor, PrintOptions, Revision)

CONFIG_NAME = "book.toml"

Kind = Literal["text", "keys", "files", "date", "isbn", "language", "file", "orcid", "size",
               "length", "marks", "flag", "variant", "notes", "words", "count", "line"]


@dataclass(frozen=True)
class Option:
    """One key of a table in book.toml."""

    key: str
    kind: Kind
    doc: str
    required: bool = False


BOOK_OPTIONS: tuple[Option, ...] = (
    Option("title", "text", "The book's title.", required=True),
    Option("language", "language", "BCP 47 language tag of the text, e.g. `en-US`, `fr`.",
           required=True),
    Option("subtitle", "text", "Subtitle, printed under the title."),
    Option("series", "text", "Series name, printed above the title."),
    Option("authors", "keys", "Contributor keys of the book's authors (a monograph)."),
    Option("editors", "keys", "Contributor keys of the book's editors (an edited volume)."),
    Option("translators", "keys", "Contributor keys of the book's translators."),
    Option("publisher", "text", "Publisher's name (title page, copyright page, metadata)."),
    Option("date", "date", "Publication date, ISO 8601: `2026`, `2026-03` or `2026-03-15`."),
    Option("edition", "text", "Edition statement, e.g. `Second edition`."),
    Option("printing", "count", "The printing (impression) of this edition, a whole number "
           "from 1: `3` for its third printing."),
    Option("rights", "text", "Copyright and licence statement for the copyright page."),
    Option("isbn_print", "isbn", "ISBN-13 of the print edition (check digit validated)."),
    Option("isbn_epub", "isbn", "ISBN-13 of the EPUB edition; also the EPUB's identifier."),
    Option("description", "text", "A short description for the EPUB metadata."),
    Option("cover", "file", "Cover image (JPEG or PNG), relative to the manuscript folder."),
)

CONTRIBUTOR_OPTIONS: tuple[Option, ...] = (
    Option("name", "text", "The person's name as printed.", required=True),
    Option("affiliation", "text", "Position and institution, printed under chapter titles."),
    Option("bio", "text", "A short biography in Markdown, for the contributors part."),
    Option("orcid", "orcid", "ORCID iD, e.g. `0000-0002-1825-0097`."),
)

CONTENTS_OPTIONS: tuple[Option, ...] = (
    Option("front", "files", "Front matter parts (roman page numbers), in order."),
    Option("chapters", "files", "Body parts (arabic page numbers from 1), in order."),
    Option("back", "files", "Back matter parts, in order."),
)

PRINT_OPTIONS: tuple[Option, ...] = (
    Option("trim", "size", "Trim size: `6x9` (6in 9in, the default), `A5`, `A4`, `letter`, "
           "`B5`, or two CSS lengths such as `5.5in 8.5in`."),
    Option("font_size", "length", "Body text size (default `10.5pt`)."),
    Option("margin_top", "length", "Top margin (default `0.7in`)."),
    Option("margin_bottom", "length", "Bottom margin (default `0.8in`)."),
    Option("margin_inner", "length", "Inner margin, at the spine (the gutter; default "
           "`0.875in`); mirrored on left and right pages."),
    Option("margin_outer", "length", "Outer margin (default `0.625in`)."),
    Option("bleed", "length", "Bleed around the trim in the print-ready PDF (default "
           "`0.125in`)."),
    Option("marks", "marks", "Printer's marks in the print-ready PDF: `[\"crop\", "
           "\"cross\"]` (the default), one of them, or `[]`."),
    Option("print_ready", "flag", "Also write the printer's PDF (`<name>-print.pdf`, with "
           "bleed and marks) on every build; `--print-ready` does it for one build."),
    Option("pdf_variant", "variant", "PDF standard to follow: `pdf/ua-1` (tagged and "
           "accessible, the default), `pdf/a-3b`, `pdf/a-2b`, `pdf/x-4`, or `none`."),
    Option("notes", "notes", "Where notes print: `chapter-end` (the default), `footnotes` "
           "(at the foot of the page) or `book-end` (one section before the back matter). "
           "The EPUB keeps notes at the end of each part."),
)

CHECKS_OPTIONS: tuple[Option, ...] = (
    Option("ignore_words", "words", "All-caps words that `check` accepts without an entry in the\n           abbreviations part, e.g. `[\"NB\", \"DC\"]`."),
)

HISTORY_OPTIONS: tuple[Option, ...] = (
    Option("date", "date", "When this edition or printing appeared, ISO 8601: `2026`, "
           "`2026-03` or `2026-03-15`.", required=True),
    Option("description", "line", "What it was, on one line, e.g. `Second printing, with "
           "corrections`.", required=True),
)

#: Top-level arrays of tables (`[[name]]`, one table per entry) among TABLES.
ARRAY_TABLES = frozenset({"history"})

TABLES: dict[str, tuple[Option, ...] | None] = {
    "book": BOOK_OPTIONS,
    "contributors": CONTRIBUTOR_OPTIONS,
    "contents": CONTENTS_OPTIONS,
    "print": PRINT_OPTIONS,
    "labels": None,  # free keys: any label name from labels.ENGLISH
    "checks": CHECKS_OPTIONS,
    "history": HISTORY_OPTIONS,  # [[history]]: the book's editions and printings, in order
}

#: Named trim sizes (lower case, spaces removed) and their CSS page sizes.
NAMED_TRIMS = {
    "a4": "210mm 297mm", "a5": "148mm 210mm", "b5": "176mm 250mm",
    "letter": "8.5in 11in", "usletter": "8.5in 11in", "us-letter": "8.5in 11in",
    "6x9": "6in 9in", "6×9": "6in 9in", "6x9in": "6in 9in", "6×9in": "6in 9in",
}

_LANGUAGE_RE = re.compile(
    r"^[a-z]{2,3}(-[a-z]{3}){0,3}(-[a-z]{4})?(-([a-z]{2}|[0-9]{3}))?"
    r"(-([a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*$", re.IGNORECASE)
_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_ORCID_RE = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
_LENGTH = r"\d+(\.\d+)?(mm|cm|in|pt|pc|px)"
_SIZE_RE = re.compile(rf"^{_LENGTH}\s+{_LENGTH}$")
_LENGTH_RE = re.compile(rf"^{_LENGTH}$")
_KEY_RE = re.compile(r"^[A-Za-z0-9_-]+$")


def load_config(root: Path) -> BookConfig:
    """Read and validate `root/book.toml`; raise ConfigError(s) naming key and line."""
    path = root / CONFIG_NAME
    shown = shown_path(root, CONFIG_NAME)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"no {CONFIG_NAME} here: a manuscript folder needs one "
                          "(see the README for its keys)", shown) from None
    except OSError as exc:
        raise ConfigError(f"cannot read {CONFIG_NAME}: {exc}", shown) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        raise ConfigError(f"{CONFIG_NAME} is not UTF-8 text: save it as UTF-8", shown,
                          raw[:exc.start].count(b"\n") + 1,
                          len(raw[line_start:exc.start].decode("utf-8", "replace")) + 1) from exc
    too_deep = _too_deep(text)
    if too_deep is not None:
        raise ConfigError(f"arrays or inline tables nest more than {MAX_TOML_NESTING} deep: "
                          "book.toml needs at most two levels", shown, *too_deep)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {_toml_reason(exc)}", shown,
                          _toml_line(exc), _toml_column(exc)) from exc
    return _Validator(root, path, shown, text).validate(data)


def _toml_line(exc: tomllib.TOMLDecodeError) -> int | None:
    lineno = getattr(exc, "lineno", None)
    if lineno:
        return int(lineno)
    match = re.search(r"at line (\d+)", str(exc))
    return int(match.group(1)) if match else None


def _toml_column(exc: tomllib.TOMLDecodeError) -> int | None:
    colno = getattr(exc, "colno", None)
    if colno:
        return int(colno)
    match = re.search(r"at line \d+, column (\d+)", str(exc))
    return int(match.group(1)) if match else None


MAX_TOML_NESTING = 32
_TOML_TOKEN_RE = re.compile(r'"""(?:[^\\]|\\.)*?"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"'
                            r"|'[^'\n]*'|#[^\n]*|[\[\]{}]", re.DOTALL)


def _too_deep(text: str) -> tuple[int, int] | None:
    """(line, column) where arrays or inline tables first nest deeper than MAX_TOML_NESTING.

    tomllib reads nested values recursively, so a hostile book.toml of a few thousand `[`
    would exhaust the stack: it is turned away here, before parsing.
    """
    depth = 0
    for token in _TOML_TOKEN_RE.finditer(text):
        char = token.group(0)
        if char in "[{":
            depth += 1
            if depth > MAX_TOML_NESTING:
                line_start = text.rfind("\n", 0, token.start()) + 1
                return text.count("\n", 0, token.start()) + 1, token.start() - line_start + 1
        elif char in "]}":
            depth = max(depth - 1, 0)
    return None


CONTROL_CHARACTER_RE = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPED_ONLY_RE = re.compile("[\x00\ud800-\udfff]")  # only an escape can put these in a value


def control_character_problem(value: str) -> str | None:
    """What is wrong with a text that holds a control character (which neither edition can
    hold: XML forbids them), or None. NUL is reported on its own, as a broken file; in a value
    it comes from an escape (`"\\u0000"`), as a lone surrogate (`"\\ud800"`) does."""
    found = CONTROL_CHARACTER_RE.search(value) or _ESCAPED_ONLY_RE.search(value)
    if found is None:
        return None
    if "\ud800" <= found.group() <= "\udfff":
        return (f"contains U+{ord(found.group()):04X}, half of a character (a lone "
                "surrogate), which no book can print: write the whole character")
    return (f"contains the control character U+{ord(found.group()):04X}, which no book can "
            "print: remove it")


def language_tag_problem(value: str) -> str | None:
    """What is wrong with `value` as a BCP 47 language tag, or None if it is a good one."""
    if not _LANGUAGE_RE.match(value):
        return f"{value!r} is not a BCP 47 language tag: write e.g. en, en-GB, fr, zh-Hans"
    if not langcodes.tag_is_valid(value):
        return (f"{value!r} is not a known language tag: its language, script or region is "
                "not in the IANA language subtag registry; write e.g. en, en-GB, fr, zh-Hans")
    return None


def _toml_reason(exc: tomllib.TOMLDecodeError) -> str:
    return re.sub(r"\s*\(at line \d+, column \d+\)|\s*\(at end of document\)", "",
                  getattr(exc, "msg", None) or str(exc))


def key_line(text: str, table: str, key: str | None = None) -> int | None:
    """The line of `[table]`, or of `key` in it, in the book.toml `text` (None if absent)."""
    return _Validator(Path(), Path(), Path(CONFIG_NAME), text).line_of(table, key)


def isbn13_valid(value: str) -> bool:
    digits = re.sub(r"[\s-]", "", value)
    if not re.fullmatch(r"97[89]\d{10}", digits):
        return False
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits[:12]))
    return (10 - total % 10) % 10 == int(digits[12])


def orcid_valid(value: str) -> bool:
    if not _ORCID_RE.match(value):
        return False
    digits = value.replace("-", "")
    total = 0
    for d in digits[:15]:
        total = (total + int(d)) * 2
    check = (12 - total % 11) % 11
    return digits[15] == ("X" if check == 10 else str(check))


class _Validator:
    """Walks the parsed TOML against the schema, collecting every problem."""

    def __init__(self, root: Path, path: Path, shown: Path, text: str) -> None:
        self.root = root
        self.path = path
        self.shown = shown
        self.text = text
        self.lines = text.splitlines()
        self.diagnostics = Diagnostics()

    def line_of(self, table: str, key: str | None = None,
                index: int | None = None) -> int | None:
        """The line of `[table]` (or of `key` inside it); None when it cannot be found. With
        `index`, of the `index`-th (from 0) `[[table]]` entry of an array of tables; an array
        written inline (`history = [...]`) is found at its key."""
        current = None
        seen = -1  # the headers of `table` so far, less one: the entry we are in
        header_re = re.compile(r"^\s*\[\[?([^\]]*)\]\]?\s*(#.*)?$")
        for number, line in enumerate(self.lines, start=1):
            header = header_re.match(line)
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
        if table in ARRAY_TABLES:
            for number, line in enumerate(self.lines, start=1):
                if header_re.match(line):
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

    def error(self, message: str, table: str, key: str | None = None,
              index: int | None = None) -> None:
        """Report a problem with `[table]` (or its `key`; in an array of tables, in its
        `index`-th entry, from 0) at the line where it stands."""
        where = f"[[{table}]]" if table in ARRAY_TABLES else f"[{table}]"
        where += (f" #{index + 1}" if index is not None else "") + (f" {key}" if key else "")
        line = self.line_of(table, key, index)
        self.diagnostics.error(f"{where}: {message}", self.shown, line, self.column_of(line))

    def validate(self, data: dict[str, Any]) -> BookConfig:
        for table, value in data.items():
            if table not in TABLES:
                self.error(f"unknown table; the tables are {', '.join(TABLES)}", table)
            elif table not in ARRAY_TABLES and not isinstance(value, dict):
                self.error("must be a table", table)
        book = self.table(data, "book", BOOK_OPTIONS)
        if "book" not in data:
            self.diagnostics.error("[book] is missing: it needs at least `title` and "
                                   "`language`", self.shown, None)
        contributors = self.contributors(data.get("contributors", {}))
        contents = self.table(data, "contents", CONTENTS_OPTIONS)
        print_options = self.table(data, "print", PRINT_OPTIONS)
        labels = self.labels(data.get("labels", {}))
        checks = self.table(data, "checks", CHECKS_OPTIONS)
        history = self.history(data.get("history", []))

        for role in ("authors", "editors", "translators"):
            for key in book.get(role, ()):
                if key not in contributors:
                    self.error(f"unknown contributor key {key!r}: declare it as "
                               f"[contributors.{key}]", "book", role)
        self.diagnostics.raise_if_errors()

        meta = BookMeta(**book, history=history)
        return BookConfig(
            root=self.root,
            path=self.path,
            book=meta,
            contributors=MappingProxyType(contributors),
            contents=Contents(**contents),
            print=PrintOptions(**print_options),
            labels=labels_for(meta.language, labels),
            text=self.text,
            checks=CheckOptions(**checks),
        )

    def table(self, data: dict[str, Any], name: str, options: tuple[Option, ...],
              display: str | None = None, index: int | None = None) -> dict[str, Any]:
        """Validate one table (with `index`, that entry of an array of tables) against its
        options; return the keyword arguments it gives."""
        display = display or name
        raw = data.get(name, {})
        if not isinstance(raw, dict):
            return {}
        known = {o.key: o for o in options}
        header = f"[[{display}]]" if display in ARRAY_TABLES else f"[{display}]"
        result: dict[str, Any] = {}
        for key, value in raw.items():
            option = known.get(key)
            if option is None:
                self.error(f"unknown key; the keys of {header} are "
                           f"{', '.join(known)}", display, key, index)
                continue
            checked = self.check(option, value, display, index)
            if checked is not None:
                result[key] = checked
        for option in options:
            if option.required and option.key not in raw:
                self.error(f"`{option.key}` is required ({option.doc})", display, index=index)
        return result

    def check(self, option: Option, value: Any, table: str, index: int | None = None) -> Any:
        """The value converted to its Python form, or None after reporting an error."""
        checker: Callable[[Any], tuple[Any, str | None]] = getattr(self, f"_{option.kind}")
        converted, problem = checker(value)
        if not problem and option.required and converted == "":
            problem = "must not be empty (or spaces only)"
        if problem:
            self.error(problem, table, option.key, index)
            return None
        return converted

    # One checker per kind: return (value, None) or (None, what is wrong and how to fix it).
    @staticmethod
    def _text(value: Any) -> tuple[Any, str | None]:
        if not isinstance(value, str):
            return None, "must be a string in quotes"
        return value.strip(), control_character_problem(value)

    @staticmethod
    def _line(value: Any) -> tuple[Any, str | None]:
        if not isinstance(value, str):
            return None, "must be a string in quotes"
        value = value.strip()
        if not value:
            return None, "must not be empty: say in a few words what this was"
        if any(char in value for char in "\n\r\x85\u2028\u2029"):
            return None, "must be one line: write it without line breaks"
        return value, control_character_problem(value)

    @staticmethod
    def _count(value: Any) -> tuple[Any, str | None]:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            return None, f"{value!r} is not a whole number from 1: write e.g. 3, without quotes"
        return value, None

    @staticmethod
    def _keys(value: Any) -> tuple[Any, str | None]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return None, 'must be a list of contributor keys, e.g. ["voss", "arakawa"]'
        return tuple(value), None

    @staticmethod
    def _words(value: Any) -> tuple[Any, str | None]:
        if (not isinstance(value, list) or not all(isinstance(v, str) for v in value)
                or not all(re.fullmatch(r"[^\W_]+", v) for v in value)):
            return None, 'must be a list of words (letters and digits), e.g. ["NB", "DC"]'
        return tuple(value), None

    def _files(self, value: Any) -> tuple[Any, str | None]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return None, 'must be a list of Markdown files, e.g. ["chapters/one.md"]'
        return tuple(value), None

    def _file(self, value: Any) -> tuple[Any, str | None]:
        if not isinstance(value, str):
            return None, "must be a path in quotes, relative to the manuscript folder"
        try:
            target = (self.root / value).resolve()
            if not target.is_relative_to(self.root.resolve()):
                return None, f"{value!r} lies outside the manuscript folder"
            if not target.is_file():
                return None, f"{value!r} does not exist"
        except (OSError, ValueError) as exc:  # a NUL byte, a name too long for the system
            return None, f"{value!r} is not a usable file name ({exc})"
        if target.suffix.lower() not in (".jpg", ".jpeg", ".png"):
            return None, f"{value!r} must be a JPEG or PNG image"
        return value, None

    @staticmethod
    def _date(value: Any) -> tuple[Any, str | None]:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value.isoformat(), None
        if isinstance(value, int):
            value = str(value)
        if not isinstance(value, str) or not _DATE_RE.match(value):
            return None, (f"{value!r} is not an ISO 8601 date: write 2026, 2026-03 "
                          "or 2026-03-15")
        parts = [int(p) for p in value.split("-")]
        try:
            dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
        except ValueError:
            return None, (f"{value!r} is not a real date: write a month from 01 to 12 and "
                          "a day that month has")
        return value, None

    @staticmethod
    def _isbn(value: Any) -> tuple[Any, str | None]:
        if not isinstance(value, str) or not isbn13_valid(value):
            return None, (f"{value!r} is not a valid ISBN-13: check the digits "
                          "(13 digits starting 978 or 979, last one a check digit)")
        return value, None

    @staticmethod
    def _language(value: Any) -> tuple[Any, str | None]:
        if not isinstance(value, str):
            return None, f"{value!r} is not a BCP 47 language tag: write e.g. en, en-GB, fr, zh-Hans"
        return value, language_tag_problem(value)

    @staticmethod
    def _orcid(value: Any) -> tuple[Any, str | None]:
        if not isinstance(value, str) or not orcid_valid(value):
            return None, f"{value!r} is not a valid ORCID iD (0000-0002-1825-0097 form)"
        return value, None

    @staticmethod
    def _size(value: Any) -> tuple[Any, str | None]:
        if not isinstance(value, str):
            return None, 'must be a string, e.g. "6in 9in" or "A5"'
        named = NAMED_TRIMS.get(value.strip().lower().replace(" ", ""))
        if named:
            return named, None
        if not _SIZE_RE.match(value.strip()):
            return None, f'{value!r} is not a trim size: write "6in 9in", "A5", "A4", "letter" or "B5"'
        return value.strip(), None

    @staticmethod
    def _length(value: Any) -> tuple[Any, str | None]:
        if not isinstance(value, str) or not _LENGTH_RE.match(value.strip()):
            return None, f'{value!r} is not a length: write e.g. "0.75in", "18mm" or "10.5pt"'
        return value.strip(), None

    @staticmethod
    def _marks(value: Any) -> tuple[Any, str | None]:
        if isinstance(value, str):
            value = value.split()
        if not isinstance(value, list) or not all(v in ("crop", "cross") for v in value):
            return None, 'must be a list of "crop" and "cross", e.g. ["crop", "cross"], or []'
        return tuple(dict.fromkeys(value)), None

    @staticmethod
    def _flag(value: Any) -> tuple[Any, str | None]:
        if not isinstance(value, bool):
            return None, "must be true or false (without quotes)"
        return value, None

    @staticmethod
    def _variant(value: Any) -> tuple[Any, str | None]:
        from weasyprint.pdf import VARIANTS

        if not isinstance(value, str) or (value != "none" and value not in VARIANTS):
            return None, (f"{value!r} is not a PDF variant WeasyPrint writes: use none, "
                          + ", ".join(sorted(v for v in VARIANTS if v != "debug")))
        return value, None

    @staticmethod
    def _notes(value: Any) -> tuple[Any, str | None]:
        if value not in NOTE_MODES:
            return None, f"{value!r} is not a notes mode: use {', '.join(NOTE_MODES)}"
        return value, None

    def contributors(self, raw: Any) -> dict[str, Contributor]:
        result: dict[str, Contributor] = {}
        if not isinstance(raw, dict):
            return result
        for key, table in raw.items():
            display = f"contributors.{key}"
            if not _KEY_RE.match(key):
                self.error("a contributor key may use only letters, digits, - and _",
                           display)
                continue
            if not isinstance(table, dict):
                self.error("must be a table with at least `name`", display)
                continue
            values = self.table(raw, key, CONTRIBUTOR_OPTIONS, display)
            if "name" in values:
                result[key] = Contributor(key=key, **values)
        return result

    def history(self, raw: Any) -> tuple[Revision, ...]:
        """The `[[history]]` entries, in order: each a table with `date` and `description`."""
        if not isinstance(raw, list):
            self.error("must be an array of tables: write each entry as [[history]] with "
                       "`date` and `description` under it", "history")
            return ()
        result: list[Revision] = []
        for index, entry in enumerate(raw):
            if not isinstance(entry, dict):
                self.error("must be a table with `date` and `description`", "history",
                           index=index)
                continue
            values = self.table({"history": entry}, "history", HISTORY_OPTIONS, index=index)
            if all(option.key in values for option in HISTORY_OPTIONS):
                result.append(Revision(**values))
        return tuple(result)

    def labels(self, raw: Any) -> dict[str, str]:
        result: dict[str, str] = {}
        if not isinstance(raw, dict):
            return result
        for key, value in raw.items():
            if key not in ENGLISH:
                self.error(f"unknown label; the labels are {', '.join(ENGLISH)}", "labels", key)
            elif not isinstance(value, str):
                self.error("must be a string in quotes", "labels", key)
            elif control_character_problem(value):
                self.error(control_character_problem(value), "labels", key)
            elif key == "printing" and not any(p in value for p in PRINTING_PLACEHOLDERS):
                self.error("must hold {n} or {ordinal} where the number goes, e.g. "
                           '"{ordinal} printing" or "Printing {n}"', "labels", key)
            else:
                result[key] = value
        return result
