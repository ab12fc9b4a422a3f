"""`HtmlSafetyExtension`: raw HTML and attribute lists may use only harmless elements and
attributes (no scripts, event handlers, `javascript:` links, embedded documents, `<link>` or
`<style>`); block quotes and lists may nest only so deep, and so may the HTML they make.
The checks of single values (language tags, link targets, image files) are validators'."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from html.parser import HTMLParser

from markdown import Markdown
from markdown.extensions import Extension
from markdown.extensions.attr_list import AttrListTreeprocessor, get_attrs_and_remainder
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from allianceprint.mdext.source import SourceInfo
from allianceprint.validators import href_problem, language_tag_problem

# --- hostile or broken input: raw HTML, attribute lists, nesting -------------------------

MAX_NESTING = 16  # block quotes in one another, or levels of a list, in the Markdown
MAX_TREE_DEPTH = 64  # elements in one another that the Markdown makes
MAX_HTML_DEPTH = 32  # raw HTML elements open in one another

INLINE_ELEMENTS = frozenset(
    "a abbr b bdi bdo br cite code data del dfn em i ins kbd mark q rp rt ruby s samp small "
    "span strong sub sup time u var wbr".split()
)
BLOCK_ELEMENTS = frozenset(
    "aside blockquote caption col colgroup dd div dl dt figcaption figure h1 h2 h3 h4 h5 h6 "
    "hr li ol p pre section table tbody td tfoot th thead tr ul".split()
)
VOID_ELEMENTS = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()
)
GLOBAL_ATTRIBUTES = frozenset({"id", "class", "lang", "dir", "title", "style", "role", "epub:type"})
ELEMENT_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href"}),
    "img": frozenset({"src", "alt", "width", "height"}),
    "ol": frozenset({"start", "reversed", "type"}),
    "li": frozenset({"value"}),
    "td": frozenset({"colspan", "rowspan"}),
    "th": frozenset({"colspan", "rowspan", "scope"}),
    "col": frozenset({"span"}),
    "colgroup": frozenset({"span"}),
    "time": frozenset({"datetime"}),
    "data": frozenset({"value"}),
}

_REJECTED_ELEMENTS: dict[str, str] = {
    tag: why
    for tags, why in (
        ("script noscript", "a book runs no scripts; remove it"),
        (
            "iframe frame frameset object embed applet portal fencedframe",
            "a book cannot embed other documents or pages; link to them instead",
        ),
        (
            "link style meta base",
            "a part cannot load files or change the house style (that is the styles folder's "
            "work); remove it",
        ),
        (
            "img image picture source video audio track svg math canvas map area",
            "write images as ![alt text](path/to/file), so that they are checked and packed into "
            "the EPUB",
        ),
        (
            "form input button select option optgroup textarea label fieldset legend output datalist",
            "forms do nothing in a book; remove it",
        ),
    )
    for tag in tags.split()
}
_STYLE_DANGER_RE = re.compile(
    r"url\s*\(|image(?:-set)?\s*\(|cross-fade\s*\(|element\s*\(|@|\\|"
    r"expression\s*\(|-moz-binding|behavior\s*:",
    re.IGNORECASE,
)
_DATA_ARIA_RE = re.compile(r"(data|aria)-[a-z0-9_.-]+")
_QUOTE_PREFIX_RE = re.compile(r"^(?:[ \t]*>)+")
_LIST_ITEM_RE = re.compile(r"^([ \t]*)(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")


def element_problem(tag: str) -> str | None:
    """Why raw HTML may not use the element `tag`, or None when it may."""
    if tag in INLINE_ELEMENTS or tag in BLOCK_ELEMENTS:
        return None
    why = _REJECTED_ELEMENTS.get(
        tag,
        "it is not an element a book can use: write it in Markdown, or use <span>, "
        "<sup>, <sub>, <br>, <div> or another element the README lists",
    )
    return f"<{tag}> is not allowed: {why}"


def attribute_problem(tag: str, name: str, value: str | None, *, raw: bool) -> str | None:
    """Why the element `tag` may not carry `name`=`value`, or None when it may.

    `raw`: the attribute comes from raw HTML (else from an attribute list, on an element the
    Markdown made: a link's href and an image's src are then checked with the link or image).
    """
    name = name.lower()
    if name.startswith("on"):
        return f"the event-handler attribute {name}= on <{tag}> would run a script: remove it"
    if name == "style":
        danger = _STYLE_DANGER_RE.search(value or "")
        if danger is None:
            return None
        return (
            f"the style= on <{tag}> uses {danger.group(0).strip()!r}, with which a style "
            "can load files or addresses: a part's style may set properties such as "
            "color or font-variant, and nothing that loads anything"
        )
    if name == "lang":
        problem = language_tag_problem(value or "")
        return f"lang= on <{tag}>: {problem}" if problem else None
    if tag == "a" and name == "href":
        problem = href_problem(value or "", raw=True) if raw else None
        return f"link {value!r}: {problem}" if problem else None
    if (
        name in GLOBAL_ATTRIBUTES
        or name in ELEMENT_ATTRIBUTES.get(tag, ())
        or _DATA_ARIA_RE.fullmatch(name)
    ):
        return None
    return (
        f"the attribute {name}= is not allowed on <{tag}>: a part may set id, class, lang, "
        "dir, title, style, role, data-* and aria-* attributes, and href on <a>"
    )


class _NestingGuard(Preprocessor):
    """Turns away block quotes or lists nested deeper than MAX_NESTING, before the block
    parser (which recurses at each level) meets them."""

    def __init__(self, md: Markdown, ext: HtmlSafetyExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, lines: list[str]) -> list[str]:
        source = self.ext.source
        for index, line in enumerate(lines):
            quotes = _QUOTE_PREFIX_RE.match(line)
            if quotes and quotes.group(0).count(">") > MAX_NESTING:
                column = [i for i, char in enumerate(line) if char == ">"][MAX_NESTING] + 1
                source.error(
                    f"block quotes nest {quotes.group(0).count('>')} deep here; a book "
                    f"allows at most {MAX_NESTING}: remove some '>'",
                    *self.place(index, column),
                )
                return []  # the part is not converted: the build stops at this error anyway
            rest = line[quotes.end() :] if quotes else line
            item = _LIST_ITEM_RE.match(rest)
            if item and len(item.group(1).expandtabs(4)) // 4 >= MAX_NESTING:
                levels = len(item.group(1).expandtabs(4)) // 4 + 1
                column = len(line) - len(rest) + len(item.group(1)) + 1
                source.error(
                    f"this list item is {levels} levels deep; lists may nest at most "
                    f"{MAX_NESTING} levels: indent it less",
                    *self.place(index, column),
                )
                return []
        return lines

    def place(self, index: int, column: int) -> tuple[int, int | None]:
        source = self.ext.source
        if not source.verbatim:
            return source.first_line, None
        return source.first_line + index, column


def _comment_end(text: str, start: int) -> int:
    """Where the HTML comment opened at `start` (`<!--`) ends (just after it), or -1 when it
    is never closed. `<!-->` and `<!--->` are closed at once, as an HTML parser reads them."""
    if text.startswith(">", start + 4):
        return start + 5
    if text.startswith("->", start + 4):
        return start + 6
    end = text.find("-->", start + 4)
    return -1 if end < 0 else end + 3


def without_comments(html_text: str) -> str:
    """The HTML with its (closed) comments removed: editors' private remarks stay in the
    Markdown and reach no output."""
    kept, position = [], 0
    while (start := html_text.find("<!--", position)) >= 0:
        end = _comment_end(html_text, start)
        if end < 0:
            break
        kept.append(html_text[position:start])
        position = end
    kept.append(html_text[position:])
    return "".join(kept)


class _CommentGuard(Preprocessor):
    """Turns away an HTML comment that is never closed (it would hide, or print, the rest of
    the part), with its place; closed comments are removed by `_RawHtmlChecker`."""

    def __init__(self, md: Markdown, ext: HtmlSafetyExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, lines: list[str]) -> list[str]:
        source = self.ext.source
        text = "\n".join(source.searchable)  # code blanked out: `<!--` there is shown
        position = 0
        while (start := text.find("<!--", position)) >= 0:
            end = _comment_end(text, start)
            if end < 0:
                line = text.count("\n", 0, start)
                column = start - (text.rfind("\n", 0, start) + 1) + 1
                where = (
                    (source.first_line + line, column)
                    if source.verbatim
                    else (source.first_line, None)
                )
                source.error(
                    "this HTML comment (<!--) is never closed: end it with -->, or "
                    "write &lt;!-- to show it",
                    *where,
                )
                return []
            position = end
        return lines


class _CheckedAttrList(AttrListTreeprocessor):
    """Python-Markdown's attribute lists (`{: .class #id key=value}`), with every attribute
    checked against `attribute_problem`: a list with a forbidden one sets nothing."""

    def __init__(self, md: Markdown, ext: HtmlSafetyExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def assign_attrs(self, elem: etree.Element, attrs_string: str, *, strict: bool = False) -> str:
        attrs, remainder = get_attrs_and_remainder(attrs_string)
        if strict and remainder:
            return remainder
        problems = [
            problem
            for key, value in attrs
            if key != "."
            and (problem := attribute_problem(elem.tag, self.sanitize_name(key), value, raw=False))
        ]
        if not problems:
            return super().assign_attrs(elem, attrs_string, strict=strict)
        line, column = self.ext.locate(attrs_string)
        for problem in problems:
            self.ext.source.error(f"in an attribute list: {problem}", line, column)
        return remainder


class _RawHtmlScanner(HTMLParser):
    """Reads one piece of raw HTML; notes what it may not do and how deep it nests."""

    def __init__(self, depth: int, seen: dict[str, int]) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = depth
        self.too_deep = False
        self.seen = seen  # markup -> how often it came so far, in this part's raw HTML
        #: (message, the markup it is about, which occurrence of that markup, from 0)
        self.findings: list[tuple[str, str, int]] = []

    def note(self, message: str, markup: str) -> None:
        self.findings.append((message, markup, self.seen.get(markup, 1) - 1))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.check(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self.depth += 1
            if self.depth > MAX_HTML_DEPTH and not self.too_deep:
                self.too_deep = True
                self.note(
                    f"raw HTML elements nest more than {MAX_HTML_DEPTH} deep here: close "
                    "some of them",
                    self.get_starttag_text() or f"<{tag}",
                )

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.check(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID_ELEMENTS:
            self.depth = max(self.depth - 1, 0)

    def check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        markup = self.get_starttag_text() or f"<{tag}"
        self.seen[markup] = self.seen.get(markup, 0) + 1
        problem = element_problem(tag)
        if problem is not None:
            self.note(problem, markup)
            return
        for name, value in attrs:
            problem = attribute_problem(tag, name, value, raw=True)
            if problem is not None:
                self.note(problem, markup)

    def handle_decl(self, decl: str) -> None:
        self.note(
            f"<!{decl.split(' ')[0]}> is not allowed in a part: the build makes the "
            "documents; remove it",
            f"<!{decl}",
        )

    def unknown_decl(self, data: str) -> None:
        self.note(f"<![{data.split('[')[0]}[ is not allowed in a part: remove it", f"<![{data}")

    def handle_pi(self, data: str) -> None:
        self.note(
            "a processing instruction (<?...?>) is not allowed in a part: remove it", f"<?{data}"
        )


class _RawHtmlChecker(Treeprocessor):
    """Checks every piece of raw HTML the Markdown kept aside (Python-Markdown's stash),
    and replaces each piece with a mistake by its escaped text."""

    def __init__(self, md: Markdown, ext: HtmlSafetyExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, root: etree.Element) -> None:
        stash = self.md.htmlStash.rawHtmlBlocks
        depth, deep_reported, seen = 0, False, {}
        for index, piece in enumerate(stash):
            if not isinstance(piece, str) or "<" not in piece:
                continue  # an element of Python-Markdown's own, or an entity
            if "<!--" in piece:
                piece = stash[index] = without_comments(piece)
            scanner = _RawHtmlScanner(depth, seen)
            scanner.feed(piece)
            scanner.close()
            depth = scanner.depth
            for message, markup, occurrence in scanner.findings:
                if scanner.too_deep and message.startswith("raw HTML elements nest"):
                    if deep_reported:
                        continue
                    deep_reported = True
                self.ext.source.error(message, *self.ext.locate(markup, occurrence))
            if scanner.findings:
                stash[index] = html.escape(piece)


class _DepthGuard(Treeprocessor):
    """Turns away a part whose Markdown makes elements nested deeper than MAX_TREE_DEPTH
    (which the serializers, recursive, and the EPUB's XML parser could not take)."""

    def __init__(self, md: Markdown, ext: HtmlSafetyExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, root: etree.Element) -> None:
        stack, deepest = [(root, 0)], 0
        while stack:
            element, depth = stack.pop()
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in element)
        if deepest > MAX_TREE_DEPTH:
            self.ext.source.error(
                f"the text nests {deepest} elements deep (lists, quotes and "
                f"emphasis in one another); a book allows at most "
                f"{MAX_TREE_DEPTH}: flatten it",
                None,
            )
            root.clear()


class HtmlSafetyExtension(Extension):
    """Hostile or broken markup turned away with located errors; see the module docstring.

    With `attribute_lists`, it also provides the attribute list syntax (`{: .class #id}`), each
    attribute checked, in place of Python-Markdown's `attr_list`.
    """

    def __init__(self, source: SourceInfo, attribute_lists: bool = True) -> None:
        super().__init__()
        self.source = source
        self.attribute_lists = attribute_lists
        self.occurrences: dict[str, int] = {}

    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        md.preprocessors.register(_NestingGuard(md, self), "nesting-guard", 45)
        md.preprocessors.register(_CommentGuard(md, self), "comment-guard", 44)
        md.treeprocessors.register(_DepthGuard(md, self), "depth-guard", 19)
        if self.attribute_lists:
            md.treeprocessors.register(_CheckedAttrList(md, self), "attr_list", 8)
        md.treeprocessors.register(_RawHtmlChecker(md, self), "raw-html-check", 1)

    def reset(self) -> None:
        self.occurrences = {}

    def locate(self, markup: str, occurrence: int | None = None) -> tuple[int | None, int | None]:
        """Where the `occurrence`-th `markup` (from 0) stands in the source; without it, the
        first place for the first call, the next for the next, and so on."""
        needle = markup.split("\n")[0]
        if occurrence is None:
            occurrence = self.occurrences.get(needle, 0)
            self.occurrences[needle] = occurrence + 1
        for candidate, nth in ((needle, occurrence), (needle, 0), (needle.split(" ")[0], 0)):
            line, column = self.source.position_of(candidate, nth)
            if line is not None:
                return line, column
        return None, None
