"""What extraction returns: one ``Report`` per document.

These dataclasses are the contract shared by ``ogi extract --json``, the flows and
the Parquet datasets; ``Report.to_dict`` is the JSON line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import orjson

from extractors.core import CoreValue, core_values
from extractors.versions import EXTRACTOR_VERSION


@dataclass
class Cell:
    """One value of the form, exactly as printed, at its canonical (table, row, col)."""

    table: str
    row: str
    col: str
    value: int | float | None
    raw: str
    flags: list[str] = field(default_factory=list)
    page: int | None = None
    unit: str | None = None


@dataclass
class ExtraRow:
    """A row the report adds to the form (kept with its raw label, never dropped)."""

    table: str
    label: str
    raw: list[str]
    page: int | None = None


@dataclass
class CheckResult:
    """One identity evaluated on one row or column (docs/form.md#identities)."""

    id: str
    ok: bool | None  # None: a blank cell makes the identity undecidable
    expected: int | float | None
    found: int | float | None
    row: str | None = None
    col: str | None = None
    missing: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id}
        if self.row is not None:
            out["row"] = self.row
        if self.col is not None:
            out["col"] = self.col
        out.update(ok=self.ok, expected=self.expected, found=self.found)
        if self.missing:
            out["missing"] = self.missing
        return out


@dataclass
class Problem:
    """Something the document does to the form that a user must know about."""

    code: str
    message: str
    table: str | None = None
    pages: list[int] | None = None
    reason: str | None = None  # not_a_report: what the document is instead (extractors.classify.REASONS)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in _fields(self).items() if v is not None}


@dataclass
class TableInfo:
    form_version: str
    evidence: list[str] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)


@dataclass
class ReportMeta:
    issuing_body: str | None = None
    report_year: int | None = None
    year_source: str | None = None  # title | preamble | published_date
    title: str | None = None
    publisher_kind: str | None = None
    jurisdiction_code: str | None = None


@dataclass
class Report:
    path: str
    sha256: str
    format: str
    meta: ReportMeta = field(default_factory=ReportMeta)
    tables: dict[str, TableInfo] = field(default_factory=dict)
    cells: list[Cell] = field(default_factory=list)
    extra_rows: list[ExtraRow] = field(default_factory=list)
    checks: list[CheckResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    error: Problem | None = None
    extractor_version: str = EXTRACTOR_VERSION

    @property
    def ok(self) -> bool:
        return self.error is None

    def cell(self, table: str, row: str, col: str) -> Cell | None:
        return next((c for c in self.cells if c.table == table and c.row == row and c.col == col), None)

    def value(self, table: str, row: str, col: str) -> int | float | None:
        found = self.cell(table, row, col)
        return None if found is None else found.value

    def core(self, cells: list[dict[str, Any]] | None = None) -> dict[str, CoreValue]:
        """The cross-era core (extractors.core): key → CoreValue, from the cells and the tables' versions."""
        cells = cells if cells is not None else [_cell_dict(c) for c in self.cells]
        return core_values(cells, {k: v.form_version for k, v in self.tables.items()})

    def to_dict(self) -> dict[str, Any]:
        if self.error is not None:
            return {
                "path": self.path,
                "sha256": self.sha256,
                "format": self.format,
                "error": self.error.to_dict(),
            }
        cells = [_cell_dict(c) for c in self.cells]
        core = self.core(cells)
        return {
            "path": self.path,
            "sha256": self.sha256,
            "format": self.format,
            "extractor_version": self.extractor_version,
            "report": _fields(self.meta),
            "tables": {k: _fields(v) for k, v in self.tables.items()},
            "cells": cells,
            "extra_rows": [_fields(r) for r in self.extra_rows],
            "checks": [c.to_dict() for c in self.checks],
            "problems": [p.to_dict() for p in self.problems],
            "core": {k: v.value for k, v in core.items()},
            "core_sources": {k: v.source for k, v in core.items()},
        }


def json_bytes(value: Any) -> bytes:
    """Compact JSON of a report's dict (or its summary): orjson's speed, the standard library's reach (an integer
    beyond 64 bits). The one encoder of what the extraction store keeps."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _fields(flat: Any) -> dict[str, Any]:
    """``asdict`` of a dataclass whose fields are scalars or lists of scalars (all of these), without its recursive
    deep copy: a report is made of hundreds of them."""
    return {k: list(v) if isinstance(v, list) else v for k, v in flat.__dict__.items()}


def _cell_dict(c: Cell) -> dict[str, Any]:
    """``asdict(c)`` without its deep copy (a tenth of the time; a report has hundreds of cells)."""
    return {**c.__dict__, "flags": list(c.flags)}


class ExtractError(Exception):
    """A document that cannot be read at all; ``code`` is stable, ``message`` says what to do."""

    def __init__(self, code: str, message: str, pages: list[int] | None = None, reason: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.pages = pages
        self.reason = (
            reason  # for not_a_report: notice, news, bulletin, template, interpretation, graphic, other_report
        )
