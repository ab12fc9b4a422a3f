"""ImportedParts -> files in the manuscript folder and entries in `book.toml`.

Every file given is read and converted first; only then is anything written: the parts
(`<section>/<slug>.md`), their images (`images/<slug>/`) and `book.toml`, whose
`[contents]` list gets the new parts appended (tomlkit keeps its comments and layout).
Each file is written to a temporary file beside its target and renamed over it, so a
failure leaves the manuscript as it was. A part that exists is replaced only with
`force`: it keeps its place in `[contents]` and the front matter the editor added
(`short_title`, `authors`...); only its `title` is taken from the new file.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import tomlkit
import yaml

from allianceprint.cachefolder import write_all_atomically
from allianceprint.config import CONFIG_NAME
from allianceprint.errors import ManuscriptError
from allianceprint.importer.document import Finding
from allianceprint.importer.markdown import ImportedPart, write_markdown
from allianceprint.importer.outline import title_of
from allianceprint.importer.package import DocxError, open_docx
from allianceprint.importer.reader import read_document
from allianceprint.slugs import ascii_slug

SECTIONS = ("front", "chapters", "back")
MAX_SLUG_LENGTH = 50  # an imported part's file name, from its title
_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
_FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*(?:\n|\Z)", re.DOTALL)


@dataclass(frozen=True)
class ImportOptions:
    into: Path = Path(".")
    section: str = "chapters"
    name: str | None = None
    track_changes: str = "accept"
    force: bool = False


@dataclass
class ImportResult:
    source: Path
    target: str  # relative to the manuscript folder
    part: ImportedPart
    replaced: bool
    author_hint: str
    author_key: str  # the contributor of book.toml with that name, if any
    changes: dict[str, int]
    findings: list[Finding] = field(default_factory=list)


def import_files(files: list[Path], options: ImportOptions) -> list[ImportResult]:
    """Import `files` into the manuscript `options.into`; raise ManuscriptError (nothing
    written) on the first file that cannot be imported."""
    root = options.into
    toml_path = root / CONFIG_NAME
    if not toml_path.is_file():
        raise ManuscriptError(
            f"no {CONFIG_NAME} here: give the manuscript folder with --into", root
        )
    if options.name is not None and len(files) > 1:
        raise ManuscriptError("--name names one part: import one file at a time with it", files[0])
    if options.name is not None and not _SLUG_RE.match(options.name):
        raise ManuscriptError(
            f"--name {options.name!r}: use lowercase letters, digits and "
            "hyphens, e.g. 03-trade-and-trust",
            files[0],
        )
    try:
        toml = tomlkit.parse(toml_path.read_text(encoding="utf-8"))
    except (tomlkit.exceptions.ParseError, UnicodeDecodeError) as exc:
        raise ManuscriptError(
            f"cannot be read ({exc}): fix it first, then import", toml_path
        ) from None
    listed = _listed(toml, toml_path)
    staged: dict[Path, bytes] = {}
    results: list[ImportResult] = []
    for source in files:
        package = open_docx(source)
        document = read_document(package, options.track_changes)
        slug = options.name or _slug(title_of(document), source.stem)
        target = f"{options.section}/{slug}.md"
        if any(r.target == target for r in results):
            raise DocxError(
                f"would be written to {target} like an earlier file: give each file its own --name",
                source,
            )
        part = write_markdown(document, slug, f"../images/{slug}")
        if not part.title:
            part.title = source.stem
            part.findings.append(
                Finding(
                    "no Title or Heading 1 style: the title is the file "
                    "name; put the real one in the front matter"
                )
            )
        where = root / target
        existing = _existing(where, target, listed, options.force, source)
        staged[where] = _front_matter(part, existing).encode("utf-8")
        for name, data in part.images.items():
            staged[root / "images" / slug / name] = data
        results.append(
            ImportResult(
                source,
                target,
                part,
                existing is not None,
                document.author_hint,
                _contributor(toml, document.author_hint),
                document.changes,
                part.findings,
            )
        )
    for result in results:
        if result.target not in listed:
            _append(toml, options.section, result.target)
            listed.add(result.target)
    staged[toml_path] = tomlkit.dumps(toml).encode("utf-8")
    _commit(staged)
    return results


def _listed(toml, toml_path: Path) -> set[str]:
    contents = toml.get("contents", {})
    if not isinstance(contents, dict):
        raise ManuscriptError("[contents] must be a table: fix it first, then import", toml_path)
    found = set()
    for section in SECTIONS:
        value = contents.get(section, [])
        if not isinstance(value, list):
            raise ManuscriptError(
                f"[contents] {section} must be a list: fix it first, then import", toml_path
            )
        found.update(str(item) for item in value)
    return found


def _contributor(toml, name: str) -> str:
    """The key of the contributor of book.toml called `name` ("" if none or no name)."""
    contributors = toml.get("contributors", {})
    if not name or not isinstance(contributors, dict):
        return ""
    wanted = " ".join(name.split()).casefold()
    for key, person in contributors.items():
        if (
            isinstance(person, dict)
            and " ".join(str(person.get("name", "")).split()).casefold() == wanted
        ):
            return str(key)
    return ""


def _append(toml, section: str, target: str) -> None:
    if "contents" not in toml:
        toml.add("contents", tomlkit.table())
    contents = toml["contents"]
    if section not in contents:
        contents[section] = tomlkit.array()
    contents[section].append(target)


def _existing(where: Path, target: str, listed: set[str], force: bool, source: Path) -> dict | None:
    """The front matter of the part being replaced (None for a new part)."""
    if not where.exists() and target not in listed:
        return None
    if not force:
        raise DocxError(
            f"{target} already exists in the manuscript: give --force to replace "
            "it with this file (it keeps its place and front matter), or --name "
            "to import it as another part",
            source,
        )
    if not where.is_file():
        return {}
    text = where.read_text(encoding="utf-8", errors="replace")
    match = _FRONT_MATTER_RE.match(text)
    if not match:
        return {}
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def _front_matter(part: ImportedPart, existing: dict | None) -> str:
    data: dict = {}
    if not part.title_in_body:
        data["title"] = part.title
    for key, value in (existing or {}).items():
        if key != "title":
            data[key] = value
    if not data:  # the title is the body's `# Title[^1]`, and nothing else to keep
        return part.body
    text = yaml.safe_dump(
        data, allow_unicode=True, sort_keys=False, width=10_000, default_flow_style=False
    )
    return f"---\n{text}---\n\n{part.body}"


def _commit(staged: dict[Path, bytes]) -> None:
    """Write every staged file, all before any is replaced (an error, Ctrl-C: no temporary
    file is left behind)."""
    try:
        for path in staged:
            path.parent.mkdir(parents=True, exist_ok=True)
        write_all_atomically(staged)
    except OSError as exc:
        raise ManuscriptError(
            f"cannot be written ({exc.strerror})", Path(exc.filename or "")
        ) from None


def _slug(title: str, stem: str) -> str:
    """The part's file name: from its title; for a title with no Latin letters or digits (a
    Chinese or Arabic title), from the Word file's name, so that two such contributors'
    files do not both become `imported`."""
    return ascii_slug(title, MAX_SLUG_LENGTH) or ascii_slug(stem, MAX_SLUG_LENGTH) or "imported"


def run_import(files: list[Path], options: ImportOptions) -> int:
    """The command: import, print what was done and found; 1 (nothing written) on an error."""
    try:
        results = import_files(files, options)
    except ManuscriptError as exc:
        print(exc, file=sys.stderr)  # one line: the file, what is wrong, what to do
        return 1
    except KeyboardInterrupt:
        print("interrupted; nothing was imported", file=sys.stderr)
        return 130
    for result in results:
        for finding in result.findings:
            where = f"{finding.where}: " if finding.where else ""
            print(f"{result.source}: warning: {where}{finding.message}", file=sys.stderr)
        part = result.part
        if sum(result.changes.values()):
            verb = "accepted" if options.track_changes == "accept" else "rejected"
            formatting = result.changes.get("formatting", 0)
            print(
                f"{result.source}: tracked changes {verb}: "
                f"{_count(result.changes['insertions'], 'insertion')}, "
                f"{_count(result.changes['deletions'], 'deletion')}"
                + (f", {_count(formatting, 'formatting change')}" if formatting else "")
            )
        if result.author_hint:
            key = result.author_key or "key"
            known = f" (contributor {key})" if result.author_key else ""
            print(
                f"{result.source}: Word names its author {result.author_hint!r}{known}: if "
                f"that is the chapter's author, add `authors: [{key}]` to "
                f"{result.target}'s front matter"
            )
        kinds = []
        if part.footnotes:
            kinds.append(_count(part.footnotes, "footnote"))
        if part.endnotes:
            kinds.append(_count(part.endnotes, "endnote"))
        notes = _count(part.notes, "note") + (f" ({', '.join(kinds)})" if kinds else "")
        images = f", {_count(len(part.images), 'image')}" if part.images else ""
        verb = "replaced" if result.replaced else "wrote"
        print(
            f"{result.source}: {verb} {options.into / result.target}: {notes}{images}, "
            f"{_count(len(result.findings), 'warning')}"
        )
    return 0


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
