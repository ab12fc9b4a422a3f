"""The print PDF of the sample volume, read back: pages, labels, contents, heads, outline."""

from __future__ import annotations

import re
import subprocess

import pytest
from conftest import SAMPLE_PARTS, have
from pdfutil import Pdf

PARTS = SAMPLE_PARTS
CHAPTERS = PARTS[3:9]


@pytest.fixture(scope="module")
def pdf(sample) -> Pdf:
    return Pdf(sample.pdf)


@pytest.fixture(scope="module")
def part_pages(pdf) -> dict[str, int]:
    """Where each part opens, from the outline's first level."""
    return {item.title: item.page for item in pdf.outline if item.level == 1}


def test_sample_prints_at_50_to_90_pages(pdf):
    assert 50 <= pdf.pages <= 90


def test_outline_lists_every_part_in_order(pdf, part_pages):
    top = [item.title for item in pdf.outline if item.level == 1]
    assert top == ["Contents", *PARTS]
    # Sections come under their part; the notes heading does not clutter the outline.
    second = [item.title for item in pdf.outline if item.level == 2]
    assert "Notes" not in second and "The 2022 Settlement" in second


def test_part_title_stands_on_the_page_the_outline_points_to(pdf, part_pages):
    for title in PARTS:
        page_text = " ".join(pdf.lines[part_pages[title]])
        assert " ".join(title.split()[:3]) in page_text


def test_page_labels_roman_then_arabic_from_the_first_chapter(pdf, part_pages):
    labels = pdf.labels
    first_body = part_pages["Introduction"]
    assert labels[:4] == ["i", "ii", "iii", "iv"]
    assert labels[first_body] == "1"
    assert all(re.fullmatch(r"[ivxlc]+", label) for label in labels[:first_body])
    assert labels[first_body:] == [str(n) for n in range(1, pdf.pages - first_body + 1)]


def test_printed_folios_match_page_labels(pdf, part_pages):
    # A page in the middle of each chapter carries its label as its folio.
    for title in CHAPTERS:
        index = part_pages[title] + 1
        assert pdf.labels[index] in pdf.foot(index).split()


def test_contents_numbers_are_the_pages_where_parts_open(pdf, part_pages):
    contents_page = next(i.page for i in pdf.outline if i.title == "Contents")
    contents = " ".join(pdf.lines[contents_page])
    for title in PARTS:
        printed = pdf.labels[part_pages[title]]
        words = re.escape(title.split()[-1])
        match = re.search(words + r"[\s.]*?(?:\.\s*)+([0-9]+|[ivxlc]+)\b", contents)
        assert match, f"{title} not in the contents"
        assert match.group(1) == printed, title


def test_contents_shows_chapter_authors(pdf):
    contents_page = next(i.page for i in pdf.outline if i.title == "Contents")
    text = "\n".join(pdf.lines[contents_page])
    for name in (
        "Kenji Ōtsuka",
        "Agnieszka Łęcka",
        "Priya Raghunath",
        "Lucía Beltrán",
        "Helena Voss, Daniel Arakawa",
    ):
        assert name in text


def test_every_part_opens_on_a_right_hand_page(part_pages):
    for title, index in part_pages.items():
        assert index % 2 == 0, f"{title} opens on page index {index}, a left-hand page"


def test_running_heads(pdf, part_pages):
    chapter = "Economic Security as Alliance Policy"
    opening = part_pages[chapter]
    assert pdf.head(opening) == ""  # no running head on a part opening
    assert pdf.head(opening + 1) == "Allied Horizons"  # left page: the book
    assert pdf.head(opening + 2) == chapter  # right page: the part's short title
    short = part_pages["Between Deterrence and Reassurance: Japan’s Regional Strategy after 2022"]
    assert pdf.head(short + 2) == "Between Deterrence and Reassurance"


def test_blank_pages_are_blank(pdf, part_pages):
    """A verso left empty before a part opening carries no running head and no folio."""
    openings = set(part_pages.values())
    before = [i for i in range(1, pdf.pages) if i + 1 in openings]
    blanks = [i for i in before if not any(line not in (pdf.labels[i],) for line in pdf.lines[i])]
    assert blanks, "the sample has blank versos before parts"
    for index in blanks:
        assert pdf.lines[index] == [], f"page {pdf.labels[index]} should be blank"


def test_note_on_a_title_is_kept_out_of_contents_heads_and_outline(pdf, part_pages):
    title = "Trusted Networks: Technology Cooperation among Allies"
    opening = part_pages[title]
    assert pdf.lines[opening][0].startswith("Trusted Networks")
    assert re.search(r"Allies\s*1$", " ".join(pdf.lines[opening][:2]))  # the note's number
    assert pdf.head(opening + 2) == "Trusted Networks"


def test_chapter_notes_print_at_the_end_of_their_chapter(pdf, part_pages):
    start = part_pages["Economic Security as Alliance Policy"]
    end = part_pages["The Minilateral Turn: Small Groupings in a Crowded Region"]
    headed = [i for i in range(start, end) if "Notes" in pdf.lines[i]]
    assert len(headed) == 1 and headed[0] > start + 2
    after = " ".join(" ".join(pdf.lines[i]) for i in range(headed[0], end))
    numbers = [int(n) for n in re.findall(r"(?:^|\s)(\d{1,2})\. [A-Z]", after)]
    assert numbers[:15] == list(range(1, 16))


def test_metadata(pdf):
    info = pdf.reader.metadata
    assert info.title.startswith("Allied Horizons")
    assert info.author == "Helena Voss, Daniel Arakawa"
    assert pdf.reader.trailer["/Root"]["/Lang"] == "en-US"


@pytest.mark.skipif(not have("pdffonts"), reason="poppler-utils not installed")
def test_all_fonts_embedded(sample):
    out = subprocess.run(
        ["pdffonts", str(sample.pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert out
    for line in out:
        assert re.search(r"\byes\s+yes\s+(yes|no)\s+\d+\s+\d+\s*$", line), line


def test_latin_extended_names_survive(pdf):
    text = "\n".join("\n".join(lines) for lines in pdf.lines)
    for name in ("Ōtsuka", "Łęcka", "Beltrán"):
        assert name in text
