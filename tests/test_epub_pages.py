"""The print edition's pages in the EPUB: page list, page-break markers, page source.

The sample volume is built in both editions; the words that follow the EPUB's marker for
page N must be the first words printed on page N. The page map itself (pagemap.py) is also
tested on small documents laid out here, where the hard cases are made to happen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.html
import pdfplumber
import pytest
from epubutil import EPUB_TYPE, NS, Epub
from helpers import make_manuscript
from pdfutil import Pdf
from weasyprint import HTML

from allianceprint.build import build, checked_book
from allianceprint.errors import Diagnostics
from allianceprint.pagemap import OwnText, identify_blocks, map_pages, text_position, with_block_ids

WORD = re.compile(r"[^\W\d_]+")  # letters only: note numbers, leaders and dashes drop out
HYPHEN = "\u2010"  # what the print edition's hyphenation adds at a line's end
HEAD_HEIGHT = 0.62 * 72  # the running head stands in the top 0.62in (as in pdfutil)


@dataclass(frozen=True)
class Marker:
    label: str
    document: str  # zip member name
    element_id: str
    words: tuple[str, ...]  # the first words that follow the marker in its document
    table_head: tuple[str, ...]  # in a table's body: the words of its head, else ()


@dataclass(frozen=True)
class Printed:
    words: tuple[str, ...]  # the page's words, without running head and folio
    ends_hyphenated: bool  # its last line of text ends inside a word


@pytest.fixture(scope="module")
def epub(sample) -> Epub:
    return Epub(sample.epub)


@pytest.fixture(scope="module")
def page_list(epub) -> list[tuple[str, str]]:
    """(label, zip member#id) of every entry of the nav's page list."""
    nav = epub.xml(epub.nav_path)
    (pages,) = [n for n in nav.iter("{%s}nav" % NS["x"]) if n.get(EPUB_TYPE) == "page-list"]
    assert pages.get("role") == "doc-pagelist"
    return [(a.text, epub.href(a.get("href"))) for a in pages.iterfind(".//x:li/x:a", NS)]


@pytest.fixture(scope="module")
def markers(epub) -> list[Marker]:
    """Every page-break marker of the spine, in reading order, with the words after it."""
    found = []
    for name in epub.spine:
        doc = epub.xml(name)
        for element in doc.iter():
            if element.get(EPUB_TYPE) == "pagebreak":
                found.append(
                    Marker(
                        element.get("aria-label"),
                        name,
                        element.get("id"),
                        tuple(_words_after(doc, element, 6)),
                        _table_head(element),
                    )
                )
    return found


@pytest.fixture(scope="module")
def printed(sample) -> list[Printed]:
    labels = Pdf(sample.pdf).labels
    pages = []
    with pdfplumber.open(sample.pdf) as pdf:
        for page, label in zip(pdf.pages, labels):
            head = " ".join(
                (page.crop((0, 0, page.width, HEAD_HEIGHT)).extract_text() or "").split()
            )
            lines = [
                " ".join(line.split())
                for line in (page.extract_text() or "").splitlines()
                if line.strip()
            ]
            if head and lines and lines[0] == head:
                lines = lines[1:]
            if lines and lines[-1] == label:  # the folio
                lines = lines[:-1]
            pages.append(
                Printed(
                    tuple(w.casefold() for w in WORD.findall(" ".join(lines))),
                    bool(lines) and lines[-1].endswith(HYPHEN),
                )
            )
    return pages


SENTINEL = "\ue000"  # a private-use character: in no book


def _words_after(doc, marker, count: int) -> list[str]:
    """The first `count` words of text after `marker` in document order."""
    marker.text = SENTINEL
    try:
        # Pieces of text joined with spaces: `<dt>5G</dt><dd>fifth` are two words.
        after = " ".join(doc.itertext()).split(SENTINEL, 1)[1]
    finally:
        marker.text = ""
    return [w.casefold() for w in WORD.findall(after)][:count]


def _table_head(marker) -> tuple[str, ...]:
    body = next((a for a in marker.iterancestors() if a.tag == "{%s}tbody" % NS["x"]), None)
    if body is None:
        return ()
    head = body.getparent().find("x:thead", NS)
    text = " ".join(head.itertext()) if head is not None else ""
    return tuple(w.casefold() for w in WORD.findall(text))


def test_page_list_has_every_printed_page_in_order(sample, page_list):
    assert [label for label, _ in page_list] == Pdf(sample.pdf).labels


def test_every_page_list_entry_is_a_page_break_marker(epub, page_list):
    for label, target in page_list:
        name, element_id = target.split("#")
        assert name in epub.spine
        (marker,) = epub.xml(name).xpath("//*[@id=$id]", id=element_id)
        assert marker.get(EPUB_TYPE) == "pagebreak" and marker.get("role") == "doc-pagebreak"
        assert marker.get("aria-label") == label
        assert marker.tag == "{%s}span" % NS["x"] and not "".join(marker.itertext())


def test_markers_follow_the_printed_pages_through_the_reading_order(sample, markers, page_list):
    """Page-list entries are the markers (nothing from note ids) and stand in page order."""
    assert [m.label for m in markers] == Pdf(sample.pdf).labels
    assert [f"{m.document}#{m.element_id}" for m in markers] == [t for _, t in page_list]


def test_words_after_each_marker_are_the_first_words_of_its_printed_page(markers, printed):
    compared = hyphenated = 0
    for index, (marker, page) in enumerate(zip(markers, printed)):
        if not page.words or marker.document.endswith("nav.xhtml"):
            continue  # blank pages (below); the contents, whose numbers the EPUB leaves out
        expected = list(page.words)
        if index and printed[index - 1].ends_hyphenated:
            # The page begins inside a word hyphenated across the break: its marker stands
            # after that word.
            expected = expected[1:]
            hyphenated += 1
        head = list(marker.table_head)
        if head and expected[: len(head)] == head and marker.words[: len(head)] != head:
            # A table goes on from the page before under its head, repeated: the page's
            # own text begins after it.
            expected = expected[len(head) :]
        # In a table, the PDF's text runs across the cells of a row line by line: only the
        # first word is sure to come first.
        count = 1 if head else 5
        assert list(marker.words[:count]) == expected[:count], f"page {marker.label}"
        compared += 1
    assert compared >= 0.8 * len(printed)  # all but blank pages and the contents
    assert hyphenated  # pages that begin inside a word: the sample has several


def test_a_blank_page_shares_the_place_of_the_next_page(epub, markers, printed):
    blank = [i for i, page in enumerate(printed) if not page.words]
    assert len(blank) >= 3  # versos before parts that open on a right-hand page
    for index in blank:
        marker, following = markers[index], markers[index + 1]
        doc = epub.xml(marker.document)
        (element,) = doc.xpath("//*[@id=$id]", id=marker.element_id)
        assert not (element.tail or "").strip()
        assert element.getnext().get("id") == following.element_id


def test_the_page_source_is_the_print_isbn(epub):
    assert epub.meta_property("pageBreakSource") == ["urn:isbn:9781234567897"]
    features = epub.meta_property("schema:accessibilityFeature")
    assert "pageBreakMarkers" in features and "pageNavigation" in features


def test_an_epub_built_without_the_print_edition_has_no_pages(tmp_path):
    root = make_manuscript(tmp_path / "book")
    built = build(root, tmp_path / "out", ("epub",), Diagnostics())
    book = Epub(built.outputs[0].path)
    nav = book.xml(book.nav_path)
    assert not [n for n in nav.iter() if n.get(EPUB_TYPE) == "page-list"]
    assert not [
        e for name in book.spine for e in book.xml(name).iter() if e.get(EPUB_TYPE) == "pagebreak"
    ]
    assert book.meta_property("pageBreakSource") == []
    assert "pageBreakMarkers" not in book.meta_property("schema:accessibilityFeature")


# --- the page map on small documents -----------------------------------------------------

PAGE_CSS = "<style>@page { size: 3in 2in; margin: 0.2in } body { font: 11pt serif }</style>"


def _layout(body: str, css: str = ""):
    """Lay out `body` (block ids added as build.py does) on small pages."""
    html = (
        f"<html lang='en'><head>{PAGE_CSS}<style>{css}</style></head><body>"
        f"{with_block_ids(body, 'x-b')}</body></html>"
    )
    document = HTML(string=html).render()
    root = lxml.html.fromstring(html)
    anchors = frozenset(el.get("id") for el in root.iter() if el.get("id"))
    labels = [str(n) for n in range(1, len(document.pages) + 1)]
    return document, root, anchors, map_pages(document, labels, anchors)


def _page_texts(document) -> list[str]:
    """The text of each page's flow, in order (what a reader of the paper book sees)."""
    texts = []
    for page in document.pages:
        parts: list[str] = []

        def walk(box):
            if type(box).__name__ in ("MarginBox", "FootnoteAreaBox"):
                return
            if "::" in (box.element_tag or ""):
                return
            if hasattr(box, "text"):
                parts.append(box.text)
            for child in getattr(box, "children", ()):
                walk(child)

        walk(page._page_box)
        texts.append(" ".join(parts))
    return texts


def _text_from(root, anchors, start) -> str:
    """The text of a laid-out document from a page's start on, where the EPUB would put
    the page's marker."""
    (element,) = root.xpath("//*[@id=$id]", id=start.anchor)
    node, attr, index = text_position(element, start.offset, anchors)
    text = getattr(node, attr)
    setattr(node, attr, text[:index] + SENTINEL + text[index:])
    try:
        return "".join(root.find("body").itertext()).split(SENTINEL, 1)[1]
    finally:
        setattr(node, attr, text)


def _squashed(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace() and ch != HYPHEN)


SENTENCE = (
    "Comprehensive internationalization considerations necessitate extraordinarily "
    "thorough deliberations regarding interoperability. "
)


def test_a_page_that_begins_inside_a_hyphenated_word_begins_after_it_in_the_epub():
    body = f"<p>{SENTENCE * 30}</p>"
    document, root, anchors, pages = _layout(body, "p { hyphens: auto; text-align: justify }")
    texts = _page_texts(document)
    cut = [i for i in range(1, len(texts)) if texts[i - 1].rstrip().endswith(HYPHEN)]
    assert cut, "the layout was meant to hyphenate a word across a page break"
    for i in cut:
        start = pages.pages[i]
        fragment = re.match(r"\s*(\w+)", texts[i])[1]  # the end of the hyphenated word
        rest = texts[i].lstrip()[len(fragment) :]
        assert start.anchor == "x-b1"
        assert _squashed(_text_from(root, anchors, start))[:30] == _squashed(rest)[:30]
        # ... and the whole hyphenated word stands before the marker.
        own = OwnText.of(root.xpath("//*[@id='x-b1']")[0], anchors)
        assert own.text[: start.offset].endswith(fragment.casefold())


def test_a_repeated_table_header_is_not_where_a_page_begins():
    rows = "".join(
        f"<tr><td>Row {n} first</td><td>Row {n} second cell</td></tr>" for n in range(1, 30)
    )
    body = (
        f"<table><thead><tr><th>Left head</th><th>Right head</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )
    document, root, anchors, pages = _layout(body)
    texts = _page_texts(document)
    assert len(texts) >= 3 and all(t.lstrip().startswith("Left head") for t in texts)
    for i, start in enumerate(pages.pages[1:], 1):
        first_row = texts[i].split("Right head", 1)[1]  # what follows the repeated header
        assert start.anchor != "x-b1" and start.anchor != "x-b2"
        assert _squashed(_text_from(root, anchors, start))[:12] == _squashed(first_row)[:12]


def test_blank_pages_take_the_next_pages_place_and_text_outside_anchors_is_skipped():
    body = (
        "<div class='print-only'><p>Only in print, on its own page.</p></div>"
        "<section id='one'><p>First part.</p></section>"
        "<section id='two' style='break-before: left'><p>Second part.</p></section>"
    )
    html = (
        f"<html lang='en'><head>{PAGE_CSS}<style>.print-only {{ break-after: page }}"
        f"</style></head><body>{body}</body></html>"
    )
    document = HTML(string=html).render()
    anchors = frozenset({"one", "two"})
    pages = map_pages(document, ["i", "ii", "iii", "iv"][: len(document.pages)], anchors)
    assert len(pages.pages) == 4  # print-only page, part one, blank verso, part two
    assert [(p.anchor, p.offset, p.blank) for p in pages.pages] == [
        ("one", 0, True),
        ("one", 0, False),
        ("two", 0, True),
        ("two", 0, False),
    ]


def test_note_references_count_as_their_own_anchors_not_as_the_paragraphs_text():
    """A paragraph's text is counted the same whether its notes print as numbers or not."""
    html = lxml.html.fromstring(
        "<p id='p1'>Alpha beta<sup><a id='r1' href='#n1'>12</a></sup> gamma delta.</p>"
    )
    anchors = frozenset({"p1", "r1"})
    own = OwnText.of(html, anchors)
    assert own.text == "alphabetagammadelta." and own.word_bounds == (5, 9, 14, 19)
    assert own.word_end(6) == 9 and own.word_end(15) == 19 and own.word_end(19) == 20
    node, attr, index = text_position(html, 9, anchors)
    assert (attr, getattr(node, attr)[index:]) == ("tail", "gamma delta.")
    assert text_position(html, len(own.text), anchors) is None


def test_block_ids_are_added_in_order_and_keep_the_authors_ids():
    html = with_block_ids(
        "<p>One</p><ul><li><p>Two</p></li></ul><h2 id='mine'>Three</h2>"
        "<table><tr><td>Four</td></tr></table>",
        "c-b",
    )
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    ids = [(el.tag, el.get("id")) for el in root.iter() if el.get("id")]
    assert ids == [("p", "c-b1"), ("li", "c-b2"), ("p", "c-b3"), ("h2", "mine"), ("td", "c-b4")]


def test_identify_blocks_registers_the_ids_as_anchors_of_their_part(tmp_path):
    root = make_manuscript(tmp_path / "book")
    book = identify_blocks(checked_book(root, Diagnostics()))
    assert book.anchors["one-b1"] == "one"
    assert 'id="one-b1"' in book.parts[0].body_html
