"""The `allianceprint` command: `build`, `check`, `watch`, `new`, `import`, `changes` (two
PDFs compared: changesout.run; exit status 0, 1 or 2 as `diff`'s), `styles export` and
`doctor`.

Every finding is printed as one `path:line:column: error|warning: message` line on stderr,
grouped by file and in order within it (`check --format json` prints them to stdout as a
JSON list instead), followed by a count on stdout. Any error gives exit status 1, and so
does any warning with `--strict`; `build` then writes nothing. An interrupted build (Ctrl-C,
SIGTERM) exits with 130 or 143 and leaves the previous outputs as they were. `watch` builds,
then rebuilds on every burst of saves, reporting a mistake like `build` and going on; Ctrl-C
stops it with exit status 0. Anything else that goes wrong is a bug and keeps its traceback.
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

from allianceprint.build import FORMATS, build, checked_book, warm_up
from allianceprint.errors import Diagnostic, Diagnostics, ManuscriptError
from allianceprint.progress import for_stream
from allianceprint.watch import DEBOUNCE_MS, BuildOutcome, watch


class _Terminated(BaseException):
    """SIGTERM arrived: unwinds like Ctrl-C, so that temporary files are removed."""

    # Set when SIGTERM arrives: watchfiles turns an exception raised by a signal handler
    # into KeyboardInterrupt, and `watch` tells the two apart by this.
    received = threading.Event()


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.version:
        from allianceprint.doctor import version_text

        print(version_text())
        return 0
    if args.command is None:
        parser.error("give a command: build, check, watch, new, import, changes, styles or doctor")
    if args.command == "import":  # Word files in: its own stage (allianceprint.importer)
        from allianceprint.importer import ImportOptions, run_import

        return run_import(
            args.files,
            ImportOptions(args.into, args.section, args.name, args.track_changes, args.force),
        )
    if args.command == "changes":  # compares two PDFs: no manuscript, no build
        from allianceprint.changesout import run_from_args

        return run_from_args(args)
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(levelname)s: %(message)s")
    diagnostics = Diagnostics()
    as_json = args.command == "check" and args.report == "json"
    restore = _on_sigterm_unwind()
    try:
        if args.command == "build":
            result = build(
                args.manuscript,
                _output(args),
                _formats(args),
                diagnostics,
                print_ready=args.print_ready,
                strict=args.strict,
                single_document=args.single_document,
                progress=for_stream(sys.stderr),
                styles=args.styles,
                keep_pages=args.keep_pages,
            )
            _report(_findings(diagnostics, None, args.strict), as_json)
            for item in result.outputs:
                pages = f", {item.pages} pages" if item.pages is not None else ""
                size = f"({_size(item.size)}{pages})"
                print(
                    f"{item.path} is up to date {size}"
                    if result.up_to_date
                    else f"wrote {item.path} {size}"
                )
        elif args.command == "watch":
            return _watch(args)
        elif args.command == "new":
            return _new(args)
        elif args.command == "styles":
            return _export_styles(args)
        elif args.command == "doctor":
            return _doctor()
        else:
            from allianceprint.fonts import check_book_fonts

            if args.original is not None:
                from allianceprint.translation import check_translation

                rendered = check_translation(
                    args.manuscript, args.original, diagnostics, args.strict
                )
            else:
                rendered = checked_book(
                    args.manuscript, diagnostics, strict=args.strict, styles=args.styles
                )
            check_book_fonts(rendered, diagnostics, args.strict)
            _report(_findings(diagnostics, None, args.strict), as_json)
            if not as_json:
                print(
                    f"{args.manuscript}: no errors, {_counted(len(diagnostics.warnings), 'warning')}"
                )
    except ManuscriptError as exc:
        _failed(args, diagnostics, exc, as_json)
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


def _watch(args: argparse.Namespace) -> int:
    """`watch`: build, then rebuild on every burst of saves, until Ctrl-C (exit status 0).
    A mistake in the manuscript is reported as `build` reports it, and the watching goes on."""
    output, formats = _output(args), _formats(args)
    latest = Diagnostics()  # the findings of the latest build, for `failed`

    def build_once() -> BuildOutcome:
        nonlocal latest
        latest = Diagnostics()
        result = build(
            args.manuscript,
            output,
            formats,
            latest,
            print_ready=args.print_ready,
            strict=args.strict,
            single_document=args.single_document,
            progress=for_stream(sys.stderr, keep=False),
            styles=args.styles,
        )
        _report(_findings(latest, None, args.strict), False)
        return result

    def failed(exc: ManuscriptError) -> None:
        _failed(args, latest, exc, False)
        sys.stdout.flush()

    try:
        from allianceprint.housestyle import builtin_folder

        styles = args.styles if args.styles is not None else builtin_folder()
        watch(
            args.manuscript,
            build_once,
            output=output,
            styles=styles,
            debounce_ms=args.debounce,
            on_error=failed,
            warm=lambda: warm_up(formats, args.single_document),
        )
    except KeyboardInterrupt:  # the way to stop watching: not a failure
        if _Terminated.received.is_set():
            raise _Terminated() from None  # SIGTERM, seen by watchfiles: exit status 143
        # On a terminal, over the `^C` it echoed.
        print(("\r" if sys.stderr.isatty() else "") + "stopped watching", file=sys.stderr)
    return 0


def _new(args: argparse.Namespace) -> int:
    """`new`: a manuscript that builds as it is."""
    from allianceprint.scaffold import new_manuscript

    written = new_manuscript(args.folder, args.title, args.language, tuple(args.editors or ()))
    print(
        f"wrote a new manuscript in {args.folder} ({len(written)} files); build it with: "
        f"allianceprint build {args.folder}"
    )
    return 0


def _export_styles(args: argparse.Namespace) -> int:
    """`styles export DIR`: the built-in house style, to start one's own from."""
    from allianceprint.housestyle import export

    written = export(args.folder)
    print(
        f"wrote the built-in style to {args.folder} ({len(written)} files); use it with "
        f'[style] folder = "..." in book.toml, or --styles {args.folder}'
    )
    return 0


def _doctor() -> int:
    """`doctor`: what this machine has and lacks; exit 1 when something required is missing."""
    from allianceprint.doctor import examine, version_text

    print(version_text())
    findings = examine()
    for finding in findings:
        print(finding)
    missing = [f for f in findings if f.found is None and f.required]
    print(
        "everything allianceprint needs is here"
        if not missing
        else f"{len(missing)} missing: install them as shown"
    )
    return 1 if missing else 0


def _failed(
    args: argparse.Namespace, diagnostics: Diagnostics, exc: ManuscriptError, as_json: bool
) -> None:
    """Report a failed build or check: every finding, then (as text) a count on stdout."""
    findings = _findings(diagnostics, exc, getattr(args, "strict", False))
    _report(findings, as_json)
    if not as_json:
        errors = sum(1 for f in findings if f.severity == "error")
        nothing = (
            "; nothing was written" if args.command in ("build", "watch", "new", "styles") else ""
        )
        subject = getattr(args, "manuscript", None) or getattr(args, "folder", "")
        warnings = len(findings) - errors
        print(f"{subject}: {_counted(errors, 'error')}, {_counted(warnings, 'warning')}{nothing}")


def _counted(count: int, noun: str) -> str:
    """`1 error`, `2 errors`, `0 warnings`."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _formats(args: argparse.Namespace) -> tuple[str, ...]:
    return FORMATS if args.format == "all" else (args.format,)


def _output(args: argparse.Namespace) -> Path:
    return args.output if args.output is not None else args.manuscript / "build"


def _on_sigterm_unwind() -> Callable[[], None]:
    """Make SIGTERM unwind the stack like Ctrl-C, until the function returned is called
    (outside the main thread, where handlers cannot be set, nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def terminate(signum: int, frame: FrameType | None) -> None:
        _Terminated.received.set()
        raise _Terminated()

    _Terminated.received.clear()

    previous = signal.signal(signal.SIGTERM, terminate)
    # None: the handler was not set from Python; the default is the closest to it.
    return lambda: signal.signal(
        signal.SIGTERM, previous if previous is not None else signal.SIG_DFL
    )


def _findings(
    diagnostics: Diagnostics, raised: ManuscriptError | None, strict: bool
) -> list[Diagnostic]:
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
    return sorted(
        found.values(),
        key=lambda d: (files[d.location.path], d.location.line or 0, d.location.column or 0),
    )


def _report(findings: list[Diagnostic], as_json: bool) -> None:
    if as_json:
        print(json.dumps([d.as_json() for d in findings], ensure_ascii=False, indent=2))
        return
    for finding in findings:
        print(finding, file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="allianceprint",
        description="Build an edited volume from Markdown into a print PDF and an EPUB 3.",
    )
    parser.add_argument(
        "--version",
        action="store_true",
        help="print the versions of allianceprint, WeasyPrint and Pango",
    )
    commands = parser.add_subparsers(dest="command")
    styled = argparse.ArgumentParser(add_help=False)  # the options of build, watch and check
    styled.add_argument(
        "--styles",
        type=Path,
        default=None,
        metavar="DIR",
        help="a house style folder, over the built-in style (wins over book.toml's [style] folder)",
    )
    building = argparse.ArgumentParser(add_help=False)  # the options of build and watch
    building.add_argument(
        "manuscript",
        nargs="?",
        type=Path,
        default=Path("."),
        help="the manuscript folder (default: the current folder)",
    )
    building.add_argument(
        "--format",
        choices=("pdf", "epub", "all"),
        default="all",
        help="what to build (default: all)",
    )
    building.add_argument(
        "--output",
        type=Path,
        default=None,
        help="where to write (default: build/ in the manuscript folder)",
    )
    building.add_argument(
        "--print-ready",
        action="store_true",
        help="also write the printer's PDF, with bleed and crop marks",
    )
    building.add_argument("--strict", action="store_true", help="refuse to build on warnings too")
    building.add_argument(
        "--single-document",
        action="store_true",
        help="lay the PDF out as one document, not in cached pieces in "
        "parallel (slower; the reference the pieces are tested against)",
    )
    build_cmd = commands.add_parser(
        "build", parents=[building, styled], help="build the PDF and/or the EPUB"
    )
    reflow = build_cmd.add_mutually_exclusive_group()
    reflow.add_argument(
        "--keep-pages",
        dest="keep_pages",
        action="store_true",
        default=None,
        help="fail when a correction moves page breaks beyond its page, "
        "against the last build's PDF (default when [book] printing > 1)",
    )
    reflow.add_argument(
        "--allow-reflow",
        dest="keep_pages",
        action="store_false",
        help="accept corrections that reflow later pages",
    )
    watch_cmd = commands.add_parser(
        "watch",
        parents=[building, styled],
        help="build, then rebuild whenever a file of the manuscript or the styles is saved",
    )
    watch_cmd.add_argument(
        "--debounce",
        type=_milliseconds,
        default=DEBOUNCE_MS,
        metavar="MS",
        help=f"rebuild once no file has changed for MS milliseconds (default: {DEBOUNCE_MS})",
    )
    check_cmd = commands.add_parser(
        "check", parents=[styled], help="check the manuscript without building"
    )
    check_cmd.add_argument(
        "manuscript",
        nargs="?",
        type=Path,
        default=Path("."),
        help="the manuscript folder (default: the current folder)",
    )
    check_cmd.add_argument(
        "--strict", action="store_true", help="count warnings as errors (exit status 1)"
    )
    check_cmd.add_argument(
        "--format",
        dest="report",
        choices=("text", "json"),
        default="text",
        help="text lines on stderr (default), or a JSON list on stdout",
    )
    check_cmd.add_argument(
        "--original",
        type=Path,
        default=None,
        metavar="ORIG_DIR",
        help="compare this translation with its original's manuscript, "
        "part by part (see translation.py)",
    )
    new_cmd = commands.add_parser("new", help="start a new manuscript that builds at once")
    new_cmd.add_argument("folder", type=Path, help="a new or empty folder")
    new_cmd.add_argument("--title", required=True, help="the book's title")
    new_cmd.add_argument(
        "--language",
        default="en",
        help="BCP 47 language tag, e.g. en, en-GB, zh-Hans, ja (default: en)",
    )
    new_cmd.add_argument(
        "--editors",
        nargs="+",
        metavar="NAME",
        help='the editors\' names, e.g. --editors "Ada Lane" "Bo Chen"',
    )
    styles_cmd = commands.add_parser("styles", help="house styles: styles export DIR")
    styles_actions = styles_cmd.add_subparsers(dest="action", required=True)
    export_cmd = styles_actions.add_parser(
        "export", help="write the built-in style into DIR, to start a house style from"
    )
    export_cmd.add_argument("folder", type=Path, help="a new or empty folder")
    commands.add_parser("doctor", help="list what allianceprint needs and what is missing")
    import_cmd = commands.add_parser("import", help="import Word files (.docx) as parts")
    import_cmd.add_argument("files", nargs="+", type=Path, metavar="FILE.docx")
    import_cmd.add_argument(
        "--into",
        type=Path,
        default=Path("."),
        metavar="MANUSCRIPT_DIR",
        help="the manuscript folder (default: the current folder)",
    )
    import_cmd.add_argument(
        "--section",
        choices=("front", "chapters", "back"),
        default="chapters",
        help="where in [contents] (default: chapters)",
    )
    import_cmd.add_argument(
        "--name", help="the part's file name, without .md (default: from its title)"
    )
    import_cmd.add_argument(
        "--track-changes",
        choices=("accept", "reject"),
        default="accept",
        help="accept or reject Word's tracked changes (default: accept)",
    )
    import_cmd.add_argument(
        "--force",
        action="store_true",
        help="replace a part that exists (it keeps its place and front matter)",
    )
    changes_cmd = commands.add_parser(
        "changes", help="compare two printings' PDFs: which printed pages changed"
    )
    changes_cmd.add_argument("old", type=Path, help="the PDF of the earlier printing")
    changes_cmd.add_argument("new", type=Path, help="the PDF of the corrected printing")
    changes_cmd.add_argument(
        "--format",
        dest="report",
        choices=("text", "json"),
        default="text",
        help="a table (default) or JSON on stdout",
    )
    changes_cmd.add_argument(
        "--pdf",
        type=Path,
        metavar="FILE",
        help="write NEW's changed pages beside OLD's, lines highlighted",
    )
    changes_cmd.add_argument(
        "--replacement-pages",
        type=Path,
        metavar="FILE",
        help="write NEW's changed pages alone, for the printer",
    )
    changes_cmd.add_argument(
        "--history", action="store_true", help="print a [[history]] entry for book.toml instead"
    )
    changes_cmd.add_argument(
        "--signature",
        type=int,
        action="append",
        metavar="PAGES",
        help="pages per signature to check (default: 16 and 32)",
    )
    return parser


def _milliseconds(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 60_000:
        raise argparse.ArgumentTypeError(f"{text}: give a number of milliseconds, 1 to 60000")
    return value


def _size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{size / 1000:.0f} kB"
