"""`DocxPackage` -> `Document`: the OOXML read directly with lxml.

Reads the main document's body in order: paragraphs (style -> title, heading, quote,
caption, list item with its format from numbering.xml), runs (italic, bold, small caps,
super-/subscript, non-breaking hyphens), hyperlinks (to addresses, or to bookmarks inside
the file), fields (`w:fldSimple` and `w:fldChar` begin/separate/end, nested: HYPERLINK
becomes a link; TOC is dropped; PAGEREF, REF, NOTEREF, SEQ and citation ADDINs keep their
shown text, with a finding), tracked changes (`w:ins`/`w:moveTo`, `w:del`/`w:moveFrom`,
accepted or rejected and counted), comments (kept, with a finding), tables (merged cells,
nested tables), pictures (alt text from `wp:docPr`; linked ones never fetched), text boxes
(read once: in `mc:AlternateContent` only the `mc:Choice` is read, never the `mc:Fallback`
copy; their paragraphs follow the paragraph that holds them) and equations (as text).
Footnotes and endnotes are read from their own parts, each once, in the order the text
first refers to them, with their kind kept.

One recursive walk over WordprocessingML (blocks -> paragraph -> runs -> drawings -> text
boxes -> blocks), whose steps share the state of the story being read: kept in one class.
What a field means is decided in fields.py, what an image's bytes are in images.py.
"""

from __future__ import annotations

import copy
import posixpath
import re
from dataclasses import dataclass, field, replace

from lxml import etree

from allianceprint.importer.document import (
    Block,
    Cell,
    Comment,
    CommentMark,
    Document,
    Finding,
    Inline,
    LineBreak,
    Link,
    ListInfo,
    Note,
    NoteRef,
    Paragraph,
    Picture,
    Span,
    Table,
)
from allianceprint.importer.fields import Field, field_finding, hyperlink_target
from allianceprint.importer.images import image_kind, to_png
from allianceprint.importer.outline import clip, first_words
from allianceprint.importer.package import NS, DocxPackage, Relationship
from allianceprint.importer.styles import RunFormat, Styles, W, int_attr, on
from allianceprint.importer.symbols import is_symbol_font, sym_char, symbol_text

MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
V = "{urn:schemas-microsoft-com:vml}"
O = "{urn:schemas-microsoft-com:office:office}"
CHART = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
DIAGRAM = "{http://schemas.openxmlformats.org/drawingml/2006/diagram}"
R = "{%s}" % NS["r"]
# Prefixes of mc:Choice Requires the reader handles (shapes, groups, canvases, Word 2010+
# markup); any other choice (chartex, ink...) is skipped for its fallback.
_UNDERSTOOD = {
    "wps",
    "wpg",
    "wpc",
    "wp14",
    "w14",
    "w15",
    "w16",
    "w16se",
    "w16cid",
    "w16sdtdh",
    "w16cex",
    "a14",
    "v",
    "o",
    "m",
    "w10",
    "pic",
    "mc",
}
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufeff\ufffe\uffff]")


@dataclass
class _State:
    """What the reader tracks within one story (the body, a note, a text box)."""

    out: list = field(default_factory=list)
    fields: list[Field] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # findings of the current paragraph
    after: list[Block] = field(default_factory=list)  # text boxes' paragraphs
    anchors: list[str] = field(default_factory=list)  # bookmarks in the paragraph
    changes: dict[str, int] = field(default_factory=dict)  # tracked changes in it
    in_caption: bool = False
    where: str = ""


class _Reader:
    def __init__(self, package: DocxPackage, track_changes: str) -> None:
        self.package = package
        self.accept = track_changes == "accept"
        self.main = package.main_part()
        self.styles = Styles(package.xml("word/styles.xml"), package.xml("word/numbering.xml"))
        self.rels = package.relationships(self.main)
        self.part_rels = self.rels
        self.findings: list[Finding] = []
        self.changes = {"insertions": 0, "deletions": 0, "formatting": 0}
        self.paragraph_count = 0
        self.state = _State()
        self.notes: dict[tuple[str, str], etree._Element] = {}
        for kind in ("footnote", "endnote"):
            root = package.xml(f"word/{kind}s.xml")
            if root is None:
                continue
            for note in root.iterfind(f"w:{kind}", NS):
                if note.get(W + "type") in (
                    "separator",
                    "continuationSeparator",
                    "continuationNotice",
                ):
                    continue
                self.notes[(kind, note.get(W + "id", ""))] = note
        self.note_order: list[tuple[str, str]] = []
        self.comments = self._comments()
        self.images: dict[str, bytes] = {}
        self.image_names: dict[str, str] = {}
        self.list_counters: dict[str, list[int]] = {}  # per abstract definition, per level
        self.list_restarts: set[tuple[str, int]] = set()  # (numId, level) seen
        self.internal_targets: set[str] = set()

    # -- the stories ----------------------------------------------------------------------

    def read(self) -> Document:
        root = self.package.xml(self.main)
        body = root.find("w:body", NS) if root is not None else None
        blocks = self.blocks(body) if body is not None else []
        notes: dict[tuple[str, str], Note] = {}
        index = 0
        while index < len(self.note_order):  # notes may refer to notes: read as found
            key = self.note_order[index]
            index += 1
            element = self.notes.get(key)
            if element is None:
                continue
            self.part_rels = self.package.relationships(f"word/{key[0]}s.xml")
            saved, self.state = self.state, _State(where=f"note {index}")
            notes[key] = Note(key[0], key[1], tuple(self.blocks(element)))
            self.state = saved
        self.part_rels = self.rels
        unused = [key for key in self.notes if key not in notes]
        for kind, note_id in unused:
            self.findings.append(
                Finding(f"{kind} (id {note_id}) is not referred to from the text; it is left out")
            )
        kinds = {kind for kind, _ in notes}
        if len(kinds) == 2:
            self.findings.append(
                Finding(
                    "the file has both footnotes and endnotes: they are one sequence of notes "
                    "in reading order in the part (check the places that refer to them)"
                )
            )
        self._headers_and_footers()
        return Document(
            blocks=blocks,
            notes=notes,
            comments=self.comments,
            images=self.images,
            author_hint=self._author(),
            findings=self.findings,
            changes=self.changes,
        )

    def blocks(self, container: etree._Element) -> list[Block]:
        found: list[Block] = []
        joining: Paragraph | None = None  # a paragraph whose mark is taken away
        for child in container:
            tag = child.tag
            if tag == W + "p":
                number = self.paragraph_count + 1
                produced = self.paragraph(child)
                own = (
                    bool(produced)
                    and isinstance(produced[0], Paragraph)
                    and produced[0].number == number
                )
                if joining is not None:
                    if own:
                        produced[0] = replace(
                            produced[0], inlines=joining.inlines + produced[0].inlines
                        )
                    else:
                        produced.insert(0, joining)
                    joining = None
                if own and child.find("w:pPr/w:rPr/w:del", NS) is not None:
                    self._count("deletions")  # its paragraph mark: accepted, it joins the next
                    if self.accept:
                        joining = produced.pop(0)
                elif own and child.find("w:pPr/w:rPr/w:ins", NS) is not None:
                    self._count("insertions")  # a paragraph split: rejected, it joins again
                    if not self.accept:
                        joining = produced.pop(0)
                found.extend(produced)
            elif tag == W + "tbl":
                found.append(self.table(child))
            elif tag == W + "sdt":
                if self._is_toc_sdt(child):
                    self.findings.append(
                        Finding(
                            "a table of contents is left out: the book makes its own",
                            f"after paragraph {self.paragraph_count}",
                        )
                    )
                    continue
                prompt = _placeholder(child)
                if prompt is not None:
                    self.findings.append(
                        Finding(
                            _placeholder_finding(prompt), f"after paragraph {self.paragraph_count}"
                        )
                    )
                    continue
                content = child.find("w:sdtContent", NS)
                if content is not None:
                    found.extend(self.blocks(content))
            elif tag in (W + "ins", W + "moveTo"):
                if self.accept:
                    found.extend(self.blocks(child))
            elif tag in (W + "del", W + "moveFrom"):
                if not self.accept:
                    found.extend(self.blocks(child))
            elif tag in (W + "customXml", MC + "AlternateContent"):
                found.extend(
                    self.blocks(self._choice(child) if tag == MC + "AlternateContent" else child)
                )
            elif tag == W + "altChunk":
                self.findings.append(
                    Finding(
                        "an embedded document (altChunk, pasted HTML or RTF) is left out: open "
                        "the file in Word, save it, and import it again",
                        f"after paragraph {self.paragraph_count}",
                    )
                )
        if joining is not None:
            found.append(joining)
        return found

    def _is_toc_sdt(self, sdt: etree._Element) -> bool:
        gallery = sdt.find("w:sdtPr/w:docPartObj/w:docPartGallery", NS)
        return gallery is not None and "contents" in gallery.get(W + "val", "").lower()

    # -- paragraphs -----------------------------------------------------------------------

    def paragraph(self, p: etree._Element) -> list[Block]:
        state = self.state
        if not state.where.startswith("note"):
            self.paragraph_count += 1
        number = self.paragraph_count
        ppr = p.find("w:pPr", NS)
        style_el = ppr.find("w:pStyle", NS) if ppr is not None else None
        style = self.styles.paragraph(style_el.get(W + "val", "") if style_el is not None else "")
        state.out, state.pending, state.after, state.anchors = [], [], [], []
        state.changes = {}
        state.in_caption = style.kind == "caption"
        suppressed = self._suppressed()
        self.inlines(p)
        self._close_unfinished_fields()
        inlines = _trim_breaks(state.out)
        words = first_words(inlines)
        if state.where.startswith("note"):
            where = f'{state.where} ("{words}")'
        else:
            where = f'paragraph {number} ("{words}")'
        if state.changes:
            verb = "accepted" if self.accept else "rejected"
            counts = ", ".join(
                _changes(n, kind)
                for kind, n in sorted(
                    state.changes.items(),
                    key=lambda kv: ("insertions", "deletions", "formatting").index(kv[0]),
                )
            )
            state.pending.append(
                f"tracked changes {verb} (--track-changes "
                f"{'accept' if self.accept else 'reject'}): {counts}"
            )
        for message in state.pending:
            self.findings.append(Finding(message, where))
        after = state.after
        if style.kind == "toc" or (suppressed and self._suppressed()):
            return after
        kind, level, list_info = style.kind, style.level, None
        num_pr = ppr.find("w:numPr", NS) if ppr is not None else None
        num_id, ilvl = style.num_id, style.ilvl
        if num_pr is not None:
            num = num_pr.find("w:numId", NS)
            lvl = num_pr.find("w:ilvl", NS)
            if num is not None:
                num_id = num.get(W + "val", "")
            if lvl is not None:
                ilvl = int_attr(lvl.get(W + "val"), 0, 0, 8)
        if not any(
            isinstance(i, (Span, NoteRef, Picture, Link, CommentMark))
            and (not isinstance(i, Span) or i.text.strip())
            for i in inlines
        ):
            if not any(isinstance(i, CommentMark) for i in inlines):
                return after  # an empty paragraph: spacing in Word, nothing in Markdown
        if kind in ("body", "quote"):  # counted once it is kept: an empty or deleted
            list_info = self._list_item(num_id, ilvl)  # item takes no number
        if kind == "body" and list_info is None and ppr is not None and _indented_quote(ppr):
            kind = "quote"
        para = Paragraph(inlines, kind, level, list_info, tuple(state.anchors), number)
        return [para, *after]

    def _list_item(self, num_id: str, ilvl: int) -> ListInfo | None:
        fmt = self.styles.level(num_id, ilvl)
        if fmt is None:
            return None
        definition, restart = self.styles.counter(num_id, ilvl)
        counters = self.list_counters.setdefault(definition, [])
        while len(counters) <= ilvl:
            counters.append(0)
        del counters[ilvl + 1 :]
        if restart is not None and (num_id, ilvl) not in self.list_restarts:
            self.list_restarts.add((num_id, ilvl))  # its first item restarts the level
            counters[ilvl] = restart
        else:
            counters[ilvl] = counters[ilvl] + 1 if counters[ilvl] else fmt.start
        return ListInfo(ilvl, fmt.ordered, fmt.style, counters[ilvl])

    def _close_unfinished_fields(self) -> None:
        """Word keeps a field's start and its instruction in one paragraph: one still in its
        instruction when the paragraph ends has lost its `separate` and `end` (a damaged
        file). It is dropped here, or it would swallow the rest of the story."""
        fields = self.state.fields
        unfinished = next((i for i, f in enumerate(fields) if not f.separated), None)
        if unfinished is not None:
            del fields[unfinished:]
            self.finding(
                "a field has no end (the file is damaged): text after its start in this "
                "paragraph may be missing; compare it with the Word file"
            )

    def _suppressed(self) -> bool:
        return any(f.name in ("TOC", "INDEX") and f.separated for f in self.state.fields)

    def finding(self, message: str) -> None:
        self.state.pending.append(message)

    # -- inline content -------------------------------------------------------------------

    def emit(self, item: Inline) -> None:
        state = self.state
        if state.fields and not state.fields[-1].separated:
            return  # inside a field's instruction
        if self._suppressed():
            return
        state.out.append(item)

    def inlines(self, parent: etree._Element, deleted: bool = False) -> None:
        for child in parent:
            tag = child.tag
            if tag == W + "r":
                self.run(child, deleted)
            elif tag == W + "hyperlink":
                self.hyperlink(child, deleted)
            elif tag in (W + "ins", W + "moveTo"):
                self._count("insertions")
                if self.accept:
                    self.inlines(child, deleted)
            elif tag in (W + "del", W + "moveFrom"):
                self._count("deletions")
                if not self.accept:
                    self.inlines(child, deleted=True)
            elif tag == W + "fldSimple":
                fld = Field(child.get(W + "instr", ""), separated=True)
                self._field_begin(fld)
                self.inlines(child, deleted)
                self._field_end()
            elif tag in (W + "smartTag", W + "customXml", W + "bdo", W + "dir"):
                self.inlines(child, deleted)
            elif tag == W + "sdt" and _placeholder(child) is not None:
                self.finding(_placeholder_finding(_placeholder(child)))
            elif tag == W + "sdt":
                tag_el = child.find("w:sdtPr/w:tag", NS)
                label = (tag_el.get(W + "val", "") if tag_el is not None else "").upper()
                if (
                    child.find("w:sdtPr/w:citation", NS) is not None
                    or "CITATION" in label
                    or "MENDELEY" in label
                    or "ZOTERO" in label
                ):
                    self.finding(
                        "a citation (a content control of a reference manager) is "
                        "kept as its text; its link to the reference library is lost"
                    )
                content = child.find("w:sdtContent", NS)
                if content is not None:
                    self.inlines(content, deleted)
            elif tag == MC + "AlternateContent":
                self.inlines(self._choice(child), deleted)
            elif tag == W + "bookmarkStart":
                self.state.anchors.append(child.get(W + "name", ""))
            elif tag in (M + "oMath", M + "oMathPara"):
                self.equation(child)

    def _count(self, kind: str) -> None:
        self.changes[kind] += 1
        self.state.changes[kind] = self.state.changes.get(kind, 0) + 1

    def _choice(self, alternate: etree._Element) -> etree._Element:
        """The one branch of mc:AlternateContent to read: the first mc:Choice whose
        `Requires` the reader understands (what Word shows), else the mc:Fallback (a newer
        kind of chart, ink: the picture Word keeps for older readers); never two, so
        nothing is read twice."""
        for choice in alternate.iterfind(MC + "Choice"):
            if set(choice.get("Requires", "").split()) <= _UNDERSTOOD:
                return choice
        fallback = alternate.find(MC + "Fallback")
        return fallback if fallback is not None else etree.Element("empty")

    def run(self, r: etree._Element, deleted: bool) -> None:
        rpr = r.find("w:rPr", NS)
        fmt = self._run_format(rpr)
        change = rpr.find("w:rPrChange", NS) if rpr is not None else None
        if change is not None:
            self._count("formatting")
            if not self.accept:  # the formatting before the change
                fmt = self._run_format(change.find("w:rPr", NS))
        hidden = rpr is not None and on(rpr.find("w:vanish", NS))
        fonts = rpr.find("w:rFonts", NS) if rpr is not None else None
        symbol = fonts is not None and any(
            is_symbol_font(fonts.get(W + name)) for name in ("ascii", "hAnsi")
        )  # letters typed in the Symbol font show as Greek and signs
        custom_mark = False
        for child in r:
            tag = child.tag
            if tag == W + "t" or (tag == W + "delText" and deleted):
                if custom_mark:  # a note's own mark ("*") typed after its reference
                    custom_mark = False
                    continue
                if not hidden:
                    text = child.text or ""
                    self.text(symbol_text(text) if symbol else text, fmt)
            elif tag == W + "instrText" or (tag == W + "delInstrText" and deleted):
                if self.state.fields and not self.state.fields[-1].separated:
                    self.state.fields[-1].code += child.text or ""
            elif tag == W + "fldChar":
                kind = child.get(W + "fldCharType")
                if kind == "begin":
                    self._field_begin(Field())
                elif kind == "separate" and self.state.fields:
                    self._field_separate(self.state.fields[-1])
                elif kind == "end" and self.state.fields:
                    self._field_end()
            elif tag == W + "tab" or tag == W + "ptab":
                self.text(" ", fmt)
            elif tag in (W + "br", W + "cr"):
                # a page or column break inside a paragraph starts its next line too: the
                # words on either side must not run together ("end.Start")
                self.emit(LineBreak())
            elif tag == W + "noBreakHyphen":
                self.text("\u2011", fmt)
            elif tag == W + "softHyphen":
                pass
            elif tag == W + "sym":
                shown = sym_char(child.get(W + "font"), child.get(W + "char"))
                if shown:
                    self.text(shown, fmt)
                    continue
                self.finding(
                    f"a symbol character (font {child.get(W + 'font', '?')}, "
                    f"code {child.get(W + 'char', '?')}) is left out: type it as a "
                    "Unicode character"
                )
            elif tag in (W + "footnoteReference", W + "endnoteReference"):
                kind = "footnote" if tag == W + "footnoteReference" else "endnote"
                key = (kind, child.get(W + "id", ""))
                if key not in self.notes:
                    article = "an" if kind == "endnote" else "a"
                    self.finding(f"{article} {kind} reference whose {kind} is missing is left out")
                    continue
                if key not in self.note_order:
                    self.note_order.append(key)
                self.emit(NoteRef(*key))
                custom_mark = child.get(W + "customMarkFollows", "0") in ("1", "true", "on")
            elif tag == W + "commentReference":
                comment = self.comments.get(child.get(W + "id", ""))
                if comment is not None:
                    self.emit(CommentMark(comment.id))
                    self.finding(
                        f"comment by {comment.author or 'an unnamed reviewer'} kept "
                        "as an HTML comment: resolve it and delete it"
                    )
            elif tag == W + "drawing":
                self.drawing(child)
            elif tag == W + "pict":
                self.pict(child)
            elif tag == MC + "AlternateContent":
                self.run(self._wrap_run(self._choice(child), r), deleted)
            elif tag == W + "ruby":  # East Asian phonetic guide: the base text is the text
                base = child.find("w:rubyBase", NS)
                if base is not None:
                    self.inlines(base, deleted)
            elif tag == W + "object":
                self.finding(
                    "an embedded object (an OLE equation or chart) is left out: "
                    "export it as an image and add it"
                )
            elif tag in (M + "oMath", M + "oMathPara"):
                self.equation(child)

    def _wrap_run(self, branch: etree._Element, run: etree._Element) -> etree._Element:
        """The branch's content as a run of its own, with the run's formatting."""
        wrapper = etree.Element(W + "r")
        rpr = run.find("w:rPr", NS)
        if rpr is not None:
            wrapper.append(copy.deepcopy(rpr))
        wrapper.extend(copy.deepcopy(child) for child in branch)
        return wrapper

    def _run_format(self, rpr: etree._Element | None) -> RunFormat:
        if rpr is None:
            return RunFormat()
        style = rpr.find("w:rStyle", NS)
        base = self.styles.run(style.get(W + "val", "")) if style is not None else RunFormat()
        italic, bold, small_caps, script = base.italic, base.bold, base.small_caps, base.script
        if rpr.find("w:i", NS) is not None:
            italic = on(rpr.find("w:i", NS))
        if rpr.find("w:b", NS) is not None:
            bold = on(rpr.find("w:b", NS))
        if rpr.find("w:smallCaps", NS) is not None:
            small_caps = on(rpr.find("w:smallCaps", NS))
        vert = rpr.find("w:vertAlign", NS)
        if vert is not None:
            script = {"superscript": "sup", "subscript": "sub"}.get(vert.get(W + "val"), "")
        return RunFormat(italic, bold, small_caps, script)

    def text(self, text: str, fmt: RunFormat) -> None:
        text = _CONTROL_RE.sub("", text)
        if text:
            self.emit(Span(text, fmt.italic, fmt.bold, fmt.small_caps, fmt.script))

    # -- fields ---------------------------------------------------------------------------

    def _field_begin(self, fld: Field) -> None:
        parent_separated = not self.state.fields or self.state.fields[-1].separated
        self.state.fields.append(fld)
        if fld.separated:  # fldSimple: the code is known now
            self._field_separate(fld, already=True)
        if not parent_separated:
            fld.code = ""

    def _field_separate(self, fld: Field, already: bool = False) -> None:
        fld.separated = True
        if fld.name == "HYPERLINK":
            fld.saved, fld.children = self.state.out, []
            self.state.out = fld.children
            return
        message = field_finding(fld.name, self.state.in_caption)
        if message:
            self.finding(message)

    def _field_end(self) -> None:
        fld = self.state.fields.pop()
        if fld.children is not None and self.state.out is fld.children and fld.saved is not None:
            self.state.out = fld.saved
            target = hyperlink_target(fld.code)
            if target.startswith("#"):
                self._internal_link(target[1:], fld.children)
            elif target:
                self.emit(Link(target, tuple(fld.children)))
            else:
                self.state.out.extend(fld.children)

    # -- links, pictures, text boxes, equations -------------------------------------------

    def hyperlink(self, element: etree._Element, deleted: bool) -> None:
        saved, children = self.state.out, []
        self.state.out = children
        self.inlines(element, deleted)
        self.state.out = saved
        rel_id = element.get(R + "id")
        anchor = element.get(W + "anchor")
        rel = self.part_rels.get(rel_id) if rel_id else None
        if rel is not None and rel.external:
            target = rel.target + (f"#{anchor}" if anchor else "")
            self.emit(Link(target, tuple(children)))
        elif anchor:
            self._internal_link(anchor, children)
        else:
            for child in children:
                self.emit(child)

    def _internal_link(self, anchor: str, children: list) -> None:
        """A link to a bookmark: a link to its heading if the writer finds one there."""
        self.internal_targets.add(anchor)
        self.emit(Link("#" + anchor, tuple(children)))

    def drawing(self, drawing: etree._Element) -> None:
        for box in _outer_boxes(drawing):
            self.text_box(box)
        if drawing.find(".//" + CHART + "chart") is not None:
            self.finding("a chart is left out: export it from Word as an image and add it")
            return
        if drawing.find(".//" + DIAGRAM + "relIds") is not None:
            self.finding(
                "a SmartArt diagram is left out: export it from Word as an image and add it"
            )
            return
        doc_pr = drawing.find(f".//{WP}docPr")
        alt = ""
        if doc_pr is not None:
            alt = (doc_pr.get("descr") or doc_pr.get("title") or "").strip()
        for blip in drawing.iter(A + "blip"):
            if _in_box(blip, drawing):
                continue
            self.picture(blip.get(R + "embed"), blip.get(R + "link"), alt)

    def pict(self, pict: etree._Element) -> None:
        for box in _outer_boxes(pict):
            self.text_box(box)
        for image in pict.iter(V + "imagedata"):
            if _in_box(image, pict):
                continue
            shape = image.getparent()
            alt = (shape.get("alt") or image.get(O + "title") or "") if shape is not None else ""
            self.picture(image.get(R + "id"), image.get(R + "link") or None, alt)

    def picture(self, embed: str | None, link: str | None, alt: str) -> None:
        rel = self.part_rels.get(embed) if embed else None
        if rel is None or rel.external:
            linked = rel if rel is not None else self.part_rels.get(link or "")
            name = linked.target if linked is not None else "?"
            self.finding(f"a linked image ({name}) is not fetched: get the file and add it")
            return
        self.emit_picture(rel, alt)

    def emit_picture(self, rel: Relationship, alt: str) -> None:
        data = self.package.members.get(rel.target)
        if data is None:
            self.finding(f"an image ({rel.target}) is missing from the file: left out")
            return
        base = posixpath.basename(rel.target)
        stem, ext = posixpath.splitext(base)
        kind = image_kind(data)
        if not kind:
            converted = to_png(data)
            if converted is None:
                label = ext.lstrip(".").upper() or "unknown"
                self.finding(
                    f"an image ({base}, {label}) cannot be converted to PNG or SVG "
                    "here: save it as PNG or SVG and add it"
                )
                return
            data, kind = converted, ".png"
        if rel.target not in self.image_names:
            name = f"{stem}{kind}"
            while name in self.images:
                name = f"{stem}-{len(self.images)}{kind}"
            self.image_names[rel.target] = name
            self.images[name] = data
        if not alt:
            self.finding(f"an image ({base}) has no alt text: write one")
        elif "generated" in alt.lower() and "automatic" in alt.lower():
            self.finding(
                f"the alt text of an image ({base}) was written by Word automatically: check it"
            )
        self.emit(Picture(self.image_names[rel.target], alt))

    def text_box(self, box: etree._Element) -> None:
        state = self.state
        self.finding("a text box is not carried as a box: its text follows the paragraph")
        inner = _State(fields=[], where=state.where)
        self.state = inner
        blocks = self.blocks(box)
        self.state = state
        state.after.extend(blocks)

    def equation(self, math: etree._Element) -> None:
        text = "".join(t.text or "" for t in math.iter(M + "t"))
        self.finding("an equation is kept as plain text: set it as an image or in words")
        self.emit(Span(text, italic=True))

    # -- tables ---------------------------------------------------------------------------

    def table(self, tbl: etree._Element) -> Table:
        number = self.paragraph_count + 1
        rows: list[list[Cell]] = []
        starts: dict[int, tuple[int, int]] = {}  # grid column -> (row, cell) of a vMerge start
        nested = False
        for tr in _children(tbl, "tr"):
            row: list[Cell] = []
            # grid columns a row leaves empty before or after its cells (tables pasted from
            # the web or converted from PDF): empty cells, so each cell keeps its column
            before, after = (_grid_skip(tr, side) for side in ("gridBefore", "gridAfter"))
            for column in range(before):
                row.append(Cell(()))
                starts.pop(column, None)
            column = before
            for tc in _children(tr, "tc"):
                tcpr = tc.find("w:tcPr", NS)
                span_el = tcpr.find("w:gridSpan", NS) if tcpr is not None else None
                span = int_attr(span_el.get(W + "val"), 1, 1, 64) if span_el is not None else 1
                vmerge = tcpr.find("w:vMerge", NS) if tcpr is not None else None
                if tc.find(".//w:tbl", NS) is not None:
                    nested = True
                blocks = tuple(self.blocks(tc))
                if vmerge is not None and vmerge.get(W + "val") != "restart" and column in starts:
                    r, c = starts[column]
                    first = rows[r][c]
                    rows[r][c] = Cell(first.blocks, first.colspan, first.rowspan + 1)
                    row.append(Cell(blocks, span, 1, merged=True))
                else:
                    if vmerge is not None:
                        starts[column] = (len(rows), len(row))
                    else:
                        starts.pop(column, None)
                    row.append(Cell(blocks, span))
                column += span
            row.extend(Cell(()) for _ in range(after))
            for skipped in range(column, column + after):
                starts.pop(skipped, None)
            rows.append(row)
        return Table(tuple(tuple(r) for r in rows), nested, number)

    # -- comments, headers, properties ----------------------------------------------------

    def _comments(self) -> dict[str, Comment]:
        root = self.package.xml("word/comments.xml")
        found: dict[str, Comment] = {}
        if root is None:
            return found
        for comment in root.iterfind("w:comment", NS):
            paragraphs = [
                "".join(t.text or "" for t in p.iter(W + "t"))
                for p in comment.iterfind(".//w:p", NS)
            ]
            found[comment.get(W + "id", "")] = Comment(
                comment.get(W + "id", ""),
                comment.get(W + "author", ""),
                comment.get(W + "date", "")[:10],
                " / ".join(p for p in paragraphs if p),
            )
        return found

    def _headers_and_footers(self) -> None:
        seen = set()  # first-page, even and odd headers often say the same
        for name, data in sorted(self.package.members.items()):
            match = re.fullmatch(r"word/(header|footer)\d*\.xml", name)
            if not match:
                continue
            root = self.package.xml(name)
            text = " ".join("".join(t.text or "" for t in root.iter(W + "t")).split())
            if text and (match.group(1), text) not in seen:
                seen.add((match.group(1), text))
                self.findings.append(
                    Finding(
                        f"a {match.group(1)} is not carried (the book prints its own running "
                        f'heads and folios): "{clip(text)}"'
                    )
                )

    def _author(self) -> str:
        core = self.package.xml("docProps/core.xml")
        if core is None:
            return ""
        creator = core.find("dc:creator", NS)
        return (creator.text or "").strip() if creator is not None else ""


def _outer_boxes(element: etree._Element) -> list[etree._Element]:
    """The text boxes in a drawing, not those inside another box of it (read with it)."""
    return [box for box in element.iter(W + "txbxContent") if not _in_box(box, element)]


def _in_box(node: etree._Element, drawing: etree._Element) -> bool:
    """Whether `node` lies in a text box of `drawing` (ancestors above it do not count: the
    drawing may itself stand in a text box)."""
    for ancestor in node.iterancestors():
        if ancestor is drawing:
            return False
        if ancestor.tag == W + "txbxContent":
            return True
    return False


def _trim_breaks(out: list) -> tuple[Inline, ...]:
    """A paragraph's inlines without the line breaks at its start or end (and the spaces
    beside them): a page break before a chapter's first words, Shift+Enter after a
    paragraph's last, are not lines. Spaces with no break stay (a deleted paragraph mark
    joins this paragraph to the next)."""
    items = list(out)
    for _ in ("start", "end"):
        cut = 0
        for index, item in enumerate(items):
            if isinstance(item, LineBreak):
                cut = index + 1
            elif not (isinstance(item, Span) and not item.text.strip()):
                break
        items = items[cut:][::-1]
    return tuple(items)


def _changes(count: int, kind: str) -> str:
    """'1 insertion', '2 deletions', '1 formatting change'."""
    noun = "formatting change" if kind == "formatting" else kind[:-1]
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _grid_skip(tr: etree._Element, side: str) -> int:
    """A row's `w:gridBefore` or `w:gridAfter`: grid columns it has no cell in."""
    skip = tr.find(f"w:trPr/w:{side}", NS)
    return int_attr(skip.get(W + "val"), 0, 0, 64) if skip is not None else 0


def _placeholder(sdt: etree._Element) -> str | None:
    """The prompt a content control shows while nobody has filled it in (`showingPlcHdr`:
    "Click or tap here to enter text."), or None: a filled one holds the author's text."""
    if sdt.find("w:sdtPr/w:showingPlcHdr", NS) is None:
        return None
    return " ".join("".join(t.text or "" for t in sdt.iter(W + "t")).split())


def _placeholder_finding(prompt: str) -> str:
    return f'a content control never filled in is left out, with its prompt "{clip(prompt)}"'


def _children(parent: etree._Element, name: str):
    """`w:<name>` children, also those wrapped in content controls or custom XML."""
    for child in parent:
        if child.tag == W + name:
            yield child
        elif child.tag in (W + "sdt", W + "customXml"):
            inner = child.find("w:sdtContent", NS) if child.tag == W + "sdt" else child
            if inner is not None:
                yield from _children(inner, name)


def read_document(package: DocxPackage, track_changes: str = "accept") -> Document:
    """Read the package's main document, its notes and comments into a Document."""
    return _Reader(package, track_changes).read()


def _indented_quote(ppr: etree._Element) -> bool:
    """A paragraph set off as a quotation by its indentation alone."""
    ind = ppr.find("w:ind", NS)
    if ind is None or ind.get(W + "hanging"):
        return False
    return int_attr(ind.get(W + "left") or ind.get(W + "start"), 0, -100_000, 100_000) >= 567
