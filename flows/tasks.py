"""The Prefect tasks: crawl a shard (in a subprocess), extract a chunk, load, draw coverage.

Why these cuts: Scrapy's Twisted reactor cannot restart inside one process, so a crawl
is a subprocess per shard; extraction is CPU-bound and pure, so it is fanned out in
chunks over processes (``ProcessPoolTaskRunner``) or Dask workers (``DaskTaskRunner``);
the load is one writer holding the warehouse lock. Every task is a module-level function
so process and Dask workers can import it.

Caching: a document's extraction is keyed by its sha256 and the extractor version in the
extraction store (``pipelines.extracted``), and that store is the only cache: Prefect result
persistence and task caching are off, so no pickled result is ever read from the data dir
(a pickle planted there would be code run from data).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows import processes
from flows.settings import Settings
from pipelines.crawl import command_line
from pipelines.extracted import ExtractionStore
from pipelines.quarantine import Quarantine

REPO = Path(__file__).resolve().parent.parent
# documents per hand-off to the bounded worker: one wake-up of the task process per batch, not two per document
# (limits and error attribution stay per document, ``extractors.runner``)
BATCH = 32


def _logger():
    """The run's logger inside a flow, a plain one when a task function is called directly."""
    from prefect.exceptions import MissingContextError

    try:
        return get_run_logger()
    except MissingContextError:
        import logging

        return logging.getLogger("ogi")


@task(retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE, persist_result=False, task_run_name="extract {label}")
def extract_chunk(
    data_dir: str,
    docs: list[tuple[str, str, str | None]] | bytes,
    version: str,
    force: bool = False,
    label: str = "chunk",
) -> dict[str, Any]:
    """Extract ``docs`` ((sha256, file name, listing date) triples, or their JSON) into one batch of the extraction
    store; skip those already there.

    A blob whose bytes no longer match its hash is named, quarantined and marked for refetch, not extracted."""
    from extractors.runner import Encoded, Job, encode, run_warm
    from pipelines.parallel import collector_paused
    from pipelines.rawstore import DamagedBlob, RawStore

    if isinstance(docs, bytes):
        docs = json.loads(docs)

    quarantine = Quarantine(Path(data_dir) / "quarantine")
    counts = {"done": 0, "skipped": 0, "failed": 0}
    damaged: list[str] = []
    batch: list[tuple[str, str, bytes, bytes]] = []
    started = time.perf_counter()
    with (
        ExtractionStore(Path(data_dir) / "state" / "extracted", quarantine) as store,
        RawStore(Path(data_dir) / "raw") as raw,
        collector_paused(),  # a chunk's reports are held until its batch is written
    ):
        done = set() if force else store.extracted((d[0] for d in docs), version)  # by another run since listed

        def jobs():  # read lazily: one batch of blobs in memory at a time
            for sha, name, published in (tuple(d) + (None,) * (3 - len(d)) for d in docs):
                if sha in done:
                    counts["skipped"] += 1
                    continue
                try:
                    data = raw.get(sha)
                except DamagedBlob as exc:
                    raw.mark_damaged(sha, str(exc))
                    quarantine.put(exc.path, str(exc))
                    damaged.append(f"{name} ({sha[:12]})")
                    _logger().error("%s: quarantined and marked for refetch", exc)
                    continue
                yield Job(sha, data=data, name=name, published_date=published, encoded=True)

        # the one bounded runner of the CLI too: a worker process with memory and time limits, replaced when it dies,
        # kept warm from one chunk to the next of this task process; it answers with the report's JSON (a Report
        # object only when it timed out, died or ran out of memory)
        for sha, report in run_warm(jobs(), jobs=1, batch=BATCH):
            if not isinstance(report, Encoded):  # a worker that timed out or died: its report was made here
                report.sha256 = sha
                report = encode(report)
            batch.append((sha, version, report.body, report.summary))  # as the worker wrote it: nothing decoded
            counts["done"] += 1
            counts["failed"] += report.error is not None
        if batch:
            store.put_encoded(batch)
    done, skipped, failed = counts["done"], counts["skipped"], counts["failed"]
    return {
        "extracted": done,
        "skipped": skipped,
        "failed": failed,
        "damaged": damaged,
        "seconds": round(time.perf_counter() - started, 3),
    }


@task(retries=1, retry_delay_seconds=5, cache_policy=NO_CACHE, persist_result=False, task_run_name="crawl {label}")
def crawl_shard(
    data_dir: str, sources: list[str], extra_args: list[str] | None = None, timeout: float = 3600, label: str = "shard"
) -> dict[str, Any]:
    """Run one Scrapy crawl of ``sources`` in its own process; return where its report went."""
    runs = Path(data_dir) / "runs"
    before = set(runs.glob("crawl-*.json")) if runs.is_dir() else set()
    cmd = command_line(data_dir, sources, extra_args=extra_args or ())
    env = Settings.resolve(data_dir=data_dir).child_env()
    started = time.perf_counter()
    proc = processes.run(cmd, cwd=REPO, env=env, timeout=timeout)  # dies with this worker, even on SIGKILL
    after = set(runs.glob("crawl-*.json")) if runs.is_dir() else set()
    reports = sorted(str(p) for p in after - before if p.name != "crawl-latest.json")
    result = {
        "sources": sources,
        "returncode": proc.returncode,
        "reports": reports,
        "seconds": round(time.perf_counter() - started, 2),
        "stderr_tail": proc.stderr[-2000:],
    }
    if proc.returncode != 0 and not reports:
        get_run_logger().error("crawl of %s failed (exit %s): %s", sources, proc.returncode, proc.stderr[-1000:])
        raise RuntimeError(f"crawl of {sources} failed with exit code {proc.returncode}")
    return result


@task(retries=0, cache_policy=NO_CACHE, persist_result=False, task_run_name="load warehouse")
def load_task(
    data_dir: str,
    warehouse: str,
    version: str,
    coverage_years: list[int] | None = None,
    allow_shrink: bool = False,
    jobs: int = 1,
) -> dict[str, Any]:
    """Commit the partitions whose inputs changed (``pipelines.load``); a refused shrink is not retried. ``jobs``:
    processes that build a large load's partitions (the extraction workers are idle by then)."""
    from pipelines.load import load_warehouse

    started = time.perf_counter()
    summary = load_warehouse(
        data_dir, warehouse, version, coverage_years=coverage_years, allow_shrink=allow_shrink, workers=jobs
    )
    return summary.as_record(time.perf_counter() - started)


@task(cache_policy=NO_CACHE, persist_result=False, task_run_name="coverage picture")
def coverage_picture(warehouse: str, out: str) -> str | None:
    """Draw the coverage grid (PNG) from the ``coverage`` table (only the rows of the lines it shows)."""
    from pipelines.coverage import PICTURE_COLUMNS, picture_rows, plot
    from pipelines.datasets import Warehouse

    rows, years, lines = picture_rows(Warehouse(warehouse).read("coverage", columns=list(PICTURE_COLUMNS)))
    if not rows:
        return None
    return str(plot(rows, out, years=years, total_lines=lines))


@task(cache_policy=NO_CACHE, persist_result=False, task_run_name="dashboard")
def dashboard_page(warehouse: str, out_dir: str) -> str:
    """Write the static dashboard (``pipelines.dashboard``): ``<data_dir>/reports/index.html``."""
    from pipelines.dashboard import write_dashboard

    return str(write_dashboard(warehouse, out_dir))
