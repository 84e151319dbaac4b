"""A county followed through a rename: 凤翔县 610322 (to 2020) became 凤翔区 610305 (2021)."""

from __future__ import annotations

import duckdb

from extractors import EXTRACTOR_VERSION
from extractors.jurisdictions import code_in_force, current_code
from pipelines.load import load_warehouse
from pipelines.rows import organ_across_renames


def test_codes_in_force_and_today():
    assert current_code("610322") == current_code("610305") == "610305"
    assert code_in_force("610305", 2019) == "610322" and code_in_force("610322", 2022) == "610305"
    assert code_in_force("610329", 2019) == "610329" and current_code("999999") is None
    assert code_in_force("130323", 2016) == "130323"  # 抚宁县 split three ways in 2015: no single answer, kept
    assert organ_across_renames("凤翔县人民政府", "610322") == "凤翔区人民政府"
    assert organ_across_renames("凤翔区农业农村局", "610305") == "凤翔区农业农村局"


def test_warehouse_carries_both_codes_and_coverage_has_no_false_gap(tmp_path, fill, extract_all):
    fill(tmp_path, counties=[("610322", "凤翔县")], years=(2019, 2020))
    fill(tmp_path, counties=[("610305", "凤翔区")], years=(2021, 2022))
    extract_all(tmp_path)
    load_warehouse(tmp_path, None, EXTRACTOR_VERSION)
    wh = tmp_path / "warehouse"
    reports = duckdb.sql(
        f"SELECT report_year, jurisdiction_code, jurisdiction_code_current, jurisdiction_name, issuing_body, organ "
        f"FROM read_parquet('{wh}/reports/**/*.parquet', hive_partitioning=true) ORDER BY report_year"
    ).fetchall()
    assert [(int(y), c, cur, name, body, organ) for y, c, cur, name, body, organ in reports] == [
        (2019, "610322", "610305", "凤翔县", "凤翔县人民政府", "凤翔区人民政府"),
        (2020, "610322", "610305", "凤翔县", "凤翔县人民政府", "凤翔区人民政府"),
        (2021, "610305", "610305", "凤翔区", "凤翔区人民政府", "凤翔区人民政府"),
        (2022, "610305", "610305", "凤翔区", "凤翔区人民政府", "凤翔区人民政府"),
    ]
    coverage = duckdb.sql(
        f"SELECT year, jurisdiction_code, jurisdiction_code_current, jurisdiction_name, status "
        f"FROM read_parquet('{wh}/coverage/*.parquet') ORDER BY year"
    ).fetchall()
    assert coverage == [
        (2019, "610322", "610305", "凤翔县", "checked"),
        (2020, "610322", "610305", "凤翔县", "checked"),
        (2021, "610305", "610305", "凤翔区", "checked"),
        (2022, "610305", "610305", "凤翔区", "checked"),
    ]
    # the cross-year check runs across the rename: 2021's carried_over against 2020's carried_forward
    cross = duckdb.sql(
        f"SELECT DISTINCT r.report_year FROM read_parquet('{wh}/checks/**/*.parquet', hive_partitioning=true) c "
        f"JOIN read_parquet('{wh}/reports/**/*.parquet', hive_partitioning=true) r USING (report_id) "
        f"WHERE c.check_id = 'cross_year.carried_over' ORDER BY 1"
    ).fetchall()
    assert [int(y) for (y,) in cross] == [2020, 2021, 2022]
    divisions = dict(
        duckdb.sql(
            f"SELECT code, current_code FROM read_parquet('{wh}/divisions/*.parquet') "
            "WHERE code IN ('610322', '610305')"
        ).fetchall()
    )
    assert divisions == {"610322": "610305", "610305": "610305"}
