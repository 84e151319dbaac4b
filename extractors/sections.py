"""Where each table of the form sits in a document's rows.

Headings are recognised by the section's title text (numerals vary: 二、 / 一、 / 1、),
never by the numeral alone: 四、结转下年度继续办理 is a row of 三, not section 四.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from extractors.document import Row
from extractors.fragments import split_line
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


@lru_cache(maxsize=65536)  # bounded: a long-lived worker sees the lines of thousands of documents
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
    """A reader's stop rule: true once section 四 (its heading, or its header rows when the
    heading is misprinted) has been followed by the 五/六 heading."""

    def __init__(self) -> None:
        self.seen_appeals = False

    def __call__(self, rows: list[Row]) -> bool:
        header = next((i for i, table in header_marks(rows) if table == "appeals"), None)  # a misprinted 四 heading
        for i, row in enumerate(rows):
            text = _heading_text(row)
            kind = heading_kind(text) if text else None
            if kind == "appeals" or i == header:
                self.seen_appeals = True
            elif kind == "end" and self.seen_appeals:
                return True
        return False


def header_marks(rows: list[Row]) -> list[tuple[int, str]]:
    """Where a table's own header starts: (row index, table). A header is the first row of a
    run of at most ``HEADER_REACH`` rows that prints ``HEADER_LABELS`` of the table's header
    labels no other table prints (行政复议 | 行政诉讼 | 结果维持 …), or a row that prints
    ``HEADER_LABELS_IN_ROW`` of them, so a table whose heading is misprinted or missing is still
    found. Flattened tables print one header cell per line: hence a run of rows."""
    found: list[tuple[int, str]] = []
    hits = [_header_hits(row) for row in rows]
    for table in TABLES:
        i = 0
        while i < len(rows):
            if table in hits[i]:
                seen: set[str] = set()
                for k in range(i, min(i + HEADER_REACH, len(rows))):
                    seen |= hits[k].get(table, set())
                if len(seen) >= HEADER_LABELS or len(hits[i][table]) >= HEADER_LABELS_IN_ROW:
                    found.append((i, table))
                    i += HEADER_REACH
                    continue
            i += 1
    return sorted(found)


HEADER_REACH = 16
HEADER_LABELS = 3
HEADER_LABELS_IN_ROW = 2  # 行政复议 | 行政诉讼 side by side (their result columns wrapped one character a line)


def _header_hits(row: Row) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    texts = [c.text for c in row.cells]
    if len(texts) == 1 and "|" in texts[0]:
        texts = split_line(texts[0])  # a table flattened to `a | b | c` lines
    for text in texts:
        for table, key in _owners(text):
            out.setdefault(table, set()).add(key)
    return out


@lru_cache(maxsize=65536)  # bounded: a long-lived worker sees every cell text of thousands of documents
def _owners(text: str) -> tuple[tuple[str, str], ...]:
    """(table, key) of a short header cell's text. Cached: the same cells recur on every row."""
    text = text.strip()
    if not text or len(text) > 16 or any(ch.isdigit() for ch in text):
        return ()
    return _own_columns().get(key_text(text), ())


@cache
def _own_columns() -> dict[str, tuple[tuple[str, str], ...]]:
    """Column and group labels (and, for 四, row labels) that only one table prints."""
    owners: dict[str, set[tuple[str, str]]] = {}
    for table in TABLES:
        spec = SCHEMA[table]
        items = list(spec.cols) + [c for g in spec.groups for c in g.cols]
        if table == "appeals":
            items += list(spec.rows)
        for item in items:
            for label in item.labels:
                owners.setdefault(key_text(label), set()).add((table, item.key))
            if item.group:  # 法人或其他组织, 行政诉讼: printed over their columns or rows
                owners.setdefault(key_text(item.group), set()).add((table, f"group:{item.group}"))
    return {text: tuple(o) for text, o in owners.items() if len({t for t, _ in o}) == 1 and len(text) >= 3}


def find_regions(rows: list[Row]) -> dict[str, Region]:
    """The region of each table found: from its heading, or from its own header rows when the
    heading is misprinted or missing, to the next heading or header of another table.

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
    headed = list(marks)
    for i, table in header_marks(rows):
        before = [m for m in headed if m[0] < i]
        if before and before[-1][1] == table:
            continue  # the header of the table whose heading is just above
        marks.append((i, table, ""))  # no heading text: the region starts at the header row itself
    marks.sort(key=lambda m: m[0])
    # The same table's title again before any other heading (a caption over a table
    # split across pages, "表二：主动公开政府信息情况") continues the region.
    marks = [m for n, m in enumerate(marks) if n == 0 or m[1] == "end" or m[1] != marks[n - 1][1]]
    regions: dict[str, Region] = {}
    for n, (i, kind, text) in enumerate(marks):
        if kind == "end":
            continue
        end = marks[n + 1][0] if n + 1 < len(marks) else len(rows)
        region = Region(kind, i + 1 if text else i, end, text or None)
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
