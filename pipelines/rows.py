"""Pure functions from one extracted report (``Report.to_dict()``) to the rows of each table.

Why pure and per report: the loader streams reports partition by partition and the
same report must always give the same rows (reruns are byte-for-byte identical).
Which columns exist is decided by ``pipelines.tables`` (from the form schema), never here.
"""

from __future__ import annotations

import hashlib
from functools import cache
from operator import itemgetter
from typing import Any, Sequence

from extractors.core import core_values
from extractors.jurisdictions import current_code, lookup
from extractors.schema import CORE_KEYS, FORM_VERSIONS, SCHEMA
from extractors.summary import table_cells
from pipelines.tables import APPEALS, PROACTIVE, REQUESTS, STATISTICS, TABLES, column_name

Row = dict[str, Any]

_ROW_ORDER = {r.key: i for i, r in enumerate(SCHEMA["requests"].rows)}
_ROW_LABEL = {r.key: r.label for r in SCHEMA["requests"].rows}
_INT_COLUMNS = {
    spec.name: {c.name for c in spec.columns if str(c.type) == "int64"}
    for spec in (REQUESTS, PROACTIVE, APPEALS, STATISTICS)
}


def report_id(jurisdiction_code: str | None, organ: str, year: int) -> str:
    """Stable across runs and documents: the same organ's report for the same year has one id."""
    key = f"{jurisdiction_code or ''}|{organ}|{year}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def organ_across_renames(organ: str, code: str | None) -> str:
    """The organ under today's name of its jurisdiction (凤翔县人民政府 → 凤翔区人民政府), so one organ
    keeps one key through a rename; the printed name stays in ``issuing_body``."""
    current = current_code(code)
    if not code or not current or current == code:
        return organ
    old, new = lookup(code), lookup(current)
    if old and new and old.name != new.name and organ.startswith(old.name):
        return new.name + organ[len(old.name) :]
    return organ


def organ_key(issuing_body: str | None, fallback: str | None) -> str:
    """The publishing organ, whitespace removed (titles often break it over two lines)."""
    for name in (issuing_body, fallback):
        if name and "".join(name.split()):
            return "".join(name.split())
    return "unknown"


def form_version(report: dict[str, Any], table: str) -> str | None:
    info = report.get("tables", {}).get(table)
    return info.get("form_version") if info else None


def _number(value: Any, integer: bool) -> int | float | None:
    if value is None:
        return None
    if integer:
        if type(value) is int:  # what a count is: no float made to ask
            return value
        return int(value) if float(value).is_integer() else None
    return float(value)


_CELL_FIELDS = itemgetter("table", "row", "col", "value", "raw", "unit", "flags", "page")
CELL_COLUMNS = ("table_key", "row_key", "col_key", "form_version", "value", "raw", "unit", "flags", "page", "row_label")


def cell_columns(report: dict[str, Any], base: Row, out: dict[str, list]) -> None:
    """Every printed cell, then every added row's cells (``row_key='extra'``), appended to ``out`` column by column
    (``base``'s keys and :data:`CELL_COLUMNS`): a partition's million cells never become a million dicts, which
    cost a third of a load's time."""
    versions = {t: form_version(report, t) for t in SCHEMA.tables}
    cells = report.get("cells", ())
    extras = [
        (extra, i, raw) for extra in report.get("extra_rows", ()) for i, raw in enumerate(extra.get("raw") or (), 1)
    ]
    n = len(cells) + len(extras)
    for key, value in base.items():
        out.setdefault(key, []).extend([value] * n)
    columns = {name: out.setdefault(name, []) for name in CELL_COLUMNS}
    try:  # one C-level pass for the cells' fields (every cell the extractor writes has them all) ...
        fields = list(map(_CELL_FIELDS, cells))
    except KeyError:  # ... else a cell of another writer: what it lacks is null
        fields = [
            (c["table"], c["row"], c["col"], c.get("value"), c.get("raw"), c.get("unit"), c.get("flags"), c.get("page"))
            for c in cells
        ]
    tables, rows, cols, values, raws, units, flags, pages = zip(*fields) if fields else ((),) * 8
    columns["table_key"] += [*tables, *(e["table"] for e, _, _ in extras)]
    columns["row_key"] += [*rows, *["extra"] * len(extras)]
    columns["col_key"] += [*cols, *(f"c{i}" for _, i, _ in extras)]
    columns["form_version"] += [*map(versions.get, tables), *(versions.get(e["table"]) for e, _, _ in extras)]
    columns["value"] += [None if v is None else float(v) for v in values] + [None] * len(extras)
    columns["raw"] += [*raws, *(raw for _, _, raw in extras)]
    columns["unit"] += [*units, *[None] * len(extras)]
    columns["flags"] += [f or [] for f in flags] + [["extra_row"] for _ in extras]
    columns["page"] += [*pages, *(e.get("page") for e, _, _ in extras)]
    columns["row_label"] += [None] * len(cells) + [e.get("label") for e, _, _ in extras]


def _has_table(report: dict[str, Any], table: str, cells: dict) -> bool:
    return bool(cells) or table in report.get("tables", {})


_REQUESTS_COLUMNS = tuple((c.key, c.key in _INT_COLUMNS["requests"]) for c in SCHEMA["requests"].cols)
_REQUESTS_INTS = frozenset(c for c, integer in _REQUESTS_COLUMNS if integer)


def requests_columns(report: dict[str, Any], base: Row, out: dict[str, list], grouped: dict | None = None) -> None:
    """The rows of 三 the report's form version prints, plus any other row it fills, appended to ``out`` column by
    column (as :func:`cell_columns`: a partition's rows of 三 never become dicts). ``grouped``: the report's
    :func:`table_cells`, when the caller has them."""
    cells = (table_cells(report) if grouped is None else grouped).get("requests", {})
    if not _has_table(report, "requests", cells):
        return
    version = form_version(report, "requests")
    printed = _printed_rows(version)
    keys = list(printed) + sorted({r for r, _ in cells} - set(printed), key=lambda k: _ROW_ORDER.get(k, 999))
    n = len(keys)
    for key, value in (*base.items(), ("form_version", version)):
        out.setdefault(key, []).extend([value] * n)
    out.setdefault("row_key", []).extend(keys)
    out.setdefault("row_order", []).extend([_ROW_ORDER.get(k) for k in keys])
    out.setdefault("row_label", []).extend([_ROW_LABEL.get(k) for k in keys])
    # a column per applicant type, filled from the cells the report has: not a lookup at every row × column
    at = {key: i for i, key in enumerate(keys)}
    filled = {col: [None] * n for col, _ in _REQUESTS_COLUMNS}
    for (row, col), value in cells.items():  # every row of the cells is among ``keys``
        if value is not None and col in filled:
            filled[col][at[row]] = _number(value, col in _REQUESTS_INTS)
    for col, _ in _REQUESTS_COLUMNS:
        out.setdefault(col, []).extend(filled[col])


@cache
def _printed_rows(version: str | None) -> tuple[str, ...]:
    """The rows of 三 a form version prints, in order (none for an unknown version)."""
    return tuple(r.key for r in SCHEMA["requests"].rows_for(version)) if version in FORM_VERSIONS else ()


@cache
def _wide_map(table: str) -> tuple[tuple[str, str, str], ...]:
    names = {c.name for c in TABLES[table].columns}
    out: dict[str, tuple[str, str, str]] = {}
    for version in FORM_VERSIONS:
        for row, col in SCHEMA[table].cells_for(version):
            name = column_name(row, col)
            if name in names:
                out.setdefault(name, (row, col, name))
    return tuple(out.values())


def wide_row(report: dict[str, Any], table: str, base: Row, grouped: dict | None = None) -> list[Row]:
    """One row per report for ``proactive``/``appeals``/``statistics``: a column per form cell."""
    cells = (table_cells(report) if grouped is None else grouped).get(table, {})
    if not _has_table(report, table, cells):
        return []
    ints = _INT_COLUMNS[table]
    row = {**base, "form_version": form_version(report, table)}
    for r, c, name in _wide_map(table):
        row[name] = _number(cells.get((r, c)), name in ints)
    return [row]


def core_rows(report: dict[str, Any], base: Row) -> list[Row]:
    """The cross-era core of one report (one row, nulls where it does not say): as the extractor wrote it in the
    report (``core``, ``core_sources``: :meth:`Report.to_dict`), else made again from its cells."""
    if "core" in report and "core_sources" in report:
        values, sources = report["core"], report["core_sources"]
        found = {key: (values.get(key), sources.get(key)) for key in CORE_KEYS}
    else:
        versions = {t: form_version(report, t) for t in SCHEMA.tables}
        found = {key: (v.value, v.source) for key, v in core_values(report.get("cells", ()), versions).items()}
    row = dict(base)
    for key, (value, source) in found.items():
        row[key] = _number(value, True)
        row[f"{key}_source"] = source if row[key] is not None else None
    return [row]


def era_rows(report: dict[str, Any], base: Row, grouped: dict | None = None) -> dict[str, list[Row]]:
    """The tables that span the form versions: the pre-2019 ``statistics`` and the ``core``."""
    return {"statistics": wide_row(report, "statistics", base, grouped), "core": core_rows(report, base)}


CHECK_COLUMNS = ("check_id", "severity", "row_key", "col_key", "ok", "expected", "found", "missing")


def check_columns(report: dict[str, Any], base: Row, out: dict[str, list], warnings: Sequence[Row] = ()) -> None:
    """The report's identities (severity ``error``), then its cross-year ``warnings`` (rows of
    :data:`CHECK_COLUMNS`), appended to ``out`` column by column (as :func:`cell_columns`: forty checks a report)."""
    checks = report.get("checks", ())
    n = len(checks) + len(warnings)
    for key, value in base.items():
        out.setdefault(key, []).extend([value] * n)
    columns = {name: out.setdefault(name, []) for name in CHECK_COLUMNS}
    columns["check_id"] += [c["id"] for c in checks]
    columns["severity"] += ["error"] * len(checks)
    columns["row_key"] += [c.get("row") for c in checks]
    columns["col_key"] += [c.get("col") for c in checks]
    columns["ok"] += [c["ok"] for c in checks]  # None: a blank cell makes the identity undecidable
    columns["expected"] += [None if c.get("expected") is None else float(c["expected"]) for c in checks]
    columns["found"] += [None if c.get("found") is None else float(c["found"]) for c in checks]
    columns["missing"] += [list(c.get("missing") or ()) for c in checks]
    for warning in warnings:
        for name in CHECK_COLUMNS:
            columns[name].append(warning.get(name))
