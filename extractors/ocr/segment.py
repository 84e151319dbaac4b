"""An upright page → one box per run of text, found from the ink itself.

Why not a detection model: on these pages text sits in ruled cells or in well-spaced prose
lines, so runs of ink joined across small gaps (never across a ruling) are the text lines.
That costs milliseconds where the model cost two CPU seconds a page, blank cells give no
box at all, and a box never spans two cells (the model's did, and had to be read again).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DARKER = 18  # grey levels under the mean of the 31-pixel square around: ink (JPEG's ringing is fainter)
JOIN_ACROSS = 0.8  # × glyph height: characters closer than this are one run (a word space is about 1.2)
JOIN_DOWN = 0.45  # × glyph height: strokes of one character (二, 三, 六) stacked closer than this
TALL = 1.6  # × line height: a box taller than this holds more than one line and is cut between them
PART = 1.3  # × line height: the tallest piece a cut leaves (one character of text set down a cell)
MAX_BOXES = 3000  # more runs of ink than this on one page: a photograph or noise, not a form (nothing is read)
CHUNK = 256  # boxes compared with all others at once (bounds the memory of the pairwise tests)


@dataclass(frozen=True, slots=True)
class Span:
    """A text box in pixels (x1, y1 exclusive)."""

    x0: int
    y0: int
    x1: int
    y1: int
    # Set when the box may be one large character (三、 of a heading) or lines of small text
    # cut apart here: the reader reads both and keeps the whole only if it reads as one character.
    lines: tuple[Span, ...] = ()

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0


def text_only(gray: np.ndarray, rulings_mask: np.ndarray | None) -> np.ndarray:
    """The ink that is not a ruling line (nor a pixel around one, JPEG's halo), as 255.

    Ink here is what is darker than its surroundings, not than one threshold for the page:
    a thin stroke blurred by a coarse scan (the 一 of 一、 at 150 dpi is light gray) is text,
    a tinted cell fill is not."""
    import cv2

    binary = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, DARKER)
    if rulings_mask is None or not rulings_mask.any():
        return binary
    around = cv2.dilate(rulings_mask, np.ones((5, 5), np.uint8))
    return cv2.bitwise_and(binary, cv2.bitwise_not(around))


def text_spans(text: np.ndarray, glyph: float, rulings_mask: np.ndarray | None = None) -> tuple[list[Span], float]:
    """Runs of text in ``text`` (ink without rulings, 255), top to bottom, and the height of
    a line of text; ``glyph``: the page's typical ink blob height in pixels."""
    import cv2

    glyph = max(glyph, 8.0)
    across = max(3, int(JOIN_ACROSS * glyph))
    down = max(2, int(JOIN_DOWN * glyph))
    joined = cv2.morphologyEx(text, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, down)))
    joined = cv2.dilate(joined, cv2.getStructuringElement(cv2.MORPH_RECT, (across, 1)))
    if rulings_mask is not None and rulings_mask.any():
        joined[rulings_mask > 0] = 0  # never across a ruling: two cells' text stays two boxes
    count, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    spans: list[Span] = []
    for i in range(1, count):
        x, y, w, h, _ = stats[i]
        box = text[y : y + h, x : x + w] * (labels[y : y + h, x : x + w] == i)
        tight = _tight(box, x, y)
        if tight is not None and max(tight.width, tight.height) >= 0.3 * glyph:  # smaller: a speck, a dot alone
            spans.append(tight)
    line = _line_height(spans, glyph)
    if len(spans) > MAX_BOXES:
        return [], line
    spans = _joined(spans, line, rulings_mask)
    # Wrapped lines are cut at the size of the smaller text: a table's type is often smaller
    # than the page's prose, whose lines set ``line``.
    small = min(line, 1.2 * glyph)
    out: list[Span] = []
    for span in spans:
        parts = _cut_lines(text, span, small)
        if len(parts) > 1 and 0.8 * span.height <= span.width <= 2.2 * span.height and span.height <= 2.5 * line:
            out.append(Span(span.x0, span.y0, span.x1, span.y1, tuple(parts)))
        else:
            out.extend(parts)
    return sorted(out, key=lambda s: (s.y0, s.x0)), line


def _joined(spans: list[Span], line: float, rulings_mask: np.ndarray | None) -> list[Span]:
    """Pieces of one character or word the first pass left apart, joined: the strokes of a
    large 三 or 二 (flat boxes stacked within their own width), a small mark (“ 、 ：)
    beside the text it belongs to, and words of one line (a space before a number), up to a
    line's height apart, and a box inside another. Never across a ruling."""
    while len(spans) > 1:
        box = np.array([(s.x0, s.y0, s.x1, s.y1) for s in spans], float)
        candidates = [
            (lo + i, j)
            for lo in range(0, len(spans), CHUNK)
            for i, j in zip(*np.nonzero(_candidates(box, lo, min(lo + CHUNK, len(spans)), line)))
            if j > lo + i
        ]
        pairs = [(i, j) for i, j in candidates if not _ruled_between(spans[i], spans[j], rulings_mask)]
        if not pairs:
            break
        taken: set[int] = set()
        merged = list(spans)
        for i, j in pairs:  # each box joins at most once a round; the next round sees the joined boxes
            if i in taken or j in taken:
                continue
            a, b = spans[i], spans[j]
            merged[i] = Span(min(a.x0, b.x0), min(a.y0, b.y0), max(a.x1, b.x1), max(a.y1, b.y1))
            merged[j] = None  # type: ignore[call-overload]
            taken |= {i, j}
        spans = [m for m in merged if m is not None]
    return spans


def _candidates(box: np.ndarray, lo: int, hi: int, line: float) -> np.ndarray:
    """Which boxes ``lo:hi`` may join which boxes (rows × all), by the rules of ``_joined``."""
    x0, y0, x1, y1 = (box[:, k] for k in range(4))
    w, h = x1 - x0, y1 - y0
    r = slice(lo, hi)
    overlap_x = np.minimum(x1[r, None], x1[None]) - np.maximum(x0[r, None], x0[None])
    overlap_y = np.minimum(y1[r, None], y1[None]) - np.maximum(y0[r, None], y0[None])
    width = np.maximum(x1[r, None], x1[None]) - np.minimum(x0[r, None], x0[None])
    height = np.maximum(y1[r, None], y1[None]) - np.minimum(y0[r, None], y0[None])
    flat = 3 * h <= w
    flat_width = np.where(
        flat[r, None] & flat[None], np.minimum(w[r, None], w[None]), np.where(flat[r, None], w[r, None], w[None])
    )
    strokes = (
        (flat[r, None] | flat[None])
        & (overlap_x >= 0.6 * np.minimum(w[r, None], w[None]))
        & (-overlap_y <= 0.6 * flat_width)
        & (0.5 * height <= width)
        & (width <= 2 * height)
        & (height <= 2.5 * np.maximum(line, np.maximum(h[r, None], h[None])))  # not two lines of text
    )
    mark = (np.maximum(w, h) <= 0.6 * line) | (flat & (w <= 1.5 * line))
    centre = (y0 + y1) / 2
    within = (centre[r, None] >= y0[None] - 0.1 * h[None]) & (centre[r, None] <= y1[None] + 0.1 * h[None])
    holds = (centre[None] >= y0[r, None] - 0.1 * h[r, None]) & (centre[None] <= y1[r, None] + 0.1 * h[r, None])
    beside = (mark[r, None] & within) | (mark[None] & holds)
    same_line = overlap_y >= 0.5 * np.minimum(h[r, None], h[None])
    marks = (beside | same_line) & (-overlap_x <= line)
    area = w * h
    inside = np.clip(overlap_x, 0, None) * np.clip(overlap_y, 0, None) >= 0.8 * np.minimum(area[r, None], area[None])
    return strokes | marks | inside


def _ruled_between(a: Span, b: Span, rulings_mask: np.ndarray | None) -> bool:
    if rulings_mask is None:
        return False
    x0, x1 = min(a.x0, b.x0), max(a.x1, b.x1)
    y0, y1 = min(a.y0, b.y0), max(a.y1, b.y1)
    return bool(rulings_mask[y0:y1, x0:x1].any())


def _tight(ink: np.ndarray, x: int, y: int) -> Span | None:
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if not len(rows):
        return None
    return Span(x + int(cols[0]), y + int(rows[0]), x + int(cols[-1]) + 1, y + int(rows[-1]) + 1)


def _thin(run: tuple[int, int], line: float) -> bool:
    return run[1] - run[0] < 1.2 * line


def _line_height(spans: list[Span], glyph: float) -> float:
    """The median height of the boxes shaped like lines of text (twice as wide as high)."""
    heights = [s.height for s in spans if s.width >= 2 * s.height]
    return float(np.median(heights)) if heights else 1.3 * glyph


def _cut_lines(text: np.ndarray, span: Span, line: float) -> list[Span]:
    """A box of several lines (a label wrapped in its cell, text set down a cell) → one per
    line or character, cut where no ink crosses, never into pieces taller than ``PART``
    lines (the strokes of 三 stay one character)."""
    if span.height <= TALL * line:
        return [span]
    ink = text[span.y0 : span.y1, span.x0 : span.x1]
    inked = ink.any(axis=1)
    runs: list[tuple[int, int]] = []
    start = None
    for i, on in enumerate(inked):
        if on and start is None:
            start = i
        elif not on and start is not None:
            runs.append((start, i))
            start = None
    if start is not None:
        runs.append((start, len(inked)))
    clusters: list[tuple[int, int]] = []  # strokes of one character (三's three bars) stay together
    for top, bottom in runs:
        if clusters and _thin(clusters[-1], line) and bottom - top < 0.8 * line and top - clusters[-1][1] < 0.6 * line:
            clusters[-1] = (clusters[-1][0], bottom)
        else:
            clusters.append((top, bottom))
    parts: list[tuple[int, int]] = []
    for top, bottom in clusters:
        if parts and bottom - parts[-1][0] <= PART * line:
            parts[-1] = (parts[-1][0], bottom)
        else:
            parts.append((top, bottom))
    for k in range(len(parts) - 1, -1, -1):  # a stroke cut off alone belongs to the nearer neighbour
        if len(parts) > 1 and parts[k][1] - parts[k][0] < 0.5 * line:
            above = parts[k][0] - parts[k - 1][1] if k > 0 else None
            below = parts[k + 1][0] - parts[k][1] if k + 1 < len(parts) else None
            into = k - 1 if below is None or (above is not None and above <= below) else k + 1
            parts[into] = (min(parts[into][0], parts[k][0]), max(parts[into][1], parts[k][1]))
            del parts[k]
    out = []
    for top, bottom in parts:
        tight = _tight(ink[top:bottom], span.x0, span.y0 + top)
        if tight is not None:
            out.append(tight)
    return out
