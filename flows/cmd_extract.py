"""``ogi extract``: documents in, one report per file out (a summary, or JSON lines)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Iterator, List

import typer

SKIP_SUFFIXES = {".json", ".md", ".py", ".toml", ".yml", ".yaml", ".csv", ".parquet", ".sqlite", ".lock"}


def register(app: typer.Typer) -> None:
    app.command("extract")(extract_command)


def extract_command(
    paths: List[Path] = typer.Argument(..., help="Report files or directories (searched recursively)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object per input file per line."),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Worker processes (PDF/DOC parsing is CPU-bound)."),
) -> None:
    """Extract the form's tables from reports: PDF, DOCX, DOC/WPS, XLS(X), HTML or text.

    The format is read from the bytes, not the file name. Every cell keeps its raw text, the form's
    identities are checked, and problems are listed, never papered over.

    Exits 1 when any file could not be read at all (its line says why). Codes: docs/extraction.md.
    """
    files = list(_expand(paths))
    if not files:
        typer.echo("No documents found under the given paths.", err=True)
        raise typer.Exit(2)
    failed = 0
    for report in _run(files, jobs, show_progress=len(files) > 1):
        if "error" in report:
            failed += 1
        if as_json:
            _json_line(report)
        else:
            _summary(report)
    if not as_json and len(files) > 1:
        typer.echo(f"\n{len(files)} files, {len(files) - failed} read, {failed} unreadable.")
    raise typer.Exit(1 if failed else 0)


def _expand(paths: List[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not child.name.startswith(".") and child.suffix.lower() not in SKIP_SUFFIXES:
                    yield child
        else:
            yield path


def _run(files: list[Path], jobs: int, show_progress: bool) -> Iterator[dict]:
    """Every file through the bounded runner (a worker process per job, kernel limits)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from extractors.runner import run_many

    progress = Progress(
        TextColumn("extracting"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=not show_progress or not sys.stderr.isatty(),
        transient=True,
    )
    with progress:
        task = progress.add_task("extract", total=len(files))
        for _, report in run_many(files, jobs=min(jobs, len(files))):
            progress.advance(task)
            yield report.to_dict()


def _json_line(report: dict) -> None:
    """One line of valid UTF-8 whatever the text holds (a lone surrogate becomes an escape)."""
    line = json.dumps(report, ensure_ascii=False) + "\n"
    sys.stdout.flush()
    sys.stdout.buffer.write(line.encode("utf-8", errors="backslashreplace"))
    sys.stdout.buffer.flush()


def _summary(report: dict) -> None:
    from rich.console import Console

    console = Console(highlight=False)
    if "error" in report:
        err = report["error"]
        console.print(f"[bold red]✗[/] {report['path']} ({report['format']}): [red]{err['code']}[/] — {err['message']}")
        return
    meta = report["report"]
    checks = report["checks"]
    failed = [c for c in checks if c["ok"] is False]
    undecided = sum(1 for c in checks if c["ok"] is None)
    tables = ", ".join(f"{k} ({v['form_version']})" for k, v in report["tables"].items()) or "none"
    mark = "[green]✓[/]" if not failed and not report["problems"] else "[yellow]![/]"
    console.print(f"{mark} [bold]{report['path']}[/] ({report['format']})")
    console.print(
        f"   {meta.get('issuing_body') or '?'} · {meta.get('report_year') or '?'} "
        f"(year from {meta.get('year_source') or '?'}) · code {meta.get('jurisdiction_code') or '—'}"
    )
    console.print(
        f"   tables: {tables} · {len(report['cells'])} cells · checks {len(checks) - len(failed) - undecided} ok, "
        f"{len(failed)} failed, {undecided} undecided (blank cells)"
    )
    for check in failed[:5]:
        where = check.get("col") or check.get("row")
        console.print(
            f"   [red]check {check['id']} [{where}]: parts give {check['expected']}, printed {check['found']}[/]"
        )
    for problem in report["problems"][:8]:
        console.print(f"   [yellow]{problem['code']}[/]: {problem['message']}")
    if report["extra_rows"]:
        console.print(f"   extra rows kept: {', '.join(r['label'] or '(no label)' for r in report['extra_rows'])}")
