"""This machine -> what allianceprint finds on it, and how to install what is missing.

`allianceprint --version` prints the versions a bug report needs (allianceprint,
WeasyPrint, Pango, Python); `allianceprint doctor` checks, one line each: Pango, the fonts
the built-in style names (and the Chinese and Japanese ones), fontconfig, and the programs
that only the checks of an EPUB need (Java for EPUBCheck). Nothing here changes the machine.
"""

from __future__ import annotations

import platform
import shutil
import subprocess
from dataclasses import dataclass
from importlib import metadata

from allianceprint import __version__

#: The oldest Pango WeasyPrint lays text out well with (WeasyPrint itself needs 1.44).
MIN_PANGO = (1, 44)
#: The families a Chinese or Japanese edition sets in, and the Debian package that has them.
CJK_FAMILIES = ("Noto Serif CJK SC", "Noto Serif CJK TC", "Noto Serif CJK JP", "Noto Sans CJK SC")
#: Where a Debian or Ubuntu machine gets each font the built-in style names.
FONT_PACKAGES = {
    "Linux Libertine O": "fonts-linuxlibertine",
    "Linux Biolinum O": "fonts-linuxlibertine",
    "DejaVu Sans Mono": "fonts-dejavu-core",
    "DejaVu Sans": "fonts-dejavu-core",
    "DejaVu Serif": "fonts-dejavu-core",
}


@dataclass(frozen=True)
class Finding:
    """One thing the doctor looked for."""

    what: str  # e.g. "font Linux Libertine O"
    found: str | None  # what was found (a version, a file), or None when missing
    install: str = ""  # how to get it, when missing
    required: bool = True  # False: only some checks need it (EPUBCheck's Java)

    def __str__(self) -> str:
        if self.found is not None:
            return f"ok       {self.what}: {self.found}"
        mark = "missing " if self.required else "optional"
        return f"{mark} {self.what}: {self.install}"


def pango_version() -> tuple[int, int, int]:
    """The Pango that WeasyPrint loaded."""
    from weasyprint.text.ffi import pango

    number = pango.pango_version()
    return number // 10000, number // 100 % 100, number % 100


def version_text() -> str:
    """What `allianceprint --version` prints."""
    pango = ".".join(str(n) for n in pango_version())
    return (
        f"allianceprint {__version__} (WeasyPrint {metadata.version('weasyprint')}, "
        f"Pango {pango}, Python {platform.python_version()})"
    )


def examine() -> list[Finding]:
    """Everything the doctor checks, in the order it prints them."""
    findings = [_pango()]
    fontconfig = shutil.which("fc-match")
    findings.append(Finding("fontconfig (fc-match)", fontconfig, "sudo apt-get install fontconfig"))
    if fontconfig:
        findings.extend(_fonts())
    findings.append(_java())
    return findings


def _pango() -> Finding:
    try:
        version = pango_version()
    except (OSError, ImportError) as exc:  # WeasyPrint could not load Pango at all
        return Finding(
            "Pango", None, f"sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 ({exc})"
        )
    shown = ".".join(str(n) for n in version)
    if version[:2] < MIN_PANGO:
        return Finding(
            "Pango",
            None,
            f"{shown} is too old: WeasyPrint needs "
            f"{'.'.join(map(str, MIN_PANGO))} or newer; upgrade libpango",
        )
    return Finding("Pango", shown)


def _fonts() -> list[Finding]:
    from allianceprint.fonts import match, primary_families
    from allianceprint.housestyle import builtin_folder

    css = (builtin_folder() / "print" / "print.css").read_text(encoding="utf-8")
    findings = []
    for family in primary_families(css):
        found = match(family)
        package = FONT_PACKAGES.get(family, "a package that has it")
        findings.append(
            Finding(
                f"font {family}",
                str(found.file) if found.family.casefold() == family.casefold() else None,
                f"sudo apt-get install {package}",
            )
        )
    for family in CJK_FAMILIES:
        found = match(family)
        findings.append(
            Finding(
                f"font {family} (Chinese and Japanese editions)",
                str(found.file) if found.family.casefold() == family.casefold() else None,
                "sudo apt-get install fonts-noto-cjk",
                required=False,
            )
        )
    return findings


def _java() -> Finding:
    java = shutil.which("java")
    install = "sudo apt-get install default-jre-headless (EPUBCheck needs it)"
    if java is None:
        return Finding("Java (for EPUBCheck)", None, install, required=False)
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Finding(
            "Java (for EPUBCheck)", None, f"{java} does not run ({exc}); {install}", required=False
        )
    first = (out.stderr or out.stdout).strip().splitlines()
    return Finding("Java (for EPUBCheck)", first[0] if first else java, required=False)
