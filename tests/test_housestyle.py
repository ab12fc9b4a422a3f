"""House styles: `[style] folder`, `--styles`, `styles export`, `new`, `doctor`, `--version`."""

from __future__ import annotations

import re
import tomllib
import zipfile
from pathlib import Path

import pdfplumber
import pytest
from conftest import ROOT
from helpers import DEFAULT_TOML, finding_lines, make_manuscript, run_cli

from allianceprint.config import SUBTABLES, TABLES
from allianceprint.housestyle import builtin_folder

RED_TITLES = "h1 { color: rgb(255, 0, 0) !important; }\n"


def _house_style(root: Path, name: str = "house") -> Path:
    """A partial house style: the built-in print.css with red chapter titles, nothing else."""
    folder = root / name / "print"
    folder.mkdir(parents=True)
    css = (builtin_folder() / "print" / "print.css").read_text(encoding="utf-8")
    (folder / "print.css").write_text(css + RED_TITLES, encoding="utf-8")
    return root / name


def _red_chars(pdf: Path) -> str:
    with pdfplumber.open(pdf) as document:
        return "".join(
            c["text"]
            for page in document.pages
            for c in page.chars
            if c.get("non_stroking_color") in ((1, 0, 0), [1, 0, 0], (1.0, 0.0, 0.0))
        )


def test_a_partial_house_style_wins_and_the_rest_is_built_in(
    tmp_path: Path, assert_no_logs
) -> None:
    root = make_manuscript(tmp_path / "book", toml=DEFAULT_TOML + '\n[style]\nfolder = "house"\n')
    _house_style(root)
    status, out, err = run_cli("build", root)
    assert status == 0, err
    pdf = next((root / "build").glob("*.pdf"))
    assert "Chapter One" in _red_chars(pdf)
    epub = next((root / "build").glob("*.epub"))
    with zipfile.ZipFile(epub) as archive:  # the EPUB's files come from the built-in style
        assert (
            archive.read("EPUB/styles/epub.css")
            == (builtin_folder() / "epub" / "epub.css").read_bytes()
        )


def test_styles_option_outside_the_manuscript_and_the_stamp(tmp_path: Path) -> None:
    root = make_manuscript(tmp_path / "book")
    house = _house_style(tmp_path, "press-style")
    assert run_cli("build", root, "--format", "pdf")[0] == 0
    pdf = next((root / "build").glob("*.pdf"))
    assert _red_chars(pdf) == ""
    status, out, _ = run_cli("build", root, "--format", "pdf", "--styles", house)
    assert status == 0 and "up to date" not in out  # a style is an input of the build
    assert "Chapter One" in _red_chars(pdf)
    assert "up to date" in run_cli("build", root, "--format", "pdf", "--styles", house)[1]
    (house / "print" / "print.css").write_text(RED_TITLES.replace("255, 0, 0", "0, 0, 255"))
    status, out, _ = run_cli("build", root, "--format", "pdf", "--styles", house)
    assert status == 0 and "up to date" not in out
    assert _red_chars(pdf) == ""


@pytest.mark.parametrize(
    "folder, message",
    [
        ("missing", "'missing' is not a folder"),
        ("house.css", "'house.css' is a file: a house style is a folder holding print/"),
        ("../elsewhere", "lies outside the manuscript folder"),
        ("empty", "holds neither print/ nor epub/"),
    ],
)
def test_a_bad_style_folder_is_one_located_line(tmp_path: Path, folder: str, message: str) -> None:
    root = make_manuscript(
        tmp_path / "book", toml=DEFAULT_TOML + f'\n[style]\nfolder = "{folder}"\n'
    )
    (root / "empty").mkdir()
    (root / "house.css").write_text(RED_TITLES, encoding="utf-8")
    (tmp_path / "elsewhere" / "print").mkdir(parents=True)
    status, out, err = run_cli("build", root)
    lines = finding_lines(err)
    assert status == 1 and len(lines) == 1, err
    assert lines[0].startswith("book/book.toml:") and message in lines[0]
    assert "[style] folder" in lines[0]
    assert not (root / "build").exists()


def test_styles_given_a_file_says_to_give_its_folder(tmp_path: Path) -> None:
    # an editor gives --styles the house style's print.css: the line said to make a style
    # folder with `styles export` at that file's path, which refuses it (not empty)
    root = make_manuscript(tmp_path / "book")
    css = _house_style(tmp_path) / "print" / "print.css"
    status, out, err = run_cli("build", root, "--styles", css)
    lines = finding_lines(err)
    assert status == 1 and len(lines) == 1 and "Traceback" not in err, err
    assert f"{css} is a file: a house style is a folder holding print/ or epub/" in lines[0]
    assert "styles export NEW-FOLDER" in lines[0]
    assert not (root / "build").exists()


def test_a_broken_template_is_located_and_nothing_is_written(tmp_path: Path) -> None:
    root = make_manuscript(tmp_path / "book", toml=DEFAULT_TOML + '\n[style]\nfolder = "house"\n')
    (root / "house" / "epub").mkdir(parents=True)
    template = (builtin_folder() / "epub" / "part.xhtml.j2").read_text(encoding="utf-8")
    lines = template.splitlines()
    lines[4] += " {% if %}"
    (root / "house" / "epub" / "part.xhtml.j2").write_text("\n".join(lines), encoding="utf-8")
    status, out, err = run_cli("build", root)
    found = finding_lines(err)
    assert status == 1 and len(found) == 1, err
    assert re.match(
        r"book/house/epub/part\.xhtml\.j2:5: error: the template does not compile", found[0]
    ), found[0]
    assert not (root / "build").exists() or not list((root / "build").glob("*.epub"))
    assert run_cli("check", root)[0] == 1


def test_a_template_that_fails_while_filling_is_located(tmp_path: Path) -> None:
    root = make_manuscript(tmp_path / "book")
    house = tmp_path / "house"
    (house / "epub").mkdir(parents=True)
    (house / "epub" / "cover.xhtml.j2").write_text("<p>\n{{ no_such_thing }}\n</p>\n")
    (house / "epub" / "titlepage.xhtml.j2").write_text("<p>\n\n{{ meta.nothing.deeper }}</p>\n")
    status, out, err = run_cli("build", root, "--format", "epub", "--styles", house)
    found = finding_lines(err)
    assert status == 1 and len(found) == 1, err
    assert re.search(r"house/epub/titlepage\.xhtml\.j2:3: error: the template failed", found[0])


def test_styles_export_writes_a_complete_style_and_refuses_a_full_folder(tmp_path: Path) -> None:
    status, out, _ = run_cli("styles", "export", tmp_path / "mine")
    assert status == 0
    exported = sorted(
        p.relative_to(tmp_path / "mine").as_posix()
        for p in (tmp_path / "mine").rglob("*")
        if p.is_file()
    )
    source = sorted(
        p.relative_to(ROOT / "styles").as_posix()
        for p in (ROOT / "styles").rglob("*")
        if p.is_file() and p.parent != ROOT / "styles" and "__pycache__" not in p.parts
    )
    assert exported == source
    status, _, err = run_cli("styles", "export", tmp_path / "mine")
    assert status == 1 and "is not empty" in err
    # An exported style builds the same book as the built-in one.
    root = make_manuscript(tmp_path / "book")
    assert run_cli("build", root, "--format", "pdf", "--styles", tmp_path / "mine")[0] == 0


def test_new_writes_a_manuscript_that_passes_strict_checks(tmp_path: Path) -> None:
    target = tmp_path / "volume"
    status, out, err = run_cli(
        "new", target, "--title", "Shared Waters", "--editors", "Mara Quell", "Tomas Ibe"
    )
    assert status == 0, err
    config = tomllib.loads((target / "book.toml").read_text(encoding="utf-8"))
    assert config["book"]["title"] == "Shared Waters"
    assert [config["contributors"][k]["name"] for k in config["book"]["editors"]] == [
        "Mara Quell",
        "Tomas Ibe",
    ]
    assert "/build/" in (target / ".gitignore").read_text()
    text = (target / "book.toml").read_text(encoding="utf-8")
    every = [o for options in (*TABLES.values(), *SUBTABLES.values()) for o in options or ()]
    for option in every:  # every key is there, set or commented out
        if option.kind == "table":
            assert f"# [book.{option.key}]" in text
        else:
            assert re.search(rf"^(# )?{option.key} = ", text, re.M), option.key
    assert run_cli("check", target, "--strict")[0] == 0
    status, out, err = run_cli("build", target)
    assert status == 0, err
    with pdfplumber.open(next((target / "build").glob("*.pdf"))) as document:
        text = "\n".join(page.extract_text() or "" for page in document.pages)
    for words in (
        "Shared Waters",
        "Mara Quell",
        "Preface",
        "Abbreviations",
        "Chapter 1",
        "Chapter 2",
        "About the Contributors",
        "European Union",
    ):
        assert words in text
    status, _, err = run_cli("new", target, "--title", "Again")
    assert status == 1 and "is not empty" in err


def test_new_in_chinese_and_japanese(tmp_path: Path) -> None:
    for language, word in (("zh-Hans", "缩略语"), ("zh-Hant", "縮略語"), ("ja", "略語一覧")):
        target = tmp_path / language
        assert run_cli("new", target, "--title", "同盟", "--language", language)[0] == 0
        assert word in (target / "front" / "abbreviations.md").read_text(encoding="utf-8")
        assert run_cli("check", target, "--strict")[0] == 0
    status, _, err = run_cli("new", tmp_path / "x", "--title", "T", "--language", "xx-!!")
    assert status == 1 and "--language" in err and not (tmp_path / "x").exists()


def test_version_names_weasyprint_and_pango() -> None:
    status, out, _ = run_cli("--version")
    assert status == 0
    assert re.fullmatch(
        r"allianceprint \S+ \(WeasyPrint \S+, Pango \d+\.\d+\.\d+, "
        r"Python \S+\)\n",
        out,
    )


def test_doctor_lists_fonts_and_java() -> None:
    status, out, _ = run_cli("doctor")
    assert status == 0, out  # the README's commands installed everything
    assert re.search(r"^ok +font Linux Libertine O: ", out, re.M)
    assert re.search(r"^(ok|optional) +Java \(for EPUBCheck\)", out, re.M)
    assert re.search(r"^(ok|optional) +font Noto Serif CJK SC", out, re.M)
