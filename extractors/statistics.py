"""The pre-2019 statistics table (政府信息公开情况统计表) → cells of table ``statistics``.

Why its own reader: the table has no fixed row order or row set (provinces add, drop and
rename indicators), one or two period columns (the year's figure, often a running total
beside it) and a unit column, so rows are placed by their labels alone, the period columns
by the table's own header, and nothing by position. A label the schema does not know, inside
the table, is kept as an extra row. Reports without the table fall back to their sentences
(``extractors.narrative``), flagged ``from_text``.
"""

from __future__ import annotations

import re
from functools import cache

from extractors.assemble import TableResult
from extractors.document import Row
from extractors.fragments import Token, to_units
from extractors.labels import key_text, match_label
from extractors.model import Cell, ExtraRow, Problem, TableInfo
from extractors.money import CANONICAL, MONEY_KINDS, TO_WAN, PrintedUnits, to_wan
from extractors.narrative import read_sentences
from extractors.schema import SCHEMA, Item, version_for_year
from extractors.values import clean, parse_value

TABLE = "statistics"
VERSION = SCHEMA[TABLE].versions[0]
UNITS = frozenset({"条", "件", "个", "人", "次", "人次", "篇", "项", "份", "家", "期", "场", "万元", "元", "千元"})
MIN_SCORE = 0.85  # a fuzzy label below this is not the indicator (no row order backs it up)
MAX_LABEL = 40  # longer label text is a sentence, not an indicator
MAX_VALUES = 3  # a row with more numbers is another table's
_YEAR_HEADER = re.compile(r"^(?:19|20)\d{2}年度?(?:统计数|数量|数)?$")
_PAREN_UNIT = re.compile(r"[(（](?:单位[:：])?(" + "|".join(sorted(UNITS, key=len, reverse=True)) + r")[)）]$")
_UNIT_WORD = re.compile(r"^(.*\S)\s+(" + "|".join(sorted(UNITS, key=len, reverse=True)) + r")$")  # 收到申请数 件
_OF_WHICH = re.compile(r"^(?:其中)[:：]?")
_BARE_FIGURE = re.compile(r"[\d.,，]+|[—–\-－/／]+")  # a line that is only a figure (or a dash for none)
_PADDED_CODE = re.compile(r"^0\d+$")  # 01, 07: an indicator's code, never a count as printed
_CODE_HEADERS = frozenset({"代码", "指标代码", "编号", "序号", "行次", "栏次", "代号"})  # a column of indicator numbers


def applies(year: int | None, regions: dict) -> bool:
    """The report is read as the statistics version: its year says so, or, with no year, its heading does."""
    return version_for_year(year) == VERSION or (year is None and TABLE in regions)


def read(rows: list[Row], year: int | None) -> TableResult:
    """The table wherever it is in the document; else the headline figures of its sentences."""
    evidence = [f"report year {year}"] if year is not None else ["the heading of the statistics table"]
    result = _read_table(rows)
    if result.cells:
        result.info = TableInfo(VERSION, evidence, sorted({c.page for c in result.cells if c.page}))
        return result
    found = read_sentences([r.text for r in rows], wrapped=any(r.page for r in rows))  # PDF lines: a page's width
    result.cells = [Cell(TABLE, key, "value", value, raw, ["from_text"]) for key, value, raw in found.figures]
    result.problems += [Problem("ambiguous_text", message, TABLE) for message in found.ambiguous]
    if result.cells:
        result.info = TableInfo(VERSION, [*evidence, "figures read from sentences"])
    return result


def _read_table(rows: list[Row]) -> TableResult:
    result = TableResult()
    periods: list[str] | None = None
    has_code = False
    seen: dict[str, int] = {}  # key → order it was read in (context for homonyms)
    extras: list[tuple[int, ExtraRow]] = []
    in_header = False
    for row in _regroup(rows):
        header = _header(row)
        if header is not None:
            if in_header and periods is not None:  # 本年 / 历年累计 printed one per line: one header
                header = ([*periods, *(p for p in header[0] if p not in periods)], has_code or header[1])
            periods, has_code = header
            in_header = True
            continue
        in_header = False
        for unit in to_units(row):
            if not unit.labels or not unit.values:
                continue
            label, printed_unit = _label(unit.labels)
            values = list(unit.values)
            if has_code and values:
                values = values[1:]  # the indicator's code (01, 02…) printed before its figures
            if not label or not any(clean(v.text) for v in values) or len(values) > MAX_VALUES:
                continue
            key = _match(label, seen)
            if key is not None and _PADDED_CODE.match(clean(values[0].text)):
                result.problems.append(
                    Problem(
                        "row_short",
                        f"indicator {key} begins with {values[0].text.strip()}, a code no header names; none recorded",
                        TABLE,
                    )
                )
                continue
            if key is None:
                if len(key_text(label)) <= MAX_LABEL and (periods is not None or seen):
                    extras.append((len(seen), ExtraRow(TABLE, label, [v.text for v in values], unit.page)))
                continue
            if key in seen:
                result.problems.append(Problem("row_repeated", f"indicator {key} printed twice; first kept", TABLE))
                continue
            seen[key] = len(seen)
            _cells(key, values, periods, printed_unit, unit.page, result)
    result.extra_rows = [extra for after, extra in extras if 0 < after < len(seen)]  # inside the table only
    return result


def _regroup(rows: list[Row]) -> list[Row]:
    """A table flattened one cell per line (<p> per cell, a text export): an indicator's label line,
    its unit line and its figure lines become one row again. Blank cells leave no line, so a row
    whose figures are fewer than its period columns is reported short, never shifted."""
    out: list[Row] = []
    i = 0
    while i < len(rows):
        row = rows[i]
        j = i + 1
        if _single(row) and _is_indicator(row.cells[0].text):
            cells = [row.cells[0]]
            while j < len(rows) and _single(rows[j]) and len(cells) <= MAX_VALUES + 1:
                text = clean(rows[j].cells[0].text)
                if not (_BARE_FIGURE.fullmatch(text) or (text in UNITS and len(cells) == 1)):
                    break
                cells.append(rows[j].cells[0])
                j += 1
            if len(cells) > 1:
                out.append(Row(cells, row.page, grid=True, table_start=row.table_start))
                i = j
                continue
        out.append(row)
        i += 1
    return out


def _single(row: Row) -> bool:
    return len(row.cells) == 1 and not row.grid


def _is_indicator(text: str) -> bool:
    label = clean(text)
    return (
        bool(label)
        and not _BARE_FIGURE.fullmatch(label)
        and label not in UNITS
        and (_probe(label) in _by_label() or _match(label, {}) is not None)
    )


def _header(row: Row) -> tuple[list[str], bool] | None:
    """The period columns a header row names, in printed order, and whether it has a code column."""
    texts = [c.text for c in row.cells] if row.grid or len(row.cells) > 1 else re.split(r"[|\s]+", row.text)
    periods: list[str] = []
    has_code = False
    before = False  # a column (the label's, the unit's) printed before this one
    for text in texts:
        probe = clean(text)
        if not probe:
            continue
        if any(ch.isdigit() for ch in probe) and not _YEAR_HEADER.match(probe):
            if probe.isdigit():
                continue  # 甲 乙 丙 1 2: the column numbering line
            return None
        if probe in _CODE_HEADERS:
            has_code = has_code or before  # 序号 before the label is not among the figures
            continue
        before = True
        m = match_label(text, TABLE, "cols")
        col = "value" if _YEAR_HEADER.match(probe) else (m.key if m is not None and m.score >= 0.9 else None)
        if col is not None and col not in periods:
            periods.append(col)
    return (periods, has_code) if periods else None


def _label(tokens: list[Token]) -> tuple[str, str | None]:
    """The indicator label nearest the figures and the unit printed in its own cell or brackets."""
    unit = None
    labels = []
    for tok in tokens:
        text = clean(tok.text)
        if text in UNITS:
            unit = text
        elif text:
            spaced = _UNIT_WORD.match(tok.text.strip())
            if spaced:
                unit = spaced[2]
            labels.append(spaced[1] if spaced else tok.text)
    label = labels[-1] if labels else ""
    bracket = _PAREN_UNIT.search(clean(label))
    if bracket:
        unit = unit or bracket[1]
        label = clean(label)[: bracket.start()]
    return label, unit


@cache
def _items() -> dict[str, Item]:
    return {r.key: r for r in SCHEMA[TABLE].rows}


@cache
def _by_label() -> dict[str, tuple[str, ...]]:
    """Normalised label → every key printed with it (被依法纠错数 is both reviews' and lawsuits')."""
    out: dict[str, list[str]] = {}
    for item in _items().values():
        for label in item.labels:
            out.setdefault(key_text(label), []).append(item.key)
    return {label: tuple(dict.fromkeys(keys)) for label, keys in out.items()}


def _probe(label: str) -> str:
    return key_text(_OF_WHICH.sub("", key_text(label)))


def _match(label: str, seen: dict[str, int]) -> str | None:
    probe = _probe(label)
    if len(probe) > MAX_LABEL:
        return None
    keys = _by_label().get(probe)
    if keys is None:
        m = match_label(probe, TABLE)
        if m is None or m.score < MIN_SCORE:
            return None
        keys = next((k for k in _by_label().values() if m.key in k and len(k) > 1), (m.key,))
    return keys[0] if len(keys) == 1 else _by_context(keys, seen)


def _by_context(keys: tuple[str, ...], seen: dict[str, int]) -> str | None:
    """Of indicators printed with the same label, the one whose parent (or a sibling) was read last."""
    parent_of = {label: k for k, item in _items().items() for label in item.labels}
    last = {}
    for key in keys:
        group = _items()[key].group
        family = [parent_of.get(group or "")] + [k for k, item in _items().items() if group and item.group == group]
        last[key] = max((seen[k] for k in family if k in seen), default=-1)
    best = max(last.values())
    winners = [k for k, v in last.items() if v == best]
    return winners[0] if best >= 0 and len(winners) == 1 else None


def _cells(
    key: str,
    values: list[Token],
    periods: list[str] | None,
    printed_unit: str | None,
    page: int | None,
    result: TableResult,
) -> None:
    item = _items()[key]
    while len(values) > 1 and not clean(values[-1].text) and len(values) > len(periods or ["value"]):
        values.pop()
    cols = periods or (["value"] if len(values) == 1 else [])
    if len(values) != len(cols):
        which = ", ".join(cols) or "(no header says which)"
        result.problems.append(
            Problem(
                "row_short",
                f"indicator {key} prints {len(values)} figures ({' '.join(v.text for v in values)}) for "
                f"the columns {which}; none recorded",
                TABLE,
                [page] if page else None,
            )
        )
        return
    for col, tok in zip(cols, values):
        parsed = parse_value(tok.text, item.kind, item.unit)
        cell = Cell(TABLE, key, col, parsed.value, tok.text.strip(), parsed.flags, page, parsed.unit)
        if item.kind in MONEY_KINDS:
            row_unit = printed_unit if printed_unit in TO_WAN else None
            cell = to_wan(cell, item.unit or CANONICAL, PrintedUnits(rows={key: row_unit} if row_unit else {}))
        result.cells.append(cell)
