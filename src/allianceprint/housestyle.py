"""A house style folder (or none) -> the `StyleSet` the writers read their styles from.

A style folder holds `print/` (the print edition's stylesheet `print.css` and its Jinja
templates) and `epub/` (the EPUB's stylesheet and templates). The built-in one ships inside
the package as `allianceprint.styles` (its source is `styles/` at the top of the
repository). A press's own house style (`[style] folder` in book.toml, or `--styles DIR`)
may hold all of it or only the files it changes: each file is looked up in the house style
first, then in the built-in style, so a house style that holds only `print/print.css` gets
the built-in templates.

Everything about styles is decided here: where a file comes from, which folders a build may
read, the hash that the rebuild stamp and the caches include, the check that a house
style's templates compile (a located error, never a traceback) and `styles export`.
"""

from __future__ import annotations

import functools
import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import jinja2

from allianceprint.errors import Diagnostics, ManuscriptError, shown_path

#: The subfolders of a style folder: one per edition.
EDITIONS = ("print", "epub")
#: The kinds of file a style may hold: stylesheets, templates, and what they refer to.
TEMPLATE_SUFFIX = ".j2"
_NOT_STYLE = {"__init__.py", "__pycache__"}


def builtin_folder() -> Path:
    """The built-in house style, wherever allianceprint is installed."""
    import allianceprint.styles

    return Path(allianceprint.styles.__file__).resolve().parent


@dataclass(frozen=True)
class StyleSet:
    """The style folders a build reads, most specific first; the built-in one is last."""

    folders: tuple[Path, ...]

    @classmethod
    def with_house_style(cls, folder: Path | None) -> StyleSet:
        """The built-in style, under `folder`'s files when one is given."""
        builtin = builtin_folder()
        if folder is None or folder.resolve() == builtin:
            return cls((builtin,))
        return cls((folder.resolve(), builtin))

    @property
    def house(self) -> Path | None:
        """The house style folder, if the build has one."""
        return self.folders[0] if len(self.folders) > 1 else None

    def file(self, name: str) -> Path:
        """The file `name` (e.g. `print/print.css`) from the first folder that has it."""
        for folder in self.folders:
            candidate = folder / name
            if candidate.is_file():
                return candidate
        raise ManuscriptError(
            f"the styles have no {name}: the built-in style is incomplete; reinstall allianceprint"
        )

    def search_path(self, edition: str) -> tuple[Path, ...]:
        """The folders where `edition`'s templates are looked up, in order."""
        return tuple(folder / edition for folder in self.folders)

    def templates(self, edition: str) -> jinja2.Environment:
        """`edition`'s templates (`print` or `epub`), each from the first folder that has it."""
        return _environment(self.search_path(edition))

    def render(self, edition: str, template: str, **context: Any) -> str:
        """Fill `template`; a house style's template that fails is a located error."""
        try:
            return self.templates(edition).get_template(template).render(**context)
        except jinja2.TemplateError as exc:
            raise ManuscriptError(*_located(exc, self.search_path(edition), template)) from exc

    def files(self) -> Iterator[tuple[str, Path]]:
        """(name, path) of every file the build can read, in a fixed order: a house style's
        own files replace the built-in ones of the same name."""
        chosen: dict[str, Path] = {}
        for folder in reversed(self.folders):
            for path in _style_files(folder):
                chosen[path.relative_to(folder).as_posix()] = path
        yield from sorted(chosen.items())

    @functools.cached_property
    def digest(self) -> str:
        """A hash of every file the build reads from the styles: a changed style is a
        changed build, for the rebuild stamp and for every cache."""
        digest = hashlib.sha256()
        for name, path in self.files():
            data = path.read_bytes()
            digest.update(name.encode("utf-8", "surrogateescape") + b"\0")
            digest.update(len(data).to_bytes(8, "big") + data)
        return digest.hexdigest()

    def check(self, manuscript: Path, diagnostics: Diagnostics) -> None:
        """Report every template of the house style that does not compile, at its line."""
        house = self.house
        if house is None:
            return
        for edition in EDITIONS:
            env = self.templates(edition)
            for path in sorted((house / edition).glob(f"*{TEMPLATE_SUFFIX}")):
                try:
                    env.get_template(path.name)
                except jinja2.TemplateError as exc:
                    message, where, line = _located(exc, self.search_path(edition), path.name)
                    diagnostics.error(message, _shown(manuscript, where), line)


def validate_folder(root: Path, value: str) -> str | None:
    """What is wrong with `value` as book.toml's `[style] folder`, or None."""
    try:
        target = (root / value).resolve()
    except (OSError, ValueError) as exc:
        return f"{value!r} is not a usable folder name ({exc})"
    if not target.is_relative_to(root.resolve()):
        return (
            f"{value!r} lies outside the manuscript folder: keep the house style inside "
            "it, or give it with --styles DIR"
        )
    if target.is_file():
        return f"{value!r} is a file: {_A_FOLDER}"
    if not target.is_dir():
        return f"{value!r} is not a folder: make it with `allianceprint styles export {value}`"
    return folder_problem(target)


_A_FOLDER = (
    "a house style is a folder holding print/ or epub/; give that folder "
    "(`allianceprint styles export NEW-FOLDER` makes one)"
)


def folder_problem(folder: Path) -> str | None:
    """What is wrong with `folder` as a house style, or None."""
    if folder.is_file():  # the house style's print.css given for its folder, say
        return f"{folder} is a file: {_A_FOLDER}"
    if not folder.is_dir():
        return f"{folder} is not a folder: make one with `allianceprint styles export {folder}`"
    if not any((folder / edition).is_dir() for edition in EDITIONS):
        return (
            f"{folder} holds neither print/ nor epub/: a house style keeps the files it "
            "changes in those folders (see `allianceprint styles export`)"
        )
    return None


def export(target: Path) -> list[Path]:
    """Write the built-in style into `target` (a new or empty folder): a house style to
    start from. Returns the files written."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ManuscriptError(f"{target} is not empty: export the style into a new folder")
    source = builtin_folder()
    written = []
    for path in _style_files(source):
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)
        written.append(destination)
    return written


def _shown(manuscript: Path, path: Path) -> Path:
    """How a style file is named in messages: from the manuscript folder's name when it lies
    inside it (as every manuscript file is), else in full."""
    try:
        return shown_path(manuscript, path.resolve().relative_to(manuscript.resolve()))
    except ValueError:
        return path


def _style_files(folder: Path) -> list[Path]:
    """The files of a style folder (hidden ones and Python's package files aside)."""
    found = []
    for edition in EDITIONS:
        base = folder / edition
        if base.is_dir():
            found.extend(
                p
                for p in sorted(base.rglob("*"))
                if p.is_file()
                and not any(
                    part.startswith(".") or part in _NOT_STYLE
                    for part in p.relative_to(folder).parts
                )
            )
    return found


@functools.lru_cache(maxsize=8)
def _environment(search_path: tuple[Path, ...]) -> jinja2.Environment:
    """The templates on `search_path`, compiled once per process (a book laid out in pieces
    fills the print template once for each piece)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in search_path]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        auto_reload=False,
    )


def _located(
    exc: jinja2.TemplateError, search_path: tuple[Path, ...], template: str
) -> tuple[str, Path, int | None]:
    """(message, file, line) for a template that failed to compile or to fill."""
    name = getattr(exc, "filename", None) or getattr(exc, "name", None)
    line = getattr(exc, "lineno", None)
    if name is None or line is None:  # a failure while filling: the template frames say where
        tb = exc.__traceback__
        while tb is not None:
            frame_file = tb.tb_frame.f_code.co_filename
            if frame_file.endswith(TEMPLATE_SUFFIX):
                name, line = frame_file, tb.tb_lineno
            tb = tb.tb_next
    path = Path(name) if name else search_path[0] / template
    if not path.is_absolute():
        path = next(
            (folder / path for folder in search_path if (folder / path).is_file()),
            search_path[0] / path,
        )
    kind = "does not compile" if isinstance(exc, jinja2.TemplateSyntaxError) else "failed"
    detail = getattr(exc, "message", None) or str(exc)
    return (
        f"the template {kind}: {detail}; fix it or delete it to use the built-in one",
        path,
        line,
    )
