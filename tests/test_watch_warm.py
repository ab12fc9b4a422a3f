"""`watch` stays up between builds: what it keeps must never be stale, and what it must not
keep (WeasyPrint's leftovers of each layout) it does not.

On one core the process lays pieces out itself and keeps print.css parsed from one build to
the next (writers/pieces/layout); with more, even a single piece goes to a forked worker.
It imports what a rebuild needs once, after the first build (`build.warm_up`). These tests
build for real, twice in one process, with `_cores` set to the case they test.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pdfplumber
import pytest
from helpers import DEFAULT_TOML, make_manuscript
from pdfutil import Pdf

import allianceprint.writers.pieces.pool
from allianceprint.build import build
from allianceprint.errors import Diagnostics
from allianceprint.housestyle import builtin_folder
from allianceprint.watch import watch

CHAPTER = "---\ntitle: Chapter One\nauthors: [au]\n---\n\nA plain sentence of body text.\n"


def text_colours(pdf: Path, word: str) -> set[tuple[float, ...]]:
    """The fill colours of the characters of the lines that hold `word`."""
    colours = set()
    with pdfplumber.open(pdf) as document:
        for page in document.pages:
            for line in page.extract_text_lines(return_chars=True):
                if word in line["text"]:
                    colours.update(
                        tuple(char["non_stroking_color"] or ())
                        for char in line["chars"]
                        if not char["text"].isspace()
                    )
    return colours


def test_a_change_in_a_stylesheet_that_print_css_imports_reaches_the_next_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """print.css @imports other files (the built-in one cjk.css): a change in one of them
    must not be hidden by the print.css the process parsed for the last build."""
    monkeypatch.setattr(allianceprint.writers.pieces.pool, "_cores", lambda: 1)
    book = make_manuscript(tmp_path / "book", {"one.md": CHAPTER}, DEFAULT_TOML)
    house = tmp_path / "house" / "print"
    house.mkdir(parents=True)
    builtin = (builtin_folder() / "print" / "print.css").read_text(encoding="utf-8")
    (house / "print.css").write_text('@import "extra.css";\n' + builtin, encoding="utf-8")
    extra = house / "extra.css"
    output = tmp_path / "out"

    def built_colours(css: str) -> set[tuple[float, ...]]:
        extra.write_text(css, encoding="utf-8")
        result = build(book, output, ("pdf",), Diagnostics(), styles=tmp_path / "house")
        assert "one" in result.rendered  # laid out again: the styles changed
        return text_colours(output / "a-small-book.pdf", "plain sentence")

    # Same size, so print.css's own time and size would be all a stale key could see.
    assert built_colours(".part-body p { color: rgb(255, 0, 0) !important }") == {(1, 0, 0)}
    assert built_colours(".part-body p { color: rgb(0, 0, 255) !important }") == {(0, 0, 1)}


def test_the_warm_up_runs_once_after_the_first_build_before_the_watching_begins(
    tmp_path: Path,
) -> None:
    book = make_manuscript(tmp_path / "book", {"one.md": CHAPTER}, DEFAULT_TOML)
    events: list[str] = []

    class Outcome:
        rendered, reused, up_to_date = ("one",), (), False

    def build_once() -> Outcome:
        events.append("build")
        return Outcome()

    out = io.StringIO()
    watch(
        book,
        build_once,
        [{("modified", str(book / "one.md"))}] * 2,
        out=out,
        warm=lambda: events.append(f"warm, {len(out.getvalue().splitlines())} line(s)"),
    )
    assert events == ["build", "warm, 1 line(s)", "build", "build"]
    assert out.getvalue().splitlines()[1].startswith("watching ")


def test_a_rebuild_of_one_chapter_lays_it_out_in_a_worker_not_in_the_watch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """WeasyPrint keeps about a megabyte of every layout for good (its fonts' data): a watch
    that laid its one changed chapter out itself would grow with every save. So even one
    piece goes to a forked worker, which ends with the build."""
    from allianceprint.writers.pieces import layout

    monkeypatch.setattr(allianceprint.writers.pieces.pool, "_cores", lambda: 2)
    seen = tmp_path / "pids"
    real = layout._lay_out_piece

    def recorded(job):  # inherited by the forked workers
        with seen.open("a") as file:
            file.write(f"{os.getpid()} {job.piece}\n")
        return real(job)

    monkeypatch.setattr(layout, "_lay_out_piece", recorded)
    book = make_manuscript(
        tmp_path / "book",
        {"one.md": CHAPTER, "two.md": CHAPTER.replace("One", "Two")},
        DEFAULT_TOML.replace('["one.md"]', '["one.md", "two.md"]'),
    )
    output = tmp_path / "out"
    build(book, output, ("pdf",), Diagnostics())
    seen.unlink()
    (book / "two.md").write_text(CHAPTER.replace("One", "Two") + "\nOne more.\n", encoding="utf-8")
    result = build(book, output, ("pdf",), Diagnostics())
    assert result.rendered == ("two",)
    laid_out = [line.split() for line in seen.read_text().splitlines()]
    assert [piece for _, piece in laid_out] == ["two"]
    assert all(int(pid) != os.getpid() for pid, _ in laid_out)
    assert any(
        "One more." in line for page in Pdf(output / "a-small-book.pdf").lines for line in page
    )
