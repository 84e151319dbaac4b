"""Division names for a code, from ``extractors.jurisdictions`` (the dated GB/T 2260 list).

Why a wrapper: the warehouse needs names and the province (its partition key) for
every report, and must still load when a code is unknown (development zones have none).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from extractors.jurisdictions import current_code, divisions, lookup
from pipelines.tables import UNKNOWN_PROVINCE

FIELDS = ("name", "level", "prefecture_code", "prefecture", "province_code", "province")


@lru_cache(maxsize=8192)
def describe(code: str | None) -> dict[str, Any]:
    """``{name, level, prefecture_code, prefecture, province_code, province}``; ``province`` is never empty."""
    out: dict[str, Any] = dict.fromkeys(FIELDS)
    found = lookup(code) if code else None
    if found is not None:
        for key in FIELDS:
            value = getattr(found, key)
            out[key] = None if value is None else str(value)
    if not out["province"]:
        out["province"] = UNKNOWN_PROVINCE
    return out


def division_rows() -> list[dict[str, Any]]:
    """The ``divisions`` table: every code with its validity, successor and today's code."""
    return [
        {
            "code": d.code,
            "name": d.name,
            "level": d.level,
            "kind": d.kind,
            "prefecture_code": d.prefecture_code,
            "province_code": d.province_code,
            "province": d.province,
            "valid_from": d.valid_from,
            "valid_to": d.valid_to,
            "successor": d.successor,
            "successors": list(d.successors),
            "current_code": current_code(d.code),
        }
        for d in divisions()
    ]
