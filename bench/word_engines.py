"""Which engine should read contributors' Word files? Pandoc (pypandoc-binary), Mammoth and
allianceprint's own OOXML reader (lxml), measured on the same .docx files.

    .venv/bin/pip install -e '.[bench,test]'
    .venv/bin/python bench/word_engines.py                  # the fixtures and tests/data/
    .venv/bin/python bench/word_engines.py copy.docx ...    # also other copies of the chapter

For each file it knows the notes of (the fixtures of tests/docxfixtures.py, and the
LibreOffice-written files in tests/data/, whose notes are the fixture's), it counts, per
engine: notes carried exactly once (a note's unique phrase found once in the output), lost
(not found) and read twice; whether footnotes and endnotes are told apart; whether the
comment survives; whether tracked changes are accepted correctly (the inserted phrase in,
the deleted one out) and can be rejected; and the median time of three runs. Prints a
Markdown table (docs/word-import.md has the latest one).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from docxfixtures import CHAPTER_NOTES, chapter, essays  # noqa: E402

COMMENT = "Please cite the harbour survey"


def chapter_phrases() -> list[str]:
    """A phrase from each of the chapter's notes that appears nowhere else."""
    return [
        "Northwind Press",
        "annual data",
        "which are kept in two",
        "holds the box",
        "inside the text box",
        "carries the argument further",
        "A note with a table",
        "in a table cell",
        "on the heading",
        "The last endnote",
    ]


def run_pandoc(path: Path, timed: bool = False) -> dict:
    import pypandoc

    accepted = pypandoc.convert_file(
        str(path), "markdown", extra_args=["--track-changes=accept", "--wrap=none"]
    )
    if timed:
        return {}
    everything = pypandoc.convert_file(
        str(path), "markdown", extra_args=["--track-changes=all", "--wrap=none"]
    )
    rejected = pypandoc.convert_file(
        str(path), "markdown", extra_args=["--track-changes=reject", "--wrap=none"]
    )
    return {
        "text": accepted,
        "kinds_apart": False,
        "comment": COMMENT in everything,
        "rejected": rejected,
    }


def run_mammoth(path: Path, timed: bool = False) -> dict:
    import mammoth

    with path.open("rb") as stream:
        result = mammoth.convert_to_html(stream)
    html = result.value
    return {
        "text": html,
        "kinds_apart": 'id="footnote-' in html and 'id="endnote-' in html,
        "comment": COMMENT in html,
        "rejected": None,
    }


def run_ours(path: Path, timed: bool = False) -> dict:
    from allianceprint.importer.markdown import write_markdown
    from allianceprint.importer.package import open_docx
    from allianceprint.importer.reader import read_document

    package = open_docx(path)
    document = read_document(package, "accept")
    part = write_markdown(document, "x", "../images/x")
    if timed:
        return {}
    kinds = {kind for kind, _ in document.notes}
    rejected = write_markdown(read_document(open_docx(path), "reject"), "x", "x").body
    return {
        "text": part.body,
        "kinds_apart": len(kinds) == 2 or None,
        "comment": COMMENT in part.body,
        "rejected": rejected,
    }


ENGINES = {
    "Pandoc 3 (pypandoc-binary)": run_pandoc,
    "Mammoth": run_mammoth,
    "allianceprint (lxml)": run_ours,
}


def measure(path: Path, phrases: list[str], has_changes: bool) -> list[dict]:
    rows = []
    for engine, run in ENGINES.items():
        times = []
        for _ in range(3):  # the conversion alone (accepting changes), three times
            start = time.perf_counter()
            run(path, timed=True)
            times.append(time.perf_counter() - start)
        result = run(path)
        text = re.sub(r"\s+", " ", result["text"])
        counts = [text.count(phrase) for phrase in phrases]
        row = {
            "file": path.name,
            "engine": engine,
            "notes": len(phrases),
            "carried": sum(1 for c in counts if c == 1),
            "lost": sum(1 for c in counts if c == 0),
            "twice": sum(1 for c in counts if c > 1),
            "kinds": result["kinds_apart"],
            "comment": result["comment"],
            "seconds": statistics.median(times),
        }
        if has_changes:
            row["accept"] = "an inserted phrase" in text and "a deleted phrase" not in text
            rejected = result["rejected"]
            row["reject"] = (
                rejected is not None
                and "a deleted phrase" in rejected
                and "an inserted phrase" not in rejected
            )
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "files",
        nargs="*",
        type=Path,
        help="LibreOffice/Word copies of the chapter fixture (same notes)",
    )
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        chapter_file = chapter().save(Path(folder) / "chapter.docx")
        essay_file, essay_phrases = essays()
        essay_path = essay_file.save(Path(folder) / "essays.docx")
        rows += measure(chapter_file, chapter_phrases(), True)
        rows += measure(essay_path, essay_phrases, False)
        data = HERE.parent / "tests" / "data"  # saved by LibreOffice: no note in a text box
        rows += measure(
            data / "libreoffice-chapter.docx",
            [ph for ph in chapter_phrases() if "text box" not in ph],
            True,
        )
        rows += measure(data / "libreoffice-essays.docx", essays(box_notes=False)[1], False)
        for path in args.files:
            rows += measure(path, chapter_phrases(), True)
    assert len(chapter_phrases()) == len(CHAPTER_NOTES)
    yes = {True: "yes", False: "no", None: "n/a"}
    print(
        "| file | engine | notes carried once | lost | read twice | note kinds apart | "
        "comment kept | changes accepted | changes rejected | time |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        print(
            f"| {row['file']} | {row['engine']} | {row['carried']}/{row['notes']} | "
            f"{row['lost']} | {row['twice']} | {yes[row['kinds']]} | {yes[row['comment']]} | "
            f"{yes[row.get('accept')]} | {yes[row.get('reject')]} | "
            f"{row['seconds'] * 1000:.0f} ms |"
        )


if __name__ == "__main__":
    main()
