"""One page image → the rows the PDF reader would give for the same page with a text layer.

The boxes the engine reads are placed in PDF points (y up) together with the image's
ruling lines, and the PDF reader's own cell grouping turns them into rows: text inside
one ruled cell is one cell, rows follow the cells' vertical centres. So sections,
labels, assembly and checks see an OCR'd page exactly as they see a text-layer page.
"""

from __future__ import annotations

import numpy as np

from extractors.document import Row
from extractors.ocr import grid
from extractors.ocr.engines import ENGINES, Box


def has_table(gray: np.ndarray) -> bool:
    """At least a 3×3 grid of ruling lines: the picture may hold one of the form's tables."""
    _, found = grid.straighten(gray)
    return len(found.horizontal) >= 3 and len(found.vertical) >= 3


def read_page(gray: np.ndarray, number: int, points_per_pixel: float, engine: str = "rapidocr") -> list[Row]:
    """``points_per_pixel``: 72 / dpi for a scanned PDF page (its real size), a nominal
    value for a picture of unknown size."""
    from extractors.layout import PDF_SETTINGS
    from extractors.readers.pdf import Word, _rows

    upright, found = grid.straighten(gray)
    boxes = ENGINES[engine](upright, found)
    boxes = _join_split_text(boxes, found.vertical)
    height = upright.shape[0]
    s = points_per_pixel
    words = [
        Word(b.text, b.x0 * s, b.x1 * s, (height - b.y1) * s, (height - b.y0) * s, ((b.x0 * s, b.x1 * s),))
        for box in boxes
        if box.text.strip()
        for b in _characters_if_vertical(box)
    ]
    horizontal = [((height - y) * s, x0 * s, x1 * s) for y, x0, x1 in found.horizontal]
    vertical = [(x * s, (height - y1) * s, (height - y0) * s) for x, y0, y1 in found.vertical]
    return _rows(words, horizontal, vertical, number, (0.0, height * s), PDF_SETTINGS) if words else []


def _join_split_text(boxes: list[Box], vertical: list[tuple[float, float, float]]) -> list[Box]:
    """Rejoin a line of words the detector cut in two at a wide gap (四、政府信息公开 | 行政复议、…
    would not be found as a heading). Never across a ruling line, and never where a digit
    meets the gap: two numbers side by side are two cells, not one number."""
    out: list[Box] = []
    for box in sorted(boxes, key=lambda b: (b.x0, b.y0)):
        height = box.y1 - box.y0
        match = next(
            (
                i
                for i, prev in enumerate(out)
                if 0 <= box.x0 - prev.x1 <= 2 * height
                and min(prev.y1, box.y1) - max(prev.y0, box.y0) >= 0.6 * max(height, prev.y1 - prev.y0)
                and not (prev.text[-1:].isdigit() or box.text[:1].isdigit())
                and not any(
                    prev.x1 - 2 <= x <= box.x0 + 2 and y0 <= (box.y0 + box.y1) / 2 <= y1 for x, y0, y1 in vertical
                )
            ),
            None,
        )
        if match is None:
            out.append(box)
            continue
        prev = out[match]
        out[match] = Box(
            prev.text + box.text,
            prev.x0,
            min(prev.y0, box.y0),
            box.x1,
            max(prev.y1, box.y1),
            min(prev.score, box.score),
        )
    return out


def _characters_if_vertical(box: Box) -> list[Box]:
    """Text set top to bottom (三、本年度办理结果 down a merged cell) as one box per character,
    as a text layer has it: one tall box would read as a line as high as the whole cell."""
    text = box.text.strip()
    if box.y1 - box.y0 <= 1.5 * (box.x1 - box.x0) or len(text) < 2:
        return [box]
    step = (box.y1 - box.y0) / len(text)
    return [Box(ch, box.x0, box.y0 + i * step, box.x1, box.y0 + (i + 1) * step, box.score) for i, ch in enumerate(text)]
