"""Coverage: the jurisdiction × organ × year grid with its gaps, cross-year warnings, and the picture."""

from __future__ import annotations

import pandas as pd

from demo.samples import generate, store_sample
from extractors import EXTRACTOR_VERSION
from pipelines.coverage import CROSS_YEAR_CHECK, Observation, coverage_rows, cross_year_checks, plot
from pipelines.load import load_warehouse
from pipelines.rawstore import FetchRecord, RawStore


def test_cross_year_check_compares_carried_over_with_last_years_carried_forward():
    found = cross_year_checks(
        [
            ("a21", "610329", "gov", 2021, {"total": (3, 5)}),
            ("a22", "610329", "gov", 2022, {"total": (5, 1)}),
            ("a23", "610329", "gov", 2023, {"total": (2, 0)}),
            ("b23", "320813", "gov", 2023, {"total": (9, 0)}),  # no 2022 report: nothing to compare
        ]
    )
    assert set(found) == {"a22", "a23"}
    assert found["a22"][0] | {"ok": True} == found["a22"][0] and found["a22"][0]["severity"] == "warning"
    bad = found["a23"][0]
    assert (bad["check_id"], bad["ok"], bad["expected"], bad["found"]) == (CROSS_YEAR_CHECK, False, 1.0, 2.0)


def test_grid_fills_gaps_and_keeps_the_best_status():
    obs = [
        Observation("610329", "gov", 2021, "checked", report_id="r1"),
        Observation("610329", "gov", 2021, "fetched"),
        Observation("610329", "gov", 2023, "extracted", checks_failed=2),
    ]
    rows = coverage_rows(obs, {"610329": ("麟游县", "陕西省")}, expected=[("320813", "(none)")])
    grid = {(r["jurisdiction_code"], r["year"]): r for r in rows}
    assert len(rows) == 6  # two lines × 2021..2023
    assert grid[("610329", 2021)]["status"] == "checked" and grid[("610329", 2021)]["documents"] == 2
    assert grid[("610329", 2022)]["status"] == "not_found"
    assert grid[("610329", 2023)]["checks_failed"] == 2
    assert grid[("320813", 2022)]["status"] == "not_found" and grid[("320813", 2022)]["province"] == "江苏省"


def test_coverage_table_and_picture_from_a_load(tmp_path, extract_all):
    with RawStore(tmp_path / "raw") as raw:
        prev = None
        for year in (2020, 2021, 2023):  # 2022 is missing
            # 2021 carries over exactly what 2020 carried forward
            s = generate(
                "610329", "麟游县", "麟游县人民政府", year, faulty=year == 2023, previous=prev if year == 2021 else None
            )
            store_sample(raw, s, "gen", f"http://gen.example/{year}.html")
            prev = s
        raw.put(b"%PDF-1.4 not really a pdf")
        raw.record(
            FetchRecord(
                url="http://gen.example/2024.pdf",
                sha256=raw.put(b"%PDF-1.4 not really a pdf"),
                fetched_at="2025-02-01T00:00:00+00:00",
                status=200,
                format="pdf",
                source_id="gen",
                jurisdiction_code="610329",
                organ="麟游县人民政府",
                report_year=2024,
            )
        )
    extract_all(tmp_path)
    load_warehouse(tmp_path, None, EXTRACTOR_VERSION)
    cov = pd.read_parquet(tmp_path / "warehouse" / "coverage")
    status = dict(zip(cov.year.astype(int), cov.status))
    assert status == {2020: "checked", 2021: "checked", 2022: "not_found", 2023: "extracted", 2024: "fetched"}
    warn = pd.read_parquet(tmp_path / "warehouse" / "checks").query("severity == 'warning'")
    y2021 = warn[warn.report_year.astype(int) == 2021]
    assert len(y2021) > 0 and y2021.ok.all()
    png = plot(cov.to_dict("records"), tmp_path / "coverage.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_picture_reads_only_the_lines_it_shows():
    import pyarrow as pa

    from pipelines.coverage import picture_rows

    cells = [
        {"province": p, "jurisdiction_code": c, "jurisdiction_name": n, "organ": o, "year": y, "status": s}
        for p, c, n, o in [
            ("陕西省", "610329", "麟游县", "麟游县人民政府"),
            (None, None, None, "unknown"),  # a null sorts as empty text: first
            ("江苏省", "320813", "洪泽区", "洪泽区人民政府"),
        ]
        for y, s in [(2020, "checked"), (2021, "not_found")]
    ]
    rows, years, lines = picture_rows(pa.Table.from_pylist(cells), max_rows=2)
    assert years == [2020, 2021] and lines == 3
    assert [(r["jurisdiction_code"], r["year"]) for r in rows] == [
        (None, 2020),
        (None, 2021),
        ("320813", 2020),
        ("320813", 2021),
    ]
