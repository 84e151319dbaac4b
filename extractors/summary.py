"""A report's headline: what a load needs of it before reading its cells, kept in the extraction store's index.

Why here, beside the extractor: the extraction worker makes it from the report it has just
written, so the flows' task process stores the worker's JSON as it came and never decodes a
body to index it. A function of ``Report.to_dict()`` only, so the index can also be rebuilt
from stored bodies.
"""

from __future__ import annotations

from typing import Any

from extractors.schema import SCHEMA


def table_cells(report: dict[str, Any]) -> dict[str, dict[tuple[str, str], Any]]:
    """table → (row, col) → value, in one pass over the report's cells (each table's rows read them)."""
    out: dict[str, dict[tuple[str, str], Any]] = {}
    for c in report.get("cells", ()):
        name, row, col = c["table"], c["row"], c["col"]
        table = out.get(name)
        if table is None:
            table = out[name] = {}
        table[row, col] = c.get("value")
    return out


def cells_found(report: dict[str, Any]) -> int:
    return sum(1 for c in report.get("cells", ()) if c.get("value") is not None)


def carried(report: dict[str, Any]) -> dict[str, tuple[float | None, float | None]]:
    """Per applicant column: (carried_over, carried_forward), for the cross-year check."""
    cells = table_cells(report).get("requests", {})
    return {
        c.key: (cells.get(("carried_over", c.key)), cells.get(("carried_forward", c.key)))
        for c in SCHEMA["requests"].cols
        if ("carried_over", c.key) in cells or ("carried_forward", c.key) in cells
    }


def report_summary(report: dict[str, Any]) -> dict[str, Any]:
    """What a load needs of a report before reading its cells: kept in the extraction store's index."""
    meta = report.get("report") or {}
    error = report.get("error")
    ok = not error
    checks = report.get("checks", ()) if ok else ()
    return {
        "error": (error or {}).get("code") if error else None,
        "not_a_report": (error or {}).get("reason"),
        "jurisdiction_code": meta.get("jurisdiction_code"),
        "issuing_body": meta.get("issuing_body"),
        "publisher_kind": meta.get("publisher_kind"),
        "report_year": meta.get("report_year"),
        "year_source": meta.get("year_source"),
        "cells_found": cells_found(report) if ok else 0,
        "checks_failed": sum(1 for c in checks if c.get("ok") is False),
        "checks_undecided": sum(1 for c in checks if c.get("ok") is None),
        "carried": carried(report) if ok else {},
    }
