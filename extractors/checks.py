"""The form's accounting identities, evaluated from the schema (never hand-written per table).

``found`` is the sum of the identity's left side as printed, ``expected`` the sum of its
right side. A blank cell makes the check undecidable (``ok`` is None, ``missing`` says
which); a failed check is recorded, never repaired.
"""

from __future__ import annotations

from functools import cache

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
    results: list[CheckResult] = []
    for lhs_keys, rhs_keys, row, col in _plan(identity, version):
        _check(identity, index, lhs_keys, rhs_keys, results, row=row, col=col)
    return results


@cache
def _plan(identity: Identity, version: str) -> tuple[tuple[tuple, tuple, str | None, str | None], ...]:
    """(left keys, right keys, row, col) of each check the identity makes under ``version``: the schema's, so made
    once per process."""
    table = SCHEMA[identity.table]
    rhs = table.outcome_rows(version) if identity.rhs == ("@outcomes",) else identity.rhs
    if identity.over == "cols":
        return tuple(
            (
                tuple((identity.table, r, col.key) for r in identity.lhs),
                tuple((identity.table, r, col.key) for r in rhs),
                None,
                col.key,
            )
            for col in table.cols_for(version)
        )
    return tuple(
        (
            tuple((identity.table, row.key, c) for c in identity.lhs),
            tuple((identity.table, row.key, c) for c in rhs),
            row.key,
            None,
        )
        for row in table.rows_for(version)
    )


def _check(
    identity: Identity,
    index: dict,
    lhs_keys: tuple,
    rhs_keys: tuple,
    results: list[CheckResult],
    row: str | None = None,
    col: str | None = None,
) -> None:
    try:
        lhs = [index[k].value for k in lhs_keys]
        rhs = [index[k].value for k in rhs_keys]
    except KeyError:
        return  # rows not read at all are reported as table_incomplete; nothing to check
    if None in lhs or None in rhs:
        found = sum(v for v in lhs if v is not None)
        expected = sum(v for v in rhs if v is not None)
        missing = [k[1] if row is None else k[2] for k, v in zip(lhs_keys + rhs_keys, lhs + rhs) if v is None]
        results.append(CheckResult(identity.id, None, _num(expected), _num(found), row, col, missing))  # type: ignore[arg-type]
        return
    found, expected = sum(lhs), sum(rhs)
    ok = abs(found - expected) <= TOLERANCE
    results.append(CheckResult(identity.id, ok, _num(expected), _num(found), row, col))


def _num(value: float | int) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 6)
