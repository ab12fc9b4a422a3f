"""What the writers share, without a layout: the page numbering both PDF writers use, the one
decision of where notes print, a note's number run in (both editions), and the handle the
pieces writer gives the build while its merge runs."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest

from allianceprint.fragments import inner_html
from allianceprint.model import Note
from allianceprint.noteplacing import NotePlacement, run_in_number
from allianceprint.writers.pagelabels import (
    arabic_from,
    expand_labels,
    label_ranges,
    write_page_labels,
)
from allianceprint.writers.pdfresult import PdfResult, PendingPdf


def test_pages_are_roman_to_the_first_chapter_and_arabic_from_1_there():
    anchors = [("title-page",), (), ("contents",), ("preface",), ("one", "one-1"), (), ()]
    start = arabic_from(anchors, "one")
    assert start == 4
    assert expand_labels(label_ranges(len(anchors), start)) == [
        "i",
        "ii",
        "iii",
        "iv",
        "1",
        "2",
        "3",
    ]


def test_a_book_without_chapters_is_roman_throughout():
    anchors = [("title-page",), ("contents",), ("preface",)]
    assert arabic_from(anchors, None) == 3
    assert arabic_from(anchors, "missing") == 3
    assert expand_labels(label_ranges(3, 3)) == ["i", "ii", "iii"]
    assert expand_labels(label_ranges(2, 0)) == ["1", "2"]


def test_the_page_labels_a_reader_shows(tmp_path: Path):
    pdf = pikepdf.new()
    for _ in range(5):
        pdf.add_blank_page()
    write_page_labels(pdf, label_ranges(5, 2))
    pdf.save(tmp_path / "labels.pdf")
    with pikepdf.open(tmp_path / "labels.pdf") as reopened:
        assert [page.label for page in reopened.pages] == ["i", "ii", "1", "2", "3"]


@pytest.mark.parametrize(
    "mode, notes, expected",
    [
        ("chapter-end", True, (False, True, False, "endnote")),
        ("footnotes", True, (True, False, False, "footnote")),
        ("book-end", True, (False, False, True, "endnote")),
        ("book-end", False, (False, False, False, "endnote")),  # no notes: no notes section
    ],
)
def test_where_notes_print_is_decided_once(mode, notes, expected):
    placement = NotePlacement.decide(mode, notes)
    assert (
        placement.footnotes,
        placement.part_end,
        placement.book_end,
        placement.epub_kind,
    ) == expected
    assert placement.mode == mode


def test_a_note_number_runs_into_its_first_paragraph():
    note = Note(3, "x", "one-note-3", ("one-ref-3", "one-ref-3b"), "<p>First <em>words</em>.</p>")
    assert inner_html(run_in_number(note, {})) == (
        '<p><a class="note-number" href="#one-ref-3">3.</a>First <em>words</em>.</p>'
    )
    assert inner_html(run_in_number(note, {"role": "doc-backlink"}, gap=" ")) == (
        '<p><a class="note-number" href="#one-ref-3" role="doc-backlink">3.</a> First '
        "<em>words</em>.</p>"
    )


def test_a_note_that_opens_with_a_list_gets_a_paragraph_for_its_number():
    note = Note(1, "1", "n1", ("r1",), "<ul><li>a</li></ul>")
    assert inner_html(run_in_number(note, {})) == (
        '<p><a class="note-number" href="#r1">1.</a></p><ul><li>a</li></ul>'
    )


def test_a_pending_pdf_ends_what_runs_when_the_block_fails(tmp_path: Path):
    result = PdfResult(tmp_path / "book.pdf", 1, ("1",), None)
    ended: list[object] = []
    with pytest.raises(RuntimeError):
        with PendingPdf(
            None, lambda: result, lambda kind, error, traceback: ended.append(error)
        ) as pending:
            assert pending.result() is result
            raise RuntimeError("the EPUB failed")
    assert len(ended) == 1 and isinstance(ended[0], RuntimeError)
