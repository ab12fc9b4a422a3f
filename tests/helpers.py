"""Helpers that make a one-line test case easy: a small manuscript in a temporary folder."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from allianceprint.cli import main

DEFAULT_TOML = """\
[book]
title = "A Small Book"
language = "en"
editors = ["ed"]

[contributors.ed]
name = "Eda Editor"
affiliation = "Institute of Examples"
bio = "Eda edits examples."

[contributors.au]
name = "Aru Author"
affiliation = "University of Tests"
bio = "Aru writes chapters."

[contents]
chapters = ["one.md"]
"""

DEFAULT_CHAPTER = """\
---
title: Chapter One
authors: [au]
---

Some text with a note.[^1]

[^1]: The note.
"""


def make_manuscript(
    root: Path, files: dict[str, str] | None = None, toml: str | None = None
) -> Path:
    """Write a manuscript: `book.toml` (default DEFAULT_TOML) plus `files` (path -> text).

    Without `files`, the manuscript has one chapter, `one.md` (DEFAULT_CHAPTER).
    Texts are dedented, so they can be written indented in the test.
    """
    root.mkdir(parents=True, exist_ok=True)
    (root / "book.toml").write_text(
        textwrap.dedent(toml if toml is not None else DEFAULT_TOML), encoding="utf-8"
    )
    for name, text in (files if files is not None else {"one.md": DEFAULT_CHAPTER}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


#: A progress line of a build whose stderr is not a terminal (see allianceprint.progress).
PROGRESS_RE = re.compile(r"[A-Za-z ]+: (started.*|done.*|(failed|stopped) (at|after) .*|\d+/\d+.*)")


def finding_lines(stderr: str) -> list[str]:
    """The lines of stderr that are not progress lines."""
    return [line for line in stderr.splitlines() if not PROGRESS_RE.fullmatch(line)]


def run_cli(*args: str | Path) -> tuple[int, str, str]:
    """Run the command line in-process; return (exit status, stdout, stderr)."""
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main([str(a) for a in args])
    return status, out.getvalue(), err.getvalue()


def source_digest(name: str) -> str:
    """The first 16 hex digits of the SHA-256 of a function's source, named by its dotted
    path ("package.module.function" or "package.module.Class.method"): what the tests of
    the modules that rely on WeasyPrint's private API record, to notice an upgrade."""
    import hashlib
    import importlib
    import inspect

    module, _, attribute = name.rpartition(".")
    try:
        owner = importlib.import_module(module)
    except ImportError:  # a method: its class's module, then the class
        owner_module, _, owner_name = module.rpartition(".")
        owner = getattr(importlib.import_module(owner_module), owner_name)
    source = inspect.getsource(getattr(owner, attribute)).encode()
    return hashlib.sha256(source).hexdigest()[:16]
