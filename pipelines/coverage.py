"""Coverage: what ogi holds per jurisdiction × organ × year, the cross-year checks, and a picture.

Why: researchers must see gaps (a county with no 2021 report, a department whose
report never extracted) instead of guessing them from missing rows. Pure functions over
small records; the loader writes the result as the ``coverage`` table.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from extractors.jurisdictions import code_in_force, lookup
from pipelines.divisions import describe
from pipelines.tables import STATUS_ORDER

if TYPE_CHECKING:
    import pyarrow as pa

CROSS_YEAR_CHECK = "cross_year.carried_over"


@dataclass(frozen=True)
class Observation:
    """What is held for one (jurisdiction, organ, year): the best status among its documents."""

    jurisdiction_code: str | None
    organ: str
    year: int
    status: str
    documents: int = 1
    report_id: str | None = None
    checks_failed: int = 0
    cross_year_warnings: int = 0
    checks_undecided: int = 0


def cross_year_checks(
    reports: Iterable[tuple[str, str | None, str, int, Mapping[str, tuple[Any, Any]]]],
) -> dict[str, list[dict[str, Any]]]:
    """carried_over(N) = carried_forward(N−1) per organ and applicant column, as warning rows.

    ``reports``: (report_id, jurisdiction_code, organ, year, {col: (carried_over, carried_forward)}).
    Returns check rows keyed by the report of year N; a column is checked only when both
    years print it.
    """
    by_organ: dict[tuple[str | None, str], dict[int, tuple[str, Mapping]]] = {}
    for rid, code, organ, year, carried in reports:
        by_organ.setdefault((code, organ), {})[year] = (rid, carried)
    out: dict[str, list[dict[str, Any]]] = {}
    for years in by_organ.values():
        for year, (rid, carried) in sorted(years.items()):
            if year - 1 not in years:
                continue
            before = years[year - 1][1]
            for col, (over, _) in sorted(carried.items()):
                forward = before.get(col, (None, None))[1]
                if over is None or forward is None:
                    continue
                out.setdefault(rid, []).append(
                    {
                        "check_id": CROSS_YEAR_CHECK,
                        "severity": "warning",
                        "row_key": "carried_over",
                        "col_key": col,
                        "ok": float(over) == float(forward),
                        "expected": float(forward),
                        "found": float(over),
                        "missing": [],
                    }
                )
    return out


def coverage_rows(
    observations: Iterable[Observation],
    names: Mapping[str | None, tuple[str | None, str]],
    years: Iterable[int] | None = None,
    expected: Iterable[tuple[str | None, str]] = (),
) -> list[dict[str, Any]]:
    """The full grid: every (jurisdiction, organ) seen or expected × every year, gaps as not_found.

    ``names``: jurisdiction_code → (jurisdiction name, province). ``years`` defaults to the
    span of the years observed.
    """
    cells: dict[tuple[str | None, str, int], Observation] = {}
    for obs in observations:
        key = (obs.jurisdiction_code, obs.organ, obs.year)
        held = cells.get(key)
        if held is None or STATUS_ORDER.index(obs.status) > STATUS_ORDER.index(held.status):
            docs = obs.documents + (held.documents if held else 0)
            cells[key] = Observation(**{**obs.__dict__, "documents": docs})
        else:
            cells[key] = Observation(**{**held.__dict__, "documents": held.documents + obs.documents})
    seen_years = sorted({y for _, _, y in cells})
    span = (
        sorted(set(years))
        if years is not None
        else (list(range(seen_years[0], seen_years[-1] + 1)) if seen_years else [])
    )
    organs = sorted({(c, o) for c, o, _ in cells} | set(expected), key=lambda k: (k[0] or "", k[1]))
    rows = []
    for code, organ in organs:
        name, province = names.get(code) or (describe(code)["name"], describe(code)["province"])
        for year in span:
            obs = cells.get((code, organ, year))
            in_force = code_in_force(code, year)  # 凤翔区 610305 followed back to 凤翔县 610322 before 2021
            division = lookup(in_force, year) if in_force else None
            rows.append(
                {
                    "jurisdiction_code": in_force,
                    "jurisdiction_code_current": code,
                    "jurisdiction_name": division.name if division else name,
                    "province": province,
                    "organ": organ,
                    "year": year,
                    "status": obs.status if obs else "not_found",
                    "documents": obs.documents if obs else 0,
                    "report_id": obs.report_id if obs else None,
                    "checks_failed": obs.checks_failed if obs else 0,
                    "checks_undecided": obs.checks_undecided if obs else 0,
                    "cross_year_warnings": obs.cross_year_warnings if obs else 0,
                }
            )
    return rows


def summarize(rows: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Cells per status, in status order."""
    counts = dict.fromkeys(STATUS_ORDER, 0)
    for row in rows:
        counts[row["status"]] += 1
    return counts


_COLORS = {"not_found": "#e5e5e5", "fetched": "#f4a261", "extracted": "#e9c46a", "checked": "#2a9d8f"}


LINE = ("province", "jurisdiction_code", "jurisdiction_name", "organ")  # one line of the picture
PICTURE_COLUMNS = (*LINE, "year", "status")  # what the picture reads of `coverage`


def picture_rows(coverage: "pa.Table", max_rows: int = 120) -> tuple[list[dict[str, Any]], list[int], int]:
    """(the rows of the first ``max_rows`` lines, every year, the number of lines) of a ``coverage`` table: a
    national table (millions of cells) is never turned into Python rows to draw 120 lines of it."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not coverage.num_rows:
        return [], [], 0
    keyed = coverage.select(list(LINE)).cast(pa.schema([(k, pa.string()) for k in LINE]))
    key = pc.binary_join_element_wise(*[pc.fill_null(keyed[k], "") for k in LINE], "\x1f")
    lines = sorted(pc.unique(key).to_pylist())
    shown = pc.is_in(key, value_set=pa.array(lines[:max_rows], pa.string()))
    years = sorted(pc.unique(coverage["year"]).to_pylist())
    return coverage.filter(shown).to_pylist(), years, len(lines)


def plot(
    rows: list[Mapping[str, Any]],
    path: str | Path,
    max_rows: int = 120,
    years: list[int] | None = None,
    total_lines: int | None = None,
) -> Path:
    """A PNG of the grid: one line per jurisdiction · organ, one column per year, colour = status. ``years`` and
    ``total_lines``: of the whole table, when ``rows`` hold only the lines shown (:func:`picture_rows`)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    matplotlib.rcParams["font.sans-serif"] = [
        "Noto Sans CJK SC",
        "Noto Sans CJK JP",
        "WenQuanYi Zen Hei",
        "AR PL UMing CN",
        "DejaVu Sans",
    ]
    matplotlib.rcParams["axes.unicode_minus"] = False
    years = years or sorted({r["year"] for r in rows})
    lines = sorted(
        {(r["province"] or "", r["jurisdiction_code"] or "", r["jurisdiction_name"] or "", r["organ"]) for r in rows}
    )
    shown = lines[:max_rows]
    index = {line: i for i, line in enumerate(shown)}
    grid = [[0] * len(years) for _ in shown]
    for r in rows:
        line = (r["province"] or "", r["jurisdiction_code"] or "", r["jurisdiction_name"] or "", r["organ"])
        if line in index:
            grid[index[line]][years.index(r["year"])] = STATUS_ORDER.index(r["status"])
    height = max(2.5, 0.28 * len(shown) + 1.5)
    fig, ax = plt.subplots(figsize=(max(6, 0.7 * len(years) + 5), height))
    cmap = ListedColormap([_COLORS[s] for s in STATUS_ORDER])
    if shown and years:
        ax.imshow(grid, aspect="auto", cmap=cmap, vmin=0, vmax=len(STATUS_ORDER) - 1, interpolation="nearest")
    ax.set_xticks(range(len(years)), [str(y) for y in years])
    ax.set_yticks(range(len(shown)), [f"{c} {n} · {o}" if o != n else f"{c} {n}" for _, c, n, o in shown], fontsize=7)
    ax.set_xticks([x - 0.5 for x in range(1, len(years))], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, len(shown))], minor=True)
    ax.grid(which="minor", color="white", linewidth=1)
    ax.tick_params(which="minor", length=0)
    title = "ogi coverage: jurisdiction · organ × year"
    total_lines = max(total_lines or 0, len(lines))
    if total_lines > max_rows:
        title += f" (first {max_rows} of {total_lines})"
    ax.set_title(title)
    ax.legend(
        handles=[Patch(color=_COLORS[s], label=s) for s in STATUS_ORDER],
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
        fontsize=8,
        frameon=False,
    )
    fig.tight_layout()
    fig.set_layout_engine(None)  # laid out once: the placeholder engine tight_layout leaves makes savefig draw twice
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # missing-glyph warnings when no CJK font is installed
        fig.savefig(out, dpi=110)
    plt.close(fig)
    return out
