"""What a page of Chinese costs to lay out, against a page of English (issue 12).

Builds two books of about the same number of pages, one in zh-Hans (the test fixture's
paragraphs, repeated) and one in English (original sentences, repeated), and prints the
CPU seconds per page of each and their ratio. Run: .venv/bin/python bench/cjk_cost.py [COPIES]
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from helpers import DEFAULT_TOML, make_manuscript  # noqa: E402
from test_cjk_typesetting import TOML, ZH  # noqa: E402

from allianceprint.build import build  # noqa: E402
from allianceprint.errors import Diagnostics  # noqa: E402

ENGLISH = ("Regional agreements have multiplied over the past decade, yet the record of "
           "putting them into practice is uneven. Officials in small ministries told us that "
           "the hardest part was knowing whom to call; a typical provincial office has two or "
           "three people for a dozen projects, and the texts they sign often stay on paper. "
           "Funding arrived eighteen months late on average, and the reports that followed "
           "asked for capacity before money, a principle many regional bodies later adopted.")


def timed(root: Path) -> tuple[float, int]:
    diagnostics = Diagnostics()
    before = os.times()
    written = build(root, root / "build", ("pdf",), diagnostics)
    after = os.times()
    # CPU time, this process's and its children's: steadier than the clock on a shared
    # machine.
    seconds = sum(after[:4]) - sum(before[:4])
    pdf = next(o.path for o in written.outputs if o.path.suffix == ".pdf")
    from pypdf import PdfReader
    return seconds, len(PdfReader(pdf).pages)


def main() -> None:
    copies = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    with tempfile.TemporaryDirectory() as folder:
        zh_body = "\n\n".join(ZH * copies)
        zh = make_manuscript(Path(folder) / "zh", {"zh.md": f"# 第一章\n\n{zh_body}\n"},
                             TOML.replace('["zh.md", "hant.md", "ja.md"]', '["zh.md"]'))
        en_body = "\n\n".join([ENGLISH] * (copies * 9))
        en = make_manuscript(Path(folder) / "en", {"one.md": f"# One\n\n{en_body}\n"},
                             DEFAULT_TOML)
        results = {}
        for name, root in (("zh-Hans", zh), ("en", en)):
            seconds, pages = timed(root)
            results[name] = seconds / pages
            print(f"{name}: {pages} pages in {seconds:.1f} s, {seconds / pages:.3f} s a page")
        print(f"a zh-Hans page costs {results['zh-Hans'] / results['en']:.2f}x an English one")


if __name__ == "__main__":
    main()
