"""Where each table of the form sits in a document's rows.

Headings are recognised by the section's title text (numerals vary: 二、 / 一、 / 1、),
never by the numeral alone: 四、结转下年度继续办理 is a row of 三, not section 四.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from extractors.document import Row
from extractors.labels import key_text
from extractors.schema import SCHEMA, TABLES

_END = re.compile(r"(存在的?主要问题|存在问题|改进情况|其他需要报告|需要报告的|其它需要报告)")
_MAX_HEADING = 48


@dataclass
class Region:
    table: str
    start: int  # index of the first row after the heading (or of the first row when no heading)
    end: int
    heading: str | None

    def rows(self, rows: list[Row]) -> list[Row]:
        return rows[self.start : self.end]


def _heading_text(row: Row) -> str | None:
    texts = [c.text for c in row.cells if c.text.strip()]
    if len(texts) != 1:
        return None
    text = texts[0]
    return text if len(text) <= _MAX_HEADING else None


@cache
def heading_kind(text: str) -> str | None:
    """Which table (or "end" for 五/六) a short heading line opens, if any.

    Cached: the PDF reader's stop rule and the section finder ask about the same lines."""
    probe = key_text(text)
    if not probe or any(ch.isdigit() for ch in probe):
        return None  # headings carry no figures; "…主动公开政府信息1136条" is a sentence
    for table in TABLES:
        for title in SCHEMA[table].titles:
            title_key = key_text(title)
            if probe.startswith(title_key) or (title_key in probe and len(probe) <= len(title_key) + 8):
                return table
    if _END.search(probe) and len(probe) <= 30:
        return "end"
    return None


class PastLastTable:
    """A reader's stop rule: true once section 四 has been followed by the 五/六 heading."""

    def __init__(self) -> None:
        self.seen_appeals = False

    def __call__(self, rows: list[Row]) -> bool:
        for row in rows:
            text = _heading_text(row)
            kind = heading_kind(text) if text else None
            if kind == "appeals":
                self.seen_appeals = True
            elif kind == "end" and self.seen_appeals:
                return True
        return False


def find_regions(rows: list[Row]) -> dict[str, Region]:
    """The region of each table found: from its heading to the next heading of any kind.

    When a table's title occurs more than once (an introduction that lists the sections,
    a narrative sub-heading), the last heading before the tables start wins: regions are
    scored by how many rows they hold.
    """
    marks: list[tuple[int, str, str]] = []
    for i, row in enumerate(rows):
        text = _heading_text(row)
        if text is None:
            continue
        kind = heading_kind(text)
        if kind is not None:
            if marks and marks[-1][1] == kind and marks[-1][0] == i - 1:
                continue  # a heading over two lines, or the table header repeating it
            marks.append((i, kind, text))
    # The same table's title again before any other heading (a caption over a table
    # split across pages, "表二：主动公开政府信息情况") continues the region.
    marks = [m for n, m in enumerate(marks) if n == 0 or m[1] == "end" or m[1] != marks[n - 1][1]]
    regions: dict[str, Region] = {}
    for n, (i, kind, text) in enumerate(marks):
        if kind == "end":
            continue
        end = marks[n + 1][0] if n + 1 < len(marks) else len(rows)
        region = Region(kind, i + 1, end, text)
        best = regions.get(kind)
        if best is None or _weight(rows, region) >= _weight(rows, best):
            regions[kind] = region
    return regions


def _weight(rows: list[Row], region: Region) -> int:
    """Rows with at least one cell that is not prose: tables, not paragraphs."""
    count = 0
    for row in rows[region.start : region.end]:
        if row.grid or len(row.cells) > 1 or len(row.text) < 40:
            count += 1
    return count


def uncovered(rows: list[Row], regions: dict[str, Region]) -> list[Row]:
    """Rows outside every located region and before the 五/六 end: where a table whose
    heading is missing (an excerpt, a flattened page) may still be found."""
    covered = set()
    for region in regions.values():
        covered.update(range(region.start - 1, region.end))
    return [row for i, row in enumerate(rows) if i not in covered]
