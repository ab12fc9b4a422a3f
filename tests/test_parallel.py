"""The PDF laid out in pieces, in parallel and cached, is the book laid out as one document.

Both ways are built from the same manuscripts and read back: page count, page labels, the
text of every page (folios, running heads and the contents' page numbers included), the
outline, where every link leads, the tag tree; then what the cache does on a rebuild.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pikepdf
import pytest
from conftest import Built
from helpers import DEFAULT_TOML, make_manuscript, run_cli
from pdfutil import Pdf
from pypdf import PdfReader
from test_print import chapter

from allianceprint.build import build
from allianceprint.errors import Diagnostics, ManuscriptError

EPOCH = {"SOURCE_DATE_EPOCH": "1767225600"}  # 2026-01-01


def build_pdf(root: Path, out: Path, single: bool = False, **options):
    diagnostics = Diagnostics()
    result = build(root, out, ("pdf",), diagnostics, single_document=single, **options)
    return result, diagnostics


def book(root: Path, chapters: int = 3, toml: str = "") -> Path:
    names = [f"ch{n}.md" for n in range(1, chapters + 1)]
    config = (
        DEFAULT_TOML.replace('chapters = ["one.md"]', f"chapters = {names!r}".replace("'", '"'))
        + toml
    )
    return make_manuscript(
        root,
        {name: chapter(f"Chapter {n}", 4, paragraphs=5 + 4 * n) for n, name in enumerate(names, 1)},
        config,
    )


def links(path: Path) -> list[tuple[int, tuple[int, ...], int]]:
    """Every link of the PDF: its page, its rectangle (rounded) and the page it leads to."""
    reader = PdfReader(str(path))
    dests = {
        name: reader.get_destination_page_number(dest)
        for name, dest in reader.named_destinations.items()
    }
    found = []
    for index, page in enumerate(reader.pages):
        for annotation in page.get("/Annots") or ():
            annotation = annotation.get_object()
            if annotation.get("/Subtype") != "/Link" or "/Dest" not in annotation:
                continue
            rect = tuple(round(float(v)) for v in annotation["/Rect"])
            found.append((index, rect, dests[str(annotation["/Dest"])]))
    return sorted(found)


def pixels(path: Path) -> list[bytes]:
    """Every page drawn in grey at 30 dpi (poppler's pdftoppm), as raw bytes."""
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(["pdftoppm", "-r", "30", "-gray", str(path), f"{folder}/p"], check=True)
        return [page.read_bytes() for page in sorted(Path(folder).glob("p-*.pgm"))]


def assert_same_book(one: Path, other: Path) -> None:
    """The two PDFs have the same pages, drawn the same, numbered the same, with the same
    outline and links."""
    a, b = Pdf(one), Pdf(other)
    assert a.pages == b.pages
    assert a.labels == b.labels
    assert [p.extract_text().rstrip() for p in a.reader.pages] == [
        p.extract_text().rstrip() for p in b.reader.pages
    ]
    assert a.outline == b.outline
    assert links(one) == links(other)
    drawn, reference = pixels(one), pixels(other)
    assert len(drawn) == len(reference) == a.pages
    assert [i for i, (x, y) in enumerate(zip(drawn, reference)) if x != y] == []


def test_the_sample_laid_out_in_pieces_is_the_sample_laid_out_whole(
    sample: Built, sample_single: Path
):
    assert_same_book(sample.pdf, sample_single)


def test_the_contents_numbers_are_where_the_parts_begin(sample: Built):
    pdf = Pdf(sample.pdf)
    contents = next(i for i, lines in enumerate(pdf.lines) if lines and lines[0] == "Contents")
    starts = {item.title: pdf.labels[item.page] for item in pdf.outline if item.level == 1}
    listed = 0
    for line in pdf.lines[contents]:
        for title, label in starts.items():
            if line.startswith(title[:25]) and line.endswith(" " + label):
                listed += 1
    assert listed >= len([t for t in starts if t != "Contents"]) - 1  # titles may wrap


def test_the_tag_trees_of_the_pieces_become_one(sample: Built, sample_single: Path):
    with pikepdf.open(sample.pdf) as pdf, pikepdf.open(sample_single) as whole:
        root = pdf.Root.StructTreeRoot
        nums = list(root.ParentTree.Nums)
        keys = [int(k) for k in nums[0::2]]
        assert len(keys) == len(set(keys))
        assert int(root.ParentTreeNextKey) == max(keys) + 1
        pages = {page.obj.objgen for page in pdf.pages}
        used = set()
        for page in pdf.pages:
            if "/StructParents" in page.obj:
                used.add(int(page.obj.StructParents))
            for annotation in page.obj.get("/Annots", ()):
                if "/StructParent" in annotation:
                    used.add(int(annotation.StructParent))
        assert used == set(keys)
        document = root.K[0] if isinstance(root.K, pikepdf.Array) else root.K

        def elements(element):
            yield element
            kids = element.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                if (
                    isinstance(kid, pikepdf.Dictionary)
                    and kid.get("/Type") != "/MCR"
                    and "/S" in kid
                ):
                    yield from elements(kid)

        tree = list(elements(document))
        assert all(e.Pg.objgen in pages for e in tree if "/Pg" in e)
        assert all(kid.P.objgen == document.objgen for kid in document.K)
        whole_document = whole.Root.StructTreeRoot.K
        whole_document = (
            whole_document[0] if isinstance(whole_document, pikepdf.Array) else whole_document
        )
        assert len(document.K) == len(whole_document.K)
        assert [str(e.S) for e in tree] == [str(e.S) for e in elements(whole_document)]


@pytest.mark.parametrize("mode", ["book-end", "footnotes"])
def test_each_notes_mode_laid_out_in_pieces_is_the_same_book(tmp_path, mode):
    root = book(tmp_path / "book", toml=f'\n[print]\nnotes = "{mode}"\n')
    parts, _ = build_pdf(root, tmp_path / "parts")
    whole, _ = build_pdf(root, tmp_path / "whole", single=True)
    assert_same_book(parts.outputs[0].path, whole.outputs[0].path)


def test_the_printers_pdf_laid_out_in_pieces_is_the_same(tmp_path):
    root = book(tmp_path / "book", chapters=2)
    parts, _ = build_pdf(root, tmp_path / "parts", print_ready=True)
    whole, _ = build_pdf(root, tmp_path / "whole", single=True, print_ready=True)
    printer = [o.path for o in parts.outputs if o.path.name.endswith("-print.pdf")][0]
    reference = [o.path for o in whole.outputs if o.path.name.endswith("-print.pdf")][0]
    assert_same_book(printer, reference)
    a, b = PdfReader(str(printer)), PdfReader(str(reference))
    for one, other in zip(a.pages, b.pages):
        for box in ("/MediaBox", "/TrimBox", "/BleedBox"):
            assert [round(float(v), 2) for v in one[box]] == [
                round(float(v), 2) for v in other[box]
            ]
    # the marks are drawn on every page, the blank ones the merge adds included
    for page in a.pages:
        assert "/XObject" in page["/Resources"]


def test_blank_pages_go_before_parts_that_would_open_on_the_left(tmp_path):
    root = book(tmp_path / "book", chapters=3)
    result, _ = build_pdf(root, tmp_path / "out")
    pdf = Pdf(result.outputs[0].path)
    starts = [item.page for item in pdf.outline if item.level == 1]
    assert all(page % 2 == 0 for page in starts)  # every part on a right-hand page
    blanks = [i for i, lines in enumerate(pdf.lines) if not lines]
    assert blanks and all(i % 2 == 1 for i in blanks)


def test_a_rebuild_with_nothing_changed_writes_nothing(tmp_path):
    root = book(tmp_path / "book", chapters=1)
    first, _ = build_pdf(root, tmp_path / "out")
    written = first.outputs[0].path.stat().st_mtime_ns
    again, _ = build_pdf(root, tmp_path / "out")
    assert again.up_to_date and not again.rendered
    assert again.outputs == first.outputs
    assert first.outputs[0].path.stat().st_mtime_ns == written


def test_an_up_to_date_build_gives_its_warnings_again(tmp_path):
    root = book(tmp_path / "book", chapters=1)
    (root / "ch1.md").write_text((root / "ch1.md").read_text() + "\n[^unused]: Never cited.\n")
    _, first = build_pdf(root, tmp_path / "out")
    again, second = build_pdf(root, tmp_path / "out")
    assert again.up_to_date
    assert first.warnings and [str(w) for w in second.warnings] == [str(w) for w in first.warnings]


def test_a_part_read_from_the_cache_gives_its_warnings_again(tmp_path):
    root = book(tmp_path / "book", chapters=2)
    (root / "ch1.md").write_text((root / "ch1.md").read_text() + "\n[^unused]: Never cited.\n")
    _, first = build_pdf(root, tmp_path / "out")
    (root / "ch2.md").write_text((root / "ch2.md").read_text() + "\nOne more line.\n")
    again, second = build_pdf(root, tmp_path / "out")
    assert not again.up_to_date and again.rendered == ("ch2",)
    assert any("unused" in w.message for w in second.warnings)
    assert [str(w) for w in second.warnings] == [str(w) for w in first.warnings]


def test_a_part_with_an_error_is_read_again_until_it_is_fixed(tmp_path):
    root = book(tmp_path / "book", chapters=1)
    good = (root / "ch1.md").read_text()
    build_pdf(root, tmp_path / "out")
    (root / "ch1.md").write_text(good + "\nA reference to a missing note.[^missing]\n")
    for _ in range(2):
        with pytest.raises(ManuscriptError, match="missing"):
            build_pdf(root, tmp_path / "out")
    (root / "ch1.md").write_text(good)
    fixed, diagnostics = build_pdf(root, tmp_path / "out")
    assert not diagnostics.errors and fixed.outputs


def test_a_changed_output_is_built_again(tmp_path):
    root = book(tmp_path / "book", chapters=1)
    first, _ = build_pdf(root, tmp_path / "out")
    first.outputs[0].path.write_bytes(b"damaged")
    again, _ = build_pdf(root, tmp_path / "out")
    assert not again.up_to_date and not again.rendered  # every piece from the cache
    assert PdfReader(str(again.outputs[0].path)).pages


def test_editing_one_chapter_lays_out_only_that_chapter(tmp_path):
    root = book(tmp_path / "book", chapters=3)
    build_pdf(root, tmp_path / "out")
    text = (root / "ch2.md").read_text()
    (root / "ch2.md").write_text(text.replace("Alliance", "Allied", 1))
    result, _ = build_pdf(root, tmp_path / "out")
    assert result.rendered == ("ch2",)
    assert "ch1" in result.reused and "ch3" in result.reused
    pdf = Pdf(result.outputs[0].path)
    opening = next(item.page for item in pdf.outline if item.title == "Chapter 2")
    assert "Allied" in pdf.reader.pages[opening].extract_text()


def test_a_chapter_that_grows_moves_the_later_folios_without_laying_them_out(tmp_path):
    root = book(tmp_path / "book", chapters=3)
    build_pdf(root, tmp_path / "out")
    text = (root / "ch1.md").read_text()
    head, notes = text.split("[^n0]:", 1)
    (root / "ch1.md").write_text(
        head + "\n\n".join([head.split("---\n", 2)[2]] * 3) + "\n[^n0]:" + notes
    )
    result, _ = build_pdf(root, tmp_path / "out")
    assert (
        "ch1" in result.rendered and "ch2" not in result.rendered and "ch3" not in result.rendered
    )
    whole, _ = build_pdf(root, tmp_path / "whole", single=True)
    assert_same_book(result.outputs[0].path, whole.outputs[0].path)


def test_cold_and_warm_builds_are_byte_identical(tmp_path, monkeypatch):
    for key, value in EPOCH.items():
        monkeypatch.setenv(key, value)
    root = book(tmp_path / "book", chapters=2)
    formats = ("pdf", "epub")
    cold = build(root, tmp_path / "cold", formats, Diagnostics())
    original = (root / "ch2.md").read_text()
    build(root, tmp_path / "warm", formats, Diagnostics())
    (root / "ch2.md").write_text(original + "\nA paragraph added, then taken out again.\n")
    build(root, tmp_path / "warm", formats, Diagnostics())
    (root / "ch2.md").write_text(original)
    warm = build(root, tmp_path / "warm", formats, Diagnostics())
    assert not warm.up_to_date and "ch1" in warm.reused
    for a, b in zip(cold.outputs, warm.outputs):
        assert a.path.name == b.path.name
        assert a.path.read_bytes() == b.path.read_bytes(), a.path.name


def test_a_damaged_cache_entry_is_laid_out_again(tmp_path):
    root = book(tmp_path / "book", chapters=1)
    first, _ = build_pdf(root, tmp_path / "out")
    for entry in (tmp_path / "out" / ".cache" / "pieces").glob("*.pdf"):
        entry.write_bytes(entry.read_bytes()[:100])
    (root / "ch1.md").write_text((root / "ch1.md").read_text() + "\nOne more line.\n")
    again, _ = build_pdf(root, tmp_path / "out")
    assert "contents" in again.rendered
    assert PdfReader(str(again.outputs[0].path)).pages


def test_the_cache_keeps_only_what_the_last_build_used(tmp_path):
    root = book(tmp_path / "book", chapters=2)
    build_pdf(root, tmp_path / "out")
    before = {p.name for p in (tmp_path / "out" / ".cache" / "pieces").glob("*.pdf")}
    (root / "ch2.md").write_text((root / "ch2.md").read_text() + "\nOne more line.\n")
    build_pdf(root, tmp_path / "out")
    after = {p.name for p in (tmp_path / "out" / ".cache" / "pieces").glob("*.pdf")}
    assert len(after) == len(before) and after != before


def test_a_missing_image_is_reported_from_the_worker_with_its_file(tmp_path):
    root = book(tmp_path / "book", chapters=2)
    (root / "ch2.md").write_text((root / "ch2.md").read_text() + "\n![A chart](chart.png)\n")
    status, out, err = run_cli("build", root, "--output", tmp_path / "out")
    assert status == 1
    assert "chart.png" in err and "Traceback" not in err
    assert not (tmp_path / "out" / "a-small-book.pdf").exists()


def test_single_document_on_the_command_line(tmp_path):
    root = book(tmp_path / "book", chapters=1)
    status, out, err = run_cli(
        "build", root, "--output", tmp_path / "out", "--format", "pdf", "--single-document"
    )
    assert status == 0, err
    assert not (tmp_path / "out" / ".cache").exists() or not list(
        (tmp_path / "out" / ".cache" / "pieces").glob("*.pdf")
    )


# A build in a fresh process, with two cores (a one-core machine lays pieces out in-process):
# what it wrote, whether the main process ever imported WeasyPrint, the worker processes
# running while it rendered the book, and those left at the end.
FRESH_BUILD = """
import json, multiprocessing, sys
from pathlib import Path
from allianceprint import render
from allianceprint.errors import Diagnostics, ManuscriptError
from allianceprint.writers.pieces import pool
pool._cores = lambda: 2
rendering, forks = [], []
fork_pool = pool._fork_pool
def counted(workers, early=False):
    forks.append(early)
    return fork_pool(workers, early)
pool._fork_pool = counted
def render_book(*args, **kwargs):
    rendering.append(len(multiprocessing.active_children()))
    return original(*args, **kwargs)
original, render.render_book = render.render_book, render_book
from allianceprint.build import build
try:
    printer = sys.argv[3:] == ["--print-ready"]
    result = build(
        Path(sys.argv[1]), Path(sys.argv[2]), ("pdf",), Diagnostics(), print_ready=printer
    )
    error, pages = None, result.outputs[0].pages
except ManuscriptError as exc:
    error, pages = str(exc), None
print(json.dumps({
    "error": error,
    "pages": pages,
    "weasyprint": "weasyprint" in sys.modules,
    "rendering": rendering,
    "early": forks.count(True),
    "children": len(multiprocessing.active_children()),
}))
"""


def _fresh_build(root: Path, out: Path, *options: str) -> dict:
    import json
    import sys

    done = subprocess.run(
        [sys.executable, "-c", FRESH_BUILD, str(root), str(out), *options],
        capture_output=True,
        text=True,
        check=True,
        env={**__import__("os").environ, **EPOCH},
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_fresh_process_leaves_weasyprint_to_its_early_workers(tmp_path):
    root = book(tmp_path / "book")
    fresh = _fresh_build(root, tmp_path / "fresh")
    assert fresh == {
        "error": None,
        "pages": fresh["pages"],
        "weasyprint": False,
        "rendering": [2],  # the two workers, importing WeasyPrint meanwhile
        "early": 1,
        "children": 0,
    }
    # The same pages as a build in a process that had WeasyPrint already (no early workers).
    _, diagnostics = build_pdf(root, tmp_path / "warm")
    assert not diagnostics.errors
    ours = Pdf(next((tmp_path / "fresh").glob("*.pdf")))
    theirs = Pdf(next((tmp_path / "warm").glob("*.pdf")))
    assert ours.pages == fresh["pages"] and ours.lines == theirs.lines


def test_early_workers_end_when_the_build_stops_before_laying_out(tmp_path):
    root = book(tmp_path / "book")
    (root / "ch2.md").write_text("---\ntitle: [unclosed\n---\nText.\n", encoding="utf-8")
    fresh = _fresh_build(root, tmp_path / "out")
    assert "ch2.md" in fresh["error"]
    assert fresh["rendering"] == [2]
    assert fresh["children"] == 0 and fresh["weasyprint"] is False
    assert not (tmp_path / "out").exists()


def test_early_workers_end_unused_when_every_piece_is_in_the_cache(tmp_path):
    root = book(tmp_path / "book")
    out = tmp_path / "out"
    first = _fresh_build(root, out)
    (out / ".cache" / "stamp.json").unlink()  # so that it is not simply up to date
    again = _fresh_build(root, out)
    assert again == first


def test_the_printers_edition_gets_early_workers_of_its_own(tmp_path):
    root = book(tmp_path / "book")
    fresh = _fresh_build(root, tmp_path / "out", "--print-ready")
    assert fresh["error"] is None and fresh["children"] == 0
    assert fresh["early"] == 2  # the second started while the reading edition merged
    assert len(list((tmp_path / "out").glob("*-print.pdf"))) == 1
