"""OCR of tables that are pictures: image-only PDF pages, and images in HTML or DOCX.

Readers call ``Reader.pdf_page`` / ``Reader.picture``; both give the rows the PDF reader
gives for a text page (``page.read_page``), or ``None`` with the reason left in
``Reader.skipped``. Bounded per document: a page must be fine enough to read
(``MIN_DPI``), a picture must be plausibly sized and show a ruled grid, at most
``MAX_PAGES`` pages/pictures and ``BUDGET_SECONDS`` CPU seconds of OCR. ``OGI_OCR=0`` turns it off.
Cells read this way are flagged by ``flags.flag_cells``.
"""

from __future__ import annotations

import ctypes
import os
import time
from dataclasses import dataclass, field

from extractors.document import Row

MIN_DPI = 100  # coarser scans (a 60-dpi page: 9-pixel characters) are reported, not guessed at
RENDER_DPI = 200  # a finer scan is read at this resolution: enough for the form's type, and bounded time
PICTURE_POINTS_PER_PIXEL = 72 / 150  # a web picture has no physical size; screens show ~150 px per inch of print
MIN_PICTURE = (300, 120)  # width, height in pixels: smaller pictures are icons, not tables
MAX_PICTURE_PIXELS = 25_000_000
MAX_PAGES = int(os.environ.get("OGI_OCR_MAX_PAGES", "12"))
BUDGET_SECONDS = float(os.environ.get("OGI_OCR_SECONDS", "60"))
CODE = "ocr"  # the document problem listing the pages (or pictures) read by OCR


def available() -> bool:
    if os.environ.get("OGI_OCR", "1") == "0":
        return False
    from extractors.ocr.engines import rapidocr_available, tesseract_available

    return tesseract_available() if _engine() == "tesseract" else rapidocr_available()


def _engine() -> str:
    """``rapidocr`` (chosen on the numbers of ``benchmarks/ocr.py``) or ``tesseract``."""
    return os.environ.get("OGI_OCR_ENGINE", "rapidocr")


@dataclass
class Reader:
    """One document's OCR: its bounds and what it read or skipped (with why)."""

    engine: str = field(default_factory=_engine)
    read: list[int] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)
    spent: float = 0.0

    def _allowed(self, number: int) -> bool:
        if len(self.read) >= MAX_PAGES:
            self.skipped[number] = f"over the OCR limit of {MAX_PAGES} pages per document (OGI_OCR_MAX_PAGES)"
            return False
        if self.spent >= BUDGET_SECONDS:
            self.skipped[number] = f"the OCR budget of {BUDGET_SECONDS:.0f} CPU seconds was spent (OGI_OCR_SECONDS)"
            return False
        return True

    def pdf_page(self, page, number: int) -> list[Row] | None:
        """An image-only PDF page (a pypdfium2 page), read at its scan's own resolution."""
        from pypdfium2 import raw

        width_pt = page.get_width()
        dpi = _scan_dpi(page, raw, width_pt)
        if dpi is None or dpi < MIN_DPI:
            self.skipped[number] = f"the scan is too coarse to read ({dpi or 0:.0f} dpi, under {MIN_DPI})"
            return None
        if not self._allowed(number):
            return None
        scale = min(dpi, RENDER_DPI) / 72
        gray = page.render(scale=scale, grayscale=True).to_numpy()
        if gray.ndim == 3:
            gray = gray[..., 0]
        return self._read(gray, number, 1 / scale)

    def picture(self, data: bytes, number: int) -> list[Row] | None:
        """A picture's bytes (PNG, JPEG, GIF, BMP…) if it shows a ruled table; ``number``
        is its ordinal in the document and becomes the rows' page."""
        from extractors.ocr.page import has_table

        gray = _decode(data)
        if gray is None:
            return None
        height, width = gray.shape
        if width < MIN_PICTURE[0] or height < MIN_PICTURE[1] or not has_table(gray):
            return None
        if not self._allowed(number):
            return None
        return self._read(gray, number, PICTURE_POINTS_PER_PIXEL)

    def _read(self, gray, number: int, points_per_pixel: float) -> list[Row]:
        from extractors.ocr.page import read_page

        started = time.process_time()  # CPU seconds: the same bound however busy the machine is
        try:
            rows = read_page(gray, number, points_per_pixel, self.engine)
        finally:
            self.spent += time.process_time() - started
        self.read.append(number)
        return rows

    def problems(self, what: str = "pages") -> list[tuple[str, str, list[int] | None]]:
        if not self.read:
            return []
        listed = ", ".join(map(str, self.read))
        return [(CODE, f"{what} read by OCR (cells flagged ocr): {listed}", list(self.read))]


def _scan_dpi(page, raw, width_pt: float) -> float | None:
    """Pixels per inch of the page's largest picture across the page width."""
    best = 0
    for i in range(raw.FPDFPage_CountObjects(page.raw)):
        handle = raw.FPDFPage_GetObject(page.raw, i)
        if raw.FPDFPageObj_GetType(handle) != raw.FPDF_PAGEOBJ_IMAGE:
            continue
        w, h = ctypes.c_uint(), ctypes.c_uint()
        if raw.FPDFImageObj_GetImagePixelSize(handle, w, h):
            best = max(best, w.value, h.value)
    if not best or width_pt <= 0:
        return None
    height_pt = page.get_height()
    return best / (max(width_pt, height_pt) / 72)


def _decode(data: bytes):
    """Grayscale pixels of an image, or None when it is not one or is implausibly large."""
    import io

    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PICTURE_PIXELS:
                return None
            import numpy as np

            return np.asarray(image.convert("L"))
    except Exception:  # noqa: BLE001 - any undecodable or hostile picture is simply not read
        return None
