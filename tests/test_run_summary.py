"""The summary the CLI prints after a run: read from the warehouse's files in place (DuckDB), on local disk and
through fsspec (memory:// stands in for s3://), with the counts a researcher would get from the tables."""

from __future__ import annotations

import pandas as pd
import pytest

from extractors import EXTRACTOR_VERSION
from flows import summary
from pipelines.datasets import Warehouse
from pipelines.load import load_warehouse


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, fill, extract_all):
    data = tmp_path_factory.mktemp("summary")
    fill(data, counties=[("610329", "麟游县"), ("320813", "洪泽区")], years=(2021, 2022), faulty={("320813", 2022)})
    extract_all(data)
    load_warehouse(data, None, EXTRACTOR_VERSION)
    load_warehouse(data, "memory://ogi-summary/wh", EXTRACTOR_VERSION)
    return data


@pytest.mark.parametrize("where", ["local", "fsspec"])
def test_the_run_summary_counts_what_the_tables_hold(loaded, where, capsys):
    url = str(loaded / "warehouse") if where == "local" else "memory://ogi-summary/wh"
    checks = Warehouse(url).read("checks").to_pandas()
    failing = checks[(checks.ok == False) & (checks.severity == "error")]  # noqa: E712 (ok is null when undecided)
    assert len(failing) > 0  # the faulty report breaks an identity

    shown = summary.print_warehouse(url, max_rows=1)

    assert shown["failed_checks"] == len(failing)
    assert shown["cross_year_warnings"] == int(((checks.ok == False) & (checks.severity == "warning")).sum())  # noqa: E712
    assert sorted(shown["reports_by_jurisdiction_year"]) == [
        ("洪泽区", 2021, 1),
        ("洪泽区", 2022, 1),
        ("麟游县", 2021, 1),
        ("麟游县", 2022, 1),
    ]
    out = capsys.readouterr().out
    assert f"Checks that failed ({len(failing)};" in out and "洪泽区" in out
    assert f"and {len(failing) - 1} more" in out


def test_an_empty_warehouse_says_so(tmp_path, capsys):
    shown = summary.print_warehouse(str(tmp_path / "warehouse"))
    assert shown == {
        "reports_by_jurisdiction_year": [],
        "failed_checks": 0,
        "cross_year_warnings": 0,
        "broken_sources": [],
    }
    assert "No reports in the warehouse yet." in capsys.readouterr().out


def test_a_run_that_changed_nothing_prints_its_counts_without_reading_the_tables(monkeypatch, capsys):
    monkeypatch.setattr(summary, "print_warehouse", lambda url: pytest.fail("the warehouse was read"))
    load = {"skipped": True, "reports": 17, "checks_failed": 2, "cross_year_warnings": 1, "documents": 20}
    load.update(written=0, deleted=0, unchanged=40, tables_written=[])
    extract = {"extracted": 0, "failed": 0}
    summary.print_run({"flow": "nightly", "seconds": 1.0, "load": load, "extract": extract, "warehouse": "wh"})
    assert "warehouse unchanged: 17 report(s), 2 failed check(s), 1 cross-year warning(s)" in " ".join(
        capsys.readouterr().out.split()
    )


def test_reports_by_year_are_those_of_the_reports_table(loaded):
    reports = pd.read_parquet(loaded / "warehouse" / "reports")
    grid = summary.print_warehouse(str(loaded / "warehouse"))["reports_by_jurisdiction_year"]
    assert sum(n for _, _, n in grid) == len(reports)
