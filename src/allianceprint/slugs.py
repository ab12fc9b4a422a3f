"""A title or a file name -> its ASCII slug (`Ōtsuka's Notes` -> `otsuka-s-notes`): the
part ids, the imported parts' file names and the outputs' names are made from it.

Letters are folded to ASCII by Unicode decomposition (`ō` -> `o`); what has no ASCII form
(`ł`, `同`) is dropped, and every other run of characters becomes one hyphen.
"""

from __future__ import annotations

import re
import unicodedata


def ascii_slug(text: str, max_length: int | None = None) -> str:
    """The lower-case ASCII letters and digits of `text`, each run of anything else a
    hyphen, none at either end ("" when nothing is left). With `max_length`, cut after the
    last whole word that fits."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    if max_length is None or len(slug) <= max_length:
        return slug
    cut = slug[: max_length + 1]
    return cut[: cut.rfind("-")] if "-" in cut else ""
