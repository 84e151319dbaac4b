"""The cross-era core: six comparable figures per report, whatever form it printed.

Why a mapping and not a table of its own: the core is derived from the cells a report
prints, by the ``[core.*]`` blocks of ``form.toml`` (which cells make each key in each
form version), so a county can be followed from 2008 on without any figure being re-read.
A value is the sum of its cells; if any of them is missing or blank the value is null,
never a partial sum. ``source`` names the cells (``table:row:col``) or ``text`` when the
figure was read from a sentence (``from_text``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from extractors.schema import CORE_KEYS, SCHEMA

TEXT_SOURCE = "text"


@dataclass(frozen=True)
class CoreValue:
    value: int | float | None
    source: str | None = None  # the cells (" + "-joined table:row:col) or "text"; None when null


def core_values(cells: Iterable[Mapping[str, Any]], versions: Mapping[str, str | None]) -> dict[str, CoreValue]:
    """Every core key from a report's cells (``Cell`` as a dict) and its tables' form versions."""
    index = {(c["table"], c["row"], c["col"]): c for c in cells}
    return {key: _one(key, index, versions) for key in CORE_KEYS}


def _one(key: str, index: dict, versions: Mapping[str, str | None]) -> CoreValue:
    for version, refs in SCHEMA.core[key].items():
        if not all(versions.get(ref.table) == version for ref in refs):
            continue
        parts = SCHEMA.core_cells(key, version) or ()
        found = [index.get(part) for part in parts]
        if not parts or any(c is None or c.get("value") is None for c in found):
            return CoreValue(None)
        total = sum(c["value"] for c in found)  # type: ignore[index]
        if all("from_text" in (c.get("flags") or ()) for c in found):  # type: ignore[union-attr]
            return CoreValue(total, TEXT_SOURCE)
        return CoreValue(total, " + ".join(f"{t}:{r}:{c}" for t, r, c in parts))
    return CoreValue(None)
