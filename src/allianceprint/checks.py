"""`RenderedBook` -> more findings: the checks that need the whole book or a part's HTML.

Input: the rendered book, and the `Diagnostics` the earlier stages filled. Output: more
findings in the same list, each located by file, line and column in the manuscript. The
earlier stages check what they see as they go (book.toml, front matter, notes, images, links
to files, raw HTML); these checks run once everything is rendered:

- structure: a heading that skips a level (`###` straight after `#`), a second `#` heading in
  a part, a `#` heading whose text the front matter's title replaces;
- links and images: a link to an `#anchor` that no part has; an id given twice in the book;
  a cover that is not the image its name says;
- abbreviations: one defined but never used; an all-caps word of two or more letters used
  but not defined (unless `[checks] ignore_words` lists it, or it is a roman numeral); an
  abbreviation definition outside the abbreviations part, where it would print as text;
- contributors: one declared but named nowhere; one with no bio in a book that has a
  contributors part.

The checks that compare the whole book (abbreviations, contributors) run only when every part
could be read: with a part missing they would report its abbreviations and authors as unused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import lxml.html
import roman

from allianceprint.cachefolder import CacheFolder
from allianceprint.checkcache import CapitalsCache, Found
from allianceprint.config import CONFIG_NAME, key_line
from allianceprint.errors import Diagnostic, Diagnostics, shown_path
from allianceprint.fragments import parse_fragment
from allianceprint.mdext import prose_lines, source_headings
from allianceprint.mdext.abbreviations import DEFINITION_RE, WORD_CHARACTER, abbreviation_pattern
from allianceprint.model import Book, Part, RenderedBook, RenderedPart
from allianceprint.validators import image_file_problem

#: Elements whose text is not prose: code, and abbreviations already marked as defined.
_NOT_PROSE = frozenset({"code", "pre", "kbd", "samp", "var", "abbr", "script", "style"})
_WORD_RE = re.compile(rf"((?:(?!_){WORD_CHARACTER})+)")  # "SAR卫星" holds the word SAR
# Every pattern here is linear on any input: each scan that could run far starts only
# where no earlier start could have covered it (a URL at its scheme's first letter, an email
# at the start of its word), and a bracket's scan stops at the next opening bracket.
_SCHEME = r"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*://\S*"
_URL_RE = re.compile(_SCHEME + r"|\bwww\.\S+|(?<!\S)[^\s@]+@[^\s@]+\.\w+")
#: Roman numerals below this are taken for numbers (World War II, Chapter XIV), not words;
#: from 40 on (XL) they are written like abbreviations (XL, CD, MD, DC) and checked as such.
ROMAN_NUMERALS_BELOW = 40
#: Markup whose words are not prose, blanked (columns kept) before words are looked for in
#: the source: link targets, autolinks and HTML tags, web addresses, note labels, attribute
#: lists and abbreviation definitions' keys.
_SOURCE_MARKUP_RE = re.compile(
    r"\]\([^()\]\n]*\)|<[^<>\n]*>|" + _SCHEME + r"|\[\^[^\[\]\n]*\]|\{:?[^{}\n]*\}|^\*\[[^\]\n]*\]:"
)
_ANCHOR_RE = re.compile(r"#([\w.:-]+)")
_GIVEN_ID_RE = re.compile(r"(?:\{:?[^{}\n]*?#|\bid=[\"']?)([\w.:-]+)")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_TEXT_KEYS = ("title", "subtitle", "series", "publisher", "edition", "rights", "description")


def check_book(
    book: RenderedBook,
    diagnostics: Diagnostics,
    *,
    complete: bool,
    cache: CacheFolder | None = None,
) -> CapitalsCache | None:
    """Add the findings of every check to `diagnostics`; `complete`: every part listed in
    [contents] could be read, so that the book-wide comparisons can be trusted. With
    `cache` (a build's), each part's all-caps words are taken from it when the part did not
    change (checkcache.py); what is returned keeps this build's with `save()`."""
    checker = _Checker(book, diagnostics)
    if cache is not None:
        checker.capitals = CapitalsCache(cache, checker.known_words())
    for part in checker.parts:
        checker.headings(part)
        checker.internal_links(part)
        checker.stray_definitions(part)
    checker.duplicate_ids()
    checker.cover()
    if complete:
        checker.unused_abbreviations()
        checker.undefined_capitals()
        checker.contributors()
    return checker.capitals


def every_part_read(book: Book) -> bool:
    """Whether every file [contents] lists was read into a part of `book`."""
    try:
        listed = {(book.root / f).resolve() for f in book.config.contents.files}
    except (OSError, ValueError):  # an unusable name: the loader reported it
        return False
    return listed == {(book.root / part.source).resolve() for part in book.parts}


def reading_order(book: Book) -> Callable[[Diagnostic], tuple]:
    """A sort key that puts findings in the order an editor reads them: book.toml, then the
    parts in the order of [contents], then other files by name; by line and column within
    each, a finding about a whole file first."""
    ranks = {shown_path(book.root, CONFIG_NAME): 0}
    for entry in book.config.contents.files:
        try:
            relative: Path | str = (book.root / entry).resolve().relative_to(book.root)
        except (OSError, ValueError):  # outside the folder, or no usable name
            relative = entry
        ranks.setdefault(shown_path(book.root, relative), len(ranks))

    def key(finding: Diagnostic) -> tuple:
        path = finding.location.path
        return (
            ranks.get(path, len(ranks)) if path is not None else -1,
            str(path or ""),
            finding.location.line or 0,
            finding.location.column or 0,
        )

    return key


@dataclass
class _Part:
    """A rendered part, with its HTML parsed and its source lines ready to search."""

    rendered: RenderedPart
    shown: Path
    body: lxml.html.HtmlElement | None
    fragments: list[lxml.html.HtmlElement]  # title, body and notes, those not empty
    lines: list[str]  # the body's lines, code blanked out

    @property
    def part(self) -> Part:
        return self.rendered.part

    def ids(self) -> Iterator[str]:
        for fragment in self.fragments:
            for element in fragment.iter():
                if _is_element(element) and element.get("id"):
                    yield element.get("id")

    def index(
        self, pattern: re.Pattern[str], markup: bool = True
    ) -> dict[str, list[tuple[int, int]]]:
        """Where in the body each text that `pattern` captures (its group 1) stands: a list
        of (line, column), in order. With `markup` False, link targets, tags and the like
        are left out. One pass over the body, so that locating many findings stays linear."""
        places: dict[str, list[tuple[int, int]]] = {}
        for offset, line in enumerate(self.lines):
            text = line if markup else _blank(_SOURCE_MARKUP_RE, line)
            for found in pattern.finditer(text):
                places.setdefault(found.group(1), []).append(
                    (self.part.body_line + offset, found.start(1) + 1)
                )
        return places

    @cached_property
    def words(self) -> dict[str, list[tuple[int, int]]]:
        return self.index(_WORD_RE, markup=False)

    @cached_property
    def anchors(self) -> dict[str, list[tuple[int, int]]]:
        """Where the body names `#anchor`s: in links, and in attribute lists' ids."""
        return self.index(_ANCHOR_RE)

    @cached_property
    def given_ids(self) -> dict[str, list[tuple[int, int]]]:
        """Where the body gives ids: `{#id}` in attribute lists, `id="id"` in raw HTML."""
        return self.index(_GIVEN_ID_RE)

    def place(
        self, places: dict[str, list[tuple[int, int]]], key: str, occurrence: int = 0
    ) -> tuple[int | None, int | None]:
        """The `occurrence`-th place of `key` (the last one there is, if fewer); else a front
        matter title line that has it as a word; else nowhere."""
        found = places.get(key)
        if found:
            return found[min(occurrence, len(found) - 1)]
        for field_name in ("title", "short_title"):
            if field_name in self.part.front_matter_lines and _word_re(key).search(
                getattr(self.part, field_name)
            ):
                return self.part.front_matter_lines[field_name], None
        return None, None


class _Checker:
    def __init__(self, book: RenderedBook, diagnostics: Diagnostics) -> None:
        self.book = book
        self.config = book.book.config
        self.diagnostics = diagnostics
        self.toml_shown = shown_path(self.config.root, CONFIG_NAME)
        self.toml_text = self.config.text
        self.parts = [self.prepare(rendered) for rendered in book.parts]
        self.anchors = set(book.anchors) | {name for part in self.parts for name in part.ids()}
        self.capitals: CapitalsCache | None = None

    def prepare(self, rendered: RenderedPart) -> _Part:
        part = rendered.part
        body = _parse(rendered.body_html)
        fragments = [
            _parse(rendered.title_html),
            body,
            *(_parse(note.html) for note in rendered.notes),
        ]
        lines = [line for _, line in prose_lines(part.body.split("\n"), keep_all=True)]
        return _Part(
            rendered,
            shown_path(self.config.root, part.source),
            body,
            [f for f in fragments if f is not None],
            lines,
        )

    def toml_position(self, table: str, key: str | None = None) -> tuple[int | None, int | None]:
        line = key_line(self.toml_text, table, key)
        return line, (1 if line is not None else None)

    # --- structure ---------------------------------------------------------------------

    def headings(self, part: _Part) -> None:
        """Levels go down one at a time from the title (level 1); no second `#`."""
        title, sources = _source_headings(part)
        if (
            title is not None
            and "title" in part.part.front_matter_lines
            and part.part.title
            and _plain(title[2]) != _plain(part.part.title)
        ):
            self.diagnostics.warning(
                f"this # heading ({title[2]!r}) is dropped: the part's title comes from its "
                f"front matter ({part.part.title!r}); delete one of the two",
                part.shown,
                title[0],
                title[1],
            )
        previous = 1
        levels = (
            [int(el.tag[1]) for el in part.body.iter(*_HEADINGS)] if part.body is not None else []
        )
        cursor = 0
        for level in levels:
            line = column = None
            for index in range(cursor, len(sources)):
                if sources[index][2] == level:
                    line, column, cursor = sources[index][0], sources[index][1], index + 1
                    break
            if level == 1:
                self.diagnostics.warning(
                    "a part has one # heading, its title, at the top: make this one ## (a section)",
                    part.shown,
                    line,
                    column,
                )
            elif level > previous + 1:
                self.diagnostics.warning(
                    f"this {'#' * level} heading comes straight after a {'#' * previous} "
                    f"heading, skipping a level: make it {'#' * (previous + 1)} (outlines and "
                    "screen readers go by the levels)",
                    part.shown,
                    line,
                    column,
                )
            previous = level

    def stray_definitions(self, part: _Part) -> None:
        if part.part.kind == "abbreviations":
            return
        has_part = any(p.part.kind == "abbreviations" for p in self.parts)
        for offset, line in enumerate(part.lines):
            found = DEFINITION_RE.match(line)
            if found:
                where = (
                    "move it there"
                    if has_part
                    else "add a part with `kind: abbreviations` to [contents] for them"
                )
                self.diagnostics.error(
                    f"the abbreviation definition *[{found.group(1)}] would print as text "
                    f"here: definitions belong in the abbreviations part; {where}",
                    part.shown,
                    part.part.body_line + offset,
                    1,
                )

    # --- links and ids -------------------------------------------------------------------

    def internal_links(self, part: _Part) -> None:
        for fragment in part.fragments:
            for link in fragment.iter("a"):
                href = link.get("href") or ""
                if not href.startswith("#") or href[1:] in self.anchors:
                    continue
                target = href[1:]
                line, column = part.place(part.anchors, target)
                self.diagnostics.error(
                    f"link to '#{target}': no part, section or note has that id: give the "
                    f"target one with {{#{target}}} after it, or correct the link",
                    part.shown,
                    line,
                    column,
                )

    def duplicate_ids(self) -> None:
        """An id names one place in the whole book (the print edition is one document):
        not two elements, nor an element and a part or a note, which have ids of their own."""
        owners: dict[str, str] = {}
        for part in self.parts:
            owners[part.rendered.id] = f"by the part {part.shown} itself"
            for note in part.rendered.notes:
                owners[note.id] = f"by note {note.number} of {part.shown}"
        for part in self.parts:
            uses: dict[str, int] = {}
            for name in part.ids():
                uses[name] = uses.get(name, 0) + 1
                if name not in owners:
                    owners[name] = f"in {part.shown}"
                    continue
                line, column = part.place(part.given_ids, name, uses[name] - 1)
                self.diagnostics.error(
                    f"the id {name!r} is used twice (also {owners[name]}): every id must be "
                    "unique in the book; rename one",
                    part.shown,
                    line,
                    column,
                )

    # --- abbreviations -------------------------------------------------------------------

    def unused_abbreviations(self) -> None:
        used = {
            element.text_content()
            for part in self.parts
            for fragment in part.fragments
            for element in fragment.iter("abbr")
        }
        defined = [a.abbr for a in self.book.book.abbreviations]
        if defined:  # the pattern mdext's abbreviation marker uses, for the generated text
            marker = abbreviation_pattern(defined)
            for text, _ in self.book_texts():
                used.update(found.group(0) for found in marker.finditer(text))
        source = next((p for p in self.parts if p.part.kind == "abbreviations"), None)
        for abbreviation in self.book.book.abbreviations:
            if abbreviation.abbr not in used and source is not None:
                self.diagnostics.warning(
                    f"abbreviation {abbreviation.abbr!r} is defined but never used: delete its "
                    "line, or spell it out nowhere but here",
                    source.shown,
                    abbreviation.line,
                    1,
                )

    def known_words(self) -> set[str]:
        """The all-caps words that are no finding: the abbreviations and ignore_words."""
        return {a.abbr for a in self.book.book.abbreviations} | set(self.config.checks.ignore_words)

    def part_capitals(self, part: _Part, known: set[str]) -> list[Found]:
        """The part's all-caps words that are not `known`, first use first, with their
        places; from the cache when the part did not change."""

        def find() -> list[Found]:
            return [
                (word, *part.place(part.words, word))
                for word in _capitals(_prose_texts(part.fragments), known)
            ]

        return self.capitals.capitals(part.rendered, find) if self.capitals else find()

    def undefined_capitals(self) -> None:
        known = self.known_words()
        reported: set[str] = set()
        has_part = any(p.part.kind == "abbreviations" for p in self.parts)
        where = (
            "add `*[{word}]: what it stands for` to the abbreviations part"
            if has_part
            else "add a part with `kind: abbreviations` and `*[{word}]: what it stands for` in it"
        )

        def report(word: str, shown: Path, line: int | None, column: int | None) -> None:
            reported.add(word)
            self.diagnostics.warning(
                f"{word} looks like an abbreviation but is not defined: "
                f"{where.format(word=word)}, or list it in ignore_words under [checks] in "
                "book.toml",
                shown,
                line,
                column,
            )

        for part in self.parts:  # a word once, where the book first uses it
            for word, line, column in self.part_capitals(part, known):
                if word not in reported:
                    report(word, part.shown, line, column)
        for text, (table, key) in self.book_texts():
            for word in _capitals([text], known | reported):
                report(word, self.toml_shown, *self.toml_position(table, key))

    def book_texts(self) -> Iterator[tuple[str, tuple[str, str]]]:
        """The text book.toml gives the book that the parts' HTML does not hold: the title
        page's, and the names and affiliations printed under chapter titles."""
        meta = self.config.book
        for key in _TEXT_KEYS:
            if getattr(meta, key):
                yield getattr(meta, key), ("book", key)
        has_contributors = any(p.part.kind == "contributors" for p in self.parts)
        for person in self.book.contributors:
            table = f"contributors.{person.key}"
            for key in ("name", "affiliation", *(("bio",) if has_contributors else ())):
                if getattr(person, key):
                    yield getattr(person, key), (table, key)

    def cover(self) -> None:
        """book.toml checks that the cover is a JPEG or PNG inside the folder; here, that the
        file is one, whatever its name says."""
        cover = self.config.book.cover
        problem = image_file_problem(self.config.root / cover) if cover else None
        if problem is not None:
            self.diagnostics.error(
                f"[book] cover: {cover!r} {problem}",
                self.toml_shown,
                *self.toml_position("book", "cover"),
            )

    # --- contributors --------------------------------------------------------------------

    def contributors(self) -> None:
        appearing = {person.key for person in self.book.contributors}
        has_part = any(p.part.kind == "contributors" for p in self.parts)
        for key, person in self.config.contributors.items():
            where = self.toml_position(f"contributors.{key}")
            if key not in appearing:
                self.diagnostics.warning(
                    f"contributor {key!r} ({person.name}) is declared but named nowhere: add "
                    f"them to a part's authors or to the book's editors, authors or "
                    f"translators, or delete [contributors.{key}]",
                    self.toml_shown,
                    *where,
                )
            elif has_part and not person.bio.strip():
                self.diagnostics.warning(
                    f"contributor {key!r} ({person.name}) has no bio, and the book's "
                    'contributors part prints one for everyone: add bio = "..."',
                    self.toml_shown,
                    *where,
                )


def _parse(fragment: str) -> lxml.html.HtmlElement | None:
    if not fragment.strip():
        return None
    return parse_fragment(fragment)


def _is_element(node: object) -> bool:
    return isinstance(getattr(node, "tag", None), str)


def _blank(pattern: re.Pattern[str], line: str) -> str:
    return pattern.sub(lambda m: " " * len(m.group(0)), line)


def _plain(text: str) -> str:
    """A title's words, for comparing: no note references, no Markdown emphasis or code."""
    text = re.sub(r"\[\^[^\]\n]*\]", "", text)
    return " ".join(re.sub(r"[*_`\[\]^]", "", text).casefold().split())


def _word_re(word: str) -> re.Pattern[str]:
    letter = rf"(?:(?!_){WORD_CHARACTER})"
    return re.compile(rf"(?<!{letter}){re.escape(word)}(?!{letter})")


def _source_headings(part: _Part) -> tuple[tuple[int, int, str] | None, list[tuple[int, int, int]]]:
    """The headings of the body's source (mdext.source_headings): (line, column, text) of
    the `#` heading that opens the body, which is the part's title, or None; and (line,
    column, level) of each other heading, in order."""
    title: tuple[int, int, str] | None = None
    others: list[tuple[int, int, int]] = []
    first_text = next((i for i, line in enumerate(part.lines) if line.strip()), None)
    for heading in source_headings(part.lines):
        if heading.index == first_text and heading.level == 1:
            title = (part.part.body_line + heading.index, 1, heading.text)
        else:
            others.append((part.part.body_line + heading.index, 1, heading.level))
    return title, others


def _prose_texts(fragments: Iterable[lxml.html.HtmlElement]) -> Iterator[str]:
    """The prose of rendered HTML: no code, no marked abbreviations, no web addresses shown
    as links, nothing generated from book.toml (the contributors list: see book_texts)."""
    for fragment in fragments:
        for node in fragment.iter():
            hidden_above = any(_hidden(above) for above in node.iterancestors())
            if not hidden_above and not _hidden(node) and _is_element(node) and node.text:
                yield _URL_RE.sub(" ", node.text)
            if not hidden_above and node.tail:
                yield _URL_RE.sub(" ", node.tail)


def _hidden(node: lxml.html.HtmlElement) -> bool:
    if not _is_element(node):
        return True  # a comment or processing instruction (its tail is the parent's text)
    if node.tag in _NOT_PROSE:
        return True
    if node.tag == "div" and "contributors" in (node.get("class") or "").split():
        return True
    parent = node.getparent()
    if (
        node.tag == "dt"
        and parent is not None
        and "abbreviations" in (parent.get("class") or "").split()
    ):
        return True  # the abbreviations list's terms: the defined abbreviations themselves
    return node.tag == "a" and "://" in node.text_content()


def _capitals(texts: Iterable[str], known: set[str]) -> list[str]:
    """All-caps words of two or more letters in `texts`, first use first, once each, leaving
    out the `known` ones and roman numerals (II, XIV)."""
    found: dict[str, None] = {}
    for text in texts:
        for match in _WORD_RE.finditer(text):
            word = match.group(0)
            if (
                word.isupper()
                and sum(ch.isalpha() for ch in word) >= 2
                and word not in known
                and word not in found
                and not _is_roman_numeral(word)
            ):
                found[word] = None
    return list(found)


def _is_roman_numeral(word: str) -> bool:
    """Whether `word` is a roman numeral below ROMAN_NUMERALS_BELOW, written the usual way."""
    try:
        return roman.fromRoman(word) < ROMAN_NUMERALS_BELOW
    except roman.InvalidRomanNumeralError:
        return False
