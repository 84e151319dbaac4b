"""A page image → upright image and its ruling lines, in pixels.

Why our own line finding: the tables are read inside the lines the image itself draws,
the same way the PDF reader reads inside the PDF's path segments. Lines are what
morphological opening with a long thin kernel keeps; their slope is the page's skew, so
the page is turned back by it before anything is read.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_SKEW_DEGREES = 3.0  # a scan turned further than this is not straightened (and not trusted)


@dataclass(frozen=True, eq=False)
class Rulings:
    horizontal: list[tuple[float, float, float]]  # (y, x0, x1), pixels, y down
    vertical: list[tuple[float, float, float]]  # (x, y0, y1)
    mask: np.ndarray | None = None  # the pixels of the lines kept (255), so text can be told from them
    glyph: float = 0.0  # the typical height of an ink blob shaped like a character, pixels


def straighten(gray: np.ndarray) -> tuple[np.ndarray, Rulings]:
    """The page turned upright by its lines' slope, and its rulings (the glyph size measured once)."""
    binary = ink(gray)
    glyph = glyph_height(binary)
    upright = rotate(gray, skew_degrees(binary, glyph))
    return upright, rulings(ink(upright), glyph)


def ink(gray: np.ndarray) -> np.ndarray:
    """Dark pixels as 255 (Otsu's threshold, never above 200: a tinted cell fill is paper)."""
    import cv2

    level, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    _, binary = cv2.threshold(gray, min(level, 200), 255, cv2.THRESH_BINARY_INV)
    return binary


def _line_masks(binary: np.ndarray, glyph: float) -> tuple[np.ndarray, np.ndarray]:
    import cv2

    height = binary.shape[0]
    across = _long(binary, glyph)
    # A vertical ruling may be one short row high (two rows of a small table: 46 px at 150 dpi);
    # such short ones are kept only when both ends meet horizontal rulings (strokes do not).
    down = max(12, height // 80, int(1.3 * glyph))
    horizontal = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (across, 1)))
    vertical = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, down)))
    return horizontal, vertical


def skew_degrees(binary: np.ndarray, glyph: float | None = None) -> float:
    """The median slope of the long horizontal lines (0 when there are none)."""
    import cv2

    horizontal, _ = _line_masks(binary, glyph_height(binary) if glyph is None else glyph)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(horizontal, connectivity=8)
    width = binary.shape[1]
    slopes: list[float] = []
    weights: list[float] = []
    for i in range(1, count):
        x, y, w, h, _ = stats[i]
        if w < width / 6 or h > w / 8:
            continue
        ys, xs = np.nonzero(labels[y : y + h, x : x + w] == i)
        if len(xs) < 10:
            continue
        slope = np.polyfit(xs.astype(float), ys.astype(float), 1)[0]
        slopes.append(float(np.degrees(np.arctan(slope))))
        weights.append(float(w))
    if not slopes:
        return 0.0
    order = np.argsort(slopes)
    cumulative = np.cumsum(np.asarray(weights)[order])
    median = slopes[order[int(np.searchsorted(cumulative, cumulative[-1] / 2))]]
    return median if abs(median) <= MAX_SKEW_DEGREES else 0.0


def rotate(gray: np.ndarray, degrees: float) -> np.ndarray:
    """Turn the page by ``degrees`` (positive: counter-clockwise in the image) on white."""
    import cv2

    if abs(degrees) < 0.05:
        return gray
    height, width = gray.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    return cv2.warpAffine(gray, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=255)


def rulings(binary: np.ndarray, glyph: float | None = None) -> Rulings:
    """Horizontal and vertical line segments of an upright page."""
    import cv2

    glyph = glyph_height(binary) if glyph is None else glyph
    horizontal, vertical = _line_masks(binary, glyph)
    # JPEG noise and thin strokes break a line into pieces: close small gaps along it. Only
    # tiny ones across: a wider bridge would join a bold heading's stroke to the table below.
    horizontal = cv2.morphologyEx(horizontal, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 1)))
    vertical = cv2.morphologyEx(vertical, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 3)))
    found_h: list[tuple[float, float, float]] = []
    found_v: list[tuple[float, float, float]] = []
    labelled = []
    for mask, out, is_h in ((horizontal, found_h, True), (vertical, found_v, False)):
        count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        kept = []
        for i in range(1, count):
            x, y, w, h, _ = stats[i]
            if is_h and h <= max(12, w / 10):
                out.append((y + h / 2, float(x), float(x + w)))
                kept.append(i)
            elif not is_h and w <= max(12, h / 10):
                out.append((x + w / 2, float(y), float(y + h)))
                kept.append(i)
        labelled.append((labels, kept))
    long = _long(binary, glyph)
    keep_v = [v[2] - v[1] >= long or _ends_on(v, found_h) for v in found_v]
    (h_labels, h_kept), (v_labels, v_kept) = labelled
    h_keep = np.zeros(int(h_labels.max()) + 1, np.uint8)
    h_keep[h_kept] = 255
    v_keep = np.zeros(int(v_labels.max()) + 1, np.uint8)
    v_keep[[i for i, k in zip(v_kept, keep_v) if k]] = 255
    mask = np.maximum(h_keep[h_labels], v_keep[v_labels])
    return Rulings(found_h, [v for v, k in zip(found_v, keep_v) if k], mask, glyph)


def _long(binary: np.ndarray, glyph: float) -> int:
    """Pixels longer than any character stroke or dash: a 25th of the page, and three glyphs'
    height (a picture cropped close around a table is small, its characters are not)."""
    return int(max(24, min(binary.shape) // 25, 3 * glyph))


def glyph_height(binary: np.ndarray) -> float:
    """The median height of the ink blobs shaped like characters (0 when there are none)."""
    import cv2

    _, _, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    heights, widths = stats[1:, cv2.CC_STAT_HEIGHT], stats[1:, cv2.CC_STAT_WIDTH]
    glyphs = heights[(heights >= 5) & (heights <= 100) & (widths >= 2) & (widths <= 3 * heights)]
    return float(np.median(glyphs)) if len(glyphs) else 0.0


def _ends_on(
    segment: tuple[float, float, float], horizontal: list[tuple[float, float, float]], slack: float = 6
) -> bool:
    """Both ends of a vertical segment meet a horizontal ruling (a table's, not a stroke's)."""
    x, y0, y1 = segment
    meets = [y for y, x0, x1 in horizontal if x0 - slack <= x <= x1 + slack]
    return any(abs(y - y0) <= slack for y in meets) and any(abs(y - y1) <= slack for y in meets)
