"""Known truth for the fixture corpus: cell values that satisfy the form's identities,
the raw text each cell is printed with, and the identity evaluation the test shares.

Every table, row, column and identity comes from ``extractors.schema.SCHEMA``; nothing
here names a key or a label of the form.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from extractors.schema import FORM_VERSIONS, SCHEMA

TABLES = ("proactive", "requests", "appeals")
NULL_TEXTS = ("", "—", "-", "－", "/", "无", "不涉及")


# --------------------------------------------------------------------------- identities


def _identity(table: str, over: str, rhs_has_outcomes: bool | None = None):
    for ident in SCHEMA.identities:
        if ident.table != table or ident.over != over:
            continue
        if rhs_has_outcomes is None or (("@outcomes" in ident.rhs) == rhs_has_outcomes):
            return ident
    raise LookupError((table, over))


def request_keys() -> dict[str, object]:
    """The requests table's structural keys, read from the schema's identities."""
    balance = _identity("requests", "cols", rhs_has_outcomes=False)
    outcomes = _identity("requests", "cols", rhs_has_outcomes=True)
    row_total = _identity("requests", "rows")
    return {
        "inflow": balance.lhs,  # new_received, carried_over
        "processed": outcomes.lhs[0],  # total_processed
        "carried_forward": next(r for r in balance.rhs if r != outcomes.lhs[0]),
        "new_received": balance.lhs[0],
        "carried_over": balance.lhs[1],
        "total_col": row_total.lhs[0],
        "applicants": row_total.rhs,
    }


def appeal_keys() -> dict[str, object]:
    ident = _identity("appeals", "rows")
    return {"total_col": ident.lhs[0], "parts": ident.rhs}


def _expand(table: str, version: str, keys: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for k in keys:
        if k == "@outcomes":
            out.extend(SCHEMA[table].outcome_rows(version))
        else:
            out.append(k)
    return out


def evaluate_identities(values: dict[tuple[str, str, str], object], versions: dict[str, str]):
    """Every identity instance on the printed cells.

    ``values`` maps (table, row, col) to a number or None (printed, no value); a key that
    is absent was not printed. Returns dicts {id, row|col, ok, lhs, rhs}; ``ok`` is None
    when a participating cell is missing or has no value (the instance cannot be judged).
    """
    out = []
    for ident in SCHEMA.identities:
        t = ident.table
        if t not in versions:
            continue
        version = versions[t]
        table = SCHEMA[t]
        lhs_keys = _expand(t, version, ident.lhs)
        rhs_keys = _expand(t, version, ident.rhs)
        if ident.over == "cols":
            lines = [c.key for c in table.cols_for(version)]
        else:
            lines = [r.key for r in table.rows_for(version)]
        for line in lines:

            def get(k):
                key = (t, k, line) if ident.over == "cols" else (t, line, k)
                return values.get(key, None)

            lv = [get(k) for k in lhs_keys]
            rv = [get(k) for k in rhs_keys]
            inst = {"id": ident.id, ("col" if ident.over == "cols" else "row"): line}
            if any(v is None for v in lv + rv):
                inst.update(ok=None, lhs=None, rhs=None)
            else:
                ls, rs = sum(lv), sum(rv)
                inst.update(ok=abs(ls - rs) < 1e-9, lhs=ls, rhs=rs)
            out.append(inst)
    return out


def broken_identities(values, versions) -> list[str]:
    return sorted({i["id"] for i in evaluate_identities(values, versions) if i["ok"] is False})


# --------------------------------------------------------------------------- values


SCALES = {
    # outcome totals per applicant column (natural person first), licensing, penalties, fees
    "tiny": dict(np=(0, 9), org=(0, 2), lic=(0, 60), pen=(0, 40), coe=(0, 5), fee=(0, 0), docs=(0, 6)),
    "small": dict(np=(3, 40), org=(0, 4), lic=(80, 9000), pen=(20, 900), coe=(0, 220), fee=(0, 2600), docs=(2, 30)),
    "large": dict(
        np=(600, 3400),
        org=(5, 320),
        lic=(20000, 250000),
        pen=(1000, 9000),
        coe=(50, 900),
        fee=(3000, 90000),
        docs=(20, 200),
    ),
}


def _zero_heavy(rng: random.Random, lo: int, hi: int, p_zero: float = 0.5) -> int:
    if rng.random() < p_zero:
        return 0
    return rng.randint(lo, hi)


def gen_requests(rng: random.Random, version: str, scale: str) -> dict[tuple[str, str], int]:
    table = SCHEMA["requests"]
    k = request_keys()
    rows = [r.key for r in table.rows_for(version)]
    outcomes = list(table.outcome_rows(version))
    s = SCALES[scale]
    # outcome weights: the first two outcomes (granted, partially granted) dominate; the rest sparse
    weights = [10.0, 2.0] + [rng.choice([0, 0.2, 0.5, 1.0, 1.5, 3.0]) for _ in outcomes[2:]]
    vals: dict[tuple[str, str], int] = {}
    for i, col in enumerate(k["applicants"]):
        if i == 0:
            n = rng.randint(*s["np"])
        else:
            lo, hi = s["org"]
            n = _zero_heavy(rng, lo, hi, 0.45 if scale == "large" else 0.75)
            if scale == "large" and i in (2, 3):  # research, public interest: rare
                n = n // 10
        counts = dict.fromkeys(outcomes, 0)
        for _ in range(n):
            counts[rng.choices(outcomes, weights)[0]] += 1
        processed = sum(counts.values())
        cf = _zero_heavy(rng, 0, max(1, n // 8), 0.6)
        co = min(_zero_heavy(rng, 0, max(1, n // 8), 0.6), processed + cf)
        for r in rows:
            vals[(r, col)] = 0
        for o, v in counts.items():
            vals[(o, col)] = v
        vals[(k["processed"], col)] = processed
        vals[(k["carried_forward"], col)] = cf
        vals[(k["carried_over"], col)] = co
        vals[(k["new_received"], col)] = processed + cf - co
    for r in rows:
        vals[(r, k["total_col"])] = sum(vals[(r, c)] for c in k["applicants"])
    return vals


def gen_appeals(rng: random.Random, scale: str) -> dict[tuple[str, str], int]:
    table = SCHEMA["appeals"]
    k = appeal_keys()
    hi = {"tiny": 1, "small": 4, "large": 60}[scale]
    p0 = {"tiny": 0.85, "small": 0.6, "large": 0.2}[scale]
    vals = {}
    for row in table.rows_for("2021"):
        for part in k["parts"]:
            vals[(row.key, part)] = _zero_heavy(rng, 1, hi, p0)
        vals[(row.key, k["total_col"])] = sum(vals[(row.key, p)] for p in k["parts"])
    return vals


def gen_proactive(rng: random.Random, version: str, scale: str, body_kind: str) -> dict[tuple[str, str], object]:
    """Plausible 二 values, by group position and column kind (no key is named)."""
    table = SCHEMA["proactive"]
    s = SCALES[scale]
    vals: dict[tuple[str, str], object] = {}
    for gi, group in enumerate(table.groups_for(version)):
        has_signed = any(c.kind == "signed" for c in group.cols)
        for ri, row in enumerate(group.rows):
            for ci, col in enumerate(group.cols):
                kind = col.kind
                if kind == "decimal":
                    lo, hi = s["fee"]
                    v = round(rng.uniform(lo, hi), 2) if hi and rng.random() < 0.8 else 0.0
                elif kind == "amount":
                    v = float(rng.choice([0, rng.randint(20, 900), round(rng.uniform(5, 400), 2)]))
                elif kind == "signed":
                    v = rng.choice([0, 0, rng.randint(-12, -1), rng.randint(1, 9)])
                elif gi == 0:  # document counts; the first row (规章) is made by cities only
                    lo, hi = s["docs"]
                    if ri == 0 and scale != "large":
                        v = 0
                    elif ci == 0:
                        v = rng.randint(0, hi // 3 + 1)
                    elif ci == 1:
                        v = rng.randint(0, hi // 4 + 1)
                    else:
                        v = rng.randint(hi // 2, hi * 4)
                elif has_signed and ci == 0:  # prior-year item count
                    v = rng.randint(0, {"tiny": 12, "small": 600, "large": 3000}[scale])
                elif gi == 1:
                    v = _zero_heavy(rng, *s["lic"], 0.1 if scale != "tiny" else 0.5)
                elif gi == 2:
                    v = _zero_heavy(rng, *(s["pen"] if ri == 0 else s["coe"]), 0.15 if scale != "tiny" else 0.6)
                else:
                    v = _zero_heavy(rng, 1, {"tiny": 5, "small": 60, "large": 400}[scale], 0.3)
                if body_kind == "township" and kind == "decimal":
                    v = 0.0
                vals[(row.key, col.key)] = v
    return vals


# --------------------------------------------------------------------------- raw text

FULLWIDTH = str.maketrans("0123456789.-+", "０１２３４５６７８９．－＋")


def plain(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == "decimal":
        return "0" if value == 0 else f"{value:.2f}"
    if kind == "amount":
        return str(int(value)) if float(value).is_integer() else f"{value:.2f}"
    if kind == "signed":
        return str(int(value))
    return str(int(value))


def value_from_plain(text: str, kind: str):
    if kind in ("decimal", "amount"):
        return float(text)
    return int(text)


@dataclass
class CellTruth:
    table: str
    row: str
    col: str
    value: object
    printed: str  # what the document prints (may carry NBSP/U+3000 padding)
    kind: str = "count"
    quirks: list[str] = field(default_factory=list)

    @property
    def raw(self) -> str:
        return self.printed.strip()

    def to_json(self) -> dict:
        value = self.value
        if self.kind in ("decimal", "amount"):
            value = money_in_wan(self.raw, value, form_unit(self.table, self.col))
        return {"table": self.table, "row": self.row, "col": self.col, "value": value, "raw": self.raw}


MONEY_SCALE = {"元": Decimal("0.0001"), "千元": Decimal("0.1"), "万元": Decimal(1), "亿元": Decimal(10000)}


def form_unit(table: str, col: str) -> str | None:
    """The unit the form itself prints for a column (万元 for fees; none for procurement)."""
    for version in FORM_VERSIONS:
        item = SCHEMA[table].col(version, col)
        if item is not None:
            return item.unit
    return None


def money_in_wan(raw: str, value, unit_of_form: str | None):
    """Truth of a money cell: its printed number in 万元, from the cell's own unit, else the form's;
    None when neither prints one (the scale cannot be known), 0.0 for nought."""
    if value is None:
        return None
    text = "".join(unicodedata.normalize("NFKC", raw).split())
    printed = next((u for u in ("万元", "千元", "亿元", "元") if text.endswith(u)), None)
    unit = printed or unit_of_form
    if unit is None:
        return 0.0 if value == 0 else None
    return float(Decimal(str(value)) * MONEY_SCALE[unit])


def nfkc_key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())
