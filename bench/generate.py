"""Generate a synthetic edited volume in allianceprint's manuscript format, for benchmarks.

    python bench/generate.py --pages 80 OUT_DIR
    python bench/generate.py --pages 600 --seed 7 OUT_DIR
    python bench/generate.py --pages 200 --language zh-Hans OUT_DIR   # the same book in Chinese

The output is deterministic for a given --pages and --seed: a book.toml with two editors and
one contributor per chapter (affiliation and bio), a preface, acknowledgments, an
abbreviations part of 40 entries that the text uses, an introduction, N chapters (sections,
notes about one per 250 words with some web addresses, a table every third chapter,
paragraphs of varying length), final thoughts and a contributors part. The number and
length of the chapters are scaled so that the print PDF has about --pages pages at the
default 6x9 trim (WORDS_PER_PAGE is calibrated against real builds).

The text is nonsense assembled from a small vocabulary written for this file; it quotes
nothing. The book passes `allianceprint check` with no warnings. With `--language zh-Hans`
the same structure (parts, sections, notes, tables, the 40 abbreviations) is written in
Chinese nonsense from a Chinese vocabulary (`ChineseWriter`), scaled by characters per page.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

# Words of running text per printed page, notes, headings, tables, chapter openings and
# blank versos included. Calibrated with `allianceprint build --format pdf` at 6x9.
WORDS_PER_PAGE = 302
# Pages that do not scale with the chapters (title, copyright, contents, preface,
# acknowledgments, abbreviations, contributors, blank versos): the intercept of the fit.
FIXED_PAGES = 21

# --- the vocabulary (written for this generator; policy-flavoured nonsense) --------------

NOUNS = """
alliance partnership framework posture doctrine corridor coalition mechanism dialogue
consultation secretariat ministry assessment deterrent capability deployment exercise
coordination dividend commitment threshold instrument initiative settlement consensus
architecture network supplier investment subsidy tariff regime standard protocol
agenda constituency legislature budget procurement shipyard port logistics reserve
inventory forecast scenario escalation signal credibility reassurance guarantee obligation
treaty clause annex review mandate portfolio directorate envoy summit communique
declaration memorandum roadmap benchmark audit pilot programme pillar track channel
workstream taskforce observatory platform registry interoperability resilience exposure
dependency vulnerability chokepoint stockpile corridor archipelago littoral strait basin
hinterland periphery frontier market exporter importer regulator licence quota waiver
sanction incentive leverage bargain concession compromise sequence timetable milestone
""".split()

ADJECTIVES = """
regional strategic bilateral trilateral minilateral multilateral maritime coastal
continental economic fiscal industrial technological digital normative institutional
operational tactical durable fragile incremental gradual sudden ambiguous explicit
implicit formal informal provisional permanent modest ambitious cautious credible
coherent fragmented layered overlapping competing complementary reciprocal asymmetric
balanced uneven northern southern eastern western inland offshore domestic external
civilian collective national subnational legislative administrative quiet visible
sustained episodic deliberate reactive preventive adaptive latent shared common
""".split()

VERBS = """
reinforces complicates reshapes anchors dilutes extends narrows widens postpones
accelerates constrains enables signals obscures reframes sustains erodes calibrates
integrates separates aligns connects absorbs redistributes stabilizes unsettles
clarifies tests formalizes softens hardens underwrites outpaces mirrors
""".split()

ADVERBS = """
gradually quietly explicitly largely partly increasingly rarely consistently unevenly
deliberately notably arguably visibly steadily cautiously occasionally
""".split()

OPENERS = [
    "In practice",
    "At the same time",
    "By contrast",
    "For this reason",
    "In the short term",
    "Over the longer term",
    "Seen from the capitals involved",
    "On closer inspection",
    "In most accounts",
    "Taken together",
    "As a result",
    "Even so",
    "Put differently",
    "Until recently",
    "In several cases",
    "For smaller partners",
]

PLACES = """
Varnholm Ostrava Calder Meriden Tessaly Orlin Brevik Sundara Kaleva Dorrin Hallam
Pentre Quillon Rastova Selden Tarvik Umbria Vellis Wendmoor Yarrow Zelenko Ashgrove
""".split()

FIRST_NAMES = """
Amara Bertil Celia Dario Elin Farid Greta Hugo Ines Jonas Kaori Lennart Mirela Nadim
Odile Pavel Quinn Rosalind Soren Talia Umberto Vesna Wilhelmina Xavier Yusuf Zofia
Anouk Bruno Clea Dmitri Esme Florin Gaia Henrik Ilse Joaquin
""".split()

SURNAME_PARTS_A = """
Ash Bel Cor Dal Eber Fen Gal Hol Ister Jar Kel Lor Mar Nor Ost Pell Quar Ros Sel
Tor Ul Var Wel Yor Zan
""".split()

SURNAME_PARTS_B = """
brook den feld gaard hart holm ley mont ner ridge sby ston thal vik wick ward
""".split()

INSTITUTIONS = [
    "Centre for Alliance Studies",
    "Institute of Maritime Affairs",
    "School of Public Policy",
    "Forum for Regional Order",
    "Department of Politics",
    "Council on Economic Statecraft",
    "Programme on Security and Technology",
    "Observatory of Coastal Governance",
]

ROLES = [
    "Research Fellow",
    "Senior Fellow",
    "Assistant Professor",
    "Associate Professor",
    "Postdoctoral Researcher",
    "Lecturer",
    "Programme Director",
    "Visiting Scholar",
]

UNIVERSITIES = [f"University of {p}" for p in PLACES] + [f"{p} College" for p in PLACES]

# 40 abbreviations with invented expansions (none of them a roman numeral).
ABBREVIATIONS = [
    ("ACRE", "Allied Council on Regional Engagement"),
    ("BTF", "Basin Transit Framework"),
    ("CAPT", "Coastal Air Patrol Taskforce"),
    ("DSR", "Deterrence Stability Review"),
    ("EPM", "Economic Partnership Mechanism"),
    ("FAST", "Framework for Allied Supply Tracking"),
    ("GRN", "Governance Resilience Network"),
    ("HTP", "Harbour Transit Protocol"),
    ("JOB", "Joint Observation Board"),
    ("KPF", "Kaleva Partnership Forum"),
    ("LNR", "Littoral Navigation Registry"),
    ("MTS", "Maritime Transparency Secretariat"),
    ("NEP", "Northern Engagement Plan"),
    ("OPA", "Offshore Protection Agreement"),
    ("PRT", "Provisional Reassurance Track"),
    ("QSF", "Quarterly Strategy Forum"),
    ("RAP", "Regional Adaptation Programme"),
    ("SEN", "Supply Exposure Notice"),
    ("TRA", "Tariff Reciprocity Arrangement"),
    ("UPG", "Unified Procurement Group"),
    ("WPS", "Western Posture Statement"),
    ("YSD", "Yarrow Security Dialogue"),
    ("ZEA", "Zone of Economic Alignment"),
    ("ARTS", "Allied Resilience and Technology Standard"),
    ("BEAM", "Bilateral Export Alignment Memorandum"),
    ("CORE", "Committee on Regional Exercises"),
    ("DRAFT", "Dialogue on Regional Arms and Force Transparency"),
    ("EFR", "Emergency Fuel Reserve"),
    ("GTA", "Guarantee of Transit Access"),
    ("HARP", "Harbour Access and Replenishment Plan"),
    ("IMPACT", "Initiative on Maritime Patrol and Coastal Tracking"),
    ("KSR", "Key Supplier Register"),
    ("MAST", "Multilateral Assessment of Strategic Trade"),
    ("NAB", "National Audit Board"),
    ("OTF", "Operational Transparency Fund"),
    ("PEN", "Partnership for Energy Networks"),
    ("R4", "Fourth Regional Review"),
    ("S-TEC", "Southern Technology Export Council"),
    ("TPA", "Technology Partnership Accord"),
    ("WRB", "Western Reserve Bank"),
]


class Writer:
    """Sentences, paragraphs and notes from one seeded random source."""

    language = "en-US"
    #: Text lengths are counted in words (`count`); a Chinese writer counts characters.
    separator = " "
    vocabulary = (NOUNS, ADJECTIVES, PLACES)  # what tables are made of
    first_column = "Arrangement"
    titles = {
        "preface": "Preface",
        "acknowledgments": "Acknowledgments",
        "abbreviations": "Abbreviations",
        "introduction": "Introduction",
        "final": "Final Thoughts",
        "contributors": "About the Contributors",
    }

    @staticmethod
    def count(text: str) -> int:
        """The length of `text` in English words (or their equivalent)."""
        return len(text.split())

    def expansion(self, abbr: str, english: str) -> str:
        return english

    def abbr_sentence(self, abbr: str) -> str:
        return f"The {abbr} {self.rng.choice(VERBS)} {self.noun_phrase()}."

    def chapter_title(self) -> tuple[str, str]:
        title = f"{self.title(5)}: {self.title(3)} in {self.rng.choice(PLACES)}"
        return title, title.split(":")[0]

    def person(self) -> tuple[str, str, str]:
        """(name, affiliation, bio)."""
        r = self.rng
        name = f"{r.choice(FIRST_NAMES)} {surname(r)}"
        where = r.choice(INSTITUTIONS + UNIVERSITIES)
        affiliation = f"{r.choice(ROLES)}, {where}"  # before the bio: the same random draws
        bio = (
            f"{name} is a {r.choice(ROLES).lower()} at the {where}, working on "
            f"{r.choice(ADJECTIVES)} {plural(r.choice(NOUNS))} and {r.choice(ADJECTIVES)} "
            f"{plural(r.choice(NOUNS))}. {self.paragraph(45, abbreviations=False)} "
            f"{name.split()[0]} holds a doctorate from the {r.choice(UNIVERSITIES)}."
        )
        return name, affiliation, bio

    def book_fields(self, chapters: int) -> dict[str, str]:
        return {
            "title": self.title(4),
            "subtitle": "Synthetic Essays on " + self.title(3),
            "publisher": "Benchmark Institute for Synthetic Studies",
            "rights": "© 2026 Benchmark Institute. Generated nonsense text for benchmarks.",
            "description": f"A synthetic edited volume of {chapters} chapters.",
        }

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.unused = [a for a, _ in ABBREVIATIONS]  # abbreviations not yet in the text
        self.abbreviations = True  # False: sentences without abbreviations (for bios)
        rng.shuffle(self.unused)

    def abbr(self) -> str:
        if self.unused:
            return self.unused.pop()
        return self.rng.choice(ABBREVIATIONS)[0]

    def noun_phrase(self, subject: bool = False) -> str:
        r = self.rng
        roll = r.random()
        if roll < 0.12 and self.abbreviations:
            return f"the {self.abbr()}"
        if roll < 0.3:
            return f"the {r.choice(ADJECTIVES)} {r.choice(NOUNS)} of {r.choice(PLACES)}"
        if roll < 0.55:
            return f"the {r.choice(ADJECTIVES)} {r.choice(NOUNS)}"
        if roll < 0.7 and not subject:
            return f"{r.choice(ADJECTIVES)} {plural(r.choice(NOUNS))}"
        return f"the {r.choice(NOUNS)}"

    def sentence(self) -> str:
        r = self.rng
        parts = []
        if r.random() < 0.25:
            parts.append(r.choice(OPENERS) + ",")
        parts.append(self.noun_phrase(subject=True))
        if r.random() < 0.3:
            parts.append(r.choice(ADVERBS))
        parts.append(r.choice(VERBS))
        parts.append(self.noun_phrase())
        roll = r.random()
        if roll < 0.3:
            parts.append(
                f"while {self.noun_phrase(subject=True)} {r.choice(VERBS)} {self.noun_phrase()}"
            )
        elif roll < 0.5:
            parts.append(
                f"across {r.randint(2, 14)} {r.choice(ADJECTIVES)} "
                f"{plural(r.choice(NOUNS))} since {r.randint(1994, 2025)}"
            )
        elif roll < 0.6:
            parts.append(f"through {self.noun_phrase()} and {self.noun_phrase()}")
        text = " ".join(parts)
        return text[0].upper() + text[1:] + "."

    def sentences(self, words: int, abbreviations: bool = True) -> list[str]:
        out: list[str] = []
        count = 0
        self.abbreviations = abbreviations
        while count < words:
            s = self.sentence()
            out.append(s)
            count += self.count(s)
        self.abbreviations = True
        return out

    def paragraph(self, words: int, abbreviations: bool = True) -> str:
        return self.separator.join(self.sentences(words, abbreviations))

    def title(self, words: int = 4) -> str:
        r = self.rng
        a1, a2 = r.choice(ADJECTIVES).capitalize(), r.choice(ADJECTIVES).capitalize()
        n1, n2 = r.choice(NOUNS).capitalize(), r.choice(NOUNS).capitalize()
        return {2: f"{a1} {n1}", 3: f"{a1} and {a2} {n1}", 4: f"{a1} {n1} and {n2}"}.get(
            words, f"{a1} {n1} and {a2} {n2}"
        )

    def note(self, with_url: bool) -> str:
        r = self.rng
        author = f"{r.choice(FIRST_NAMES)} {surname(r)}"
        year = r.randint(1998, 2025)
        title = self.title(r.choice((2, 3, 5)))
        if r.random() < 0.5:
            text = (
                f"{author}, *{title}* ({r.choice(PLACES)}: {r.choice(PLACES)} University "
                f"Press, {year}), {r.randint(3, 280)}–{r.randint(281, 420)}."
            )
        else:
            text = (
                f"{author}, \u201c{title},\u201d *Journal of {r.choice(ADJECTIVES).capitalize()} "
                f"Studies* {r.randint(4, 60)}, no. {r.randint(1, 4)} ({year}): "
                f"{r.randint(10, 200)}–{r.randint(201, 300)}."
            )
        if with_url:
            slug = "-".join(title.lower().split())
            text += (
                f" Available at https://www.example.org/{r.choice(('reports', 'papers', 'briefs'))}"
                f"/{year}/{slug}.pdf."
            )
        if r.random() < 0.35:
            text += " " + self.sentence()
        return text

    def table(self) -> str:
        r = self.rng
        nouns, adjectives, places = self.vocabulary
        cols = r.randint(3, 5)
        head = [self.first_column] + [r.choice(nouns).capitalize() for _ in range(cols - 1)]
        lines = [self.caption(), "", "| " + " | ".join(head) + " |", "|" + " --- |" * cols]
        for _ in range(r.randint(4, 8)):
            row = [f"{r.choice(places)}{self.separator}{r.choice(nouns)}"]
            for _ in range(cols - 1):
                row.append(
                    r.choice(
                        (
                            str(r.randint(1, 99)),
                            str(r.randint(1994, 2025)),
                            r.choice(adjectives),
                            f"{r.choice(adjectives)}{self.separator}{r.choice(nouns)}",
                        )
                    )
                )
            lines.append("| " + " | ".join(row) + " |")
        return "\n".join(lines)

    def caption(self) -> str:
        return f"Table: {self.title(3)} across {self.rng.choice(ADJECTIVES)} arrangements."


# --- the Chinese vocabulary (written for this generator, like the English one) ----------

#: Characters of Chinese text that stand for one English word in the page plan
#: (calibrated like WORDS_PER_PAGE: `--pages 200 --language zh-Hans` gives about 200 pages).
ZH_CHARS_PER_WORD = 2.0

ZH_NOUNS = """
同盟 伙伴关系 框架 态势 学说 走廊 联盟 机制 对话 磋商 秘书处 部委 评估 威慑 能力 部署
演习 协调 红利 承诺 门槛 工具 倡议 安排 共识 架构 网络 供应商 投资 补贴 关税 制度 标准
议定书 议程 选区 议会 预算 采购 船厂 港口 后勤 储备 库存 预测 情景 升级 信号 信誉 保证
义务 条约 条款 附件 审议 授权 司局 特使 峰会 公报 宣言 备忘录 路线图 基准 审计 试点
支柱 轨道 渠道 工作组 观察站 平台 登记册 互操作性 韧性 敞口 依赖 脆弱性 咽喉要道 群岛
海峡 盆地 腹地 边缘 边疆 市场 出口国 进口国 监管者 许可证 配额 豁免 制裁 激励 筹码
""".split()

ZH_ADJECTIVES = """
地区性 战略性 双边 三边 小多边 多边 海上 沿海 大陆 经济 财政 产业 技术 数字 规范性
制度性 操作层面的 战术 持久 脆弱 渐进 突然 模糊 明确 隐含 正式 非正式 临时 长期 温和
雄心勃勃的 审慎 可信 连贯 分散 多层 重叠 竞争性 互补 对等 不对称 平衡 不均衡 北方 南方
内陆 离岸 国内 外部 民用 集体 国家 次国家 立法 行政 低调 显性 持续 间歇 刻意 被动 预防性
""".split()

ZH_VERBS = """
强化了 复杂化了 重塑了 锚定了 稀释了 延伸了 收窄了 拓宽了 推迟了 加速了 约束了 促成了
传递了 掩盖了 重构了 维系了 侵蚀了 校准了 整合了 分隔了 对接了 吸收了 重新分配了 稳定了
动摇了 厘清了 检验了 固化了 软化了 硬化了 支撑了 超越了 映照了
""".split()

ZH_ADVERBS = "逐步 悄然 明确地 在很大程度上 部分地 日益 很少 始终 不均衡地 刻意地 显著地 或许 明显地 稳步 谨慎地 偶尔".split()

ZH_OPENERS = [
    "在实践中",
    "与此同时",
    "相比之下",
    "正因如此",
    "从短期看",
    "从长远看",
    "从相关各国首都的角度看",
    "细究之下",
    "在多数叙述中",
    "综合来看",
    "结果是",
    "即便如此",
    "换言之",
    "直到不久前",
    "在若干案例中",
    "对较小的伙伴而言",
]

ZH_PLACES = "北川 临湾 澜州 石岬 云渡 青屿 望潮 南堰 栖霞湾 镜湖 沙洲 雁门 白崖 东溪 西陵 苍梧 岚岛 赤滩 霁川 松浦 潮安 朔口".split()

ZH_SURNAMES = "林 陈 周 许 韩 宋 顾 沈 唐 梁 叶 程 方 苏 邵 贺 秦 陆 范 蒋".split()
ZH_GIVEN = "思 远 明 静 晓 宁 嘉 欣 立 安 文 博 雅 澄 毅 岚 舟 峻 琳 昭 怡 涵 朗 清".split()

ZH_INSTITUTIONS = [
    "同盟研究中心",
    "海洋事务研究所",
    "公共政策学院",
    "地区秩序论坛",
    "政治学系",
    "经济治国方略委员会",
    "安全与技术项目",
    "沿海治理观察站",
]
ZH_ROLES = [
    "研究员",
    "高级研究员",
    "助理教授",
    "副教授",
    "博士后研究员",
    "讲师",
    "项目主任",
    "访问学者",
]
ZH_ORGS = [
    "理事会",
    "框架",
    "机制",
    "协定",
    "论坛",
    "计划",
    "秘书处",
    "审议",
    "网络",
    "登记处",
    "工作组",
    "备忘录",
]


class ChineseWriter(Writer):
    """The same book in Chinese: sentences, titles, notes and people from the Chinese
    vocabulary above; the abbreviations keep their Latin letters, expanded in Chinese."""

    language = "zh-Hans"
    separator = ""
    vocabulary = (ZH_NOUNS, ZH_ADJECTIVES, ZH_PLACES)
    first_column = "安排"
    titles = {
        "preface": "前言",
        "acknowledgments": "致谢",
        "abbreviations": "缩略语",
        "introduction": "导论",
        "final": "结语",
        "contributors": "作者简介",
    }

    @staticmethod
    def count(text: str) -> int:
        return round(len(text) / ZH_CHARS_PER_WORD)

    def expansion(self, abbr: str, english: str) -> str:
        fixed = random.Random(f"allianceprint-bench-abbr:{abbr}")  # the same in every book
        return (
            f"{fixed.choice(ZH_ADJECTIVES)}{fixed.choice(ZH_NOUNS)}"
            f"{fixed.choice(ZH_ORGS)}（{english}）"
        )

    def abbr_sentence(self, abbr: str) -> str:
        return f"{abbr}{self.rng.choice(ZH_VERBS)}{self.noun_phrase()}。"

    def noun_phrase(self, subject: bool = False) -> str:
        r = self.rng
        roll = r.random()
        if roll < 0.12 and self.abbreviations:
            return self.abbr()
        if roll < 0.3:
            return f"{r.choice(ZH_PLACES)}的{r.choice(ZH_ADJECTIVES)}{r.choice(ZH_NOUNS)}"
        if roll < 0.7:
            return f"{r.choice(ZH_ADJECTIVES)}{r.choice(ZH_NOUNS)}"
        return r.choice(ZH_NOUNS)

    def sentence(self) -> str:
        r = self.rng
        text = f"{r.choice(ZH_OPENERS)}，" if r.random() < 0.25 else ""
        text += self.noun_phrase(subject=True)
        if r.random() < 0.3:
            text += r.choice(ZH_ADVERBS)
        text += r.choice(ZH_VERBS) + self.noun_phrase()
        roll = r.random()
        if roll < 0.3:
            text += (
                f"，而{self.noun_phrase(subject=True)}则{r.choice(ZH_VERBS)}{self.noun_phrase()}"
            )
        elif roll < 0.5:
            text += (
                f"，涉及{r.randint(2, 14)}个{r.choice(ZH_ADJECTIVES)}{r.choice(ZH_NOUNS)}，"
                f"始于{r.randint(1994, 2025)}年"
            )
        elif roll < 0.6:
            text += f"，并借助{self.noun_phrase()}与{self.noun_phrase()}实现"
        return text + "。"

    def title(self, words: int = 4) -> str:
        r = self.rng
        a1, a2 = r.choice(ZH_ADJECTIVES), r.choice(ZH_ADJECTIVES)
        n1, n2 = r.choice(ZH_NOUNS), r.choice(ZH_NOUNS)
        return {2: f"{a1}{n1}", 3: f"{a1}与{a2}{n1}", 4: f"{a1}{n1}与{n2}"}.get(
            words, f"{a1}{n1}与{a2}{n2}"
        )

    def chapter_title(self) -> tuple[str, str]:
        short = self.title(5)
        return f"{short}：{self.rng.choice(ZH_PLACES)}的{self.title(3)}", short

    def note(self, with_url: bool) -> str:
        r = self.rng
        author = self.name()
        year = r.randint(1998, 2025)
        title = self.title(r.choice((2, 3, 5)))
        if r.random() < 0.5:
            text = (
                f"{author}：《{title}》（{r.choice(ZH_PLACES)}：{r.choice(ZH_PLACES)}大学"
                f"出版社，{year}年），第{r.randint(3, 280)}–{r.randint(281, 420)}页。"
            )
        else:
            text = (
                f"{author}：《{title}》，载《{r.choice(ZH_ADJECTIVES)}研究》第"
                f"{r.randint(4, 60)}卷第{r.randint(1, 4)}期（{year}年），第"
                f"{r.randint(10, 200)}–{r.randint(201, 300)}页。"
            )
        if with_url:
            kind = r.choice(("reports", "papers", "briefs"))
            text += f"参见 https://www.example.org/{kind}/{year}/{r.randint(100, 999)}.pdf。"
        if r.random() < 0.35:
            text += self.sentence()
        return text

    def caption(self) -> str:
        return f"Table: {self.title(3)}在{self.rng.choice(ZH_ADJECTIVES)}安排中的比较。"

    def name(self) -> str:
        r = self.rng
        return r.choice(ZH_SURNAMES) + "".join(r.sample(ZH_GIVEN, r.choice((1, 2))))

    def person(self) -> tuple[str, str, str]:
        r = self.rng
        name = self.name()
        where = f"{r.choice(ZH_PLACES)}大学{r.choice(ZH_INSTITUTIONS)}"
        role = r.choice(ZH_ROLES)
        bio = (
            f"{name}，{where}{role}，研究方向为{r.choice(ZH_ADJECTIVES)}{r.choice(ZH_NOUNS)}"
            f"与{r.choice(ZH_ADJECTIVES)}{r.choice(ZH_NOUNS)}。"
            f"{self.paragraph(45, abbreviations=False)}{name}获{r.choice(ZH_PLACES)}大学"
            "博士学位。"
        )
        return name, f"{where}{role}", bio

    def book_fields(self, chapters: int) -> dict[str, str]:
        return {
            "title": self.title(4),
            "subtitle": f"关于{self.title(3)}的综合论集",
            "publisher": "综合研究基准研究院",
            "rights": "© 2026 基准研究院。为基准测试生成的无意义文本。",
            "description": f"一部由{chapters}章组成的综合编著。",
        }


def plural(noun: str) -> str:
    if noun.endswith("y") and noun[-2] not in "aeiou":
        return noun[:-1] + "ies"
    if noun.endswith(("s", "sh", "ch", "x")):
        return noun + "es"
    return noun + "s"


def surname(r: random.Random) -> str:
    return r.choice(SURNAME_PARTS_A) + r.choice(SURNAME_PARTS_B)


def _body(w: Writer, words: int, *, table: bool, sections: bool) -> str:
    """Paragraphs of about `words` words in total, `##` sections every few paragraphs,
    about one note per 250 words (a fifth with a web address), optionally one table."""
    r = w.rng
    blocks: list[str] = []
    notes: list[str] = []
    written = 0
    since_heading = 0
    table_at = r.randint(words // 4, words // 2) if table else -1
    next_note = r.randint(150, 350)
    while written < words:
        if sections and since_heading >= r.randint(4, 7) and words - written > 400:
            level = (
                "###" if r.random() < 0.25 and any(b.startswith("## ") for b in blocks) else "##"
            )
            blocks.append(f"{level} {w.title(r.choice((3, 5)))}")
            since_heading = 0
        length = r.choice((45, 80, 110, 140, 170, 220, 260))
        sentences = w.sentences(length)
        written += sum(w.count(x) for x in sentences)
        while written >= next_note:  # a note at the end of a sentence of this paragraph
            n = len(notes) + 1
            i = r.randrange(len(sentences))
            sentences[i] += f"[^{n}]"
            notes.append(f"[^{n}]: {w.note(with_url=r.random() < 0.2)}")
            next_note += r.randint(150, 350)
        blocks.append(w.separator.join(sentences))
        since_heading += 1
        if table_at >= 0 and written >= table_at:
            blocks.append(w.table())
            table_at = -1
    return "\n\n".join(blocks + notes) + "\n"


def _front_matter(**keys: object) -> str:
    lines = ["---"]
    for key, value in keys.items():
        if isinstance(value, list):
            lines.append(f"{key}: [{', '.join(value)}]")
        else:
            lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    lines.append("---\n\n")
    return "\n".join(lines)


def _toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def plan(pages: int) -> tuple[int, int]:
    """(number of chapters, words per chapter) for about `pages` printed pages.
    The introduction and the final thoughts are half a chapter each."""
    chapters = max(3, round(pages / 27))
    words = max(2000, (pages - FIXED_PAGES) * WORDS_PER_PAGE)
    return chapters, round(words / (chapters + 1))


def generate(out: Path, pages: int, seed: int = 1, language: str = "en-US") -> dict[str, object]:
    """Write the manuscript into `out` (created; existing files are overwritten), in
    English or (`language="zh-Hans"`) Chinese. Returns a summary: chapters, words (for
    Chinese, characters), notes, tables."""
    chinese = language.startswith("zh")
    suffix = "" if not chinese else f":{language}"
    r = random.Random(f"allianceprint-bench:{seed}:{pages}{suffix}")
    w = ChineseWriter(r) if chinese else Writer(r)
    n_chapters, chapter_words = plan(pages)
    for sub in ("front", "chapters", "back"):
        (out / sub).mkdir(parents=True, exist_ok=True)

    people: dict[str, dict[str, str]] = {}

    def person(key: str) -> str:
        name, affiliation, bio = w.person()
        people[key] = {"name": name, "affiliation": affiliation, "bio": bio}
        return key

    editors = [person("editor1"), person("editor2")]
    files: dict[str, list[str]] = {"front": [], "chapters": [], "back": []}
    summary = {"chapters": n_chapters, "words": 0, "notes": 0, "tables": 0}

    def write(section: str, name: str, text: str) -> None:
        path = out / section / name
        path.write_text(text, encoding="utf-8")
        files[section].append(f"{section}/{name}")
        summary["words"] += w.count(text)
        summary["notes"] += text.count("\n[^")
        summary["tables"] += text.count("\nTable: ")

    write(
        "front",
        "preface.md",
        _front_matter(title=w.titles["preface"]) + _body(w, 900, table=False, sections=False),
    )
    write(
        "front",
        "acknowledgments.md",
        _front_matter(title=w.titles["acknowledgments"])
        + _body(w, 450, table=False, sections=False),
    )
    # The abbreviations part is written last, once the text has used every entry.
    abbr_name = "abbreviations.md"
    files["front"].append(f"front/{abbr_name}")

    write(
        "chapters",
        "introduction.md",
        _front_matter(title=w.titles["introduction"], authors=editors)
        + _body(w, chapter_words // 2, table=False, sections=True),
    )
    width = len(str(n_chapters))
    # chapter lengths vary by up to a fifth either way, and add up to the plan
    factors = [r.uniform(0.8, 1.2) for _ in range(n_chapters)]
    factors = [f * n_chapters / sum(factors) for f in factors]
    for i in range(1, n_chapters + 1):
        key = person(f"author{i:0{width}d}")
        title, short = w.chapter_title()
        length = round(chapter_words * factors[i - 1])
        write(
            "chapters",
            f"{i:0{width}d}-chapter.md",
            _front_matter(title=title, short_title=short, authors=[key])
            + _body(w, length, table=i % 3 == 2, sections=True),
        )
    final = _body(w, chapter_words // 2, table=False, sections=True)
    if w.unused:  # every abbreviation must appear somewhere in the text
        final += "\n" + w.separator.join(w.abbr_sentence(a) for a in w.unused) + "\n"
        w.unused.clear()
    write(
        "chapters",
        "final-thoughts.md",
        _front_matter(title=w.titles["final"], authors=editors) + final,
    )
    write(
        "back",
        "contributors.md",
        _front_matter(title=w.titles["contributors"], kind="contributors"),
    )
    abbr = (
        _front_matter(title=w.titles["abbreviations"], kind="abbreviations")
        + "\n".join(f"*[{a}]: {w.expansion(a, e)}" for a, e in sorted(ABBREVIATIONS))
        + "\n"
    )
    (out / "front" / abbr_name).write_text(abbr, encoding="utf-8")

    fields = w.book_fields(n_chapters)
    toml = [
        "# A synthetic volume written by bench/generate.py: nonsense text for benchmarks.",
        "",
        "[book]",
        f"title = {_toml_str(fields['title'])}",
        f"subtitle = {_toml_str(fields['subtitle'])}",
        f"editors = [{', '.join(_toml_str(e) for e in editors)}]",
        f"publisher = {_toml_str(fields['publisher'])}",
        f"language = {_toml_str(w.language)}",
        'date = "2026-01"',
        f"rights = {_toml_str(fields['rights'])}",
        f"description = {_toml_str(fields['description'])}",
        "",
        "[contents]",
    ]
    for section in ("front", "chapters", "back"):
        toml.append(f"{section} = [")
        toml.extend(f"    {_toml_str(f)}," for f in files[section])
        toml.append("]")
    for key, p in people.items():
        toml += ["", f"[contributors.{key}]"]
        toml += [f"{k} = {_toml_str(v)}" for k, v in p.items()]
    (out / "book.toml").write_text("\n".join(toml) + "\n", encoding="utf-8")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write the manuscript into")
    parser.add_argument(
        "--pages", type=int, default=80, help="about how many printed pages (default: 80)"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    parser.add_argument(
        "--language",
        choices=("en-US", "zh-Hans"),
        default="en-US",
        help="English (default) or Chinese nonsense text",
    )
    args = parser.parse_args(argv)
    if args.pages < 20:
        parser.error("--pages must be at least 20")
    summary = generate(args.out, args.pages, args.seed, args.language)
    print(
        f"wrote {args.out}: {summary['chapters']} chapters, {summary['words']} words, "
        f"{summary['notes']} notes, {summary['tables']} tables"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
