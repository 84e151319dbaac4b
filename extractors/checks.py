"""The form's accounting identities, evaluated from the schema (never hand-written per table).

``found`` is the sum of the identity's left side as printed, ``expected`` the sum of its
right side. A blank cell makes the check undecidable (``ok`` is None, ``missing`` says
which); a failed check is recorded, never repaired.
"""

from __future__ import annotations

from extractors.model import Cell, CheckResult, TableInfo
from extractors.schema import FORM_VERSIONS, SCHEMA, Identity

TOLERANCE = 1e-6


def run_checks(cells: list[Cell], tables: dict[str, TableInfo]) -> list[CheckResult]:
    """Every identity on every row or column whose cells were read.

    Whatever the table's form version: when it is not known, each row or column is checked
    under the first version whose cells for it were all read (``unknown`` never means
    "no checks"; a table read from a damaged file is the one that most needs them)."""
    index = {(c.table, c.row, c.col): c for c in cells}
    results: list[CheckResult] = []
    for identity in SCHEMA.identities:
        info = tables.get(identity.table)
        if info is None:
            continue
        versions = (info.form_version,) if info.form_version in FORM_VERSIONS else FORM_VERSIONS
        checked: set[tuple[str | None, str | None]] = set()
        for version in versions:
            for result in _evaluate(identity, version, index):
                if (result.row, result.col) not in checked:
                    checked.add((result.row, result.col))
                    results.append(result)
    return results


def _evaluate(identity: Identity, version: str, index: dict) -> list[CheckResult]:
    table = SCHEMA[identity.table]
    rhs = table.outcome_rows(version) if identity.rhs == ("@outcomes",) else identity.rhs
    results: list[CheckResult] = []
    if identity.over == "cols":
        for col in table.cols_for(version):
            lhs_keys = [(identity.table, r, col.key) for r in identity.lhs]
            rhs_keys = [(identity.table, r, col.key) for r in rhs]
            _check(identity, index, lhs_keys, rhs_keys, results, col=col.key)
    else:
        for row in table.rows_for(version):
            lhs_keys = [(identity.table, row.key, c) for c in identity.lhs]
            rhs_keys = [(identity.table, row.key, c) for c in rhs]
            _check(identity, index, lhs_keys, rhs_keys, results, row=row.key)
    return results


def _check(
    identity: Identity,
    index: dict,
    lhs_keys: list,
    rhs_keys: list,
    results: list[CheckResult],
    row: str | None = None,
    col: str | None = None,
) -> None:
    needed = lhs_keys + rhs_keys
    if any(k not in index for k in needed):
        return  # rows not read at all are reported as table_incomplete; nothing to check
    missing = [k[1] if row is None else k[2] for k in needed if k not in index or index[k].value is None]
    found = sum(index[k].value for k in lhs_keys if k in index and index[k].value is not None)
    expected = sum(index[k].value for k in rhs_keys if k in index and index[k].value is not None)
    if missing:
        results.append(CheckResult(identity.id, None, _num(expected), _num(found), row, col, missing))  # type: ignore[arg-type]
        return
    ok = abs(found - expected) <= TOLERANCE
    results.append(CheckResult(identity.id, ok, _num(expected), _num(found), row, col))


def _num(value: float | int) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 6)
