"""The words the book itself prints ("Contents", "Notes", "Edited by"), per language.

Input: the book's BCP 47 language tag and the `[labels]` overrides from book.toml.
Output: a complete `Labels` mapping for the templates.

A language that is not in the table falls back to English; `[labels]` in book.toml can set
any label for any language.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

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
}

_TABLE: dict[str, dict[str, str]] = {
    "en": ENGLISH,
    "fr": {
        "contents": "Table des matières", "notes": "Notes", "abbreviations": "Abréviations",
        "contributors": "Les auteurs", "edited_by": "Sous la direction de",
        "translated_by": "Traduit par", "and": "et", "title_page": "Page de titre",
        "copyright_page": "Droits", "cover": "Couverture", "landmarks": "Repères",
        "start_of_content": "Début du texte", "back_to_text": "Retour au texte",
        "note": "Note", "edition": "édition", "notes_to_pages": "Notes des pages",
        "notes_to_page": "Notes de la page", "figure": "Figure", "table": "Tableau",
        "printing": "{ordinal} tirage", "history": "Historique de publication",
    },
    "de": {
        "contents": "Inhalt", "notes": "Anmerkungen", "abbreviations": "Abkürzungen",
        "contributors": "Die Autorinnen und Autoren", "edited_by": "Herausgegeben von",
        "translated_by": "Übersetzt von", "and": "und", "title_page": "Titelseite",
        "copyright_page": "Impressum", "cover": "Umschlag", "landmarks": "Orientierung",
        "start_of_content": "Textbeginn", "back_to_text": "Zurück zum Text",
        "note": "Anmerkung", "edition": "Auflage", "notes_to_pages": "Anmerkungen zu den Seiten",
        "notes_to_page": "Anmerkungen zu Seite", "figure": "Abbildung", "table": "Tabelle",
        "printing": "{ordinal} Druck", "history": "Veröffentlichungsgeschichte",
    },
    "es": {
        "contents": "Índice", "notes": "Notas", "abbreviations": "Abreviaturas",
        "contributors": "Sobre los autores", "edited_by": "Edición de",
        "translated_by": "Traducción de", "and": "y", "title_page": "Portada",
        "copyright_page": "Créditos", "cover": "Cubierta", "landmarks": "Guía",
        "start_of_content": "Inicio del texto", "back_to_text": "Volver al texto",
        "note": "Nota", "edition": "edición", "notes_to_pages": "Notas de las páginas",
        "notes_to_page": "Notas de la página", "figure": "Figura", "table": "Tabla",
        "printing": "{ordinal} impresión", "history": "Historial de publicación",
    },
    "ja": {
        "contents": "目次", "notes": "注", "abbreviations": "略語一覧",
        "contributors": "執筆者紹介", "edited_by": "編", "translated_by": "訳", "and": "・",
        "title_page": "扉", "copyright_page": "奥付", "cover": "表紙", "landmarks": "ガイド",
        "start_of_content": "本文", "back_to_text": "本文へ戻る", "note": "注", "edition": "版",
        "notes_to_pages": "注・ページ", "notes_to_page": "注・ページ", "figure": "図", "table": "表",
        "printing": "第{n}刷", "history": "刊行履歴",
    },
    "zh": {
        "contents": "目录", "notes": "尾注", "abbreviations": "缩写",
        "contributors": "作者简介", "edited_by": "主编", "translated_by": "译", "and": "、",
        "title_page": "扉页", "copyright_page": "版权页", "cover": "封面", "landmarks": "导航",
        "start_of_content": "正文", "back_to_text": "返回正文", "note": "注", "edition": "版",
        "notes_to_pages": "注释・页", "notes_to_page": "注释・页", "figure": "图", "table": "表",
        "printing": "第{n}次印刷", "history": "出版记录",
    },
}

Labels = Mapping[str, str]


def known_label(key: str) -> bool:
    return key in ENGLISH


def join_names(names: list[str], labels: Labels) -> str:
    """Names as a list in running text: "A", "A and B", "A, B and C"; with a conjunction
    that is punctuation (Japanese "・", Chinese "、"), "A・B・C"."""
    and_word = labels["and"]
    if len(names) <= 1:
        return "".join(names)
    if len(and_word) == 1 and not and_word.isalpha():
        return and_word.join(names)
    return ", ".join(names[:-1]) + f" {and_word} " + names[-1]


#: The placeholders a `printing` label may hold: the impression number, and that number as
#: an ordinal in the book's language ("third", "3e", "3.", "3.ª").
PRINTING_PLACEHOLDERS: tuple[str, ...] = ("{n}", "{ordinal}")

_ENGLISH_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh",
                     "eighth", "ninth", "tenth")


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
    suffix = "th" if number % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(
        number % 10, "th")
    return f"{number}{suffix}"


def printing_statement(number: int, language: str, labels: Labels) -> str:
    """The line that states the impression, e.g. "Third printing", "3e tirage", "第3刷": the
    `printing` label with `{n}` and `{ordinal}` filled in, its first letter a capital."""
    text = labels["printing"].replace("{n}", str(number)).replace(
        "{ordinal}", ordinal(number, language))
    return text[:1].upper() + text[1:]


def labels_for(language: str, overrides: Mapping[str, str] | None = None) -> Labels:
    """The labels for a BCP 47 tag: its primary language's table over English, then overrides."""
    primary = language.split("-", 1)[0].lower()
    merged = dict(ENGLISH)
    merged.update(_TABLE.get(primary, {}))
    merged.update(overrides or {})
    return MappingProxyType(merged)
