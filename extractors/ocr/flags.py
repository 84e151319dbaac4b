"""Flags on cells read by OCR: ``ocr`` on every one, ``ocr_uncertain`` where nothing confirms it.

Why identities: a misread digit breaks the row total or the column balance it takes
part in, so a cell read by OCR is trusted only as far as the form's identities go. A
cell is ``ocr_uncertain`` when its text did not parse as a value, when an identity it
takes part in fails, or when no identity decides it at all (二's cells have none, and a
blank neighbour makes a check undecidable): a misread there could not be seen.
"""

from __future__ import annotations

from extractors.model import CheckResult, Report
from extractors.schema import SCHEMA

OCR = "ocr"
UNCERTAIN = "ocr_uncertain"


def flag_cells(report: Report, pages: set[int]) -> None:
    """``pages``: the pages (or, in HTML and DOCX, picture ordinals) read by OCR."""
    read = [c for c in report.cells if c.page in pages]
    if not read:
        return
    confirmed: set[tuple[str, str, str]] = set()
    doubted: set[tuple[str, str, str]] = set()
    for check in report.checks:
        keys = _keys(check, report)
        if check.ok is True:
            confirmed |= keys
        elif check.ok is False:
            doubted |= keys
    for cell in read:
        key = (cell.table, cell.row, cell.col)
        cell.flags.append(OCR)
        if "unparsed" in cell.flags or key in doubted or key not in confirmed:
            cell.flags.append(UNCERTAIN)


def _keys(check: CheckResult, report: Report) -> set[tuple[str, str, str]]:
    """The cells one evaluated identity covers."""
    identity = next(i for i in SCHEMA.identities if i.id == check.id)
    table = SCHEMA[identity.table]
    rhs = identity.rhs
    if rhs == ("@outcomes",):
        rhs = table.outcome_rows(report.tables[identity.table].form_version)
    if identity.over == "cols":
        return {(identity.table, r, check.col) for r in (*identity.lhs, *rhs)}
    return {(identity.table, check.row, c) for c in (*identity.lhs, *rhs)}
