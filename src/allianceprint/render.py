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
to the diagnostics; `build.check` raises them once every check has run.
"""

from __future__ import annotations

import html
import signal
import threading
from contextlib import contextmanager
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Iterable, Iterator

import lxml.html
from markdown import Markdown

from allianceprint.config import CONFIG_NAME, key_line
from allianceprint import STYLES_DIR
from allianceprint.errors import Diagnostics
from allianceprint.loader import display_path
from allianceprint.mdext import (AbbreviationsExtension, HtmlSafetyExtension, NotesExtension,
                                 PartContext, PartExtension, SourceInfo, prose_lines)
from allianceprint.rendercache import RenderCache
from allianceprint.model import (Book, Note, Part, RenderedBook, RenderedPart,
                                 TocEntry)

# Attribute lists come with HtmlSafetyExtension, which checks them.
_STANDARD_EXTENSIONS = ["tables", "smarty", "sane_lists"]
#: The time a part may take to convert: PART_SECONDS, plus PART_SECONDS_PER_MB for each MB.
#: A chapter takes milliseconds; a MB of prose in long paragraphs about a second, but
#: Python-Markdown slows down with the number of paragraphs (20,000 short ones take some
#: 40 s), hence the allowance. Hostile input is stopped by the same limit.
PART_SECONDS = 10.0
PART_SECONDS_PER_MB = 30.0


def render_book(book: Book, diagnostics: Diagnostics, styles_dir: Path = STYLES_DIR,
                cache: RenderCache | None = None) -> RenderedBook:
    """Render every part, adding the mistakes found to `diagnostics`; with `cache`, a part
    rendered by an earlier build from the same sources is taken from it."""
    renderer = _Renderer(book, diagnostics)
    if cache is None:
        parts = tuple(renderer.render_part(part) for part in book.parts)
    else:
        parts = tuple(cache.render(part, diagnostics, renderer.render_part)
                      for part in book.parts)
    anchors: dict[str, str] = {}
    for rendered in parts:
        anchors[rendered.id] = rendered.id
        for anchor in _ids_in(rendered.body_html):
            anchors.setdefault(anchor, rendered.id)
        for note in rendered.notes:
            anchors[note.id] = rendered.id
            for ref in note.ref_ids:
                anchors[ref] = rendered.id
    toc = tuple(TocEntry(part_id=p.id, title=p.title_text,
                         authors=tuple(c.name for c in p.authors), division=p.part.division)
                for p in parts)
    return RenderedBook(book=book, parts=parts, toc=toc, labels=book.config.labels,
                        anchors=MappingProxyType(anchors),
                        contributors=book.contributor_order(), stylesheet_dir=styles_dir)


class _Renderer:
    def __init__(self, book: Book, diagnostics: Diagnostics) -> None:
        self.book = book
        self.diagnostics = diagnostics
        self.glossary = {a.abbr: a.expansion for a in book.abbreviations}
        self.part_ids = {(book.root / p.source).resolve(): p.id for p in book.parts}
        contents = book.config.contents
        self.listed = frozenset(_resolved(book.root, f) for f in
                                (*contents.front, *contents.chapters, *contents.back))
        self.toml_text = book.config.text

    def markdown(self, part: Part, body: str) -> tuple[Markdown, NotesExtension, PartContext]:
        source = SourceInfo(display_path(self.book.config, part.source), body, part.body_line,
                            self.diagnostics)
        prefix = f"{part.id}-"
        notes = NotesExtension(source, prefix)
        context = PartContext(root=self.book.root, source_file=(self.book.root / part.source)
                              .resolve(), part_ids=self.part_ids, id_prefix=prefix,
                              labels=self.book.config.labels, listed=self.listed)
        md = Markdown(extensions=[notes, AbbreviationsExtension(glossary=self.glossary),
                                  PartExtension(source, context), HtmlSafetyExtension(source),
                                  *_STANDARD_EXTENSIONS],
                      output_format="xhtml")
        return md, notes, context

    def inline(self, text: str, origin: SourceInfo) -> str:
        """One line of Markdown (a title, a name) as inline HTML with smart punctuation;
        `origin` says where it comes from, for the mistakes found in it."""
        md = Markdown(extensions=[AbbreviationsExtension(glossary=self.glossary), "smarty",
                                  HtmlSafetyExtension(origin, attribute_lists=False)],
                      output_format="xhtml")
        converted = md.convert(text)
        if converted.startswith("<p>") and converted.endswith("</p>"):
            converted = converted[3:-4]
        return converted

    def value_origin(self, shown: Path, text: str, line: int | None) -> SourceInfo:
        """Where a value (front matter, book.toml) stands: its key's line, with no column."""
        return SourceInfo(shown, text, line or 1, self.diagnostics, verbatim=False)

    def toml_origin(self, text: str, table: str, key: str) -> SourceInfo:
        return self.value_origin(display_path(self.book.config, CONFIG_NAME), text,
                                 key_line(self.toml_text, table, key))

    def title_origin(self, part: Part, key: str, text: str) -> SourceInfo:
        """A title from the front matter is placed on its key's line; one from the body's
        first heading is found in the body, where the body's own checks found it too."""
        shown = display_path(self.book.config, part.source)
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
                return self.render_part_now(part)
        except TooSlow:
            self.diagnostics.error(
                f"reading this part took more than {seconds:.0f} seconds: split it into "
                "smaller parts, and look for a long run of '[', '<' or '`' that never closes "
                "(Python-Markdown slows down greatly on those)",
                display_path(self.book.config, part.source))
            return RenderedPart(part=part, title_html="", title_text=part.title,
                                short_title=part.short_title, authors=(), body_html="",
                                notes=(), images=())

    def render_part_now(self, part: Part) -> RenderedPart:
        body = part.body
        if part.kind == "abbreviations":
            body = _without_definitions(body)
        md, notes_ext, context = self.markdown(part, body)
        body_html = md.convert(body)
        notes = tuple(
            Note(number=n.number, label=n.label, id=n.id, ref_ids=tuple(n.ref_ids),
                 html=_serialize_children(md, n.element))
            for n in notes_ext.collected)

        noterefs = ""
        if context.title_element is not None:
            noterefs = "".join(_serialize(md, sup) for sup in context.title_element.iter("sup")
                               if sup.get("class") == "noteref")
        if part.title:
            title_core = self.inline(part.title, self.title_origin(part, "title", part.title))
        else:
            title_core = ""
        title_html = title_core + noterefs
        title_text = _text_of(title_core)
        short_title = (_text_of(self.inline(part.short_title, self.title_origin(
            part, "short_title", part.short_title))) if part.short_title else title_text)

        if part.kind == "abbreviations":
            body_html += self.abbreviation_list()
        elif part.kind == "contributors":
            body_html += self.contributor_list()

        authors = tuple(self.book.config.contributors[k] for k in part.authors
                        if k in self.book.config.contributors)
        return RenderedPart(part=part, title_html=title_html, title_text=title_text,
                            short_title=short_title, authors=authors, body_html=body_html,
                            notes=notes, images=tuple(Path(p) for p in context.images))

    def abbreviation_list(self) -> str:
        entries = sorted(self.book.abbreviations, key=lambda a: (_sort_key(a.abbr), a.abbr))
        part = next(p for p in self.book.parts if p.kind == "abbreviations")
        shown = display_path(self.book.config, part.source)
        items = "".join(f'<dt>{html.escape(a.abbr)}</dt>'
                        f'<dd>{self.inline(a.expansion, self.value_origin(shown, a.expansion, a.line))}'
                        '</dd>' for a in entries)
        return f'<dl class="abbreviations">{items}</dl>'

    def contributor_list(self) -> str:
        blocks = []
        for person in self.book.contributor_order():
            bio = ""
            table = f"contributors.{person.key}"
            if person.bio:
                origin = self.toml_origin(person.bio, table, "bio")
                md = Markdown(extensions=[AbbreviationsExtension(glossary=self.glossary),
                                          "smarty", HtmlSafetyExtension(origin)],
                              output_format="xhtml")
                bio = md.convert(person.bio)
            affiliation = (
                '<p class="contributor-affiliation">'
                f'{self.inline(person.affiliation, self.toml_origin(person.affiliation, table, "affiliation"))}'
                "</p>" if person.affiliation else "")
            name = self.inline(person.name, self.toml_origin(person.name, table, "name"))
            blocks.append(
                f'<div class="contributor" id="contributor-{html.escape(person.key)}">'
                f'<h2 class="contributor-name">{name}</h2>'
                f"{affiliation}{bio}</div>")
        return f'<div class="contributors">{"".join(blocks)}</div>'


def check_book_in_time(book: RenderedBook, diagnostics: Diagnostics,
                       check: Callable[[], None]) -> None:
    """Run the checks of the rendered book, `check()`, within the time limit the whole book's
    parts would have (PART_SECONDS, PART_SECONDS_PER_MB): hostile input must not hang them
    after the reading of each part was bounded."""
    size = sum(len(part.part.body.encode("utf-8")) for part in book.parts)
    seconds = PART_SECONDS + PART_SECONDS_PER_MB * size / 1e6
    try:
        with time_limit(seconds):
            check()
    except TooSlow:
        diagnostics.error(f"checking the manuscript took more than {seconds:.0f} seconds: "
                          "look for a part with very long lines or paragraphs, and split it")


class TooSlow(BaseException):
    """A part's time is up (a BaseException, so that no `except Exception` swallows it)."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TooSlow in the block once `seconds` have passed. It needs SIGALRM, so it
    works in the main thread only, and stands aside when a timer is already running."""
    if (threading.current_thread() is not threading.main_thread()
            or not hasattr(signal, "setitimer")
            or signal.getitimer(signal.ITIMER_REAL) != (0.0, 0.0)):
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
    return " ".join(lxml.html.fragment_fromstring(fragment, create_parent="span")
                    .text_content().split())


def _ids_in(fragment: str) -> Iterable[str]:
    if not fragment.strip():
        return []
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    return [el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")]
