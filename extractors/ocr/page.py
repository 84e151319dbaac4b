"""One page image → the rows the PDF reader would give for the same page with a text layer.

The boxes the engine reads are placed in PDF points (y up) together with the image's
ruling lines, and the PDF reader's own cell grouping turns them into rows: text inside
one ruled cell is one cell, rows follow the cells' vertical centres. So sections,
labels, assembly and checks see an OCR'd page exactly as they see a text-layer page.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from extractors.document import Row
from extractors.ocr import grid
from extractors.ocr.engines import ENGINES, Box


@dataclass(frozen=True)
class PageRead:
    rows: list[Row]
    skew: float  # degrees the page was turned back by
    boxes: int


def has_table(gray: np.ndarray) -> bool:
    """At least a 3×3 grid of ruling lines: the picture may hold one of the form's tables."""
    upright = grid.rotate(gray, grid.skew_degrees(grid.ink(gray)))
    found = grid.rulings(grid.ink(upright))
    return len(found.horizontal) >= 3 and len(found.vertical) >= 3


def read_page(gray: np.ndarray, number: int | None, points_per_pixel: float, engine: str = "rapidocr") -> PageRead:
    """``points_per_pixel``: 72 / dpi for a scanned PDF page (its real size), a nominal
    value for a picture of unknown size."""
    from extractors.readers.pdf import Word, _rows

    skew = grid.skew_degrees(grid.ink(gray))
    upright = grid.rotate(gray, skew)
    found = grid.rulings(grid.ink(upright))
    boxes = ENGINES[engine](_without_rulings(upright, found) if engine == "tesseract" else upright, found.vertical)
    height = upright.shape[0]
    s = points_per_pixel
    words = [Word(b.text, b.x0 * s, b.x1 * s, (height - b.y1) * s, (height - b.y0) * s, ((b.x0 * s, b.x1 * s),))
             for box in boxes if box.text.strip() for b in _characters_if_vertical(box)]
    horizontal = [((height - y) * s, x0 * s, x1 * s) for y, x0, x1 in found.horizontal]
    vertical = [(x * s, (height - y1) * s, (height - y0) * s) for x, y0, y1 in found.vertical]
    rows = _rows(words, horizontal, vertical, number or 0, (0.0, height * s)) if words else []
    if number is None:
        for row in rows:
            row.page = None
    return PageRead(rows, skew, len(boxes))


def _characters_if_vertical(box: Box) -> list[Box]:
    """Text set top to bottom (三、本年度办理结果 down a merged cell) as one box per character,
    as a text layer has it: one tall box would read as a line as high as the whole cell."""
    text = box.text.strip()
    if box.y1 - box.y0 <= 1.5 * (box.x1 - box.x0) or len(text) < 2:
        return [box]
    step = (box.y1 - box.y0) / len(text)
    return [Box(ch, box.x0, box.y0 + i * step, box.x1, box.y0 + (i + 1) * step, box.score) for i, ch in enumerate(text)]


def _without_rulings(gray: np.ndarray, found: grid.Rulings) -> np.ndarray:
    """The page with its ruling lines painted white (Tesseract reads lines as characters)."""
    out = gray.copy()
    for y, x0, x1 in found.horizontal:
        out[max(int(y) - 3, 0) : int(y) + 4, int(x0) : int(x1) + 1] = 255
    for x, y0, y1 in found.vertical:
        out[int(y0) : int(y1) + 1, max(int(x) - 3, 0) : int(x) + 4] = 255
    return out


__all__ = ["Box", "PageRead", "has_table", "read_page"]
