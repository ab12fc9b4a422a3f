"""Word files for the importer's tests, made here: python-docx's blank document gives the
styles; the body, notes, comments, numbering and relationships are written as raw OOXML, so
that each feature (note kinds, tracked changes, text boxes in mc:AlternateContent, fields)
is exactly what Word writes. The text is original and its people invented."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

NAMESPACES = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math" '
    'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" mc:Ignorable="w14"'
)
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CT_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml"


# -- runs and paragraphs ---------------------------------------------------------------------


def r(
    text: str, *, i: bool = False, b: bool = False, sc: bool = False, va: str = "", style: str = ""
) -> str:
    props = (
        (f'<w:rStyle w:val="{style}"/>' if style else "")
        + ("<w:b/>" if b else "")
        + ("<w:i/>" if i else "")
        + ("<w:smallCaps/>" if sc else "")
        + (f'<w:vertAlign w:val="{va}"/>' if va else "")
    )
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def p(*runs: str, style: str = "", num: tuple[int, int] | None = None, ind: int = 0) -> str:
    props = (
        (f'<w:pStyle w:val="{style}"/>' if style else "")
        + (
            f'<w:numPr><w:ilvl w:val="{num[1]}"/><w:numId w:val="{num[0]}"/></w:numPr>'
            if num
            else ""
        )
        + (f'<w:ind w:left="{ind}" w:right="{ind}"/>' if ind else "")
    )
    ppr = f"<w:pPr>{props}</w:pPr>" if props else ""
    return f"<w:p>{ppr}{''.join(runs)}</w:p>"


def fn(note_id: int) -> str:
    return (
        f'<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr>'
        f'<w:footnoteReference w:id="{note_id}"/></w:r>'
    )


def en(note_id: int) -> str:
    return (
        f'<w:r><w:rPr><w:rStyle w:val="EndnoteReference"/></w:rPr>'
        f'<w:endnoteReference w:id="{note_id}"/></w:r>'
    )


def link(rel_id: str, text: str) -> str:
    return f'<w:hyperlink r:id="{rel_id}">{r(text)}</w:hyperlink>'


def anchor_link(anchor: str, text: str) -> str:
    return f'<w:hyperlink w:anchor="{anchor}">{r(text)}</w:hyperlink>'


def bookmark(name: str, bid: int = 90) -> str:
    return f'<w:bookmarkStart w:id="{bid}" w:name="{name}"/><w:bookmarkEnd w:id="{bid}"/>'


def ins(text: str, cid: int = 100) -> str:
    return (
        f'<w:ins w:id="{cid}" w:author="Rena Vask" w:date="2026-01-05T10:00:00Z">{r(text)}</w:ins>'
    )


def dele(text: str, cid: int = 101) -> str:
    return (
        f'<w:del w:id="{cid}" w:author="Rena Vask" w:date="2026-01-05T10:00:00Z">'
        f'<w:r><w:delText xml:space="preserve">{escape(text)}</w:delText></w:r></w:del>'
    )


def comment_around(cid: int, *runs: str) -> str:
    return (
        f'<w:commentRangeStart w:id="{cid}"/>{"".join(runs)}<w:commentRangeEnd w:id="{cid}"/>'
        f'<w:r><w:rPr><w:rStyle w:val="CommentReference"/></w:rPr>'
        f'<w:commentReference w:id="{cid}"/></w:r>'
    )


def fld(code: str, shown: str) -> str:
    """A complex field (fldChar begin/separate/end) showing `shown`."""
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> {escape(code)} </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f'{r(shown)}<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def text_box(*paragraphs: str) -> str:
    """A text box as Word 2010+ writes it: DrawingML in mc:Choice, a VML copy in
    mc:Fallback (whose notes must not be read a second time)."""
    inner = "".join(paragraphs)
    return (
        '<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>'
        '<wp:anchor distT="0" distB="0" distL="114300" distR="114300" simplePos="0" '
        'relativeHeight="2" behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1">'
        '<wp:simplePos x="0" y="0"/><wp:positionH relativeFrom="column"><wp:posOffset>0'
        '</wp:posOffset></wp:positionH><wp:positionV relativeFrom="paragraph"><wp:posOffset>0'
        '</wp:posOffset></wp:positionV><wp:extent cx="2000000" cy="800000"/>'
        '<wp:wrapSquare wrapText="bothSides"/><wp:docPr id="41" name="Text Box 41"/>'
        '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/'
        'wordprocessingShape"><wps:wsp><wps:cNvSpPr txBox="1"/><wps:spPr><a:xfrm><a:off x="0" '
        'y="0"/><a:ext cx="2000000" cy="800000"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/>'
        f"</a:prstGeom></wps:spPr><wps:txbx><w:txbxContent>{inner}</w:txbxContent></wps:txbx>"
        "<wps:bodyPr/></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing>"
        '</mc:Choice><mc:Fallback><w:pict><v:shape id="Text Box 41" o:spid="_x0000_s1041" '
        'type="#_x0000_t202" style="width:157pt;height:63pt"><v:textbox><w:txbxContent>'
        f"{inner}</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>"
        "</mc:AlternateContent></w:r>"
    )


def picture(rel_id: str, alt: str, pid: int = 51, linked: bool = False) -> str:
    return (
        '<w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">'
        '<wp:extent cx="1905000" cy="952500"/>'
        f'<wp:docPr id="{pid}" name="Picture {pid}" descr="{escape(alt)}"/>'
        '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/'
        f'picture"><pic:pic><pic:nvPicPr><pic:cNvPr id="{pid}" name="image.png"/><pic:cNvPicPr/>'
        f'</pic:nvPicPr><pic:blipFill><a:blip r:{"link" if linked else "embed"}="{rel_id}"/>'
        "<a:stretch><a:fillRect/>"
        '</a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="1905000" '
        'cy="952500"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr>'
        "</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"
    )


def cell(*paragraphs: str, span: int = 1, vmerge: str | None = None) -> str:
    props = (f'<w:gridSpan w:val="{span}"/>' if span > 1 else "") + (
        (f'<w:vMerge w:val="{vmerge}"/>' if vmerge == "restart" else "<w:vMerge/>")
        if vmerge
        else ""
    )
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{''.join(paragraphs) or '<w:p/>'}</w:tc>"


def table(*rows: list[str], columns: int = 2) -> str:
    grid = "".join('<w:gridCol w:w="3000"/>' for _ in range(columns))
    body = "".join(f"<w:tr>{''.join(row)}</w:tr>" for row in rows)
    return (
        f'<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/>'
        f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{body}</w:tbl>"
    )


# -- the package -----------------------------------------------------------------------------

NUMBERING = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering {NAMESPACES}>
<w:abstractNum w:abstractNumId="10"><w:multiLevelType w:val="hybridMultilevel"/>
<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/></w:lvl>
<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="o"/></w:lvl>
</w:abstractNum>
<w:abstractNum w:abstractNumId="11"><w:multiLevelType w:val="hybridMultilevel"/>
<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>
<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/>
<w:lvlText w:val="%2)"/></w:lvl>
<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerRoman"/><w:lvlText w:val="%3."/></w:lvl>
</w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="10"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="11"/></w:num>
</w:numbering>"""


def note_xml(kind: str, notes: dict[int, str]) -> str:
    """footnotes.xml or endnotes.xml: the two separators, then the notes (their inner XML:
    paragraphs; the first one gets the note mark as Word writes it)."""
    ref = "footnoteRef" if kind == "footnote" else "endnoteRef"
    items = [
        f'<w:{kind} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{kind}>',
        f'<w:{kind} w:type="continuationSeparator" w:id="0"><w:p><w:r>'
        f"<w:continuationSeparator/></w:r></w:p></w:{kind}>",
    ]
    for note_id, inner in notes.items():
        mark = (
            f'<w:r><w:rPr><w:rStyle w:val="{kind.capitalize()}Reference"/></w:rPr>'
            f'<w:{ref}/></w:r><w:r><w:t xml:space="preserve"> </w:t></w:r>'
        )
        inner = inner.replace("<w:p>", f"<w:p>{mark}", 1) if inner.startswith("<w:p>") else inner
        items.append(f'<w:{kind} w:id="{note_id}">{inner}</w:{kind}>')
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f"<w:{kind}s {NAMESPACES}>{''.join(items)}</w:{kind}s>"
    )


@dataclass
class WordFile:
    """What goes into one fixture .docx."""

    body: list[str]
    footnotes: dict[int, str] = field(default_factory=dict)
    endnotes: dict[int, str] = field(default_factory=dict)
    comments: dict[int, tuple[str, str, str]] = field(default_factory=dict)  # author, date, text
    links: dict[str, str] = field(default_factory=dict)  # rel id -> address
    note_links: dict[str, str] = field(default_factory=dict)  # the same, in footnotes
    images: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # rel id -> name, data
    linked_images: dict[str, str] = field(default_factory=dict)  # rel id -> address
    header: str = ""
    author: str = ""
    extra_members: dict[str, bytes] = field(default_factory=dict)

    def save(self, path: Path) -> Path:
        path.write_bytes(self.to_bytes())
        return path

    def to_bytes(self) -> bytes:
        import docx  # python-docx: its blank document has Word's styles

        blank = io.BytesIO()
        document = docx.Document()
        if self.author:
            document.core_properties.author = self.author
        document.save(blank)
        members: dict[str, bytes] = {}
        with zipfile.ZipFile(blank) as archive:
            for name in archive.namelist():
                members[name] = archive.read(name)
        rels = [
            '<Relationship Id="rIdStyles" Type="{0}/styles" Target="styles.xml"/>',
            '<Relationship Id="rIdNumbering" Type="{0}/numbering" Target="numbering.xml"/>',
            '<Relationship Id="rIdSettings" Type="{0}/settings" Target="settings.xml"/>',
        ]
        types = [("/word/numbering.xml", f"{CT_MAIN}.numbering+xml")]
        members["word/numbering.xml"] = NUMBERING.encode()
        # As Word does: settings name the separators (LibreOffice misplaces endnotes without)
        members["word/settings.xml"] = members["word/settings.xml"].replace(
            b"<w:compat>",
            b'<w:footnotePr><w:footnote w:id="-1"/><w:footnote w:id="0"/>'
            b'</w:footnotePr><w:endnotePr><w:endnote w:id="-1"/><w:endnote w:id="0"/>'
            b"</w:endnotePr><w:compat>",
            1,
        )
        for kind, notes in (("footnote", self.footnotes), ("endnote", self.endnotes)):
            if notes:
                members[f"word/{kind}s.xml"] = note_xml(kind, notes).encode()
                rels.append(
                    f'<Relationship Id="rId{kind}s" Type="{{0}}/{kind}s" Target="{kind}s.xml"/>'
                )
                types.append((f"/word/{kind}s.xml", f"{CT_MAIN}.{kind}s+xml"))
                members[f"word/_rels/{kind}s.xml.rels"] = _rels(
                    f'<Relationship Id="{rel_id}" Type="{REL}/hyperlink" '
                    f'Target="{escape(address)}" TargetMode="External"/>'
                    for rel_id, address in self.note_links.items()
                )
        if self.comments:
            items = "".join(
                f'<w:comment w:id="{cid}" w:author="{escape(a)}" w:date="{d}" w:initials="X">'
                f'<w:p><w:r><w:t xml:space="preserve">{escape(t)}</w:t></w:r></w:p></w:comment>'
                for cid, (a, d, t) in self.comments.items()
            )
            members["word/comments.xml"] = (
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f"<w:comments {NAMESPACES}>{items}</w:comments>"
            ).encode()
            rels.append(
                '<Relationship Id="rIdComments" Type="{0}/comments" Target="comments.xml"/>'
            )
            types.append(("/word/comments.xml", f"{CT_MAIN}.comments+xml"))
        if self.header:
            members["word/header1.xml"] = (
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:hdr {NAMESPACES}>'
                f"{p(r(self.header))}</w:hdr>"
            ).encode()
            rels.append('<Relationship Id="rIdHeader1" Type="{0}/header" Target="header1.xml"/>')
            types.append(("/word/header1.xml", f"{CT_MAIN}.header+xml"))
        for rel_id, address in self.links.items():
            rels.append(
                f'<Relationship Id="{rel_id}" Type="{{0}}/hyperlink" '
                f'Target="{escape(address)}" TargetMode="External"/>'
            )
        for rel_id, address in self.linked_images.items():
            rels.append(
                f'<Relationship Id="{rel_id}" Type="{{0}}/image" '
                f'Target="{escape(address)}" TargetMode="External"/>'
            )
        for rel_id, (name, data) in self.images.items():
            members[f"word/media/{name}"] = data
            rels.append(f'<Relationship Id="{rel_id}" Type="{{0}}/image" Target="media/{name}"/>')
        members["word/_rels/document.xml.rels"] = _rels(rel.format(REL) for rel in rels)
        content_types = members["[Content_Types].xml"].decode()
        extra = "".join(
            f'<Override PartName="{n}" ContentType="{t}"/>'
            for n, t in types
            if n not in content_types
        )
        extra += (
            '<Default Extension="png" ContentType="image/png"/>'
            if 'Extension="png"' not in content_types
            else ""
        )
        members["[Content_Types].xml"] = content_types.replace(
            "</Types>", extra + "</Types>"
        ).encode()
        sect = (
            '<w:sectPr><w:headerReference w:type="default" r:id="rIdHeader1"/></w:sectPr>'
            if self.header
            else "<w:sectPr/>"
        )
        members["word/document.xml"] = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f"<w:document {NAMESPACES}><w:body>{''.join(self.body)}{sect}</w:body>"
            "</w:document>"
        ).encode()
        members.update(self.extra_members)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in members.items():
                archive.writestr(name, data)
        return out.getvalue()


def _rels(items) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
        'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(items)
        + "</Relationships>"
    ).encode()


def tiny_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (30, 90, 160)).save(buffer, "PNG")
    return buffer.getvalue()


# -- the chapter that has everything ----------------------------------------------------------

#: The note texts the Markdown must carry, in reading order, as the writer numbers them.
CHAPTER_NOTES = [
    "Marta Ilves, *Harbours and Habits* (Tallinn: Northwind Press, 2021), 14.",
    "See [the port authority's annual data](https://example.org/ports/2024) for the tonnage "
    "figures.",
    "An endnote on **customs** records, which are kept in two archives.",
    "A note in the paragraph that holds the box.",
    "A note inside the text box.",
    "A note with two paragraphs.\n\n    The second paragraph carries the argument further.",
    "A note with a table.\n\n    | Year | Ships |\n    | --- | --- |\n    | 2019 | 41 |\n"
    "    | 2020 | 37 |",
    "A note in a table cell.",
    "A note on the heading.",
    "The last endnote, with *Lloyd's List* in italics.",
]


def chapter(box_note: bool = True) -> WordFile:
    """A chapter with one of each thing the importer must carry or report. LibreOffice
    cannot open a note in a text box (it refuses the whole file): `box_note=False` leaves
    that note out, for the copies LibreOffice writes (tests/data/)."""
    body = [
        p(r("Ports, Trust and the Northern Corridor"), style="Title"),
        p(
            r("Small harbours have long "),
            r("shaped", i=True),
            r(" the habits of trade "),
            r("across", b=True),
            r(" the region."),
            fn(1),
            r(" The H"),
            r("2", va="subscript"),
            r("O line held, and the 5"),
            r("th", va="superscript"),
            r(" pier reopened in "),
            r("March", sc=True),
            r("."),
        ),
        p(r("A first heading"), bookmark("_Toc100"), style="Heading1"),
        p(
            r("Tonnage rose in the quiet years"),
            fn(2),
            r(" and the records"),
            en(1),
            r(" grew with it; the\u00a0harbour master kept a cross"),
            "<w:r><w:noBreakHyphen/></w:r>",
            r("border ledger."),
        ),
        p(
            r("A caption-free paragraph that holds a box: "),
            text_box(p(r("Text in the box."), *([fn(3)] if box_note else []))),
            r("and text after the box."),
            fn(4),
        ),
        p(
            comment_around(7, r("This sentence has a comment.")),
            r(" It also has "),
            ins("an inserted phrase"),
            r(" and "),
            dele("a deleted phrase "),
            r("in it."),
            fn(5),
        ),
        p(r("The waterfront plans were debated at length.", i=True), style="Quote"),
        p(r("First item of the list"), num=(1, 0)),
        p(r("A nested item"), num=(1, 1)),
        p(r("Second item of the list"), num=(1, 0)),
        p(r("Numbered one"), num=(2, 0)),
        p(r("Lettered under it"), num=(2, 1)),
        p(r("Roman under that"), num=(2, 2)),
        p(r("Numbered two"), num=(2, 0)),
        p(r("Table 1: Ships by port"), style="Caption"),
        table(
            [cell(p(r("Port"))), cell(p(r("Ships")))],
            [cell(p(r("Vaaska"), fn(7))), cell(p(r("12")))],
        ),
        p(
            r("Merged cells follow on page "),
            fld("PAGEREF _Ref200 \\h", "4"),
            r(", as "),
            fld('ADDIN ZOTERO_ITEM CSL_CITATION {"citationID":"x1"}', "(Ilves 2021)"),
            r(" shows."),
        ),
        table(
            [cell(p(r("Region")), span=2)],
            [cell(p(r("North")), vmerge="restart"), cell(p(r("3")))],
            [cell(p(r("")), vmerge="continue"), cell(p(r("5")))],
        ),
        p(r("A second heading"), fn(8), style="Heading1"),
        p(r("Go back to "), anchor_link("_Toc100", "the first heading"), r(" or read on.")),
        p(picture("rIdImage1", "A harbour crane against the sky")),
        p(r("Figure 1: The crane at Vaaska"), style="Caption"),
        p(r("The study closes with a last observation."), en(2)),
    ]
    footnotes = {
        1: p(
            r("Marta Ilves, "),
            r("Harbours and Habits", i=True),
            r(" (Tallinn: Northwind Press, 2021), 14."),
        ),
        2: p(
            r("See "),
            link("rIdLink1", "the port authority's annual data"),
            r(" for the tonnage figures."),
        ),
        **({3: p(r("A note inside the text box."))} if box_note else {}),
        4: p(r("A note in the paragraph that holds the box.")),
        5: p(r("A note with two paragraphs."))
        + p(r("The second paragraph carries the argument further.")),
        7: p(r("A note in a table cell.")),
        8: p(r("A note on the heading.")),
    }
    endnotes = {
        1: p(
            r("An endnote on "),
            r("customs", b=True),
            r(" records, which are kept in two archives."),
        ),
        2: p(r("The last endnote, with "), r("Lloyd's List", i=True), r(" in italics.")),
    }
    # The table note, referenced after the quote. Ids follow the references, as Word
    # numbers them on saving (LibreOffice pairs notes and references by their order).
    body.insert(7, p(r("Shipping counts are summarised in a note."), fn(6)))
    footnotes[6] = p(r("A note with a table.")) + table(
        [cell(p(r("Year"))), cell(p(r("Ships")))],
        [cell(p(r("2019"))), cell(p(r("41")))],
        [cell(p(r("2020"))), cell(p(r("37")))],
    )
    return WordFile(
        body=body,
        footnotes=dict(sorted(footnotes.items())),
        endnotes=endnotes,
        comments={7: ("Ines Koru", "2026-01-04T09:00:00Z", "Please cite the harbour survey.")},
        note_links={"rIdLink1": "https://example.org/ports/2024"},
        images={"rIdImage1": ("image1.png", tiny_png())},
        header="Draft for the editors",
        author="Ines Koru",
    )


# -- an essay collection with many notes -------------------------------------------------------

_WORDS = (
    "harbour ledger tariff corridor convoy pier tonnage customs charter berth "
    "dredging manifest warehouse quay levy beacon channel tide registry steward"
).split()


def essays(
    footnotes: int = 180, endnotes: int = 12, box_notes: bool = True
) -> tuple[WordFile, list[str]]:
    """A long file: `footnotes` footnotes and `endnotes` endnotes, some of them in text
    boxes, table cells and headings, most with italics or a link. Returns the file and the
    notes' unique phrases in reading order."""
    body: list[str] = [p(r("Essays on Northern Harbours"), style="Title")]
    fnotes: dict[int, str] = {}
    enotes: dict[int, str] = {}
    order: list[str] = []
    links: dict[str, str] = {}
    next_en = 1
    for number in range(1, footnotes + 1):
        word = _WORDS[number % len(_WORDS)]
        phrase = f"mark{number:03d}q"
        if number % 9 == 0:
            links[f"rIdN{number}"] = f"https://example.org/archive/{number}"
            fnotes[number] = p(
                r(f"Footnote {phrase} on the "),
                r(word, i=True),
                r(" records, "),
                link(f"rIdN{number}", "online"),
                r("."),
            )
        elif number % 13 == 0:
            fnotes[number] = p(r(f"Footnote {phrase}, first paragraph.")) + p(
                r(f"Its second paragraph on the {word}.")
            )
        else:
            fnotes[number] = p(
                r(f"Footnote {phrase}: "),
                r(f"{word} studies", i=True),
                r(f", {1990 + number % 30}, p. {number}."),
            )
        order.append(phrase)
        text = f"The {word} mattered in section {number}, as many observers of the port noted"
        if number % 20 == 1:
            body.append(
                p(r(f"Part {number // 20 + 1} on the {word}"), fn(number), style="Heading1")
            )
            continue
        if number % 25 == 0 and box_notes:
            body.append(
                p(
                    r(text + "; beside it a box: "),
                    text_box(p(r("Boxed remark."), fn(number))),
                    r(" and so on."),
                )
            )
            continue
        if number % 31 == 0:
            body.append(
                table(
                    [cell(p(r("Port"))), cell(p(r("Count")))],
                    [cell(p(r(word), fn(number))), cell(p(r(str(number))))],
                )
            )
            continue
        runs = [r(text), fn(number), r(".")]
        if number % 15 == 0 and next_en <= endnotes:
            phrase_en = f"endmark{next_en:02d}q"
            enotes[next_en] = p(r(f"Endnote {phrase_en} with "), r("bold", b=True), r(" text."))
            runs += [r(" A further point follows"), en(next_en), r(".")]
            order.append(phrase_en)
            next_en += 1
        body.append(p(*runs))
    while next_en <= endnotes:
        phrase_en = f"endmark{next_en:02d}q"
        enotes[next_en] = p(r(f"Endnote {phrase_en}."))
        body.append(p(r("A closing remark"), en(next_en), r(".")))
        order.append(phrase_en)
        next_en += 1
    return WordFile(body=body, footnotes=fnotes, endnotes=enotes, note_links=links), order
