"""`allianceprint import`: Word files in, parts out; notes compared one by one, then
import -> check -> build with every note in the PDF and resolving both ways in the EPUB;
and every kind of bad input refused with one line and nothing written."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from pathlib import Path

import pytest
from docxfixtures import CHAPTER_NOTES, WordFile, chapter, en, fn, p, r
from epubutil import EPUB_TYPE, NS, Epub
from helpers import make_manuscript, run_cli

TOML = """\
# The editors' comment stays where it is.
[book]
title = "Harbour Papers"
language = "en"
editors = ["ed"]

[contributors.ed]
name = "Eda Editor"
affiliation = "Institute of Examples"

[contents]
"""
SLUG = "ports-trust-and-the-northern-corridor"


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(f.relative_to(root)): f.read_bytes() for f in sorted(root.rglob("*")) if f.is_file()
    }


def note_texts(markdown: str) -> list[str]:
    """The notes of a part, in order: `[^n]: text` with its indented continuation."""
    notes = re.findall(r"^\[\^(\d+)\]: (.*?)(?=^\[\^\d+\]: |\Z)", markdown, re.M | re.S)
    assert [int(n) for n, _ in notes] == list(range(1, len(notes) + 1))
    return [text.rstrip() for _, text in notes]


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """The chapter imported into a manuscript whose [contents] is empty, then built once."""
    base = tmp_path_factory.mktemp("import")
    source = chapter().save(base / "chapter.docx")
    root = make_manuscript(base / "ms", files={}, toml=TOML)
    status, out, err = run_cli("import", source, "--into", root)
    assert status == 0, err
    built = base / "build"
    build_status, build_out, build_err = run_cli("build", root, "--output", built)
    return {
        "root": root,
        "source": source,
        "out": out,
        "err": err,
        "build": built,
        "build_status": build_status,
        "build_err": build_err,
        "md": (root / "chapters" / f"{SLUG}.md").read_text(encoding="utf-8"),
    }


def test_every_note_carried_in_reading_order_with_its_content(imported):
    assert note_texts(imported["md"]) == CHAPTER_NOTES
    body = imported["md"].split("\n[^1]: ")[0]
    refs = re.findall(r"\[\^(\d+)\]", body)
    assert refs == [str(n) for n in range(1, len(CHAPTER_NOTES) + 1)]


def test_the_text_box_note_is_read_once_not_from_the_fallback(imported):
    assert imported["md"].count("Text in the box.") == 1
    assert imported["md"].count("A note inside the text box.") == 1


def test_front_matter_title_and_headings(imported):
    md = imported["md"]
    assert md.startswith("---\ntitle: Ports, Trust and the Northern Corridor\n---\n")
    assert "authors" not in md.split("---")[1]  # Word's author is only a hint
    assert "Word names its author 'Ines Koru'" in imported["out"]
    assert re.search(r"^## A first heading \{: #[\w-]+ \}$", md, re.M)
    assert re.search(r"^## A second heading\[\^9\]$", md, re.M)


def test_inline_formatting_lists_quotes_tables_images(imported):
    md = imported["md"]
    assert "long *shaped* the habits of trade **across** the region." in md
    assert "H<sub>2</sub>O" in md and "5<sup>th</sup>" in md
    assert '<span style="font-variant: small-caps">March</span>' in md
    assert "the\u00a0harbour master kept a cross\u2011border ledger" in md
    assert "> *The waterfront plans were debated at length.*" in md
    assert "- First item of the list\n    - A nested item\n- Second item of the list" in md
    assert (
        '1. Numbered one\n    1. Lettered under it\n        {: style="list-style-type: '
        'lower-alpha" }\n        1. Roman under that'
    ) in md
    assert "| Port | Ships |\n| --- | --- |\n| Vaaska[^8] | 12 |\n\nTable: Ships by port" in md
    assert '<th colspan="2">Region</th>' in md and '<td rowspan="2">North</td>' in md
    assert (
        f'![A harbour crane against the sky](../images/{SLUG}/image1.png "The crane at Vaaska")'
    ) in md
    image = imported["root"] / "images" / SLUG / "image1.png"
    assert image.read_bytes().startswith(b"\x89PNG")
    assert re.search(r"\[the first heading\]\(#[\w-]+-toc100\)", md)


def test_comments_and_tracked_changes(imported):
    md = imported["md"]
    assert "<!-- Comment by Ines Koru (2026-01-04): Please cite the harbour survey. -->" in md
    assert "an inserted phrase" in md and "a deleted phrase" not in md
    assert "tracked changes accepted: 1 insertion, 1 deletion" in imported["out"]


def test_what_is_not_carried_is_reported_with_where(imported):
    lines = imported["err"].splitlines()
    source = str(imported["source"])
    assert all(line.startswith(f"{source}: warning: ") for line in lines)
    expected = [
        ('paragraph 5 ("A caption-free paragraph that holds a…")', "text box"),
        ('paragraph 7 ("This sentence has a comment. It…")', "comment by Ines Koru"),
        ('paragraph 7 ("This sentence has a comment. It…")', "1 insertion, 1 deletion"),
        ('paragraph 22 ("Merged cells follow on page 4,…")', "PAGEREF"),
        ("paragraph 22", "Zotero"),
        ("", "both footnotes and endnotes"),
        (
            "",
            "header is not carried (the book prints its own running heads and folios): "
            '"Draft for the editors"',
        ),
        ("", "merged or nested cells"),
    ]
    for where, what in expected:
        assert any(where in line and what in line for line in lines), (where, what)
    assert len(lines) == len(expected)


def test_contents_appended_with_comments_kept(imported):
    toml = (imported["root"] / "book.toml").read_text(encoding="utf-8")
    assert toml.startswith("# The editors' comment stays where it is.\n")
    assert toml.endswith(f'[contents]\nchapters = ["chapters/{SLUG}.md"]\n')


def test_import_check_build_every_note_in_both_editions(imported):
    assert imported["build_status"] == 0, imported["build_err"]
    status, out, err = run_cli("check", imported["root"], "--strict")
    assert status == 0, err
    epub = Epub(next(imported["build"].glob("*.epub")))
    name = next(n for n in epub.spine if SLUG in n)
    doc = epub.xml(name)
    ids = {el.get("id"): el for el in doc.iter() if el.get("id")}
    refs = [a for a in doc.iter("{%s}a" % NS["x"]) if a.get(EPUB_TYPE) == "noteref"]
    notes = [el for el in doc.iter("{%s}aside" % NS["x"]) if el.get(EPUB_TYPE) == "endnote"]
    assert len(refs) == len(notes) == len(CHAPTER_NOTES)
    for ref, note in zip(refs, notes):
        assert ids[ref.get("href").lstrip("#")] is note
        back = next(a for a in note.iter("{%s}a" % NS["x"]) if a.get("role") == "doc-backlink")
        assert ids[back.get("href").lstrip("#")] is ref
    texts = [" ".join("".join(n.itertext()).split()) for n in notes]
    assert texts[0].startswith("1. Marta Ilves, Harbours and Habits")
    assert "Lloyd’s List" in texts[-1] or "Lloyd's List" in texts[-1]
    import pdfplumber

    with pdfplumber.open(next(imported["build"].glob("*.pdf"))) as pdf:
        text = " ".join((page.extract_text() or "") for page in pdf.pages)
    for start in (
        "Marta Ilves",
        "A note inside the text box.",
        "A note in a table cell.",
        "A note on the heading.",
        "The second paragraph carries the argument",
    ):
        assert start in " ".join(text.split())


def test_words_author_names_a_known_contributor(tmp_path):
    source = WordFile([p(r("Tides"), style="Title")], author="Eda  Editor").save(
        tmp_path / "tides.docx"
    )
    root = make_manuscript(tmp_path / "ms", files={}, toml=TOML)
    status, out, err = run_cli("import", source, "--into", root)
    assert status == 0, err
    assert (
        "Word names its author 'Eda  Editor' (contributor ed): if that is the chapter's "
        "author, add `authors: [ed]` to chapters/tides.md's front matter"
    ) in out
    assert "authors" not in (root / "chapters" / "tides.md").read_text(encoding="utf-8")


def test_reject_changes_keeps_deletions(tmp_path):
    source = chapter().save(tmp_path / "chapter.docx")
    root = make_manuscript(tmp_path / "ms", files={}, toml=TOML)
    status, out, err = run_cli(
        "import",
        source,
        "--into",
        root,
        "--track-changes",
        "reject",
        "--name",
        "rejected",
        "--section",
        "back",
    )
    assert status == 0, err
    md = (root / "back" / "rejected.md").read_text(encoding="utf-8")
    assert "a deleted phrase" in md and "an inserted phrase" not in md
    assert "tracked changes rejected: 1 insertion, 1 deletion" in out
    assert 'back = ["back/rejected.md"]' in (root / "book.toml").read_text(encoding="utf-8")


def test_force_replaces_in_place_keeping_the_editors_front_matter(tmp_path):
    root = make_manuscript(tmp_path / "ms", files={}, toml=TOML + 'chapters = ["intro.md"]\n')
    (root / "intro.md").write_text("---\ntitle: Intro\n---\n\nText.\n", encoding="utf-8")
    first = WordFile(
        [p(r("Tides"), style="Title"), p(r("Old text."), fn(1))], footnotes={1: p(r("Old note."))}
    ).save(tmp_path / "tides.docx")
    assert run_cli("import", first, "--into", root)[0] == 0
    part = root / "chapters" / "tides.md"
    part.write_text(
        part.read_text(encoding="utf-8").replace(
            "title: Tides\n", "title: Tides\nshort_title: Tides\nauthors: [ed]\n"
        ),
        encoding="utf-8",
    )
    toml_before = (root / "book.toml").read_text(encoding="utf-8")
    revised = WordFile(
        [p(r("Tides"), style="Title"), p(r("New text."), fn(1))], footnotes={1: p(r("New note."))}
    ).save(tmp_path / "tides.docx")
    before = snapshot(root)
    status, out, err = run_cli("import", revised, "--into", root)
    assert status == 1 and snapshot(root) == before
    assert err.count("\n") == 1 and "--force" in err
    status, out, err = run_cli("import", revised, "--into", root, "--force")
    assert status == 0, err
    text = part.read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: Tides\nshort_title: Tides\nauthors:\n- ed\n---\n")
    assert "New text.[^1]" in text and "[^1]: New note." in text and "Old" not in text
    assert (root / "book.toml").read_text(encoding="utf-8") == toml_before
    assert "replaced" in out


# -- bad input ---------------------------------------------------------------------------------


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _good_members() -> dict[str, bytes]:
    return _members(WordFile([p(r("Fine."))]))


def _members(word: WordFile) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(word.to_bytes())) as archive:
        return {n: archive.read(n) for n in archive.namelist()}


def _lying_zip() -> bytes:
    """A member that declares 1,000 bytes and inflates to 2 MB."""
    members = _good_members()
    members["word/media/big.bin"] = b"\0" * 2_000_000
    data = bytearray(_zip(members))
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            name_len = struct.unpack_from(
                "<H", data, start + (26 if signature == b"PK\x03\x04" else 28)
            )[0]
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at : name_at + name_len] == b"word/media/big.bin":
                struct.pack_into("<I", data, start + offset, 1000)
            start += 4
    return bytes(data)


def _bad_inputs() -> dict[str, tuple[str, bytes]]:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    members = _good_members()
    bomb_entity = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/'
        b'2006/main"><w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body>'
        b"</w:document>"
    )
    escaping_image = dict(members)
    escaping_image["word/_rels/document.xml.rels"] = (
        b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        b'package/2006/relationships"><Relationship Id="rId9" Type="http://schemas.'
        b'openxmlformats.org/officeDocument/2006/relationships/image" '
        b'Target="../../etc/passwd"/></Relationships>'
    )
    absolute_image = dict(escaping_image)
    absolute_image["word/_rels/document.xml.rels"] = escaping_image[
        "word/_rels/document.xml.rels"
    ].replace(b"../../etc/passwd", b"/etc/passwd")
    macro = dict(members)
    macro["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        b"application/vnd.ms-word.document.macroEnabled.main+xml",
    )
    return {
        "old .doc": ("old.docx", ole + b"WordDocument".ljust(64, b"\0")),
        ".doc with an embedded zip": ("embedded.docx", ole + _zip(members)),
        "encrypted": ("secret.docx", ole + "EncryptionInfo".encode("utf-16-le")),
        "encrypted, directory at the end": (
            "secret2.docx",
            ole + b"\0" * 5_000_000 + "EncryptedPackage".encode("utf-16-le"),
        ),
        "text renamed": ("notes.docx", b"Dear editor, here is my chapter.\n"),
        "zip of other things": ("photos.docx", _zip({"a.txt": b"hello"})),
        ".docm by name": ("macro.docm", _zip(members)),
        ".docm renamed .docx": ("macro.docx", _zip(macro)),
        ".dotm renamed .docx": (
            "template.docx",
            _zip(
                {
                    **macro,
                    "[Content_Types].xml": members["[Content_Types].xml"]
                    .replace(
                        b"wordprocessingml.document.main+xml", b"wordprocessingml.template.main+xml"
                    )
                    .replace(
                        b"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
                        b"application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
                    ),
                }
            ),
        ),
        "zip bomb": ("bomb.docx", _zip({**members, "word/media/huge.bin": b"\0" * 70_000_000})),
        "lying sizes": ("liar.docx", _lying_zip()),
        "member climbs out": ("climb.docx", _zip({**members, "../../etc/passwd": b"x"})),
        "absolute member": ("absolute.docx", _zip({**members, "/etc/passwd": b"x"})),
        "image target climbs out": ("target.docx", _zip(escaping_image)),
        "absolute image target": ("abstarget.docx", _zip(absolute_image)),
        "entity bomb": ("lol.docx", _zip({**members, "word/document.xml": bomb_entity})),
    }


BAD = _bad_inputs()


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_one_line_exit_1_nothing_written(tmp_path, case):
    name, data = BAD[case]
    source = tmp_path / "in" / name
    source.parent.mkdir()
    source.write_bytes(data)
    good = WordFile([p(r("A fine chapter"), style="Title")]).save(tmp_path / "in" / "good.docx")
    root = make_manuscript(tmp_path / "ms", files={}, toml=TOML)
    before = snapshot(root)
    status, out, err = run_cli("import", good, source, "--into", root)
    assert status == 1
    assert snapshot(root) == before
    assert sorted(p.name for p in source.parent.iterdir()) == sorted({name, "good.docx"})
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{source}: error: "), err
    assert re.search(r"save it|ask the author|import that", lines[0])


def test_file_over_the_size_limit(tmp_path):
    source = tmp_path / "huge.docx"
    with source.open("wb") as stream:  # sparse: large on paper, nothing on the disk
        stream.write(b"PK\x03\x04")
        stream.truncate(101 * 1024 * 1024)
    root = make_manuscript(tmp_path / "ms", files={}, toml=TOML)
    before = snapshot(root)
    status, out, err = run_cli("import", source, "--into", root)
    assert status == 1 and snapshot(root) == before
    assert err.startswith(f"{source}: error: is 106 MB, over the importer's limit of 104 MB")


# -- files written by LibreOffice (tests/data: the fixtures above, saved by LibreOffice 7) --

DATA = Path(__file__).parent / "data"


def test_a_libreoffice_file_carries_every_note(tmp_path):
    """LibreOffice cannot open a note in a text box (it refuses the file); every other
    note comes through as in the fixture it was saved from."""
    expected = [n for n in CHAPTER_NOTES if "text box" not in n]
    root = make_manuscript(tmp_path / "ms", files={}, toml=TOML)
    status, out, err = run_cli("import", DATA / "libreoffice-chapter.docx", "--into", root)
    assert status == 0, err
    md = (root / "chapters" / f"{SLUG}.md").read_text(encoding="utf-8")
    assert note_texts(md) == expected
    assert "<!-- Comment by Ines Koru (2026-01-04): Please cite the harbour survey. -->" in md
    assert "an inserted phrase" in md and "a deleted phrase" not in md
    assert "7 footnotes, 2 endnotes" in out


def test_a_libreoffice_essay_collection_with_180_footnotes(tmp_path):
    from docxfixtures import essays

    _, phrases = essays(box_notes=False)
    root = make_manuscript(tmp_path / "ms", files={}, toml=TOML)
    status, out, err = run_cli(
        "import", DATA / "libreoffice-essays.docx", "--into", root, "--name", "essays"
    )
    assert status == 0, err
    notes = note_texts((root / "chapters" / "essays.md").read_text(encoding="utf-8"))
    assert len(notes) == len(phrases) == 192
    for phrase, note in zip(phrases, notes):
        assert re.findall(r"(?:end)?mark\d+q", note) == [phrase]
    assert "180 footnotes, 12 endnotes" in out


def test_text_that_looks_like_markdown_hidden_text_and_custom_marks(tmp_path):
    from docxfixtures import comment_around

    hidden = "<w:r><w:rPr><w:vanish/></w:rPr><w:t>HIDDEN</w:t></w:r>"
    custom = '<w:r><w:footnoteReference w:customMarkFollows="1" w:id="2"/><w:t>*</w:t></w:r>'
    word = WordFile(
        [
            p(r("Odd Things"), style="Heading1"),
            p(
                r("Text with a comment "),
                comment_around(3, r("here")),
                fn(1),
                hidden,
                r(" and a custom"),
                custom,
                r(" mark."),
            ),
            p(r("The ASEAN members met.")),
            p(r("1. Not a list"), r(" but a sentence.")),
            p(r("# not a heading [^9] {: .x} <b>bold</b> & &amp; * _ [link](x)")),
            p(r("Table: not a caption")),
        ],
        footnotes={
            1: p(comment_around(4, r("Noted in a note.")), r(" More.")),
            2: p(r("A note with its own mark.")),
        },
        comments={
            3: ("A. B.", "2026-01-01T00:00:00Z", "Check -- this > that"),
            4: ("C. D.", "2026-01-02T00:00:00Z", "In a note."),
        },
    )
    source = word.save(tmp_path / "odd.docx")
    root = make_manuscript(tmp_path / "ms", files={}, toml=TOML)
    assert run_cli("import", source, "--into", root)[0] == 0
    md = (root / "chapters" / "odd-things.md").read_text(encoding="utf-8")
    assert "HIDDEN" not in md and "custom[^2] mark." in md
    assert note_texts(md) == [
        "Noted in a note. More.\n\n    <!-- Comment by C. D. (2026-01-02): In a note. -->",
        "A note with its own mark.",
    ]
    assert "<!-- Comment by A. B. (2026-01-01): Check \u2013 this \u203a that -->" in md
    built = tmp_path / "build"
    status, out, err = run_cli("build", root, "--output", built, "--format", "epub")
    assert status == 0, err
    findings = [line for line in err.splitlines() if ": warning: " in line or ": error: " in line]
    assert len(findings) == 1 and "ASEAN looks like an abbreviation" in findings[0]
    epub = Epub(next(built.glob("*.epub")))
    doc = epub.xml(next(n for n in epub.spine if "odd-things" in n))
    text = " ".join(" ".join(doc.itertext()).split())
    assert "1. Not a list but a sentence." in text
    assert "# not a heading [^9] {: .x} <b>bold</b> & &amp; * _ [link](x)" in text
    assert "Table: not a caption" in text
    assert "Check" not in text  # comments stay in the source, out of the book


def test_images_converted_linked_and_vector(tmp_path):
    from docxfixtures import picture
    from PIL import Image

    tiff = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(tiff, "TIFF")
    emf = struct.pack("<II", 1, 108) + b"\0" * 32 + b" EMF" + b"\0" * 64
    word = WordFile(
        [
            p(r("Pictures"), style="Title"),
            p(picture("rIdT", "A red square", 61)),
            p(picture("rIdE", "A diagram", 62)),
            p(picture("rIdL", "A remote photo", 63, linked=True)),
            p(picture("rIdN", "", 64)),
        ],
        images={
            "rIdT": ("image1.tiff", tiff.getvalue()),
            "rIdE": ("image2.emf", emf),
            "rIdN": ("image3.png", __import__("docxfixtures").tiny_png()),
        },
        linked_images={"rIdL": "https://example.org/photo.jpg"},
    )
    source = word.save(tmp_path / "pictures.docx")
    root = make_manuscript(tmp_path / "ms", files={}, toml=TOML)
    status, out, err = run_cli("import", source, "--into", root)
    assert status == 0, err
    md = (root / "chapters" / "pictures.md").read_text(encoding="utf-8")
    assert "![A red square](../images/pictures/image1.png)" in md
    assert (root / "images" / "pictures" / "image1.png").read_bytes().startswith(b"\x89PNG")
    assert sorted(f.name for f in (root / "images" / "pictures").iterdir()) == [
        "image1.png",
        "image3.png",
    ]
    assert "image2.emf, EMF) cannot be converted" in err
    assert "a linked image (https://example.org/photo.jpg) is not fetched" in err
    assert "an image (image3.png) has no alt text" in err


def test_boxes_in_boxes_vml_boxes_equations_and_restarted_lists(tmp_path):
    from docxfixtures import NUMBERING, picture, text_box, tiny_png

    vml_box = (
        '<w:r><w:pict><v:shape id="b1" style="width:100pt;height:40pt"><v:textbox>'
        "<w:txbxContent>" + p(r("Old-style box."), fn(2)) + "</w:txbxContent>"
        "</v:textbox></v:shape></w:pict></w:r>"
    )
    equation = (
        "<m:oMath><m:r><m:t>E</m:t></m:r><m:r><m:t>=</m:t></m:r><m:r><m:t>mc</m:t></m:r></m:oMath>"
    )
    restart = NUMBERING.replace(
        "</w:numbering>",
        '<w:num w:numId="3"><w:abstractNumId w:val="11"/><w:lvlOverride '
        'w:ilvl="0"><w:startOverride w:val="4"/></w:lvlOverride></w:num></w:numbering>',
    )
    word = WordFile(
        [
            p(r("Boxes"), style="Title"),
            p(
                r("Outer: "),
                text_box(
                    p(r("In the outer box."), fn(1)),
                    p(text_box(p(r("In the inner box."), fn(3)))),
                    p(picture("rIdP", "A boxed picture", 71)),
                ),
            ),
            p(r("Then "), vml_box, r("and an equation "), equation, r(".")),
            p(r("Fourth item"), num=(3, 0)),
            p(r("Fifth item"), num=(3, 0)),
        ],
        footnotes={
            1: p(r("Outer box note.")),
            2: p(r("VML box note.")),
            3: p(r("Inner box note.")),
        },
        images={"rIdP": ("image1.png", tiny_png())},
        extra_members={"word/numbering.xml": restart.encode()},
    )
    source = word.save(tmp_path / "boxes.docx")
    root = make_manuscript(tmp_path / "ms", files={}, toml=TOML)
    status, out, err = run_cli("import", source, "--into", root)
    assert status == 0, err
    md = (root / "chapters" / "boxes.md").read_text(encoding="utf-8")
    assert note_texts(md) == ["Outer box note.", "Inner box note.", "VML box note."]
    for text in (
        "In the outer box.",
        "In the inner box.",
        "Old-style box.",
        "![A boxed picture](../images/boxes/image1.png)",
    ):
        assert md.count(text) == 1, text
    assert "and an equation *E=mc*." in md
    assert "4. Fourth item\n5. Fifth item" in md
    assert "an equation is kept as plain text" in err


def test_heading_levels_follow_the_title(tmp_path):
    ruby = (
        "<w:r><w:ruby><w:rubyPr/><w:rt><w:r><w:t>みなと</w:t></w:r></w:rt><w:rubyBase>"
        "<w:r><w:t>港</w:t></w:r></w:rubyBase></w:ruby></w:r>"
    )
    word = WordFile(
        [
            p(r("Collected Essays", b=True), style="Heading1"),
            p(r("Intro text.")),
            p(r("First essay", b=True), style="Heading1"),
            p(r("Its section"), style="Heading2"),
            p(r("A deep part"), style="Heading4"),
            p(r("The word "), ruby, r(" means harbour.")),
            p(r("Second essay"), style="Heading1"),
        ]
    )
    source = word.save(tmp_path / "collected.docx")
    root = make_manuscript(tmp_path / "ms", files={}, toml=TOML)
    assert run_cli("import", source, "--into", root)[0] == 0
    md = (root / "chapters" / "collected-essays.md").read_text(encoding="utf-8")
    headings = re.findall(r"^#+ .*$", md, re.M)
    assert headings == ["## First essay", "### Its section", "#### A deep part", "## Second essay"]
    assert md.startswith("---\ntitle: Collected Essays\n---\n")
    assert "The word 港 means harbour." in md


def test_links_that_cannot_be_links_are_text_with_a_warning(tmp_path):
    from docxfixtures import anchor_link, bookmark, link

    word = WordFile(
        [
            p(r("Links"), style="Title"),
            p(r("A figure"), bookmark("_Ref5")),
            p(
                r("See "),
                anchor_link("_Ref5", "the figure above"),
                r(", "),
                link("rIdF", "a local file"),
                r(" and "),
                link("rIdM", "mail"),
                r("."),
            ),
        ],
        links={"rIdF": "file:///C:/Users/x/notes.docx", "rIdM": "mailto:editor@example.org"},
    )
    source = word.save(tmp_path / "links.docx")
    root = make_manuscript(tmp_path / "ms", files={}, toml=TOML)
    status, out, err = run_cli("import", source, "--into", root)
    assert status == 0, err
    md = (root / "chapters" / "links.md").read_text(encoding="utf-8")
    assert "See the figure above, a local file and [mail](mailto:editor@example.org)." in md
    lines = err.splitlines()
    assert len(lines) == 2
    assert 'paragraph 3 ("See the figure above, a local…"): a link to a place' in lines[0]
    assert "'file:///C:/Users/x/notes.docx' is kept as plain text" in lines[1]
    assert run_cli("check", root, "--strict")[0] == 0


@pytest.mark.parametrize("mode", ["accept", "reject"])
def test_deleted_paragraph_marks_and_formatting_changes(tmp_path, mode):
    deleted_mark = (
        "<w:p><w:pPr><w:rPr>"
        '<w:del w:id="7" w:author="R" w:date="2026-01-05T10:00:00Z"/>'
        "</w:rPr></w:pPr>" + r("The first half") + "</w:p>"
    )
    changed = (
        '<w:r><w:rPr><w:i/><w:rPrChange w:id="8" w:author="R" w:date="2026-01-05T10:00:00Z">'
        "<w:rPr><w:b/></w:rPr></w:rPrChange></w:rPr><w:t>styled</w:t></w:r>"
    )
    inserted_mark = deleted_mark.replace("w:del", "w:ins").replace("first half", "one part")
    word = WordFile(
        [
            p(r("Joins"), style="Title"),
            deleted_mark,
            p(r(" and the second half.")),
            p(r("A word once "), changed, r(".")),
            inserted_mark,  # the author split a paragraph
            p(r(" and its other part.")),
        ]
    )
    source = word.save(tmp_path / "joins.docx")
    root = make_manuscript(tmp_path / "ms", files={}, toml=TOML)
    status, out, err = run_cli("import", source, "--into", root, "--track-changes", mode)
    assert status == 0, err
    md = (root / "chapters" / "joins.md").read_text(encoding="utf-8")
    if mode == "accept":
        assert "The first half and the second half." in md and "once *styled*." in md
        assert "The one part\n\nand its other part." in md
    else:
        assert "The first half\n\nand the second half." in md and "once **styled**." in md
        assert "The one part and its other part." in md
    assert f"tracked changes {mode}ed: 1 insertion, 1 deletion, 1 formatting change" in out


def test_a_note_on_the_title(tmp_path):
    word = WordFile(
        [p(r("A Title with a "), r("Note", i=True), fn(1), style="Title"), p(r("Body."), fn(2))],
        footnotes={1: p(r("Thanks to the workshop.")), 2: p(r("Body note."))},
    )
    source = word.save(tmp_path / "tnote.docx")
    root = make_manuscript(tmp_path / "ms", files={}, toml=TOML)
    assert run_cli("import", source, "--into", root)[0] == 0
    md = (root / "chapters" / "a-title-with-a-note.md").read_text(encoding="utf-8")
    assert md.startswith("# A Title with a *Note*[^1]\n\nBody.[^2]\n")
    assert note_texts(md) == ["Thanks to the workshop.", "Body note."]
    status, out, err = run_cli("check", root, "--strict")
    assert status == 0, err


def test_notes_inside_links_and_one_cell_boxes(tmp_path):
    from docxfixtures import cell, picture, table, tiny_png

    linked_note = '<w:hyperlink r:id="rIdW">' + r("the harbour site") + fn(1) + "</w:hyperlink>"
    word = WordFile(
        [
            p(r("Boxes and links"), style="Title"),
            p(r("See "), linked_note, r(".")),
            table(
                [cell(p(r("Boxed text with a note."), fn(2)), p(r("Its second line.")))], columns=1
            ),
            p(picture("rIdP", "A crane. Description automatically generated", 81)),
        ],
        footnotes={1: p(r("Linked note.")), 2: p(r("Boxed note."))},
        links={"rIdW": "https://example.org/harbour"},
        images={"rIdP": ("image1.png", tiny_png())},
    )
    source = word.save(tmp_path / "boxes.docx")
    root = make_manuscript(tmp_path / "ms", files={}, toml=TOML)
    status, out, err = run_cli("import", source, "--into", root)
    assert status == 0, err
    md = (root / "chapters" / "boxes-and-links.md").read_text(encoding="utf-8")
    assert "See [the harbour site](https://example.org/harbour)[^1]." in md
    assert "\n\nBoxed text with a note.[^2]\n\nIts second line.\n\n" in md
    assert "one-cell table (a box) is written as its text" in err
    assert "was written by Word automatically: check it" in err
    assert run_cli("check", root)[0] == 0


def test_notes_in_captions_are_kept(tmp_path):
    from docxfixtures import cell, picture, table, tiny_png

    word = WordFile(
        [
            p(r("Captions"), style="Title"),
            p(r("Table 1: Trade by "), r("port", i=True), fn(1), style="Caption"),
            table(
                [cell(p(r("Port"))), cell(p(r("Tons")))], [cell(p(r("Vaaska"))), cell(p(r("9")))]
            ),
            p(picture("rIdP", "A crane", 91)),
            p(r("Figure 1: The crane"), fn(2), style="Caption"),
            p(picture("rIdP", "The crane again", 92)),
            p(r("Figure 2: The "), r("same", i=True), r(' crane "again"'), style="Caption"),
        ],
        footnotes={1: p(r("Source: the port's ledgers.")), 2: p(r("Photograph by the author."))},
        images={"rIdP": ("image1.png", tiny_png())},
    )
    source = word.save(tmp_path / "captions.docx")
    root = make_manuscript(tmp_path / "ms", files={}, toml=TOML)
    status, out, err = run_cli("import", source, "--into", root)
    assert status == 0, err
    md = (root / "chapters" / "captions.md").read_text(encoding="utf-8")
    assert "| Vaaska | 9 |\n\nTable: Trade by *port*[^1]" in md
    assert "![A crane](../images/captions/image1.png)\n\nThe crane[^2]" in md
    assert (
        '![The crane again](../images/captions/image1.png "The same crane \u201cagain\u201d")'
    ) in md
    assert note_texts(md) == ["Source: the port's ledgers.", "Photograph by the author."]
    assert "a figure caption holds a note" in err
    assert run_cli("check", root, "--strict")[0] == 0


def test_a_note_in_a_nested_table_is_kept(tmp_path):
    from docxfixtures import cell, table

    inner = table([cell(p(r("inner"), fn(1))), cell(p(r("cell")))], columns=2)
    word = WordFile(
        [
            p(r("Nested"), style="Title"),
            table(
                [cell(p(r("Outer")), inner), cell(p(r("right")))],
                [cell(p(r("a"))), cell(p(r("b")))],
            ),
        ],
        footnotes={1: p(r("Deep note."))},
    )
    source = word.save(tmp_path / "nested.docx")
    root = make_manuscript(tmp_path / "ms", files={}, toml=TOML)
    status, out, err = run_cli("import", source, "--into", root)
    assert status == 0, err
    md = (root / "chapters" / "nested.md").read_text(encoding="utf-8")
    assert "| Outer <br /> inner[^1] <br /> cell | right |" in md
    assert note_texts(md) == ["Deep note."]
    assert "nested in a table cell holds a note" in err
    assert run_cli("check", root, "--strict")[0] == 0


# -- a property: whatever text a Word paragraph or note holds, the part shows that text ----

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_PIECES = st.sampled_from(
    [
        "*",
        "**",
        "_",
        "__",
        "`",
        "[",
        "]",
        "[^1]",
        "[^x]:",
        "(",
        ")",
        "#",
        "# ",
        "> ",
        "- ",
        "+ ",
        "1. ",
        "2) ",
        "|",
        "\\",
        "<",
        ">",
        "<b>",
        "</i>",
        "&",
        "&amp;",
        "&#91;",
        "{",
        "}",
        "{: #id }",
        "*[ABC]: x",
        "Table: ",
        "---",
        "===",
        "!",
        "![x](y)",
        "<!--",
        "-->",
        "~",
        "http://",
        "  ",
        " ",
        "word",
        "Wörter",
        "日本",
        "\u00a0",
        "'",
        '"',
        "...",
        "--",
        ":",
    ]
)


def _render_text(markdown_text: str) -> str:
    """The text a reader sees, as Python-Markdown with the dialect's core extensions
    renders it (no smart punctuation, which changes quotes and dashes on purpose)."""
    import markdown as md
    from lxml import html as lxml_html

    rendered = md.markdown(
        markdown_text, extensions=["footnotes", "attr_list", "tables", "sane_lists"]
    )
    tree = lxml_html.fromstring(f"<div>{rendered}</div>")
    for back in tree.xpath("//a[contains(@class, 'footnote-backref')]"):
        back.drop_tree()
    for ref in tree.xpath("//sup[starts-with(@id, 'fnref')]"):
        ref.drop_tree()
    return " ".join(tree.text_content().split())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=st.lists(_PIECES, min_size=1, max_size=12).map("".join),
    note=st.lists(_PIECES, min_size=1, max_size=8).map("".join),
    italic=st.booleans(),
)
def test_any_text_comes_through_as_text(body, note, italic):
    from allianceprint.importer.markdown import write_markdown
    from allianceprint.importer.package import open_docx
    from allianceprint.importer.reader import read_document

    word = WordFile(
        [p(r("Title"), style="Title"), p(r(body, i=italic), fn(1))], footnotes={1: p(r(note))}
    )
    with __import__("tempfile").TemporaryDirectory() as folder:
        source = word.save(Path(folder) / "prop.docx")
        part = write_markdown(read_document(open_docx(source)), "prop", "../images/prop")
    shown = _render_text(part.body)
    expected_body = " ".join(body.split())
    expected_note = " ".join(note.split())
    assert shown.startswith(expected_body), (part.body, shown)
    assert shown.endswith(expected_note), (part.body, shown)


def test_a_choice_the_reader_cannot_read_gives_way_to_its_fallback(tmp_path):
    chartex = (
        '<w:r><w:rPr><w:i/></w:rPr><mc:AlternateContent><mc:Choice Requires="cx1">'
        '<w:drawing><wp:inline><wp:docPr id="3" name="Chart"/></wp:inline></w:drawing>'
        "</mc:Choice><mc:Fallback><w:t>A chart Word shows to older readers.</w:t>"
        "</mc:Fallback></mc:AlternateContent></w:r>"
    )
    word = WordFile([p(r("Fallbacks"), style="Title"), p(chartex)])
    source = word.save(tmp_path / "fallbacks.docx")
    root = make_manuscript(tmp_path / "ms", files={}, toml=TOML)
    assert run_cli("import", source, "--into", root)[0] == 0
    md = (root / "chapters" / "fallbacks.md").read_text(encoding="utf-8")
    assert "*A chart Word shows to older readers.*" in md


def _import(word: WordFile, tmp_path: Path, stem: str) -> tuple[Path, str, str]:
    """`word` saved as `stem`.docx and imported into a new manuscript, which must work: the
    manuscript folder, stdout and stderr."""
    source = word.save(tmp_path / f"{stem}.docx")
    root = make_manuscript(tmp_path / "ms", files={}, toml=TOML)
    status, out, err = run_cli("import", source, "--into", root)
    assert status == 0, err
    return root, out, err


def test_a_line_break_in_the_title_or_a_caption_is_a_space(tmp_path):
    from docxfixtures import picture, tiny_png

    brk = "<w:r><w:br/></w:r>"
    word = WordFile(
        [
            p(r("Ledgers of the"), brk, r("Inland Waterways"), style="Title"),
            p(picture("rIdB", "A barge", 81)),
            p(r("Figure 1: A barge"), brk, r("at dawn"), style="Caption"),
        ],
        images={"rIdB": ("image1.png", tiny_png())},
    )
    root, out, err = _import(word, tmp_path, "ledgers")
    md = (root / "chapters" / "ledgers-of-the-inland-waterways.md").read_text(encoding="utf-8")
    assert md.startswith("---\ntitle: Ledgers of the Inland Waterways\n---\n")
    assert '"A barge at dawn")' in md


def test_a_restarted_list_is_a_list_of_its_own_and_instances_continue(tmp_path):
    """LibreOffice writes "restart at 1" as an instance with a startOverride and the items
    after it as another instance of the same definition: Word counts per definition, so
    they continue (1, 2), and the restarted list must not join the one before it."""
    from docxfixtures import NUMBERING

    numbering = NUMBERING.replace(
        "</w:numbering>",
        '<w:num w:numId="3"><w:abstractNumId w:val="11"/><w:lvlOverride w:ilvl="0">'
        '<w:startOverride w:val="1"/></w:lvlOverride></w:num>'
        '<w:num w:numId="4"><w:abstractNumId w:val="11"/></w:num>'
        # a restart written as a redefined level (w:lvl with its w:start)
        '<w:num w:numId="5"><w:abstractNumId w:val="11"/><w:lvlOverride w:ilvl="0">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/></w:lvl>'
        "</w:lvlOverride></w:num></w:numbering>",
    )
    word = WordFile(
        [
            p(r("Lists"), style="Title"),
            p(r("Item one"), num=(2, 0)),
            p(r("Item two"), num=(2, 0)),
            p(r("Again one"), num=(3, 0)),
            p(r("Again two"), num=(4, 0)),
            p(r("Third one"), num=(5, 0)),
        ],
        extra_members={"word/numbering.xml": numbering.encode()},
    )
    root, _, _ = _import(word, tmp_path, "lists")
    md = (root / "chapters" / "lists.md").read_text(encoding="utf-8")
    assert "1. Item one\n2. Item two\n\n" in md
    assert "\n1. Again one\n2. Again two\n\n<!-- a new list -->\n\n1. Third one\n" in md
    status, _, err = run_cli("build", root, "--output", tmp_path / "out", "--format", "epub")
    assert status == 0, err
    epub = Epub(next((tmp_path / "out").glob("*.epub")))
    doc = epub.xml(next(n for n in epub.spine if "lists" in n))
    lists = [
        ["".join(li.itertext()).strip() for li in ol.iterfind("x:li", NS)]
        for ol in doc.iter("{%s}ol" % NS["x"])
    ]
    assert lists == [["Item one", "Item two"], ["Again one", "Again two"], ["Third one"]]
    assert all(ol.get("start") in (None, "1") for ol in doc.iter("{%s}ol" % NS["x"]))


def test_a_comment_in_a_table_cell_is_kept_after_the_table(tmp_path):
    from docxfixtures import cell, comment_around, table

    word = WordFile(
        [
            p(r("Tables with comments"), style="Title"),
            table(
                [cell(p(r("Port"))), cell(p(r("Ships")))],
                [cell(p(comment_around(1, r("Vaaska")))), cell(p(r("12")))],
            ),
            p(r("Between the tables.")),
            table(
                [cell(p(r("Region")), span=2)],
                [cell(p(r("North"))), cell(p(comment_around(2, r("5"))))],
            ),
        ],
        comments={
            1: ("Ines Koru", "2026-01-04T09:00:00Z", "Is Vaaska spelt right?"),
            2: ("Ines Koru", "2026-01-04T09:00:00Z", "Five or six?"),
        },
    )
    root, _, err = _import(word, tmp_path, "comments")
    md = (root / "chapters" / "tables-with-comments.md").read_text(encoding="utf-8")
    assert (
        "| Vaaska | 12 |\n\n"
        "<!-- Comment by Ines Koru (2026-01-04): Is Vaaska spelt right? -->\n\n"
        "Between the tables."
    ) in md
    assert "</table>\n\n<!-- Comment by Ines Koru (2026-01-04): Five or six? -->" in md
    assert err.count("kept as an HTML comment") == 2


def test_files_whose_titles_have_no_latin_letters_are_named_after_the_file(tmp_path):
    root = make_manuscript(tmp_path / "ms", files={}, toml=TOML)
    for stem, title in (("ch03-wang", "港口、信任与北方走廊"), ("ch04-li", "海关与记录")):
        word = WordFile(
            [p(r(title), style="Title"), p(r("正文。"), fn(1))], footnotes={1: p(r("注。"))}
        )
        status, out, err = run_cli("import", word.save(tmp_path / f"{stem}.docx"), "--into", root)
        assert status == 0, err
        md = (root / "chapters" / f"{stem}.md").read_text(encoding="utf-8")
        assert md.startswith(f"---\ntitle: {title}\n---\n")
        assert f"chapters/{stem}.md: 1 note (1 footnote), 0 warnings" in out
    toml = (root / "book.toml").read_text(encoding="utf-8")
    assert 'chapters = ["chapters/ch03-wang.md", "chapters/ch04-li.md"]' in toml


def test_an_image_in_a_merged_cell_table_is_saved_and_written_after_it(tmp_path):
    from docxfixtures import cell, picture, table, tiny_png

    word = WordFile(
        [
            p(r("Merged"), style="Title"),
            table(
                [cell(p(r("Tolls")), span=2)],
                [cell(p(r("1911"))), cell(p(picture("rIdT", "A chart of tolls", 82)))],
            ),
            p(r("After the table.")),
        ],
        images={"rIdT": ("image1.png", tiny_png())},
    )
    root, out, err = _import(word, tmp_path, "merged")
    md = (root / "chapters" / "merged.md").read_text(encoding="utf-8")
    assert "</table>\n\n![A chart of tolls](../images/merged/image1.png)\n\nAfter" in md
    assert (root / "images" / "merged" / "image1.png").read_bytes() == tiny_png()
    assert "1 image" in out
    assert "merged.docx: warning: the table after paragraph 1: an image (image1.png)" in err


def test_a_file_without_styles_xml_keeps_its_title_and_headings(tmp_path):
    """A program's .docx may use Word's style ids (Title, Heading1) without a styles.xml
    that defines them: the ids are read as the names."""
    word = WordFile(
        [
            p(r("Generated Report"), style="Title"),
            p(r("Findings"), style="Heading1"),
            p(r("Body text"), fn(1), r(".")),
            p(r("Detail"), style="Heading2"),
        ],
        footnotes={1: p(r("The note."))},
    )
    members = _members(word)
    del members["word/styles.xml"]
    source = tmp_path / "generated.docx"
    source.write_bytes(_zip(members))
    root = make_manuscript(tmp_path / "ms", files={}, toml=TOML)
    status, _, err = run_cli("import", source, "--into", root)
    assert status == 0, err
    md = (root / "chapters" / "generated-report.md").read_text(encoding="utf-8")
    assert md == (
        "---\ntitle: Generated Report\n---\n\n## Findings\n\nBody text[^1].\n\n### Detail\n\n"
        "[^1]: The note.\n"
    )


def test_a_page_break_inside_a_paragraph_keeps_the_words_apart(tmp_path):
    page = '<w:r><w:br w:type="page"/></w:r>'
    word = WordFile(
        [
            p(r("Breaks"), style="Title"),
            p(r("The first part ends here."), page, r("The second begins.")),
            p(r("Two columns:"), '<w:r><w:br w:type="column"/></w:r>', r("the right one.")),
            p(page, r("A new section"), style="Heading1"),
            p(r("A line typed with Shift+Enter after it."), "<w:r><w:br/></w:r>", r(" ")),
        ]
    )
    root, _, err = _import(word, tmp_path, "breaks")
    md = (root / "chapters" / "breaks.md").read_text(encoding="utf-8")
    assert md == (
        "---\ntitle: Breaks\n---\n\n"
        "The first part ends here.<br />The second begins.\n\n"
        "Two columns:<br />the right one.\n\n"
        "## A new section\n\n"
        "A line typed with Shift+Enter after it.\n"
    )


def test_rows_that_skip_grid_columns_keep_each_cell_in_its_column(tmp_path):
    """gridBefore/gridAfter (tables pasted from the web or converted from PDF): a row's
    cells start further right, and a vertical merge continues across such a row."""
    from docxfixtures import cell

    def row(*cells: str, before: int = 0, after: int = 0) -> str:
        skips = (f'<w:gridBefore w:val="{before}"/>' if before else "") + (
            f'<w:gridAfter w:val="{after}"/>' if after else ""
        )
        return f"<w:tr><w:trPr>{skips}</w:trPr>{''.join(cells)}</w:tr>"

    def grid_table(*rows: str) -> str:
        return (
            '<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr><w:tblGrid>'
            + '<w:gridCol w:w="2000"/>' * 3
            + f"</w:tblGrid>{''.join(rows)}</w:tbl>"
        )

    word = WordFile(
        [
            p(r("Grid"), style="Title"),
            grid_table(
                row(cell(p(r("A"))), cell(p(r("B"))), cell(p(r("C")))),
                row(cell(p(r("b2"))), cell(p(r("c2"))), before=1),
                row(cell(p(r("a3"))), cell(p(r("b3"))), after=1),
            ),
            p(r("Between.")),
            grid_table(
                row(cell(p(r("Year"))), cell(p(r("North"))), cell(p(r("South")))),
                row(cell(p(r("x"))), cell(p(r("down")), vmerge="restart"), cell(p(r("s1")))),
                row(cell(p(r("y"))), cell(p(), vmerge="continue"), cell(p(r("s2")))),
                row(cell(p(), vmerge="continue"), cell(p(r("s3"))), before=1),
            ),
        ]
    )
    root, _, err = _import(word, tmp_path, "grid")
    md = (root / "chapters" / "grid.md").read_text(encoding="utf-8")
    assert "| A | B | C |\n| --- | --- | --- |\n|   | b2 | c2 |\n| a3 | b3 |   |\n" in md
    assert (
        '<tr><td>x</td><td rowspan="3">down</td><td>s1</td></tr>\n'
        "<tr><td>y</td><td>s2</td></tr>\n<tr><td></td><td>s3</td></tr>\n"
    ) in md


def test_an_empty_or_deleted_list_item_takes_no_number(tmp_path):
    from docxfixtures import dele

    deleted_mark = '<w:pPr><w:rPr><w:del w:id="300" w:author="Rena Vask" w:date="2026-01-05T10:00:00Z"/></w:rPr>'
    word = WordFile(
        [
            p(r("Gaps"), style="Title"),
            p(r("one"), num=(2, 0)),
            p(r("two"), num=(2, 0)),
            p(num=(2, 0)),  # an empty numbered line left in the list
            p(dele("a deleted item"), num=(2, 0)).replace("<w:pPr>", deleted_mark, 1),
            p(r("three"), num=(2, 0)),
        ]
    )
    root, _, _ = _import(word, tmp_path, "gaps")
    md = (root / "chapters" / "gaps.md").read_text(encoding="utf-8")
    assert md.endswith("---\n\n1. one\n2. two\n3. three\n")


def test_symbol_font_characters_are_carried_as_unicode(tmp_path):
    """Insert > Symbol in the Symbol font writes w:sym; text typed in the Symbol font is
    ASCII (or private-use codes) that Word draws as Greek and signs."""

    def sym(font: str, code: str) -> str:
        return f'<w:r><w:sym w:font="{font}" w:char="{code}"/></w:r>'

    def in_symbol_font(text: str) -> str:
        return (
            '<w:r><w:rPr><w:rFonts w:ascii="Symbol" w:hAnsi="Symbol"/></w:rPr>'
            f'<w:t xml:space="preserve">{text}</w:t></w:r>'
        )

    word = WordFile(
        [
            p(r("Symbols"), style="Title"),
            p(
                r("At "),
                sym("Symbol", "F061"),
                r(" = 0.05 the effect was "),
                sym("Symbol", "F0B1"),
                r("2%."),
            ),
            p(
                r("Typed: "),
                in_symbol_font("b \uf0b3 2"),
                r(" and a tick "),
                sym("Wingdings", "F0FC"),
            ),
        ]
    )
    root, _, err = _import(word, tmp_path, "symbols")
    md = (root / "chapters" / "symbols.md").read_text(encoding="utf-8")
    assert "At α = 0.05 the effect was ±2%." in md
    assert "Typed: β ≥ 2 and a tick" in md
    assert "symbol character (font Wingdings, code F0FC) is left out" in err
    assert "font Symbol" not in err


def test_a_field_that_never_ends_does_not_swallow_the_rest_of_the_file(tmp_path):
    begin_only = (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
    )
    word = WordFile(
        [
            p(r("Damaged"), style="Title"),
            p(r("A damaged field: "), begin_only, r("lost in it.")),
            p(r("The next paragraph is kept"), fn(1), r(".")),
        ],
        footnotes={1: p(r("And its note."))},
    )
    root, out, err = _import(word, tmp_path, "damaged")
    md = (root / "chapters" / "damaged.md").read_text(encoding="utf-8")
    assert "\n\nThe next paragraph is kept[^1].\n\n[^1]: And its note.\n" in md
    assert 'paragraph 2 ("A damaged field:"): a field has no end (the file is damaged)' in err


def test_a_reference_to_a_missing_note_is_named_with_its_kind(tmp_path):
    word = WordFile(
        [p(r("Lost notes"), style="Title"), p(r("Cited here."), fn(7), r(" And here."), en(8))]
    )
    _, _, err = _import(word, tmp_path, "lost")
    assert "a footnote reference whose footnote is missing is left out" in err
    assert "an endnote reference whose endnote is missing is left out" in err


def test_a_content_control_never_filled_in_is_left_out_with_a_warning(tmp_path):
    """Word shows an empty content control's prompt as grey text in the control; it is the
    template's, not the author's."""

    def control(content: str, placeholder: bool) -> str:
        shown = "<w:showingPlcHdr/>" if placeholder else ""
        return f"<w:sdt><w:sdtPr>{shown}</w:sdtPr><w:sdtContent>{content}</w:sdtContent></w:sdt>"

    word = WordFile(
        [
            p(r("Templates"), style="Title"),
            control(p(r("Click or tap here to enter text.")), placeholder=True),
            p(r("Filed by "), control(r("Click or tap to enter a date."), True), r(" today.")),
            control(p(r("A filled control keeps its text.")), placeholder=False),
        ]
    )
    root, _, err = _import(word, tmp_path, "templates")
    md = (root / "chapters" / "templates.md").read_text(encoding="utf-8")
    assert "Click or tap" not in md
    assert "Filed by today." in " ".join(md.split())
    assert "A filled control keeps its text." in md
    assert err.count("a content control never filled in is left out") == 2, err
