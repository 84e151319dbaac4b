"""The crawl report: one JSON file per run under ``<data_dir>/runs/``.

Why: a site redesign shows up as a source that suddenly returns nothing or fewer
reports than last time; the report says so per source, next to its errors by kind,
so an operator can see which counties broke without reading logs.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

from spiders.ledger import CrawlLedger


def previous_reports_found(runs_dir: Path, source_id: str, exclude: str | None = None) -> int | None:
    """``reports_found`` for ``source_id`` in the newest earlier crawl report that crawled it."""
    for path in sorted(runs_dir.glob("crawl-*.json"), reverse=True):
        if path.name == exclude or path.name == "crawl-latest.json":
            continue
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            continue
        entry = data.get("sources", {}).get(source_id)
        if entry is not None:
            return entry.get("reports_found")
    return None


def build(ledger: CrawlLedger, meta: dict[str, Any], runs_dir: Path, filename: str) -> dict[str, Any]:
    sources: dict[str, Any] = {}
    totals: Counter = Counter()
    docs: Counter = Counter()
    errors: Counter = Counter()
    for sid, led in sorted(ledger.sources.items()):
        entry = led.to_dict()
        warnings = []
        found = entry["reports_found"]
        before = previous_reports_found(runs_dir, sid, exclude=filename)
        if found == 0:
            warnings.append("no reports found: the site may be down, redesigned or blocking us")
        elif before is not None and found < before:
            warnings.append(f"fewer reports than last time ({found} < {before}): a redesign or a broken column?")
        entry["previous_reports_found"] = before
        entry["warnings"] = warnings
        sources[sid] = entry
        for key in (
            "requests",
            "pages_fetched",
            "listing_pages",
            "documents_downloaded",
            "bytes_downloaded",
            "reports_found",
        ):
            totals[key] += entry[key]
        docs.update(entry["documents"])
        errors.update(entry["errors"])
    return {
        **meta,
        "sources": sources,
        "totals": {
            "sources": len(sources),
            **dict(totals),
            "documents": {k: docs.get(k, 0) for k in ("new", "changed", "unchanged")},
            "errors": dict(errors),
            "sources_with_errors": sorted(s for s, e in sources.items() if e["errors"]),
            "sources_with_warnings": sorted(s for s, e in sources.items() if e["warnings"]),
        },
    }


def write(report: dict[str, Any], runs_dir: Path, filename: str) -> Path:
    """Write atomically (temp + rename); also refresh ``crawl-latest.json``."""
    runs_dir.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    path = runs_dir / filename
    for target in (path, runs_dir / "crawl-latest.json"):
        tmp = target.with_suffix(".tmp")
        tmp.write_text(text, "utf-8")
        os.replace(tmp, target)
    return path
