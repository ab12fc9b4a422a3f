"""remake (WeasyPrint's private layout API, used in that one module): laying a changed
document out again from its changed pages gives the pages a full layout gives, lays out
fewer pages, and WeasyPrint's functions it copies are still the ones it copied.

The mends are made here with the first layout's fault avoidance off
(`linebreaks.avoiding_faults`), so that there are many, early and late, to lay out again."""

from __future__ import annotations

import contextlib
import random

import cssselect2
import pytest
from helpers import source_digest
from weasyprint import CSS, HTML
from weasyprint.formatting_structure import boxes

from allianceprint import hyphens, linebreaks, remake

# The WeasyPrint 70 functions remake copies or relies on. A WeasyPrint upgrade that
# changes one fails here: compare remake._render / _paginate with the new code, then
# record the new hashes (the equality tests below say whether the result still holds).
COPIED = {
    "weasyprint.document.Document._render": "ebaceeb0fa8e79aa",
    "weasyprint.layout.layout_document": "a5cbf437e99caf72",
    "weasyprint.layout.page.make_all_pages": "b5e4034894841caa",
    "weasyprint.layout.page.remake_page": "1ff09b2dffa17839",
}

LONG = (
    "intergovernmental counterproliferation institutionalization interoperability "
    "reconceptualization multilateralism characteristically disproportionately "
    "implementation accountability responsibilities infrastructure"
).split()
SHORT = "the of and to in a is that for on as with by it or".split()

CSS_TEXT = """
@page { size: 280px 380px; margin: 40px 30px;
  @top-center { content: string(head, first-except); font-size: 8px } }
@page :left { @top-center { content: string(book); font-size: 8px } }
body { font-size: 11px; line-height: 1.3 }
p { hyphens: auto; text-align: justify; margin: 0 }
h1 { string-set: head attr(data-head), book "The Book" }
table { width: 100%; border-collapse: collapse }
td { hyphens: auto; vertical-align: top }
.keep-whole { white-space: nowrap }
.footnote { float: footnote; font-size: 8px }
"""


def _text(rng: random.Random, words: int) -> str:
    return " ".join(
        rng.choice(LONG) if rng.random() < 0.45 else rng.choice(SHORT) for _ in range(words)
    )


def _source(seed: int, notes: bool) -> str:
    rng = random.Random(seed)
    parts = ['<h1 data-head="Running Head">Title</h1>']
    for number in range(26):
        note = (
            f'<span class="footnote">{_text(rng, 12)}</span>' if notes and number % 3 == 0 else ""
        )
        parts.append(f"<p>{_text(rng, rng.randint(25, 70))}{note}</p>")
        if number == 9:  # a table across a page break
            rows = "".join(
                f"<tr><td>{_text(rng, 3)}</td><td>{_text(rng, 9)}</td></tr>" for _ in range(14)
            )
            parts.append(f"<table>{rows}</table>")
    return f'<html lang="en"><body>{"".join(parts)}</body></html>'


@pytest.fixture(autouse=True)
def _faults_not_avoided(monkeypatch):
    monkeypatch.setattr(linebreaks, "avoiding_faults", contextlib.nullcontext)


def _full(source: str) -> list:
    """hyphens.lay_out as it was: the whole document laid out in every pass."""
    html = HTML(string=source)
    sheets = [CSS(string=CSS_TEXT)]
    document = html.render(stylesheets=sheets)
    for _ in range(hyphens.PASSES):
        faults = [
            fault
            for fault in hyphens.find_faults(document)
            if hyphens._wrap(fault.element, fault.word)
        ]
        if not faults:
            break
        html.wrapper_element = cssselect2.ElementWrapper.from_html_root(
            html.etree_element, content_language=None
        )
        document = html.render(stylesheets=sheets)
    return _pages(document)


def _pages(document) -> list:
    """Every text box of every page, margin boxes and footnotes included, where it is."""
    return [
        [
            (round(box.position_x, 2), round(box.position_y, 2), box.text)
            for box in page._page_box.descendants()
            if isinstance(box, boxes.TextBox)
        ]
        for page in document.pages
    ]


def test_weasyprints_copied_functions_are_unchanged():
    for name, digest in COPIED.items():
        assert source_digest(name) == digest, (
            f"WeasyPrint changed {name}: check allianceprint/remake.py against it"
        )
    assert remake.SUPPORTED


@pytest.mark.parametrize("notes", [False, True], ids=["no-footnotes", "footnotes"])
def test_laying_out_from_the_changed_pages_gives_the_full_layouts_pages(notes):
    source = _source(7, notes)
    layout = hyphens.lay_out_counted(HTML(string=source), [CSS(string=CSS_TEXT)])
    pages = _pages(layout.document)
    assert pages == _full(source)
    assert len(pages) >= 10
    assert any(text == "Running Head" for page in pages for _, _, text in page)
    assert layout.laid_out > len(pages)  # mended


def test_a_mend_late_in_the_document_lays_out_only_the_pages_from_there():
    rng = random.Random(3)
    plain = [f"<p>{' '.join(rng.choice(SHORT) for _ in range(60))}</p>" for _ in range(30)]
    plain[24] = f"<p>{_text(rng, 160)}</p>"  # the only words long enough to hyphenate
    source = f'<html lang="en"><body><h1 data-head="Head">T</h1>{"".join(plain)}</body></html>'
    layout = hyphens.lay_out_counted(HTML(string=source), [CSS(string=CSS_TEXT)])
    pages = _pages(layout.document)
    assert pages == _full(source)
    # A full layout per pass would be 3 x 12 pages; the mends change the pages from 8 on.
    assert len(pages) + 1 <= layout.laid_out < 2 * len(pages)
