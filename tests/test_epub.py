"""The EPUB of the sample volume, read back: spine, nav, notes both ways, metadata.

EPUBCheck and Ace run on it in test_accessibility.py; its page list in test_epub_pages.py.
"""

from __future__ import annotations

import posixpath
import re

import pytest
from conftest import SAMPLE_PARTS, build_book
from epubutil import EPUB_TYPE, NS, Epub
from helpers import DEFAULT_TOML, make_manuscript

TITLES = SAMPLE_PARTS


@pytest.fixture(scope="module")
def book(sample) -> Epub:
    return Epub(sample.epub)


def _title(book: Epub, name: str) -> str:
    doc = book.xml(name)
    h1 = doc.find(".//x:h1", NS)
    for sup in h1.iterfind(".//x:sup", NS):
        sup.getparent().remove(sup)
    return " ".join("".join(h1.itertext()).split())


def test_spine_is_title_page_contents_then_parts_in_order(book):
    names = [posixpath.basename(n) for n in book.spine]
    assert names[:2] == ["titlepage.xhtml", "nav.xhtml"]
    assert [_title(book, n) for n in book.spine[2:]] == TITLES


def test_nav_lists_every_part_with_chapter_authors(book):
    nav = book.xml(book.nav_path)
    toc = nav.find(".//x:nav[@id='toc']", NS)
    assert toc.get(EPUB_TYPE) == "toc"
    entries = toc.findall(".//x:li", NS)
    titles = [
        " ".join("".join(li.find(".//x:span[@class='toc-title']", NS).itertext()).split())
        for li in entries
    ]
    assert titles == TITLES
    authors = {
        t: "".join(li.find(".//x:span[@class='toc-authors']", NS).itertext())
        for t, li in zip(titles, entries)
        if li.find(".//x:span[@class='toc-authors']", NS) is not None
    }
    assert authors["Trusted Networks: Technology Cooperation among Allies"] == "Agnieszka Łęcka"
    assert authors["Introduction"] == "Helena Voss, Daniel Arakawa"
    for li in entries:  # every entry points at a document in the spine
        href = li.find(".//x:a", NS).get("href")
        assert book.href(href) in book.spine


def test_ncx_lists_every_part(book):
    ncx_item = next(
        i for i in book.manifest.values() if i.get("media-type") == "application/x-dtbncx+xml"
    )
    ncx = book.xml(book.href(ncx_item.get("href")))
    labels = [" ".join(t.text.split()) for t in ncx.iterfind(".//ncx:navLabel/ncx:text", NS)]
    assert labels == TITLES


def test_every_note_reference_resolves_both_ways(book):
    total = 0
    for name in book.spine:
        doc = book.xml(name)
        ids = {el.get("id"): el for el in doc.iter() if el.get("id")}
        refs = [a for a in doc.iter("{%s}a" % NS["x"]) if a.get(EPUB_TYPE) == "noteref"]
        notes = [el for el in doc.iter("{%s}aside" % NS["x"]) if el.get(EPUB_TYPE) == "endnote"]
        for ref in refs:
            target = ids[ref.get("href").lstrip("#")]
            assert target.get(EPUB_TYPE) == "endnote" and target in notes
            assert ref.get("role") == "doc-noteref"
            total += 1
        for note in notes:
            backs = [a for a in note.iter("{%s}a" % NS["x"]) if a.get("role") == "doc-backlink"]
            assert backs, f"note {note.get('id')} in {name} has no link back"
            for back in backs:
                ref = ids[back.get("href").lstrip("#")]
                assert ref.get(EPUB_TYPE) == "noteref"
                assert ref.get("href") == "#" + note.get("id")
        # Notes are numbered from 1 in each part, in order of first reference.
        numbers = [int(a.text) for a in refs]
        first_seen = list(dict.fromkeys(numbers))
        assert first_seen == list(range(1, len(first_seen) + 1))
    assert total >= 60


def test_abbreviations_are_marked_everywhere(book):
    chapter = book.xml(next(n for n in book.spine if "economic-security" in n))
    titles = {a.text: a.get("title") for a in chapter.iter("{%s}abbr" % NS["x"])}
    assert titles["U.S."] == "United States"
    assert titles["IPEF"] == "Indo-Pacific Economic Framework"
    abbreviations = book.xml(next(n for n in book.spine if "abbreviations" in n))
    terms = ["".join(dt.itertext()) for dt in abbreviations.iter("{%s}dt" % NS["x"])]
    assert len(terms) >= 60  # the sample volume lists at least 60 acronyms of the field
    assert terms == sorted(terms, key=lambda t: re.sub(r"[^a-z0-9]", "", t.lower()))


def test_metadata(book):
    assert book.metadata("title")[0] == "Allied Horizons"
    assert book.metadata("language") == ["en-US"]
    assert book.metadata("creator") == ["Helena Voss", "Daniel Arakawa"]
    assert set(book.metadata("contributor")) == {
        "Kenji Ōtsuka",
        "Agnieszka Łęcka",
        "Priya Raghunath",
        "Lucía Beltrán",
    }
    assert book.metadata("date") == ["2026-03"]
    assert book.metadata("publisher") == ["Meridian Institute for Policy Studies"]
    assert "sample text" in book.metadata("rights")[0]
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", book.meta_property("dcterms:modified")[0]
    )
    identifier = book.metadata("identifier")[0]
    assert identifier.startswith("urn:uuid:")


def test_identifier_is_stable_and_modified_honours_source_date_epoch(sample, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    again = Epub(build_book(sample.manuscript, tmp_path).epub)
    assert again.metadata("identifier") == Epub(sample.epub).metadata("identifier")
    assert again.meta_property("dcterms:modified") == ["2026-01-01T00:00:00Z"]


def test_notes_are_asides_in_a_numbered_list_at_the_end_of_their_part(book):
    """Pop-up notes where the reading system has them, linked endnotes where it does not."""
    doc = book.xml(next(n for n in book.spine if "trusted-networks" in n))
    section = doc.find(".//x:section[@class='notes']", NS)
    assert section.get(EPUB_TYPE) == "endnotes" and section.get("role") == "doc-endnotes"
    items = section.findall("x:ol/x:li", NS)
    assert len(items) >= 10
    for number, item in enumerate(items, 1):
        (aside,) = item.findall("x:aside", NS)
        assert aside.get(EPUB_TYPE) == "endnote" and aside.get("role") == "note"
        first = aside.find("x:p", NS)  # the number runs into the note's first paragraph
        assert first[0].get("class") == "note-number" and first[0].text == f"{number}."
    # Nothing but the noterefs' targets is marked as a note.
    assert len([el for el in doc.iter() if el.get(EPUB_TYPE) in ("endnote", "footnote")]) == len(
        items
    )


def test_chapter_documents_carry_their_authors(book):
    for name, authors in (
        ("introduction", ["Helena Voss", "Daniel Arakawa"]),
        ("trusted-networks", ["Agnieszka Łęcka"]),
        ("preface", []),
    ):
        doc = book.xml(next(n for n in book.spine if name in n))
        assert [
            m.get("content") for m in doc.iterfind(".//x:head/x:meta[@name='author']", NS)
        ] == authors
        shown = [
            "".join(p.find("x:span[@class='author-name']", NS).itertext())
            for p in doc.iterfind(".//x:header/x:p[@class='part-author']", NS)
        ]
        assert shown == authors


FOOTNOTES_TOML = DEFAULT_TOML + '\n[print]\nnotes = "footnotes"\n'


def test_footnote_mode_makes_the_notes_footnotes(tmp_path):
    root = make_manuscript(tmp_path / "book", toml=FOOTNOTES_TOML)
    book = Epub(build_book(root, tmp_path / "out").epub)
    doc = book.xml(next(n for n in book.spine if n.endswith("one.xhtml")))
    section = doc.find(".//x:section[@class='notes']", NS)
    assert section.get(EPUB_TYPE) == "footnotes" and section.get("role") is None
    (aside,) = section.iterfind(".//x:aside", NS)
    assert aside.get(EPUB_TYPE) == "footnote" and aside.get("role") == "doc-footnote"
    ref = next(a for a in doc.iter("{%s}a" % NS["x"]) if a.get(EPUB_TYPE) == "noteref")
    assert ref.get("href") == "#" + aside.get("id")
