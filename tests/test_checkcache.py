"""An edit rebuild takes the unchanged parts' all-caps words from the cache (checkcache.py):
it still reports every part's warnings, once each where the book first uses the word, and
writes what a cold build writes."""

from __future__ import annotations

import json

from test_parallel import EPOCH, book

from allianceprint.build import build
from allianceprint.cachefolder import CacheFolder
from allianceprint.errors import Diagnostics

FORMATS = ("pdf", "epub")


def capitals(diagnostics: Diagnostics) -> list[tuple[str, str, int | None]]:
    """The undefined-abbreviation warnings: word, file name, line."""
    return [
        (w.message.split()[0], w.location.path.name, w.location.line)
        for w in diagnostics.warnings
        if "looks like an abbreviation" in w.message
    ]


def add(path, text: str) -> None:
    path.write_text(path.read_text() + text)


def line_of(path, word: str) -> int:
    """The (first) line of `path` that has `word`."""
    return next(n for n, line in enumerate(path.read_text().split("\n"), 1) if word in line)


def test_an_edit_reports_the_unchanged_parts_warnings_and_writes_a_cold_builds_files(
    tmp_path, monkeypatch
):
    for key, value in EPOCH.items():
        monkeypatch.setenv(key, value)
    root = book(tmp_path / "book", chapters=2)
    add(root / "ch1.md", "\nThe QWZX rule came first.\n")
    add(root / "ch2.md", "\nThe QWZX rule and the PLMK board came later.\n")
    first = Diagnostics()
    build(root, tmp_path / "warm", FORMATS, first)
    one, two = line_of(root / "ch1.md", "QWZX"), line_of(root / "ch2.md", "QWZX")
    assert capitals(first) == [("QWZX", "ch1.md", one), ("PLMK", "ch2.md", two)]
    assert (tmp_path / "warm" / ".cache" / "checks.json").is_file()

    add(root / "ch2.md", "\nOne sentence more.\n")  # ch1 unchanged: its words from the cache
    edited = Diagnostics()
    warm = build(root, tmp_path / "warm", FORMATS, edited)
    assert warm.rendered == ("ch2",) and "ch1" in warm.reused
    assert [str(w) for w in edited.warnings] == [
        str(w) for w in first.warnings
    ]  # the same findings, ch1's among them

    # The word leaves ch1: the book now first uses it in ch2, which did not change.
    (root / "ch1.md").write_text((root / "ch1.md").read_text().replace("QWZX", "Qwzx"))
    moved = Diagnostics()
    warm = build(root, tmp_path / "warm", FORMATS, moved)
    assert capitals(moved) == [("QWZX", "ch2.md", two), ("PLMK", "ch2.md", two)]

    cold_findings = Diagnostics()
    cold = build(root, tmp_path / "cold", FORMATS, cold_findings)
    assert [str(w) for w in moved.warnings] == [str(w) for w in cold_findings.warnings]
    for a, b in zip(cold.outputs, warm.outputs, strict=True):
        assert a.path.name == b.path.name
        assert a.path.read_bytes() == b.path.read_bytes(), a.path.name


def test_ignore_words_and_a_foreign_cache_file_are_not_taken_from_the_cache(tmp_path):
    root = book(tmp_path / "book", chapters=1)
    add(root / "ch1.md", "\nThe QWZX rule and the PLMK board.\n")
    out = tmp_path / "out"
    first = Diagnostics()
    build(root, out, ("pdf",), first)
    assert [word for word, *_ in capitals(first)] == ["QWZX", "PLMK"]

    # Another file of findings, unsealed (say, one that came with a copied folder).
    checks = CacheFolder.of(out).checks
    entries = {"parts": {"0" * 32: [["FORGED", 1, 1]]}}
    checks.write_text(json.dumps(entries))
    (root / "book.toml").write_text(
        (root / "book.toml").read_text() + '\n[checks]\nignore_words = ["PLMK"]\n'
    )
    again = Diagnostics()
    build(root, out, ("pdf",), again)
    assert [word for word, *_ in capitals(again)] == ["QWZX"]
    assert "FORGED" not in checks.read_text(errors="replace")
