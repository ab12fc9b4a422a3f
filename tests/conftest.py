"""Shared fixtures: the sample volume built once per session, and a log guard."""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

# On CI (CI=true) the property tests draw the same examples every run, so that a landing
# never depends on luck; on a developer's machine they explore new examples each time.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

# Builds seal their cache with a key kept in $XDG_CONFIG_HOME/allianceprint: in the tests, a
# folder of their own, never the real home's (the CLI run in subprocesses inherits it).
# Removed when the session ends, so that test runs do not pile folders up in /tmp.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="allianceprint-test-config-")
atexit.register(shutil.rmtree, os.environ["XDG_CONFIG_HOME"], ignore_errors=True)

from allianceprint.build import build
from allianceprint.errors import Diagnostics

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "manuscript"
#: The sample's parts in reading order, by title (what its contents, outline and spine list).
SAMPLE_PARTS = [
    "Preface",
    "Acknowledgments",
    "Abbreviations",
    "Introduction",
    "Between Deterrence and Reassurance: Japan’s Regional Strategy after 2022",
    "Trusted Networks: Technology Cooperation among Allies",
    "Economic Security as Alliance Policy",
    "The Minilateral Turn: Small Groupings in a Crowded Region",
    "Final Thoughts",
    "About the Contributors",
]


@dataclass(frozen=True)
class Built:
    manuscript: Path
    pdf: Path
    epub: Path
    diagnostics: Diagnostics


def build_book(manuscript: Path, output: Path) -> Built:
    diagnostics = Diagnostics()
    written = build(manuscript, output, ("pdf", "epub"), diagnostics)
    paths = {p.path.suffix: p.path for p in written.outputs}
    return Built(manuscript, paths[".pdf"], paths[".epub"], diagnostics)


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The sample volume, built once for the whole session."""
    return build_book(SAMPLE, tmp_path_factory.mktemp("sample-build"))


@pytest.fixture(scope="session")
def sample_single(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample's PDF laid out as one document (--single-document), once a session."""
    written = build(
        SAMPLE, tmp_path_factory.mktemp("single"), ("pdf",), Diagnostics(), single_document=True
    )
    return written.outputs[0].path


@pytest.fixture
def assert_no_logs(caplog: pytest.LogCaptureFixture):
    """Fails the test if anything logged a warning or worse (WeasyPrint included)."""
    caplog.set_level(logging.WARNING)
    yield caplog
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert not problems, "unexpected log records:\n" + "\n".join(
        f"{r.name}: {r.getMessage()}" for r in problems
    )


def have(command: str) -> bool:
    return shutil.which(command) is not None
