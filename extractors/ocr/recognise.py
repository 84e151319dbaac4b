"""Text boxes → their text, with RapidOCR's recognition model (PP-OCR, ONNX, in its wheel).

Why our own loop around the model rather than RapidOCR's pipeline: the boxes come from the
rulings and the ink (``segment``), so only recognition is needed; crops of similar width
go through the model together (one ONNX Runtime call per batch, little padding); and the
model's per-character probabilities are kept, so a box that reads as a number can be
decoded again with only digits (and the point) allowed (a thin 1 read as l, 0 as O).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path

import numpy as np

MODEL = "PP-OCRv6_rec_small.onnx"
HEIGHT = 48  # the model's input height
STRIDE = 8  # input pixels per output step
MAX_BATCH = 32
WIDEST_RATIO = 1.3  # crops in one batch differ in width by at most this factor (padding is wasted work)
NUMERIC = frozenset("0123456789.")
# What a digit is misread as: a box of digits and only these is decoded again as digits
# (not dashes: a dash in a cell of the form is a placeholder, and must stay one).
LOOKALIKES = frozenset("lIi|!丨oOQD〇口sSzZbBgq")
SURE_ENOUGH = 0.1  # the digits' own mean probability a reading as digits needs (a letter O's 0 has it, a 口 not)


@dataclass(frozen=True, slots=True)
class Reading:
    text: str
    score: float  # mean probability of the characters read (1.0 when nothing was read)
    at: tuple[float, ...] = ()  # each character's centre, as a share of the crop's width


@dataclass
class Recogniser:
    session: object
    characters: list[str]  # index 0 is CTC's blank
    digits: np.ndarray  # indices of blank, 0-9 and the decimal point

    def read(self, crops: list[np.ndarray]) -> list[Reading]:
        """Grayscale crops (text on white, any size) → readings, in order."""
        inputs = [_resized(c) for c in crops]
        order = sorted(range(len(inputs)), key=lambda i: inputs[i].shape[2])
        out: list[Reading | None] = [None] * len(inputs)
        start = 0
        while start < len(order):
            end = start + 1
            first = inputs[order[start]].shape[2]
            while end < len(order) and end - start < MAX_BATCH and inputs[order[end]].shape[2] <= first * WIDEST_RATIO:
                end += 1
            batch = order[start:end]
            width = max(inputs[i].shape[2] for i in batch)
            x = np.zeros((len(batch), 3, HEIGHT, width), np.float32)  # padding: 0, as the model was trained
            for row, i in enumerate(batch):
                x[row, :, :, : inputs[i].shape[2]] = inputs[i]
            probs = self.session.run(None, {self.session.get_inputs()[0].name: x})[0]
            steps = probs.shape[1]
            best = probs.argmax(axis=2)
            for row, i in enumerate(batch):
                used = min(steps, math.ceil(inputs[i].shape[2] * steps / width) + 1)
                step = width / steps / inputs[i].shape[2]  # one output step, as a share of the crop
                out[i] = self._decode(probs[row, :used], best[row, :used], step)
            start = end
        return out  # type: ignore[return-value]

    def _decode(self, probs: np.ndarray, best: np.ndarray, step: float) -> Reading:
        reading = _greedy(best, probs[np.arange(len(best)), best], self.characters, step)
        text = reading.text.strip()
        if text and any(ch in LOOKALIKES for ch in text) and all(ch in NUMERIC or ch in LOOKALIKES for ch in text):
            sub = probs[:, self.digits]
            picked = sub.argmax(axis=1)
            digits = _greedy(self.digits[picked], sub[np.arange(len(picked)), picked], self.characters, step)
            if digits.text and digits.score >= SURE_ENOUGH:
                return digits
        return reading


def _greedy(best: np.ndarray, probability: np.ndarray, characters: list[str], step: float) -> Reading:
    """CTC best path (each step's class and its probability): repeats merged, blanks dropped."""
    chars, scores, at = [], [], []
    previous = -1
    for t, (k, p) in enumerate(zip(best.tolist(), probability.tolist())):
        if k != previous and k != 0:
            chars.append(characters[k])
            scores.append(p)
            at.append((t + 0.5) * step)
        previous = k
    return Reading("".join(chars), float(np.mean(scores)) if scores else 1.0, tuple(at))


def _resized(crop: np.ndarray) -> np.ndarray:
    """A crop → the model's input: 48 px high, its own width, three channels in [-1, 1]."""
    import cv2

    height, width = crop.shape[:2]
    new_width = max(STRIDE * 2, math.ceil(HEIGHT * width / max(height, 1)))
    interpolation = cv2.INTER_CUBIC if height < HEIGHT else cv2.INTER_AREA  # small type is enlarged smoothly
    resized = cv2.resize(crop, (new_width, HEIGHT), interpolation=interpolation)
    normalised = resized.astype(np.float32) / 127.5 - 1.0
    return np.broadcast_to(normalised, (3, HEIGHT, new_width))


def model_path() -> Path:
    """The model inside RapidOCR's installed package (found without importing RapidOCR's pipeline)."""
    spec = find_spec("rapidocr")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("rapidocr is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "models" / MODEL


@cache
def recogniser() -> Recogniser:
    """One session per process, its threads from ``OGI_OCR_THREADS`` (batch runs: one process per core)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = int(os.environ.get("OGI_OCR_THREADS", "1"))
    options.inter_op_num_threads = 1
    options.log_severity_level = 4
    options.enable_cpu_mem_arena = False
    session = ort.InferenceSession(str(model_path()), options, providers=["CPUExecutionProvider"])
    characters = ["blank", *session.get_modelmeta().custom_metadata_map["character"].splitlines(), " "]
    digits = np.array([0] + [characters.index(d) for d in "0123456789."])
    return Recogniser(session, characters, digits)
