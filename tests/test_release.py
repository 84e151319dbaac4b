"""``ogi release``: a real warehouse released, validated with frictionless, checked by sha256sum, diffed."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pyarrow as pa
import pytest

from extractors import EXTRACTOR_VERSION
from pipelines.load import load_warehouse
from pipelines.release import Changelog, compare, frictionless_type
from pipelines.tables import TABLES


def ogi(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


@pytest.fixture(scope="module")
def released(tmp_path_factory, fill, extract_all):
    data = tmp_path_factory.mktemp("rel")
    fill(data, counties=[("610329", "麟游县"), ("320813", "洪泽区")], years=(2021, 2022))
    extract_all(data)
    load_warehouse(data, None, EXTRACTOR_VERSION)
    out = data / "releases" / "v1"
    result = ogi("release", "--out", str(out), "--version", "1.0.0", "--data-dir", str(data))
    assert result.returncode == 0, result.stderr
    return data, out, result.stdout


def test_release_holds_every_table_as_parquet_and_csv_with_the_warehouse_rows(released):
    data, out, stdout = released
    assert "release 1.0.0 written to" in stdout
    for name in TABLES:
        parquet = pd.read_parquet(out / "data" / f"{name}.parquet")
        csv = pd.read_csv(out / "data" / f"{name}.csv", dtype=str)
        assert len(parquet) == len(csv), name
    reports = pd.read_parquet(out / "data" / "reports.parquet")
    assert len(reports) == 4  # 2 counties × 2 years, the governments' own reports
    assert sorted(reports["report_year"].unique().tolist()) == [2021, 2022]
    assert set(reports["jurisdiction_code"]) == {"610329", "320813"}


def test_datapackage_validates_with_frictionless_and_describes_every_field(released):
    from frictionless import validate

    _, out, _ = released
    report = validate(str(out / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    package = json.loads((out / "datapackage.json").read_text())
    assert package["version"] == "1.0.0"
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    resources = {r["name"]: r for r in package["resources"]}
    assert len(resources) == len(TABLES)
    requests_fields = {f["name"]: f for f in resources["requests"]["schema"]["fields"]}
    assert requests_fields["report_year"]["type"] == "integer"
    cells_fields = {f["name"]: f for f in resources["cells"]["schema"]["fields"]}
    assert all(f.get("description") for f in cells_fields.values())
    proactive = {f["name"]: f for f in resources["proactive"]["schema"]["fields"]}
    assert proactive["regulations__issued"]["title"] == "第二十条第（一）项 规章 × 本年制发件数"


def test_sums_check_out_and_citation_licence_codebook_changelog_are_there(released):
    _, out, _ = released
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=out, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    listed = {line.split("  ", 1)[1] for line in (out / "SHA256SUMS").read_text().splitlines()}
    assert {
        "datapackage.json",
        "CITATION.cff",
        "LICENSE-DATA.md",
        "codebook.md",
        "CHANGELOG.md",
        "data/reports.csv",
        "data/reports.parquet",
    } <= listed
    assert 'version: "1.0.0"' in (out / "CITATION.cff").read_text()
    assert "### `requests`" in (out / "codebook.md").read_text()
    assert "4 added, 0 changed, 0 removed" in (out / "CHANGELOG.md").read_text()


def test_a_damaged_file_fails_the_sums(released, tmp_path):
    import shutil

    _, out, _ = released
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    with open(copy / "data" / "reports.csv", "a") as f:
        f.write("tampered\n")
    check = subprocess.run(["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=copy, capture_output=True, text=True)
    assert check.returncode != 0 and "data/reports.csv: FAILED" in check.stdout


def test_second_release_lists_added_and_changed_reports_and_never_overwrites(released, fill, extract_all):
    data, out, _ = released
    again = ogi("release", "--out", str(out), "--data-dir", str(data))
    assert again.returncode == 2 and "never overwritten" in again.stderr
    # a new county, and one report of an old county republished with other numbers
    fill(data, counties=[("220621", "抚松县")], years=(2022,))
    fill(data, counties=[("610329", "麟游县")], years=(2022,), faulty={("610329", 2022)})
    extract_all(data)
    load_warehouse(data, None, EXTRACTOR_VERSION)
    second = data / "releases" / "v2"
    result = ogi("release", "--out", str(second), "--version", "1.1.0", "--data-dir", str(data))
    assert result.returncode == 0, result.stderr
    meta = json.loads((second / "release.json").read_text())
    assert meta["previous"] == "1.0.0"
    assert meta["changes"] == {"added": 1, "changed": 1, "removed": 0}
    log = (second / "CHANGELOG.md").read_text()
    assert "since release 1.0.0" in log and "220621" in log.split("## Changed")[0]
    assert "610329" in log.split("## Changed")[1].split("## Removed")[0]


def test_compare_is_a_pure_diff_by_fingerprint():
    described = {"a": {"report_id": "a"}, "b": {"report_id": "b"}}
    previous = {"a": {"report_id": "a", "fingerprint": "1"}, "c": {"report_id": "c", "fingerprint": "9"}}
    log = compare(previous, {"a": "2", "b": "3"}, described, "0.9")
    assert [r["report_id"] for r in log.changed] == ["a"]
    assert [r["report_id"] for r in log.added] == ["b"]
    assert [r["report_id"] for r in log.removed] == ["c"]
    assert compare(None, {"a": "1"}, described, None) == Changelog(None, added=[{"report_id": "a"}])


def test_arrow_types_map_to_table_schema_types():
    assert frictionless_type(pa.int16()) == "integer"
    assert frictionless_type(pa.float64()) == "number"
    assert frictionless_type(pa.date32()) == "date"
    assert frictionless_type(pa.timestamp("us", tz="UTC")) == "datetime"
    assert frictionless_type(pa.list_(pa.string())) == "array"
    assert frictionless_type(pa.dictionary(pa.int32(), pa.string())) == "string"


def test_frictionless_command_line_validates_the_release(released):
    from pathlib import Path

    _, out, _ = released
    cli = Path(sys.executable).parent / "frictionless"
    result = subprocess.run(
        [str(cli), "validate", str(out.resolve() / "datapackage.json")], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-2000:]
    assert result.stdout.count("VALID") >= len(TABLES)
