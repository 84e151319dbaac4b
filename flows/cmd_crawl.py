"""``ogi crawl``: crawl registered sources (or one URL) into the data directory.

The crawl runs as ``python -m pipelines.crawl --events`` in a child process (Scrapy's Twisted
reactor cannot restart inside one process); this command reads its JSON lines and shows
per-source progress, or with ``--json`` passes on one line per document found.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import List, Optional

import typer

from pipelines.crawl import command_line

REPO = Path(__file__).resolve().parent.parent


def register(app: typer.Typer) -> None:
    app.command("crawl")(crawl_command)


def crawl_command(
    source: Optional[List[str]] = typer.Option(None, "--source", "-s", help="Registry source id (repeatable)."),
    all_sources: bool = typer.Option(False, "--all", help="Every source in the registry."),
    url: Optional[str] = typer.Option(None, "--url", help="Try a site that is not in the registry yet (a trial)."),
    urls: Optional[Path] = typer.Option(
        None, "--urls", exists=True, dir_okay=False, help="Try many sites at once: a file of `URL [CODE]` lines."
    ),
    into: Optional[Path] = typer.Option(
        None,
        "--into",
        help="With --url/--urls: crawl into this data dir "
        "(default: a new scratch dir under <data-dir>/trials/, never loaded).",
    ),
    allow_host: Optional[List[str]] = typer.Option(
        None, "--allow-host", help="With --url/--urls: try this non-government HOST[:PORT] too (repeatable)."
    ),
    jurisdiction: Optional[str] = typer.Option(None, "--jurisdiction", help="GB/T 2260 code (with --url: the site's)."),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", help="Default: $OGI_DATA_DIR or ./data."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per document found, a line each."),
    registry_dir: Optional[Path] = typer.Option(None, "--registry-dir", help="Default: data/sources/."),
    refresh: Optional[str] = typer.Option(None, "--refresh", help="Known documents: skip | revalidate | refetch."),
    fast: bool = typer.Option(False, "--fast", help="Politeness off: only for the local demo sites."),
) -> None:
    """Find and fetch annual reports from county sites, politely and incrementally.

    Every document (report page and attachment) goes into the raw store with its provenance;
    a crawl report per run lands in <data-dir>/runs/. Sites that fail are reported, never fatal.
    """
    if not (source or all_sources or url or urls or jurisdiction):
        typer.echo(
            "Nothing to crawl: give --source ID, --all, --jurisdiction CODE, --url URL or --urls FILE.", err=True
        )
        raise typer.Exit(2) from None
    from flows import processes
    from flows.settings import Settings

    data_dir = Settings.resolve(data_dir=data_dir).data_dir  # absolute: the crawl runs in the repository, not here
    if url or urls:
        data_dir = _trial_dir(url, urls, jurisdiction, tuple(allow_host or ()), data_dir, into)
    settings = Settings.resolve(data_dir=data_dir)
    cmd = command_line(
        settings.data_dir,
        source or (),
        all_sources,
        url,
        jurisdiction,
        registry_dir and registry_dir.resolve(),
        refresh,
        fast=fast,
        events=True,
        urls_file=urls and urls.resolve(),
        allow_hosts=tuple(allow_host or ()),
    )
    proc = processes.popen(
        cmd,
        cwd=REPO,
        env=settings.child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    report_path = _follow(proc, as_json)
    stderr = proc.stderr.read() if proc.stderr else ""
    code = proc.wait()
    if code != 0 or report_path is None:
        typer.echo(stderr.strip()[-2000:] or f"crawl failed (exit {code})", err=True)
        raise typer.Exit(code or 1)
    if as_json:
        typer.echo(f"crawl report: {report_path}", err=True)
    else:
        _summary(Path(report_path))


def _trial_dir(
    url: str | None,
    urls: Path | None,
    jurisdiction: str | None,
    allow_hosts: tuple[str, ...],
    data_dir: Path | None,
    into: Path | None,
) -> Path:
    """Check every site of a trial, then the data dir it crawls into (a scratch dir unless ``--into``)."""
    from pipelines.crawl import default_data_dir
    from pipelines.trials import TrialError, check_site, parse_url_list, scratch_dir

    try:
        sites = parse_url_list(urls.read_text("utf-8")) if urls else []
        sites += [(url, jurisdiction)] if url else []
        for site, code in sites:
            check_site(site, code, allow_hosts)
    except (OSError, TrialError) as exc:
        typer.echo(f"ogi crawl: {exc}", err=True)
        raise typer.Exit(2) from None
    if into is not None:
        return into
    target = scratch_dir(data_dir or default_data_dir(), urls.stem if urls else (url or "trial").split("//")[-1])
    typer.echo(
        f"trial crawl into {target} (a scratch dir that ogi run never loads; --into DIR keeps it elsewhere)", err=True
    )
    return target


def _follow(proc: subprocess.Popen, as_json: bool) -> str | None:
    """Relay document lines (``--json``) or draw a live per-source table; return the report path."""
    from rich.console import Console
    from rich.live import Live
    from rich.table import Table

    console = Console(stderr=True)
    state: dict[str, dict[str, int]] = {}
    report_path = None

    def table() -> Table:
        t = Table(title="ogi crawl", show_lines=False)
        for col in ("source", "pages", "documents", "new", "changed", "unchanged", "errors"):
            t.add_column(col, justify="left" if col == "source" else "right")
        for sid, s in sorted(state.items()):
            t.add_row(sid, *(str(s[k]) for k in ("pages", "documents", "new", "changed", "unchanged", "errors")))
        return t

    def handle(line: str) -> None:
        nonlocal report_path
        try:
            event = json.loads(line)
        except ValueError:
            return
        kind = event.pop("event", None)
        sid = event.get("source")
        if sid:
            state.setdefault(sid, dict.fromkeys(("pages", "documents", "new", "changed", "unchanged", "errors"), 0))
        if kind == "document":
            if as_json:
                sys.stdout.write(json.dumps(event, ensure_ascii=False) + "\n")
                sys.stdout.flush()
            state[sid]["documents"] += 1
            if event.get("status") in ("new", "changed", "unchanged"):
                state[sid][event["status"]] += 1
        elif kind == "page":
            state[sid]["pages"] += 1
        elif kind == "error":
            state[sid]["errors"] += 1
        elif kind == "report":
            report_path = event.get("path")

    assert proc.stdout is not None
    if as_json or not console.is_terminal:
        for line in proc.stdout:
            handle(line)
        return report_path
    with Live(table(), console=console, refresh_per_second=4) as live:
        for line in proc.stdout:
            handle(line)
            live.update(table())
    return report_path


def _summary(path: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    report = json.loads(path.read_text("utf-8"))
    t = Table(title=f"crawl {report.get('crawl_id')}")
    for col in ("source", "requests", "reports", "years", "new", "changed", "unchanged", "errors"):
        t.add_column(col, overflow="fold")
    warnings = []
    for sid, s in report["sources"].items():
        docs = s["documents"]
        years = sorted(y for y in s["reports_by_year"] if y != "unknown")
        span = f"{years[0]}–{years[-1]}" if len(years) > 1 else (years[0] if years else "")
        t.add_row(
            sid,
            str(s["requests"]),
            str(s["reports_found"]),
            span,
            str(docs["new"]),
            str(docs["changed"]),
            str(docs["unchanged"]),
            " ".join(f"{k}×{v}" for k, v in s["errors"].items()),
        )
        warnings += [f"{sid}: {w}" for w in s["warnings"]]
    console = Console()
    console.print(t)
    for w in warnings:
        console.print(f"[yellow]warning[/yellow] {w}")
    console.print(f"crawl report: {path}")
