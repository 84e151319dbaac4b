"""OCR engines behind one call: an upright grayscale page → text boxes in pixels.

RapidOCR's recognition model (PaddleOCR's, as ONNX, shipped inside its wheel) is what ogi
reads with, on the boxes ``segment`` finds;
Tesseract (chi_sim, from Debian) is kept only so ``benchmarks/ocr.py`` can show the
choice on numbers. Neither touches the network.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache

import numpy as np

from extractors.ocr import grid, segment
from extractors.ocr.grid import Rulings
from extractors.ocr.recognise import Reading, recogniser


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
_NUMBER = re.compile(r"\d[\d.,]*")
_SPACED_NUMBERS = re.compile(r"^\d[\d.,]*(?: +\d[\d.,]*)+$")


def rapidocr_boxes(gray: np.ndarray, found: Rulings) -> list[Box]:
    """Runs of ink found between the rulings (``segment``), read by RapidOCR's recognition model."""
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
            boxes.extend(b for part, r in lines for b in _boxes(part, r, line))
        else:
            boxes.extend(_boxes(span, whole, line))
    return [b for b in boxes if b.text.strip()]


def _one_character(reading: Reading) -> bool:
    """A large character with its mark (三、), read with confidence: not lines of small text."""
    core = [ch for ch in reading.text if ch.isalnum()]
    return len(core) == 1 and reading.score >= 0.8


def _boxes(span: segment.Span, reading: Reading, line: float) -> list[Box]:
    """The box read, or one box per number where it reads as numbers set apart by spaces: in a
    table without ruling lines, 13612 and 252 of neighbouring columns are one run of ink, and
    read as one number they would be the wrong 13612252. Each number is placed where the model
    read its characters."""
    text = reading.text.strip()
    if text == "一" and 3 * span.height <= span.width:
        # A bar alone: the dash a cell prints for none, not the character 一 (one), which it looks like.
        reading = Reading("—", reading.score, reading.at)
    if not _SPACED_NUMBERS.match(text) or len(reading.at) != len(reading.text):
        return [Box(reading.text, float(span.x0), float(span.y0), float(span.x1), float(span.y1), reading.score)]
    left = span.x0 - 1 - _margins(span, line)[0]  # where the crop starts
    width = span.width + 2 + 2 * _margins(span, line)[0]
    offset = len(reading.text) - len(reading.text.lstrip())
    numbers = list(_NUMBER.finditer(text))
    centres = [left + width * f for f in reading.at[offset : offset + len(text)]]
    out = []
    for k, number in enumerate(numbers):
        x0 = span.x0 if k == 0 else (centres[numbers[k - 1].end() - 1] + centres[number.start()]) / 2
        x1 = span.x1 if k == len(numbers) - 1 else (centres[number.end() - 1] + centres[numbers[k + 1].start()]) / 2
        out.append(Box(number.group(), float(x0), float(span.y0), float(x1), float(span.y1), reading.score))
    return out


def _margins(span: segment.Span, line: float) -> tuple[int, int]:
    """White added across and down around a crop, from its height (at least most of a line)."""
    height = max(span.height + 2, round(0.8 * line))
    across, down = (max(2, round(f * height)) for f in MARGIN)
    return across, down


def _crop(gray: np.ndarray, span: segment.Span, line: float) -> np.ndarray:
    """The span with a pixel of its own edge and a white margin, at least most of a line
    high: a dash or a small digit keeps its size beside the text the model learnt from."""
    piece = gray[max(span.y0 - 1, 0) : span.y1 + 1, max(span.x0 - 1, 0) : span.x1 + 1]
    height = max(piece.shape[0], round(0.8 * line))
    across, down = _margins(span, line)
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
