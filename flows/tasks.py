"""The Prefect tasks: crawl a shard (in a subprocess), extract a chunk, load, draw coverage.

Why these cuts: Scrapy's Twisted reactor cannot restart inside one process, so a crawl
is a subprocess per shard; extraction is CPU-bound and pure, so it is fanned out in
chunks over processes (``ProcessPoolTaskRunner``) or Dask workers (``DaskTaskRunner``);
the load is one writer holding the warehouse lock. Every task is a module-level function
so process and Dask workers can import it.

Caching: a document's extraction is keyed by its sha256 and the extractor version, on
two levels: the extraction store (``pipelines.extracted``) holds one entry per key, and
``extract_chunk``'s Prefect cache key is the extractor version, the store's epoch and the
chunk's sha256s (a deleted store gets a new epoch, so a stale cache is never trusted).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

from prefect import get_run_logger, task

from flows import processes
from flows.settings import Settings
from pipelines.crawl import command_line
from pipelines.extracted import ExtractionStore

REPO = Path(__file__).resolve().parent.parent


def store_epoch(extracted: Path) -> str:
    """A random id born with the extraction store; part of every extraction cache key."""
    marker = extracted / "EPOCH"
    if not marker.exists():
        extracted.mkdir(parents=True, exist_ok=True)
        tmp = extracted / f".EPOCH-{uuid.uuid4().hex}"
        tmp.write_text(uuid.uuid4().hex)
        try:
            os.link(tmp, marker)  # first writer wins
        except FileExistsError:
            pass
        tmp.unlink()
    return marker.read_text().strip()


def chunk_cache_key(context: Any, parameters: dict[str, Any]) -> str | None:
    if parameters.get("force"):
        return None
    shas = sorted(sha for sha, _ in parameters["docs"])
    digest = hashlib.sha256("\n".join(shas).encode()).hexdigest()[:32]
    return f"ogi-extract-{parameters['version']}-{store_epoch(Path(parameters['data_dir']) / 'state' / 'extracted')}-{digest}"


@task(retries=2, retry_delay_seconds=2, cache_key_fn=chunk_cache_key, persist_result=True,
      task_run_name="extract {label}")
def extract_chunk(data_dir: str, docs: list[tuple[str, str]], version: str, force: bool = False,
                  label: str = "chunk") -> dict[str, Any]:
    """Extract ``docs`` ((sha256, file name) pairs) into the extraction store; skip those already there."""
    from extractors import extract_bytes
    from extractors.model import ExtractError, Problem, Report
    from pipelines.rawstore import RawStore

    store = ExtractionStore(Path(data_dir) / "state" / "extracted")
    done = skipped = failed = 0
    started = time.perf_counter()
    with RawStore(Path(data_dir) / "raw") as raw:
        for sha, name in docs:
            if not force and store.has(sha, version):
                skipped += 1
                continue
            try:
                report = extract_bytes(raw.get(sha), name)
            except ExtractError as exc:
                report = Report(path=name, sha256=sha, format="unknown", error=Problem(exc.code, exc.message))
            except Exception as exc:  # an extractor bug must not sink the run: record it per document
                report = Report(path=name, sha256=sha, format="unknown",
                                error=Problem("extractor_crash", f"{type(exc).__name__}: {exc}"[:500]))
            report.sha256 = sha
            store.put(sha, version, report.to_dict())
            done += 1
            failed += report.error is not None
    return {"extracted": done, "skipped": skipped, "failed": failed, "seconds": round(time.perf_counter() - started, 3)}


@task(retries=1, retry_delay_seconds=5, task_run_name="crawl {label}")
def crawl_shard(data_dir: str, sources: list[str], extra_args: list[str] | None = None,
                timeout: float = 3600, label: str = "shard") -> dict[str, Any]:
    """Run one Scrapy crawl of ``sources`` in its own process; return where its report went."""
    runs = Path(data_dir) / "runs"
    before = set(runs.glob("crawl-*.json")) if runs.is_dir() else set()
    cmd = command_line(data_dir, sources, extra_args=extra_args or ())
    env = Settings.resolve(data_dir=data_dir).child_env()
    started = time.perf_counter()
    proc = processes.run(cmd, cwd=REPO, env=env, timeout=timeout)  # dies with this worker, even on SIGKILL
    after = set(runs.glob("crawl-*.json")) if runs.is_dir() else set()
    reports = sorted(str(p) for p in after - before if p.name != "crawl-latest.json")
    result = {"sources": sources, "returncode": proc.returncode, "reports": reports,
              "seconds": round(time.perf_counter() - started, 2), "stderr_tail": proc.stderr[-2000:]}
    if proc.returncode != 0 and not reports:
        get_run_logger().error("crawl of %s failed (exit %s): %s", sources, proc.returncode, proc.stderr[-1000:])
        raise RuntimeError(f"crawl of {sources} failed with exit code {proc.returncode}")
    return result


@task(retries=1, retry_delay_seconds=2, task_run_name="load warehouse")
def load_task(data_dir: str, warehouse: str, version: str, coverage_years: list[int] | None = None) -> dict[str, Any]:
    """Recompute the tables and commit the partitions that changed (``pipelines.load``)."""
    from pipelines.load import load_warehouse

    summary = load_warehouse(data_dir, warehouse, version, coverage_years=coverage_years)
    c = summary.commit
    return {
        "load_id": c.load_id, "written": len(c.written), "deleted": len(c.deleted), "unchanged": c.unchanged,
        "recovered": c.recovered, "documents": summary.documents, "pending": summary.pending,
        "errors": summary.errors, "reports": summary.reports, "checks_failed": summary.checks_failed,
        "checks_undecided": summary.checks_undecided,
        "cross_year_warnings": summary.warnings, "tables_written": sorted({p.split("/", 1)[0] for p in c.written}),
    }


@task(task_run_name="coverage picture")
def coverage_picture(warehouse: str, out: str) -> str | None:
    """Draw the coverage grid (PNG) from the ``coverage`` table."""
    from pipelines.coverage import plot
    from pipelines.datasets import Warehouse

    rows = Warehouse(warehouse).read("coverage").to_pylist()
    if not rows:
        return None
    return str(plot(rows, out))


@task(task_run_name="dashboard")
def dashboard_page(warehouse: str, out_dir: str) -> str:
    """Write the static dashboard (``pipelines.dashboard``): ``<data_dir>/reports/index.html``."""
    from pipelines.dashboard import write_dashboard

    return str(write_dashboard(warehouse, out_dir))


def write_run_summary(runs: Path, summary: dict[str, Any]) -> Path:
    """``runs/flow-<time>-<name>.json``: what ``ogi status`` shows (atomic write)."""
    runs.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    path = runs / f"flow-{stamp}-{summary['flow']}-{uuid.uuid4().hex[:6]}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(summary, ensure_ascii=False, indent=2), "utf-8")
    os.replace(tmp, path)
    return path
