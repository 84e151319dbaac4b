"""Load: the raw store + extraction store + crawl reports → every warehouse table.

Why a full recompute with a diff-write: the warehouse is a pure function of what is
stored, so a load recomputes each partition from the stores and the writer
(``pipelines.datasets``) rewrites only the files whose content changed. A rerun writes
nothing; a re-extraction rewrites only the partitions whose rows moved; a backfill of
old years never disturbs the others. Memory stays at one partition's rows: a first pass
keeps a small summary per document, a second builds one partition at a time.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from pipelines import rows as R
from pipelines.coverage import Observation, cross_year_checks, coverage_rows
from pipelines.crawl_reports import crawl_log_rows
from pipelines.datasets import CommitResult, Warehouse
from extractors.jurisdictions import code_in_force, current_code
from pipelines.divisions import describe, division_rows
from pipelines.extracted import ExtractionStore
from pipelines.rawstore import FetchRecord, RawStore
from pipelines.tables import SCHEMA_VERSION

Progress = Callable[[str, int, int], None]
FORMAT_RANK = {"pdf": 3, "docx": 3, "xls": 3, "xlsx": 3, "html": 2, "doc": 2, "wps": 2, "text": 1}
NONE_FOUND = "(none)"  # coverage organ of a crawled jurisdiction that has no document at all
REPORT_TABLES = ("reports", "cells", "requests", "proactive", "appeals", "checks")


@dataclass
class DocSummary:
    """What the loader keeps of one document between its two passes."""

    fetch: FetchRecord
    fetched_at: str
    version: str | None = None
    error: str | None = None
    not_a_report: str | None = None  # what a not_a_report document is instead
    year: int | None = None
    year_source: str | None = None
    code: str | None = None
    organ: str = "unknown"
    publisher_kind: str = "unknown"
    speaks_for: str | None = None  # the jurisdiction whose own government issued it, when one did
    cells_found: int = 0
    checks_failed: int = 0
    checks_undecided: int = 0
    carried: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    @property
    def status(self) -> str:
        return "pending" if self.version is None else ("error" if self.error else "ok")


@dataclass
class ReportGroup:
    report_id: str
    code: str | None
    organ: str
    year: int
    docs: list[DocSummary]
    is_primary: bool = False

    @property
    def chosen(self) -> DocSummary:
        """The richest document: most cells, fewest failed checks, best format, then by hash."""
        return min(
            self.docs,
            key=lambda d: (-d.cells_found, d.checks_failed, -FORMAT_RANK.get(d.fetch.format or "", 0), d.fetch.sha256),
        )


@dataclass
class LoadSummary:
    commit: CommitResult
    documents: int
    pending: int
    errors: int
    reports: int
    checks_failed: int
    checks_undecided: int
    warnings: int


def summarize_document(fetch: FetchRecord, fetched_at: str, entry: tuple[str, dict] | None) -> DocSummary:
    doc = DocSummary(fetch=fetch, fetched_at=fetched_at)
    if entry is None:
        doc.organ = R.organ_key(fetch.organ, None)
        return doc
    doc.version, report = entry
    meta = report.get("report") or {}
    doc.error = (report.get("error") or {}).get("code") if report.get("error") else None
    doc.not_a_report = (report.get("error") or {}).get("reason")
    doc.year = meta.get("report_year") or fetch.report_year
    # the code in force that year (a 2019 report found on 凤翔区's site is 凤翔县's), and one organ key across renames
    doc.code = code_in_force(meta.get("jurisdiction_code") or fetch.jurisdiction_code, doc.year)
    doc.organ = R.organ_across_renames(R.organ_key(meta.get("issuing_body"), fetch.organ), doc.code)
    doc.publisher_kind = meta.get("publisher_kind") or "unknown"
    if doc.publisher_kind == "government" and meta.get("jurisdiction_code"):
        doc.speaks_for = code_in_force(meta["jurisdiction_code"], doc.year)
    doc.year_source = meta.get("year_source") or fetch.year_source or ("listing" if fetch.report_year else None)
    if doc.error is None:
        doc.cells_found = R.cells_found(report)
        doc.checks_failed = sum(1 for c in report.get("checks", ()) if c.get("ok") is False)
        doc.checks_undecided = sum(1 for c in report.get("checks", ()) if c.get("ok") is None)
        doc.carried = R.carried(report)
    return doc


def scan_documents(raw: RawStore, store: ExtractionStore, version: str, progress: Progress | None = None) -> list[DocSummary]:
    """Pass one: a summary of every current document, using the newest extraction stored."""
    first_seen: dict[tuple[str, str], str] = {}
    for f in raw.fetches():
        if f.sha256:
            first_seen.setdefault((f.url, f.sha256), f.fetched_at)
    current = list(raw.documents())
    out = []
    for i, fetch in enumerate(current):
        assert fetch.sha256
        entry = store.latest(fetch.sha256, prefer=version)
        out.append(summarize_document(fetch, first_seen.get((fetch.url, fetch.sha256), fetch.fetched_at), entry))
        if progress and (i % 200 == 0 or i == len(current) - 1):
            progress("scan", i + 1, len(current))
    return out


def group_reports(docs: Iterable[DocSummary]) -> dict[str, ReportGroup]:
    """Documents that extracted with a year → reports keyed by (jurisdiction, organ, year)."""
    groups: dict[str, ReportGroup] = {}
    for doc in docs:
        if doc.status != "ok" or doc.year is None:
            continue
        rid = R.report_id(doc.code, doc.organ, doc.year)
        groups.setdefault(rid, ReportGroup(rid, doc.code, doc.organ, doc.year, [])).docs.append(doc)
    mark_primary(groups.values())
    return groups


def mark_primary(groups: Iterable[ReportGroup]) -> None:
    """``is_primary``: the jurisdiction government's own report for the year (麟游县人民政府's, not its
    departments' or towns'), at most one per jurisdiction and year: the richest when two qualify."""
    best: dict[tuple[str, int], ReportGroup] = {}
    for g in groups:
        chosen = g.chosen
        if chosen.speaks_for is None or chosen.speaks_for != g.code:
            continue
        key = (g.code, g.year)
        if key not in best or (-chosen.cells_found, g.report_id) < (-best[key].chosen.cells_found, best[key].report_id):
            best[key] = g
    for g in best.values():
        g.is_primary = True


def report_row(group: ReportGroup, report: dict[str, Any]) -> dict[str, Any]:
    chosen = group.chosen
    meta = report.get("report") or {}
    div = describe(group.code)
    checks = report.get("checks", ())
    return {
        "report_id": group.report_id,
        "jurisdiction_code": group.code,
        "jurisdiction_code_current": current_code(group.code),
        "jurisdiction_name": div["name"],
        "jurisdiction_level": div["level"],
        "prefecture_code": div["prefecture_code"],
        "prefecture": div["prefecture"],
        "province_code": div["province_code"],
        "organ": group.organ,
        "issuing_body": meta.get("issuing_body"),
        "publisher_kind": meta.get("publisher_kind") or "unknown",
        "is_primary": group.is_primary,
        "year_source": chosen.year_source,
        **{f"form_version_{t}": R.form_version(report, t) for t in ("proactive", "requests", "appeals")},
        "title": meta.get("title") or chosen.fetch.title,
        "published_date": chosen.fetch.published_date,
        "source_urls": sorted({d.fetch.url for d in group.docs}),
        "document_count": len({d.fetch.sha256 for d in group.docs}),
        "sha256": chosen.fetch.sha256,
        "format": report.get("format") or chosen.fetch.format,
        "extractor_version": chosen.version,
        "cells_found": chosen.cells_found,
        "checks_passed": sum(1 for c in checks if c.get("ok") is True),
        "checks_failed": sum(1 for c in checks if c.get("ok") is False),
        "checks_undecided": sum(1 for c in checks if c.get("ok") is None),
        "problems": sorted({p["code"] for p in report.get("problems", ()) if p.get("code")}),
        "schema_version": SCHEMA_VERSION,
    }


def partition_rows(groups: list[ReportGroup], store: ExtractionStore, version: str,
                   warnings: dict[str, list[dict]]) -> dict[str, list[dict[str, Any]]]:
    """Pass two for one partition: the rows of every report table."""
    out: dict[str, list[dict[str, Any]]] = {t: [] for t in REPORT_TABLES}
    for group in sorted(groups, key=lambda g: g.report_id):
        entry = store.latest(group.chosen.fetch.sha256, prefer=version)
        assert entry is not None
        report = entry[1]
        base = {"report_id": group.report_id, "jurisdiction_code": group.code}
        out["reports"].append(report_row(group, report))
        out["cells"] += R.cell_rows(report, base)
        out["requests"] += R.requests_rows(report, base)
        out["proactive"] += R.wide_row(report, "proactive", base)
        out["appeals"] += R.wide_row(report, "appeals", base)
        out["checks"] += R.check_rows(report, base) + [{**base, **w} for w in warnings.get(group.report_id, ())]
    return out


def document_rows(docs: list[DocSummary], groups: dict[str, ReportGroup]) -> list[dict[str, Any]]:
    chosen = {g.chosen.fetch.sha256: rid for rid, g in groups.items()}
    member = {(d.fetch.url, d.fetch.sha256): rid for rid, g in groups.items() for d in g.docs}
    rows = []
    for d in sorted(docs, key=lambda d: (d.fetch.url, d.fetch.sha256)):
        f = d.fetch
        rid = member.get((f.url, f.sha256))
        rows.append(
            {
                "url": f.url, "final_url": f.final_url, "sha256": f.sha256, "kind": f.kind, "format": f.format,
                "size": f.size, "fetched_at": d.fetched_at, "http_status": f.status, "source_id": f.source_id,
                "jurisdiction_code": f.jurisdiction_code, "organ": f.organ, "listing_year": f.report_year,
                "title": f.title, "listing_url": f.listing_url, "page_url": f.page_url, "link_text": f.link_text,
                "published_date": f.published_date, "etag": f.etag, "last_modified": f.last_modified,
                "content_type": f.content_type, "crawl_id": f.crawl_id, "extract_status": d.status,
                "extract_error": d.error, "not_a_report": d.not_a_report, "extractor_version": d.version, "report_id": rid,
                "chosen": rid is not None and chosen.get(f.sha256) == rid,
            }
        )
    return rows


def observations(docs: list[DocSummary], groups: dict[str, ReportGroup],
                 warnings: dict[str, list[dict]]) -> list[Observation]:
    out = []
    for g in groups.values():
        failed = g.chosen.checks_failed
        warned = sum(1 for w in warnings.get(g.report_id, ()) if not w["ok"])
        out.append(Observation(current_code(g.code) or g.code, g.organ, g.year, "checked" if failed == 0 else "extracted",
                               len(g.docs), g.report_id, failed, warned, g.chosen.checks_undecided))
    for d in docs:
        year = d.year or d.fetch.report_year
        if d.status != "ok" and year is not None:
            code = d.code or d.fetch.jurisdiction_code
            out.append(Observation(current_code(code) or code, d.organ, year, "fetched"))
    return out


def load_warehouse(
    data_dir: str | Path,
    warehouse_url: str | None,
    extractor_version: str,
    *,
    load_id: str | None = None,
    coverage_years: Iterable[int] | None = None,
    lock_timeout: float = 600.0,
    progress: Progress | None = None,
) -> LoadSummary:
    """Recompute every table from the stores and commit the partitions that changed."""
    data_dir = Path(data_dir)
    store = ExtractionStore(data_dir / "state" / "extracted")
    with RawStore(data_dir / "raw") as raw:
        docs = scan_documents(raw, store, extractor_version, progress)
    groups = group_reports(docs)
    warnings = cross_year_checks((g.report_id, current_code(g.code) or g.code, g.organ, g.year, g.chosen.carried)
                                 for g in groups.values())  # across renames: one place, one organ
    partitions: dict[tuple[int, str], list[ReportGroup]] = defaultdict(list)
    for g in groups.values():
        partitions[(g.year, describe(g.code)["province"])].append(g)
    warehouse = Warehouse(warehouse_url or data_dir / "warehouse")
    checks_failed = checks_undecided = 0
    with warehouse.load(load_id, lock_timeout=lock_timeout) as load:
        for table in REPORT_TABLES:
            load.own(table)
        for i, key in enumerate(sorted(partitions)):
            tables = partition_rows(partitions[key], store, extractor_version, warnings)
            checks_failed += sum(r["checks_failed"] for r in tables["reports"])
            checks_undecided += sum(r["checks_undecided"] for r in tables["reports"])
            for name, rows in tables.items():
                load.write(name, {"report_year": key[0], "province": key[1]}, rows)
            if progress:
                progress("load", i + 1, len(partitions))
        names = {g.code: (describe(g.code)["name"], describe(g.code)["province"]) for g in groups.values()}
        names.update({d.fetch.jurisdiction_code: (describe(d.fetch.jurisdiction_code)["name"],
                                                  describe(d.fetch.jurisdiction_code)["province"]) for d in docs})
        load.write("documents", None, document_rows(docs, groups))
        load.write("divisions", None, division_rows())
        crawl_log = list(crawl_log_rows(data_dir / "runs"))
        load.write("crawl_log", None, crawl_log)
        obs = observations(docs, groups, warnings)
        held = {o.jurisdiction_code for o in obs}
        crawled = {r["jurisdiction_code"] for r in crawl_log if r["jurisdiction_code"]} - held
        names.update({c: (describe(c)["name"], describe(c)["province"]) for c in crawled})
        expected = [(c, NONE_FOUND) for c in sorted(crawled)]
        load.write("coverage", None, coverage_rows(obs, names, coverage_years, expected))
        commit = load.commit()
    return LoadSummary(
        commit=commit,
        documents=len(docs),
        pending=sum(1 for d in docs if d.status == "pending"),
        errors=sum(1 for d in docs if d.status == "error"),
        reports=len(groups),
        checks_failed=checks_failed,
        checks_undecided=checks_undecided,
        warnings=sum(1 for ws in warnings.values() for w in ws if not w["ok"]),
    )
