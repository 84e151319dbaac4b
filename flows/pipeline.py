"""The Prefect 3 flows: ``nightly``, ``backfill`` and ``reextract``.

Why three flows over one path: every run is crawl (maybe) → extract what the
extraction store lacks → load; they differ only in what they crawl and what they
re-extract. The task runner is chosen by the caller (``flow.with_options``): a local
process pool by default, ``DaskTaskRunner`` for a local or an existing Dask cluster
(:func:`task_runner`).

    from flows.pipeline import nightly, task_runner
    nightly.with_options(task_runner=task_runner(jobs=4, dask_address="tcp://sched:8786"))(data_dir="data")
"""

from __future__ import annotations

from flows.settings import configure_prefect

configure_prefect()  # telemetry off before prefect is imported

import json  # noqa: E402
import math  # noqa: E402
import time  # noqa: E402
from typing import Any, Callable, Iterable  # noqa: E402

from prefect import flow, get_run_logger  # noqa: E402
from prefect.futures import as_completed  # noqa: E402
from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner  # noqa: E402

from flows.processes import die_with_parent  # noqa: E402
from flows.records import now  # noqa: E402
from flows.settings import Paths  # noqa: E402
from flows.shards import shard_sources  # noqa: E402
from flows.tasks import (  # noqa: E402
    coverage_picture,
    crawl_shard,
    dashboard_page,
    extract_chunk,
    load_task,
)
from flows.worklist import (  # noqa: E402
    NOTHING_EXTRACTED,
    RunLock,
    Todo,
    extractor_version,
    mark_complete,
    todo_documents,
    write_run_record,
)
from pipelines.rawstore import RawStore  # noqa: E402

PROGRESS: list[Callable[[str, int, int], None]] = []  # hooks the CLI sets to draw progress bars


def _progress(stage: str, done: int, total: int) -> None:
    for hook in PROGRESS:
        hook(stage, done, total)


def task_runner(jobs: int = 2, dask_address: str | None = None, dask_local: bool = False, threads: bool = False):
    """A process pool (default), a Dask cluster (existing: ``dask_address``; new local one: ``dask_local``),
    or threads."""
    if dask_address or dask_local:
        from prefect_dask import DaskTaskRunner

        if dask_address:
            return DaskTaskRunner(address=dask_address)
        return DaskTaskRunner(
            cluster_kwargs={"n_workers": jobs, "threads_per_worker": 1, "processes": True, "dashboard_address": None}
        )
    if threads:
        return ThreadPoolTaskRunner(max_workers=jobs)
    return ProcessPoolTaskRunner(max_workers=jobs, initializer=die_with_parent)  # workers die with the run


def _registry(paths: Paths, registry_dir: str | None, sources: Iterable[str] | None):
    from pipelines.sources import load_sources

    registry = load_sources(paths.data_dir, registry_dir)  # the imported national table + the override files
    if sources:
        missing = sorted(set(sources) - set(registry))
        if missing:
            raise ValueError(f"unknown source id(s): {', '.join(missing)}")
        registry = {k: v for k, v in registry.items() if k in set(sources)}
    return registry


def _crawl(
    paths: Paths, registry: dict, shards: int, registry_dir: str | None, fast: bool, refresh: str | None
) -> list[dict[str, Any]]:
    hosts = {sid: src.allowed_hosts for sid, src in registry.items()}
    extra = (["--registry-dir", registry_dir] if registry_dir else []) + (["--fast"] if fast else [])
    extra += ["--refresh", refresh] if refresh else []
    futures = [
        crawl_shard.submit(str(paths.data_dir), shard, extra, label=f"{i + 1}/{shards}: {','.join(shard)[:60]}")
        for i, shard in enumerate(shard_sources(hosts, shards))
    ]
    out = []
    _progress("crawl", 0, len(futures))
    for fut in as_completed(futures):
        try:
            out.append(fut.result())
        except Exception as exc:  # a broken shard is reported; the other shards still load
            out.append({"error": f"{type(exc).__name__}: {exc}"})
        _progress("crawl", len(out), len(futures))
    return out


def _extract(paths: Paths, docs: list[Todo], version: str, jobs: int, force: bool) -> dict[str, Any]:
    if not docs:
        return dict(NOTHING_EXTRACTED)
    chunks = extraction_chunks(docs, jobs)
    # as JSON bytes: Prefect walks every item of a list parameter looking for futures, on both sides (ASCII JSON:
    # any str survives, a lone surrogate included)
    futures = [
        extract_chunk.submit(
            str(paths.data_dir), json.dumps(chunk).encode(), version, force, label=f"{i + 1}/{len(chunks)}"
        )
        for i, chunk in enumerate(chunks)
    ]
    totals: dict[str, Any] = {"extracted": 0, "skipped": 0, "failed": 0, "damaged": [], "chunks": len(chunks)}
    started = time.perf_counter()
    done = 0
    _progress("extract", 0, len(docs))
    for fut in as_completed(futures):
        result = fut.result()
        for key in ("extracted", "skipped", "failed", "damaged"):
            totals[key] += result[key]
        done += result["extracted"] + result["skipped"]
        _progress("extract", done, len(docs))
    totals["seconds"] = round(time.perf_counter() - started, 2)
    return totals


def extraction_chunks(docs: list, jobs: int, largest: int = 1000, smallest: int = 100) -> list[list]:
    """Cut ``docs`` into chunks that shrink as the work left does (guided scheduling): each is half of what is left per
    worker, at most ``largest``, at least ``smallest``; a rest smaller than ``smallest`` joins the last chunk.

    Why these sizes: the chunks run on ``jobs`` workers, and a last chunk as large as the first would leave the others
    idle for its whole length; but each chunk has a fixed cost whatever its size: a Prefect task run (settings and
    context rebuilt, a new API client with its TLS context, state events; 0.13–0.37 s of wall time each on 2 workers,
    ``benchmarks/task_overhead.py``), both stores opened, a batch written. Going from 53 chunks (25–400) to 25 took a
    17,069-document backfill's extraction from 158.6 to 110.8 s on the 2-core benchmark machine."""
    chunks, start, workers = [], 0, max(1, jobs)
    while start < len(docs):
        left = len(docs) - start
        size = max(smallest, min(largest, math.ceil(left / (workers * 2))))
        if left - size < smallest:
            size = left
        chunks.append(docs[start : start + size])
        start += size
    return chunks


def _run(
    name: str,
    paths: Paths,
    crawl: list[dict] | None,
    todo: tuple[list[Todo], int],
    version: str,
    jobs: int,
    force: bool,
    started: str,
    t0: float,
    allow_shrink: bool = False,
    whole: bool = True,
) -> dict[str, Any]:
    """Extract ``todo`` then load; ``whole``: the todo covered every document, so completeness can be marked."""
    docs, seq = todo
    extracted = _extract(paths, docs, version, jobs, force)
    if whole and not extracted["damaged"]:
        mark_complete(paths, version, seq)
    load = load_task(str(paths.data_dir), paths.warehouse_url, version, allow_shrink=allow_shrink, jobs=jobs)
    png, page = paths.coverage_png, paths.dashboard
    # redrawn only when the load wrote (both read whole tables), side by side on the task runner's workers
    drawing = None if load["skipped"] and png.exists() else coverage_picture.submit(paths.warehouse_url, str(png))
    writing = (
        None if load["skipped"] and page.exists() else dashboard_page.submit(paths.warehouse_url, str(paths.reports))
    )
    picture = str(png) if drawing is None else drawing.result()
    dashboard = str(page) if writing is None else writing.result()
    summary = write_run_record(name, paths, started, t0, version, crawl, extracted, load, picture, dashboard)
    get_run_logger().info(
        "%s: %s reports, %s files written, %s deleted", name, load["reports"], load["written"], load["deleted"]
    )
    return summary


@flow(name="ogi-nightly", task_runner=ProcessPoolTaskRunner(max_workers=2), persist_result=False)
def nightly(
    data_dir: str = "data",
    warehouse: str | None = None,
    sources: list[str] | None = None,
    registry_dir: str | None = None,
    shards: int = 2,
    jobs: int = 2,
    fast: bool = False,
    crawl: bool = True,
    allow_shrink: bool = False,
) -> dict[str, Any]:
    """Crawl the sources → extract new or changed documents → check → load the warehouse."""
    paths, started, t0 = Paths.of(data_dir, warehouse), now(), time.perf_counter()
    registry = _registry(paths, registry_dir, sources) if crawl or sources else {}  # --no-crawl needs none
    with RunLock(paths):
        crawled = _crawl(paths, registry, shards, registry_dir, fast, None) if crawl and registry else None
        version = extractor_version()
        todo = todo_documents(paths, version, sources=set(registry) if sources else None)
        return _run("nightly", paths, crawled, todo, version, jobs, False, started, t0, allow_shrink, whole=not sources)


@flow(name="ogi-backfill", task_runner=ProcessPoolTaskRunner(max_workers=2), persist_result=False)
def backfill(
    years: list[int],
    sources: list[str] | None = None,
    data_dir: str = "data",
    warehouse: str | None = None,
    registry_dir: str | None = None,
    refetch: bool = False,
    shards: int = 2,
    jobs: int = 2,
    fast: bool = False,
    allow_shrink: bool = False,
) -> dict[str, Any]:
    """Past years: from the raw store where the documents are there; crawl sources that have none (or all,
    with ``refetch``)."""
    paths, started, t0 = Paths.of(data_dir, warehouse), now(), time.perf_counter()
    wanted = set(years)
    with RunLock(paths):
        with RawStore(paths.raw) as raw:
            held: dict[str, set[int]] = {}
            for rec in raw.documents(years=wanted, sources=set(sources) if sources else None):
                held.setdefault(rec.source_id or "", set()).add(rec.report_year)
        try:
            registry = _registry(paths, registry_dir, sources)
        except ValueError:
            if not sources or not set(sources) <= set(held):
                raise
            registry = {}
        to_crawl = {sid: src for sid, src in registry.items() if refetch or not wanted <= held.get(sid, set())}
        if not sources:  # without --source, sources already complete in the raw store are not crawled
            to_crawl = {sid: src for sid, src in to_crawl.items() if refetch or sid not in held}
        crawled = (
            _crawl(paths, to_crawl, shards, registry_dir, fast, "refetch" if refetch else None) if to_crawl else None
        )
        version = extractor_version()
        todo = todo_documents(paths, version, years=wanted, sources=set(sources) if sources else None)
        summary = _run("backfill", paths, crawled, todo, version, jobs, False, started, t0, allow_shrink, whole=False)
        summary["crawled_sources"] = sorted(to_crawl)
        return summary


@flow(name="ogi-reextract", task_runner=ProcessPoolTaskRunner(max_workers=2), persist_result=False)
def reextract(
    data_dir: str = "data",
    warehouse: str | None = None,
    years: list[int] | None = None,
    sources: list[str] | None = None,
    force: bool = False,
    jobs: int = 2,
    allow_shrink: bool = False,
) -> dict[str, Any]:
    """Re-run extraction over the raw store (documents without an extraction at this extractor version, or all with
    ``force``), then load: only partitions whose rows changed are rewritten."""
    paths, started, t0 = Paths.of(data_dir, warehouse), now(), time.perf_counter()
    with RunLock(paths):
        version = extractor_version()
        todo = todo_documents(paths, version, set(years) if years else None, set(sources) if sources else None, force)
        return _run(
            "reextract",
            paths,
            None,
            todo,
            version,
            jobs,
            force,
            started,
            t0,
            allow_shrink,
            whole=not years and not sources,
        )
