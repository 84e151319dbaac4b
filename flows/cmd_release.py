"""``ogi release``: a versioned, citable snapshot of the warehouse (``pipelines.release``)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    app.command("release")(release_command)


def release_command(
    out: Path = typer.Option(..., "--out", help="Folder to write the release into (must not exist or be empty)."),
    version: Optional[str] = typer.Option(
        None, "--version", help="Release version; default: today's date, YYYY.MM.DD."
    ),
    previous: Optional[Path] = typer.Option(
        None,
        "--previous",
        help="The release to compare with for the changelog; default: the newest release beside --out.",
    ),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", help="Data dir (default: OGI_DATA_DIR or ./data)."),
    warehouse: Optional[str] = typer.Option(None, "--warehouse", help="Warehouse URL (default: <data dir>/warehouse)."),
) -> None:
    """Write a release: every table as Parquet and CSV, a Frictionless datapackage.json, a codebook,
    the data licence, CITATION.cff, a changelog against the previous release, and SHA256SUMS.

    Check it with `frictionless validate OUT/datapackage.json` and `cd OUT && sha256sum -c SHA256SUMS`.
    """
    from flows.settings import Paths
    from pipelines.release import ReleaseError, make_release

    paths = Paths.of(data_dir, warehouse)
    try:
        summary = make_release(paths.warehouse_url, out, version=version, previous=previous)
    except ReleaseError as exc:
        typer.echo(f"ogi release: {exc}", err=True)
        raise typer.Exit(2) from None
    log = summary.changelog
    since = f"since {log.previous}" if log.previous else "(first release)"
    typer.echo(f"release {summary.version} written to {summary.path}")
    typer.echo("  " + ", ".join(f"{name} {rows:,}" for name, rows in summary.tables.items()))
    typer.echo(f"  reports {since}: {len(log.added)} added, {len(log.changed)} changed, {len(log.removed)} removed")
