"""Errors and diagnostics.

A user's mistake in a manuscript is a `ManuscriptError` (or one of its subclasses): it carries
the file, line and column it was found at (as far as they are known) and says what to fix,
and the command line prints it as one line with exit status 1. Anything else that escapes is a bug in allianceprint and keeps its
traceback.

Stages that can find several mistakes in one pass collect them as `Diagnostic`s in a
`Diagnostics` list and raise `ManuscriptErrors` once they are done, so that an editor sees all
of them together.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterator, Literal

Severity = Literal["error", "warning"]


def shown_path(root: Path, relative: str | Path) -> Path:
    """How a manuscript file is named in messages: from the manuscript folder's own name,
    e.g. `manuscript/chapters/one.md`, whatever folder the command was run from."""
    return Path(root.resolve().name) / relative


@dataclass(frozen=True)
class Location:
    """Where in the manuscript something was found (line and column count from 1)."""

    path: Path | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.path is None:
            return "<book>"
        text = str(self.path)
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text


class ManuscriptError(Exception):
    """A mistake in the manuscript that the editor must fix. Printed as one line."""

    def __init__(
        self,
        message: str,
        path: Path | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.location = Location(path, line, column)

    def __str__(self) -> str:
        return f"{self.location}: error: {self.message}"

    def __reduce__(self):  # whole, with its location, out of a worker process
        return (
            type(self),
            (self.message, self.location.path, self.location.line, self.location.column),
        )


class ConfigError(ManuscriptError):
    """`book.toml` cannot be read or does not follow the schema."""


class FrontMatterError(ManuscriptError):
    """A part's YAML front matter cannot be read or has a wrong key or value."""


class NoteError(ManuscriptError):
    """A note reference without a note, a label defined twice, an empty note."""


class AssetError(ManuscriptError):
    """An image or linked file that is missing or lies outside the manuscript folder."""


@dataclass(frozen=True)
class Diagnostic:
    """One finding of a check: an error stops the build, a warning does not."""

    severity: Severity
    message: str
    location: Location = field(default_factory=Location)

    def __str__(self) -> str:
        return f"{self.location}: {self.severity}: {self.message}"

    def as_json(self) -> dict:
        """As `check --format json` prints it, and as the build's caches keep it."""
        return {
            "path": str(self.location.path) if self.location.path else None,
            "line": self.location.line,
            "column": self.location.column,
            "severity": self.severity,
            "message": self.message,
        }

    @classmethod
    def from_json(cls, data: dict) -> Diagnostic:
        return cls(
            data["severity"],
            data["message"],
            Location(Path(data["path"]) if data["path"] else None, data["line"], data["column"]),
        )


class ManuscriptErrors(ManuscriptError):
    """Several mistakes found together; `str()` gives one line per mistake."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        first = diagnostics[0]
        super().__init__(
            first.message, first.location.path, first.location.line, first.location.column
        )
        self.diagnostics = diagnostics

    def __str__(self) -> str:
        return "\n".join(str(d) for d in self.diagnostics)

    def __reduce__(self):
        return (type(self), (self.diagnostics,))


class Diagnostics:
    """An ordered collection of findings, shared by the stages of one run. A finding made
    twice (the same text checked on two paths) is kept once."""

    def __init__(self) -> None:
        self._items: list[Diagnostic] = []
        self._seen: set[Diagnostic] = set()

    def _append(self, diagnostic: Diagnostic) -> None:
        if diagnostic not in self._seen:
            self._seen.add(diagnostic)
            self._items.append(diagnostic)

    def error(
        self,
        message: str,
        path: Path | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self._append(Diagnostic("error", message, Location(path, line, column)))

    def warning(
        self,
        message: str,
        path: Path | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self._append(Diagnostic("warning", message, Location(path, line, column)))

    def record(self, diagnostic: Diagnostic) -> None:
        """Add a finding made earlier (kept in a cache, given again)."""
        self._append(diagnostic)

    def add(self, exc: ManuscriptError) -> None:
        """Add a raised mistake: each of a ManuscriptErrors' findings, else the one error."""
        for diagnostic in getattr(exc, "diagnostics", None) or [
            Diagnostic("error", exc.message, exc.location)
        ]:
            self._append(diagnostic)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self._items)

    def sort(self, key: Callable[[Diagnostic], Any]) -> None:
        """Put the findings in the order of `key` (stable: equal keys keep their order)."""
        self._items.sort(key=key)

    def __len__(self) -> int:
        return len(self._items)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self._items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self._items if d.severity == "warning"]

    def raise_if_errors(self, strict: bool = False) -> None:
        """Raise ManuscriptErrors with every error; with `strict`, warnings count as errors."""
        found = [replace(d, severity="error") for d in self._items] if strict else self.errors
        if found:
            raise ManuscriptErrors(found)
