"""Pictures inside HTML pages and DOCX files → rows, where they show a ruled table.

Only bytes already at hand are read: a ``data:`` URI, a file beside the HTML page
(inside its folder), or a DOCX's own media part. Nothing is fetched. Each picture that
is read takes the next ordinal, which becomes its rows' page (so its cells can be told
apart from the document's text and flagged ``ocr``).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from extractors.document import Document, Row
from extractors.model import ExtractError
from extractors.ocr import Reader, available

MAX_PICTURE_BYTES = 20 * 1024 * 1024
MAX_LOOKED_AT = 40  # pictures decoded per document (logos and icons are cheap to refuse, but not free)


@dataclass
class Pictures:
    """One document's pictures; ``base``: an HTML page's path (pictures beside it are read)."""

    base: Path | None = None
    media: Callable[[str], bytes | None] | None = None  # a DOCX relationship id → its media part
    reader: Reader = field(default_factory=Reader)
    looked_at: int = 0

    def read_src(self, src: str | None) -> list[Row]:
        """An HTML ``<img src>``."""
        return self.read(html_source(src, self.base))

    def read_media(self, rid: str | None) -> list[Row]:
        """A DOCX picture by its relationship id."""
        if not rid or self.media is None or self.looked_at >= MAX_LOOKED_AT:
            return []
        return self.read(self.media(rid))

    def read(self, data: bytes | None) -> list[Row]:
        if not data or len(data) > MAX_PICTURE_BYTES or self.looked_at >= MAX_LOOKED_AT:
            return []
        self.looked_at += 1
        return self.reader.picture(data, len(self.reader.read) + 1) or []

    def problems(self) -> list[tuple[str, str, list[int] | None]]:
        return self.reader.problems("pictures")


def html_source(src: str | None, base: Path | None) -> bytes | None:
    """The bytes of an ``<img src>`` that are here: a data: URI or a file beside the page."""
    if not src:
        return None
    src = src.strip()
    if src.startswith("data:"):
        header, _, payload = src.partition(",")
        if not header.startswith("data:image/"):
            return None
        if len(payload) > MAX_PICTURE_BYTES * 4 // 3 + 4:
            return None
        try:
            if header.endswith(";base64"):
                return base64.b64decode(payload, validate=False)
            return unquote(payload).encode("latin-1")
        except (binascii.Error, ValueError, UnicodeEncodeError):
            return None
    if base is None or "://" in src or src.startswith("//"):
        return None  # a remote picture: never fetched
    folder = base.resolve().parent
    target = (folder / unquote(src.split("?")[0].split("#")[0])).resolve()
    if not target.is_relative_to(folder) or not target.is_file() or target.stat().st_size > MAX_PICTURE_BYTES:
        return None
    return target.read_bytes()


def read_image(data: bytes) -> Document:
    """An image file (a scanned page published as JPEG or PNG) holding a ruled table."""
    if not available():
        raise ExtractError(
            "no_text_layer", "an image, not a document: it needs OCR, which is off (OGI_OCR=0) or not installed"
        )
    pictures = Pictures()
    rows = pictures.read(data)
    if not rows:
        raise ExtractError(
            "no_text_layer", "an image in which OCR found no ruled table (or too small, or too large to read)"
        )
    return Document("image", rows=rows, problems=pictures.problems())
