"""Chinese and Japanese pages set as a press sets them (issue 12, typesetting).

One small book, built once: a zh-Hans chapter, a zh-Hant part and a ja part (the text is
original, written for these tests). The PDF is read with pdfplumber: the font of every
character, the position of every line and glyph.
"""

from __future__ import annotations

import re
import zipfile

import pytest
from conftest import build_book
from helpers import make_manuscript, run_cli

from allianceprint import cjklatin

TOML = """\
[book]
title = "区域合作的制度与实践"
language = "zh-Hans"
editors = ["ed"]

[contributors.ed]
name = "林晓风"
affiliation = "东海政策研究所"
bio = "林晓风长期研究区域治理。"

[contributors.au]
name = "周明远"
affiliation = "南方大学国际关系学院"
bio = "周明远研究海洋安全与数据治理。"

[contents]
chapters = ["zh.md", "hant.md", "ja.md"]
"""

#: Paragraphs as they print (Markdown marks and note references are added below).
ZH = [
    "近年来，区域合作机制的数量明显增加。各国政府在海洋安全、气候适应与数字治理等领域签署了"
    "多项协议，但执行情况参差不齐。本章以三个案例为基础，讨论“制度设计”与“执行能力”之间的关"
    "系，并指出：协议文本越具体，落实的可能性就越高。",
    "在东南亚，沿海国家通过SAR卫星监测非法捕捞活动。2023年，该项目覆盖的海域扩大到约120万平"
    "方公里，参与国也从4个增加到7个。然而，数据共享仍然受到国内法律的限制（尤其是涉及军事设施"
    "的图像），各方对“敏感信息”的界定并不一致。",
    "与此同时，太平洋岛国更加关注气候资金的可及性——许多小国缺乏编制项目申请的专业人员……"
    "顾问玛丽亚·桑托斯说，这导致资金到位时间平均延迟18个月。有学者建议设立区域性的技术支持中心，由成员国轮流主持；也有人认"
    "为，应当简化《框架协定》中的申请程序。",
    "世界银行（World Bank）与亚洲开发银行在2019年发布的联合报告中提出了“能力先行”的原则。报"
    "告认为，在技术援助不足的情况下，单纯增加资金规模并不能提高执行效率。这一判断后来被许多区"
    "域组织所采纳，例如APEC和 ASEAN 的若干工作组，以及 Pacific Islands Forum 秘书处。",
    "本书作者在调研中发现，地方官员最常提到的困难是“不知道该找谁。”在一个典型的省级部门里，负"
    "责国际合作的工作人员往往只有两三名，而他们同时要处理十几个双边和多边项目。这种人手不足的"
    "状况，使得许多协议条款停留在纸面上。另一方面，企业界对区域规则的关注度明显提高：据一项针"
    "对300家企业的调查，超过六成的受访者表示，他们在过去两年中调整了供应链布局。",
    "这些发现表明，制度设计不能只看文本本身。我们还必须考察执行机构的资源、人员与激励结构，才"
    "能理解为什么某些协议“一签就灵”，而另一些却“形同虚设”。英文文献常把这种差距称为Global "
    "Commons治理的“最后一公里”问题（见第三章）。下一节将具体讨论三个案例中的执行安排。",
]
QUOTE = (
    "协议的生命在于执行。没有执行机制的协议，只是一份良好意愿的声明；而执行机制本身，又取决于"
    "各国是否愿意为此投入人员和资金，是否愿意接受来自伙伴国的监督与评估。"
)
ITEM = (
    "第一，明确牵头机构及其职责，避免多个部门相互推诿；第二，为每一项承诺设定可以检验的时间表，"
    "并由第三方定期公布进展；第三，保留调整条款的余地。"
)
HANT = [
    "在臺灣與香港，出版社通常使用置中的標點符號。學者指出：「區域協定的條文雖然相近，執行的方"
    "式卻大不相同。」這種差異在漁業、航運與數位貿易三個領域尤其明顯，值得進一步比較。",
    "二〇二二年的調查顯示，約有百分之四十的中小企業並不了解新的原產地規則。研究團隊因此建議，"
    "主管機關應當編寫更簡明的說明手冊，並在各地舉辦講習會，讓企業能夠及早因應。",
]
JA = [
    "近年、地域協力の枠組みは急速に増えている。各国政府は海洋安全保障やデジタル貿易などの分野で"
    "多くの協定を結んできたが、その実施状況にはばらつきがある。本章では、三つの事例をもとに「制"
    "度設計」と「実施能力」の関係を検討する。",
    "ある担当者は「誰に相談すればよいのか、わからなかった。」と語っている。小さな役所では、国際"
    "協力を担当する職員はわずか二、三人しかおらず、しかも十数件のプロジェクトを同時に抱えている"
    "ことが多い。こうした人手不足が、協定の条文を紙の上にとどめてしまうのである。",
]

ZH_MD = f"""\
---
title: 第一章　制度设计与执行能力
authors: [au]
---

{ZH[0]}[^1]

{ZH[1]}

## 一、问题的提出

{ZH[2]}[^2]

{ZH[3].replace("能力先行", "*能力先行*")}

{ZH[4].replace("纸面上。", "纸面上。[^3]")}

{ZH[5].replace("Global Commons", '<span lang="en">Global Commons</span>')}

> {QUOTE}

- {ITEM}

[^1]: 关于“执行能力”的定义，参见本书第三章的讨论。
[^2]: 《框架协定》第12条规定了申请程序的基本要求。
[^3]: 访谈记录保存在研究所档案室。
"""

HANT_MD = f"""\
---
title: 第二章　區域協定的執行
lang: zh-Hant
---

{HANT[0]}

{HANT[1]}
"""

JA_MD = f"""\
---
title: 第三章　地域協力の実施
lang: ja
---

{JA[0]}

{JA[1]}
"""

OPENING = "（〔［｛〈《「『【“‘"
CLOSING = "、。，．：；？！）」』》〉】〕”’％‰"
SMALL_KANA = "ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶーゝゞ々"
IDEOGRAPH = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z0-9]")


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    root = make_manuscript(
        tmp_path_factory.mktemp("cjk"), {"zh.md": ZH_MD, "hant.md": HANT_MD, "ja.md": JA_MD}, TOML
    )
    return build_book(root, root / "build")


@pytest.fixture(scope="module")
def pdf(book):
    import pdfplumber

    with pdfplumber.open(book.pdf) as document:
        yield document


def text_lines(pdf, body_size: float = 10.5) -> list[list[dict]]:
    """The lines of body text (characters at the body size, in reading order), by page."""
    lines: list[list[dict]] = []
    for page in pdf.pages:
        chars = sorted(
            (c for c in page.chars if abs(c["size"] - body_size) < 0.2), key=lambda c: c["bottom"]
        )
        page_lines: list[list[dict]] = []
        for char in chars:
            if page_lines and abs(char["bottom"] - page_lines[-1][0]["bottom"]) < 4:
                page_lines[-1].append(char)
            else:
                page_lines.append([char])
        lines.extend(sorted(line, key=lambda c: c["x0"]) for line in page_lines)
    return lines


def edges(pdf) -> dict[int, tuple[float, float]]:
    """The left and right edges of the text block on each page."""
    found: dict[int, tuple[float, float]] = {}
    for line in text_lines(pdf):
        number = line[0]["page_number"]
        left, right = found.get(number, (1e9, 0.0))
        found[number] = (min(left, line[0]["x0"]), max(right, line[-1]["x1"]))
    return found


def joined(line: list[dict]) -> str:
    return "".join(c["text"] for c in line)


def bare(text: str) -> str:
    return re.sub(r"\s|^•", "", text)


def paragraphs(pdf, sources: list[str]) -> dict[str, list[list[dict]]]:
    """Each source paragraph's printed lines, found in order."""
    lines = [line for line in text_lines(pdf) if bare(joined(line))]
    found: dict[str, list[list[dict]]] = {}
    for source in sources:
        target = bare(source)
        start = next(
            i
            for i, line in enumerate(lines)
            if target.startswith(bare(joined(line))) and len(bare(joined(line))) > 3
        )
        taken, text = [], ""
        for line in lines[start:]:
            taken.append(line)
            text += bare(joined(line))
            if len(text) >= len(target):
                break
        assert text == target, f"printed:\n{text}\nsource:\n{target}"
        found[source] = taken
    return found


ALL = ZH + HANT + JA
BLOCKS = [QUOTE, ITEM]  # set on the grid too, not indented by paragraphs' rule


def test_the_build_gives_no_font_warnings(book):
    assert not [str(d) for d in book.diagnostics if "font" in d.message], [
        str(d) for d in book.diagnostics
    ]


def test_extracted_text_is_the_source_text(pdf):
    # paragraphs() asserts each paragraph's printed characters are the source's
    for lines in paragraphs(pdf, ALL).values():
        for line in lines:
            text = joined(line)
            assert not re.search(f"{IDEOGRAPH.pattern}\\s+{IDEOGRAPH.pattern}", text), text


def test_each_region_sets_in_its_own_serif(pdf):
    found = paragraphs(pdf, ALL)
    for sources, region in ((ZH, "SC"), (HANT, "TC"), (JA, "JP")):
        fonts = {
            c["fontname"].split("+")[-1]
            for s in sources
            for line in found[s]
            for c in line
            if IDEOGRAPH.match(c["text"]) or c["text"] in "“”「」。，、"
        }
        assert fonts <= {f"Noto-Serif-CJK-{region}", f"Noto-Serif-CJK-{region}-Bold"}, fonts
        assert f"Noto-Serif-CJK-{region}" in fonts


def test_headings_set_in_the_matching_sans(pdf):
    titles = {"制度设计与执行能力": "SC", "區域協定的執行": "TC", "地域協力の実施": "JP"}
    for title, region in titles.items():
        chars = [c for page in pdf.pages for c in page.chars if c["text"] in title]
        fonts = {c["fontname"].split("+")[-1] for c in chars if c["size"] > 14}
        assert f"Noto-Sans-CJK-{region}-Bold" in fonts, (title, fonts)


def test_latin_words_set_in_the_books_latin_face(pdf):
    found = paragraphs(pdf, ZH)
    latin = [c for s in ZH for line in found[s] for c in line if LATIN.match(c["text"])]
    assert latin and {c["fontname"].split("+")[-1] for c in latin} == {"Linux-Libertine-O"}
    # the same size as the ideographs beside them
    assert {round(c["size"], 1) for c in latin} == {10.5}


def test_no_slanted_or_synthetic_ideographs(pdf):
    for page in pdf.pages:
        for c in page.chars:
            if IDEOGRAPH.match(c["text"]):
                assert not re.search("Italic|Oblique|Small-?Caps", c["fontname"]), c["fontname"]


def test_emphasis_in_chinese_is_the_heavier_face(pdf):
    found = paragraphs(pdf, [ZH[3]])
    chars = [c for line in found[ZH[3]] for c in line if c["text"] in "能力先行"]
    assert {c["fontname"].split("+")[-1] for c in chars} >= {"Noto-Serif-CJK-SC-Bold"}


def test_kinsoku_at_every_line_start_and_end(pdf):
    for source, lines in paragraphs(pdf, ALL).items():
        small = SMALL_KANA if source in JA else ""
        for line in lines:
            text = joined(line).strip()
            assert text[0] not in CLOSING + small, f"line starts with {text[0]!r}: {text}"
            assert text[-1] not in OPENING, f"line ends with {text[-1]!r}: {text}"


def test_justified_lines_end_at_the_right_edge_with_no_wide_gap(pdf):
    found = paragraphs(pdf, ALL)
    edge = edges(pdf)
    misses, widest = [], 0.0
    for lines in found.values():
        for line in lines[:-1]:
            glyphs = [c for c in line if c["text"].strip()]
            right = edge[line[0]["page_number"]][1]
            if abs(glyphs[-1]["x1"] - right) > 1.0:
                misses.append(f"{right - glyphs[-1]['x1']:.2f} pt short: {joined(line)}")
            for a, b in zip(glyphs, glyphs[1:]):
                widest = max(widest, (b["x0"] - a["x1"]) / a["size"])
    assert not misses, "\n".join(misses)
    assert widest <= 0.5, widest


def test_block_quotes_and_list_items_are_justified_on_the_grid_too(pdf):
    edge = edges(pdf)
    found = paragraphs(pdf, BLOCKS)
    for source, inset in ((QUOTE, 2.0), (ITEM, 0.0)):
        lines = found[source]
        assert len(lines) >= 3
        for line in lines[:-1]:
            glyphs = [c for c in line if c["text"].strip()]
            right = edge[line[0]["page_number"]][1] - inset * 10.5
            assert abs(glyphs[-1]["x1"] - right) <= 1.0, joined(line)
            assert joined(line)[0] not in CLOSING and joined(line)[-1] not in OPENING


def test_paragraphs_indented_two_ems_in_chinese_one_in_japanese(pdf):
    edge = edges(pdf)
    for source, lines in paragraphs(pdf, ALL).items():
        indent = (lines[0][0]["x0"] - edge[lines[0][0]["page_number"]][0]) / 10.5
        assert indent == pytest.approx(1.0 if source in JA else 2.0, abs=0.02), source


def test_chinese_latin_gaps_are_a_quarter_em_or_so(pdf):
    gaps = []
    for lines in paragraphs(pdf, ZH).values():
        for line in lines:
            glyphs = [c for c in line if c["text"].strip()]
            for a, b in zip(glyphs, glyphs[1:]):
                if (IDEOGRAPH.match(a["text"]) and LATIN.match(b["text"])) or (
                    LATIN.match(a["text"]) and IDEOGRAPH.match(b["text"])
                ):
                    gaps.append(((b["x0"] - a["x1"]) / 10.5, a["text"] + b["text"]))
            # none at a line's start or end
            assert line[0]["text"].strip() and line[-1]["text"].strip(), joined(line)
    assert len(gaps) >= 14, gaps
    assert [g for g in gaps if not 0.1 <= g[0] <= 0.5] == []


def test_adjacent_punctuation_compressed_but_not_in_traditional(pdf):
    def pair_advance(sources, pair):
        for lines in paragraphs(pdf, sources).values():
            for line in lines:
                text = joined(line)
                at = text.find(pair)
                if at >= 0 and at + 2 < len(line):
                    return (line[at + 2]["x0"] - line[at]["x0"]) / 10.5
        raise AssertionError(f"{pair} not found mid-line")

    assert pair_advance(ZH, "。”") == pytest.approx(1.0, abs=0.02)
    assert pair_advance(JA, "。」") == pytest.approx(1.0, abs=0.02)
    assert pair_advance(HANT, "。」") == pytest.approx(2.0, abs=0.02)


def test_quotation_marks_are_full_width_from_the_cjk_font(pdf):
    found = paragraphs(pdf, [ZH[0]])
    quotes = [c for line in found[ZH[0]] for c in line if c["text"] in "“”"]
    assert quotes and all("Noto-Serif-CJK-SC" in c["fontname"] for c in quotes)


def test_an_english_span_keeps_the_latin_face(pdf):
    found = paragraphs(pdf, [ZH[5]])
    chars = [c for line in found[ZH[5]] for c in line if c["text"] in "GlobalCommons"]
    assert {c["fontname"].split("+")[-1] for c in chars} == {"Linux-Libertine-O"}


def test_epub_declares_languages_and_cjk_font_stacks(book):
    with zipfile.ZipFile(book.epub) as epub:
        names = epub.namelist()
        assert not [n for n in names if re.search(r"\.(otf|ttf|ttc|woff2?)$", n)]
        css = epub.read(next(n for n in names if n.endswith("epub.css"))).decode()
        documents = {n: epub.read(n).decode() for n in names if n.endswith(".xhtml")}
    assert '"Noto Serif CJK SC"' in css and "line-break: strict" in css
    assert "text-autospace" in css
    for name, text in documents.items():
        html = re.search(r"<html[^>]*>", text)[0]
        expected = (
            "ja"
            if name.endswith("ja.xhtml")
            else ("zh-Hant" if name.endswith("hant.xhtml") else "zh-Hans")
        )
        assert f'lang="{expected}"' in html and f'xml:lang="{expected}"' in html, (name, html)
    zh = next(t for n, t in documents.items() if n.endswith("zh.xhtml"))
    assert 'lang="en" xml:lang="en"' in zh


def test_epubcheck_and_ace_pass(book, tmp_path):
    from test_accessibility import run_checkers

    reports = run_checkers(book.epub, tmp_path)
    assert reports.epubcheck == (), "\n".join(reports.epubcheck)
    assert reports.ace == (), "\n".join(reports.ace)


def test_a_character_no_font_has_is_an_error(tmp_path):
    root = make_manuscript(
        tmp_path / "book",
        {"zh.md": "# 标题\n\n这是\U00013000一个字。\n"},
        TOML.replace('chapters = ["zh.md", "hant.md", "ja.md"]', 'chapters = ["zh.md"]'),
    )
    status, _, err = run_cli("build", root)
    assert status == 1
    assert re.search(
        r"zh\.md:3:3: error: '\U00013000' \(U\+13000 [A-Z0-9 -]+\) is in no "
        r"installed font",
        err,
    ), err
    assert not (root / "build" / "book.pdf").exists()


@pytest.mark.parametrize(
    "text",
    [
        " SAR ",
        "2023 ",
        " 18 ",
        " 7 ",
        " World Bank ",
        " Pacific Islands Forum ",
        " WTO",
        " x ",
        " 120 ",
        " 2019 ",
    ],
)
def test_latin_run_spacing(text):
    """On the grid, run and gaps are a whole number of ems (never over: the line's last
    ideograph would fall off); off it, the gaps are a quarter em. The gaps stay in range."""
    width = cjklatin.LatinMetrics().width(text, cjklatin.Face())
    spacing = cjklatin.spacing_for(width)
    n = width.spaces
    gap = width.space + spacing.word
    if spacing.on_grid:
        fitted = width.glyphs + n * gap + (width.characters + n + 1) * spacing.letter
        assert fitted == pytest.approx(round(fitted), abs=0.01)
        assert fitted <= round(fitted)
        assert cjklatin.GAP_MIN - 0.01 <= gap <= cjklatin.GAP_MAX
        assert cjklatin.MIN_LETTER_SPACING <= spacing.letter <= cjklatin.MAX_LETTER_SPACING
    else:
        assert gap == pytest.approx(cjklatin.GAP_IDEAL) and spacing.letter == 0


def test_a_parts_lang_must_be_a_language_tag(tmp_path):
    root = make_manuscript(
        tmp_path / "book",
        {"zh.md": "---\ntitle: 标题\nlang: 日本語\n---\n\n正文。\n"},
        TOML.replace('chapters = ["zh.md", "hant.md", "ja.md"]', 'chapters = ["zh.md"]'),
    )
    status, _, err = run_cli("build", root)
    assert status == 1
    assert re.search(r"zh\.md:3:\d+: error: lang: '日本語' is not a BCP 47 language tag", err), err
