"""allianceprint works however it is installed: a wheel in a fresh virtual environment, pipx.

The wheel is built with `python -m build` from a copy of the checkout, installed into a
virtual environment outside it, and run from a temporary folder on a manuscript made with
`allianceprint new`: it must find its house style inside the package, not in a checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pdfplumber
import pytest
from conftest import ROOT

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def _run(*args: str | Path, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, env=env, timeout=900
    )
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from the tracked files of the checkout (as a clean clone has them)."""
    source = tmp_path_factory.mktemp("source")
    tracked = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, tracked):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "build", "--wheel", "--outdir", out, source, cwd=source)
    (found,) = out.glob("allianceprint-*.whl")
    return found


def _check_outputs(folder: Path) -> None:
    pdf = next(folder.glob("*.pdf"))
    epub = next(folder.glob("*.epub"))
    with pdfplumber.open(pdf) as document:
        text = "\n".join(page.extract_text() or "" for page in document.pages)
        fonts = {c["fontname"].split("+")[-1] for page in document.pages for c in page.chars}
    assert "A Wheel Test" in text and "Preface" in text
    assert any("Libertine" in f for f in fonts), fonts  # the house style's font, found
    with zipfile.ZipFile(epub) as archive:
        names = archive.namelist()
        assert "EPUB/styles/epub.css" in names
        assert archive.read("EPUB/styles/epub.css") == (ROOT / "styles/epub/epub.css").read_bytes()


def test_the_wheel_carries_the_house_style(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for name in (
        "allianceprint/styles/print/print.css",
        "allianceprint/styles/print/book.html.j2",
        "allianceprint/styles/epub/epub.css",
        "allianceprint/styles/epub/part.xhtml.j2",
    ):
        assert name in names


def test_a_wheel_in_a_fresh_venv_builds_a_book(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    _run(venv / "bin" / "python", "-m", "pip", "install", "-q", wheel, cwd=tmp_path)
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    command = venv / "bin" / "allianceprint"
    _run(
        command,
        "new",
        "book",
        "--title",
        "A Wheel Test",
        "--editors",
        "Ada Lane",
        cwd=work,
        env=env,
    )
    _run(command, "build", "book", cwd=work, env=env)
    _check_outputs(work / "book" / "build")
    version = _run(command, "--version", cwd=work, env=env).stdout
    assert "WeasyPrint" in version and "Pango" in version


@pytest.mark.skipif(
    shutil.which("pipx") is None and not (Path(sys.executable).parent / "pipx").exists(),
    reason="needs pipx (the test extra installs it)",
)
def test_pipx_installs_a_working_command(wheel: Path, tmp_path: Path) -> None:
    pipx = shutil.which("pipx") or str(Path(sys.executable).parent / "pipx")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(
        PIPX_HOME=str(tmp_path / "pipx"),
        PIPX_BIN_DIR=str(tmp_path / "bin"),
        PIPX_MAN_DIR=str(tmp_path / "man"),
    )
    _run(pipx, "install", "--python", sys.executable, wheel, cwd=tmp_path, env=env)
    work = tmp_path / "elsewhere"
    work.mkdir()
    command = tmp_path / "bin" / "allianceprint"
    _run(command, "new", "book", "--title", "A Wheel Test", cwd=work, env=env)
    _run(command, "build", "book", "--format", "pdf", cwd=work, env=env)
    assert next((work / "book" / "build").glob("*.pdf")).stat().st_size > 10_000


def test_every_package_is_declared() -> None:
    """pyproject lists the packages by hand (styles/ is mapped into the package): a new
    subpackage that is not listed would be missing from every wheel."""
    declared = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    source = ROOT / "src"
    found = {".".join(p.parent.relative_to(source).parts) for p in source.rglob("__init__.py")}
    found |= {
        "allianceprint.styles." + p.name
        for p in (ROOT / "styles").iterdir()
        if p.is_dir() and not p.name.startswith(("_", "."))
    }
    assert found | {"allianceprint.styles"} == declared


def test_every_imported_library_is_declared_with_a_range() -> None:
    """Each third-party module src/ imports (even one that comes with another library, as
    tinycss2 and pydyf come with WeasyPrint) is a dependency in pyproject, with a lower and
    an upper bound: the code uses its API, so an install must not do without it."""
    import ast
    import re
    from importlib.metadata import packages_distributions

    def normal(name: str) -> str:
        return re.sub(r"[-_.]+", "-", name).lower()

    declared = {}
    for requirement in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "dependencies"
    ]:
        name = re.match(r"[A-Za-z0-9_.-]+", requirement).group(0)
        declared[normal(name)] = requirement
    modules = set()
    for path in (ROOT / "src").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    third_party = modules - set(sys.stdlib_module_names) - {"allianceprint"}
    distributions = packages_distributions()
    for module in sorted(third_party):
        names = {normal(d) for d in distributions.get(module, ())}
        assert names & set(declared), f"{module} is imported but not declared in pyproject"
        for name in names & set(declared):
            assert ">=" in declared[name] and "<" in declared[name], declared[name]
