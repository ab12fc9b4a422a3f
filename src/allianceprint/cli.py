"""The `allianceprint` command: `build` and `check`.

Every finding is printed as one `path:line:column: error|warning: message` line on stderr,
grouped by file and in order within it (`check --format json` prints them to stdout as a
JSON list instead), followed by a count on stdout. Any error gives exit status 1, and so
does any warning with `--strict`; `build` then writes nothing. An interrupted build (Ctrl-C,
SIGTERM) exits with 130 or 143 and leaves the previous outputs as they were. Anything else
that goes wrong is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from dataclasses import replace
from pathlib import Path
from types import FrameType
from typing import Callable

from allianceprint import __version__
from allianceprint.build import FORMATS, build, check
from allianceprint.errors import Diagnostic, Diagnostics, ManuscriptError


class _Terminated(BaseException):
    """SIGTERM arrived: unwinds like Ctrl-C, so that temporary files are removed."""


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(levelname)s: %(message)s")
    diagnostics = Diagnostics()
    as_json = args.command == "check" and args.report == "json"
    restore = _on_sigterm_unwind()
    try:
        if args.command == "build":
            formats = FORMATS if args.format == "all" else (args.format,)
            output = args.output if args.output is not None else args.manuscript / "build"
            written = build(args.manuscript, output, formats, diagnostics,
                            print_ready=args.print_ready, strict=args.strict)
            _report(_findings(diagnostics, None, args.strict), as_json)
            for item in written:
                pages = f", {item.pages} pages" if item.pages is not None else ""
                print(f"wrote {item.path} ({_size(item.size)}{pages})")
        else:
            check(args.manuscript, diagnostics, strict=args.strict)
            _report(_findings(diagnostics, None, args.strict), as_json)
            if not as_json:
                print(f"{args.manuscript}: no errors, {len(diagnostics.warnings)} warnings")
    except ManuscriptError as exc:
        findings = _findings(diagnostics, exc, args.strict)
        _report(findings, as_json)
        if not as_json:
            errors = sum(1 for f in findings if f.severity == "error")
            nothing = "; nothing was written" if args.command == "build" else ""
            print(f"{args.manuscript}: {errors} errors, {len(findings) - errors} "
                  f"warnings{nothing}")
        return 1
    except KeyboardInterrupt:
        print("interrupted; the previous outputs are unchanged", file=sys.stderr)
        return 130
    except _Terminated:
        print("terminated; the previous outputs are unchanged", file=sys.stderr)
        return 143
    finally:
        restore()
    return 0


def _on_sigterm_unwind() -> Callable[[], None]:
    """Make SIGTERM unwind the stack like Ctrl-C, until the function returned is called
    (outside the main thread, where handlers cannot be set, nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def terminate(signum: int, frame: FrameType | None) -> None:
        raise _Terminated()

    previous = signal.signal(signal.SIGTERM, terminate)
    # None: the handler was not set from Python; the default is the closest to it.
    return lambda: signal.signal(signal.SIGTERM, previous if previous is not None
                                 else signal.SIG_DFL)


def _findings(diagnostics: Diagnostics, raised: ManuscriptError | None,
              strict: bool) -> list[Diagnostic]:
    """Every finding once, grouped by file (in the order the files were first reported) and
    in order of line and column within each; with `strict`, warnings become errors."""
    if raised is not None:
        diagnostics.add(raised)  # book.toml's errors are raised before anything is collected
    found: dict[tuple[str, object], Diagnostic] = {}
    for item in diagnostics:
        if strict:
            item = replace(item, severity="error")
        found.setdefault((item.message, item.location), item)
    files: dict[object, int] = {}
    for item in found.values():
        files.setdefault(item.location.path, len(files))
    return sorted(found.values(), key=lambda d: (files[d.location.path], d.location.line or 0,
                                                 d.location.column or 0))


def _report(findings: list[Diagnostic], as_json: bool) -> None:
    if as_json:
        print(json.dumps([{"path": str(d.location.path) if d.location.path else None,
                           "line": d.location.line, "column": d.location.column,
                           "severity": d.severity, "message": d.message}
                          for d in findings], ensure_ascii=False, indent=2))
        return
    for finding in findings:
        print(finding, file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="allianceprint",
        description="Build an edited volume from Markdown into a print PDF and an EPUB 3.")
    parser.add_argument("--version", action="version", version=f"allianceprint {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    build_cmd = commands.add_parser("build", help="build the PDF and/or the EPUB")
    build_cmd.add_argument("manuscript", nargs="?", type=Path, default=Path("."),
                           help="the manuscript folder (default: the current folder)")
    build_cmd.add_argument("--format", choices=("pdf", "epub", "all"), default="all",
                           help="what to build (default: all)")
    build_cmd.add_argument("--output", type=Path, default=None,
                           help="where to write (default: build/ in the manuscript folder)")
    build_cmd.add_argument("--print-ready", action="store_true",
                           help="also write the printer's PDF, with bleed and crop marks")
    build_cmd.add_argument("--strict", action="store_true",
                           help="refuse to build on warnings too")
    check_cmd = commands.add_parser("check", help="check the manuscript without building")
    check_cmd.add_argument("manuscript", nargs="?", type=Path, default=Path("."),
                           help="the manuscript folder (default: the current folder)")
    check_cmd.add_argument("--strict", action="store_true",
                           help="count warnings as errors (exit status 1)")
    check_cmd.add_argument("--format", dest="report", choices=("text", "json"),
                           default="text",
                           help="text lines on stderr (default), or a JSON list on stdout")
    return parser


def _size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{size / 1000:.0f} kB"
