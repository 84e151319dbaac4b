"""What the CLI prints after a run, for ``ogi status`` and ``ogi coverage``: read from the stores, never from memory.

Why from the warehouse: the summary must say what a researcher will find, so it
queries the tables just written (DuckDB over Arrow), the crawl reports and the flow
run summaries.
"""

from __future__ import annotations

import os
import shlex
import sys
import textwrap
from typing import Any

from rich.console import Console
from rich.table import Table

console = Console()
SYMBOLS = {
    "checked": "[green]✓[/]",
    "extracted": "[yellow]~[/]",
    "fetched": "[dark_orange]•[/]",
    "not_found": "[dim]·[/]",
}


def duckdb_hint(warehouse_url: str) -> str:
    """A query to paste into a shell: requests granted by province and year, each county government's own
    report counted once (``is_primary``; departments and towns publish their own). DuckDB from the interpreter
    running ogi (so no separate DuckDB binary is needed), named so the line works from the current directory."""
    base = warehouse_url.rstrip("/")
    sql = (
        f"SELECT c.province, c.report_year, sum(c.value) AS granted FROM read_parquet('{base}/cells/**/*.parquet', "
        f"hive_partitioning=true) c JOIN read_parquet('{base}/reports/**/*.parquet', hive_partitioning=true) r "
        "USING (report_id) WHERE r.is_primary AND c.table_key='requests' AND c.row_key='granted' "
        "AND c.col_key='total' GROUP BY ALL ORDER BY ALL"
    )
    python = os.path.relpath(sys.executable) if sys.executable.startswith(os.getcwd() + os.sep) else sys.executable
    return f'{shlex.quote(python)} -c "import duckdb; duckdb.sql(\\"{sql}\\").show()"'


SUMMARY_MEMORY = "128MB"  # DuckDB's limit for the run summary: it streams the tables, never holds them


def _connect(warehouse_url: str, *tables: str):
    """DuckDB over the warehouse's files in place: each query reads only the columns and row groups it needs, so
    what the summary after every run costs does not grow with the warehouse (read whole into memory, the
    17,069-report benchmark warehouse took a no-change nightly's ``ogi`` process from 225 to 555 MiB)."""
    import duckdb
    import pyarrow as pa
    from fsspec.implementations.local import LocalFileSystem

    from pipelines.datasets import Warehouse
    from pipelines.tables import TABLES

    wh = Warehouse(warehouse_url)
    con = duckdb.connect(config={"memory_limit": SUMMARY_MEMORY, "threads": 2})
    if not isinstance(wh.fs, LocalFileSystem):
        con.register_filesystem(wh.fs)  # s3://, memory://: read through the warehouse's own fsspec filesystem
    for name in tables:
        urls = wh.data_urls(name)
        if urls:
            # one schema per table: a schema change rebuilds every partition (it is in their signatures)
            con.read_parquet(urls, hive_partitioning=True).create_view(name)
        else:  # no file yet: the table's columns, no rows
            con.register(name, pa.schema([pa.field(c.name, c.type) for c in TABLES[name].all_columns]).empty_table())
    return con


def print_warehouse(warehouse_url: str, max_rows: int = 15) -> dict[str, Any]:
    """Reports by year and jurisdiction, failed checks, broken sources; returns the same as data."""
    con = _connect(warehouse_url, "reports", "checks", "crawl_log")
    by = con.execute(
        "SELECT coalesce(jurisdiction_name, jurisdiction_code, '?') AS j, report_year, count(*) FROM reports "
        "GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    years = sorted({y for _, y, _ in by})
    grid = Table(title="Reports by jurisdiction and year", title_justify="left")
    grid.add_column("jurisdiction")
    for y in years:
        grid.add_column(str(y), justify="right")
    names = sorted({j for j, _, _ in by})
    counts = {(j, y): n for j, y, n in by}
    for j in names[: max_rows * 2]:
        grid.add_row(j, *[str(counts.get((j, y), "")) for y in years])
    console.print(grid if names else "[yellow]No reports in the warehouse yet.[/]")
    failing = "FROM checks WHERE ok = false AND severity = 'error'"  # ok is null where a blank cell leaves it open
    failed_total = con.execute(f"SELECT count(*) {failing}").fetchone()[0]
    failed = con.execute(
        f"SELECT report_id, report_year, check_id, row_key, col_key, expected, found {failing} "
        "ORDER BY report_year, report_id, check_id LIMIT ?",
        [max_rows],
    ).fetchall()
    shown = {  # the names of the failures shown only
        rid: (name, organ)
        for rid, name, organ in con.execute(
            "SELECT report_id, jurisdiction_name, organ FROM reports WHERE list_contains(?, report_id)",
            [sorted({f[0] for f in failed})],
        ).fetchall()
    }
    warn = con.execute("SELECT count(*) FROM checks WHERE ok = false AND severity = 'warning'").fetchone()[0]
    if failed:
        t = Table(
            title=f"Checks that failed ({failed_total}; identities recorded, never repaired)", title_justify="left"
        )
        for col in ("jurisdiction · organ", "year", "check", "row / col", "expected", "found"):
            t.add_column(col)
        for rid, year, cid, row, col, exp, found in failed:
            name, organ = shown.get(rid, (None, "?"))
            t.add_row(
                f"{name or '?'} · {organ}",
                str(year),
                cid,
                f"{row or '*'} / {col or '*'}",
                f"{exp:g}" if exp is not None else "",
                f"{found:g}" if found is not None else "",
            )
        console.print(t)
        if failed_total > len(failed):
            console.print(f"  … and {failed_total - len(failed)} more (table `checks`)")
    else:
        console.print("[green]Every identity check holds.[/]")
    if warn:
        console.print(
            f"[yellow]{warn} cross-year warnings[/] (carried_over ≠ last year's carried_forward; "
            "`checks` where severity='warning')"
        )
    latest = con.execute(  # each source's latest crawl: one aggregate row per source, not a window over all crawls
        "SELECT source_id, last.status, last.message FROM (SELECT source_id, arg_max({'status': status, "
        "'message': message}, {'finished': finished_at, 'crawl': crawl_id}) AS last FROM crawl_log GROUP BY "
        "source_id) WHERE last.status <> 'ok' ORDER BY source_id"
    ).fetchall()
    crawled = con.execute("SELECT count(*) > 0 FROM (SELECT 1 FROM crawl_log LIMIT 1)").fetchone()[0]
    if latest:
        t = Table(title="Sources that broke or degraded (latest crawl)", title_justify="left")
        for col in ("source", "status", "why"):
            t.add_column(col)
        for sid, status, msg in latest:
            t.add_row(sid, f"[red]{status}[/]" if status == "broken" else f"[yellow]{status}[/]", (msg or "")[:100])
        console.print(t)
    elif crawled:
        console.print("[green]No source broke in the latest crawl.[/]")
    return {
        "reports_by_jurisdiction_year": by,
        "failed_checks": failed_total,
        "cross_year_warnings": warn,
        "broken_sources": [s for s, _, _ in latest],
    }


def print_run(result: dict[str, Any]) -> None:
    load, ext = result["load"], result["extract"]
    crawl = result.get("crawl") or []
    lines = [f"[bold]{result['flow']}[/] finished in {result['seconds']:.1f}s"]
    if crawl:
        failed = [c for c in crawl if "error" in c]
        lines.append(
            f"crawl: {len(crawl)} shard(s), {sum(len(c.get('sources', [])) for c in crawl)} source(s)"
            + (f", [red]{len(failed)} shard(s) failed[/]" if failed else "")
        )
    lines.append(
        f"extract: {ext['extracted']} document(s) extracted, {ext['failed']} unreadable, "
        f"{load['documents'] - ext['extracted']} already extracted"
    )
    data_tables = [t for t in load.get("tables_written", []) if t != "crawl_log"]
    if not data_tables and not load["deleted"]:
        change = f"[green]no data changed[/] ({load['unchanged']} files up to date" + (
            "; crawl_log records this crawl)" if load["written"] else ")"
        )
    else:
        change = f"{load['written']} file(s) written, {load['deleted']} deleted, {load['unchanged']} unchanged"
    lines.append(f"load: {load['reports']} report(s) from {load['documents']} document(s); {change}")
    if load.get("recovered"):
        lines.append(f"[yellow]completed the interrupted load {load['recovered']}[/]")
    for line in lines:
        console.print(line)
    if load.get("skipped"):  # nothing to tell that the last run did not: its counts, not a scan of the warehouse
        console.print(
            f"warehouse unchanged: {load['reports']} report(s), {load['checks_failed']} failed check(s), "
            f"{load['cross_year_warnings']} cross-year warning(s) (`ogi coverage`, `ogi status`, the dashboard)"
        )
    else:
        print_warehouse(result["warehouse"])
    if result.get("coverage_png"):
        console.print(f"coverage picture: {result['coverage_png']}")
    console.print(f"\nTry:\n  {duckdb_hint(result['warehouse'])}", soft_wrap=True, markup=False, highlight=False)


def _say(text: str, style: str = "") -> None:
    """One entry, wrapped at the console's width (80 when piped) with a hanging indent, never cut."""
    for line in textwrap.wrap(
        text, width=max(40, console.width), subsequent_indent=" " * 6, break_long_words=False, break_on_hyphens=False
    ):
        console.print(line, style=style, markup=False, highlight=False, soft_wrap=True)


def print_status(data: dict[str, Any]) -> None:
    """Runs and sources as wrapped lines, not a wide table, so they read the same at 80 columns, in a pipe or a log."""
    short = lambda t: (t or "")[:16].replace("T", " ")  # noqa: E731
    _say("Last runs, latest first:" if data["runs"] else "No flow runs yet (`ogi run`, `ogi demo`).", "bold")
    for r in data["runs"]:
        head = f"  {short(r['started'])}  {r['flow']}"
        if r["status"] == "failed":
            _say(f"{head}  FAILED: {r['error'] or 'no error recorded'}", "red")
            continue
        broke = f"; broke since their last crawl: {', '.join(r['newly_broken'])}" if r["newly_broken"] else ""
        _say(
            f"{head}  completed: {r['reports'] or 0} reports, {r['files_written'] or 0} files written, "
            f"{r['checks_failed'] or 0} checks failed, {r['seconds'] or 0:.0f} s{broke}"
        )
    sources = data["sources"]
    if not sources:
        _say("No crawl reports yet.")
        return
    counts = {h: sum(e["status"] == h for e in sources) for h in ("broken", "degraded", "ok")}
    console.print()
    _say(
        f"Sources (latest crawl of each): {counts['broken']} broken, {counts['degraded']} degraded, {counts['ok']} ok",
        "bold",
    )
    for e in sources:
        if e["status"] == "ok":
            continue
        causes = ", ".join(f"{c} ×{e['errors'][c]}" if c in e["errors"] else c for c in e["causes"])
        causes = causes or "no cause recorded"
        _say(
            f"  {e['source']}  {e['status']}: {causes} (crawled {short(e['crawled_at'])}, "
            f"last ok {short(e['last_ok']) or 'never'})",
            "red" if e["status"] == "broken" else "yellow",
        )


def print_coverage(rows: list[dict[str, Any]], max_rows: int = 60) -> None:
    from pipelines.coverage import summarize

    years = sorted({r["year"] for r in rows})
    t = Table(title="Coverage (✓ checked  ~ extracted  • fetched  · not found)", title_justify="left")
    t.add_column("jurisdiction · organ")
    for y in years:
        t.add_column(str(y)[2:], justify="center")
    lines: dict[tuple, dict[int, str]] = {}
    for r in rows:
        key = (r["province"] or "", r["jurisdiction_code"] or "", r["jurisdiction_name"] or "?", r["organ"])
        lines.setdefault(key, {})[r["year"]] = r["status"]
    for (_, code, name, organ), by_year in sorted(lines.items())[:max_rows]:
        t.add_row(f"{code} {name} · {organ}", *[SYMBOLS[by_year.get(y, "not_found")] for y in years])
    console.print(t)
    if len(lines) > max_rows:
        console.print(f"… {len(lines) - max_rows} more lines (table `coverage`)")
    console.print("  ".join(f"{k}: {v}" for k, v in summarize(rows).items()))
