"""Load: the raw store + extraction store + crawl reports → every warehouse table.

Why cost in proportion to change: the warehouse is a pure function of what is stored, and
each store keeps a change sequence (the raw manifest's fetch ids, the extraction index's
``seq``). A load first compares those numbers with the ones the previous load recorded in
the warehouse's ``_state.json``: equal means nothing to do, at a cost that does not grow
with the warehouse. Otherwise one pass over the two indexes (no report body is read)
rebuilds the per-document summaries, and only partitions whose signature (the reports in
them, their chosen documents and extractions, their cross-year warnings) changed are
rebuilt from the report bodies; the writer (``pipelines.datasets``) rewrites only files
whose content changed.

Why it never loses data to lost state: a load that would drop more than ``MAX_SHRINK`` of
the warehouse's reports (a deleted manifest, a lost extraction store) stops with the reason
instead, unless ``allow_shrink``; an unreadable extraction batch is quarantined and the load
goes on without it (its documents are extracted again by the next run).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial
from itertools import groupby
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from extractors.jurisdictions import code_in_force, current_code
from extractors.schema import SCHEMA
from extractors.summary import table_cells
from extractors.versions import OGI_VERSION
from pipelines import rows as R
from pipelines.coverage import Observation, coverage_rows, cross_year_checks
from pipelines.crawl_reports import crawl_log_rows, crawl_report_paths
from pipelines.datasets import (
    FILE_NAME,
    CommitResult,
    Load,
    Staged,
    Warehouse,
    columns_to_arrow,
    delta_name,
    stage,
    to_arrow,
)
from pipelines.divisions import describe, division_rows
from pipelines.extracted import CorruptBatch, ExtractionStore, pick_version
from pipelines.loadindex import DocRow, LoadIndex, ReportRow, scope_key
from pipelines.parallel import collector_paused, may_start_workers, ordered_map
from pipelines.quarantine import Quarantine
from pipelines.rawstore import FetchRecord, RawStore
from pipelines.tables import SCHEMA_VERSION, TABLES

Progress = Callable[[str, int, int], None]
FORMAT_RANK = {"pdf": 3, "docx": 3, "xls": 3, "xlsx": 3, "html": 2, "doc": 2, "wps": 2, "text": 1}
NONE_FOUND = "(none)"  # coverage organ of a crawled jurisdiction that has no document at all
REPORT_TABLES = ("reports", "cells", "requests", "proactive", "appeals", "statistics", "core", "checks")
CHUNK = 256  # reports turned into rows (Python dicts) at once, before they become Arrow columns
COLUMNAR = ("cells", "requests", "checks")  # the big tables, built column by column, never as dicts
QUEUED_REPORTS = 10_000  # partitions queued for the load's workers while it writes its other tables
MAX_SHRINK = 0.05  # a load that would drop more than this share of the warehouse's reports stops
MAX_DELTAS = 8  # delta files a partition gathers before an incremental load merges them into one
LARGE_CHANGE = 2000  # changed documents beyond which (and beyond a fifth of the warehouse) a load is a full one
PARALLEL_MIN = 1000  # reports to rebuild from which a load builds partitions in worker processes (start-up ~1 s)


COUNTS = {"documents", "pending", "errors", "reports", "checks_failed", "checks_undecided", "warnings"}


class ShrinkRefused(RuntimeError):
    """The load would drop more reports than allowed: most likely local state went missing."""


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
    skipped: bool = False  # nothing changed since the last load: no report was read
    partitions_rebuilt: int = 0
    quarantined: list[str] = field(default_factory=list)

    def as_record(self, seconds: float) -> dict[str, Any]:
        """The load's part of a run record (``data/runs/flow-*.json``; ``ogi status`` and the run summary read it)."""
        c = self.commit
        return {
            "seconds": round(seconds, 2),
            "skipped": self.skipped,
            "partitions_rebuilt": self.partitions_rebuilt,
            "quarantined": self.quarantined,
            "load_id": c.load_id,
            "written": len(c.written),
            "deleted": len(c.deleted),
            "unchanged": c.unchanged,
            "recovered": c.recovered,
            "documents": self.documents,
            "pending": self.pending,
            "errors": self.errors,
            "reports": self.reports,
            "checks_failed": self.checks_failed,
            "checks_undecided": self.checks_undecided,
            "cross_year_warnings": self.warnings,
            "tables_written": sorted({p.split("/", 1)[0] for p in c.written}),
        }


def summarize_document(fetch: FetchRecord, fetched_at: str, version: str | None, summary: dict | None) -> DocSummary:
    """A document's summary from its fetch and its extraction's index summary (``summary.report_summary``)."""
    doc = DocSummary(fetch=fetch, fetched_at=fetched_at)
    if summary is None:
        doc.organ = R.organ_key(fetch.organ, None)
        return doc
    doc.version = version
    doc.error = summary["error"]
    doc.not_a_report = summary["not_a_report"]
    doc.year = summary["report_year"] or fetch.report_year
    # the code in force that year (a 2019 report found on 凤翔区's site is 凤翔县's), and one organ key across renames
    doc.code = code_in_force(summary["jurisdiction_code"] or fetch.jurisdiction_code, doc.year)
    doc.organ = R.organ_across_renames(R.organ_key(summary["issuing_body"], fetch.organ), doc.code)
    doc.publisher_kind = summary["publisher_kind"] or "unknown"
    if doc.publisher_kind == "government" and summary["jurisdiction_code"]:
        doc.speaks_for = code_in_force(summary["jurisdiction_code"], doc.year)
    doc.year_source = summary["year_source"] or fetch.year_source or ("listing" if fetch.report_year else None)
    if doc.error is None:
        doc.cells_found = summary["cells_found"]
        doc.checks_failed = summary["checks_failed"]
        doc.checks_undecided = summary["checks_undecided"]
        doc.carried = {k: tuple(v) for k, v in summary["carried"].items()}
    return doc


def _entries_by_sha(store: ExtractionStore) -> Iterator[tuple[str, dict[str, dict]]]:
    for sha, items in groupby(store.summaries(), key=lambda t: t[0]):
        yield sha, {version: summary for _, version, summary in items}


def scan_documents(
    raw: RawStore, store: ExtractionStore, version: str, progress: Progress | None = None
) -> list[DocSummary]:
    """Pass one: a summary of every current document, from the two indexes (both ordered by sha256, merged)."""
    entries = _entries_by_sha(store)
    here: tuple[str, dict[str, dict]] | None = next(entries, None)
    out = []
    for fetch, first_seen in raw.current():
        sha = fetch.sha256
        assert sha
        while here is not None and here[0] < sha:
            here = next(entries, None)
        found = here[1] if here is not None and here[0] == sha else None
        chosen = pick_version(found, version) if found else None
        summary = found[chosen] if found and chosen else None
        out.append(summarize_document(fetch, first_seen or fetch.fetched_at, chosen, summary))
    if progress:
        progress("scan", len(out), len(out))
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
    groups = list(groups)
    best = choose_primary((g.code, g.year, g.chosen.cells_found, g.report_id) for g in groups if is_candidate(g))
    for g in groups:
        g.is_primary = best.get((g.code, g.year)) == g.report_id


def is_candidate(g: ReportGroup) -> bool:
    """Issued by the jurisdiction's own government: it may be the jurisdiction's primary report."""
    return g.chosen.speaks_for is not None and g.chosen.speaks_for == g.code


def choose_primary(candidates: Iterable[tuple[str | None, int, int, str]]) -> dict[tuple[str | None, int], str]:
    """(code, year, cells found, report id) of every candidate → the primary report id per (code, year): the
    richest, then the lowest id."""
    best: dict[tuple[str | None, int], tuple[int, str]] = {}
    for code, year, cells, rid in candidates:
        key = (code, year)
        if key not in best or (-cells, rid) < best[key]:
            best[key] = (-cells, rid)
    return {key: rid for key, (_, rid) in best.items()}


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
        **{f"form_version_{t}": R.form_version(report, t) for t in SCHEMA.tables},
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


def partition_rows(
    groups: list[ReportGroup], store: ExtractionStore, warnings: dict[str, list[dict]]
) -> dict[str, Any]:
    """Pass two for some reports of one partition: the rows of every report table (those of :data:`COLUMNAR` as
    columns)."""
    out: dict[str, Any] = {t: [] for t in REPORT_TABLES}
    for name in COLUMNAR:  # columns, not rows: ``rows.cell_columns``, ``requests_columns``, ``check_columns``
        out[name] = {}
    for group in groups:
        chosen = group.chosen
        assert chosen.fetch.sha256 and chosen.version
        report = store.get(chosen.fetch.sha256, chosen.version)
        base = {"report_id": group.report_id, "jurisdiction_code": group.code}
        out["reports"].append(report_row(group, report))
        R.cell_columns(report, base, out["cells"])
        grouped = table_cells(report)
        R.requests_columns(report, base, out["requests"], grouped)
        out["proactive"] += R.wide_row(report, "proactive", base, grouped)
        out["appeals"] += R.wide_row(report, "appeals", base, grouped)
        for name, era in R.era_rows(report, base, grouped).items():
            out[name] += era
        R.check_columns(report, base, out["checks"], warnings.get(group.report_id, ()))
    return out


def partition_tables(
    groups: list[ReportGroup], store: ExtractionStore, warnings: dict[str, list[dict]]
) -> dict[str, pa.Table]:
    """One partition's tables, built ``CHUNK`` reports at a time: a national partition (thousands of reports,
    a million cells) is never a list of Python dicts at once."""
    ordered = sorted(groups, key=lambda g: g.report_id)
    parts: dict[str, list[pa.Table]] = {t: [] for t in REPORT_TABLES}
    for i in range(0, len(ordered), CHUNK):
        for name, rows in partition_rows(ordered[i : i + CHUNK], store, warnings).items():
            parts[name].append(
                columns_to_arrow(TABLES[name], rows) if name in COLUMNAR else to_arrow(TABLES[name], rows)
            )
    return {name: pa.concat_tables(tables) if tables else to_arrow(TABLES[name], []) for name, tables in parts.items()}


_WORKER: dict[str, Any] = {}  # a load worker's own extraction store and warehouse


def _open_worker(store_root: str, warehouse_url: str) -> None:
    _WORKER["store"] = ExtractionStore(store_root)
    _WORKER["warehouse"] = Warehouse(warehouse_url)


@dataclass
class PartitionWork:
    """One partition to build and stage: its reports, their cross-year warnings, and the hashes of its files in
    place (a file whose content did not change is not staged again)."""

    partition: dict[str, Any]
    groups: list[ReportGroup]
    warnings: dict[str, list[dict]]
    current: dict[str, str | None]


def build_and_stage(work: PartitionWork, store: ExtractionStore, warehouse: Warehouse, load_id: str) -> list[Staged]:
    tables = partition_tables(work.groups, store, work.warnings)
    return [stage(warehouse, load_id, t, work.partition, data, work.current[t]) for t, data in tables.items()]


def _in_worker(job: tuple[PartitionWork, str]) -> list[Staged]:
    with collector_paused():
        return build_and_stage(job[0], _WORKER["store"], _WORKER["warehouse"], job[1])


def built_partitions(
    work: list[PartitionWork],
    store: ExtractionStore,
    load: Load,
    workers: int,
    meanwhile: Callable[[], None] | None = None,
) -> Iterator[list[Staged]]:
    """Each partition's files, built and staged in order; by ``workers`` processes when there are enough reports to
    pay for their start (a year of a warehouse is a minute of single-core work) and they can reach the warehouse
    (not an in-memory one), while this process records what they staged. ``meanwhile``: this process's own work,
    called once, while the workers build the first :data:`QUEUED_REPORTS` reports' partitions (first, when alone)."""
    shared = "memory" not in load.wh.fs.protocol
    reports = sum(len(w.groups) for w in work)
    if workers <= 1 or reports < PARALLEL_MIN or not shared or not may_start_workers():
        if meanwhile is not None:
            meanwhile()
        for item in work:
            yield build_and_stage(item, store, load.wh, load.load_id)
        return
    window = max(2 * workers, QUEUED_REPORTS * len(work) // reports)
    jobs = ((item, load.load_id) for item in work)
    yield from ordered_map(_in_worker, jobs, workers, _open_worker, (str(store.root), load.wh.url), window, meanwhile)


def document_rows(docs: list[DocSummary], groups: dict[str, ReportGroup]) -> list[dict[str, Any]]:
    chosen = {g.chosen.fetch.sha256: rid for rid, g in groups.items()}
    member = {(d.fetch.url, d.fetch.sha256): rid for rid, g in groups.items() for d in g.docs}
    rows = []
    for d in sorted(docs, key=lambda d: (d.fetch.url, d.fetch.sha256)):
        f = d.fetch
        rid = member.get((f.url, f.sha256))
        rows.append(
            {
                "url": f.url,
                "final_url": f.final_url,
                "sha256": f.sha256,
                "kind": f.kind,
                "format": f.format,
                "size": f.size,
                "fetched_at": d.fetched_at,
                "http_status": f.status,
                "source_id": f.source_id,
                "jurisdiction_code": f.jurisdiction_code,
                "organ": f.organ,
                "listing_year": f.report_year,
                "title": f.title,
                "listing_url": f.listing_url,
                "page_url": f.page_url,
                "link_text": f.link_text,
                "published_date": f.published_date,
                "etag": f.etag,
                "last_modified": f.last_modified,
                "content_type": f.content_type,
                "crawl_id": f.crawl_id,
                "extract_status": d.status,
                "extract_error": d.error,
                "not_a_report": d.not_a_report,
                "extractor_version": d.version,
                "report_id": rid,
                "chosen": rid is not None and chosen.get(f.sha256) == rid,
            }
        )
    return rows


def observations(
    docs: list[DocSummary], groups: dict[str, ReportGroup], warnings: dict[str, list[dict]]
) -> list[Observation]:
    out = []
    for g in groups.values():
        failed = g.chosen.checks_failed
        warned = sum(1 for w in warnings.get(g.report_id, ()) if not w["ok"])
        out.append(
            Observation(
                current_code(g.code) or g.code,
                g.organ,
                g.year,
                "checked" if failed == 0 else "extracted",
                len(g.docs),
                g.report_id,
                failed,
                warned,
                g.chosen.checks_undecided,
            )
        )
    for d in docs:
        year = d.year or d.fetch.report_year
        if d.status != "ok" and year is not None:
            code = d.code or d.fetch.jurisdiction_code
            out.append(Observation(current_code(code) or code, d.organ, year, "fetched"))
    return out


def partition_signature(groups: list[ReportGroup], signatures: dict[str, str]) -> str:
    """Everything a partition's rows depend on besides the report bodies (named by sha256 + version): its reports'
    signatures (:func:`group_signature`, made once per load); the ogi version too, so an upgrade (new division data,
    new row logic) rebuilds every partition once."""
    ids = sorted(g.report_id for g in groups)
    return hashlib.sha256(_canonical([OGI_VERSION, SCHEMA_VERSION, [signatures[i] for i in ids]])).hexdigest()


def group_item(g: ReportGroup, warnings: dict[str, list[dict]]) -> list:
    """Everything one report's rows depend on besides its body."""
    c = g.chosen
    return [
        g.report_id,
        c.fetch.sha256,
        c.version,
        c.fetch.title,
        c.fetch.published_date,
        c.fetch.format,
        c.year_source,
        sorted({d.fetch.url for d in g.docs}),
        len({d.fetch.sha256 for d in g.docs}),
        c.cells_found,
        c.checks_failed,
        c.checks_undecided,
        g.is_primary,
        warnings.get(g.report_id, []),
    ]


def group_signature(g: ReportGroup, warnings: dict[str, list[dict]]) -> str:
    return hashlib.sha256(_canonical(group_item(g, warnings))).hexdigest()


def report_signatures(groups: dict[str, ReportGroup], warnings: dict[str, list[dict]]) -> dict[str, str]:
    """report id → :func:`group_signature`: made once per load, for the load index and the partitions' signatures."""
    return {rid: group_signature(g, warnings) for rid, g in groups.items()}


def _canonical(value: Any) -> bytes:
    """One JSON text per value (keys sorted), to hash."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=str)


def crawl_signature(runs: Path) -> str:
    """The crawl reports a load would read, by name, size and time (their content is read only when these change)."""
    items = [[p.name, p.stat().st_size, p.stat().st_mtime_ns] for p in crawl_report_paths(runs)]
    return hashlib.sha256(json.dumps(items).encode()).hexdigest()


def load_inputs(
    raw: RawStore, store: ExtractionStore, version: str, runs: Path, coverage_years: Iterable[int] | None
) -> dict[str, Any]:
    """What a load reads, in a few numbers: equal to the last load's means there is nothing to do."""
    return {
        "raw": [raw.epoch, *raw.sequence()],
        "extracted": [store.epoch, *store.sequence()],
        "version": version,
        "crawl_reports": crawl_signature(runs),
        "schema_version": SCHEMA_VERSION,
        "ogi_version": OGI_VERSION,
        "coverage_years": sorted(coverage_years) if coverage_years else None,
    }


def check_shrink(before: int, after: int, documents: int, pending: int, allow_shrink: bool, max_share: float) -> None:
    """Stop a load that would drop more than ``max_share`` of the reports, saying what is missing."""
    if allow_shrink or before == 0 or before - after <= before * max_share:
        return
    raise ShrinkRefused(
        f"this load would drop {before - after} of the warehouse's {before} reports ({(before - after) / before:.0%}, "
        f"more than the {max_share:.0%} allowed): the raw store lists {documents} documents, {pending} of them "
        "without an extraction. Nothing was changed. If local state was lost (the raw manifest or the extraction "
        "store), `ogi doctor --repair` rebuilds the manifest from the warehouse and the next run re-extracts; "
        "if the drop is intended, run again with --allow-shrink."
    )


def load_warehouse(
    data_dir: str | Path,
    warehouse_url: str | None,
    extractor_version: str,
    *,
    load_id: str | None = None,
    coverage_years: Iterable[int] | None = None,
    lock_timeout: float = 600.0,
    progress: Progress | None = None,
    allow_shrink: bool = False,
    max_shrink: float = MAX_SHRINK,
    incremental: bool = True,
    workers: int = 1,
) -> LoadSummary:
    """Commit the partitions whose inputs changed since the last load (nothing at all when nothing changed).

    ``incremental``: find the change from the stores' sequences and the load index (the default); without it,
    read both stores' indexes in full (what any load does when the load index does not match the warehouse).
    ``workers``: processes that turn report bodies into a full load's partitions (the flows pass their jobs)."""
    data_dir = Path(data_dir)
    quarantine = Quarantine(data_dir / "quarantine")
    warehouse = Warehouse(warehouse_url or data_dir / "warehouse", quarantine=quarantine)
    with (
        ExtractionStore(data_dir / "state" / "extracted", quarantine) as store,
        LoadIndex(data_dir / "state" / "load.sqlite") as index,
        collector_paused(),
    ):
        for _ in range(10):
            try:
                summary = _load(
                    data_dir,
                    warehouse,
                    store,
                    index,
                    extractor_version,
                    load_id,
                    coverage_years,
                    lock_timeout,
                    progress,
                    allow_shrink,
                    max_shrink,
                    incremental,
                    workers,
                )
                break
            except CorruptBatch as exc:  # set it aside and load without it
                index.rollback()
                store.drop_batch(exc.path, str(exc))
        else:
            raise RuntimeError("too many unreadable extraction batches; run `ogi doctor`")
    summary.quarantined = [f"{path}: {why}" for path, why in quarantine.moved]
    return summary


def _unchanged(previous: dict[str, Any] | None, inputs: dict[str, Any]) -> bool:
    """The last load read these same inputs (and recorded every count): a load now has nothing to do."""
    return isinstance(previous, dict) and previous.get("inputs") == inputs and set(previous.get("counts", ())) == COUNTS


def load_is_current(
    data_dir: str | Path, warehouse_url: str | None, extractor_version: str, coverage_years: Iterable[int] | None = None
) -> dict[str, int] | None:
    """The last load's counts when a load now would change nothing: no interrupted load to complete, and the same
    inputs as the last load read (:func:`load_inputs`); else None (the load itself then decides).

    It takes no lock and writes nothing: the no-change nightly asks it before it starts an engine
    (``flows.worklist.quiet_night``), under the run lock, which keeps other ogi runs of this data dir out."""
    data_dir = Path(data_dir)
    warehouse = Warehouse(warehouse_url or data_dir / "warehouse")
    if warehouse.interrupted:
        return None
    previous = warehouse.state(set_aside=False)  # unreadable: None, and the load sets it aside
    with RawStore(data_dir / "raw") as raw, ExtractionStore(data_dir / "state" / "extracted") as store:
        inputs = load_inputs(raw, store, extractor_version, data_dir / "runs", coverage_years)
    return dict(previous["counts"]) if _unchanged(previous, inputs) else None


class NeedFull(Exception):
    """The change cannot be applied partition by partition (a file it must read is unreadable, the warehouse gains its
    first years, too much changed): load in full."""


def _load(
    data_dir: Path,
    warehouse: Warehouse,
    store: ExtractionStore,
    index: LoadIndex,
    version: str,
    load_id: str | None,
    coverage_years: Iterable[int] | None,
    lock_timeout: float,
    progress: Progress | None,
    allow_shrink: bool,
    max_shrink: float,
    incremental: bool,
    workers: int,
) -> LoadSummary:
    with warehouse.load(load_id, lock_timeout=lock_timeout, scan=False) as load:
        with RawStore(data_dir / "raw") as raw:
            inputs = load_inputs(raw, store, version, data_dir / "runs", coverage_years)
            previous = warehouse.state()
            if _unchanged(previous, inputs) and not warehouse.lost_journal:
                nothing = CommitResult(load.load_id, recovered=load.recovered)
                return LoadSummary(nothing, skipped=True, **previous["counts"])
            index.begin()
            try:
                if incremental and _can_follow(previous, inputs, index, warehouse):
                    try:
                        return _incremental(
                            load,
                            raw,
                            store,
                            index,
                            version,
                            previous,
                            inputs,
                            data_dir,
                            allow_shrink,
                            max_shrink,
                            progress,
                        )
                    except NeedFull:
                        load.reset()
                        index.rollback()
                        index.begin()
                docs = scan_documents(raw, store, version, progress)
                return _full(
                    load,
                    store,
                    index,
                    docs,
                    previous,
                    inputs,
                    data_dir,
                    coverage_years,
                    allow_shrink,
                    max_shrink,
                    progress,
                    workers,
                )
            finally:
                index.rollback()  # a no-op after a commit


def _can_follow(previous: dict | None, inputs: dict[str, Any], index: LoadIndex, warehouse: Warehouse) -> bool:
    """Whether this load may start from the last one: same stores (epochs), versions and settings, sequences that
    only moved forward, and the load index the last load committed."""
    if not previous or warehouse.lost_journal or set(previous.get("counts", ())) != COUNTS:
        return False
    if not previous.get("index") or previous["index"] != index.token or previous.get("span") is None:
        return False
    before = previous.get("inputs") or {}
    same = ("version", "schema_version", "ogi_version", "coverage_years")
    if any(before.get(k) != inputs[k] for k in same) or inputs["coverage_years"] is not None:
        return False
    return all(
        before.get(k) and before[k][0] == inputs[k][0] and before[k][1] <= inputs[k][1] for k in ("raw", "extracted")
    )


def doc_scope(d: DocSummary) -> str:
    """The report scope a document belongs to: its jurisdiction (today's code) and organ."""
    code = d.code or d.fetch.jurisdiction_code
    return scope_key(current_code(code) or code, d.organ)


def group_scope(g: ReportGroup) -> str:
    return scope_key(current_code(g.code) or g.code, g.organ)


def coverage_year(d: DocSummary) -> int | None:
    """The year of the document's coverage cell (see :func:`observations`), None when it has none."""
    return d.year if d.status == "ok" else (d.year or d.fetch.report_year)


def _doc_rows(docs: Iterable[DocSummary], groups: dict[str, ReportGroup]) -> Iterator[DocRow]:
    member = {d.fetch.url: rid for rid, g in groups.items() for d in g.docs}
    for d in docs:
        assert d.fetch.sha256
        yield DocRow(d.fetch.url, d.fetch.sha256, doc_scope(d), coverage_year(d), d.status, member.get(d.fetch.url))


def _report_rows(
    groups: Iterable[ReportGroup],
    warnings: dict[str, list[dict]],
    signatures: dict[str, str],
    files: dict[str, str] | None = None,
) -> Iterator[ReportRow]:
    for g in groups:
        c = g.chosen
        yield ReportRow(
            g.report_id,
            group_scope(g),
            g.code,
            g.year,
            describe(g.code)["province"],
            signatures[g.report_id],
            is_candidate(g),
            c.cells_found,
            g.is_primary,
            c.checks_failed,
            c.checks_undecided,
            sum(1 for w in warnings.get(g.report_id, ()) if not w["ok"]),
            (files or {}).get(g.report_id, FILE_NAME),
        )


def _commit(load: Load, index: LoadIndex, state: dict[str, Any]) -> CommitResult:
    """The warehouse first, then the load index that matches it (a crash between the two: the tokens differ and
    the next load is a full one)."""
    lo, hi = index.year_span()
    token = index.new_token()
    commit = load.commit(state={**state, "index": token, "span": [lo, hi]})
    index.commit(token)
    return commit


def _whole_tables(
    load: Load,
    index: LoadIndex,
    docs: list[DocSummary],
    groups: dict[str, ReportGroup],
    warnings: dict[str, list[dict]],
    signatures: dict[str, str],
    data_dir: Path,
    coverage_years: Iterable[int] | None,
) -> None:
    """A full load's tables that are not per report (``documents``, ``divisions``, ``crawl_log``, ``coverage``) and
    its index (in the index's open transaction: nothing is committed before the warehouse)."""
    names = {g.code: (describe(g.code)["name"], describe(g.code)["province"]) for g in groups.values()}
    names.update(
        {
            d.fetch.jurisdiction_code: (
                describe(d.fetch.jurisdiction_code)["name"],
                describe(d.fetch.jurisdiction_code)["province"],
            )
            for d in docs
        }
    )
    rows = document_rows(docs, groups)
    spec = TABLES["documents"]
    load.write_batches(
        "documents", None, (to_arrow(spec, rows[i : i + 20 * CHUNK]) for i in range(0, len(rows), 20 * CHUNK))
    )
    del rows
    load.write("divisions", None, division_rows())
    crawl_log = list(crawl_log_rows(data_dir / "runs"))
    load.write("crawl_log", None, crawl_log)
    obs = observations(docs, groups, warnings)
    held = {o.jurisdiction_code for o in obs}
    crawled_codes = {r["jurisdiction_code"] for r in crawl_log if r["jurisdiction_code"]}
    crawled = crawled_codes - held
    names.update({c: (describe(c)["name"], describe(c)["province"]) for c in crawled})
    expected = [(c, NONE_FOUND) for c in sorted(crawled)]
    cov = coverage_rows(obs, names, coverage_years, expected)
    load.write_batches(
        "coverage",
        None,
        (to_arrow(TABLES["coverage"], cov[i : i + 20 * CHUNK]) for i in range(0, len(cov), 20 * CHUNK)),
    )
    del cov
    index.clear()
    index.put_docs(_doc_rows(docs, groups))
    index.put_reports(_report_rows(groups.values(), warnings, signatures))
    index.set_crawled(crawled_codes)


def _full(
    load: Load,
    store: ExtractionStore,
    index: LoadIndex,
    docs: list[DocSummary],
    previous: dict | None,
    inputs: dict[str, Any],
    data_dir: Path,
    coverage_years: Iterable[int] | None,
    allow_shrink: bool,
    max_shrink: float,
    progress: Progress | None,
    workers: int = 1,
) -> LoadSummary:
    """Every partition from both stores' indexes; report bodies read only where a partition's signature moved."""
    load.scan()
    warehouse = load.wh
    groups = group_reports(docs)
    warnings = cross_year_checks(
        (g.report_id, current_code(g.code) or g.code, g.organ, g.year, g.chosen.carried) for g in groups.values()
    )  # across renames: one place, one organ
    signatures = report_signatures(groups, warnings)
    partitions: dict[tuple[int, str], list[ReportGroup]] = defaultdict(list)
    for g in groups.values():
        partitions[(g.year, describe(g.code)["province"])].append(g)
    before = previous["counts"]["reports"] if previous else warehouse.row_count("reports")
    pending = sum(1 for d in docs if d.status == "pending")
    check_shrink(before, len(groups), len(docs), pending, allow_shrink, max_shrink)
    known = previous.get("partitions", {}) if previous and not warehouse.lost_journal else {}
    state_parts: dict[str, list] = {}
    checks_failed = checks_undecided = 0
    for table in REPORT_TABLES:
        load.own(table)
    rebuild: list[tuple[tuple[int, str], str]] = []
    for key in sorted(partitions, key=lambda k: (k[1], k[0])):  # province-major: a worker's row groups stay warm
        part = {"report_year": key[0], "province": key[1]}
        name = f"{key[0]}/{key[1]}"
        signature = partition_signature(partitions[key], signatures)
        checks_failed += sum(g.chosen.checks_failed for g in partitions[key])
        checks_undecided += sum(g.chosen.checks_undecided for g in partitions[key])
        old = known.get(name)
        if old and old[0] == signature and all(load.has(t, part) for t in old[1]):
            for t in REPORT_TABLES:
                load.keep(t, part)
            state_parts[name] = old
        else:
            rebuild.append((key, signature))
    kept = len(partitions) - len(rebuild)
    work = []
    for key, _ in rebuild:
        part = {"report_year": key[0], "province": key[1]}
        members = partitions[key]
        mine = {g.report_id: warnings[g.report_id] for g in members if g.report_id in warnings}
        work.append(PartitionWork(part, members, mine, {t: load.current_hash(t, part) for t in REPORT_TABLES}))
    # the load's own work, done while its workers build the first partitions
    whole_tables = partial(_whole_tables, load, index, docs, groups, warnings, signatures, data_dir, coverage_years)
    built = built_partitions(work, store, load, workers, meanwhile=whole_tables)
    for i, ((key, signature), files) in enumerate(zip(rebuild, built)):
        for staged in files:
            load.accept(staged)
        state_parts[f"{key[0]}/{key[1]}"] = [signature, sorted(f.table for f in files if f.rows)]
        if progress:
            progress("load", kept + i + 1, len(partitions))
    counts = {
        "documents": len(docs),
        "pending": pending,
        "errors": sum(1 for d in docs if d.status == "error"),
        "reports": len(groups),
        "checks_failed": checks_failed,
        "checks_undecided": checks_undecided,
        "warnings": sum(1 for ws in warnings.values() for w in ws if not w["ok"]),
    }
    commit = _commit(load, index, {"inputs": inputs, "counts": counts, "partitions": state_parts})
    return LoadSummary(commit=commit, partitions_rebuilt=len(rebuild), **counts)


def _summaries(raw: RawStore, store: ExtractionStore, version: str, urls: Iterable[str]) -> dict[str, DocSummary]:
    """The current summary of each of ``urls``, from the two indexes (key lookups only)."""
    current = list(raw.current_of(urls))
    found = store.summaries_of({f.sha256 for f, _ in current if f.sha256})
    out = {}
    for fetch, first_seen in current:
        entries = found.get(fetch.sha256 or "")
        chosen = pick_version(entries, version) if entries else None
        out[fetch.url] = summarize_document(
            fetch, first_seen or fetch.fetched_at, chosen, entries[chosen] if chosen else None
        )
    return out


def _incremental(
    load: Load,
    raw: RawStore,
    store: ExtractionStore,
    index: LoadIndex,
    version: str,
    previous: dict[str, Any],
    inputs: dict[str, Any],
    data_dir: Path,
    allow_shrink: bool,
    max_shrink: float,
    progress: Progress | None,
) -> LoadSummary:
    """Only what changed since the last load: the documents fetched or extracted since its sequence numbers →
    their report scopes (jurisdiction + organ, every year) → the reports whose signature moved → their partitions,
    each rewritten from its own rows minus those reports plus their new rows. ``documents`` and ``coverage`` are
    streamed through once, a row group at a time."""
    urls = set(raw.changed(previous["inputs"]["raw"][1]))
    urls |= index.urls_of_shas(store.changed_since(previous["inputs"]["extracted"][1]))
    if len(urls) > max(LARGE_CHANGE, previous["counts"]["documents"] // 5):
        raise NeedFull(f"{len(urls)} documents changed: rebuilding whole partitions is cheaper than deltas")
    known = _summaries(raw, store, version, urls)  # url → summary, of every document looked at
    old_docs = index.docs_of_urls(urls)
    scopes = {r.scope for r in old_docs.values()} | {doc_scope(d) for d in known.values()}
    crawl_changed = inputs["crawl_reports"] != previous["inputs"].get("crawl_reports")
    crawl_log = list(crawl_log_rows(data_dir / "runs")) if crawl_changed else None
    crawled_before = index.crawled()
    crawled = (
        {r["jurisdiction_code"] for r in crawl_log if r["jurisdiction_code"]}
        if crawl_log is not None
        else crawled_before
    )
    while True:  # the scopes, widened by reports outside them whose is_primary flips
        others = index.urls_in_scopes(scopes) - set(known)
        known.update(_summaries(raw, store, version, others))
        docs = [d for d in known.values() if doc_scope(d) in scopes]
        groups: dict[str, ReportGroup] = {}
        for d in docs:
            if d.status == "ok" and d.year is not None:
                rid = R.report_id(d.code, d.organ, d.year)
                groups.setdefault(rid, ReportGroup(rid, d.code, d.organ, d.year, [])).docs.append(d)
        old_reports = index.reports_in_scopes(scopes)
        keys = {(g.code, g.year) for g in groups.values()} | {(r.code, r.year) for r in old_reports.values()}
        outside = [r for k in keys for r in index.candidates(*k) if r.scope not in scopes]
        best = choose_primary(
            [(g.code, g.year, g.chosen.cells_found, rid) for rid, g in groups.items() if is_candidate(g)]
            + [(r.code, r.year, r.cells_found, r.report_id) for r in outside]
        )
        flipped = {r.scope for r in outside if r.is_primary != (best.get((r.code, r.year)) == r.report_id)}
        if not flipped:
            break
        scopes |= flipped
    for g in groups.values():
        g.is_primary = best.get((g.code, g.year)) == g.report_id
    warnings = cross_year_checks(
        (g.report_id, current_code(g.code) or g.code, g.organ, g.year, g.chosen.carried) for g in groups.values()
    )
    signatures = report_signatures(groups, warnings)
    changed = {rid for rid in groups if rid not in old_reports or old_reports[rid].signature != signatures[rid]}
    changed |= set(old_reports) - set(groups)

    # the load index first (in this load's transaction): the years' span and the counts come from it
    index.put_docs(_doc_rows(docs, groups))
    if crawl_log is not None:
        index.set_crawled(crawled)
    span = list(index.year_span())
    if span != previous["span"] and None in (*span, *previous["span"]):
        raise NeedFull("the warehouse gains its first years or loses its last: coverage is built anew")

    # report tables: only the partitions of changed reports. Their new rows go to a new delta file
    # (part-<load_id>.parquet); a file that held a changed report is rewritten without it; a partition's deltas
    # are merged into one when there are MAX_DELTAS of them. The base file is rewritten only when it loses a report.
    affected = {(old_reports[rid].year, old_reports[rid].province) for rid in changed if rid in old_reports}
    affected |= {(groups[rid].year, describe(groups[rid].code)["province"]) for rid in changed if rid in groups}
    drop = pa.array(sorted(changed), pa.string())
    delta = delta_name(load.load_id)
    files = {rid: old_reports[rid].file for rid in groups if rid not in changed}
    state_parts = dict(previous.get("partitions", {}))
    for i, (year, province) in enumerate(sorted(affected, key=lambda k: (k[1], k[0]))):
        part = {"report_year": year, "province": province}
        name = f"{year}/{province}"
        held = state_parts.get(name, [None, []])[1]
        mine = [
            g
            for rid, g in groups.items()
            if rid in changed and (g.year, describe(g.code)["province"]) == (year, province)
        ]
        losing = {
            old_reports[rid].file
            for rid in changed
            if rid in old_reports and (old_reports[rid].year, old_reports[rid].province) == (year, province)
        }
        deltas = sorted(f for f in index.files_of(year, province) if f != FILE_NAME)
        merged = deltas if mine and len(deltas) >= MAX_DELTAS else []

        def without_changed(t: str, f: str) -> pa.Table | None:
            old = load.read(t, part, f)
            if old is None and f == FILE_NAME and t in held:
                raise NeedFull(f"{t} {name} is missing or unreadable: its other reports are rebuilt")
            if old is None:
                return None
            schema = TABLES[t].arrow_schema()
            return old.filter(pc.invert(pc.is_in(old["report_id"], value_set=drop))).select(schema.names).cast(schema)

        for f in sorted(losing - set(merged)):
            for t in REPORT_TABLES:
                kept = without_changed(t, f)
                if kept is not None:
                    load.write(t, part, kept, name=f)
        if mine:
            new = partition_tables(mine, store, warnings)
            for t in REPORT_TABLES:
                pieces = [p for p in (without_changed(t, f) for f in merged) if p is not None] + [new[t]]
                table = pa.concat_tables(pieces)
                load.write(
                    t, part, table.take(pc.sort_indices(table, sort_keys=[("report_id", "ascending")])), name=delta
                )
                for f in merged:
                    load.write(t, part, [], name=f)
            files.update({g.report_id: delta for g in mine})
            if merged:
                index.move_reports(year, province, merged, delta)
                files.update(
                    {
                        rid: delta
                        for rid, f in files.items()
                        if f in merged
                        and rid in groups
                        and (groups[rid].year, describe(groups[rid].code)["province"]) == (year, province)
                    }
                )
        state_parts[name] = [""] + [held]  # no signature: a full load rebuilds it into one file
        if progress:
            progress("load", i + 1, len(affected))
    index.delete_reports(set(old_reports) - set(groups))
    index.put_reports(_report_rows(groups.values(), warnings, signatures, files))
    counts = {**index.doc_counts(), **index.report_counts()}
    check_shrink(
        previous["counts"]["reports"],
        counts["reports"],
        counts["documents"],
        counts["pending"],
        allow_shrink,
        max_shrink,
    )

    # documents: every document of the scopes, merged into the file in url order
    if (previous["counts"]["documents"] and not load.has("documents", None)) or (
        previous["span"][0] is not None and not load.has("coverage", None)
    ):
        raise NeedFull("documents or coverage is missing or unreadable")
    doc_rows = document_rows(docs, groups)
    if doc_rows:
        load.write_batches(
            "documents", None, _merged(load, "documents", doc_rows, {r["url"] for r in doc_rows}, _url_key)
        )
    else:
        load.keep("documents", None)
    load.keep("divisions", None)
    if crawl_log is not None:
        load.write("crawl_log", None, crawl_log)
    else:
        load.keep("crawl_log", None)

    # coverage: every (jurisdiction, organ) of the scopes; "(none)" rows of the jurisdictions they or the crawl touch
    codes = {s.split("|", 1)[0] for s in scopes} | (crawled ^ crawled_before)
    expected = [(c, NONE_FOUND) for c in sorted(codes) if c in crawled and not index.has_observations(c)]
    # a new first or last year (a year's first report): every other (jurisdiction, organ) gains a not_found cell
    years = range(span[0], span[1] + 1) if span[0] is not None else range(0)
    cov = coverage_rows(observations(docs, groups, warnings), {}, years, expected)
    redo = set(scopes) | {scope_key(c, NONE_FOUND) for c in codes}
    respan = None
    if span != previous["span"]:
        added = sorted(set(years) - set(range(previous["span"][0], previous["span"][1] + 1)))
        respan = partial(_respanned, years=years, added=added)
    if redo or respan:
        load.write_batches("coverage", None, _merged(load, "coverage", cov, redo, _coverage_key, respan))
    else:
        load.keep("coverage", None)
    if load.damaged:
        raise NeedFull(f"unreadable files: {', '.join(load.damaged)}")
    commit = _commit(load, index, {"inputs": inputs, "counts": counts, "partitions": state_parts})
    return LoadSummary(commit=commit, partitions_rebuilt=len(affected), **counts)


def _url_key(row: dict[str, Any]) -> tuple:
    return (row["url"],)


def _coverage_key(row: dict[str, Any]) -> tuple:
    return (row["jurisdiction_code_current"] or "", row["organ"], row["year"])


def _merged(
    load: Load,
    table: str,
    rows: list[dict[str, Any]],
    replace: set[str],
    key: Callable[[dict[str, Any]], tuple],
    transform: Callable[[Iterator[pa.Table]], Iterator[pa.Table]] | None = None,
) -> Iterator[pa.Table]:
    """An unpartitioned table's file, a row group at a time (through ``transform`` when given), without the rows
    being replaced (``replace``: urls of ``documents``, scope keys of ``coverage``) and with ``rows`` merged in, in
    the order a full load writes."""
    spec = TABLES[table]
    schema = spec.arrow_schema()
    rows = sorted(rows, key=key)
    keys = [key(r) for r in rows]
    taken = 0
    values = pa.array(sorted(replace), pa.string())
    batches = load.read_batches(table, None)
    for batch in transform(batches) if transform else batches:
        if table == "documents":
            gone = pc.is_in(batch["url"], value_set=values)
        else:
            gone = pc.is_in(_coverage_scope(batch), value_set=values)
        batch = batch.filter(pc.invert(gone)).select(schema.names).cast(schema)
        if not batch.num_rows:
            continue
        last = key(batch.slice(batch.num_rows - 1).to_pylist()[0])
        upto = taken
        while upto < len(rows) and keys[upto] <= last:
            upto += 1
        if upto > taken:
            batch = _sorted(pa.concat_tables([batch, to_arrow(spec, rows[taken:upto])]), table)
            taken = upto
        yield batch
    if taken < len(rows):
        yield to_arrow(spec, rows[taken:])


def _coverage_scope(table: pa.Table) -> pa.ChunkedArray:
    """``code|organ`` of each coverage row (a null code as empty text): the unit a load rewrites."""
    return pc.binary_join_element_wise(pc.fill_null(table["jurisdiction_code_current"], ""), table["organ"], "|")


def _respanned(batches: Iterator[pa.Table], years: range, added: list[int]) -> Iterator[pa.Table]:
    """The coverage file's row groups in a new span of years: cells of years outside it dropped, a not_found cell
    for each added year put in each (jurisdiction, organ)'s rows. A (jurisdiction, organ) cut by a row group's end
    is held back until it is whole, so the rows stay in the full load's order."""
    schema = TABLES["coverage"].arrow_schema()
    held: pa.Table | None = None
    for batch in batches:
        batch = batch.select(schema.names).cast(schema)
        inside = pc.and_(pc.greater_equal(batch["year"], years.start), pc.less(batch["year"], years.stop))
        batch = batch.filter(inside)
        if held is not None:
            batch = pa.concat_tables([held, batch])
        if not batch.num_rows:
            continue
        scope = _coverage_scope(batch)
        last = pc.equal(scope, scope[-1])
        held = batch.filter(last)
        whole = batch.filter(pc.invert(last))
        if whole.num_rows:
            yield _with_years(whole, added)
    if held is not None and held.num_rows:
        yield _with_years(held, added)


def _with_years(batch: pa.Table, added: list[int]) -> pa.Table:
    """``batch`` with a not_found cell of each of ``added`` years for each (jurisdiction, organ) in it."""
    if not added:
        return batch
    seen = batch.select(["jurisdiction_code_current", "organ"]).group_by(["jurisdiction_code_current", "organ"])
    pairs = seen.aggregate([]).to_pylist()
    cells = coverage_rows([], {}, added, [(p["jurisdiction_code_current"], p["organ"]) for p in pairs])
    return _sorted(pa.concat_tables([batch, to_arrow(TABLES["coverage"], cells)]), "coverage")


def _sorted(table: pa.Table, name: str) -> pa.Table:
    if name == "documents":
        return table.take(pc.sort_indices(table, sort_keys=[("url", "ascending")]))
    k = pc.fill_null(table["jurisdiction_code_current"], "")
    keyed = table.append_column("_k", k)
    order = pc.sort_indices(keyed, sort_keys=[("_k", "ascending"), ("organ", "ascending"), ("year", "ascending")])
    return table.take(order)
