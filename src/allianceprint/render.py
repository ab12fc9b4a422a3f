"""`Book` -> `RenderedBook`: every part as HTML, its notes, the contents, the labels.

Each part's Markdown goes through one Python-Markdown instance with the manuscript
dialect's extensions (`mdext`). The result is neutral HTML that both writers use: the print
writer puts all parts in one paged document, the EPUB writer gives each its own XHTML file.
Ids are scoped by part (`<part-id>-note-3`), so they never collide in either.

Every piece of Markdown (a part's body, a title from front matter, a contributor's name,
affiliation and biography, an abbreviation's expansion) goes through `HtmlSafetyExtension`,
located in the file it comes from. A part whose conversion takes far longer than its size
can explain (Python-Markdown is quadratic on some hostile input, such as thousands of `[`
that never close) is stopped and reported instead of hanging the build. Mistakes are added
to the diagnostics; `build.checked_book` raises them once every check has run.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Iterable, Iterator

import jinja2
from markdown import Markdown
from markdown.extensions import Extension
from markupsafe import Markup

from allianceprint.chapters import number_chapters
from allianceprint.config import CONFIG_NAME, key_line
from allianceprint.errors import Diagnostics, shown_path
from allianceprint.fragments import parse_fragment
from allianceprint.housestyle import StyleSet
from allianceprint.mdext import (
    AbbreviationsExtension,
    HtmlSafetyExtension,
    NotesExtension,
    PartContext,
    SourceInfo,
    TitleFiguresLinksExtension,
    prose_lines,
)
from allianceprint.model import Book, Note, Part, RenderedBook, RenderedPart, TocEntry
from allianceprint.noteplacing import NotePlacement
from allianceprint.rendercache import RenderCache

#: Python-Markdown's own extensions a part's body gets, beside those every piece of Markdown
#: gets (see `_Renderer.new_markdown`). Attribute lists come with HtmlSafetyExtension.
_BODY_EXTENSIONS = ("tables", "sane_lists")
#: The time a part may take to convert: PART_SECONDS, plus PART_SECONDS_PER_MB for each MB.
#: A chapter takes milliseconds; a MB of prose in long paragraphs about a second, but
#: Python-Markdown slows down with the number of paragraphs (20,000 short ones take some
#: 40 s), hence the allowance. Hostile input is stopped by the same limit.
PART_SECONDS = 10.0
PART_SECONDS_PER_MB = 30.0


def render_book(
    book: Book,
    diagnostics: Diagnostics,
    styles: StyleSet | None = None,
    cache: RenderCache | None = None,
) -> RenderedBook:
    """Render every part, adding the mistakes found to `diagnostics`; with `cache`, a part
    rendered by an earlier build from the same sources is taken from it. The writers will
    use `styles` (default: the built-in house style)."""
    renderer = _Renderer(book, diagnostics)
    if cache is None:
        parts = tuple(renderer.render_part(part) for part in book.parts)
    else:
        parts = tuple(cache.render(part, diagnostics, renderer.render_part) for part in book.parts)
    config = book.config.book
    parts = number_chapters(parts, config.chapter_label, config.language)
    anchors: dict[str, str] = {}
    for rendered in parts:
        anchors[rendered.id] = rendered.id
        for anchor in _ids_in(rendered.body_html):
            anchors.setdefault(anchor, rendered.id)
        for note in rendered.notes:
            anchors[note.id] = rendered.id
            for ref in note.ref_ids:
                anchors[ref] = rendered.id
    toc = tuple(
        TocEntry(
            part_id=p.id,
            title=p.title_text,
            authors=tuple(c.name for c in p.authors),
            division=p.part.division,
            number_label=p.number_label,
        )
        for p in parts
    )
    return RenderedBook(
        book=book,
        parts=parts,
        toc=toc,
        labels=book.config.labels,
        anchors=MappingProxyType(anchors),
        contributors=book.contributor_order(),
        styles=styles or StyleSet.with_house_style(None),
        note_placement=NotePlacement.decide(book.config.print.notes, any(p.notes for p in parts)),
    )


class _Renderer:
    def __init__(self, book: Book, diagnostics: Diagnostics) -> None:
        self.book = book
        self.diagnostics = diagnostics
        self.glossary = {a.abbr: a.expansion for a in book.abbreviations}
        self.part_ids = {(book.root / p.source).resolve(): p.id for p in book.parts}
        self.listed = frozenset(_resolved(book.root, f) for f in book.config.contents.files)
        self.toml_text = book.config.text

    def markdown(self, part: Part, body: str) -> tuple[Markdown, NotesExtension, PartContext]:
        source = SourceInfo(
            shown_path(self.book.config.root, part.source), body, part.body_line, self.diagnostics
        )
        prefix = f"{part.id}-"
        notes = NotesExtension(source, prefix)
        context = PartContext(
            root=self.book.root,
            source_file=(self.book.root / part.source).resolve(),
            part_ids=self.part_ids,
            id_prefix=prefix,
            labels=self.book.config.labels,
            listed=self.listed,
        )
        md = self.new_markdown(
            source, notes, TitleFiguresLinksExtension(source, context), *_BODY_EXTENSIONS
        )
        return md, notes, context

    def new_markdown(
        self, origin: SourceInfo, *extensions: Extension | str, attribute_lists: bool = True
    ) -> Markdown:
        """A Python-Markdown for text from `origin` (where its mistakes are located), with
        what every piece of the book's Markdown gets: its abbreviations marked, smart
        punctuation, hostile markup turned away. `extensions` (a part body's) come first."""
        return Markdown(
            extensions=[
                *extensions,
                AbbreviationsExtension(glossary=self.glossary),
                "smarty",
                HtmlSafetyExtension(origin, attribute_lists=attribute_lists),
            ],
            output_format="xhtml",
        )

    def inline(self, text: str, origin: SourceInfo) -> str:
        """One line of Markdown (a title, a name) as inline HTML with smart punctuation;
        `origin` says where it comes from, for the mistakes found in it."""
        converted = self.new_markdown(origin, attribute_lists=False).convert(text)
        if converted.startswith("<p>") and converted.endswith("</p>"):
            converted = converted[3:-4]
        return converted

    def value_origin(self, shown: Path, text: str, line: int | None) -> SourceInfo:
        """Where a value (front matter, book.toml) stands: its key's line, with no column."""
        return SourceInfo(shown, text, line or 1, self.diagnostics, verbatim=False)

    def toml_origin(self, text: str, table: str, key: str) -> SourceInfo:
        return self.value_origin(
            shown_path(self.book.config.root, CONFIG_NAME),
            text,
            key_line(self.toml_text, table, key),
        )

    def title_origin(self, part: Part, key: str, text: str) -> SourceInfo:
        """A title from the front matter is placed on its key's line; one from the body's
        first heading is found in the body, where the body's own checks found it too."""
        shown = shown_path(self.book.config.root, part.source)
        for candidate in (key, "title"):  # short_title defaults to the title
            if candidate in part.front_matter_lines:
                return self.value_origin(shown, text, part.front_matter_lines[candidate])
        if part.kind != "text" and text == self.book.config.labels.get(part.kind):
            return self.toml_origin(text, "labels", part.kind)  # "Abbreviations" and the like
        return SourceInfo(shown, part.body, part.body_line, self.diagnostics)

    def render_part(self, part: Part) -> RenderedPart:
        """Render one part within its time limit (see PART_SECONDS)."""
        seconds = PART_SECONDS + PART_SECONDS_PER_MB * len(part.body.encode("utf-8")) / 1e6
        try:
            with time_limit(seconds):
                return self.convert_part(part)
        except TooSlow:
            self.diagnostics.error(
                f"reading this part took more than {seconds:.0f} seconds: split it into "
                "smaller parts, and look for a long run of '[', '<' or '`' that never closes "
                "(Python-Markdown slows down greatly on those)",
                shown_path(self.book.config.root, part.source),
            )
            return RenderedPart(
                part=part,
                title_html="",
                title_text=part.title,
                short_title=part.short_title,
                authors=(),
                body_html="",
                notes=(),
                images=(),
            )

    def convert_part(self, part: Part) -> RenderedPart:
        """Render one part, however long it takes (`render_part` gives it its time)."""
        body = part.body
        if part.kind == "abbreviations":
            body = _without_definitions(body)
        md, notes_ext, context = self.markdown(part, body)
        body_html = md.convert(body)
        notes = tuple(
            Note(
                number=n.number,
                label=n.label,
                id=n.id,
                ref_ids=tuple(n.ref_ids),
                html=_serialize_children(md, n.element),
            )
            for n in notes_ext.collected
        )

        noterefs = ""
        if context.title_element is not None:
            noterefs = "".join(
                _serialize(md, sup)
                for sup in context.title_element.iter("sup")
                if sup.get("class") == "noteref"
            )
        if part.title:
            title_core = self.inline(part.title, self.title_origin(part, "title", part.title))
        else:
            title_core = ""
        title_html = title_core + noterefs
        title_text = _text_of(title_core)
        short_title = (
            _text_of(
                self.inline(
                    part.short_title, self.title_origin(part, "short_title", part.short_title)
                )
            )
            if part.short_title
            else title_text
        )

        if part.kind == "abbreviations":
            body_html += self.abbreviation_list()
        elif part.kind == "contributors":
            body_html += self.contributor_list()

        authors = tuple(
            self.book.config.contributors[k]
            for k in part.authors
            if k in self.book.config.contributors
        )
        return RenderedPart(
            part=part,
            title_html=title_html,
            title_text=title_text,
            short_title=short_title,
            authors=authors,
            body_html=body_html,
            notes=notes,
            images=tuple(Path(p) for p in context.images),
        )

    def abbreviation_list(self) -> str:
        """The abbreviations part's list: each abbreviation and its expansion, in order."""
        entries = sorted(self.book.abbreviations, key=lambda a: (_sort_key(a.abbr), a.abbr))
        part = next(p for p in self.book.parts if p.kind == "abbreviations")
        shown = shown_path(self.book.config.root, part.source)
        return _TEMPLATES.get_template("abbreviations").render(
            entries=[
                _ListedAbbreviation(
                    a.abbr,
                    Markup(self.inline(a.expansion, self.value_origin(shown, a.expansion, a.line))),
                )
                for a in entries
            ]
        )

    def contributor_list(self) -> str:
        """The contributors part's list: each contributor's name, affiliation and bio."""
        people = []
        for person in self.book.contributor_order():
            table = f"contributors.{person.key}"
            bio = (
                self.new_markdown(self.toml_origin(person.bio, table, "bio")).convert(person.bio)
                if person.bio
                else ""
            )
            people.append(
                _ListedContributor(
                    person.key,
                    self.toml_inline(person.name, table, "name"),
                    self.toml_inline(person.affiliation, table, "affiliation"),
                    Markup(bio),
                )
            )
        return _TEMPLATES.get_template("contributors").render(people=people)

    def toml_inline(self, text: str, table: str, key: str) -> Markup:
        """A value of book.toml (`key` of `[table]`) as inline HTML; empty stays empty."""
        return Markup(self.inline(text, self.toml_origin(text, table, key)) if text else "")


@dataclass(frozen=True)
class _ListedAbbreviation:
    abbr: str
    expansion: Markup  # HTML


@dataclass(frozen=True)
class _ListedContributor:
    key: str
    name: Markup  # HTML, as the ones below
    affiliation: Markup
    bio: Markup


#: The HTML that render makes itself, for both editions (one line each: it goes in as is).
_TEMPLATES = jinja2.Environment(
    loader=jinja2.DictLoader(
        {
            "abbreviations": (
                '<dl class="abbreviations">{% for a in entries %}'
                "<dt>{{ a.abbr }}</dt><dd>{{ a.expansion }}</dd>"
                "{% endfor %}</dl>"
            ),
            "contributors": (
                '<div class="contributors">{% for person in people %}'
                '<div class="contributor" id="contributor-{{ person.key }}">'
                '<h2 class="contributor-name">{{ person.name }}</h2>'
                '{% if person.affiliation %}<p class="contributor-affiliation">'
                "{{ person.affiliation }}</p>{% endif %}"
                "{{ person.bio }}</div>{% endfor %}</div>"
            ),
        }
    ),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


def check_book_in_time(
    book: RenderedBook, diagnostics: Diagnostics, check: Callable[[], None]
) -> None:
    """Run the checks of the rendered book, `check()`, within the time limit the whole book's
    parts would have (PART_SECONDS, PART_SECONDS_PER_MB): hostile input must not hang them
    after the reading of each part was bounded."""
    size = sum(len(part.part.body.encode("utf-8")) for part in book.parts)
    seconds = PART_SECONDS + PART_SECONDS_PER_MB * size / 1e6
    try:
        with time_limit(seconds):
            check()
    except TooSlow:
        diagnostics.error(
            f"checking the manuscript took more than {seconds:.0f} seconds: "
            "look for a part with very long lines or paragraphs, and split it"
        )


class TooSlow(BaseException):
    """A part's time is up (a BaseException, so that no `except Exception` swallows it)."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TooSlow in the block once `seconds` have passed. It needs SIGALRM, so it
    works in the main thread only, and stands aside when a timer is already running."""
    if (
        threading.current_thread() is not threading.main_thread()
        or not hasattr(signal, "setitimer")
        or signal.getitimer(signal.ITIMER_REAL) != (0.0, 0.0)
    ):
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise TooSlow()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _resolved(root: Path, relative: str) -> Path:
    try:
        return (root / relative).resolve()
    except (OSError, ValueError):  # reported by the loader
        return root / relative


def _without_definitions(body: str) -> str:
    """The abbreviations part's prose, without its `*[ABBR]: ...` lines."""
    lines = body.split("\n")
    definition_lines = {index for index, line in prose_lines(lines) if line.startswith("*[")}
    return "\n".join("" if i in definition_lines else line for i, line in enumerate(lines))


def _sort_key(abbr: str) -> str:
    return "".join(ch for ch in abbr.casefold() if ch.isalnum())


def _serialize(md: Markdown, element) -> str:
    """An element Python-Markdown made, as HTML. Its backslash escapes (`\\*`) are restored
    first: a note is taken out of the tree before the conversion's own last steps."""
    if "unescape" in md.treeprocessors:
        md.treeprocessors["unescape"].run(element)
    text = md.serializer(element)
    for processor in md.postprocessors:
        text = processor.run(text)
    return text


def _serialize_children(md: Markdown, element) -> str:
    return "".join(_serialize(md, child) for child in element)


def _text_of(fragment: str) -> str:
    if not fragment.strip():
        return ""
    return " ".join(parse_fragment(fragment, "span").text_content().split())


def _ids_in(fragment: str) -> Iterable[str]:
    if not fragment.strip():
        return []
    root = parse_fragment(fragment)
    return [el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")]
