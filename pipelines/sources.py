"""The national source registry kept in the data dir: an imported seed list plus override files.

Why a table and not files: 2,846 county-level governments are data, not 2,846 hand-made TOML
files. ``ogi sources import FILE.csv`` reads a seed list (code, path, portal_url,
disclosure_url, … as ``../shared/registry/README.md`` describes) into
``<data_dir>/registry/national.parquet``; the bundled ``data/sources/*.toml`` entries (and any
under ``<data_dir>/registry/overrides/``) override or add single counties. A seed list taken
from public sources is never copied into the repository: it is imported at run time.

Whether a source is *confirmed* is derived from the crawl reports under ``<data_dir>/runs/``
(a crawl that found a report on it, and when), never edited by hand. Only crawls that checked
each document's content count (their entries carry ``classified``): an older crawl counted
notices and templates titled like reports.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.parquet as pq

from extractors.jurisdictions import lookup
from pipelines.crawl_reports import crawl_report_paths, read_crawl_report, source_health
from spiders.registry import DEFAULT_REGISTRY, Source, is_government_host, load_government_ips, load_registry

NATIONAL = "national.parquet"
OVERRIDES = "overrides"
SEED_COLUMNS = ("code", "path", "portal_url", "disclosure_url", "probe_2026_04", "probe_final_url")
# Why a row is listed but not crawled (``status``); ``ok`` rows are crawled.
STATUSES = {
    "ok": "crawled",
    "no_portal": "the seed list gives no portal for this county",
    "ambiguous_host": "the same site is listed for two counties: name the right one in an override file",
    "not_government": "the portal is not on a government host (*.gov.cn or a listed government IP)",
    "unknown_code": "the code is not in the jurisdictions table",
}
_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("jurisdiction_code", pa.string()),
        ("jurisdiction_name", pa.string()),
        ("province_code", pa.string()),
        ("path", pa.string()),
        ("homepage", pa.string()),
        ("columns", pa.list_(pa.string())),
        ("allowed_hosts", pa.list_(pa.string())),
        ("probe", pa.string()),
        ("status", pa.string()),
        ("seed_sha256", pa.string()),
        ("imported_at", pa.string()),
    ]
)


class SeedError(ValueError):
    """A seed list that cannot be read as one (the message says what is wrong)."""


@dataclass
class ImportSummary:
    rows: int
    by_status: dict[str, int]
    path: Path
    problems: list[str] = field(default_factory=list)


def registry_dir(data_dir: str | Path) -> Path:
    return Path(data_dir) / "registry"


def _hosts(*urls: str) -> list[str]:
    """The sites' hosts, each with and without ``www.`` (counties serve both)."""
    out: list[str] = []
    for url in urls:
        host = (urlsplit(url).netloc or "").lower()
        if not host:
            continue
        for h in (host, host[4:] if host.startswith("www.") else f"www.{host}"):
            if h not in out:
                out.append(h)
    return out


def seed_rows(text: str) -> list[dict[str, str]]:
    """The seed list's rows; refuses a file without the columns it needs."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("code", "portal_url") if c not in (reader.fieldnames or ())]
    if missing:
        raise SeedError(
            f"the seed list has no column {', '.join(missing)} (columns: {', '.join(reader.fieldnames or ())})"
        )
    return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]


def national_rows(
    rows: list[dict[str, str]], seed_sha256: str, government_ips: frozenset[str] = frozenset(), now: str | None = None
) -> list[dict[str, Any]]:
    """Seed rows → registry rows: one per code, a start URL and the hosts it may visit, and a status."""
    now = now or datetime.now(timezone.utc).isoformat(timespec="seconds")
    homes: dict[str, str] = {}
    for row in rows:
        homepage = row.get("probe_final_url") or row.get("portal_url") or ""
        if homepage:
            homes[row["code"]] = homepage
    by_host: dict[str, set[str]] = defaultdict(set)
    for code, url in homes.items():
        by_host[(urlsplit(url).hostname or "").removeprefix("www.")].add(code)
    out = []
    for row in rows:
        code = row["code"]
        division = lookup(code)
        homepage = homes.get(code)
        columns = [row["disclosure_url"]] if row.get("disclosure_url") else []
        hosts = _hosts(*(u for u in (homepage, row.get("portal_url"), *columns) if u)) if homepage else []
        if homepage is None:
            status = "no_portal"
        elif len(by_host[(urlsplit(homepage).hostname or "").removeprefix("www.")]) > 1:
            status = "ambiguous_host"
        elif not all(is_government_host(h, government_ips) for h in hosts):
            status = "not_government"
        elif division is None:
            status = "unknown_code"
        else:
            status = "ok"
        out.append(
            {
                "id": f"cn-{code}",
                "jurisdiction_code": code,
                "jurisdiction_name": division.name if division else row.get("path", "").rsplit("/", 1)[-1] or None,
                "province_code": f"{code[:2]}0000",
                "path": row.get("path") or None,
                "homepage": homepage,
                "columns": columns,
                "allowed_hosts": hosts,
                "probe": row.get("probe_2026_04") or None,
                "status": status,
                "seed_sha256": seed_sha256,
                "imported_at": now,
            }
        )
    return out


def import_seed(path: str | Path, data_dir: str | Path) -> ImportSummary:
    """Read a seed list into ``<data_dir>/registry/national.parquet`` (replacing the previous import)."""
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SeedError(f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    rows = seed_rows(text)
    problems = []
    seen: set[str] = set()
    unique = []
    for row in rows:
        code = row.get("code", "")
        if len(code) != 6 or not code.isdigit():
            problems.append(f"skipped a row whose code is not six digits: {code!r}")
        elif code in seen:
            problems.append(f"skipped a second row for {code}")
        else:
            seen.add(code)
            unique.append(row)
    table = national_rows(unique, hashlib.sha256(data).hexdigest(), load_government_ips(DEFAULT_REGISTRY))
    target = registry_dir(data_dir) / NATIONAL
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{NATIONAL}.tmp")
    pq.write_table(pa.Table.from_pylist(table, schema=_SCHEMA), tmp, compression="zstd")
    tmp.replace(target)
    counts: dict[str, int] = defaultdict(int)
    for r in table:
        counts[r["status"]] += 1
    return ImportSummary(len(table), dict(counts), target, problems)


def national_table(data_dir: str | Path) -> list[dict[str, Any]]:
    path = registry_dir(data_dir) / NATIONAL
    return pq.read_table(path).to_pylist() if path.exists() else []


def _as_source(row: dict[str, Any]) -> Source:
    return Source(
        id=row["id"],
        jurisdiction_code=row["jurisdiction_code"],
        jurisdiction_name=row["jurisdiction_name"],
        homepage=row["homepage"],
        columns=tuple(row["columns"] or ()),
        allowed_hosts=tuple(row["allowed_hosts"] or ()),
        notes=f"imported from a seed list ({row['path']})",
    )


def load_sources(data_dir: str | Path, registry: str | Path | None = None) -> dict[str, Source]:
    """Every crawlable source: the imported national table, overridden by the registry's TOML files
    (``registry``, default ``data/sources/``) and ``<data_dir>/registry/overrides/`` for the same county."""
    files = dict(load_registry(registry))
    overrides = registry_dir(data_dir) / OVERRIDES
    if overrides.is_dir():
        files.update(load_registry(overrides))
    covered = {s.jurisdiction_code for s in files.values() if s.jurisdiction_code}
    national = {
        r["id"]: _as_source(r)
        for r in national_table(data_dir)
        if r["status"] == "ok" and r["jurisdiction_code"] not in covered
    }
    return {**national, **files}


@dataclass
class SourceState:
    """What the crawls said about a source (derived from ``runs/crawl-*.json``)."""

    last_crawl: str | None = None
    status: str | None = None
    causes: list[str] = field(default_factory=list)
    reports: int = 0  # reports found by the last crawl
    first_confirmed: str | None = None
    last_confirmed: str | None = None


def crawl_state(data_dir: str | Path) -> dict[str, SourceState]:
    """Per source: last crawl, its health and causes, and when a crawl first and last found a report."""
    states: dict[str, SourceState] = defaultdict(SourceState)
    for path in crawl_report_paths(Path(data_dir) / "runs"):
        report = read_crawl_report(path)
        if report is None:
            continue
        entries = report.get("sources") or []
        if isinstance(entries, dict):
            entries = [{"source_id": k, **v} for k, v in entries.items() if isinstance(v, dict)]
        for entry in entries:
            sid = str(entry.get("source_id") or entry.get("id"))
            when = entry.get("finished_at") or report.get("finished_at") or report.get("started_at")
            state = states[sid]
            if state.last_crawl is not None and when is not None and when < state.last_crawl:
                continue
            found = entry.get("reports_found") or 0
            state.last_crawl, state.status, state.reports = when, source_health(entry), int(found)
            errors = entry.get("errors") or {}
            state.causes = sorted(errors) if isinstance(errors, dict) else []
            if found and "classified" in entry:  # reports told from non-reports by their content (ogi ≥ issue 8)
                state.first_confirmed = state.first_confirmed or when
                state.last_confirmed = when
    return dict(states)


def source_listing(
    data_dir: str | Path, registry: str | Path | None = None, province: str | None = None
) -> list[dict[str, Any]]:
    """One row per county-level source (crawlable or not), with its crawl state, for ``ogi sources``."""
    crawlable = load_sources(data_dir, registry)
    state = crawl_state(data_dir)
    rows: dict[str, dict[str, Any]] = {
        src.id: {
            "source": src.id,
            "jurisdiction_code": src.jurisdiction_code,
            "jurisdiction_name": src.jurisdiction_name,
            "homepage": src.homepage,
            "family": src.cms,
            "status": "ok",
        }
        for src in crawlable.values()
    }
    covered = {src.jurisdiction_code for src in crawlable.values()}
    for row in national_table(data_dir):  # the counties that cannot be crawled as listed, with their reason
        if row["id"] not in rows and row["jurisdiction_code"] not in covered:
            rows[row["id"]] = {
                "source": row["id"],
                "jurisdiction_code": row["jurisdiction_code"],
                "jurisdiction_name": row["jurisdiction_name"],
                "homepage": row["homepage"],
                "family": None,
                "status": row["status"],
            }
    out = []
    for row in rows.values():
        s = state.get(row["source"], SourceState())
        code = row["jurisdiction_code"] or ""
        if province and not code.startswith(province[:2]):
            continue
        out.append(
            {
                **row,
                "confirmed": s.last_confirmed is not None,
                "first_confirmed": s.first_confirmed,
                "last_confirmed": s.last_confirmed,
                "last_crawl": s.last_crawl,
                "health": s.status,
                "causes": s.causes,
                "reports": s.reports,
            }
        )
    return sorted(out, key=lambda r: (r["jurisdiction_code"] or "", r["source"]))


def province_health(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per province: sources, crawlable, crawled, confirmed, broken."""
    by: dict[str, dict[str, Any]] = {}
    for r in rows:
        code = (r["jurisdiction_code"] or "??")[:2]
        p = by.setdefault(
            code,
            {
                "province_code": f"{code}0000",
                "province": None,
                "sources": 0,
                "crawlable": 0,
                "crawled": 0,
                "confirmed": 0,
                "broken": 0,
            },
        )
        division = lookup(f"{code}0000") if code.isdigit() else None
        p["province"] = division.name if division else None
        p["sources"] += 1
        p["crawlable"] += r["status"] == "ok"
        p["crawled"] += r["last_crawl"] is not None
        p["confirmed"] += r["confirmed"]
        p["broken"] += r["health"] == "broken"
    return [by[k] for k in sorted(by)]
