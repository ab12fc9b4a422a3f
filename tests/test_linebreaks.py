"""linebreaks (WeasyPrint's line breaking, told to avoid the hyphenation faults
hyphens.find_faults names): the first layout already has (almost) no faults, so the
mending passes lay out few pages again; outside `avoiding_faults` nothing changes; and the
WeasyPrint functions it wraps are still the ones it was written against."""

from __future__ import annotations

import random

import pytest
from helpers import source_digest
from test_remake import LONG, SHORT  # the words that make a line breaker hyphenate
from weasyprint import CSS, HTML
from weasyprint.formatting_structure import boxes
from weasyprint.layout import block, inline

from allianceprint import hyphens, linebreaks

# What linebreaks relies on: block layout taking its lines from `iter_line_boxes` one at a
# time, and a text box's line split by `split_first_line`, both by their module names.
# A WeasyPrint upgrade that changes one fails here: check linebreaks against the new code,
# then record the new hashes.
RELIED_ON = {
    "weasyprint.layout.inline.iter_line_boxes": "04aec48abfcad809",
    "weasyprint.layout.block._linebox_layout": "e07bbe000974787e",
    "weasyprint.layout.inline.split_text_box": "8c564329599ef23f",
}

CSS_TEXT = """
@page { size: 260px 360px; margin: 36px 28px }
body { font-size: 11px; line-height: 1.3 }
p { hyphens: auto; text-align: justify; margin: 0; orphans: 2; widows: 2 }
.keep-whole { white-space: nowrap }
"""


def _source(seed: int, paragraphs: int = 24) -> str:
    """Justified paragraphs in a narrow measure, half their words long: many hyphens."""
    rng = random.Random(seed)
    body = "".join(
        "<p>"
        + " ".join(
            rng.choice(LONG) if rng.random() < 0.5 else rng.choice(SHORT)
            for _ in range(rng.randint(30, 90))
        )
        + "</p>"
        for _ in range(paragraphs)
    )
    return f'<html lang="en"><body>{body}</body></html>'


def _render(source: str):
    return HTML(string=source).render(stylesheets=[CSS(string=CSS_TEXT)])


def _lines(document) -> list[tuple[int, str]]:
    """Every line's text, with its page's index."""
    return [
        (index, "".join(box.text for box in line.descendants() if isinstance(box, boxes.TextBox)))
        for index, page in enumerate(document.pages)
        for line in page._page_box.descendants()
        if isinstance(line, boxes.LineBox)
    ]


def _faults(document) -> dict[str, int]:
    """hyphens.find_faults' two kinds, counted from the lines: a third hyphenated line in
    a row on a page; a hyphenated last line of a right-hand page."""
    lines = _lines(document)
    ladders = recto_turns = 0
    run = 0
    for number, (page, text) in enumerate(lines):
        if number and lines[number - 1][0] != page:
            run = 0
        run = run + 1 if text.endswith(("\u2010", "-")) else 0
        ladders += run > linebreaks.MAX_RUN
        last = number + 1 == len(lines) or lines[number + 1][0] != page
        recto_turns += last and page % 2 == 0 and run > 0 and number + 1 < len(lines)
    return {"ladders": ladders, "recto turns": recto_turns}


def _words(document) -> list[str]:
    """The text as words, hyphenations joined up."""
    text = "\n".join(line for _, line in _lines(document))
    return text.replace("\u2010\n", "").split()


def test_the_functions_it_relies_on_are_unchanged():
    for name, digest in RELIED_ON.items():
        assert source_digest(name) == digest, (
            f"WeasyPrint changed {name}: check allianceprint/linebreaks.py against it"
        )
    assert block.iter_line_boxes is linebreaks.iter_line_boxes
    assert inline.split_first_line is linebreaks.split_first_line


def test_outside_avoiding_faults_the_layout_is_weasyprints(monkeypatch):
    source = _source(11)
    wrapped = _lines(_render(source))
    monkeypatch.setattr(block, "iter_line_boxes", linebreaks._iter_line_boxes)
    monkeypatch.setattr(inline, "split_first_line", linebreaks._split_first_line)
    assert _lines(_render(source)) == wrapped


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_first_layout_avoids_the_faults_weasyprint_makes(seed):
    source = _source(seed)
    plain = _render(source)
    with linebreaks.avoiding_faults():
        avoided = _render(source)
    before, after = _faults(plain), _faults(avoided)
    assert before["ladders"] >= 3 and before["recto turns"] >= 1, before
    assert after["ladders"] == 0, after
    assert after["recto turns"] < before["recto turns"], (before, after)
    assert _words(avoided) == _words(plain)  # the same text, only broken elsewhere
    hyphens_set = sum(text.endswith("\u2010") for _, text in _lines(avoided))
    assert hyphens_set > len(_lines(avoided)) // 10  # hyphenation is still on


def test_a_line_kept_unhyphenated_still_fits_its_measure():
    with linebreaks.avoiding_faults():
        document = _render(_source(5))
    for page in document.pages:
        right = page._page_box.content_box_x() + page._page_box.width
        for line in page._page_box.descendants():
            if isinstance(line, boxes.LineBox):
                assert line.position_x + line.width <= right + 0.01


def test_the_mends_now_lay_out_few_pages_again():
    source = _source(2, paragraphs=40)
    layout = hyphens.lay_out_counted(HTML(string=source), [CSS(string=CSS_TEXT)])
    pages = len(layout.document.pages)
    assert layout.laid_out <= pages + pages // 5, (layout.laid_out, pages)
    assert hyphens.find_faults(layout.document) == []
