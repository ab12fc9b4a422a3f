"""The Chinese sample edition (examples/zh-Hans) set on the grid: every non-final line of
every justified paragraph ends on the right edge (issue 12).

The paragraphs are taken from the rendered manuscript (each part's body: paragraphs, list
items, block quotes, the contributors' entries), not from the typesetting code, so a kind of
paragraph the pre-pass forgets shows up here. The lists of abbreviations (a two-column
list set ragged), headings and notes are not justified lines of prose and are left out. The
PDF is built once for the module and read with pdfplumber.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import lxml.html
import pytest
from test_cjk_typesetting import text_lines

from allianceprint.build import build, checked_book
from allianceprint.errors import Diagnostics

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "zh-Hans"
BODY_SIZE = 10.5
IDEOGRAPH = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
OPENING = "（〔［｛〈《「『【“‘"
CLOSING = "、。，．：；？！）」』》〉】〕”’％‰"


@pytest.fixture(scope="module")
def pdf(tmp_path_factory):
    import pdfplumber

    diagnostics = Diagnostics()
    written = build(SAMPLE, tmp_path_factory.mktemp("zh-sample"), ("pdf",), diagnostics)
    [path] = [o.path for o in written.outputs if o.path.suffix == ".pdf"]
    with pdfplumber.open(path) as document:
        yield document


def bare(text: str) -> str:
    return re.sub(r"[\s\u200b\u2060]", "", text)


def justified_blocks() -> list[str]:
    """The printed text of each block of prose in the parts' bodies, in reading order
    (note numbers left out: they print at another size)."""
    blocks = []
    for part in checked_book(SAMPLE, Diagnostics()).parts:
        root = lxml.html.fragment_fromstring(part.body_html, create_parent="div")
        for element in root.iter("p", "li"):
            if any(a.tag in ("dl", "table", "li") for a in element.iterancestors()):
                continue
            if element.tag == "li" and element.find("p") is not None:
                continue  # its paragraphs are blocks of their own
            for sup in element.xpath(".//sup[contains(@class, 'noteref')]"):
                sup.drop_tree()  # its tail stays
            text = bare(element.text_content())
            if text:
                blocks.append(text)
    return blocks


def body_lines(pdf) -> list[list[dict]]:
    """The lines of body text at the body size, without headings (the sans face)."""
    lines = (
        [c for c in line if "Sans" not in c["fontname"]] for line in text_lines(pdf, BODY_SIZE)
    )
    # An opening mark set half-width (`halt`) is drawn half an em left of its origin, over
    # a halved closing mark before it (`。“`): it is ordered by its middle.
    return [
        sorted(line, key=lambda c: c["x0"] + (c["size"] / 2 if c["text"] in OPENING else 0.0))
        for line in lines
        if line
    ]


def glyphs(line: list[dict]) -> list[dict]:
    return [c for c in line if c["text"].strip()]


def text(line: list[dict]) -> str:
    return "".join(c["text"] for c in line)


def find_blocks(pdf, blocks: list[str]) -> list[tuple[str, list[list[dict]]]]:
    """Each block's printed lines, in order. A list item's first line loses its marker."""
    lines = body_lines(pdf)
    found, at = [], 0
    for target in blocks:
        taken, printed = [], ""
        while at < len(lines) and printed != target:
            line = lines[at]
            at += 1
            for skip in range(4):  # the number of a list item ("1. ") comes first
                if target[len(printed) :].startswith(bare(text(line[skip:]))):
                    break
            else:
                continue  # another block's line, a running head or a folio
            if not taken and len(bare(text(line[skip:]))) < min(4, len(target)):
                continue
            taken.append(line[skip:])
            printed += bare(text(line[skip:]))
        assert printed == target, f"printed:\n{printed}\nsource:\n{target}"
        found.append((target, taken))
    return found


def right_edges(pdf) -> dict[int, float]:
    """The right edge of the text block, by page parity (left and right pages may differ
    by the margins): where most body lines end."""
    ends: dict[int, Counter] = {0: Counter(), 1: Counter()}
    for line in body_lines(pdf):
        ends[line[0]["page_number"] % 2][round(glyphs(line)[-1]["x1"], 1)] += 1
    return {parity: found.most_common(1)[0][0] for parity, found in ends.items() if found}


@pytest.fixture(scope="module")
def blocks(pdf):
    found = find_blocks(pdf, justified_blocks())
    # the sample has body paragraphs, list items and contributors' entries
    assert len(found) >= 40 and sum(len(lines) > 1 for _, lines in found) >= 30
    return found


def test_most_lines_end_on_the_edge(pdf):
    edges = right_edges(pdf)
    ends = [
        abs(glyphs(line)[-1]["x1"] - edges[line[0]["page_number"] % 2]) <= 1.0
        for line in body_lines(pdf)
    ]
    assert sum(ends) > 0.5 * len(ends), (sum(ends), len(ends), edges)


def test_every_non_final_justified_line_ends_on_the_right_edge(pdf, blocks):
    edges = right_edges(pdf)
    misses, widest = [], (0.0, "")
    for _, lines in blocks:
        for line in lines[:-1]:
            right = edges[line[0]["page_number"] % 2]
            last = glyphs(line)[-1]
            if abs(last["x1"] - right) > 1.0:
                misses.append(
                    f"p{line[0]['page_number']}: {right - last['x1']:.2f} pt short: {text(line)}"
                )
        for line in lines:
            for a, b in zip(glyphs(line), glyphs(line)[1:]):
                gap = (b["x0"] - a["x1"]) / BODY_SIZE
                if gap > widest[0]:
                    widest = (gap, f"{a['text']}{b['text']} in {text(line)}")
    assert not misses, "\n".join(misses)
    assert widest[0] <= 0.5, widest


def test_kinsoku_and_no_space_between_ideographs(blocks):
    for _, lines in blocks:
        for line in lines:
            printed = text(line).strip()
            assert printed[0] not in CLOSING, printed
            assert printed[-1] not in OPENING, printed
            assert not re.search(f"{IDEOGRAPH.pattern}\\s+{IDEOGRAPH.pattern}", printed)


def test_white_space_that_prints_nothing_in_cjk_text_is_taken_out():
    from allianceprint import cjk

    document = lxml.html.document_fromstring(
        '<html lang="ja"><body><div class="part-body">'
        "<p>港湾の管理を\nめぐる協議。</p>"
        "<ul><li><strong>要点。</strong> 三つの作業部会 （秋） です</li></ul>"
        "<p>山田 花子、<code>a  b</code> と\nSAR</p></div></body></html>"
    )
    cjk.typeset(document, "ja")
    first, item, last = document.iter("p", "li")
    assert first.text_content() == "港湾の管理をめぐる協議。"  # a source line break
    assert item.text_content() == "要点。三つの作業部会（秋）です"  # the marks' blank sides
    # a space between two ideographs is the author's; code and Latin runs keep theirs
    assert last.text_content().startswith("山田 花子、a  b ")
    assert "SAR" in last.text_content()


def _typeset_paragraph(text: str):
    from allianceprint import cjk

    document = lxml.html.document_fromstring(
        f'<html lang="zh-Hans"><body><div class="part-body"><p>{text}</p></div></body></html>'
    )
    report = cjk.typeset(document, "zh-Hans", 30)
    return document.find(".//p"), report


#: 27 ideographs: with the 2-em indent, the first line holds one more em.
FILLER = "近年来区域合作机制的数量明显增加各国政府在海洋安全气候"


def test_the_filling_breaks_where_pango_does():
    # Pango (UAX 14) breaks neither before “ nor after ”: 的“能力” is one unit, pushed to
    # the next line whole, and the line before it is spaced out (as it prints).
    paragraph, report = _typeset_paragraph(FILLER + "的“能力”与资金问题仍然存在。")
    assert report.pushed_in == 1
    fill = paragraph.find("span[@class='cjk-fill']")
    # the line's characters spaced but its last: 的 is not on it
    assert fill is not None and fill.text == FILLER[:-1] and fill.tail.startswith("候的“")


def test_a_run_before_a_paragraph_ending_unit_is_pushed_in():
    # " AUKUS 楚。" does not fit: two commas are halved, and nothing is spaced out
    text = (
        "我们要求他们既为学者写作，也为实务工作者写作：论点要说得明白，证据要来自官方文件"
        "和二手文献，政策含义要讲清 AUKUS 楚。"
    )
    paragraph, report = _typeset_paragraph(text)
    assert report.pushed_in == 1
    assert [s.text for s in paragraph.iter("span") if s.get("class") == "cjk-halt"] == ["，", "，"]
    assert not [s for s in paragraph.iter("span") if s.get("class") == "cjk-fill"]
