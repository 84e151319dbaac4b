"""An incremental load (the stores' sequences → changed documents → their report scopes → their partitions) gives
exactly the warehouse a full load gives, after every kind of change, and touches only what changed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from demo.samples import SampleReport, generate, store_sample, to_report
from extractors import EXTRACTOR_VERSION
from pipelines.datasets import Warehouse
from pipelines.extracted import ExtractionStore
from pipelines.load import load_warehouse
from pipelines.rawstore import RawStore
from pipelines.tables import TABLES

COUNTIES = [("610329", "麟游县"), ("320813", "洪泽区"), ("220621", "抚松县")]
YEARS = (2020, 2021, 2022)


def _put(data: Path, sample: SampleReport, url: str, source: str = "gen", kind: str = "government") -> None:
    """Store a generated report and its perfect extraction (the extractor is not what this tests)."""
    with RawStore(data / "raw") as raw:
        sha = store_sample(raw, sample, source, url)
    with ExtractionStore(data / "state" / "extracted") as store:
        if not store.extracted([sha], EXTRACTOR_VERSION):
            body = to_report(sample, sha).to_dict()
            body["report"]["publisher_kind"] = kind
            store.put(sha, EXTRACTOR_VERSION, body)


def _tables(warehouse: Path) -> dict[str, list]:
    wh = Warehouse(warehouse)
    out = {}
    for name in TABLES:
        rows = [{k: v for k, v in r.items() if k != "load_id"} for r in wh.read(name).to_pylist()]
        out[name] = sorted(repr(sorted(r.items())) for r in rows)
    return out


def _full_copy(data: Path, tmp: Path) -> dict[str, list]:
    """The same stores loaded from scratch by a full load."""
    copy = tmp / f"full-{len(list(tmp.iterdir()))}"
    shutil.copytree(data / "raw", copy / "raw")
    shutil.copytree(data / "state" / "extracted", copy / "state" / "extracted")
    load_warehouse(copy, None, EXTRACTOR_VERSION, incremental=False)
    return _tables(copy / "warehouse")


@pytest.fixture()
def data(tmp_path):
    data = tmp_path / "data"
    for code, name in COUNTIES:
        prev = None
        for year in YEARS:
            prev = generate(code, name, f"{name}人民政府", year, previous=prev)
            _put(data, prev, f"http://gen.example/{code}/{year}.html")
    first = load_warehouse(data, None, EXTRACTOR_VERSION)
    assert first.reports == len(COUNTIES) * len(YEARS)
    return data


def test_news_touches_only_its_partitions_and_equals_a_full_load(data, tmp_path):
    wh = data / "warehouse"
    _put(data, generate("610329", "麟游县", "麟游县财政局", 2021), "http://gen.example/610329/czj-2021.html")
    summary = load_warehouse(data, None, EXTRACTOR_VERSION)
    assert not summary.skipped and summary.partitions_rebuilt == 1 and summary.reports == 10
    written = {p.split("/report_year=")[0] if "report_year=" in p else p for p in summary.commit.written}
    assert all("report_year=2021/province=陕西省" in p for p in summary.commit.written if "report_year=" in p)
    assert {"reports", "cells", "documents/part-0.parquet", "coverage/part-0.parquet"} <= written
    assert _tables(wh) == _full_copy(data, tmp_path)
    assert load_warehouse(data, None, EXTRACTOR_VERSION).skipped


def test_changed_moved_and_competing_documents_equal_a_full_load(data, tmp_path):
    wh = data / "warehouse"
    # new bytes at a known URL
    _put(data, generate("320813", "洪泽区", "洪泽区人民政府", 2021, seed=7), "http://gen.example/320813/2021.html")
    changed = load_warehouse(data, None, EXTRACTOR_VERSION)  # 2021's rows, and 2022's cross-year check against it
    assert changed.partitions_rebuilt == 2 and {p.split("/")[1] for p in changed.commit.written if "=" in p} == {
        "report_year=2021",
        "report_year=2022",
    }
    assert _tables(wh) == _full_copy(data, tmp_path)
    # a document whose new bytes belong to another year and organ: it leaves one report and joins another
    _put(data, generate("220621", "抚松县", "抚松县教育局", 2020), "http://gen.example/220621/2022.html")
    moved = load_warehouse(data, None, EXTRACTOR_VERSION)
    assert moved.reports == 9 and moved.partitions_rebuilt == 2  # 2022 loses its report, 2020 gains one
    assert _tables(wh) == _full_copy(data, tmp_path)
    # a second government report for one county and year: the two compete for is_primary
    rival = generate("610329", "麟游县", "麟游县人民政府办公室", 2022, seed=3)
    _put(data, rival, "http://other.example/610329/2022.html", source="other")
    load_warehouse(data, None, EXTRACTOR_VERSION)
    got = _tables(wh)
    assert got == _full_copy(data, tmp_path)
    primaries = Warehouse(wh).read("reports").to_pandas().query("jurisdiction_code == '610329' and report_year == 2022")
    assert len(primaries) == 2 and primaries.is_primary.sum() == 1


def test_a_new_year_is_loaded_incrementally_and_every_jurisdiction_gains_its_cell(data, tmp_path):
    wh = data / "warehouse"
    _put(data, generate("610329", "麟游县", "麟游县人民政府", 2023), "http://gen.example/610329/2023.html")
    summary = load_warehouse(data, None, EXTRACTOR_VERSION)  # every jurisdiction gains a 2023 coverage cell
    assert summary.reports == 10 and summary.partitions_rebuilt == 1
    assert {p.split("/")[1] for p in summary.commit.written if "report_year=" in p} == {"report_year=2023"}
    assert "coverage/part-0.parquet" in summary.commit.written
    assert _tables(wh) == _full_copy(data, tmp_path)
    coverage = Warehouse(wh).read("coverage").to_pandas()
    assert set(coverage.query("year == 2023").jurisdiction_code_current) == {c for c, _ in COUNTIES}
    assert coverage.query("year == 2023 and jurisdiction_code_current != '610329'").status.eq("not_found").all()
    # an earlier year too, then the span shrinks back when that year's only document turns out to be another year's
    _put(data, generate("220621", "抚松县", "抚松县人民政府", 2018), "http://gen.example/220621/2018.html")
    earlier = load_warehouse(data, None, EXTRACTOR_VERSION)
    assert earlier.partitions_rebuilt == 1 and _tables(wh) == _full_copy(data, tmp_path)
    assert sorted(Warehouse(wh).read("coverage").to_pandas().year.unique()) == list(range(2018, 2024))
    _put(data, generate("220621", "抚松县", "抚松县教育局", 2021), "http://gen.example/220621/2018.html")
    shrunk = load_warehouse(data, None, EXTRACTOR_VERSION)
    assert shrunk.reports == 11 and _tables(wh) == _full_copy(data, tmp_path)
    assert sorted(Warehouse(wh).read("coverage").to_pandas().year.unique()) == list(range(2020, 2024))
    # in the order a full load writes: the file hashes the same
    full = tmp_path / "order"
    shutil.copytree(data / "raw", full / "raw")
    shutil.copytree(data / "state" / "extracted", full / "state" / "extracted")
    load_warehouse(full, None, EXTRACTOR_VERSION, incremental=False)
    ours, theirs = Warehouse(wh).files(), Warehouse(full / "warehouse").files()
    assert ours["coverage/part-0.parquet"] == theirs["coverage/part-0.parquet"]


def test_a_lost_load_index_falls_back_to_a_full_load(data, tmp_path):
    wh = data / "warehouse"
    (data / "state" / "load.sqlite").unlink()  # the load index lost: the next load cannot start from the last
    _put(data, generate("320813", "洪泽区", "洪泽区司法局", 2022), "http://gen.example/320813/sfj-2022.html")
    again = load_warehouse(data, None, EXTRACTOR_VERSION)
    assert again.reports == 10 and again.partitions_rebuilt == 1  # a full load still keeps unchanged partitions
    assert _tables(wh) == _full_copy(data, tmp_path)


def test_a_missing_partition_file_of_a_touched_partition_is_rebuilt_whole(data, tmp_path):
    wh = data / "warehouse"
    victim = next((wh / "cells").glob("report_year=2021/province=陕西省/part-0.parquet"))
    victim.unlink()
    _put(data, generate("610329", "麟游县", "麟游县财政局", 2021), "http://gen.example/610329/czj-2021.html")
    load_warehouse(data, None, EXTRACTOR_VERSION)
    assert victim.exists() and _tables(wh) == _full_copy(data, tmp_path)


def test_news_goes_to_delta_files_merged_once_there_are_enough(data, tmp_path):
    from pipelines.load import MAX_DELTAS

    part = data / "warehouse" / "cells" / "report_year=2022" / "province=陕西省"
    base = (part / "part-0.parquet").stat().st_mtime_ns
    for k in range(MAX_DELTAS + 2):
        dept = generate("610329", "麟游县", f"麟游县部门{k}", 2022)
        _put(data, dept, f"http://gen.example/610329/d{k}-2022.html", kind="department")
        summary = load_warehouse(data, None, EXTRACTOR_VERSION)
        assert summary.reports == 10 + k and summary.partitions_rebuilt == 1
        files = sorted(p.name for p in part.glob("part-*.parquet"))
        assert "part-0.parquet" in files and 2 <= len(files) <= MAX_DELTAS + 1, files
    assert len(files) == 3  # the eight deltas merged into one, then one more
    assert (part / "part-0.parquet").stat().st_mtime_ns == base  # the base file was never rewritten
    assert _tables(data / "warehouse") == _full_copy(data, tmp_path)
    Warehouse(data / "warehouse").forget_state()
    full = load_warehouse(data, None, EXTRACTOR_VERSION, incremental=False)  # a full load: one file again
    assert full.reports == 10 + MAX_DELTAS + 1 and sorted(p.name for p in part.glob("part-*.parquet")) == [
        "part-0.parquet"
    ]
