"""The PDF laid out in pieces carries each font once, as --single-document does.

The merged sample is read back with pikepdf and compared with the sample laid out as one
document: its size, its font programs, and per font the widths and the ToUnicode map (what
copy and paste reads). Then what the font store in the cache does on a rebuild.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
from conftest import Built, have
from pypdf import PdfReader
from test_parallel import book

from allianceprint.build import build
from allianceprint.errors import Diagnostics
from allianceprint.writers import pdffonts
from allianceprint.writers.pdffonts import EmbeddedFont


def fonts(path: Path) -> dict[str, list[tuple[dict[int, str], dict[int, float]]]]:
    """The PDF's Type 0 font dictionaries by name: each one's ToUnicode map and widths."""
    found: dict[str, list[tuple[dict[int, str], dict[int, float]]]] = {}
    with pikepdf.open(path) as pdf:
        for item in pdf.objects:
            if isinstance(item, pikepdf.Dictionary) and item.get("/Subtype") == "/Type0":
                found.setdefault(str(item.BaseFont), []).append((to_unicode(item), widths(item)))
    return found


def to_unicode(font: pikepdf.Dictionary) -> dict[int, str]:
    data = font.ToUnicode.read_bytes().decode("latin-1")
    return {
        int(gid, 16): bytes.fromhex(text).decode("utf-16-be")
        for gid, text in re.findall(r"<([0-9a-f]{4})> <([0-9a-f]+)>", data)
    }


def widths(font: pikepdf.Dictionary) -> dict[int, float]:
    array, found = list(font.DescendantFonts[0].W), {}
    for start, run in zip(array[::2], array[1::2]):
        for offset, width in enumerate(run):
            found[int(start) + offset] = round(float(width), 2)
    return found


def programs(path: Path) -> int:
    """How many font programs the PDF embeds (streams its font descriptors point at)."""
    with pikepdf.open(path) as pdf:
        return len(
            {
                item[key].objgen
                for item in pdf.objects
                if isinstance(item, pikepdf.Dictionary) and item.get("/Type") == "/FontDescriptor"
                for key in ("/FontFile", "/FontFile2", "/FontFile3")
                if key in item
            }
        )


def test_the_merged_sample_is_as_small_as_one_laid_out_whole(sample: Built, sample_single: Path):
    merged, whole = sample.pdf.stat().st_size, sample_single.stat().st_size
    assert merged <= 1.10 * whole, f"{merged} bytes against {whole}"


def test_each_font_is_carried_once_with_every_pieces_glyphs(sample: Built, sample_single: Path):
    merged, whole = fonts(sample.pdf), fonts(sample_single)
    assert len(merged) >= 4 and sorted(merged) == sorted(whole)
    assert all(len(found) == 1 for found in merged.values())
    assert programs(sample.pdf) == programs(sample_single) >= 4
    for name, ((text, advances),) in merged.items():
        assert text and text == whole[name][0][0], name
        assert advances == whole[name][0][1], name


@pytest.mark.skipif(not have("qpdf"), reason="qpdf is not installed")
def test_the_merged_sample_passes_qpdf_check(sample: Built):
    checked = subprocess.run(["qpdf", "--check", str(sample.pdf)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "No syntax or stream encoding errors" in checked.stdout


def store(output: Path) -> dict[str, int]:
    """The font store's files and when each was written."""
    folder = output / ".cache" / "pieces" / pdffonts.STORE
    return {path.name: path.stat().st_mtime_ns for path in folder.iterdir()}


def test_an_edit_without_new_glyphs_reuses_the_fonts_subsets(tmp_path):
    root = book(tmp_path / "book", chapters=3)
    out = tmp_path / "out"
    build(root, out, ("pdf",), Diagnostics())
    before = store(out)
    subsets = {name for name in before if name.endswith(".subset")}
    assert subsets and any(name.endswith(".font") for name in before)
    chapter = root / "ch2.md"
    text = chapter.read_text()
    again = next(line for line in text.splitlines()[5:] if len(line) > 200 and "[^" not in line)
    chapter.write_text(text.replace(again, f"{again}\n\n{again}", 1))  # the same glyphs
    build(root, out, ("pdf",), Diagnostics())
    assert store(out) == before  # nothing written again: the union did not change

    chapter.write_text(chapter.read_text() + "\nA letter no piece had: Ŋ.\n")
    build(root, out, ("pdf",), Diagnostics())
    after = store(out)
    new = {name for name in after if name.endswith(".subset")}
    assert len(new - subsets) == 1 and len(new) == len(subsets)  # the old one pruned
    (pdf,) = out.glob("*.pdf")
    assert "Ŋ" in "".join(page.extract_text() for page in PdfReader(pdf).pages)


def test_a_name_embedded_from_two_files_is_not_shared(tmp_path):
    one = EmbeddedFont("AAAAAA+Serif", "f1", 0, ((3, 500.0),), ((3, "a"),))
    other = EmbeddedFont("AAAAAA+Serif", "f2", 0, ((4, 600.0),), ((4, "b"),))
    assert pdffonts.plan([(one,), (other,)], tmp_path) == ()


def test_the_union_keeps_the_first_text_of_a_glyph(tmp_path):
    one = EmbeddedFont("AAAAAA+Serif", "f1", 0, ((3, 500.0),), ((3, "a"),))
    other = EmbeddedFont("AAAAAA+Serif", "f1", 0, ((3, 500.0), (9, 250.0)), ((3, "A"), (9, " ")))
    (shared,) = pdffonts.plan([(one,), (other,)], tmp_path)
    assert shared.text == ((3, "a"), (9, " "))
    assert shared.widths == ((3, 500.0), (9, 250.0))
    assert shared.glyphs == (3, 9)
    assert shared.original == tmp_path / "f1.font"


def test_a_font_a_piece_cannot_share_is_left_as_the_pieces_embed_it(tmp_path):
    plain = EmbeddedFont("AAAAAA+Serif", "f1", 0, ((3, 500.0),), ((3, "a"),))
    unshareable = EmbeddedFont("AAAAAA+Serif", "", 0)
    assert pdffonts.plan([(plain,), (unshareable,)], tmp_path) == ()


def test_a_font_missing_from_the_store_is_left_as_the_pieces_embed_it(tmp_path):
    root = book(tmp_path / "book", chapters=2)
    out = tmp_path / "out"
    build(root, out, ("pdf",), Diagnostics())
    (pdf,) = out.glob("*.pdf")
    shared = programs(pdf)
    folder = out / ".cache" / "pieces" / pdffonts.STORE
    for path in folder.iterdir():
        if path.suffix == ".font":
            path.write_bytes(bytes(path.stat().st_size))  # damaged, or forged: not its hash
        else:
            path.unlink()
    chapter = root / "ch1.md"
    chapter.write_text(chapter.read_text() + "\nOne more paragraph.\n")
    result = build(root, out, ("pdf",), Diagnostics())
    assert result.outputs
    assert programs(pdf) > shared  # each piece's own subsets, as WeasyPrint wrote them
    assert not list(folder.glob("*.font"))  # dropped, for a later layout to write again
    checked = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout
