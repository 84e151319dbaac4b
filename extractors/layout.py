"""Positioned text → lines and columns: the one line grouper and the one column placer.

Why one module: the PDF reader groups characters into lines and cells into rows, and
assembly places a row's numbers under its column headers; each did it with its own
copy and its own numbers. The tolerances live in one named, frozen settings object
(as pdfplumber's ``TableSettings``), so a tuning is one visible change.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Protocol, Sequence, TypeVar

from extractors.values import clean


@dataclass(frozen=True)
class PdfSettings:
    """Tolerances for reading positioned text (points or fractions of a glyph's height)."""

    line_tolerance: float = 0.45  # × first glyph's height: centres this close are one line
    word_gap: float = 0.75  # × the line's median glyph size: a wider gap starts a new word
    digit_gap: float = 0.3  # × the same: two digits this far apart are two numbers (a space's width)
    snap: float = 2.0  # points: ruling lines closer than this are one line
    ruling_slack: float = 0.5  # points: a vertical ruling this far outside a gap between two glyphs still cuts it
    max_cell_chars: int = 80  # more text than this in one "cell" means a page frame, not a form cell
    broken_box_height: float = 40.0  # points: a taller character box is a broken font box (WPS PDFs)
    glyph_half_height: float = 6.0  # points: half the height given to a character whose box was broken
    column_reach: float = 0.6  # × the median gap between column centres: how far a value may sit from its column
    page_margin_bottom: float = 0.1  # a lone number below this share of the page height is a page number
    page_margin_top: float = 0.93  # … or above this share


PDF_SETTINGS = PdfSettings()


class Boxed(Protocol):
    x0: float
    bottom: float
    top: float


B = TypeVar("B", bound=Boxed)


def group_lines(items: Sequence[B], tolerance: float = PDF_SETTINGS.line_tolerance) -> list[list[B]]:
    """Items → lines, top to bottom, each left to right as sorted: an item joins the current line
    when its vertical centre is within ``tolerance`` × the height of the line's first item."""
    lines: list[list[B]] = []
    centre = reach = 0.0
    for item in sorted(items, key=lambda i: (-(i.bottom + i.top) / 2, i.x0)):
        mid = (item.bottom + item.top) / 2
        if lines and abs(mid - centre) <= reach:
            lines[-1].append(item)
        else:
            lines.append([item])
            centre, reach = mid, max(item.top - item.bottom, 1.0) * tolerance
    return lines


class Placed(Protocol):
    text: str
    x0: float | None
    x1: float | None


P = TypeVar("P", bound=Placed)


def place_in_columns(
    values: Sequence[P], centers: Sequence[float], reach: float = PDF_SETTINGS.column_reach
) -> list[P | None] | None:
    """Each non-blank value under the column whose centre is nearest its own (None where no value
    sits), or None when a value sits between columns or two sit under one: then which column a
    number belongs to cannot be told, and nothing is placed. Every value must carry its position."""
    gaps = [b - a for a, b in zip(centers, centers[1:])]
    limit = statistics.median(gaps) * reach if gaps else float("inf")
    slots: list[P | None] = [None] * len(centers)
    for value in values:
        if not clean(value.text):
            continue
        mid = (value.x0 + value.x1) / 2  # type: ignore[operator]
        k = min(range(len(centers)), key=lambda i: abs(centers[i] - mid))
        if abs(centers[k] - mid) > limit or slots[k] is not None:
            return None
        slots[k] = value
    return slots
