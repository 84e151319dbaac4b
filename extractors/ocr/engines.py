"""OCR engines behind one call: an upright grayscale page → text boxes in pixels.

RapidOCR (PaddleOCR's models as ONNX, shipped inside its wheel) is what ogi reads with;
Tesseract (chi_sim, from Debian) is kept only so ``benchmarks/ocr.py`` can show the
choice on numbers. Neither touches the network.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from itertools import pairwise

import numpy as np


@dataclass(frozen=True, slots=True)
class Box:
    text: str
    x0: float
    y0: float  # top, pixels, y down
    x1: float
    y1: float
    score: float = 1.0


DET_SIDE = int(os.environ.get("OGI_OCR_DET_SIDE", "1280"))


@cache
def _rapid():
    from rapidocr import RapidOCR

    threads = int(os.environ.get("OGI_OCR_THREADS", "1"))  # batch runs use one process per core
    return RapidOCR(
        params={
            "Global.log_level": "error",
            "Global.use_cls": False,  # the page is turned upright by its rulings first
            "EngineConfig.onnxruntime.intra_op_num_threads": threads,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            # Lines are found on a page scaled to DET_SIDE; each line is read from the full page.
            "Det.limit_type": "max",
            "Det.limit_side_len": DET_SIDE,
            # Most crops are short numbers: pad them to 96 px, not 320 (a third of the work).
            "Rec.rec_img_shape": [3, 48, 96],
            "Rec.rec_batch_num": 16,
        }
    )


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


def rapidocr_boxes(gray: np.ndarray, verticals: list[tuple[float, float, float]]) -> list[Box]:
    """Detect and recognise text lines; a line the detector ran across a vertical ruling
    (two cells' text in one box) is recognised again piece by piece."""
    engine = _rapid()
    result = engine(np.dstack([gray] * 3), use_det=True, use_cls=False, use_rec=True)  # flags persist between calls
    if getattr(result, "boxes", None) is None:  # nothing detected (RapidOCR then answers without boxes)
        return []
    out: list[Box] = []
    for quad, text, score in zip(result.boxes, result.txts, result.scores):
        xs, ys = [p[0] for p in quad], [p[1] for p in quad]
        box = Box(text, float(min(xs)), float(min(ys)), float(max(xs)), float(max(ys)), float(score))
        cuts = sorted(x for x, y0, y1 in verticals if box.x0 + 4 < x < box.x1 - 4 and y0 <= (box.y0 + box.y1) / 2 <= y1)
        if not cuts or box.y1 - box.y0 > box.x1 - box.x0:
            out.append(box)
            continue
        edges = [box.x0] + cuts + [box.x1]
        for left, right in pairwise(edges):
            piece = gray[int(box.y0) : int(box.y1) + 1, int(left) + 2 : max(int(right) - 1, int(left) + 3)]
            if piece.size == 0 or piece.min() > 160:
                continue  # paper only
            again = engine(np.dstack([piece] * 3), use_det=False, use_cls=False, use_rec=True)
            if again.txts and again.txts[0].strip():
                out.append(Box(again.txts[0], left + 2, box.y0, right - 1, box.y1, float(again.scores[0])))
    return out


def tesseract_boxes(gray: np.ndarray, verticals: list[tuple[float, float, float]]) -> list[Box]:
    """Tesseract's words (sparse-text mode: a table is not a paragraph)."""
    import cv2

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
