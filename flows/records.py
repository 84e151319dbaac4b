"""Run records and source health, read back for ``ogi status``: every run leaves one, a failed run included.

Why files: a run that failed may have had no Prefect API, no warehouse and no load; the
record (``<data_dir>/runs/flow-*.json``, :func:`write_run_summary`, for a completed run and a
failed one alike) is what says what happened. Source health comes
from the crawl reports the spiders leave beside them (``runs/crawl-*.json``).
"""

from __future__ import annotations

import json
import os
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from pipelines.crawl_reports import crawl_report_paths, read_crawl_report, source_health

HEALTH_ORDER = {"broken": 0, "degraded": 1, "ok": 2}


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class RunError(Exception):
    """A failure ogi already put in one sentence (an unusable data dir or warehouse, …)."""


def one_sentence(exc: BaseException) -> str:
    """An exception as one line an operator can act on: the message, the file it concerns, the kind in brackets."""
    if isinstance(exc, RunError):
        return str(exc)
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    if isinstance(exc, OSError) and exc.strerror:
        text = exc.strerror + (f": {exc.filename}" if exc.filename else "")
    else:
        text = next((line.strip() for line in str(exc).splitlines() if line.strip()), "")
    text = " ".join(text.split())[:300]
    return f"{text} ({type(exc).__name__})" if text else type(exc).__name__


def write_run_summary(runs: Path, summary: dict[str, Any]) -> Path:
    """``runs/flow-<time>-<name>.json``: what ``ogi status`` shows (atomic write)."""
    runs.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    path = runs / f"flow-{stamp}-{summary['flow']}-{uuid.uuid4().hex[:6]}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(summary, ensure_ascii=False, indent=2), "utf-8")
    os.replace(tmp, path)
    return path


def write_failed(runs: Path, flow: str, started: str, seconds: float, error: str, **extra: Any) -> Path:
    """The record of a run that failed (same folder and naming as a completed run's)."""
    record = {
        "flow": flow,
        "status": "failed",
        "error": error,
        "started_at": started,
        "finished_at": now(),
        "seconds": round(seconds, 2),
        **extra,
    }
    return write_run_summary(runs, record)


def update(path: Path, **fields: Any) -> dict[str, Any]:
    """Add to a run's record after the flow: the sources it broke, and whether that failed the run."""
    record = json.loads(path.read_text("utf-8"))
    record.update(fields)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(record, ensure_ascii=False, indent=2), "utf-8")
    os.replace(tmp, path)
    return record


def read_runs(runs_dir: Path, last: int = 5) -> list[dict[str, Any]]:
    """The latest ``last`` run records, latest first, in the shape ``ogi status --json`` prints."""
    records = []
    for path in runs_dir.glob("flow-*.json") if runs_dir.is_dir() else ():
        try:
            records.append((json.loads(path.read_text("utf-8")), path))
        except (OSError, ValueError):
            continue
    records.sort(key=lambda rp: (rp[0].get("started_at") or "", rp[1].name), reverse=True)
    out = []
    for rec, path in records[:last]:
        load = rec.get("load") or {}
        out.append(
            {
                "flow": rec.get("flow"),
                "started": rec.get("started_at"),
                "finished": rec.get("finished_at"),
                "status": rec.get("status") or "completed",
                "error": rec.get("error"),
                "seconds": rec.get("seconds"),
                "reports": load.get("reports"),
                "files_written": load.get("written"),
                "checks_failed": load.get("checks_failed"),
                "newly_broken": rec.get("newly_broken") or [],
                "record": str(path),
            }
        )
    return out


def _causes(entry: dict[str, Any]) -> list[str]:
    """Why a source is not ok, as stable codes: the crawl's error kinds (most frequent first), then what it found."""
    errors = entry.get("errors") or {}
    causes = [k for k, _ in sorted(errors.items(), key=lambda kv: (-kv[1], kv[0]))] if isinstance(errors, dict) else []
    if entry.get("reports_found") == 0:
        causes.append("no_reports_found")
    elif any("fewer reports" in str(w) for w in entry.get("warnings") or ()):
        causes.append("fewer_reports")
    return causes


def source_status(runs_dir: Path, exclude: Iterable[str] = ()) -> dict[str, dict[str, Any]]:
    """Per source, from its latest crawl report (skipping ``exclude`` paths): health, causes, when last ok."""
    skip = {str(p) for p in exclude}
    sources: dict[str, dict[str, Any]] = {}
    for path in reversed(crawl_report_paths(runs_dir)):
        if str(path) in skip:
            continue
        report = read_crawl_report(path)
        if report is None:
            continue
        for sid, entry in (report.get("sources") or {}).items():
            health = source_health(entry)
            if sid in sources:
                if health == "ok" and sources[sid]["last_ok"] is None:
                    sources[sid]["last_ok"] = report.get("finished_at")
                continue
            errors = entry.get("errors") or {}
            sources[sid] = {
                "source": sid,
                "status": health,
                "causes": _causes(entry) if health != "ok" else [],
                "crawled_at": report.get("finished_at"),
                "reports_found": entry.get("reports_found"),
                "errors": errors if isinstance(errors, dict) else {},
                "warnings": entry.get("warnings") or [],
                "last_ok": report.get("finished_at") if health == "ok" else None,
            }
    return sources


def newly_broken(runs_dir: Path, this_run: Iterable[str]) -> list[str]:
    """Sources broken in this run's crawl reports that were not broken in their crawl before (or never crawled)."""
    reports = [str(p) for p in this_run]
    if not reports:
        return []
    earlier = {str(p) for p in crawl_report_paths(runs_dir)} - set(reports)
    now_ = source_status(runs_dir, exclude=earlier)
    before = source_status(runs_dir, exclude=reports)
    return sorted(
        sid for sid, e in now_.items() if e["status"] == "broken" and before.get(sid, {}).get("status") != "broken"
    )


def status(data_dir: Path, last: int = 5) -> dict[str, Any]:
    """``ogi status --json``: the latest runs (latest first) and every source, broken first."""
    runs_dir = data_dir / "runs"
    sources = sorted(source_status(runs_dir).values(), key=lambda e: (HEALTH_ORDER.get(e["status"], 0), e["source"]))
    return {"runs": read_runs(runs_dir, last), "sources": sources}
