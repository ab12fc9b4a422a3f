"""`Document` -> `ImportedPart`: the part's Markdown in allianceprint's dialect, and its images.

The title comes from the Title style, else the first Heading 1 (else the first heading);
headings below it map to `##` and down, never skipping a level. Notes, footnotes and
endnotes alike, become `[^1]`, `[^2]`... in reading order, with further paragraphs
indented; tables are pipe tables (`Table:` captions), or raw HTML tables where cells are
merged or nested; lists keep their numbers and their `a)`/`i.` styles (as an attribute
list on each item); comments stay as HTML comments after their paragraph.

The inline markup (emphasis, escapes) is written by mdtext.py; the title and the captions
are found by outline.py.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

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
    NoteRef,
    Paragraph,
    Picture,
    Span,
    Table,
)
from allianceprint.importer.mdtext import escape, safe_line_start, span_groups, spans_markdown
from allianceprint.importer.outline import (
    caption_targets,
    find_title,
    first_words,
    paragraphs,
    plain_text,
    strip_caption_label,
    walk,
    without_notes,
)


@dataclass
class ImportedPart:
    title: str  # plain text
    body: str  # Markdown after the front matter
    title_in_body: bool  # the title carries a note: it is the body's `#` heading
    images: dict[str, bytes]  # file name (in the part's image folder) -> content
    notes: int
    footnotes: int
    endnotes: int
    findings: list[Finding] = field(default_factory=list)


def write_markdown(doc: Document, slug: str, image_url: str) -> ImportedPart:
    """Write `doc` as a part whose images are referred to as `image_url/<name>`."""
    return _Writer(doc, slug, image_url).write()


class _Writer:
    def __init__(self, doc: Document, slug: str, image_url: str) -> None:
        self.doc = doc
        self.slug = slug
        self.image_url = image_url
        self.labels: dict[tuple[str, str], int] = {}
        self.findings: list[Finding] = list(doc.findings)
        self.heading_ids: dict[str, str] = {}
        self.used_images: dict[str, bytes] = {}
        self.where = ""  # the paragraph (or note) being written, for findings
        self.table_pictures: list[Picture] = []  # in an HTML table's cells: after it

    # -- the part ---------------------------------------------------------------------------

    def write(self) -> ImportedPart:
        blocks = list(self.doc.blocks)
        title_index, title_level = find_title(blocks)
        title_para = blocks.pop(title_index) if title_index is not None else None
        # a later Title-styled paragraph (a subtitle set as Title) is a plain paragraph
        blocks = [
            Paragraph(b.inlines, "body", 0, None, b.anchors, b.number)
            if isinstance(b, Paragraph) and b.kind == "title"
            else b
            for b in blocks
        ]
        for block in blocks:
            if isinstance(block, Paragraph) and block.kind == "heading":
                for anchor in block.anchors:
                    self.heading_ids[anchor] = _id(f"{self.slug}-{anchor}")
        title = plain_text(title_para.inlines) if title_para else ""
        title = " ".join(title.split())
        out: list[str] = []
        title_in_body = bool(title_para and any(isinstance(i, NoteRef) for i in title_para.inlines))
        if title_in_body:
            out.append("# " + self.inline(title_para.inlines).strip())
        self.blocks(blocks, out, title_level)
        for key, note in self.doc.notes.items():  # a safety net: no note is lost silently
            if key not in self.labels:
                label = self.label(NoteRef(*key))
                words = first_words(next((b.inlines for b in paragraphs(note.blocks)), ()))
                self.findings.append(
                    Finding(
                        f'{key[0]} "{words}" is kept as note {label}, but its reference stood '
                        "where Markdown cannot hold one: put [^" + str(label) + "] back by hand"
                    )
                )
        notes_out: list[str] = []
        done: set[tuple[str, str]] = set()
        while len(done) < len(self.labels):  # notes can refer to notes: until none is new
            for key, label in sorted(self.labels.items(), key=lambda kv: kv[1]):
                if key in done:
                    continue
                done.add(key)
                notes_out.append(self.note(key, label))
        body = "\n\n".join(part for part in out if part.strip())
        if notes_out:
            body += "\n\n" + "\n\n".join(notes_out)
        kinds = [k for k, _ in self.labels]
        return ImportedPart(
            title,
            body.rstrip() + "\n",
            title_in_body,
            self.used_images,
            len(self.labels),
            kinds.count("footnote"),
            kinds.count("endnote"),
            self.findings,
        )

    # -- blocks -----------------------------------------------------------------------------

    def blocks(
        self, blocks: list[Block], out: list[str], title_level: int = 1, in_note: bool = False
    ) -> None:
        captions, used = caption_targets(blocks)
        previous_level = 1
        # Headings at the title's own level (more Heading 1s after a Heading 1 title) are
        # its sections: they and everything below them go one level down.
        shift = (
            2
            if any(
                isinstance(b, Paragraph) and b.kind == "heading" and b.level == title_level
                for b in blocks
            )
            else 1
        )
        list_run: list[str] = []
        list_levels: list[int] = []
        previous_list_kind: tuple[int, bool] | None = None
        last_number = 0  # of the list's last numbered item at the outer level

        def close_list() -> None:
            nonlocal previous_list_kind
            if list_run:
                out.append("\n".join(list_run))
                list_run.clear()
                list_levels.clear()
            previous_list_kind = None

        for index, block in enumerate(blocks):
            if index in used:
                continue
            if (
                isinstance(block, Table)
                and len(block.rows) == 1
                and len(block.rows[0]) == 1
                and captions.get(index) is None
            ):
                close_list()  # a one-cell table is a box around text: the text, unboxed
                self.findings.append(
                    Finding(
                        "a one-cell table (a box) is written as its text", self.where or "a table"
                    )
                )
                self.blocks(list(block.rows[0][0].blocks), out, title_level, in_note)
                continue
            if isinstance(block, Table):
                close_list()
                out.append(self.table(block, self.caption(blocks, captions.get(index)), in_note))
                for cell_paragraph in paragraphs([block]):  # a cell cannot hold them
                    out.extend(self.comments(cell_paragraph.inlines))
                continue
            if not in_note:
                self.where = f'paragraph {block.number} ("{first_words(block.inlines)}")'
            comments = self.comments(block.inlines)
            if block.list is not None:
                info = block.list
                level = min(info.level, (list_levels[-1] + 1) if list_levels else 0)
                if previous_list_kind and level == 0 and previous_list_kind != (0, info.ordered):
                    close_list()
                elif level == 0 and info.ordered and list_run and info.number != last_number + 1:
                    # Word restarted the numbering: a list of its own, which Markdown would
                    # join to this one unless something stands between them
                    close_list()
                    out.append("<!-- a new list -->")
                if level == 0 and info.ordered:
                    last_number = info.number
                list_levels.append(level)
                indent = "    " * level
                marker = f"{info.number}. " if info.ordered else "- "
                text = self.inline(block.inlines, continuation=indent + "    ").strip()
                item = f"{indent}{marker}{safe_line_start(text)}"
                if info.style not in ("decimal", "disc"):
                    item += f'\n{indent}    {{: style="list-style-type: {info.style}" }}'
                list_run.append(item)
                if level == 0:
                    previous_list_kind = (0, info.ordered)
                if comments:
                    close_list()
                    out.extend(comments)
                continue
            close_list()
            inlines = block.inlines
            if block.kind == "heading":  # headings are bold already: Word's bold is noise
                inlines = tuple(
                    Span(i.text, i.italic, False, i.small_caps, i.script)
                    if isinstance(i, Span)
                    else i
                    for i in inlines
                )
            text = self.inline(inlines).strip()
            if block.kind == "heading" and not in_note:
                level = max(2, block.level - title_level + shift)
                level = min(level, previous_level + 1, 6)
                previous_level = level
                ids = [self.heading_ids[a] for a in block.anchors if a in self.heading_ids]
                attr = f" {{: #{ids[0]} }}" if ids else ""
                out.append(f"{'#' * level} {text}{attr}")
            elif block.kind == "heading":
                out.append(f"**{text}**")
            elif block.kind == "quote":
                quote = "\n".join("> " + line for line in text.split("\n"))
                if out and out[-1].startswith("> ") and not in_note:
                    out[-1] += "\n>\n" + quote
                else:
                    out.append(quote)
            elif index in captions:
                caption = captions[index]
                if caption is not None and any(
                    isinstance(i, NoteRef) for i in walk(blocks[caption].inlines)
                ):
                    # a figure's caption is an attribute: it cannot hold a note
                    out.append(self.figure(block, ""))
                    self.findings.append(
                        Finding(
                            "a figure caption holds a note: it is "
                            "written as a paragraph after the figure, "
                            "unnumbered",
                            self.where,
                        )
                    )
                    out.append(self.caption(blocks, caption))
                else:  # a title attribute: plain text, not Markdown
                    out.append(
                        self.figure(
                            block,
                            strip_caption_label(
                                " ".join(plain_text(blocks[caption].inlines).split())
                            )
                            if caption is not None
                            else "",
                        )
                    )
            else:
                out.append(safe_line_start(text))
            out.extend(comments)
        close_list()

    def caption(self, blocks: list[Block], index: int | None) -> str:
        """The caption paragraph at `index` as Markdown, without Word's "Table 2:" label."""
        if index is None:
            return ""
        return strip_caption_label(self.inline(blocks[index].inlines).strip())

    def figure(self, block: Paragraph, caption: str) -> str:
        picture = next(i for i in block.inlines if isinstance(i, Picture))
        url = self.image(picture)
        # a straight quote would end the title: curly ones, as smart punctuation would
        caption = re.sub(r'"(?=\w)', "\u201c", caption).replace('"', "\u201d")
        title = f' "{caption}"' if caption else ""
        return f"![{escape(picture.alt)}]({url}{title})"

    def image(self, picture: Picture) -> str:
        self.used_images[picture.name] = self.doc.images[picture.name]
        return f"{self.image_url}/{picture.name}"

    def comments(self, inlines: tuple[Inline, ...]) -> list[str]:
        found = []
        for item in walk(inlines):
            if isinstance(item, CommentMark) and item.id in self.doc.comments:
                comment: Comment = self.doc.comments[item.id]
                text = f"Comment by {comment.author or 'an unnamed reviewer'}"
                text += f" ({comment.date})" if comment.date else ""
                text += f": {comment.text}"
                text = text.replace("--", "\u2013").replace(">", "\u203a")
                found.append(f"<!-- {text} -->")
        return found

    def note(self, key: tuple[str, str], label: int) -> str:
        note = self.doc.notes[key]
        self.where = f"note {label}"
        parts: list[str] = []
        self.blocks(list(note.blocks), parts, in_note=True)
        if not parts:
            parts = ["(empty note in the Word file)"]
            self.findings.append(Finding(f"note {label} is empty in the Word file"))
        first, rest = parts[0], parts[1:]
        if first.startswith(("|", "<table", "- ", "> ")) or re.match(r"^\d+\. ", first):
            rest, first = parts, ""
        text = f"[^{label}]: {first}".rstrip()
        text = text.replace("\n", "\n    ")
        for block in rest:
            text += "\n\n" + "\n".join(
                ("    " + line) if line else "" for line in block.split("\n")
            )
        return text

    # -- tables -----------------------------------------------------------------------------

    def table(self, table: Table, caption: str, in_note: bool = False) -> str:
        merged = any(c.colspan > 1 or c.rowspan > 1 for row in table.rows for c in row)
        has_notes = any(
            isinstance(i, NoteRef)
            for row in table.rows
            for c in row
            for b in paragraphs(c.blocks)
            for i in walk(b.inlines)
        )
        where = "a table in a note" if in_note else f"the table after paragraph {table.number - 1}"
        if in_note and (merged or table.nested):
            self.findings.append(
                Finding(
                    "a table with merged or nested cells in a note is "
                    "written as a pipe table with the merged cells "
                    "split (a note cannot hold an HTML table): check it",
                    where,
                )
            )
            text = self.pipe_table(table)
        elif (merged or table.nested) and not has_notes:
            text = self.html_table(table)
            self.findings.append(
                Finding(
                    "a table with merged or nested cells is written as an HTML table: check it",
                    where,
                )
            )
        else:  # a pipe table; merged cells that hold a note are split
            if (merged or table.nested) and not in_note:
                self.findings.append(
                    Finding(
                        "a table with merged or nested cells holds a "
                        "note: it is written as a pipe table with the "
                        "merged cells split; check it",
                        where,
                    )
                )
            text = self.pipe_table(table)
        if caption:
            text += f"\n\nTable: {caption}"
        for picture in self.table_pictures:
            text += f"\n\n![{escape(picture.alt)}]({self.image(picture)})"
            self.findings.append(
                Finding(
                    f"an image ({picture.name}) in a merged-cell table is written after "
                    "the table: check its place",
                    where,
                )
            )
        self.table_pictures.clear()
        return text

    def pipe_table(self, table: Table) -> str:
        rows = []
        for row in table.rows:
            cells: list[str] = []
            for cell in row:
                cells.append("" if cell.merged else self.cell_text(cell))
                cells.extend([""] * (cell.colspan - 1))
            rows.append(cells)
        width = max((len(r) for r in rows), default=1)
        lines = []
        for number, cells in enumerate(rows):
            cells = cells + [""] * (width - len(cells))
            lines.append("| " + " | ".join(c or " " for c in cells) + " |")
            if number == 0:
                lines.append("|" + "|".join([" --- "] * width) + "|")
        return "\n".join(lines)

    def cell_text(self, cell: Cell) -> str:
        texts = []
        for block in cell.blocks:
            if isinstance(block, Table) and any(
                isinstance(i, NoteRef) for b in paragraphs([block]) for i in walk(b.inlines)
            ):
                self.findings.append(
                    Finding(
                        "a table nested in a table cell holds a note: "
                        "its cells are written as lines of the outer "
                        "cell",
                        self.where or "a table",
                    )
                )
                texts.extend(self.inline(b.inlines).strip() for b in paragraphs([block]))
                continue
            if isinstance(block, Table):
                texts.append(self.html_table(block))
                continue
            text = self.inline(block.inlines).strip()
            if block.list is not None:
                text = ("\u2022 " if not block.list.ordered else f"{block.list.number}. ") + text
            texts.append(text)
        return " <br /> ".join(t.replace("|", "\\|").replace("\n", " ") for t in texts if t)

    def html_table(self, table: Table) -> str:
        lines = ["<table>"]
        for number, row in enumerate(table.rows):
            tag = "th" if number == 0 else "td"
            cells = []
            for cell in row:
                if cell.merged:
                    continue
                attrs = (f' colspan="{cell.colspan}"' if cell.colspan > 1 else "") + (
                    f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else ""
                )
                content = "<br />".join(
                    self.html_table(b) if isinstance(b, Table) else self.inline_html(b.inlines)
                    for b in cell.blocks
                )
                cells.append(f"<{tag}{attrs}>{content}</{tag}>")
            lines.append("<tr>" + "".join(cells) + "</tr>")
        lines.append("</table>")
        return "\n".join(lines)

    # -- inlines ----------------------------------------------------------------------------

    def inline(self, inlines: tuple[Inline, ...], continuation: str = "") -> str:
        pieces: list[str] = []
        for group in span_groups(inlines):
            if isinstance(group, list):
                pieces.append(spans_markdown(group, pieces[-1] if pieces else ""))
            elif isinstance(group, NoteRef):
                pieces.append(f"[^{self.label(group)}]")
            elif isinstance(group, Link):
                pieces.append(self.link(group))
            elif isinstance(group, Picture):
                pieces.append(f"![{escape(group.alt)}]({self.image(group)})")
            elif isinstance(group, LineBreak):
                pieces.append("<br />")
        return "".join(pieces)

    def label(self, ref: NoteRef) -> int:
        key = (ref.kind, ref.id)
        if key not in self.labels:
            self.labels[key] = len(self.labels) + 1
        return self.labels[key]

    def link(self, link: Link) -> str:
        # A note reference inside a link would be a link inside a link: it goes after it.
        notes = "".join(
            f"[^{self.label(i)}]" for i in walk(link.children) if isinstance(i, NoteRef)
        )
        if notes:
            link = Link(link.target, without_notes(link.children))
        return self._link(link) + notes

    def _link(self, link: Link) -> str:
        text = self.inline(link.children).strip() or escape(link.target)
        target = link.target
        if target.startswith("#"):
            anchor = target[1:]
            if anchor in self.heading_ids:
                return f"[{text}](#{self.heading_ids[anchor]})"
            self.findings.append(
                Finding(
                    f'a link to a place in the document ("{plain_text(link.children).strip()[:40]}") '
                    "that is not a heading is kept as plain text",
                    self.where,
                )
            )
            return text
        if not re.match(r"^(https?|ftp|mailto|tel):", target, re.IGNORECASE):
            self.findings.append(
                Finding(
                    f"a link to {target!r} is kept as plain text: only "
                    "web and mail addresses can be linked",
                    self.where,
                )
            )
            return text
        target = target.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
        return f"[{text}]({target})"

    def inline_html(self, inlines: tuple[Inline, ...]) -> str:
        out = []
        for item in inlines:
            if isinstance(item, Span):
                text = html.escape(item.text, quote=False)
                if item.small_caps:
                    text = f'<span style="font-variant: small-caps">{text}</span>'
                if item.script:
                    text = f"<{item.script}>{text}</{item.script}>"
                if item.italic:
                    text = f"<em>{text}</em>"
                if item.bold:
                    text = f"<strong>{text}</strong>"
                out.append(text)
            elif isinstance(item, Link) and re.match(r"^(https?|mailto):", item.target):
                out.append(
                    f'<a href="{html.escape(item.target)}">{self.inline_html(item.children)}</a>'
                )
            elif isinstance(item, Link):
                out.append(self.inline_html(item.children))
            elif isinstance(item, LineBreak):
                out.append("<br />")
            elif isinstance(item, Picture):  # an HTML table cannot hold Markdown's image
                self.table_pictures.append(item)
        return "".join(out)


def _id(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"
