"""``ogi run | serve | backfill | reextract | status | coverage``: the flows from a shell.

Every heavy import (Prefect, pyarrow, DuckDB, Scrapy) happens inside the command that
needs it, so ``ogi --help`` stays instant.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import List, Optional

import typer

DATA_DIR = typer.Option(None, "--data-dir", "-d", envvar="OGI_DATA_DIR", help="Data directory (raw store, state, runs). Default: data/")
WAREHOUSE = typer.Option(None, "--warehouse", "-w", envvar="OGI_WAREHOUSE",
                         help="Where the Parquet tables go: a path or an fsspec URL (s3://bucket/ogi). Default: <data-dir>/warehouse")
JOBS = typer.Option(2, "--jobs", "-j", min=1, help="Worker processes for extraction (and crawl shards at once).")
DASK = typer.Option(None, "--dask-address", help="Run tasks on an existing Dask cluster (tcp://scheduler:8786).")
DASK_LOCAL = typer.Option(False, "--dask-local", help="Run tasks on a new local Dask cluster of --jobs workers.")
SOURCES = typer.Option(None, "--source", "-s", help="Registry source id (repeatable). Default: every source.")
ALLOW_SHRINK = typer.Option(False, "--allow-shrink", help="Let the load drop more than 5% of the warehouse's reports "
                            "(refused by default: it usually means local state was lost; see `ogi doctor`).")


def register(app: typer.Typer) -> None:
    app.command("run")(run_command)
    app.command("serve")(serve_command)
    app.command("backfill")(backfill_command)
    app.command("reextract")(reextract_command)
    app.command("status")(status_command)
    app.command("coverage")(coverage_command)


def parse_years(text: str) -> list[int]:
    """``2019-2024``, ``2019,2021`` or ``2023`` → a sorted list of years."""
    years: set[int] = set()
    for part in text.replace(" ", "").split(","):
        if not part:
            continue
        lo, _, hi = part.partition("-")
        try:
            start, end = int(lo), int(hi or lo)
        except ValueError:
            raise typer.BadParameter(f"not a year or range: {part!r} (try 2019-2024)") from None
        if not (2000 <= start <= end <= 2100):
            raise typer.BadParameter(f"years out of range: {part!r}")
        years.update(range(start, end + 1))
    if not years:
        raise typer.BadParameter("no years given")
    return sorted(years)


def run_flow(flow_name: str, kwargs: dict, jobs: int, dask_address: str | None, dask_local: bool, quiet: bool = True) -> dict:
    """Run one flow once, locally, under one temporary Prefect API (or $PREFECT_API_URL), with a progress bar.

    Every command that runs a flow calls this (``ogi demo`` too, from ``flows.demo``)."""
    from flows.settings import configure_prefect

    configure_prefect(kwargs.get("data_dir"), quiet=quiet)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from flows import pipeline
    from flows.engine import prefect_api

    runner = pipeline.task_runner(jobs, dask_address, dask_local)
    flow = getattr(pipeline, flow_name).with_options(task_runner=runner)
    with Progress(TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  transient=True) as bar:
        tasks: dict[str, int] = {}

        def hook(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        from pipelines.datasets import LockHeld
        from pipelines.load import ShrinkRefused

        pipeline.PROGRESS.append(hook)
        try:
            with prefect_api():
                return flow(jobs=jobs, **kwargs)
        except LockHeld as exc:
            typer.echo(f"{exc}: another ogi run is in progress; try again when it ends.", err=True)
            raise typer.Exit(3) from None
        except ShrinkRefused as exc:
            typer.echo(f"load refused: {exc}", err=True)
            raise typer.Exit(4) from None
        finally:
            pipeline.PROGRESS.remove(hook)


def run_command(
    data_dir: Optional[Path] = DATA_DIR,
    warehouse: Optional[str] = WAREHOUSE,
    sources: Optional[List[str]] = SOURCES,
    registry_dir: Optional[Path] = typer.Option(None, "--registry-dir", help="Source registry folder. Default: data/sources/"),
    shards: int = typer.Option(2, "--shards", min=1, help="Crawl shards (no two share a host)."),
    no_crawl: bool = typer.Option(False, "--no-crawl", help="Skip the crawl: extract and load what the raw store holds."),
    jobs: int = JOBS,
    dask_address: Optional[str] = DASK,
    dask_local: bool = DASK_LOCAL,
    allow_shrink: bool = ALLOW_SHRINK,
) -> None:
    """Run the nightly flow once, here and now: crawl → extract new or changed documents → check → load.

    Uses a temporary local Prefect API unless PREFECT_API_URL points at a server.
    """
    from flows.summary import print_run

    result = run_flow("nightly", dict(data_dir=str(data_dir or "data"), warehouse=warehouse, sources=sources or None,
                                      registry_dir=str(registry_dir) if registry_dir else None, shards=shards,
                                      crawl=not no_crawl, allow_shrink=allow_shrink), jobs, dask_address, dask_local)
    print_run(result)


def serve_command(
    cron: str = typer.Option("30 2 * * *", "--cron", help="When to run (cron, in --timezone). Default 02:30, off-peak in China."),
    timezone: str = typer.Option("Asia/Shanghai", "--timezone", help="Time zone of the cron schedule."),
    name: str = typer.Option("nightly", "--name", help="Deployment name (shown as ogi-nightly/NAME)."),
    data_dir: Optional[Path] = DATA_DIR,
    warehouse: Optional[str] = WAREHOUSE,
    sources: Optional[List[str]] = SOURCES,
    jobs: int = JOBS,
    shards: int = typer.Option(2, "--shards", min=1, help="Crawl shards (no two share a host)."),
) -> None:
    """Register the nightly deployment on a Prefect server with a cron schedule, and serve it until stopped.

    Start a server first (`prefect server start`) and point ogi at it
    (`export PREFECT_API_URL=http://127.0.0.1:4200/api`); runs then show in the Prefect UI.
    See docs/operations.md.
    """
    from flows.settings import configure_prefect

    configure_prefect(data_dir or "data")
    if not os.environ.get("PREFECT_API_URL"):
        typer.echo("PREFECT_API_URL is not set: start a server (`prefect server start`) and\n"
                   "  export PREFECT_API_URL=http://127.0.0.1:4200/api\nthen run `ogi serve` again (docs/operations.md).", err=True)
        raise typer.Exit(2)
    from prefect.schedules import Cron

    from flows import pipeline

    params = {"data_dir": str(Path(data_dir or "data").resolve()), "warehouse": warehouse, "sources": sources or None,
              "jobs": jobs, "shards": shards}
    typer.echo(f"serving ogi-nightly/{name}: cron '{cron}' ({timezone}) against {os.environ['PREFECT_API_URL']}")
    pipeline.nightly.with_options(task_runner=pipeline.task_runner(jobs)).serve(
        name=name, schedules=[Cron(cron, timezone=timezone)], parameters=params, tags=["ogi"],
        description="Crawl → extract new or changed documents → check → load Parquet.")


def backfill_command(
    years: str = typer.Option(..., "--years", "-y", help="Years to backfill: 2019-2024, 2019,2021 or 2023."),
    sources: Optional[List[str]] = SOURCES,
    refetch: bool = typer.Option(False, "--refetch", help="Fetch again even what the raw store already holds."),
    data_dir: Optional[Path] = DATA_DIR,
    warehouse: Optional[str] = WAREHOUSE,
    registry_dir: Optional[Path] = typer.Option(None, "--registry-dir", help="Source registry folder. Default: data/sources/"),
    jobs: int = JOBS,
    dask_address: Optional[str] = DASK,
    dask_local: bool = DASK_LOCAL,
    allow_shrink: bool = ALLOW_SHRINK,
) -> None:
    """Load past years: from the raw store where the documents are already there, crawling only sources that have none.

    Nothing is fetched again unless --refetch is given.
    """
    from flows.summary import print_run

    result = run_flow("backfill", dict(years=parse_years(years), sources=sources or None, refetch=refetch,
                                       data_dir=str(data_dir or "data"), warehouse=warehouse,
                                       registry_dir=str(registry_dir) if registry_dir else None,
                                       allow_shrink=allow_shrink),
                      jobs, dask_address, dask_local)
    print_run(result)


def reextract_command(
    force: bool = typer.Option(False, "--force", help="Extract every document again, even at the current extractor version."),
    years: Optional[str] = typer.Option(None, "--years", "-y", help="Only documents listed for these years."),
    sources: Optional[List[str]] = SOURCES,
    data_dir: Optional[Path] = DATA_DIR,
    warehouse: Optional[str] = WAREHOUSE,
    jobs: int = JOBS,
    dask_address: Optional[str] = DASK,
    dask_local: bool = DASK_LOCAL,
    allow_shrink: bool = ALLOW_SHRINK,
) -> None:
    """Re-run extraction over the raw store after the extractor changed; only partitions whose rows changed are rewritten."""
    from flows.summary import print_run

    result = run_flow("reextract", dict(force=force, years=parse_years(years) if years else None, sources=sources or None,
                                        data_dir=str(data_dir or "data"), warehouse=warehouse,
                                        allow_shrink=allow_shrink),
                      jobs, dask_address, dask_local)
    print_run(result)


def status_command(
    data_dir: Optional[Path] = DATA_DIR,
    runs: int = typer.Option(5, "--runs", help="How many recent runs to list."),
    as_json: bool = typer.Option(False, "--json", help="Print the status as one JSON object."),
) -> None:
    """Recent runs and per-source health from the latest crawl reports."""
    from flows.summary import print_status, status

    data = status(Path(data_dir or "data"), runs)
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        print_status(data)


def coverage_command(
    data_dir: Optional[Path] = DATA_DIR,
    warehouse: Optional[str] = WAREHOUSE,
    png: Optional[Path] = typer.Option(None, "--png", help="Where to draw the grid. Default: <data-dir>/reports/coverage.png"),
) -> None:
    """What is held per jurisdiction × organ × year (not_found / fetched / extracted / checked), and a PNG of the grid."""
    from flows.settings import Paths
    from flows.summary import print_coverage
    from pipelines.coverage import plot
    from pipelines.datasets import Warehouse

    paths = Paths.of(data_dir, warehouse)
    rows = Warehouse(paths.warehouse_url).read("coverage").to_pylist()
    if not rows:
        typer.echo("No coverage yet: run `ogi run`, `ogi backfill` or `ogi demo` first.", err=True)
        raise typer.Exit(1)
    out = plot(rows, png or paths.reports / "coverage.png")
    print_coverage(rows)
    typer.echo(f"picture: {out}")
