"""book.toml -> `BookConfig`.

The configuration is a schema: every table and key the book can set is declared below with
its type and a line of documentation (the README's table of keys is checked against it).
Unknown tables and keys are errors, and every error in the file is reported together, each
with the key and the line it stands on.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from allianceprint.configvalues import Kind, checkers
from allianceprint.errors import ConfigError, Diagnostics, shown_path
from allianceprint.labels import ENGLISH, PRINTING_PLACEHOLDERS, labels_for
from allianceprint.model import (
    BookConfig,
    BookMeta,
    CheckOptions,
    Contents,
    Contributor,
    Original,
    PrintOptions,
    Revision,
    StyleOptions,
)
from allianceprint.tomlplaces import (
    TomlPlaces,
    error_place,
    error_reason,
    too_deep,
)
from allianceprint.validators import control_character_problem

CONFIG_NAME = "book.toml"


@dataclass(frozen=True)
class Option:
    """One key of a table in book.toml."""

    key: str
    kind: Kind
    doc: str
    required: bool = False


BOOK_OPTIONS: tuple[Option, ...] = (
    Option("title", "text", "The book's title.", required=True),
    Option(
        "language",
        "language",
        "BCP 47 language tag of the text, e.g. `en-US`, `fr`, "
        "`zh-Hans`. Chooses the printed words, the date formats and the hyphenation.",
        required=True,
    ),
    Option("subtitle", "text", "Subtitle, printed under the title."),
    Option("series", "text", "Series name, printed above the title."),
    Option("authors", "keys", "Contributor keys of the book's authors (a monograph)."),
    Option("editors", "keys", "Contributor keys of the book's editors (an edited volume)."),
    Option("translators", "keys", "Contributor keys of the book's translators."),
    Option("publisher", "text", "Publisher's name (title page, copyright page, metadata)."),
    Option("date", "date", "Publication date, ISO 8601: `2026`, `2026-03` or `2026-03-15`."),
    Option("edition", "text", "Edition statement for the copyright page, e.g. `Second edition`."),
    Option(
        "printing",
        "count",
        "The printing (impression) of this edition, a whole number "
        "from 1: `3` for its third printing. The copyright page states it under the edition "
        '("Third printing", in the book\'s language); the EPUB has it as `schema:version`, '
        "the edition as `schema:bookEdition`.",
    ),
    Option(
        "rights", "text", "Copyright and licence statement for the copyright page and the EPUB."
    ),
    Option("isbn_print", "isbn", "ISBN-13 of the print edition (the check digit is validated)."),
    Option(
        "isbn_epub",
        "isbn",
        "ISBN-13 of the EPUB edition; also the EPUB's identifier. "
        "Without it the identifier is a UUID derived from the book, stable from build to "
        "build.",
    ),
    Option(
        "description",
        "text",
        "A short description for the metadata (PDF and EPUB) and the copyright page.",
    ),
    Option(
        "cover",
        "file",
        "Cover image (JPEG or PNG), relative to the manuscript folder; used by the EPUB.",
    ),
    Option(
        "chapter_label",
        "text",
        "How chapters are numbered, with `{n}` for the number: "
        "`Chapter {n}`, `{n}`, `第{n}章` (Chinese numerals in a Chinese or Japanese book); "
        "unset, they are not.",
    ),
    Option(
        "filename",
        "filename",
        "The outputs' file name without extension, e.g. "
        "`allied-horizons` (default: from the title).",
    ),
    Option(
        "original",
        "table",
        "A translation's original, as the table `[book.original]`: "
        "`title` and `language` (required), `publisher`, `date`, `isbn`; the copyright "
        "page and the EPUB's dc:source state it (see docs/translations.md).",
    ),
)

#: `[book.original]`: the book a translation was translated from.
ORIGINAL_OPTIONS: tuple[Option, ...] = (
    Option("title", "text", "The original's title, as printed on it.", required=True),
    Option(
        "language", "language", "BCP 47 language tag of the original, e.g. `en`.", required=True
    ),
    Option("publisher", "text", "The original's publisher."),
    Option("date", "date", "When the original appeared, ISO 8601: `2026` or `2026-03`."),
    Option("isbn", "isbn", "ISBN-13 of the original (check digit validated)."),
)

CONTRIBUTOR_OPTIONS: tuple[Option, ...] = (
    Option("name", "text", "The person's name as printed.", required=True),
    Option(
        "affiliation",
        "text",
        "Position and institution, printed under chapter titles and in the contributors part.",
    ),
    Option("bio", "text", "A short biography in Markdown, for the contributors part."),
    Option("orcid", "orcid", "ORCID iD, e.g. `0000-0002-1825-0097` (checksum validated)."),
)

CONTENTS_OPTIONS: tuple[Option, ...] = (
    Option("front", "files", "Front matter parts, in order: lowercase roman page numbers."),
    Option(
        "chapters",
        "files",
        "Body parts, in order: arabic page numbers from 1 at the first of them.",
    ),
    Option("back", "files", "Back matter parts, in order (page numbers continue)."),
)

PRINT_OPTIONS: tuple[Option, ...] = (
    Option(
        "trim",
        "size",
        "Trim size: `6x9` (6in 9in, the default), `A5`, `A4`, `letter`, "
        "`B5`, or two CSS lengths such as `5.5in 8.5in`.",
    ),
    Option("font_size", "length", "Body text size (default `10.5pt`)."),
    Option("margin_top", "length", "Top margin (default `0.7in`)."),
    Option("margin_bottom", "length", "Bottom margin (default `0.8in`)."),
    Option(
        "margin_inner",
        "length",
        "Inner margin, at the spine (the gutter; default "
        "`0.875in`); mirrored on left and right pages.",
    ),
    Option("margin_outer", "length", "Outer margin (default `0.625in`)."),
    Option("bleed", "length", "Bleed around the trim in the print-ready PDF (default `0.125in`)."),
    Option(
        "marks",
        "marks",
        'Printer\'s marks in the print-ready PDF: `["crop", '
        '"cross"]` (the default), one of them, or `[]`.',
    ),
    Option(
        "marks_offset",
        "length",
        "How far outside the bleed the printer's marks begin "
        "(default `3mm`); the printer's PDF's sheet grows to hold them and the slug line.",
    ),
    Option(
        "print_ready",
        "flag",
        "`true` writes the printer's PDF (`<name>-print.pdf`, with "
        "bleed and marks) on every build; `--print-ready` does it for one build.",
    ),
    Option(
        "pdf_variant",
        "variant",
        "PDF standard to follow: `pdf/ua-1` (tagged and "
        "accessible, the default), `pdf/a-3b`, `pdf/a-2b`, `pdf/x-4`, or `none`.",
    ),
    Option(
        "notes",
        "notes",
        'Where notes print: `chapter-end` (the default: under "Notes" '
        "at the end of each part), `footnotes` (at the foot of the page where they are "
        'referenced, still numbered per part) or `book-end` (one "Notes" section after the '
        "last chapter, grouped under each part's title, with running heads \"Notes to pages "
        'X–Y"). The EPUB keeps notes at the end of each part in every mode.',
    ),
)

CHECKS_OPTIONS: tuple[Option, ...] = (
    Option(
        "ignore_words",
        "words",
        "All-caps words that need no entry in the abbreviations "
        'part, e.g. `["DC", "NJ", "IBM"]`: place names in citations, names of '
        "companies or laws known by their letters. Words of letters and digits only.",
    ),
)

STYLE_OPTIONS: tuple[Option, ...] = (
    Option(
        "folder",
        "folder",
        "The press's house style: a folder inside the manuscript "
        "holding all or some of the built-in style's files (`print/print.css`, "
        "`epub/epub.css`, the templates); what it lacks comes from the built-in style. "
        "`allianceprint styles export DIR` writes the built-in style to start from; "
        "`--styles DIR` gives one for a single build.",
    ),
)

HISTORY_OPTIONS: tuple[Option, ...] = (
    Option(
        "date",
        "date",
        "When this edition or printing appeared, ISO 8601: `2026`, `2026-03` or `2026-03-15`.",
        required=True,
    ),
    Option(
        "description",
        "line",
        "What it was, on one line, e.g. `Second printing, with corrections`.",
        required=True,
    ),
)

#: Tables inside a table, each named by a key of kind "table": `[book.original]`.
SUBTABLES: dict[str, tuple[Option, ...]] = {"book.original": ORIGINAL_OPTIONS}

#: Top-level arrays of tables (`[[name]]`, one table per entry) among TABLES.
ARRAY_TABLES = frozenset({"history"})

TABLES: dict[str, tuple[Option, ...] | None] = {
    "book": BOOK_OPTIONS,
    "contributors": CONTRIBUTOR_OPTIONS,
    "contents": CONTENTS_OPTIONS,
    "print": PRINT_OPTIONS,
    "labels": None,  # free keys: any label name from labels.ENGLISH
    "checks": CHECKS_OPTIONS,
    "style": STYLE_OPTIONS,
    "history": HISTORY_OPTIONS,  # [[history]]: the book's editions and printings, in order
}

_KEY_RE = re.compile(r"^[A-Za-z0-9_-]+$")


def load_config(root: Path) -> BookConfig:
    """Read and validate `root/book.toml`; raise ConfigError(s) naming key and line."""
    path = root / CONFIG_NAME
    shown = shown_path(root, CONFIG_NAME)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"no {CONFIG_NAME} here: a manuscript folder needs one "
            "(`allianceprint new DIR` writes one with every key)",
            shown,
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot read {CONFIG_NAME}: {exc}", shown) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        raise ConfigError(
            f"{CONFIG_NAME} is not UTF-8 text: save it as UTF-8",
            shown,
            raw[: exc.start].count(b"\n") + 1,
            len(raw[line_start : exc.start].decode("utf-8", "replace")) + 1,
        ) from exc
    deep = too_deep(text, MAX_TOML_NESTING)
    if deep is not None:
        raise ConfigError(
            f"arrays or inline tables nest more than {MAX_TOML_NESTING} deep: "
            "book.toml needs at most two levels",
            shown,
            *deep,
        )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {error_reason(exc)}", shown, *error_place(exc)) from exc
    return _Validator(root, path, shown, text).validate(data)


MAX_TOML_NESTING = 32  # arrays or inline tables in one another; book.toml needs two


def key_line(text: str, table: str, key: str | None = None) -> int | None:
    """The line of `[table]`, or of `key` in it, in the book.toml `text` (None if absent)."""
    return TomlPlaces(text, ARRAY_TABLES).line_of(table, key)


class _Validator:
    """Walks the parsed TOML against the schema, collecting every problem."""

    def __init__(self, root: Path, path: Path, shown: Path, text: str) -> None:
        self.root = root
        self.path = path
        self.shown = shown
        self.text = text
        self.places = TomlPlaces(text, ARRAY_TABLES)
        self.diagnostics = Diagnostics()
        #: The checker of each kind of value (see Kind).
        self.checkers = checkers(root)

    def error(
        self, message: str, table: str, key: str | None = None, index: int | None = None
    ) -> None:
        """Report a problem with `[table]` (or its `key`; in an array of tables, in its
        `index`-th entry, from 0) at the line where it stands."""
        where = f"[[{table}]]" if table in ARRAY_TABLES else f"[{table}]"
        where += (f" #{index + 1}" if index is not None else "") + (f" {key}" if key else "")
        self.diagnostics.error(
            f"{where}: {message}", self.shown, *self.places.place_of(table, key, index)
        )

    def validate(self, data: dict[str, Any]) -> BookConfig:
        for table, value in data.items():
            if table not in TABLES:
                self.error(f"unknown table; the tables are {', '.join(TABLES)}", table)
            elif table not in ARRAY_TABLES and not isinstance(value, dict):
                self.error("must be a table", table)
        book = self.table(data.get("book", {}), "book", BOOK_OPTIONS)
        original = self.original(book.pop("original", None))
        if "book" not in data:
            self.diagnostics.error(
                "[book] is missing: it needs at least `title` and `language`", self.shown, None
            )
        contributors = self.contributors(data.get("contributors", {}))
        contents = self.table(data.get("contents", {}), "contents", CONTENTS_OPTIONS)
        print_options = self.table(data.get("print", {}), "print", PRINT_OPTIONS)
        labels = self.labels(data.get("labels", {}))
        checks = self.table(data.get("checks", {}), "checks", CHECKS_OPTIONS)
        style = self.table(data.get("style", {}), "style", STYLE_OPTIONS)
        history = self.history(data.get("history", []))

        for role in ("authors", "editors", "translators"):
            for key in book.get(role, ()):
                if key not in contributors:
                    self.error(
                        f"unknown contributor key {key!r}: declare it as [contributors.{key}]",
                        "book",
                        role,
                    )
        if book.get("chapter_label") and "{n}" not in book["chapter_label"]:
            self.error(
                'has no `{n}` where the chapter\'s number goes: write e.g. "Chapter {n}"',
                "book",
                "chapter_label",
            )
        self.diagnostics.raise_if_errors()

        meta = BookMeta(**book, history=history, original=original)
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
            style=StyleOptions(**style),
        )

    def table(
        self, raw: Any, display: str, options: tuple[Option, ...], index: int | None = None
    ) -> dict[str, Any]:
        """Validate the table `raw`, `[display]` in book.toml (with `index`, that entry of an
        array of tables), against its options; return the keyword arguments it gives."""
        if not isinstance(raw, dict):
            return {}
        known = {o.key: o for o in options}
        header = f"[[{display}]]" if display in ARRAY_TABLES else f"[{display}]"
        result: dict[str, Any] = {}
        for key, value in raw.items():
            option = known.get(key)
            if option is None:
                self.error(
                    f"unknown key; the keys of {header} are {', '.join(known)}", display, key, index
                )
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
        converted, problem = self.checkers[option.kind](value)
        if not problem and option.required and converted == "":
            problem = "must not be empty (or spaces only)"
        if problem:
            self.error(problem, table, option.key, index)
            return None
        return converted

    def original(self, raw: dict[str, Any] | None) -> Original | None:
        """`[book.original]`, when the book is a translation."""
        if raw is None:
            return None
        values = self.table(raw, "book.original", ORIGINAL_OPTIONS)
        if not all(o.key in values for o in ORIGINAL_OPTIONS if o.required):
            return None
        return Original(**values)

    def contributors(self, raw: Any) -> dict[str, Contributor]:
        result: dict[str, Contributor] = {}
        if not isinstance(raw, dict):
            return result
        for key, table in raw.items():
            display = f"contributors.{key}"
            if not _KEY_RE.match(key):
                self.error("a contributor key may use only letters, digits, - and _", display)
                continue
            if not isinstance(table, dict):
                self.error("must be a table with at least `name`", display)
                continue
            values = self.table(table, display, CONTRIBUTOR_OPTIONS)
            if "name" in values:
                result[key] = Contributor(key=key, **values)
        return result

    def history(self, raw: Any) -> tuple[Revision, ...]:
        """The `[[history]]` entries, in order: each a table with `date` and `description`."""
        if not isinstance(raw, list):
            self.error(
                "must be an array of tables: write each entry as [[history]] with "
                "`date` and `description` under it",
                "history",
            )
            return ()
        result: list[Revision] = []
        for index, entry in enumerate(raw):
            if not isinstance(entry, dict):
                self.error("must be a table with `date` and `description`", "history", index=index)
                continue
            values = self.table(entry, "history", HISTORY_OPTIONS, index=index)
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
                self.error(
                    "must hold {n} or {ordinal} where the number goes, e.g. "
                    '"{ordinal} printing" or "Printing {n}"',
                    "labels",
                    key,
                )
            else:
                result[key] = value
        return result
