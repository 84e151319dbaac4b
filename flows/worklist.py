"""What a run has to do, asked without Prefect: the documents still to extract, the completeness mark, the run lock,
and the quiet night (nothing to crawl, extract or load).

Why apart from ``flows.pipeline``: a nightly with nothing new should cost what finding that out costs. Under a
temporary Prefect API (``flows.engine``), the API alone takes about 6 s to start, most of an operator's no-change
``ogi run --no-crawl`` (the flow itself needs 0.3 s). This module imports no Prefect, so the CLI can ask
:func:`quiet_night` first and start the engine only when there is work.
"""

from __future__ import annotations

import time
from typing import Any

from flows.records import now, write_run_summary
from flows.settings import Paths
from pipelines.datasets import WarehouseLock
from pipelines.extracted import ExtractionStore
from pipelines.rawstore import RawStore


def extractor_version() -> str:
    from extractors import EXTRACTOR_VERSION

    return EXTRACTOR_VERSION


class RunLock:
    """One ogi run per data dir at a time (the warehouse has its own lock for the load)."""

    def __init__(self, paths: Paths):
        from fsspec.implementations.local import LocalFileSystem

        paths.run_lock.parent.mkdir(parents=True, exist_ok=True)
        self.lock = WarehouseLock(LocalFileSystem(), str(paths.run_lock))

    def __enter__(self):
        self.lock.acquire(timeout=0)
        return self

    def __exit__(self, *exc):
        self.lock.release()


def _complete_key(raw: RawStore, version: str) -> str:
    return f"complete:{version}:{raw.epoch}"


Todo = tuple[str, str, str | None]  # a document to extract: sha256, file name, the listing's date


def todo_documents(
    paths: Paths, version: str, years: set[int] | None = None, sources: set[str] | None = None, force: bool = False
) -> tuple[list[Todo], int]:
    """(sha256, file name, listing date) of current documents with no extraction at ``version`` (all when
    ``force``), and the raw sequence they were listed at.

    Every document fetched up to the mark the last complete extraction left is known to be extracted, so a nightly
    with nothing new reads only what was fetched since (its cost does not grow with the raw store)."""
    seen: set[str] = set()
    todo = []
    with ExtractionStore(paths.extracted) as store, RawStore(paths.raw) as raw:
        seq = raw.sequence()[0]
        after = 0 if force else int(store.mark(_complete_key(raw, version)) or 0)
        for rec in raw.documents(years=years, sources=sources, after=after):
            sha = rec.sha256
            if sha is None or sha in seen:
                continue
            seen.add(sha)
            name = (rec.final_url or rec.url).rstrip("/").rsplit("/", 1)[-1].split("?")[0] or "document"
            todo.append((sha, name, rec.published_date))  # the listing's date: the year's last resort
        if not force:
            done = store.extracted(seen, version)
            todo = [doc for doc in todo if doc[0] not in done]
    return todo, seq


def mark_complete(paths: Paths, version: str, seq: int) -> None:
    """Remember that every document fetched up to ``seq`` has an extraction at ``version``."""
    with ExtractionStore(paths.extracted) as store, RawStore(paths.raw) as raw:
        store.set_mark(_complete_key(raw, version), str(seq))


NOTHING_EXTRACTED = {"extracted": 0, "skipped": 0, "failed": 0, "damaged": [], "chunks": 0}


def write_run_record(
    flow: str,
    paths: Paths,
    started: str,
    t0: float,
    version: str,
    crawl: list[dict] | None,
    extract: dict[str, Any],
    load: dict[str, Any],
    coverage_png: str | None,
    dashboard: str,
) -> dict[str, Any]:
    """A completed run's record, written to ``data/runs/`` (the flows and the quiet night write the same shape);
    returned with its path as ``summary_path``. ``coverage_png``: None when there was nothing to draw."""
    summary = {
        "flow": flow,
        "started_at": started,
        "finished_at": now(),
        "seconds": round(time.perf_counter() - t0, 2),
        "data_dir": str(paths.data_dir),
        "warehouse": paths.warehouse_url,
        "extractor_version": version,
        "crawl": crawl,
        "extract": extract,
        "load": load,
        "coverage_png": coverage_png,
        "dashboard": dashboard,
    }
    summary["summary_path"] = str(write_run_summary(paths.runs, summary))
    return summary


def quiet_night(paths: Paths) -> dict[str, Any] | None:
    """The record of a ``--no-crawl`` nightly over every source that has provably nothing to do, written as the flow
    would write it; None when there is anything to do (a document to extract, a load that would change or repair
    something, a coverage picture or dashboard not drawn yet): then the flow runs.

    The same decisions as the flow, in the same order, under the same run lock: the documents still to extract
    (:func:`todo_documents`), then whether a load would read anything (``pipelines.load.load_is_current``)."""
    from pipelines.datasets import CommitResult
    from pipelines.load import LoadSummary, load_is_current

    started, t0 = now(), time.perf_counter()
    with RunLock(paths):
        version = extractor_version()
        todo, seq = todo_documents(paths, version)
        if todo:
            return None
        counts = load_is_current(paths.data_dir, paths.warehouse_url, version)
        if counts is None or not paths.coverage_png.exists() or not paths.dashboard.exists():
            return None
        mark_complete(paths, version, seq)  # documents fetched since the mark were all extracted already
        load = LoadSummary(CommitResult(load_id=None), skipped=True, **counts).as_record(0.0)
        drawn = str(paths.coverage_png), str(paths.dashboard)
        return write_run_record("nightly", paths, started, t0, version, None, dict(NOTHING_EXTRACTED), load, *drawn)
