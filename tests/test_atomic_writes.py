"""cachefolder's atomic writes, the one home of "write beside, then rename": a failure leaves
the targets as they were and no temporary file (the importer stages its files through
write_all_atomically, changesout and the font store through write_atomically)."""

from __future__ import annotations

from pathlib import Path

import pytest

from allianceprint.cachefolder import write_all_atomically, write_atomically


def test_write_atomically_replaces_the_target(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_text("old")
    write_atomically(target, lambda temporary: temporary.write_text("new"))
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_a_failed_write_leaves_the_target_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_text("old")

    def fail(temporary: Path) -> None:
        temporary.write_text("half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        write_atomically(target, fail)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_write_all_atomically_writes_every_file(tmp_path: Path) -> None:
    files = {tmp_path / "one.md": b"one", tmp_path / "book.toml": b"toml"}
    (tmp_path / "book.toml").write_bytes(b"old")
    write_all_atomically(files)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == {
        "one.md": b"one",
        "book.toml": b"toml",
    }


def test_write_all_atomically_replaces_none_when_one_fails(tmp_path: Path) -> None:
    (tmp_path / "book.toml").write_bytes(b"old")
    # the second file's folder is missing: its write fails after the first was written
    files = {tmp_path / "book.toml": b"new", tmp_path / "missing" / "one.md": b"one"}
    with pytest.raises(OSError):
        write_all_atomically(files)
    assert [p.name for p in tmp_path.iterdir()] == ["book.toml"]
    assert (tmp_path / "book.toml").read_bytes() == b"old"
