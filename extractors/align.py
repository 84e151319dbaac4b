"""Which column each printed value of a row belongs to, when the counts disagree.

Why: a table flattened to ``|`` lines or one ``<p>`` per cell leaves empty placeholders where
merged cells were (before, between or after the numbers), and converters drop empty cells.
Counting from the left then puts every number one or two columns to the side. Here every
way of dropping the surplus empty cells (or restoring the missing ones) is tried, and the
form's own identities choose: the reading that they confirm is kept; when more than one
reading fits, none is (``ambiguous_alignment``). Numbers are never dropped or moved past
one another, only the empty cells between them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence, TypeVar

from extractors.schema import SCHEMA
from extractors.values import clean

MAX_READINGS = 4000  # more ways than this to place the blanks: nothing can be told
MAX_RESTORED = 3  # at most this many missing empty cells are restored in one row

T = TypeVar("T")

HOLDS, ZERO_CONSISTENT, UNDECIDED, FAILS = 3, 2, 1, 0  # how well a reading fits, best first


@dataclass
class Aligned:
    slots: list | None  # one entry per column (None: a restored empty cell); None when undecided
    readings: int  # distinct readings that were possible
    fitting: int  # distinct readings of the best fit
    options: list = field(default_factory=list)  # (fit, values, slots) of every distinct reading


def readings(values: Sequence[T], width: int, is_blank: Callable[[T], bool]) -> list[list[T | None]] | None:
    """Every distinct sequence of ``width`` slots keeping the non-blank values in order: the
    blank runs between them shrink (surplus placeholders) or grow (dropped empty cells).
    None when there are too many."""
    runs: list[list[T]] = [[]]
    kept: list[T] = []
    for v in values:
        if is_blank(v):
            runs[-1].append(v)
        else:
            kept.append(v)
            runs.append([])
    blanks = sum(len(r) for r in runs)
    target = width - len(kept)
    if target < 0 or target - blanks > MAX_RESTORED:
        return None
    shrink = target <= blanks
    out: list[list[T | None]] = []

    def walk(i: int, left: int, acc: list[T | None]) -> bool:
        if len(out) > MAX_READINGS:
            return False
        run = runs[i]
        last = i == len(runs) - 1
        options = [left] if last else range(0, left + 1)
        for k in options:
            if shrink and k > len(run) or not shrink and k < len(run):
                continue
            piece: list[T | None] = list(run[:k]) if shrink else list(run) + [None] * (k - len(run))
            nxt = acc + piece
            if last:
                out.append(nxt)
            elif not walk(i + 1, left - k, nxt + [kept[i]]):
                return False
        return True

    if not walk(0, target, []):
        return None
    return out


def row_fit(table: str, cols: Sequence[str], values: Sequence[float | int | None]) -> int:
    """How well one row's values fit the table's row identities (``over = "rows"``)."""
    by_col = dict(zip(cols, values))
    fits = [HOLDS]
    for ident in SCHEMA.identities:
        if ident.table != table or ident.over != "rows":
            continue
        if not all(k in by_col for k in (*ident.lhs, *ident.rhs)):
            continue
        fits.append(_fit([by_col[k] for k in ident.lhs], [by_col[k] for k in ident.rhs]))
    if len(fits) == 1:
        return UNDECIDED  # no identity speaks for this row
    return min(fits)


def _fit(lhs: list, rhs: list) -> int:
    if any(v is None for v in lhs + rhs):
        zero = sum(v or 0 for v in lhs) == sum(v or 0 for v in rhs)
        return ZERO_CONSISTENT if zero else UNDECIDED
    return HOLDS if abs(sum(lhs) - sum(rhs)) < 1e-6 else FAILS


def choose(options: list[list[T | None]], score: Callable[[list[T | None]], tuple[int, tuple]]) -> Aligned:
    """The one reading the identities confirm. ``score`` gives (fit, values) of a reading;
    readings with the same values are one reading. Chosen when only one distinct reading
    exists, or when exactly one has the best fit and that fit is confirmed (the identity
    holds, or holds with blanks as nought), or when a blank leaves only it undecided and
    every other reading contradicts the printed numbers."""
    best: dict[tuple, tuple[int, list[T | None]]] = {}
    for option in options:
        fit, values = score(option)
        if values not in best or fit > best[values][0]:
            best[values] = (fit, option)
    if not best:
        return Aligned(None, 0, 0)
    if len(best) == 1:
        return Aligned(next(iter(best.values()))[1], 1, 1)
    top = max(fit for fit, _ in best.values())
    winners = [option for fit, option in best.values() if fit == top]
    if len(winners) == 1 and (top >= ZERO_CONSISTENT or top == UNDECIDED and _others_fail(best, top)):
        return Aligned(winners[0], len(best), 1)
    options = [(fit, values, option) for values, (fit, option) in best.items() if fit > FAILS]
    return Aligned(None, len(best), len(winners), options)


def _others_fail(best: dict, top: int) -> bool:
    """Every reading but the best contradicts an identity on printed numbers."""
    return sum(1 for fit, _ in best.values() if fit == top) == 1 and all(
        fit in (top, FAILS) for fit, _ in best.values()
    )


def blank(text: str) -> bool:
    return not clean(text)


MAX_COMBINATIONS = 20000  # joint readings of undecided rows tried against the column identities


def solve_columns(
    table: str,
    version: str,
    known: dict[tuple[str, str], float | int | None],
    undecided: dict[str, list[tuple[int, tuple]]],
) -> dict[str, tuple]:
    """Rows whose own identities leave several readings: the readings of all of them together
    that the column identities (``over = "cols"``: the balance, the outcome sum) confirm.

    ``known`` holds the cells already read; ``undecided`` each row's distinct readings as
    (row fit, values by column). A row is decided when every best joint reading gives it the
    same values and that best is confirmed; the others stay undecided."""
    spec = SCHEMA[table]
    cols = [c.key for c in spec.cols_for(version)]
    rows = list(undecided)
    total = 1
    for r in rows:
        total *= len(undecided[r])
    if not rows or total > MAX_COMBINATIONS:
        return {}
    instances = []
    for ident in SCHEMA.identities:
        if ident.table != table or ident.over != "cols":
            continue
        rhs = spec.outcome_rows(version) if ident.rhs == ("@outcomes",) else ident.rhs
        if not set(rows) & set(ident.lhs + tuple(rhs)):
            continue
        needed = ident.lhs + tuple(rhs)
        if all(r in undecided or any((r, c) in known for c in cols) for r in needed):
            instances.append((ident.lhs, tuple(rhs)))
    if not instances:
        return {}
    best_fit, best = -1, []
    for combo in _product([undecided[r] for r in rows]):
        fit = min(f for f, _ in combo)
        values = {r: v for r, (_, v) in zip(rows, combo)}

        def cell(row: str, k: int) -> float | int | None:
            return values[row][k] if row in values else known.get((row, cols[k]))

        for lhs, rhs in instances:
            for k in range(len(cols)):
                fit = min(fit, _fit([cell(r, k) for r in lhs], [cell(r, k) for r in rhs]))
        if fit > best_fit:
            best_fit, best = fit, [values]
        elif fit == best_fit:
            best.append(values)
    if best_fit < ZERO_CONSISTENT:
        return {}
    return {r: best[0][r] for r in rows if all(b[r] == best[0][r] for b in best)}


def _product(options: list[list[T]]) -> list[list[T]]:
    out: list[list[T]] = [[]]
    for opts in options:
        out = [prev + [o] for prev in out for o in opts]
    return out
