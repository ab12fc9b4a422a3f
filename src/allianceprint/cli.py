"""The `allianceprint` command: `build` and `check`.

A mistake in the manuscript is printed as `path:line: error: message` lines with exit
status 1; warnings are printed the same way and do not change the exit status. Anything
else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from allianceprint import __version__
from allianceprint.build import FORMATS, build, check
from allianceprint.errors import Diagnostics, ManuscriptError


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(levelname)s: %(message)s")
    diagnostics = Diagnostics()
    try:
        if args.command == "build":
            formats = FORMATS if args.format == "all" else (args.format,)
            output = args.output if args.output is not None else args.manuscript / "build"
            written = build(args.manuscript, output, formats, diagnostics)
            _print_warnings(diagnostics)
            for item in written:
                pages = f", {item.pages} pages" if item.pages is not None else ""
                print(f"wrote {item.path} ({_size(item.size)}{pages})")
        else:
            check(args.manuscript, diagnostics)
            _print_warnings(diagnostics)
            print(f"{args.manuscript}: no errors, {len(diagnostics.warnings)} warnings")
    except ManuscriptError as exc:
        _print_warnings(diagnostics)
        print(exc, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; the previous outputs are unchanged", file=sys.stderr)
        return 130
    return 0


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
    check_cmd = commands.add_parser("check", help="check the manuscript without building")
    check_cmd.add_argument("manuscript", nargs="?", type=Path, default=Path("."),
                           help="the manuscript folder (default: the current folder)")
    return parser


def _print_warnings(diagnostics: Diagnostics) -> None:
    for warning in diagnostics.warnings:
        print(warning, file=sys.stderr)


def _size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{size / 1000:.0f} kB"
