"""The static dashboard every run writes: ``<data_dir>/reports/index.html``.

Why static: an operator or researcher opens one file, offline, with no server. Why split: the
page itself holds what fits at national scale (the jurisdiction × year grid, source health,
the latest failing checks, trends); each province's report details (organs, provenance) sit in
``dashboard/province-NN.js`` and are loaded only when a cell of that province is clicked, so
2,846 counties × 18 years stay a page of a few MB. ``<script src>`` works from ``file://``
where ``fetch`` does not.
"""

from __future__ import annotations

import html
import json
import os
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds

from pipelines.datasets import Warehouse
from pipelines.tables import STATUS_ORDER

MAX_FAILING_CHECKS = 2000  # listed on the page; the total is always given
# the columns the page and the details show: a national warehouse's tables are never read whole into Python rows
REPORT_COLUMNS = (
    "report_id",
    "report_year",
    "jurisdiction_code",
    "jurisdiction_code_current",
    "jurisdiction_name",
    "organ",
    "title",
    "format",
    "sha256",
    "published_date",
    "source_urls",
    "extractor_version",
    "cells_found",
    "checks_failed",
    "problems",
)
DOCUMENT_COLUMNS = ("report_id", "url", "page_url", "listing_url", "fetched_at")  # of the chosen documents only
DETAIL_DIR = "dashboard"


def _rank(status: str) -> int:
    return STATUS_ORDER.index(status) if status in STATUS_ORDER else -1


def _json(value: Any) -> str:
    """JSON safe to embed in a <script> element."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str).replace("</", "<\\/")


def blob_link(sha256: str | None) -> str | None:
    """The stored bytes, relative to ``<data_dir>/reports/``."""
    return f"../raw/blobs/{sha256[:2]}/{sha256}" if sha256 else None


def dashboard_data(warehouse: Warehouse) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """(page data, province prefix → that province's details), from the warehouse tables."""
    reports = warehouse.read("reports", list(REPORT_COLUMNS)).to_pylist()
    failed = warehouse.read("checks", filter=ds.field("ok") == False).to_pylist()  # noqa: E712 (an expression)
    checks = [c for c in failed if c["severity"] == "error"]  # the form's identities; warnings are counted apart
    documents = warehouse.read("documents", list(DOCUMENT_COLUMNS), ds.field("chosen") == True)  # noqa: E712
    chosen = {d["report_id"]: d for d in documents.to_pylist()}

    grid, details = _coverage_grid(warehouse.read("coverage").to_pylist())
    _add_report_details(details, reports, chosen)
    failing = _failing_checks(checks, reports, chosen, _first_pages(warehouse, {c["report_id"] for c in checks}))
    sources = _latest_sources(warehouse.read("crawl_log").to_pylist())
    trends = _trends(reports)

    years = sorted({int(y) for e in grid.values() for y in e["years"]} | set(trends))
    page = {
        "generated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "summary": {
            "reports": len(reports),
            "jurisdictions": len(grid),
            "checks_failed": len(checks),
            "cross_year_warnings": len(failed) - len(checks),
            "sources": len(sources),
            "sources_broken": sum(1 for s in sources if s["status"] != "ok"),
        },
        "years": years,
        "statuses": list(STATUS_ORDER),
        "grid": sorted(grid.values(), key=lambda e: (e["province"], e["code"])),
        "sources": sources,
        "failing": failing[:MAX_FAILING_CHECKS],
        "failing_total": len(failing),
        "trends": [{"year": y, **trends[y]} for y in sorted(trends)],
    }
    return page, dict(details)


def _coverage_grid(coverage: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Jurisdiction × year with the best status of any organ, and each cell's organs (loaded on demand)."""
    grid: dict[str, dict[str, Any]] = {}
    details: dict[str, dict[str, Any]] = defaultdict(lambda: {"cells": {}, "reports": {}})
    for row in sorted(coverage, key=lambda r: r["year"]):
        code = row["jurisdiction_code_current"] or row["jurisdiction_code"] or "unknown"  # one line through renames
        entry = grid.setdefault(code, {"code": code, "province": row["province"] or "unknown", "years": {}})
        entry["name"] = row["jurisdiction_name"] or code  # the latest year's name
        year = str(row["year"])
        if _rank(row["status"]) > _rank(entry["years"].get(year, "")):
            entry["years"][year] = row["status"]
        details[code[:2]]["cells"].setdefault(f"{code}/{year}", []).append(
            {
                "organ": row["organ"],
                "status": row["status"],
                "report_id": row["report_id"],
                "documents": row["documents"],
                "checks_failed": row["checks_failed"],
            }
        )
    return grid, details


def _add_report_details(
    details: dict[str, dict[str, Any]], reports: list[dict[str, Any]], chosen: dict[str, dict[str, Any]]
) -> None:
    """Each report's provenance, filed under its province so a page loads only the province it shows."""
    for r in reports:
        doc = chosen.get(r["report_id"], {})
        code = r["jurisdiction_code"] or "unknown"
        details[(r["jurisdiction_code_current"] or code)[:2]]["reports"][r["report_id"]] = {
            "title": r["title"],
            "organ": r["organ"],
            "year": r["report_year"],
            "code": code,
            "name": r["jurisdiction_name"],
            "format": r["format"],
            "sha256": r["sha256"],
            "blob": blob_link(r["sha256"]),
            "url": doc.get("url") or (r["source_urls"] or [None])[0],
            "page_url": doc.get("page_url"),
            "listing_url": doc.get("listing_url"),
            "fetched_at": doc.get("fetched_at"),
            "published_date": r.get("published_date"),
            "source_urls": r["source_urls"],
            "extractor_version": r["extractor_version"],
            "cells_found": r["cells_found"],
            "checks_failed": r["checks_failed"],
            "problems": r["problems"],
        }


PageKey = tuple[str, str | None, str | None]


def _first_pages(warehouse: Warehouse, report_ids: set[str]) -> dict[PageKey, int]:
    """The first page each (report, row, column), (report, row) and (report, column) of these reports is printed on
    (only the reports with failing checks: ``cells`` is by far the largest table)."""
    pages: dict[PageKey, int] = {}
    if not report_ids:
        return pages
    wanted = ds.field("report_id").isin(sorted(report_ids)) & ds.field("page").is_valid()
    for c in warehouse.read("cells", ["report_id", "row_key", "col_key", "page"], wanted).to_pylist():
        for key in (
            (c["report_id"], c["row_key"], None),
            (c["report_id"], None, c["col_key"]),
            (c["report_id"], c["row_key"], c["col_key"]),
        ):
            pages[key] = min(pages.get(key, c["page"]), c["page"])
    return pages


def _failing_checks(
    checks: list[dict[str, Any]],
    reports: list[dict[str, Any]],
    chosen: dict[str, dict[str, Any]],
    pages: dict[PageKey, int],
) -> list[dict[str, Any]]:
    """Failed identities, newest year first, each linked to the page of the document where it can be seen."""
    report_by_id = {r["report_id"]: r for r in reports}
    failing = []
    for c in sorted(
        checks, key=lambda c: (-(report_by_id.get(c["report_id"], {}).get("report_year") or 0), c["report_id"])
    ):
        r = report_by_id.get(c["report_id"], {})
        page = (
            pages.get((c["report_id"], c["row_key"], c["col_key"]))
            or pages.get((c["report_id"], c["row_key"], None))
            or pages.get((c["report_id"], None, c["col_key"]))
        )
        url = (chosen.get(c["report_id"]) or {}).get("url")
        failing.append(
            {
                "report_id": c["report_id"],
                "check": c["check_id"],
                "row": c["row_key"],
                "col": c["col_key"],
                "expected": c["expected"],
                "found": c["found"],
                "name": r.get("jurisdiction_name"),
                "organ": r.get("organ"),
                "year": r.get("report_year"),
                "page": page,
                "url": f"{url}#page={page}" if url and page and (r.get("format") == "pdf") else url,
                "blob": blob_link(r.get("sha256")),
            }
        )
    return failing


def _latest_sources(crawl_log: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each source's last crawl, broken ones first."""
    latest: dict[str, dict[str, Any]] = {}
    for row in sorted(crawl_log, key=lambda r: (r["started_at"] is not None, r["started_at"] or 0)):
        latest[row["source_id"]] = row  # the last crawl of each source wins
    return [
        {
            "source": s["source_id"],
            "code": s["jurisdiction_code"],
            "status": s["status"],
            "message": s["message"],
            "requests": s["requests"],
            "documents": s["documents"],
            "errors": s["errors"],
            "when": s["finished_at"],
        }
        for s in sorted(
            latest.values(), key=lambda s: ({"broken": 0, "degraded": 1}.get(s["status"], 2), s["source_id"])
        )
    ]


def _trends(reports: list[dict[str, Any]]) -> dict[int, dict[str, int]]:
    """Per report year: reports, failed checks and distinct jurisdictions."""
    trends: dict[int, dict[str, int]] = defaultdict(lambda: {"reports": 0, "checks_failed": 0, "jurisdictions": 0})
    seen: set[tuple[int, str]] = set()
    for r in reports:
        t = trends[r["report_year"]]
        t["reports"] += 1
        t["checks_failed"] += r["checks_failed"] or 0
        if (r["report_year"], r["jurisdiction_code"]) not in seen:
            seen.add((r["report_year"], r["jurisdiction_code"]))
            t["jurisdictions"] += 1
    return trends


def write_dashboard(warehouse_url: str, out_dir: str | os.PathLike[str]) -> Path:
    """Write ``index.html`` and the province detail files (each atomically) under ``out_dir``."""
    out = Path(out_dir)
    (out / DETAIL_DIR).mkdir(parents=True, exist_ok=True)
    page, details = dashboard_data(Warehouse(warehouse_url))
    for prefix, detail in details.items():
        _write(out / DETAIL_DIR / f"province-{prefix}.js", f"window.OGI_DETAIL[{_json(prefix)}]={_json(detail)};\n")
    template = (Path(__file__).with_name("dashboard.html")).read_text("utf-8")
    index = out / "index.html"
    _write(
        index,
        template.replace("/*OGI_DATA*/null", _json(page)).replace("{{generated}}", html.escape(page["generated"])),
    )
    return index


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, "utf-8")
    os.replace(tmp, path)
