"""Text, file and address -> what is wrong with it (a message), or None: the checks of single
values that book.toml, the front matter, the Markdown extensions and `checks` share.

Language tags (BCP 47, against the IANA registry through langcodes), control characters,
ISBN-13 and ORCID iD check digits (python-stdnum), link targets' schemes, and image files:
their kind sniffed from their first bytes, and SVG files read for scripts or references to
other files. Each message is said so that a caller can put its own subject before it.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from urllib.parse import SplitResult, urlsplit

import langcodes
import PIL.Image
from lxml import etree as lxml_etree
from stdnum import isbn
from stdnum.iso7064 import mod_11_2

MAX_IMAGE_BYTES = 50 * 1024 * 1024
#: Pixels an image may declare (a 600 dpi A3 scan has 70 million): a small file can declare
#: 50,000 x 50,000 pixels, which no renderer will decode (a decompression bomb).
MAX_IMAGE_PIXELS = 100_000_000
#: Elements an SVG may draw once its <use> references are expanded: a 2 kB file of nested
#: <use> can ask for millions of shapes, and a <use> cycle for infinitely many.
MAX_SVG_SHAPES = 50_000
IMAGE_SNIFF_BYTES = 64 * 1024  # how much of an image file is read to tell its kind

LINK_SCHEMES = ("http", "https", "ftp", "mailto", "tel")
IMAGE_TYPES = {
    ".png": "PNG",
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".gif": "GIF",
    ".webp": "WebP",
    ".svg": "SVG",
}

_LANGUAGE_RE = re.compile(
    r"^[a-z]{2,3}(-[a-z]{3}){0,3}(-[a-z]{4})?(-([a-z]{2}|[0-9]{3}))?"
    r"(-([a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*$",
    re.IGNORECASE,
)
_ORCID_RE = re.compile(r"^[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]$")
_SVG_EXTERNAL_URL_RE = re.compile(r"url\(\s*['\"]?\s*(?!#)", re.IGNORECASE)


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
        return (
            f"contains U+{ord(found.group()):04X}, half of a character (a lone "
            "surrogate), which no book can print: write the whole character"
        )
    return (
        f"contains the control character U+{ord(found.group()):04X}, which no book can "
        "print: remove it"
    )


def language_tag_problem(value: str) -> str | None:
    """What is wrong with `value` as a BCP 47 language tag, or None if it is a good one."""
    if not _LANGUAGE_RE.match(value):
        return f"{value!r} is not a BCP 47 language tag: write e.g. en, en-GB, fr, zh-Hans"
    if not langcodes.tag_is_valid(value):
        return (
            f"{value!r} is not a known language tag: its language, script or region is "
            "not in the IANA language subtag registry; write e.g. en, en-GB, fr, zh-Hans"
        )
    return None


def isbn13_valid(value: str) -> bool:
    """Whether `value` is an ISBN-13 (978 or 979, spaces and hyphens allowed) whose check
    digit is right."""
    digits = re.sub(r"[\s-]", "", value)
    return bool(re.fullmatch(r"97[89][0-9]{10}", digits)) and isbn.is_valid(digits)


def orcid_valid(value: str) -> bool:
    """Whether `value` is an ORCID iD (0000-0002-1825-0097) whose check character, ISO 7064
    MOD 11-2, is right."""
    return bool(_ORCID_RE.match(value)) and mod_11_2.is_valid(value.replace("-", ""))


def split_url(url: str) -> SplitResult | None:
    """`urlsplit(url)`, or None for what cannot be an address at all (`http://[::1`)."""
    try:
        return urlsplit(url)
    except ValueError:
        return None


def file_exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # a name too long for the system
        return False


def missing_file_advice(path: Path, otherwise: str) -> str:
    """What to do about `path`, a file that does not exist, when the likely slip is known:
    folders written with Windows' backslash (one file name here), or the name's case
    (`Flows.PNG` for flows.png works on Windows and macOS, not on Linux); else `otherwise`."""
    if "\\" in str(path):
        return "write the folders with / between them, not \\ (the book builds on any system)"
    try:
        near = [p.name for p in path.parent.iterdir() if p.name.casefold() == path.name.casefold()]
    except OSError:  # no such folder
        near = []
    if near:
        return f"the folder holds {near[0]!r}: write the name as it is, capitals and all"
    return otherwise


def href_problem(href: str, *, raw: bool) -> str | None:
    """What is wrong with a link's target, or None. Relative targets are files of the book:
    a Markdown link's are checked against [contents], a raw HTML link may not have them."""
    cleaned = re.sub(r"[\x00-\x20\x7f]", "", href)  # as a browser reads it
    if cleaned.startswith("#"):
        return None
    if cleaned.startswith("//"):
        return "write the address in full, starting with https://"
    parts = split_url(cleaned)
    if parts is None:
        return "this is not a valid address: check it"
    scheme = parts.scheme.lower()
    if scheme in ("javascript", "vbscript"):
        return f"a {scheme}: link would run a script: remove it"
    if scheme in LINK_SCHEMES:
        return None
    if scheme:
        return (
            f"a book can link to web addresses (https:), mailto: and its own parts, not to "
            f"{scheme}: addresses"
        )
    if raw:
        return (
            "in raw HTML a link can only be a web address or an #anchor: write links to "
            "the book's parts in Markdown, [text](file.md), so that they work in both "
            "editions"
        )
    return None


def image_file_problem(path: Path) -> str | None:
    """What keeps the file `path` (inside the manuscript) from being one of the book's
    images, said after "image 'src' ", or None when it can be one."""
    kind = IMAGE_TYPES.get(path.suffix.lower())
    try:
        if not path.exists():
            return "does not exist: " + missing_file_advice(
                path, "check the path, which is relative to this Markdown file"
            )
        if not path.is_file():
            return "is not a regular file (a folder, a pipe or a device): point to an image file"
        if kind is None:
            return (
                "is not a PNG, JPEG, GIF, WebP or SVG file, the kinds of image both "
                "editions can show: save it as one of them"
            )
        size = path.stat().st_size
        if size > MAX_IMAGE_BYTES:
            return (
                f"is {size // 1_000_000} MB; an image may be at most "
                f"{MAX_IMAGE_BYTES // 1_000_000} MB: make it smaller"
            )
        with path.open("rb") as handle:
            head = handle.read(IMAGE_SNIFF_BYTES)
    except OSError as exc:
        return f"cannot be read: {exc.strerror}"
    looks_right = {
        "PNG": head.startswith(b"\x89PNG\r\n\x1a\n"),
        "JPEG": head.startswith(b"\xff\xd8\xff"),
        "GIF": head.startswith((b"GIF87a", b"GIF89a")),
        "WebP": head[:4] == b"RIFF" and head[8:12] == b"WEBP",
        "SVG": b"<svg" in head,
    }[kind]
    if not looks_right:
        return f"is not a {kind} image, whatever its name says: save it again as {kind}"
    return _svg_problem(path) if kind == "SVG" else _pixels_problem(path)


def _pixels_problem(path: Path) -> str | None:
    """What is wrong with a raster image's declared size (read from its header only)."""
    too_many = (
        f"declares more than {MAX_IMAGE_PIXELS // 1_000_000} million pixels, the most "
        "an image may have: make it smaller"
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow's own bomb warning: said here
            with PIL.Image.open(path) as image:
                width, height = image.size
    except PIL.Image.DecompressionBombError:
        return too_many
    except (OSError, ValueError, SyntaxError) as exc:
        return f"cannot be read as an image ({exc}): save it again"
    if width * height > MAX_IMAGE_PIXELS:
        return f"({width} x {height}) {too_many}"
    return None


def _svg_shapes_problem(tree) -> str | None:
    """What is wrong with what an SVG's <use> elements expand to: a cycle, or more than
    MAX_SVG_SHAPES elements drawn."""
    by_id = {
        node.get("id"): node for node in tree.iter() if isinstance(node.tag, str) and node.get("id")
    }
    sizes: dict[object, int] = {}
    open_now: set[object] = set()

    def size(node, depth: int) -> int:
        if node in sizes:
            return sizes[node]
        if node in open_now:
            raise _SvgCycle()
        if depth > 200:
            raise _SvgTooBig()
        open_now.add(node)
        total = 1
        for child in node:
            if isinstance(child.tag, str):
                total += size(child, depth + 1)
        if lxml_etree.QName(node).localname == "use":
            href = node.get("href") or node.get("{http://www.w3.org/1999/xlink}href") or ""
            target = by_id.get(href[1:]) if href.startswith("#") else None
            if target is not None:
                total += size(target, depth + 1)
        open_now.discard(node)
        if total > MAX_SVG_SHAPES:
            raise _SvgTooBig()
        sizes[node] = total
        return total

    try:
        size(tree.getroot(), 0)
    except _SvgCycle:
        return "has a <use> that refers, through others, to itself: remove the cycle"
    except _SvgTooBig:
        return (
            f"draws more than {MAX_SVG_SHAPES:,} shapes once its <use> references are "
            "expanded: simplify it"
        )
    return None


class _SvgCycle(Exception):
    pass


class _SvgTooBig(Exception):
    pass


def _svg_problem(path: Path) -> str | None:
    """What makes an SVG file unsafe or unusable in a book: scripts, event handlers, entity
    declarations, references to other files or addresses. Parsed without loading anything."""
    parser = lxml_etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        tree = lxml_etree.parse(str(path), parser)
    except lxml_etree.XMLSyntaxError as exc:
        return f"is not well-formed SVG ({exc.msg}): save it again from the drawing program"
    dtd = tree.docinfo.internalDTD
    if dtd is not None and list(dtd.iterentities()):
        return (
            "declares XML entities, which can pull other files in: save it again without a DOCTYPE"
        )
    for node in tree.iter():
        if isinstance(node, lxml_etree._ProcessingInstruction) and node.target == "xml-stylesheet":
            return "loads a stylesheet (<?xml-stylesheet?>): an image in a book must stand alone"
        if not isinstance(node.tag, str):
            continue
        local = lxml_etree.QName(node).localname
        if local in ("script", "foreignObject", "include"):
            return (
                f"contains <{local}>: an image in a book must be a plain drawing; save it "
                "again without it"
            )
        for name, value in node.attrib.items():
            attribute = lxml_etree.QName(name).localname.lower()
            if attribute.startswith("on"):
                return f"has an event-handler attribute ({attribute}=) that would run a script"
            if attribute in ("href", "src") and not value.strip().startswith(("#", "data:image/")):
                return (
                    f"refers to {value!r}, another file or address: an image in a book must "
                    "stand alone; embed or remove it"
                )
            if attribute == "style" and _SVG_EXTERNAL_URL_RE.search(value):
                return "has a style that loads another file or address: remove the url(...)"
        if local == "style" and _SVG_EXTERNAL_URL_RE.search(node.text or ""):
            return "has a <style> that loads another file or address: remove the url(...)"
    return _svg_shapes_problem(tree)
