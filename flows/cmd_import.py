"""``ogi import``: local files or folders of reports into the raw store (``pipelines.local_import``)."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)


def import_command(
    paths: List[Path] = typer.Argument(..., help="Report files or folders (searched recursively).", exists=True),
    jurisdiction: Optional[str] = typer.Option(
        None, "--jurisdiction", help="GB/T 2260 code of the county the files belong to."
    ),
    organ: Optional[str] = typer.Option(
        None, "--organ", help="Publishing organ, e.g. 麟游县人民政府 (default: read from each report)."
    ),
    year: Optional[int] = typer.Option(None, "--year", help="Report year (default: read from each report)."),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", help="Data dir (default: OGI_DATA_DIR or ./data)."),
) -> None:
    """Add reports you already hold to the raw store, with provenance (file:// path, name, sha256).

    Then `ogi run --no-crawl` extracts, checks and loads them like crawled ones. What you give here
    is used where the report itself does not say; the report's own title and text come first.
    """
    from flows.settings import Paths
    from pipelines.local_import import ImportError_, import_files
    from pipelines.rawstore import RawStore

    paths_ = Paths.of(data_dir)
    try:
        with RawStore(paths_.raw) as raw:
            summary = import_files(raw, paths, jurisdiction, organ, year)
    except ImportError_ as exc:
        typer.echo(f"ogi import: {exc}", err=True)
        raise typer.Exit(2) from None
    for path, reason in summary.skipped:
        typer.echo(f"skipped {path}: {reason}", err=True)
    typer.echo(
        f"{len(summary.new)} new, {len(summary.changed)} changed, {len(summary.unchanged)} unchanged, "
        f"{len(summary.skipped)} skipped → {paths_.raw}"
    )
    if summary.new or summary.changed:
        typer.echo("next: ogi run --no-crawl   (extracts, checks and loads them)")
