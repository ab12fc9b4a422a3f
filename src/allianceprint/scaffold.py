"""A title, a language and editors' names -> a new manuscript folder that builds at once.

`allianceprint new DIR` writes what an edited volume needs to start: a `book.toml` that
holds every key of the schema (the ones it does not set commented out, each with its line of
documentation, taken from config's schema so that it cannot drift), a preface, an
abbreviations part, two short chapters with a note each, the contributors part and a
`.gitignore` for the build output. It passes `allianceprint check --strict` as it is. It
writes only into a folder that does not exist or is empty.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from allianceprint.config import ARRAY_TABLES, CONFIG_NAME, SUBTABLES, TABLES, Option
from allianceprint.errors import ManuscriptError
from allianceprint.model import PrintOptions
from allianceprint.validators import language_tag_problem

#: An example value for each kind of key, shown in the commented-out lines of book.toml.
EXAMPLES = {
    "text": '"..."',
    "line": '"..."',
    "keys": '["key"]',
    "files": '["file.md"]',
    "date": '"2026-03"',
    "isbn": '"978-0-00-000000-2"',
    "language": '"en"',
    "file": '"images/cover.jpg"',
    "orcid": '"0000-0002-1825-0097"',
    "size": '"6in 9in"',
    "length": '"10.5pt"',
    "marks": '["crop", "cross"]',
    "flag": "false",
    "variant": '"pdf/ua-1"',
    "notes": '"chapter-end"',
    "words": '["NB"]',
    "count": "1",
    "folder": '"house-style"',
    "filename": '"book-title"',
}


@dataclass(frozen=True)
class Words:
    """The placeholder text of a new manuscript, in its language."""

    preface: str
    preface_text: str
    abbreviations: str
    contributors: str
    chapter: str
    chapter_text: str  # {n}: the chapter's number; uses the abbreviation "EU"
    note: str
    bio: str
    affiliation: str
    author: str  # {n}: the contributor's number


ENGLISH = Words(
    preface="Preface",
    preface_text="Replace this text with the preface, and the note below with its note.",
    abbreviations="Abbreviations",
    contributors="About the Contributors",
    chapter="Chapter {n}",
    chapter_text="Replace this paragraph with chapter {n}. A note is written as in the "
    "sentence that ends here, and the EU stands for an abbreviation that the "
    "abbreviations part explains.",
    note="Replace this note with the chapter's first note.",
    bio="Replace this line with a short biography.",
    affiliation="Position, Institution",
    author="Contributor {n}",
)

WORDS = {
    "en": ENGLISH,
    "zh-Hans": Words(
        "序言",
        "请用序言的正文替换本段，并替换下面的注释。",
        "缩略语",
        "作者简介",
        "第{n}章",
        "请用第{n}章的正文替换本段。注释的写法如本句末尾所示，EU 是缩略语部分所解释的缩略语。",
        "请用本章的第一条注释替换此处。",
        "请在此写一段简短的作者简介。",
        "职务，机构",
        "作者{n}",
    ),
    "zh-Hant": Words(
        "序言",
        "請以序言的正文取代本段，並取代下面的註釋。",
        "縮略語",
        "作者簡介",
        "第{n}章",
        "請以第{n}章的正文取代本段。註釋的寫法如本句末尾所示，EU 是縮略語部分所解釋的縮略語。",
        "請以本章的第一條註釋取代此處。",
        "請在此寫一段簡短的作者簡介。",
        "職務，機構",
        "作者{n}",
    ),
    "ja": Words(
        "まえがき",
        "この段落をまえがきの本文に、下の注をその注に置き換えてください。",
        "略語一覧",
        "執筆者紹介",
        "第{n}章",
        "この段落を第{n}章の本文に置き換えてください。注はこの文の末尾のように書き、EU は略語一覧で説明する略語です。",
        "この注を本章の最初の注に置き換えてください。",
        "ここに短い略歴を書いてください。",
        "役職、所属機関",
        "執筆者{n}",
    ),
}


def words_for(language: str) -> Words:
    """The placeholder words for `language` (a BCP 47 tag), English when it has none."""
    tag = language.lower()
    if tag.startswith("zh"):
        traditional = any(part in tag.split("-") for part in ("hant", "tw", "hk", "mo"))
        return WORDS["zh-Hant" if traditional else "zh-Hans"]
    return WORDS.get(tag.split("-")[0], ENGLISH)


def new_manuscript(
    folder: Path, title: str, language: str = "en", editors: tuple[str, ...] = ()
) -> list[Path]:
    """Write a new manuscript into `folder` (which must not exist or be empty); return the
    files written."""
    if not title.strip():
        raise ManuscriptError('--title: give the book\'s title, e.g. --title "Allied Horizons"')
    problem = language_tag_problem(language)
    if problem:
        raise ManuscriptError(f"--language: {problem}")
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ManuscriptError(
            f"{folder} is not empty: `new` writes only into a new or empty "
            "folder, so that it never overwrites a manuscript",
            folder,
        )
    words = words_for(language)
    editor_names = [name.strip() for name in editors if name.strip()] or ["Editor One"]
    editor_keys = _keys(editor_names)
    authors = {f"contributor-{n}": words.author.format(n=n) for n in (1, 2)}
    files = {
        CONFIG_NAME: book_toml(
            title.strip(), language, dict(zip(editor_keys, editor_names)), authors, words
        ),
        ".gitignore": "# The build output: allianceprint writes the PDF and the EPUB here.\n"
        "/build/\n",
        "front/preface.md": f"---\ntitle: {words.preface}\n---\n\n{words.preface_text}[^1]"
        "\n\n[^1]: " + words.note + "\n",
        "front/abbreviations.md": f"---\ntitle: {words.abbreviations}\nkind: abbreviations\n---"
        "\n\n*[EU]: European Union\n",
        "back/contributors.md": f"---\ntitle: {words.contributors}\nkind: contributors\n---\n",
    }
    for number, key in enumerate(authors, start=1):
        files[f"chapters/{number:02d}-chapter.md"] = (
            f"---\ntitle: {json.dumps(words.chapter.format(n=number), ensure_ascii=False)}\n"
            f"authors: [{key}]\n---\n\n{words.chapter_text.format(n=number)}[^1]\n\n"
            f"[^1]: {words.note}\n"
        )
    written = []
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def book_toml(
    title: str, language: str, editors: dict[str, str], authors: dict[str, str], words: Words
) -> str:
    """A book.toml with every table and key of the schema: what the new book sets, and
    every other key commented out under its documentation."""
    values = {
        "book": {
            "title": _string(title),
            "language": _string(language),
            "editors": "[" + ", ".join(_string(k) for k in editors) + "]",
            "date": _string(str(dt.date.today().year)),
            "rights": _string(f"© {dt.date.today().year}. All rights reserved."),
        },
        "contents": {
            "front": '["front/preface.md", "front/abbreviations.md"]',
            "chapters": '["chapters/01-chapter.md", "chapters/02-chapter.md"]',
            "back": '["back/contributors.md"]',
        },
    }
    lines = [
        "# The book's settings. Every key is here: the ones this book does not use are",
        "# commented out (remove the `#` to use one). See docs/manuscript.md.",
        "",
    ]
    for table, options in TABLES.items():
        if table == "contributors":
            people = {**editors, **authors}
            for key, name in people.items():
                lines.append(f"[contributors.{key}]")
                lines += _keys_block(
                    options or (),
                    {
                        "name": _string(name),
                        "affiliation": _string(words.affiliation),
                        "bio": _string(words.bio),
                    },
                )
            continue
        if options is None:  # [labels]: free keys
            lines += [
                "# [labels]",
                "# Words the book prints, to replace the language's defaults, e.g.",
                '# contents = "Table of Contents"',
                "",
            ]
            continue
        header = f"[[{table}]]" if table in ARRAY_TABLES else f"[{table}]"
        chosen = values.get(table, {})
        lines.append(header if chosen else f"# {header}")
        lines += _keys_block(options, chosen, _defaults() if table == "print" else None)
        for option in options:
            if option.kind == "table":  # e.g. [book.original], for a translation
                lines += [f"# [{table}.{option.key}]"] + _wrapped_comment(option.doc)
                lines += _keys_block(SUBTABLES[f"{table}.{option.key}"], {})
    return "\n".join(lines).rstrip() + "\n"


def _defaults() -> dict[str, str]:
    """`[print]`'s defaults, as TOML values: the best example of each of its keys."""
    shown = {}
    for item in dataclasses.fields(PrintOptions):
        value = item.default
        shown[item.name] = (
            json.dumps(list(value))
            if isinstance(value, tuple)
            else "true"
            if value is True
            else "false"
            if value is False
            else _string(str(value))
        )
    return shown


def _keys_block(
    options: tuple[Option, ...], chosen: dict[str, str], examples: dict[str, str] | None = None
) -> list[str]:
    lines = []
    for option in options:
        if option.kind == "table":
            continue  # written as a table of its own
        doc = option.doc + (" Required." if option.required else "")
        lines += [f"# {line}" for line in _wrapped(doc)]
        value = chosen.get(option.key)
        if value is not None:
            lines.append(f"{option.key} = {value}")
        else:
            example = (examples or {}).get(option.key) or EXAMPLES.get(option.kind, "...")
            lines.append(f"# {option.key} = {example}")
    return lines + [""]


def _wrapped_comment(text: str) -> list[str]:
    return [f"# {line}" for line in _wrapped(text)]


def _wrapped(text: str, width: int = 88) -> list[str]:
    words, lines, line = " ".join(text.split()).split(" "), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return lines + ([line] if line else [])


def _string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _keys(names: list[str]) -> list[str]:
    """A contributor key for each name: its last word, in ASCII, unique."""
    keys: list[str] = []
    for name in names:
        ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        words = re.findall(r"[A-Za-z0-9]+", ascii_name)
        key = words[-1].lower() if words else "editor"
        candidate, n = key, 2
        while candidate in keys:
            candidate, n = f"{key}-{n}", n + 1
        keys.append(candidate)
    return keys
