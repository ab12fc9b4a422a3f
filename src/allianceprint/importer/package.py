"""A `.docx` file -> `DocxPackage`: its zip members, read safely, and its XML parts parsed.

Everything a contributor's file can do to the importer is stopped here, before any part is
read: a file over `MAX_FILE_BYTES`; an old `.doc`, a password-protected or encrypted file
(both OLE2 compound files, magic D0 CF 11 E0) or any other file that does not begin as a
zip (an old `.doc` can hold an embedded zip further in, so the magic at offset 0 decides);
a macro-enabled `.docm`; a zip member whose name is absolute or climbs out (`../`); a
member, or all of them together, that declares more than the limits below or inflates past
what it declared (members are streamed with a cap, never trusted); an XML part with a DTD
(Word never writes one: entity bombs and external entities need one), parsed anyway with
entities unresolved, no network and no huge trees. Each is a `DocxError`: one line naming
the file and what to do.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from allianceprint.errors import ManuscriptError

MAX_FILE_BYTES = 100 * 1024 * 1024  # the .docx as sent
MAX_MEMBER_BYTES = 50 * 1024 * 1024  # one member, inflated: the largest image a build takes
MAX_TOTAL_BYTES = 256 * 1024 * 1024  # all the members read, inflated
MAX_MEMBERS = 10_000

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_DTD_RE = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)

NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
}


class DocxError(ManuscriptError):
    """A file that cannot be imported, and what to do about it."""


@dataclass(frozen=True)
class Relationship:
    id: str
    type: str  # the last segment of the type URI: "image", "hyperlink", ...
    target: str  # a member name inside the package, or an address when external
    external: bool


@dataclass
class DocxPackage:
    """The members of one .docx, read through the caps; XML parts parsed on demand."""

    path: Path
    members: dict[str, bytes]
    _parsed: dict[str, etree._Element] = field(default_factory=dict)

    def xml(self, name: str) -> etree._Element | None:
        """The parsed XML part `name` (e.g. "word/footnotes.xml"), None if absent."""
        if name not in self.members:
            return None
        if name not in self._parsed:
            self._parsed[name] = parse_xml(self.members[name], self.path, name)
        return self._parsed[name]

    def relationships(self, part: str) -> dict[str, Relationship]:
        """The relationships of `part`, with internal targets resolved to member names."""
        folder, base = posixpath.split(part)
        root = self.xml(posixpath.join(folder, "_rels", base + ".rels"))
        found: dict[str, Relationship] = {}
        if root is None:
            return found
        for rel in root.iterfind("rel:Relationship", NS):
            target = rel.get("Target", "")
            external = rel.get("TargetMode") == "External"
            if not external:
                absolute = target.startswith("/")
                target = resolve_member(folder, target, self.path)
                if absolute and target not in self.members:
                    raise DocxError(
                        f"it refers to {rel.get('Target')!r}, a path that is not "
                        "in the Word file: the file is damaged or made to attack; "
                        "ask the author to save it again from Word",
                        self.path,
                    )
            found[rel.get("Id", "")] = Relationship(
                rel.get("Id", ""), rel.get("Type", "").rsplit("/", 1)[-1], target, external
            )
        return found

    def main_part(self) -> str:
        """The main document part's name, from the package relationships."""
        for rel in self.relationships("").values():
            if rel.type == "officeDocument" and not rel.external:
                return rel.target
        return "word/document.xml"


def resolve_member(folder: str, target: str, path: Path) -> str:
    """A relationship target relative to `folder` -> a member name; one that is absolute in
    the file system or climbs out of the package is refused."""
    if target.startswith("/"):  # absolute within the package
        name = posixpath.normpath(target.lstrip("/"))
    else:
        name = posixpath.normpath(posixpath.join(folder, target))
    if _escapes(name) or "\\" in target or ":" in target:
        raise DocxError(
            f"it refers to {target!r}, outside the Word file: the file is damaged "
            "or made to attack; ask the author to save it again from Word",
            path,
        )
    return name


def _escapes(name: str) -> bool:
    return (
        name.startswith(("/", "../"))
        or name == ".."
        or "/../" in f"/{name}/"
        or "\\" in name
        or "\x00" in name
        or bool(re.match(r"^[A-Za-z]:", name))
    )


# Strict Open XML (ISO/IEC 29500 Strict, "Strict Open XML Document" in Word's Save As) ->
# the transitional namespaces the reader knows.
STRICT = {
    b"http://purl.oclc.org/ooxml/wordprocessingml/main": b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    b"http://purl.oclc.org/ooxml/officeDocument/relationships": b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    b"http://purl.oclc.org/ooxml/drawingml/main": b"http://schemas.openxmlformats.org/drawingml/2006/main",
    b"http://purl.oclc.org/ooxml/drawingml/wordprocessingDrawing": b"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    b"http://purl.oclc.org/ooxml/drawingml/picture": b"http://schemas.openxmlformats.org/drawingml/2006/picture",
    b"http://purl.oclc.org/ooxml/drawingml/chart": b"http://schemas.openxmlformats.org/drawingml/2006/chart",
    b"http://purl.oclc.org/ooxml/officeDocument/math": b"http://schemas.openxmlformats.org/officeDocument/2006/math",
}


def parse_xml(data: bytes, path: Path, name: str) -> etree._Element:
    """Parse one XML part with nothing resolved, loaded or allowed to grow unbounded."""
    if b"purl.oclc.org/ooxml" in data:
        for strict, transitional in STRICT.items():
            data = data.replace(strict, transitional)
    if _DTD_RE.search(data):
        raise DocxError(
            f"its part {name} declares a DTD or entities, which Word never "
            "writes: the file is damaged or made to attack; ask the author to "
            "save it again from Word",
            path,
        )
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise DocxError(
            f"its part {name} is not well-formed XML ({exc.msg}): ask the author "
            "to save the file again from Word",
            path,
        ) from None


def open_docx(path: Path) -> DocxPackage:
    """Read `path` into a DocxPackage, or raise DocxError saying what is wrong."""
    try:
        size = path.stat().st_size
        with path.open("rb") as stream:
            head = stream.read(8)
    except OSError as exc:
        raise DocxError(f"cannot be read ({exc.strerror}): check the file name", path) from None
    if not path.is_file():
        raise DocxError("is not a file: give the path of a .docx file", path)
    if size > MAX_FILE_BYTES:
        raise DocxError(
            f"is {size / 1e6:.0f} MB, over the importer's limit of "
            f"{MAX_FILE_BYTES // 1_000_000} MB: compress its images in Word "
            "(File > Compress Pictures) or split it",
            path,
        )
    if path.suffix.lower() in (".docm", ".dotm"):
        raise _macro_error(path)
    if head.startswith(OLE2_MAGIC):
        raise _ole2_error(path)
    if not head.startswith(ZIP_MAGIC):
        raise DocxError(
            "is not a Word .docx file: open it in Word or LibreOffice and save it "
            "as Word Document (.docx), then import that",
            path,
        )
    try:
        with zipfile.ZipFile(path) as archive:
            members = _read_members(archive, path)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        NotImplementedError,
        ValueError,
        OSError,
    ) as exc:
        raise DocxError(
            f"is a damaged zip, not a readable .docx ({exc}): ask the author to "
            "save it again from Word",
            path,
        ) from None
    package = DocxPackage(path, members)
    types = package.xml("[Content_Types].xml")
    if types is None or not any(name.startswith("word/") for name in members):
        raise DocxError(
            "is a zip but not a Word document (no word/ part): save it from "
            "Word as Word Document (.docx), then import that",
            path,
        )
    for override in types.iterfind("ct:Override", NS):  # .docm, and .dotm templates
        if "macroenabled" in override.get("ContentType", "").lower():
            raise _macro_error(path)
    if any(name.lower().endswith("vbaproject.bin") for name in members):
        raise _macro_error(path)
    if package.main_part() not in members:
        raise DocxError(
            "has no main document part: ask the author to save it again from Word", path
        )
    return package


def _read_members(archive: zipfile.ZipFile, path: Path) -> dict[str, bytes]:
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise DocxError(
            f"holds {len(infos)} zip members, more than a Word file ever has: "
            "ask the author to save it again from Word",
            path,
        )
    declared = 0
    for info in infos:
        if _escapes(info.filename):
            raise DocxError(
                f"holds a zip member named {info.filename!r}, which climbs out of "
                "the file: it is damaged or made to attack; ask the author to "
                "save it again from Word",
                path,
            )
        if info.flag_bits & 0x1:
            raise _encrypted_error(path)
        declared += info.file_size
        if info.file_size > MAX_MEMBER_BYTES or declared > MAX_TOTAL_BYTES:
            raise _bomb_error(path)
    members: dict[str, bytes] = {}
    total = 0
    for info in infos:
        if info.is_dir():
            continue
        chunks: list[bytes] = []
        size = 0
        with archive.open(info) as stream:  # inflate with a cap: declared sizes can lie
            while chunk := stream.read(1 << 16):
                size += len(chunk)
                total += len(chunk)
                if size > min(info.file_size, MAX_MEMBER_BYTES) or total > MAX_TOTAL_BYTES:
                    raise _bomb_error(path)
                chunks.append(chunk)
        members[info.filename] = b"".join(chunks)
    return members


def _ole2_error(path: Path) -> DocxError:
    """An encrypted .docx is an OLE2 file with an `EncryptionInfo` stream; its directory
    can be anywhere in the file, so the whole file (at most MAX_FILE_BYTES) is searched."""
    names = ["EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le")]
    overlap = max(len(n) for n in names)
    tail = b""
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            window = tail + chunk
            if any(name in window for name in names):
                return _encrypted_error(path)
            tail = window[-overlap:]
    return DocxError(
        "is an old Word .doc file (or another OLE2 file), not a .docx: open it "
        "in Word or LibreOffice, save it as Word Document (.docx) and import "
        "that",
        path,
    )


def _encrypted_error(path: Path) -> DocxError:
    return DocxError(
        "is password-protected (encrypted): ask the author for a copy without "
        "a password (in Word: File > Info > Protect Document > Encrypt with "
        "Password, emptied), then import that",
        path,
    )


def _macro_error(path: Path) -> DocxError:
    return DocxError(
        "is a macro-enabled Word file (.docm): it is not imported; open it in "
        "Word and save it as Word Document (.docx), then import that",
        path,
    )


def _bomb_error(path: Path) -> DocxError:
    return DocxError(
        f"inflates past the importer's limits ({MAX_MEMBER_BYTES // 2**20} MB a "
        f"member, {MAX_TOTAL_BYTES // 2**20} MB in all): it is damaged or a zip "
        "bomb; ask the author to save it again from Word",
        path,
    )
