"""``ogi doctor [--repair]``: check a data dir (blobs, manifest, extraction store, warehouse, temporaries, locks).

The checks and repairs are ``pipelines.doctor``; this is the shell front. Exit 0 when nothing
is wrong (or everything found was repaired), 1 otherwise, 3 when a run holds the data dir.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from flows.cmd_flows import DATA_DIR, WAREHOUSE


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor_command)


def doctor_command(
    data_dir: Optional[Path] = DATA_DIR,
    warehouse: Optional[str] = WAREHOUSE,
    repair: bool = typer.Option(
        False,
        "--repair",
        help="Repair what can be repaired safely: quarantine damaged files, "
        "mark damaged blobs for refetch, restore a lost manifest, finish interrupted loads.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the findings as one JSON object."),
) -> None:
    """Check a data dir: blobs against their hashes, the manifest against the blobs, extraction batches and
    Parquet files readable, interrupted loads, temporaries of killed runs, stale locks."""
    from flows.settings import Paths
    from pipelines.datasets import LockHeld
    from pipelines.doctor import doctor

    paths = Paths.of(data_dir, warehouse)
    try:
        findings = doctor(paths.data_dir, paths.warehouse_url, repair=repair)
    except LockHeld as exc:
        typer.echo(f"{exc}: a run is in progress; run `ogi doctor` when it ends.", err=True)
        raise typer.Exit(3) from None
    left = [f for f in findings if not f.repaired]
    if as_json:
        typer.echo(
            json.dumps(
                {"data_dir": str(paths.data_dir), "findings": [f.to_dict() for f in findings]},
                ensure_ascii=False,
                indent=1,
            )
        )
    elif not findings:
        typer.echo(f"{paths.data_dir}: no problem found")
    else:
        for f in findings:
            repaired = f"\n            repaired: {f.repaired}" if f.repaired else ""
            typer.echo(f"{f.check:<11} {f.path}\n            {f.problem}{repaired}")
        if left and not repair:
            typer.echo(f"{len(left)} problem(s); `ogi doctor --repair` fixes what can be fixed safely.")
    raise typer.Exit(1 if left else 0)
