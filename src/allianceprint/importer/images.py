"""An image's bytes from a Word file -> the file extension it is kept under (PNG, JPEG,
GIF, WebP, by their magic numbers), or the image converted to PNG with Pillow (TIFF, BMP);
None where it cannot be (EMF and WMF need Windows to be drawn).
"""

from __future__ import annotations

IMAGE_TYPES = {b"\x89PNG": ".png", b"\xff\xd8\xff": ".jpg", b"GIF8": ".gif"}


def image_kind(data: bytes) -> str:
    """ ".png", ".jpg", ".gif" or ".webp" by the image's first bytes; "" for another format."""
    kind = next((e for magic, e in IMAGE_TYPES.items() if data.startswith(magic)), "")
    if not kind and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        kind = ".webp"
    return kind


def to_png(data: bytes) -> bytes | None:
    """Another raster format (TIFF, BMP) as PNG, with Pillow; None if it cannot read it
    (EMF and WMF need Windows to be drawn)."""
    import io

    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format in ("WMF", "EMF"):
                return None
            image.load()
            buffer = io.BytesIO()
            image.save(buffer, "PNG")
            return buffer.getvalue()
    except Exception:  # noqa: BLE001 - any undecodable image is reported, not a crash
        return None
