"""The one gate through which the renderer loads files.

WeasyPrint's default fetcher reads any local file and any web address, and follows what a
document asks for: images, stylesheets and fonts, `file://` URLs, and `<link
rel="attachment">` or `<a rel="attachment">` (which embed the file they point to in the PDF).
The build only ever needs files from the manuscript folder and the styles folder, so
`ConfinedFetcher` serves regular files there (symlinks resolved, at most MAX_FILE_BYTES) and
refuses everything else, web addresses and `data:` URLs included, with an `AssetError` that
says what was refused and why. It never opens a network connection.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urlsplit

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from allianceprint.errors import AssetError

MAX_FILE_BYTES = 50 * 1024 * 1024


class ConfinedFetcher(URLFetcher):
    """Serves `file:` URLs inside `allowed` folders; refuses everything else."""

    def __init__(self, allowed: list[Path], styles: tuple[Path, ...] = ()) -> None:
        """`styles`: the style folders among `allowed`, most specific first (a house style
        over the built-in one): a file missing from one is looked for in the next, so that a
        house style's stylesheet finds what it imports from the built-in style."""
        super().__init__(fail_on_errors=True, allowed_protocols=("file",))
        self.allowed = [folder.resolve() for folder in allowed]
        self.styles = [folder.resolve() for folder in styles]

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        shown = url if len(url) <= 200 else url[:200] + "..."
        try:
            parts = urlsplit(url)
        except ValueError:
            parts = None
        if parts is None or parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise AssetError(
                f"the build does not fetch {shown!r}: it uses only files in the "
                "manuscript and styles folders, and never the network"
            )
        try:
            path = Path(unquote(parts.path)).resolve()
        except (OSError, ValueError) as exc:  # a NUL byte, a symlink loop
            raise AssetError(
                f"the build does not read {shown!r}: not a usable file name ({exc})"
            ) from exc
        path = self._in_styles(path)
        if not any(path.is_relative_to(folder) for folder in self.allowed):
            raise AssetError(
                f"the build does not read {path}: it lies outside the manuscript and styles folders"
            )
        try:
            if not path.is_file():
                raise AssetError(f"{path} does not exist or is not a regular file")
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise AssetError(
                    f"{path} is {size // 1_000_000} MB; a file the book uses may "
                    f"be at most {MAX_FILE_BYTES // 1_000_000} MB"
                )
            body = path.read_bytes()
        except OSError as exc:
            raise AssetError(f"{path} cannot be read: {exc.strerror}") from exc
        return URLFetcherResponse(path.as_uri(), body=body)

    def _in_styles(self, path: Path) -> Path:
        """`path`, or the same file of a later style folder when a house style lacks it."""
        if path.exists():
            return path
        for index, folder in enumerate(self.styles):
            if path.is_relative_to(folder):
                for later in self.styles[index + 1 :]:
                    candidate = later / path.relative_to(folder)
                    if candidate.is_file():
                        return candidate
        return path


@contextmanager
def refusals_raised() -> Iterator[None]:
    """Within it, what the fetcher refused during a layout is raised as the fetcher's own
    `AssetError` (one located line), not as the `FatalURLFetchingError` WeasyPrint wraps it in."""
    try:
        yield
    except FatalURLFetchingError as exc:
        cause = exc.__cause__
        if isinstance(cause, AssetError):
            raise AssetError(cause.message) from None
        raise
