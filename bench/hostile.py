"""Hostile input -> how long each pathological case takes, at growing sizes (issue 17).

Not part of the test suite (the suite only checks that each case ends): run it by hand,
`.venv/bin/python bench/hostile.py [--sizes 10000,100000,1000000]`. For each case it builds
a one-part manuscript with the hostile body and times `check` on it; a linear case grows
about tenfold with each tenfold size, a quadratic one a hundredfold. It also times the
pipeline's regexes on their hostile inputs (tests/test_hostile2.HOSTILE_REGEX_INPUTS).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from helpers import make_manuscript  # noqa: E402
from test_hostile2 import HOSTILE_REGEX_INPUTS  # noqa: E402

from allianceprint.build import checked_book  # noqa: E402
from allianceprint.errors import Diagnostics, ManuscriptError  # noqa: E402

HEAD = "---\ntitle: One\nauthors: [au]\n---\n\n"
BODIES = {
    "a paragraph without spaces": lambda n: "a" * n,
    "a run of @": lambda n: "a@" * (n // 2),
    "a URL without end": lambda n: "http://" + "a" * n,
    "attribute lists that never close": lambda n: "{:" * (n // 2),
    "link targets that never close": lambda n: "](" * (n // 2),
    "note references that never close": lambda n: "[^" * (n // 2),
    "a heading of spaces": lambda n: "# a" + " " * n + "b",
}


def time_check(body: str) -> tuple[float, str]:
    with tempfile.TemporaryDirectory() as folder:
        root = make_manuscript(Path(folder) / "book", {"one.md": HEAD + body + "\n"})
        started = time.perf_counter()
        try:
            checked_book(root, Diagnostics())
            outcome = "ok"
        except ManuscriptError as exc:
            outcome = str(exc).splitlines()[0][:70]
        return time.perf_counter() - started, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    sizes = [int(size) for size in parser.parse_args().sizes.split(",")]
    for name, body in BODIES.items():
        for size in sizes:
            seconds, outcome = time_check(body(size))
            print(f"check  {name:36} {size:>9,} chars {seconds:8.2f} s  {outcome}", flush=True)
    for target, expressions in HOSTILE_REGEX_INPUTS.items():
        module, attribute = target.split(":")
        pattern = getattr(importlib.import_module(module), attribute)
        for expression in expressions:
            for n in sizes:
                text = eval(expression, {"n": n})  # noqa: S307 (our own table)
                started = time.perf_counter()
                for _ in pattern.finditer(text):
                    pass
                seconds = time.perf_counter() - started
                print(f"regex  {target:40} {expression:24} {n:>9,} {seconds:8.4f} s", flush=True)


if __name__ == "__main__":
    main()
