"""The words the book itself prints ("Contents", "Notes", "Edited by"), per language.

Input: the book's BCP 47 language tag and the `[labels]` overrides from book.toml.
Output: a complete `Labels` mapping for the templates.

A language that is not in the table falls back to English; `[labels]` in book.toml can set
any label for any language.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Mapping

if TYPE_CHECKING:
    from allianceprint.model import Original

#: Every label the templates use, with its English text.
ENGLISH: dict[str, str] = {
    "contents": "Contents",
    "notes": "Notes",
    "abbreviations": "Abbreviations",
    "contributors": "About the Contributors",
    "edited_by": "Edited by",
    "translated_by": "Translated by",
    "and": "and",
    "title_page": "Title Page",
    "copyright_page": "Copyright",
    "cover": "Cover",
    "landmarks": "Guide",
    "start_of_content": "Start of Content",
    "back_to_text": "Back to text",
    "note": "Note",
    "notes_to_pages": "Notes to pages",
    "notes_to_page": "Notes to page",
    "figure": "Figure",
    "table": "Table",
    "edition": "edition",
    "isbn_print": "ISBN (print)",
    "isbn_epub": "ISBN (EPUB)",
    "orcid": "ORCID",
    "printing": "{ordinal} printing",
    "history": "Publication history",
    "original_title": "Original title",
    "original_publisher": "Original publisher",
    "original_isbn": "ISBN of the original",
}

_TABLE: dict[str, dict[str, str]] = {
    "en": ENGLISH,
    "fr": {
        "contents": "Table des matières",
        "notes": "Notes",
        "abbreviations": "Abréviations",
        "contributors": "Les auteurs",
        "edited_by": "Sous la direction de",
        "translated_by": "Traduit par",
        "and": "et",
        "title_page": "Page de titre",
        "copyright_page": "Droits",
        "cover": "Couverture",
        "landmarks": "Repères",
        "start_of_content": "Début du texte",
        "back_to_text": "Retour au texte",
        "note": "Note",
        "edition": "édition",
        "notes_to_pages": "Notes des pages",
        "notes_to_page": "Notes de la page",
        "figure": "Figure",
        "table": "Tableau",
        "printing": "{ordinal} tirage",
        "history": "Historique de publication",
    },
    "de": {
        "contents": "Inhalt",
        "notes": "Anmerkungen",
        "abbreviations": "Abkürzungen",
        "contributors": "Die Autorinnen und Autoren",
        "edited_by": "Herausgegeben von",
        "translated_by": "Übersetzt von",
        "and": "und",
        "title_page": "Titelseite",
        "copyright_page": "Impressum",
        "cover": "Umschlag",
        "landmarks": "Orientierung",
        "start_of_content": "Textbeginn",
        "back_to_text": "Zurück zum Text",
        "note": "Anmerkung",
        "edition": "Auflage",
        "notes_to_pages": "Anmerkungen zu den Seiten",
        "notes_to_page": "Anmerkungen zu Seite",
        "figure": "Abbildung",
        "table": "Tabelle",
        "printing": "{ordinal} Druck",
        "history": "Veröffentlichungsgeschichte",
    },
    "es": {
        "contents": "Índice",
        "notes": "Notas",
        "abbreviations": "Abreviaturas",
        "contributors": "Sobre los autores",
        "edited_by": "Edición de",
        "translated_by": "Traducción de",
        "and": "y",
        "title_page": "Portada",
        "copyright_page": "Créditos",
        "cover": "Cubierta",
        "landmarks": "Guía",
        "start_of_content": "Inicio del texto",
        "back_to_text": "Volver al texto",
        "note": "Nota",
        "edition": "edición",
        "notes_to_pages": "Notas de las páginas",
        "notes_to_page": "Notas de la página",
        "figure": "Figura",
        "table": "Tabla",
        "printing": "{ordinal} impresión",
        "history": "Historial de publicación",
    },
    # Japanese: as Japanese presses print them (jlreq; 奥付 conventions). Captions "図1".
    "ja": {
        "contents": "目次",
        "notes": "注",
        "abbreviations": "略語一覧",
        "contributors": "執筆者紹介",
        "edited_by": "編",
        "translated_by": "訳",
        "and": "・",
        "title_page": "扉",
        "copyright_page": "奥付",
        "cover": "表紙",
        "landmarks": "ガイド",
        "start_of_content": "本文",
        "back_to_text": "本文へ戻る",
        "note": "注",
        "edition": "版",
        "notes_to_pages": "注（{pages}ページ）",
        "notes_to_page": "注（{pages}ページ）",
        "figure": "図{n}",
        "table": "表{n}",
        "isbn_print": "ISBN（印刷版）",
        "isbn_epub": "ISBN（電子版）",
        "printing": "第{n}刷",
        "history": "刊行履歴",
        "original_title": "原題",
        "original_publisher": "原出版社",
        "original_isbn": "原書ISBN",
    },
    # Simplified Chinese (zh, zh-Hans, zh-CN, zh-SG): as mainland presses print them.
    "zh": {
        "contents": "目录",
        "notes": "注释",
        "abbreviations": "缩略语",
        "contributors": "作者简介",
        "edited_by": "主编",
        "translated_by": "译",
        "and": "、",
        "title_page": "扉页",
        "copyright_page": "版权页",
        "cover": "封面",
        "landmarks": "导航",
        "start_of_content": "正文",
        "back_to_text": "返回正文",
        "note": "注",
        "edition": "版",
        "notes_to_pages": "第{pages}页注释",
        "notes_to_page": "第{pages}页注释",
        "figure": "图 {n}",
        "table": "表 {n}",
        "isbn_print": "ISBN（纸质版）",
        "isbn_epub": "ISBN（电子版）",
        "printing": "第{n}次印刷",
        "history": "出版记录",
        "original_title": "原书名",
        "original_publisher": "原出版者",
        "original_isbn": "原版 ISBN",
    },
    # Traditional Chinese (zh-Hant, zh-TW, zh-HK, zh-MO): as presses in Taiwan print them.
    "zh-Hant": {
        "contents": "目錄",
        "notes": "註釋",
        "abbreviations": "縮略語",
        "contributors": "作者簡介",
        "edited_by": "主編",
        "translated_by": "譯",
        "and": "、",
        "title_page": "扉頁",
        "copyright_page": "版權頁",
        "cover": "封面",
        "landmarks": "導覽",
        "start_of_content": "正文",
        "back_to_text": "返回正文",
        "note": "註",
        "edition": "版",
        "notes_to_pages": "第{pages}頁註釋",
        "notes_to_page": "第{pages}頁註釋",
        "figure": "圖 {n}",
        "table": "表 {n}",
        "isbn_print": "ISBN（紙本）",
        "isbn_epub": "ISBN（電子書）",
        "printing": "第{n}刷",
        "history": "出版紀錄",
        "original_title": "原書名",
        "original_publisher": "原出版者",
        "original_isbn": "原版 ISBN",
    },
}

#: Scripts and regions of Chinese that are written in Traditional characters.
_TRADITIONAL = ("hant", "tw", "hk", "mo")

Labels = Mapping[str, str]


def known_label(key: str) -> bool:
    return key in ENGLISH


def join_names(names: list[str], labels: Labels) -> str:
    """Names as a list in running text: "A", "A and B", "A, B and C"; with a conjunction
    that is punctuation (Japanese "・", Chinese "、"), "A・B・C"."""
    and_word = labels["and"]
    if len(names) <= 1 or (len(and_word) == 1 and not and_word.isalpha()):
        return list_names(names, labels)
    return ", ".join(names[:-1]) + f" {and_word} " + names[-1]


def list_names(names: list[str], labels: Labels) -> str:
    """Names as a list under a contents entry: "A, B, C"; with a conjunction that is
    punctuation (Chinese "、", Japanese "・"), joined with it: "甲、乙、丙". Names that hold
    the conjunction themselves (katakana names: ヘレナ・ヴォス) are joined with "、" instead,
    as Japanese books do, so that one cannot read three names as two."""
    and_word = labels["and"]
    if len(and_word) == 1 and not and_word.isalpha():
        if any(and_word in name for name in names):
            and_word = "、"
        return and_word.join(names)
    return ", ".join(names)


#: The placeholders a `printing` label may hold: the impression number, and that number as
#: an ordinal in the book's language ("third", "3e", "3.", "3.ª").
PRINTING_PLACEHOLDERS: tuple[str, ...] = ("{n}", "{ordinal}")

_ENGLISH_ORDINALS = (
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
)


def ordinal(number: int, language: str) -> str:
    """`number` as an ordinal in the primary language of the BCP 47 tag `language`: "third"
    (words up to "tenth", then "11th", "21st") in English and the languages without a table,
    "1er"/"3e" in French, "3." in German, "3.ª" in Spanish, the plain number in Japanese and
    Chinese (whose labels put it between 第 and the counter)."""
    primary = language.split("-", 1)[0].lower()
    if primary == "fr":
        return "1er" if number == 1 else f"{number}e"
    if primary == "de":
        return f"{number}."
    if primary == "es":
        return f"{number}.ª"
    if primary in ("ja", "zh"):
        return str(number)
    if 1 <= number <= len(_ENGLISH_ORDINALS):
        return _ENGLISH_ORDINALS[number - 1]
    suffix = (
        "th" if number % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


def printing_statement(number: int, language: str, labels: Labels) -> str:
    """The line that states the impression, e.g. "Third printing", "3e tirage", "第3刷": the
    `printing` label with `{n}` and `{ordinal}` filled in, its first letter a capital."""
    text = (
        labels["printing"]
        .replace("{n}", str(number))
        .replace("{ordinal}", ordinal(number, language))
    )
    return text[:1].upper() + text[1:]


def table_key(language: str) -> str:
    """The key of `_TABLE` for a BCP 47 tag: its primary language, or `zh-Hant` for Chinese
    in Traditional characters (`zh-Hant`, `zh-TW`, `zh-HK`, `zh-MO`, unless `-Hans` says
    otherwise)."""
    subtags = language.lower().split("-")
    if (
        subtags[0] == "zh"
        and "hans" not in subtags[1:]
        and any(tag in _TRADITIONAL for tag in subtags[1:])
    ):
        return "zh-Hant"
    return subtags[0]


def uses_zh_ja_formats(language: str) -> bool:
    """Whether the tag's language is Chinese or Japanese, which print names before their
    role ("王明 主编"), full-width colons and dates as 2024年6月. (Not Korean: it is typeset
    as CJK text, cjk.is_cjk, but writes its labels and dates otherwise.)"""
    return language.split("-", 1)[0].lower() in ("zh", "ja")


def labels_for(language: str, overrides: Mapping[str, str] | None = None) -> Labels:
    """The labels for a BCP 47 tag: its language's table over English, then overrides."""
    merged = dict(ENGLISH)
    merged.update(_TABLE.get(table_key(language), {}))
    merged.update(overrides or {})
    return MappingProxyType(merged)


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def format_date(date: str, language: str) -> str:
    """An ISO 8601 date (`2024`, `2024-06`, `2024-06-15`) as the book prints it: "June 2024"
    in English (the month and year, as title pages give them), 2024年 / 2024年6月 /
    2024年6月15日 in Chinese and Japanese, the ISO date in the other languages."""
    pieces = date.split("-") if date else []
    if not pieces:
        return ""
    if uses_zh_ja_formats(language):
        units = ("年", "月", "日")
        return "".join(f"{int(piece)}{unit}" for piece, unit in zip(pieces, units))
    if language.lower().startswith("en") and len(pieces) >= 2:
        return f"{_MONTHS[int(pieces[1]) - 1]} {pieces[0]}"
    return date


def numbered(label: str, number: int) -> str:
    """A caption's label with its number: the label's `{n}` filled in ("图 1", "図1"), or,
    for a label without one, "Figure 1." (the number and a full stop after the word)."""
    if "{n}" in label:
        return label.replace("{n}", str(number))
    return f"{label} {number}."


def for_pages(label: str, pages: str) -> str:
    """A book-end notes running head: the label's `{pages}` filled in ("第12–15页注释"), or
    the pages after the label ("Notes to pages 12–15")."""
    if "{pages}" in label:
        return label.replace("{pages}", pages)
    return f"{label} {pages}"


@dataclass(frozen=True)
class CopyrightLine:
    """One item of the copyright page: "Original title: X", "原书名：X"; `lang` is the
    value's language when it is not the book's (an English title in a Chinese book)."""

    label: str
    separator: str  # ": ", or the full-width "：" in Chinese and Japanese
    value: str
    lang: str = ""

    @property
    def text(self) -> str:
        return f"{self.label}{self.separator}{self.value}"


def original_statement(
    original: Original | None, language: str, labels: Labels
) -> tuple[CopyrightLine, ...]:
    """What a translation's copyright page says of its original: its title (in the
    original's language), publisher and date, ISBN; "原书名：……" in Chinese."""
    if original is None:
        return ()
    separator, comma = (
        (": ", ", ")
        if not uses_zh_ja_formats(language)
        else ("：", "、")
        if table_key(language) == "ja"
        else ("：", "，")
    )
    lines = [
        CopyrightLine(
            labels["original_title"],
            separator,
            original.title,
            original.language if original.language != language else "",
        )
    ]
    if original.publisher or original.date:
        said = comma.join(
            x for x in (original.publisher, format_date(original.date, language)) if x
        )
        lines.append(CopyrightLine(labels["original_publisher"], separator, said))
    if original.isbn:
        lines.append(CopyrightLine(labels["original_isbn"], separator, original.isbn))
    return tuple(lines)


def history_date(date: str, language: str) -> str:
    """A `[[history]]` entry's date on the copyright page: 2026年3月 in Chinese and
    Japanese, the ISO date (2026-03) in the other languages, as before."""
    return format_date(date, language) if uses_zh_ja_formats(language) else date
