"""``ogi sources``: the registry of county sites, and ``ogi sources import`` for a national seed list."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

sources_app = typer.Typer(
    help="The county sites ogi crawls: list them with their health, or import a seed list.",
    no_args_is_help=False,
    invoke_without_command=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(sources_app, name="sources")


@sources_app.callback(invoke_without_command=True)
def list_sources(
    ctx: typer.Context,
    province: Optional[str] = typer.Option(None, "--province", help="Only this province: its two-digit code, e.g. 61."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per source per line."),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", help="Data dir (default: OGI_DATA_DIR or ./data)."),
    registry: Optional[Path] = typer.Option(None, "--registry", help="Override files (default: data/sources/)."),
) -> None:
    """List every county-level source: where a crawl starts, its CMS family, whether a crawl has found a
    report on it (confirmed, and when), its last crawl and health. Then a summary per province."""
    if ctx.invoked_subcommand is not None:
        return
    from flows.settings import Paths
    from pipelines.sources import province_health, source_listing

    rows = source_listing(Paths.of(data_dir).data_dir, registry, province)
    if as_json:
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    if not rows:
        typer.echo("No sources. Import a seed list first: ogi sources import FILE.csv", err=True)
        raise typer.Exit(1)
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if len(rows) <= 60 or province:
        cells = [_source_cells(r) for r in rows]
        if console.is_terminal and console.width >= 110:
            table = Table("source", "code", "name", "family", "status", "confirmed", "last crawl", "health", "reports")
            for row in cells:
                table.add_row(*row)
            console.print(table)
        else:  # piped or narrow: one line per source, nothing cut
            for source, code, name, family, status, confirmed, last, health, reports in cells:
                confirmed = f"confirmed {confirmed}" if confirmed != "no" else "unconfirmed"
                console.print(
                    f"{source} {code} {name} [{family or 'family unknown'}] {status}, {confirmed}, "
                    f"last crawl {last}{', ' + health if health else ''}, {reports} reports",
                    soft_wrap=True,
                    markup=False,
                )
    health = Table("province", "code", "sources", "crawlable", "crawled", "confirmed", "broken", title="Per province")
    for p in province_health(rows):
        health.add_row(
            p["province"] or "?",
            p["province_code"],
            *(str(p[k]) for k in ("sources", "crawlable", "crawled", "confirmed", "broken")),
        )
    console.print(health)


def _source_cells(r: dict) -> tuple[str, ...]:
    return (
        r["source"],
        r["jurisdiction_code"] or "",
        r["jurisdiction_name"] or "",
        r["family"] or "",
        r["status"],
        (r["last_confirmed"] or "")[:10] if r["confirmed"] else "no",
        (r["last_crawl"] or "never")[:16],
        (r["health"] or "") + (f" ({', '.join(r['causes'])})" if r["causes"] else ""),
        str(r["reports"]),
    )


@sources_app.command("import")
def import_sources(
    seed: Path = typer.Argument(..., exists=True, dir_okay=False, help="A seed list CSV (code, path, portal_url, …)."),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", help="Data dir (default: OGI_DATA_DIR or ./data)."),
) -> None:
    """Import a national seed list of county portals into the data dir's registry (replacing the last import).

    Every county gets a source: its disclosure column where the list gives one, else its portal. Rows
    that cannot be crawled as they stand (no portal, a site listed for two counties, an unknown code)
    are kept with their reason and shown by `ogi sources`. Files in data/sources/ override single counties.
    """
    from flows.settings import Paths
    from pipelines.sources import STATUSES, SeedError, import_seed

    try:
        summary = import_seed(seed, Paths.of(data_dir).data_dir)
    except SeedError as exc:
        typer.echo(f"ogi sources import: {exc}", err=True)
        raise typer.Exit(2) from None
    for problem in summary.problems[:20]:
        typer.echo(f"  {problem}", err=True)
    typer.echo(f"{summary.rows} counties imported into {summary.path}")
    for status, n in sorted(summary.by_status.items(), key=lambda kv: -kv[1]):
        typer.echo(f"  {n:5d} {status}: {STATUSES[status]}")
