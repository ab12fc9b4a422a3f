"""`allianceprint changes`: two builds of a small book, then each kind of correction, checked
page by page against what the edit did; the changes PDF looked at; PDFs not made by
allianceprint; bad input; `build --keep-pages`."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from helpers import make_manuscript, run_cli
from PIL import Image

from allianceprint.build import build
from allianceprint.changes import compare_files
from allianceprint.errors import Diagnostics, ManuscriptError
from allianceprint.pagerecord import NAME
from allianceprint.pdftext import read_pdf

TOML = """\
[book]
title = "Corrected Printings"
language = "en"
editors = ["ed"]
printing = 2

[contributors.ed]
name = "Ilse Morrow"
affiliation = "Harbour Institute"
bio = "Ilse edits."

[contents]
chapters = ["one.md", "two.md", "three.md"]
"""

PLACES = [
    "Varna",
    "Tromsø",
    "Kochi",
    "Recife",
    "Iloilo",
    "Mombasa",
    "Gdańsk",
    "Valparaíso",
    "Da Nang",
    "Haifa",
    "Aarhus",
    "Durban",
]
ACTS = [
    "reviewed",
    "renewed",
    "audited",
    "suspended",
    "rewrote",
    "published",
    "costed",
    "debated",
    "extended",
    "narrowed",
]
THINGS = [
    "port agreement",
    "cable landing rules",
    "fisheries accord",
    "grain corridor",
    "customs pilot",
    "tariff schedule",
    "pilotage code",
    "dredging contract",
]


def prose(chapter: int, paragraphs: int) -> str:
    """Original filler: every sentence differs, so no two printed lines are alike."""
    out = []
    n = chapter * 1000
    for p in range(paragraphs):
        sentences = []
        for s in range(6):
            n += 1
            sentences.append(
                f"In {1950 + n % 70} the council of {PLACES[n % len(PLACES)]} "
                f"{ACTS[n % len(ACTS)]} its {THINGS[n % len(THINGS)]} for the "
                f"{n}th time, item {chapter}.{p}.{s}."
            )
        out.append(" ".join(sentences))
    return "\n\n".join(out)


CJK_PARAGRAPH = (
    '{: lang="ja"}\n'
    "港湾の協定は毎年見直される。委員会は新しい規則を公表し、漁業の合意を延長した。"
    "関税の計画は議論されたが、結論は翌年に持ち越された。"
)


def chapter(number: int, title: str, paragraphs: int, extra: str = "") -> str:
    return (
        f"---\ntitle: {title}\nauthors: [ed]\n---\n\n{prose(number, paragraphs)}"
        f"[^a]\n\n{extra}\n\n[^a]: A note to chapter {number}, on the {THINGS[number]}.\n"
    )


def files(
    one: str | None = None, two: str | None = None, three: str | None = None
) -> dict[str, str]:
    return {
        "one.md": one or chapter(1, "Harbours", 9),
        "two.md": two or chapter(2, "Cables", 8, CJK_PARAGRAPH),
        "three.md": three or chapter(3, "Grain", 5),
    }


@dataclass(frozen=True)
class Variant:
    manuscript: Path
    pdf: Path


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Variant:
    root = make_manuscript(tmp_path_factory.mktemp("base") / "book", files(), TOML)
    out = root.parent / "out"
    build(root, out, ("pdf",), Diagnostics())
    return Variant(root, out / "corrected-printings.pdf")


def variant(
    base: Variant, where: Path, edit: dict[str, str], keep_pages: bool | None = False
) -> Variant:
    """The base book with `edit` applied (file -> new text), built from a copy of the base
    build's folder (its cache saves laying out what did not change)."""
    root = where / "book"
    shutil.copytree(base.manuscript, root)
    for name, text in edit.items():
        (root / name).write_text(text, encoding="utf-8")
    shutil.copytree(base.pdf.parent, where / "out")
    build(root, where / "out", ("pdf",), Diagnostics(), keep_pages=keep_pages)
    return Variant(root, where / "out" / "corrected-printings.pdf")


def report_json(old: Path, new: Path, *more: str) -> tuple[int, dict]:
    status, out, err = run_cli("changes", old, new, "--format", "json", *more)
    assert status in (0, 1), err
    return status, json.loads(out)


def statuses(report: dict) -> dict[str, str]:
    return {page["new"] or f"old {page['old']}": page["status"] for page in report["pages"]}


def chapter_pages(pdf: Path, part: str) -> list[str]:
    """The printed numbers of a part's pages, from the page record."""
    import pypdfium2

    from allianceprint.pagerecord import read

    record = read(pypdfium2.PdfDocument(str(pdf)))
    return [page.label for page in record.pages if page.part == part]


def test_the_build_records_its_pages_in_the_pdf(base):
    with pikepdf.open(base.pdf) as pdf:
        assert NAME in pdf.attachments
        data = json.loads(pdf.attachments[NAME].get_file().read_bytes())
    assert data["book"]["title"] == "Corrected Printings"
    assert [p["source"] for p in data["parts"]] == ["one.md", "two.md", "three.md"]
    assert len(data["pages"]) == len(read_pdf(base.pdf).pages)
    assert data["pages"][0]["part"] == "opening"
    assert any(p["part"] == "two" for p in data["pages"])


def test_the_same_pdf_twice_is_unchanged(base):
    status, report = report_json(base.pdf, base.pdf)
    assert status == 0
    assert set(statuses(report).values()) == {"unchanged"}
    assert report["summary"]["contents_changed"] is False
    assert report["summary"]["recorded"] is True


def test_a_one_letter_correction_changes_one_page(base, tmp_path):
    text = chapter(1, "Harbours", 9).replace(
        "its customs pilot for the 1004th", "its customs pilot for the 1005th", 1
    )
    new = variant(base, tmp_path, {"one.md": text}, keep_pages=True)  # it keeps its pages
    status, report = report_json(base.pdf, new.pdf)
    assert status == 1
    changed = {label: s for label, s in statuses(report).items() if s != "unchanged"}
    assert changed == {"1": "text"}
    page = next(p for p in report["pages"] if p["new"] == "1")
    assert page["changes"] == [{"old": "1004th", "new": "1005th"}]
    assert page["old"] == "1" and page["part"] == "one"
    summary = report["summary"]
    assert summary["old_pages"] == summary["new_pages"]
    assert summary["contents_changed"] is False
    assert summary["signatures"]["16"]["changed"] == [1]
    assert summary["edits"] == [
        {"at": "1", "first": "1", "last": "1", "old": "1004th", "new": "1005th", "source": "one.md"}
    ]
    # The printer's pages: that one page alone, with its boxes as they were (a printer's
    # PDF, here the same pages given a bleed, its TrimBox and BleedBox).
    printer = tmp_path / "printer.pdf"
    with pikepdf.open(new.pdf) as pdf:
        for page in pdf.pages:
            page.MediaBox = [-9, -9, 441, 657]
            page.BleedBox = [-9, -9, 441, 657]
            page.TrimBox = [0, 0, 432, 648]
        pdf.save(printer)
    status, out, err = run_cli(
        "changes", base.pdf, printer, "--replacement-pages", tmp_path / "repl.pdf"
    )
    assert status == 1, err
    with pikepdf.open(tmp_path / "repl.pdf") as repl:
        assert len(repl.pages) == 1
        page = repl.pages[0]
        assert [list(page.mediabox), list(page.trimbox), list(page.bleedbox)] == [
            [-9, -9, 441, 657],
            [0, 0, 432, 648],
            [-9, -9, 441, 657],
        ]
        assert repl.Root.PageLabels.Nums[1].P == "1"
    # the table: one row a page, the changed words on the page's row, then the summary
    status, out, _ = run_cli("changes", base.pdf, new.pdf)
    rows = out.splitlines()
    assert status == 1 and rows[0].split() == ["old", "new", "status", "changes"]
    assert "     1       1  text       “1004th” -> “1005th”" in rows
    assert sum(1 for row in rows if row.endswith("  unchanged")) == len(read_pdf(new.pdf).pages) - 1
    assert "contents: unchanged" in rows
    assert "edit on page 1 (one.md): “1004th” -> “1005th”; pages 1" in rows
    # --history names the corrected page and the printing.
    status, out, _ = run_cli("changes", base.pdf, new.pdf, "--history")
    assert status == 1
    assert 'description = "Second printing, with corrections on pages 1"' in out
    assert out.startswith("[[history]]\ndate = ")


@pytest.fixture(scope="module")
def sentence(base, tmp_path_factory) -> Variant:
    text = chapter(1, "Harbours", 9).replace(
        "item 1.1.2.",
        "item 1.1.2. A clerk later counted the vessels that had used "
        "the outer basin that winter, and found the ledger short by a third.",
        1,
    )
    where = tmp_path_factory.mktemp("sentence")
    with pytest.raises(ManuscriptError) as failed:
        variant(base, where, {"one.md": text}, keep_pages=None)  # printing 2: kept by default
    shutil.rmtree(where / "book")
    shutil.rmtree(where / "out")
    return variant(base, where, {"one.md": text}), failed.value


def test_an_added_sentence_reflows_to_the_chapter_end(base, sentence):
    new, _ = sentence
    status, report = report_json(base.pdf, new.pdf)
    assert status == 1
    one = chapter_pages(new.pdf, "one")
    assert chapter_pages(base.pdf, "one") == one  # the chapter did not grow a page
    by_page = statuses(report)
    first = next(label for label in one if by_page[label] == "text")
    rest = one[one.index(first) + 1 :]
    text_pages = [p for p in one if by_page[p] != "unchanged"]
    assert text_pages[0] == first and all(by_page[p] in ("reflow", "unchanged") for p in rest)
    assert by_page[rest[0]] == "reflow"
    # everything after chapter one, its folios too, is as it was: chapters open recto
    later = [p for p in report["pages"] if p["part"] in ("two", "three")]
    assert later and all(p["status"] == "unchanged" for p in later)
    edit = report["summary"]["edits"][0]
    assert edit["new"].startswith("A clerk later counted") and edit["old"] == ""
    assert edit["at"] == first and edit["last"] in one and edit["last"] != first


def test_keep_pages_refuses_the_reflow_with_a_located_message(base, sentence):
    _, error = sentence
    text = str(error)
    lines = (base.manuscript / "one.md").read_text().splitlines()
    line = next(n for n, l in enumerate(lines, 1) if "item 1.1.2." in l)
    assert f"one.md:{line}: error: this addition pushes " in text
    assert " and reflows pages " in text and "shorten it by " in text
    assert text.endswith("characters or allow reflow (--allow-reflow)")


def test_keep_pages_on_the_command_line(base, sentence, tmp_path):
    new, _ = sentence
    root = tmp_path / "book"
    shutil.copytree(new.manuscript, root)
    shutil.copytree(base.pdf.parent, tmp_path / "out")
    status, out, err = run_cli(
        "build", root, "--output", tmp_path / "out", "--format", "pdf", "--keep-pages"
    )
    assert status == 1 and "one.md:" in err and "reflows pages" in err, err
    assert (tmp_path / "out" / base.pdf.name).read_bytes() == base.pdf.read_bytes()
    status, out, err = run_cli(
        "build", root, "--output", tmp_path / "out", "--format", "pdf", "--allow-reflow"
    )
    assert status == 0, err


@pytest.fixture(scope="module")
def paragraph(base, tmp_path_factory) -> Variant:
    text = chapter(1, "Harbours", 9).replace("[^a]", "[^a]\n\n" + prose(7, 11), 1)
    return variant(base, tmp_path_factory.mktemp("paragraph"), {"one.md": text})


def test_an_added_paragraph_adds_pages_moves_folios_and_contents(base, paragraph):
    status, report = report_json(base.pdf, paragraph.pdf)
    assert status == 1
    summary = report["summary"]
    assert summary["new_pages"] == summary["old_pages"] + 2  # a page, and the blank verso
    assert summary["contents_changed"] is True
    by_page = statuses(report)
    assert sum(1 for s in by_page.values() if s == "added") == 2
    two_three = [p for p in report["pages"] if p["part"] in ("two", "three")]
    assert two_three and all(p["status"] == "folio" for p in two_three)
    assert all(int(p["new"]) == int(p["old"]) + 2 for p in two_three)
    contents = [p for p in report["pages"] if p["status"] == "text" and p["part"] == "opening"]
    assert contents, "the contents page, whose numbers moved, changed"
    assert any(c["old"] != c["new"] for c in contents[0]["changes"])
    signatures = summary["signatures"]["16"]
    assert signatures["intact"] is False


def test_a_changed_note_changes_the_notes_page(base, tmp_path):
    text = chapter(3, "Grain", 5).replace("A note to chapter 3", "A longer note to chapter 3")
    new = variant(base, tmp_path, {"three.md": text})
    status, report = report_json(base.pdf, new.pdf)
    changed = [p for p in report["pages"] if p["status"] != "unchanged"]
    assert [(p["status"], p["part"]) for p in changed] == [("text", "three")]
    assert changed[0]["changes"] == [{"old": "", "new": "longer"}]
    pdf = read_pdf(new.pdf)
    page = next(p for p in pdf.pages if p.label == changed[0]["new"])
    assert any(line.text == "Notes" for line in page.body)


def test_a_cjk_edit_is_compared_by_character(base, tmp_path):
    text = chapter(2, "Cables", 8, CJK_PARAGRAPH.replace("延長した", "短縮した"))
    new = variant(base, tmp_path, {"two.md": text})
    status, report = report_json(base.pdf, new.pdf)
    changed = [p for p in report["pages"] if p["status"] != "unchanged"]
    assert [p["status"] for p in changed] == ["text"]
    assert changed[0]["changes"] == [{"old": "延長", "new": "短縮"}]  # not the whole line


def test_the_changes_pdf_shows_both_pages_with_the_changed_lines_marked(base, sentence, tmp_path):
    new, _ = sentence
    target = tmp_path / "changes.pdf"
    status, out, err = run_cli("changes", base.pdf, new.pdf, "--pdf", target)
    assert status == 1, err
    report = compare_files(base.pdf, new.pdf)
    changed = [p for p in report.pages if p.status != "unchanged"]
    with pikepdf.open(target) as pdf:
        assert len(pdf.pages) == len(changed)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "40",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            str(target),
            str(tmp_path / "sheet"),
        ],
        check=True,
    )
    image = Image.open(next(tmp_path.glob("sheet*.png"))).convert("RGB")
    width, height = image.size
    pixels = image.load()

    def count(left: int, right: int, test) -> int:
        return sum(
            1 for x in range(left, right, 2) for y in range(0, height, 2) if test(pixels[x, y])
        )

    def yellow(p):
        return p[0] > 200 and p[1] > 180 and p[2] < 120

    def dark(p):
        return max(p) < 140  # text (grey at 40 dpi), not a highlight

    # both pages are drawn, the edit is marked yellow on NEW (the right) only
    assert count(0, width // 2, dark) > 100 and count(width // 2, width, dark) > 100
    assert count(width // 2, width, yellow) > 50
    assert count(0, width // 2, yellow) == 0


def weasy_pdf(path: Path, text: str) -> Path:
    from weasyprint import HTML

    body = "".join(
        f"<p>{text} Paragraph {n}: the harbour board met again and agreed "
        f"on item {n} of the agenda after a long debate.</p>"
        for n in range(60)
    )
    HTML(string=f"<html lang=en><body>{body}</body></html>").write_pdf(path)
    return path


def test_pdfs_not_made_by_allianceprint(tmp_path):
    old = weasy_pdf(tmp_path / "old.pdf", "The board sat.")
    new = weasy_pdf(tmp_path / "new.pdf", "The board sat.")
    assert run_cli("changes", old, new)[0] == 0
    text = "".join(
        f"<p>The board sat. Paragraph {n}: the harbour board met again and agreed "
        f"on item {n} of the agenda after a long debate.</p>"
        for n in range(60)
    )
    from weasyprint import HTML

    HTML(string=f"<html><body>{text.replace('item 30 ', 'item 31 ')}</body></html>").write_pdf(new)
    status, report = report_json(old, new)
    assert status == 1 and report["summary"]["recorded"] is False
    changed = [p for p in report["pages"] if p["status"] != "unchanged"]
    assert len(changed) == 1 and changed[0]["status"] == "text"
    assert changed[0]["changes"] == [{"old": "30", "new": "31"}]


def test_bad_input_exits_2_with_one_line(base, tmp_path):
    text = tmp_path / "notes.pdf"
    text.write_text("not a PDF at all\n")
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    encrypted = tmp_path / "encrypted.pdf"
    with pikepdf.open(base.pdf) as pdf:
        pdf.save(encrypted, encryption=pikepdf.Encryption(owner="o", user="u"))
    other = weasy_pdf(tmp_path / "other.pdf", "Something else entirely.")
    for bad, says in (
        (text, "not a PDF"),
        (damaged, "damaged"),
        (encrypted, "encrypted"),
        (other, "not two printings of one book"),
        (tmp_path / "missing.pdf", "cannot read"),
    ):
        status, out, err = run_cli("changes", base.pdf, bad)
        assert status == 2, (bad, err)
        assert len(err.strip().splitlines()) == 1 and says in err, err
        assert "Traceback" not in err and out == ""


def test_two_different_books_by_their_records(base, tmp_path):
    # the same pages, but the record names another book (as a second volume of a series
    # set from the same template would)
    with pikepdf.open(base.pdf) as pdf:
        data = json.loads(pdf.attachments[NAME].get_file().read_bytes())
        data["book"]["title"] = "Another Volume"
        from allianceprint.pagerecord import embed

        del pdf.attachments[NAME]
        if "/AF" in pdf.Root:
            del pdf.Root.AF
        embed(pdf, json.dumps(data).encode())
        pdf.save(tmp_path / "another.pdf")
    status, out, err = run_cli("changes", base.pdf, tmp_path / "another.pdf")
    assert status == 2 and "another book" in err and "Another Volume" in err


def test_a_moved_paragraph_is_moved_text_not_new_text(tmp_path):
    from weasyprint import HTML

    paragraphs = [
        f"<p>Paragraph {n}: the harbour board of {PLACES[n % 12]} met again and "
        f"agreed on item {n} of the agenda after a debate of {n + 3} hours.</p>"
        for n in range(40)
    ]
    HTML(string="".join(paragraphs)).write_pdf(tmp_path / "old.pdf")
    moved = paragraphs[:5] + paragraphs[6:30] + [paragraphs[5]] + paragraphs[30:]
    HTML(string="".join(moved)).write_pdf(tmp_path / "new.pdf")
    report = compare_files(tmp_path / "old.pdf", tmp_path / "new.pdf")
    assert report.edits and all(edit.moved for edit in report.edits)
    assert {p.status for p in report.pages} <= {"unchanged", "reflow"}
    assert "reflow" in {p.status for p in report.pages}
    assert report.as_json()["summary"]["edits"][0]["moved"] is True


def test_a_page_with_more_text_than_a_book_page_is_refused(tmp_path):
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(432, 648))
    page.obj.Resources = pikepdf.Dictionary(
        Font=pikepdf.Dictionary(
            F1=pikepdf.Dictionary(
                Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
            )
        )
    )
    page.obj.Contents = pdf.make_stream(  # 25,000 tiny lines: 450,000 characters
        b"BT /F1 1 Tf 10 10 Td " + b"(xxxxxxxxxx yyyyy) Tj 0 -1 Td " * 25_000 + b" ET"
    )
    pdf.save(tmp_path / "huge.pdf")
    status, out, err = run_cli("changes", tmp_path / "huge.pdf", tmp_path / "huge.pdf")
    assert status == 2 and "more than 200000 characters" in err and len(err.splitlines()) == 1


def test_a_moved_paragraph_is_matched_by_its_block_ids(base, tmp_path):
    paragraphs = prose(3, 5).split("\n\n")
    moved = [paragraphs[1], paragraphs[2], paragraphs[0], paragraphs[3], paragraphs[4]]
    text = chapter(3, "Grain", 5).replace(prose(3, 5), "\n\n".join(moved))
    new = variant(base, tmp_path, {"three.md": text})
    status, report = report_json(base.pdf, new.pdf)
    assert status == 1
    changes = [c for p in report["pages"] for c in p["changes"]]
    assert changes and all(c.get("moved") for c in changes)
    # the paragraph was the chapter's first block; it is its third now
    assert {(c["old_block"], c["new_block"]) for c in changes} == {("three-b1", "three-b3")}
    assert {p["status"] for p in report["pages"]} <= {"unchanged", "reflow"}


def test_the_single_document_build_records_the_same_pages(base, tmp_path):
    written = build(
        base.manuscript, tmp_path / "single", ("pdf",), Diagnostics(), single_document=True
    )
    single = written.outputs[0].path
    status, report = report_json(base.pdf, single)
    assert status == 0, [p for p in report["pages"] if p["status"] != "unchanged"]
    pieces, whole = read_pdf(base.pdf).record, read_pdf(single).record
    assert whole is not None
    assert [(p.label, p.part) for p in whole.pages] == [(p.label, p.part) for p in pieces.pages]
    assert whole.blocks == pieces.blocks


def test_two_corrections_on_following_pages_keep_the_pages(tmp_path):
    from weasyprint import HTML

    from allianceprint.keptpages import check_kept_pages

    def book(*items: int) -> str:
        return "".join(
            f"<p>Paragraph {n}: the harbour board met again and agreed on item "
            f"{n + 1 if n in items else n} of the agenda after a long debate.</p>"
            for n in range(60)
        )

    HTML(string=book()).write_pdf(tmp_path / "old.pdf")
    HTML(string=book(12, 40)).write_pdf(tmp_path / "new.pdf")
    report = compare_files(tmp_path / "old.pdf", tmp_path / "new.pdf")
    changed = [p for p in report.pages if p.status != "unchanged"]
    assert [p.status for p in changed] == ["text", "text"] and changed[0].new != changed[1].new
    assert [(s.first, s.last) for s in report.spans] == [
        (changed[0].new_label,) * 2,
        (changed[1].new_label,) * 2,
    ]
    check_kept_pages(tmp_path / "old.pdf", tmp_path / "new.pdf", tmp_path)  # no error


def test_a_printing_reset_in_a_house_style_is_compared_and_kept_pages_refuse_it(base, tmp_path):
    # A house style that sets the paragraphs narrower: nearly every line of the book differs,
    # but both records say it is the same book. `changes` compares it (it is not "another
    # book": every page is reflowed, no word changed), and `--keep-pages` refuses it by its
    # page count rather than taking it for another book and letting it through unchecked.
    from allianceprint.housestyle import builtin_folder

    css = (builtin_folder() / "print" / "print.css").read_text(encoding="utf-8")
    house = tmp_path / "house" / "print"
    house.mkdir(parents=True)
    (house / "print.css").write_text(css + "\np { margin-right: 14em; }\n", encoding="utf-8")
    shutil.copytree(base.pdf.parent, tmp_path / "reset")
    build(base.manuscript, tmp_path / "reset", ("pdf",), Diagnostics(), styles=house.parent)
    reset = tmp_path / "reset" / base.pdf.name
    status, report = report_json(base.pdf, reset)
    assert status == 1 and report["summary"]["new_pages"] > report["summary"]["old_pages"]
    assert {p["status"] for p in report["pages"]} <= {"unchanged", "reflow", "added"}
    assert report["summary"]["edits"] == []
    shutil.copytree(base.pdf.parent, tmp_path / "kept")
    before = (tmp_path / "kept" / base.pdf.name).read_bytes()
    with pytest.raises(ManuscriptError) as error:
        build(
            base.manuscript,
            tmp_path / "kept",
            ("pdf",),
            Diagnostics(),
            styles=house.parent,
            keep_pages=True,
        )
    assert "book.toml" in str(error.value) and "allow reflow" in str(error.value)
    assert (tmp_path / "kept" / base.pdf.name).read_bytes() == before


def test_a_hyphenated_compound_moved_to_a_line_end_is_not_a_change(base, tmp_path):
    # pdfium reads a line ending in a hyphen joined to the next, the hyphen as U+FFFE: a
    # compound ("Varna-reviewed") that a correction's reflow moves to or from a line's end
    # was reported as a changed word (“Varna￾reviewed” -> “Varna-reviewed”).
    compounds = " ".join(
        f"{PLACES[n % len(PLACES)]}-{ACTS[n % len(ACTS)]}-{THINGS[n % len(THINGS)]}"
        for n in range(30)
    )
    old = variant(base, tmp_path / "old", {"three.md": chapter(3, "Grain", 1, compounds)})
    new = variant(
        base, tmp_path / "new", {"three.md": chapter(3, "Grain", 1, "Also then " + compounds)}
    )
    broken = [
        line.text
        for page in read_pdf(old.pdf).pages + read_pdf(new.pdf).pages
        for line in page.body
        if "\ufffe" in line.text
    ]
    assert broken  # some compound does stand at a line's end
    status, report = report_json(old.pdf, new.pdf)
    edits = [(e["old"], e["new"]) for e in report["summary"]["edits"]]
    assert status == 1 and edits == [("", "Also then")], edits


def test_the_printers_pdf_is_read_as_the_reading_pdf(base, tmp_path):
    # The printer's PDF has slug lines (title, file, date) outside the bleed: they were read
    # as the page's bottom line, the folio as body text, so a correction reported folios as
    # changed words ("+v; -v") and the errata named pages that only reflowed.
    shutil.copytree(base.pdf.parent, tmp_path / "old")
    build(base.manuscript, tmp_path / "old", ("pdf",), Diagnostics(), print_ready=True)
    printer = tmp_path / "old" / "corrected-printings-print.pdf"
    reading, printed = read_pdf(base.pdf), read_pdf(printer)
    assert [(p.label, p.furniture) for p in printed.pages] == [
        (p.label, p.furniture) for p in reading.pages
    ]
    assert [p.signature for p in printed.pages] == [p.signature for p in reading.pages]
    root = tmp_path / "book"
    shutil.copytree(base.manuscript, root)
    one = root / "one.md"
    one.write_text(one.read_text(encoding="utf-8").replace("1003th", "1003rd"), encoding="utf-8")
    shutil.copytree(tmp_path / "old", tmp_path / "new")
    build(root, tmp_path / "new", ("pdf",), Diagnostics(), print_ready=True)
    status, report = report_json(printer, tmp_path / "new" / printer.name)
    changed = [p for p in report["pages"] if p["status"] != "unchanged"]
    assert status == 1 and len(changed) == 1, changed
    assert changed[0]["changes"] == [{"old": "1003th", "new": "1003rd"}]
