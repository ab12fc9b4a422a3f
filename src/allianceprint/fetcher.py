"""The one gate through which the renderer loads files.

WeasyPrint's default fetcher reads any local file and any web address. The build only ever
needs files from the manuscript folder and the styles folder, so `ConfinedFetcher` serves
those (symlinks resolved) and refuses everything else with an `AssetError`.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

from allianceprint.errors import AssetError


class ConfinedFetcher(URLFetcher):
    """Serves `file:` URLs inside `allowed` folders; refuses everything else."""

    def __init__(self, allowed: list[Path]) -> None:
        super().__init__(fail_on_errors=True)
        self.allowed = [folder.resolve() for folder in allowed]

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme != "file":
            raise AssetError(f"the build does not fetch {url!r}: only files in the "
                             "manuscript folder can be used")
        path = Path(unquote(parts.path)).resolve()
        if not any(path.is_relative_to(folder) for folder in self.allowed):
            raise AssetError(f"the build does not read {path}: it lies outside the manuscript "
                             "and styles folders")
        if not path.is_file():
            raise AssetError(f"{path} does not exist")
        return URLFetcherResponse(path.as_uri(), body=path.read_bytes())
