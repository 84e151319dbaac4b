"""A text-layer PDF → the same pages as a scan: rendered, slightly turned, JPEG-compressed,
saved as an image-only PDF. Used by the OCR tests and ``benchmarks/ocr.py``."""

from __future__ import annotations

import io
from pathlib import Path


def scan_pdf(
    source: Path | bytes, dpi: int = 150, degrees: float = 0.0, quality: int = 70, pages: list[int] | None = None
) -> bytes:
    """``pages``: 1-based page numbers to keep (all by default)."""
    import pypdfium2 as pdfium
    from PIL import Image

    pdf = pdfium.PdfDocument(source if isinstance(source, bytes) else str(source))
    images = []
    try:
        for index in range(len(pdf)):
            if pages is not None and index + 1 not in pages:
                continue
            page = pdf[index]
            image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            page.close()
            if degrees:
                image = image.rotate(degrees, resample=Image.BICUBIC, fillcolor=255)
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=quality)  # the scanner's compression, once
            images.append(Image.open(io.BytesIO(buffer.getvalue())))
    finally:
        pdf.close()
    out = io.BytesIO()
    images[0].save(out, "PDF", resolution=float(dpi), save_all=True, append_images=images[1:])
    return out.getvalue()
