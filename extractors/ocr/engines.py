"""OCR engines behind one call: an upright grayscale page → text boxes in pixels.

RapidOCR's recognition model (PaddleOCR's, as ONNX, shipped inside its wheel) is what ogi
reads with, on the boxes ``segment`` finds;
Tesseract (chi_sim, from Debian) is kept only so ``benchmarks/ocr.py`` can show the
choice on numbers. Neither touches the network.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from functools import cache

import numpy as np

from extractors.ocr import grid, segment
from extractors.ocr.grid import Rulings


@dataclass(frozen=True, slots=True)
class Box:
    text: str
    x0: float
    y0: float  # top, pixels, y down
    x1: float
    y1: float
    score: float = 1.0


@cache
def rapidocr_available() -> bool:
    """Installed, without importing it (a text-layer PDF must not pay for loading ONNX Runtime)."""
    from importlib.util import find_spec

    return find_spec("rapidocr") is not None and find_spec("onnxruntime") is not None


@cache
def tesseract_available() -> bool:
    if shutil.which("tesseract") is None:
        return False
    langs = subprocess.run(
        ["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30, check=False
    ).stdout
    return "chi_sim" in langs.split()


MARGIN = (0.3, 0.2)  # white added around a crop, × its height: across, down (the model saw text with some paper)


def rapidocr_boxes(gray: np.ndarray, found: Rulings) -> list[Box]:
    """Runs of ink found between the rulings (``segment``), read by RapidOCR's recognition model."""
    from extractors.ocr.recognise import recogniser

    text = segment.text_only(gray, found.mask)
    spans, line = segment.text_spans(text, found.glyph or grid.glyph_height(text), found.mask)
    if not spans:
        return []
    clean = gray.copy()
    if found.mask is not None:
        clean[found.mask > 0] = 255  # a line touching a crop's edge is not a character
    crops = [_crop(clean, part, line) for s in spans for part in (s, *s.lines)]
    readings = iter(recogniser().read(crops))
    boxes: list[Box] = []
    for span in spans:
        whole = next(readings)
        lines = [(part, next(readings)) for part in span.lines]
        if lines and not _one_character(whole):
            boxes.extend(_box(part, r) for part, r in lines)
        else:
            boxes.append(_box(span, whole))
    return [b for b in boxes if b.text.strip()]


def _one_character(reading) -> bool:
    """A large character with its mark (三、), read with confidence: not lines of small text."""
    core = [ch for ch in reading.text if ch.isalnum()]
    return len(core) == 1 and reading.score >= 0.8


def _box(span: segment.Span, reading) -> Box:
    return Box(reading.text, float(span.x0), float(span.y0), float(span.x1), float(span.y1), reading.score)


def _crop(gray: np.ndarray, span: segment.Span, line: float) -> np.ndarray:
    """The span with a pixel of its own edge and a white margin, at least most of a line
    high: a dash or a small digit keeps its size beside the text the model learnt from."""
    piece = gray[max(span.y0 - 1, 0) : span.y1 + 1, max(span.x0 - 1, 0) : span.x1 + 1]
    height = max(piece.shape[0], round(0.8 * line))
    across, down = (max(2, round(f * height)) for f in MARGIN)
    top = down + (height - piece.shape[0]) // 2
    bottom = down + height - piece.shape[0] - (height - piece.shape[0]) // 2
    return np.pad(piece, ((top, bottom), (across, across)), constant_values=255)


def tesseract_boxes(gray: np.ndarray, found: Rulings) -> list[Box]:
    """Tesseract's words (sparse-text mode: a table is not a paragraph) on the page with its lines erased."""
    import cv2

    gray = _without_rulings(gray, found)

    ok, png = cv2.imencode(".png", gray)
    if not ok:
        return []
    done = subprocess.run(
        ["tesseract", "stdin", "stdout", "-l", "chi_sim", "--psm", "11", "tsv"],
        input=png.tobytes(),
        capture_output=True,
        timeout=120,
        check=True,
    )
    out: list[Box] = []
    for line in done.stdout.decode("utf-8", "replace").splitlines()[1:]:
        parts = line.split("\t")
        if len(parts) < 12 or parts[0] != "5" or not parts[11].strip():
            continue
        left, top, width, height = map(float, parts[6:10])
        out.append(Box(parts[11].strip(), left, top, left + width, top + height, float(parts[10]) / 100))
    return out


ENGINES = {"rapidocr": rapidocr_boxes, "tesseract": tesseract_boxes}


def _without_rulings(gray: np.ndarray, found: Rulings) -> np.ndarray:
    """The page with its ruling lines painted white (Tesseract reads lines as characters)."""
    out = gray.copy()
    for y, x0, x1 in found.horizontal:
        out[max(int(y) - 3, 0) : int(y) + 4, int(x0) : int(x1) + 1] = 255
    for x, y0, y1 in found.vertical:
        out[int(y0) : int(y1) + 1, max(int(x) - 3, 0) : int(x) + 4] = 255
    return out
