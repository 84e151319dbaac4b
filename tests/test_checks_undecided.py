"""Undecided checks are null, counted apart from failures, in every table that counts them."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from extractors import EXTRACTOR_VERSION, extract
from pipelines.load import load_warehouse
from pipelines.local_import import import_files
from pipelines.rawstore import RawStore

CORPUS = Path(__file__).resolve().parent / "corpus" / "files"
TOTALS_ONLY = "html-pipe-cells-2021-total-only.html"  # applicant columns blank, only 总计 printed


def test_blank_cells_make_checks_undecided_not_failed(tmp_path, extract_all):
    report = extract(CORPUS / TOTALS_ONLY)
    undecided = [c for c in report.checks if c.ok is None]
    failed = [c for c in report.checks if c.ok is False]
    assert undecided and not failed

    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(CORPUS / TOTALS_ONLY, docs / TOTALS_ONLY)
    with RawStore(tmp_path / "raw") as raw:
        import_files(raw, [docs])
    extract_all(tmp_path)
    summary = load_warehouse(tmp_path, None, EXTRACTOR_VERSION)
    assert (summary.checks_failed, summary.checks_undecided) == (0, len(undecided))

    wh = tmp_path / "warehouse"
    rows = duckdb.sql(
        f"SELECT ok, count(*) FROM read_parquet('{wh}/checks/**/*.parquet', hive_partitioning=true) "
        "WHERE severity = 'error' GROUP BY ok"
    ).fetchall()
    counts = {ok: n for ok, n in rows}
    assert counts[None] == len(undecided) and False not in counts
    assert counts[True] == sum(1 for c in report.checks if c.ok is True)
    rep = duckdb.sql(
        f"SELECT checks_passed, checks_failed, checks_undecided FROM read_parquet('{wh}/reports/**/*.parquet', "
        "hive_partitioning=true)"
    ).fetchall()[0]
    assert rep == (counts[True], 0, len(undecided))
    cov = duckdb.sql(
        f"SELECT status, checks_failed, checks_undecided FROM read_parquet('{wh}/coverage/*.parquet') "
        "WHERE report_id IS NOT NULL"
    ).fetchall()[0]
    assert cov == ("checked", 0, len(undecided))
