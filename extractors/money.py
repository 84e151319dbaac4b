"""Money cells in one unit, 万元, converted from the unit the report itself prints.

Why here and not in ``values``: a cell's unit may be printed in the cell (``251000元``), in its
column header (``采购总金额（元）``), in the row label, or once for the whole table
(``单位：万元``); only the table region knows all four. The form fixes 万元 for fees
(``本年收费金额（单位：万元）``) but prints no unit for procurement, so a procurement amount
with no unit anywhere cannot be scaled: it is left null and flagged ``unit_unknown``, its raw
text kept. A value is never loaded at a guessed scale.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from decimal import Decimal

from extractors.document import Row
from extractors.labels import match_label
from extractors.model import Cell

CANONICAL = "万元"
TO_WAN = {
    "元": Decimal("0.0001"),
    "千元": Decimal("0.1"),
    "万元": Decimal(1),
    "百万元": Decimal(100),
    "亿元": Decimal(10000),
}
MONEY_KINDS = ("decimal", "amount")
_UNIT = r"(百万元|万元|千元|亿元|元)"
_BRACKETED = re.compile(r"[（(]\s*(?:金额)?(?:单位)?\s*[:：]?\s*" + _UNIT + r"\s*[)）]")
_NOTE = re.compile(r"^[（(]?\s*(?:金额)?单位\s*[:：]\s*" + _UNIT + r"\s*[)）]?$")


@dataclass
class PrintedUnits:
    """Units a table region prints outside its cells."""

    columns: dict[str, str] = field(default_factory=dict)  # column key → unit in its header
    rows: dict[str, str] = field(default_factory=dict)  # row key → unit in its label
    table: str | None = None  # a note such as 单位：万元 for the whole table


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def printed_units(rows: list[Row], table: str) -> PrintedUnits:
    """Every unit printed in a header, a row label or a table note of the region."""
    found = PrintedUnits()
    for row in rows:
        for cell in row.cells:
            text = _norm(cell.text)
            if not text or "元" not in text:
                continue
            note = _NOTE.match(text)
            if note:
                found.table = found.table or note[1]
                continue
            unit = _BRACKETED.search(text)
            if not unit:
                continue
            label = text[: unit.start()] + text[unit.end() :]
            for kind, into in (("cols", found.columns), ("rows", found.rows)):
                m = match_label(label, table, kind)
                if m is not None and m.score >= 0.9:
                    into.setdefault(m.key, unit[1])
    return found


def to_wan(cell: Cell, form_unit: str | None, printed: PrintedUnits) -> Cell:
    """The cell with its value in 万元, or null with ``unit_unknown``; raw text and flags kept."""
    if cell.value is None:
        return cell
    unit, source = cell.unit, "cell"  # printed in the cell itself wins
    for candidate, where in (
        (printed.columns.get(cell.col), "header"),
        (printed.rows.get(cell.row), "row_label"),
        (printed.table, "table_note"),
        (form_unit, "form"),
    ):
        if unit is not None:
            break
        unit, source = candidate, where
    if unit is None:
        if cell.value == 0:
            return replace(cell, value=0.0, unit=CANONICAL)  # nought is nought in any unit
        return replace(cell, value=None, unit=None, flags=[*cell.flags, "unit_unknown"])
    value = float(Decimal(str(cell.value)) * TO_WAN[unit])
    flags = list(cell.flags)
    if unit != CANONICAL:
        flags.append(f"converted_from:{unit}")
        if source != "cell":
            flags.append(f"unit_from:{source}")
    return replace(cell, value=value, unit=CANONICAL, flags=flags)
