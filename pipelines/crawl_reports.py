"""Read the crawl reports the spiders leave under ``<data_dir>/runs/`` into ``crawl_log`` rows.

Why tolerant: the crawl report (``runs/crawl-<id>.json``, built by ``spiders.crawl_report``)
is the spiders' contract; this reader takes the per-source numbers it knows and ignores
the rest, so a new field there never breaks a load here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

LATEST = "crawl-latest.json"  # a copy of the newest report, skipped so no crawl counts twice


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, (list, tuple, dict)):
        return len(value)
    return None


def _sources(report: dict[str, Any]) -> list[dict[str, Any]]:
    found = report.get("sources") or []
    if isinstance(found, dict):
        return [{"source_id": k, **(v if isinstance(v, dict) else {})} for k, v in found.items()]
    return [s for s in found if isinstance(s, dict)]


def _errors(entry: dict[str, Any]) -> int:
    errors = entry.get("errors") or {}
    return sum(errors.values()) if isinstance(errors, dict) else (_int(errors) or 0)


def source_health(entry: dict[str, Any]) -> str:
    """broken (nothing found), degraded (errors or warnings such as fewer reports than last time), or ok."""
    if entry.get("status"):
        return str(entry["status"])
    if entry.get("reports_found") == 0:
        return "broken"
    if entry.get("warnings") or _errors(entry):
        return "degraded"
    return "ok"


def _message(entry: dict[str, Any]) -> str | None:
    parts = [str(w) for w in entry.get("warnings") or ()]
    errors = entry.get("errors") or {}
    if isinstance(errors, dict) and errors:
        parts.append("errors: " + ", ".join(f"{k} ×{v}" for k, v in sorted(errors.items())))
    return "; ".join(parts)[:500] or None


def crawl_report_paths(runs_dir: Path) -> list[Path]:
    if not runs_dir.is_dir():
        return []
    return sorted(p for p in runs_dir.glob("crawl-*.json") if p.name != LATEST)


def read_crawl_report(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and "sources" in data else None


def crawl_log_rows(runs_dir: Path) -> Iterator[dict[str, Any]]:
    """One row per source per crawl report, oldest first."""
    for path in crawl_report_paths(runs_dir):
        report = read_crawl_report(path)
        if report is None:
            continue
        crawl_id = str(report.get("crawl_id") or report.get("id") or path.stem)
        for entry in _sources(report):
            docs = entry.get("documents") or {}
            counts = {k: _int(docs.get(k)) if isinstance(docs, dict) else None for k in ("new", "changed", "unchanged")}
            yield {
                "crawl_id": crawl_id,
                "source_id": str(entry.get("source_id") or entry.get("id")),
                "jurisdiction_code": entry.get("jurisdiction_code"),
                "started_at": entry.get("started_at") or report.get("started_at"),
                "finished_at": entry.get("finished_at") or report.get("finished_at"),
                "status": source_health(entry),
                "requests": _int(entry.get("requests")),
                "documents": sum(v or 0 for v in counts.values()) if isinstance(docs, dict) else _int(docs),
                **counts,
                "errors": _errors(entry),
                "message": _message(entry),
                "report_path": str(path),
            }
