"""``ogi run | serve | backfill | reextract | status | coverage``: the flows from a shell.

Every heavy import (Prefect, pyarrow, DuckDB, Scrapy) happens inside the command that
needs it, so ``ogi --help`` stays instant.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional

import typer

if TYPE_CHECKING:
    from flows.settings import Settings

DATA_DIR = typer.Option(
    None, "--data-dir", "-d", help="Data directory (raw store, state, runs). Default: $OGI_DATA_DIR or ./data"
)
WAREHOUSE = typer.Option(
    None,
    "--warehouse",
    "-w",
    help="Where the Parquet tables go: a path or an fsspec URL "
    "(s3://bucket/ogi). Default: $OGI_WAREHOUSE or <data-dir>/warehouse",
)
JOBS = typer.Option(
    2, "--jobs", "-j", min=1, help="Worker processes for extraction and for a large load (and crawl shards at once)."
)
DASK = typer.Option(None, "--dask-address", help="Run tasks on an existing Dask cluster (tcp://scheduler:8786).")
DASK_LOCAL = typer.Option(False, "--dask-local", help="Run tasks on a new local Dask cluster of --jobs workers.")
FAIL_ON_BROKEN = typer.Option(
    None,
    "--fail-on-broken/--no-fail-on-broken",
    help="A source that broke since its last crawl fails the run (exit 1). Default: $OGI_FAIL_ON_BROKEN or no.",
)
SOURCES = typer.Option(None, "--source", "-s", help="Registry source id (repeatable). Default: every source.")
ALLOW_SHRINK = typer.Option(
    False,
    "--allow-shrink",
    help="Let the load drop more than 5% of the warehouse's reports "
    "(refused by default: it usually means local state was lost; see `ogi doctor`).",
)


def register(app: typer.Typer) -> None:
    app.command("run")(run_command)
    app.command("serve")(serve_command)
    app.command("backfill")(backfill_command)
    app.command("reextract")(reextract_command)
    app.command("status")(status_command)
    app.command("coverage")(coverage_command)


def _settings(**flags) -> "Settings":
    """The command's settings: its flags (and the global --debug) over OGI_* variables over defaults, resolved once."""
    from pydantic import ValidationError

    from flows.settings import Settings

    try:
        return Settings.resolve(**flags)
    except ValidationError as exc:
        bad = "; ".join(f"OGI_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        typer.echo(f"ogi: a setting is not usable ({bad})", err=True)
        raise typer.Exit(2) from None


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


def _preflight(settings: "Settings") -> None:
    """The data dir and a local warehouse must be creatable and writable before a crawl spends an hour."""
    from flows.records import RunError

    places = [("data dir", settings.data_dir)]
    if "://" not in settings.warehouse_url:
        places.append(("warehouse", Path(settings.warehouse_url)))
    for what, path in places:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RunError(f"the {what} {path} cannot be created: {exc.strerror or exc}") from None
        if not os.access(path, os.W_OK | os.X_OK):
            raise RunError(f"the {what} {path} is not writable")


def _failed(
    settings: "Settings",
    flow_name: str,
    started: str,
    seconds: float,
    error: str,
    code: int,
    record: dict | None = None,
) -> "typer.Exit":
    """Record a failed run (unless ``record`` says it is recorded already), notify, say it in one line;
    return the exit to raise."""
    from flows.records import write_failed

    if record is None:
        try:
            record = {
                "record": str(
                    write_failed(
                        settings.paths.runs,
                        flow_name,
                        started,
                        seconds,
                        error,
                        data_dir=str(settings.data_dir),
                        warehouse=settings.warehouse_url,
                    )
                ),
                "flow": flow_name,
                "status": "failed",
                "error": error,
                "started_at": started,
            }
        except OSError as exc:
            record = {"flow": flow_name, "status": "failed", "error": error, "started_at": started}
            typer.echo(f"ogi: no run record could be written ({exc.strerror or exc}: {settings.paths.runs})", err=True)
    typer.echo(f"ogi {flow_name} failed: {error}", err=True)
    if settings.notify_url:
        from flows.notify import notify

        why_not = notify(settings.notify_url, {"event": "ogi.run.failed", **record}, settings.notify_timeout)
        if why_not:
            typer.echo(f"ogi: the failure notification to {settings.notify_url} was not delivered: {why_not}", err=True)
    return typer.Exit(code)


def run_flow(
    flow_name: str,
    kwargs: dict,
    jobs: int,
    dask_address: str | None,
    dask_local: bool,
    settings: "Settings | None" = None,
) -> dict:
    """Run one flow once, locally, under one temporary Prefect API (or $PREFECT_API_URL), with a progress bar.

    Every command that runs a flow calls this (``ogi demo`` too, from ``flows.demo``). ``settings`` are the
    command's; without them, they are resolved from ``kwargs``' data_dir and warehouse.
    Every run leaves a record in <data-dir>/runs/, a failed one included; a failure is said in one sentence
    (a traceback only with --debug) and exits nonzero. With ``fail_on_broken``, a source that broke since its
    last crawl fails the run too.
    """
    import time

    from flows.records import newly_broken, now, one_sentence, update

    kwargs = dict(kwargs)
    flags = {"data_dir": kwargs.pop("data_dir", None), "warehouse": kwargs.pop("warehouse", None)}
    settings = settings or _settings(**flags)
    settings.apply()
    started, t0 = now(), time.perf_counter()
    if not settings.debug:  # Ctrl-C reaches the worker processes too; their pool's thread would print it again
        import threading

        default_hook = threading.excepthook
        threading.excepthook = lambda args: None if issubclass(args.exc_type, KeyboardInterrupt) else default_hook(args)
    try:
        _preflight(settings)
        result = _quiet_night(settings, flow_name, kwargs, dask_address, dask_local) or _flow_once(
            flow_name,
            dict(kwargs, data_dir=str(settings.data_dir), warehouse=settings.warehouse),
            jobs,
            dask_address,
            dask_local,
        )
    except (Exception, KeyboardInterrupt) as exc:
        from pipelines.datasets import LockHeld

        if settings.debug:
            import traceback

            traceback.print_exception(exc)
        from pipelines.load import ShrinkRefused

        held, refused = isinstance(exc, LockHeld), isinstance(exc, ShrinkRefused)
        error = (
            f"{exc}: another ogi run is in progress"
            if held
            else f"load refused: {exc}"
            if refused
            else one_sentence(exc)
        )
        raise _failed(
            settings, flow_name, started, time.perf_counter() - t0, error, 3 if held else 4 if refused else 1
        ) from None
    reports = [r for shard in result.get("crawl") or () for r in shard.get("reports", ())]
    result["newly_broken"] = broke = newly_broken(settings.paths.runs, reports)
    record = Path(result["summary_path"])
    if broke and settings.fail_on_broken:
        error = f"{len(broke)} source(s) broke since their last crawl: {', '.join(broke)}"
        recorded = update(record, status="failed", error=error, newly_broken=broke)
        result.update(status="failed", error=error, record={"record": str(record), **recorded})
    else:
        update(record, status="completed", newly_broken=broke)
    return result


def _quiet_night(
    settings: "Settings", flow_name: str, kwargs: dict, dask_address: str | None, dask_local: bool
) -> dict | None:
    """The record of a ``--no-crawl`` nightly of every source that has provably nothing to do, made without a Prefect
    run; None when the flow must run. Only under a temporary API, whose start would be nearly all of such a run's
    time (``flows.worklist``); a Prefect server or a Dask cluster the operator named always sees the flow."""
    from flows.engine import temporary_api

    if flow_name != "nightly" or kwargs.get("crawl", True) or kwargs.get("sources") or dask_address or dask_local:
        return None
    if not temporary_api():
        return None
    from flows.worklist import quiet_night

    return quiet_night(settings.paths)


def _flow_once(flow_name: str, kwargs: dict, jobs: int, dask_address: str | None, dask_local: bool) -> dict:
    from flows.engine import prefect_api

    def prepare() -> None:  # the flows' imports, while the temporary API starts
        import flows.pipeline  # noqa: F401

    with prefect_api(meanwhile=prepare):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from flows import pipeline

        runner = pipeline.task_runner(jobs, dask_address, dask_local)
        flow = getattr(pipeline, flow_name).with_options(task_runner=runner)
        columns = (TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, transient=True) as bar:
            tasks: dict[str, int] = {}

            def hook(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total)
                bar.update(tasks[stage], completed=done, total=total)

            pipeline.PROGRESS.append(hook)
            try:
                return flow(jobs=jobs, **kwargs)
            finally:
                pipeline.PROGRESS.remove(hook)


def _finish(settings: "Settings", result: dict) -> None:
    """Print the run; exit nonzero when it failed (a source broke and the settings say that fails it)."""
    from flows.summary import print_run

    print_run(result)
    if result.get("status") == "failed":
        raise _failed(
            settings, result["flow"], result["started_at"], result["seconds"], result["error"], 1, result["record"]
        )


def run_command(
    data_dir: Optional[Path] = DATA_DIR,
    warehouse: Optional[str] = WAREHOUSE,
    sources: Optional[List[str]] = SOURCES,
    registry_dir: Optional[Path] = typer.Option(
        None, "--registry-dir", help="Source registry folder. Default: data/sources/"
    ),
    shards: int = typer.Option(2, "--shards", min=1, help="Crawl shards (no two share a host)."),
    no_crawl: bool = typer.Option(
        False, "--no-crawl", help="Skip the crawl: extract and load what the raw store holds."
    ),
    fast: bool = typer.Option(False, "--fast", help="Crawl with politeness off: only for the local demo sites."),
    jobs: int = JOBS,
    dask_address: Optional[str] = DASK,
    dask_local: bool = DASK_LOCAL,
    allow_shrink: bool = ALLOW_SHRINK,
    fail_on_broken: Optional[bool] = FAIL_ON_BROKEN,
) -> None:
    """Run the nightly flow once, here and now: crawl → extract new or changed documents → check → load.

    Uses a temporary local Prefect API unless PREFECT_API_URL points at a server. Exits 1 when the run
    failed (3 when another run holds the data dir); `ogi status` shows why.
    """
    settings = _settings(data_dir=data_dir, warehouse=warehouse, fail_on_broken=fail_on_broken)
    result = run_flow(
        "nightly",
        dict(
            sources=sources or None,
            shards=shards,
            crawl=not no_crawl,
            fast=fast,
            registry_dir=str(registry_dir.resolve()) if registry_dir else None,
            allow_shrink=allow_shrink,
        ),
        jobs,
        dask_address,
        dask_local,
        settings,
    )
    _finish(settings, result)


def serve_command(
    cron: str = typer.Option(
        "30 2 * * *", "--cron", help="When to run (cron, in --timezone). Default 02:30, off-peak in China."
    ),
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
    settings = _settings(data_dir=data_dir, warehouse=warehouse)
    settings.apply(quiet=False)
    if not os.environ.get("PREFECT_API_URL"):
        typer.echo(
            "PREFECT_API_URL is not set: start a server (`prefect server start`) and\n"
            "  export PREFECT_API_URL=http://127.0.0.1:4200/api\nthen run `ogi serve` again (docs/operations.md).",
            err=True,
        )
        raise typer.Exit(2)
    from prefect.schedules import Cron

    from flows import pipeline

    params = {
        "data_dir": str(settings.data_dir),
        "warehouse": settings.warehouse,
        "sources": sources or None,
        "jobs": jobs,
        "shards": shards,
    }
    typer.echo(f"serving ogi-nightly/{name}: cron '{cron}' ({timezone}) against {os.environ['PREFECT_API_URL']}")
    pipeline.nightly.with_options(task_runner=pipeline.task_runner(jobs)).serve(
        name=name,
        schedules=[Cron(cron, timezone=timezone)],
        parameters=params,
        tags=["ogi"],
        description="Crawl → extract new or changed documents → check → load Parquet.",
    )


def backfill_command(
    years: str = typer.Option(..., "--years", "-y", help="Years to backfill: 2019-2024, 2019,2021 or 2023."),
    sources: Optional[List[str]] = SOURCES,
    refetch: bool = typer.Option(False, "--refetch", help="Fetch again even what the raw store already holds."),
    data_dir: Optional[Path] = DATA_DIR,
    warehouse: Optional[str] = WAREHOUSE,
    registry_dir: Optional[Path] = typer.Option(
        None, "--registry-dir", help="Source registry folder. Default: data/sources/"
    ),
    jobs: int = JOBS,
    dask_address: Optional[str] = DASK,
    dask_local: bool = DASK_LOCAL,
    allow_shrink: bool = ALLOW_SHRINK,
    fail_on_broken: Optional[bool] = FAIL_ON_BROKEN,
) -> None:
    """Load past years: from the raw store where the documents are already there, crawling only sources that have none.

    Nothing is fetched again unless --refetch is given.
    """
    settings = _settings(data_dir=data_dir, warehouse=warehouse, fail_on_broken=fail_on_broken)
    result = run_flow(
        "backfill",
        dict(
            years=parse_years(years),
            sources=sources or None,
            refetch=refetch,
            registry_dir=str(registry_dir.resolve()) if registry_dir else None,
            allow_shrink=allow_shrink,
        ),
        jobs,
        dask_address,
        dask_local,
        settings,
    )
    _finish(settings, result)


def reextract_command(
    force: bool = typer.Option(
        False, "--force", help="Extract every document again, even at the current extractor version."
    ),
    years: Optional[str] = typer.Option(None, "--years", "-y", help="Only documents listed for these years."),
    sources: Optional[List[str]] = SOURCES,
    data_dir: Optional[Path] = DATA_DIR,
    warehouse: Optional[str] = WAREHOUSE,
    jobs: int = JOBS,
    dask_address: Optional[str] = DASK,
    dask_local: bool = DASK_LOCAL,
    allow_shrink: bool = ALLOW_SHRINK,
) -> None:
    """Re-run extraction over the raw store after the extractor changed; only partitions whose rows changed
    are rewritten."""
    settings = _settings(data_dir=data_dir, warehouse=warehouse)
    result = run_flow(
        "reextract",
        dict(
            force=force, years=parse_years(years) if years else None, sources=sources or None, allow_shrink=allow_shrink
        ),
        jobs,
        dask_address,
        dask_local,
        settings,
    )
    _finish(settings, result)


def status_command(
    data_dir: Optional[Path] = DATA_DIR,
    runs: int = typer.Option(5, "--runs", help="How many recent runs to list."),
    as_json: bool = typer.Option(False, "--json", help="Print the status as one JSON object."),
) -> None:
    """Recent runs (a failed one with its error) and per-source health with its causes, from the latest crawl reports.

    --json prints {"runs": [...latest first], "sources": [...broken first]}.
    """
    settings = _settings(data_dir=data_dir)  # before the imports below, which read the environment too
    from flows.records import status
    from flows.summary import print_status

    data = status(settings.data_dir, runs)
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        print_status(data)


def coverage_command(
    data_dir: Optional[Path] = DATA_DIR,
    warehouse: Optional[str] = WAREHOUSE,
    png: Optional[Path] = typer.Option(
        None, "--png", help="Where to draw the grid. Default: <data-dir>/reports/coverage.png"
    ),
) -> None:
    """What is held per jurisdiction × organ × year (not_found / fetched / extracted / checked), and a PNG of
    the grid."""
    from flows.summary import print_coverage
    from pipelines.coverage import plot
    from pipelines.datasets import Warehouse

    paths = _settings(data_dir=data_dir, warehouse=warehouse).paths
    rows = Warehouse(paths.warehouse_url).read("coverage").to_pylist()
    if not rows:
        typer.echo("No coverage yet: run `ogi run`, `ogi backfill` or `ogi demo` first.", err=True)
        raise typer.Exit(1)
    out = plot(rows, png or paths.coverage_png)
    print_coverage(rows)
    typer.echo(f"picture: {out}")
