"""The documentation says what the code does: generated tables are fresh, links resolve."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT

from allianceprint.config import CHECKS_OPTIONS, TABLES
from allianceprint.mdext import BLOCK_ELEMENTS, INLINE_ELEMENTS

DOCS = ROOT / "docs"


def test_the_book_toml_page_is_generated_from_the_schema() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_docs.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    page = (DOCS / "book-toml.md").read_text(encoding="utf-8")
    for options in TABLES.values():
        for option in options or ():
            assert f"| `{option.key}` | {' '.join(option.doc.split())[:30]}" in page


def test_the_readme_is_short_and_every_link_resolves() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.encode()) < 6000
    for command in (
        "make book",
        "make test",
        "allianceprint new",
        "allianceprint build",
        "allianceprint watch",
    ):
        assert command in readme
    for page in [ROOT / "README.md", *DOCS.glob("*.md")]:
        text = re.sub(r"`[^`]*`", "", page.read_text(encoding="utf-8"))  # examples aside
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if "://" not in target:
                assert (page.parent / target).exists(), f"{page.name}: {target}"


def test_the_docs_list_the_raw_html_and_the_check_flags() -> None:
    manuscript = (DOCS / "manuscript.md").read_text(encoding="utf-8")
    for element in sorted(INLINE_ELEMENTS | BLOCK_ELEMENTS):
        assert f"`<{element}>`" in manuscript, element
    commands = (DOCS / "commands.md").read_text(encoding="utf-8")
    for usage in (
        "allianceprint check [DIR] [--strict] [--format text|json]",
        "`check --format json`",
        "`--strict`",
        "allianceprint new DIR",
        "allianceprint styles export DIR",
        "allianceprint doctor",
    ):
        assert usage in commands, usage
    assert all(o.key in (DOCS / "book-toml.md").read_text() for o in CHECKS_OPTIONS)
