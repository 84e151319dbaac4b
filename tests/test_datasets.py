"""The Parquet writer and loader: schema from the form, read-back, idempotent reruns, partial rewrites, locks."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from dataclasses import replace

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from demo.samples import to_report
from extractors import EXTRACTOR_VERSION
from extractors.schema import SCHEMA
from pipelines.datasets import LockHeld, Warehouse, WarehouseLock
from pipelines.extracted import ExtractionStore
from pipelines.load import load_warehouse
from pipelines.tables import APPEALS, PROACTIVE, REQUESTS, SCHEMA_VERSION, TABLES, column_name


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, fill, add_real_sample, extract_all):
    """Four counties × three years through the real extractor, plus one real published PDF, loaded once."""
    data = tmp_path_factory.mktemp("wh")
    samples = fill(data, faulty={("320813", 2021)})
    add_real_sample(data, "hongze-district-2023.pdf", "320813", 2023, "淮安市洪泽区人民政府")
    extract_all(data)
    summary = load_warehouse(data, None, EXTRACTOR_VERSION)
    return data, samples, summary


def test_columns_are_snake_case_unique_and_come_from_the_schema():
    for spec in TABLES.values():
        names = [c.name for c in spec.all_columns]
        assert len(names) == len(set(names)), spec.name
        assert all(re.fullmatch(r"[a-z][a-z0-9_]*", n) for n in names), spec.name
        assert "load_id" in names
    assert column_name("withheld.state_secret", "total") == "withheld_state_secret__total"
    assert len([c for c in APPEALS.columns if "__" in c.name]) == 15
    union = {column_name(r, c) for v in ("2021", "2019") for r, c in SCHEMA["proactive"].cells_for(v)}
    assert {c.name for c in PROACTIVE.columns if "__" in c.name} == union
    assert [c.name for c in REQUESTS.columns if c.label] == [c.key for c in SCHEMA["requests"].cols]
    assert PROACTIVE.column("fees__amount_wan").unit == "万元"


def test_tables_read_back_with_pandas_and_duckdb(loaded):
    data, samples, summary = loaded
    assert summary.reports == len(samples) + 1 and summary.errors == 0 and summary.pending == 0
    wh = data / "warehouse"
    reports = pd.read_parquet(wh / "reports")
    assert len(reports) == summary.reports and reports.report_id.is_unique
    assert set(reports.province.astype(str)) == {"陕西省", "江苏省", "吉林省", "山东省"}
    assert (reports.schema_version == SCHEMA_VERSION).all() and reports.load_id.notna().all()
    real = reports[reports.format == "pdf"].iloc[0]
    assert real.jurisdiction_code == "320813" and int(real.report_year) == 2023 and real.cells_found > 150
    # every generated number is in `cells`, exactly
    s = samples[0]
    got = duckdb.sql(
        f"SELECT c.table_key, c.row_key, c.col_key, c.value FROM read_parquet('{wh}/cells/**/*.parquet', hive_partitioning=true) c "
        f"JOIN read_parquet('{wh}/reports/**/*.parquet', hive_partitioning=true) r USING (report_id) "
        f"WHERE r.jurisdiction_code = '{s.jurisdiction_code}' AND r.report_year = {s.year}"
    ).fetchall()
    assert {(t, r, c): v for t, r, c, v in got} == {k: float(v) for k, v in s.values.items()}
    # wide tables: one row per report, requests one row per form row
    req = pd.read_parquet(wh / "requests")
    one = req[(req.jurisdiction_code == s.jurisdiction_code) & (req.report_year.astype(int) == s.year)]
    assert len(one) == len(SCHEMA["requests"].rows_for(s.form))
    granted = one.set_index("row_key").loc["granted"]
    assert int(granted.total) == s.values[("requests", "granted", "total")]
    appeals = pd.read_parquet(wh / "appeals")
    assert len(appeals) == summary.reports
    # the faulty report's failed identity is recorded, not repaired
    checks = pd.read_parquet(wh / "checks")
    bad = checks[(checks.jurisdiction_code == "320813") & (checks.report_year.astype(int) == 2021) & ~checks.ok]
    assert "requests.balance" in set(bad.check_id)
    docs = pd.read_parquet(wh / "documents")
    assert len(docs) == summary.documents and docs.chosen.sum() == summary.reports


def test_rerun_writes_nothing_and_keeps_rows_identical(loaded, snapshot, mtimes):
    data, _, _ = loaded
    wh = Warehouse(data / "warehouse")
    before = {t: snapshot(wh, t) for t in ("reports", "cells", "checks", "documents")}
    stamps = mtimes(data / "warehouse")
    again = load_warehouse(data, None, EXTRACTOR_VERSION)
    assert again.skipped and not again.commit.changed  # the stores' sequences did not move: nothing was read
    assert again.reports == loaded[2].reports and mtimes(data / "warehouse") == stamps
    from pipelines.rawstore import RawStore

    with RawStore(data / "raw") as raw:  # a re-check that changed nothing (a 304) moves the raw sequence
        doc = next(raw.documents())
        raw.record(replace(doc, sha256=None, status=304, fetched_at="2026-01-01T00:00:00+00:00"))
    third = load_warehouse(data, None, EXTRACTOR_VERSION)
    assert not third.skipped and third.partitions_rebuilt == 0
    assert not third.commit.changed  # only the files it looked at, none rewritten
    assert mtimes(data / "warehouse") == stamps
    assert load_warehouse(data, None, EXTRACTOR_VERSION).skipped
    assert {t: snapshot(wh, t) for t in before} == before
    n = len(before["cells"])
    assert (
        len(
            {
                (r["report_id"], r["table_key"], r["row_key"], r["col_key"])
                for r in before["cells"]
                if r["row_key"] != "extra"
            }
        )
        == len([r for r in before["cells"] if r["row_key"] != "extra"])
        and n > 0
    )


def test_rows_built_in_chunks_are_the_same_files(loaded, tmp_path, monkeypatch):
    """A partition built a few reports at a time (as a national one is) hashes and reads as one built at once."""
    import pipelines.load as L

    data, _, _ = loaded
    monkeypatch.setattr(L, "CHUNK", 1)
    again = load_warehouse(data, str(tmp_path / "wh"), EXTRACTOR_VERSION)
    ref, chunked = Warehouse(data / "warehouse"), Warehouse(tmp_path / "wh")
    assert again.commit.written and chunked.files() == ref.files()


def test_a_changed_report_rewrites_only_its_partitions(tmp_path, fill, mtimes):
    data = tmp_path
    samples = fill(data, counties=[("610329", "麟游县"), ("320813", "洪泽区")], years=(2021, 2022))
    store = ExtractionStore(data / "state" / "extracted")
    from pipelines.rawstore import RawStore

    with RawStore(data / "raw") as raw:
        docs = {(r.jurisdiction_code, r.report_year): r.sha256 for r in raw.documents()}
    for s in samples:
        store.put(docs[(s.jurisdiction_code, s.year)], "1", to_report(s, docs[(s.jurisdiction_code, s.year)]).to_dict())
    first = load_warehouse(data, None, "1")
    stamps = mtimes(data / "warehouse")
    # version 2 of the extractor reads one report differently, and moves another to a different year
    changed, moved = samples[0], samples[3]
    r = to_report(changed, docs[(changed.jurisdiction_code, changed.year)])
    r.cells[0].value = (r.cells[0].value or 0) + 7
    store.put(r.sha256, "2", r.to_dict())
    m = to_report(moved, docs[(moved.jurisdiction_code, moved.year)])
    m.meta.report_year = 2019
    store.put(m.sha256, "2", m.to_dict())
    second = load_warehouse(data, None, "2")
    after = mtimes(data / "warehouse")
    rewritten = {p for p in after if after[p] != stamps.get(p)}
    assert all(
        "report_year=2021/province=陕西省" in p or "report_year=2019" in p or p.startswith(("coverage", "documents"))
        for p in rewritten
    ), rewritten
    assert any(p.startswith("cells/report_year=2021/province=陕西省") for p in rewritten)
    assert f"cells/report_year={moved.year}/province=江苏省/part-0.parquet" in second.commit.deleted
    assert first.commit.written and second.commit.load_id > first.commit.load_id
    wh = Warehouse(data / "warehouse")
    assert sorted(int(y) for y in wh.read("reports").column("report_year").to_pylist()).count(2019) == 1
    loads = wh.loads()
    assert len(loads) == 2 and loads[-1]["deleted"] == second.commit.deleted


def test_memory_filesystem_warehouse(tmp_path, fill, extract_all):
    fill(tmp_path, counties=[("610329", "麟游县")], years=(2022,))
    extract_all(tmp_path)
    summary = load_warehouse(tmp_path, "memory://ogi-test/wh", EXTRACTOR_VERSION)
    wh = Warehouse("memory://ogi-test/wh")
    assert summary.commit.written and wh.read("reports").num_rows == 1
    for written in summary.commit.written:  # every file, per report or whole-table, says its schema and load
        with wh.fs.open(f"{wh.root}/{written}", "rb") as f:
            meta = pq.ParquetFile(f).metadata.metadata
        assert meta[b"ogi.schema_version"] == SCHEMA_VERSION.encode(), written
        assert meta[b"ogi.load_id"] == summary.commit.load_id.encode(), written
    assert not load_warehouse(tmp_path, "memory://ogi-test/wh", EXTRACTOR_VERSION).commit.changed
    assert not wh.fs.exists(f"{wh.root}/_journal.json") and not wh.fs.exists(f"{wh.root}/_staging")


def test_a_second_load_waits_for_the_lock_held_by_another_process(tmp_path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
        import sys, time
        from fsspec.implementations.local import LocalFileSystem
        from pipelines.datasets import WarehouseLock
        lock = WarehouseLock(LocalFileSystem(), {str(tmp_path / "_lock")!r}); lock.acquire()
        print("held", flush=True); time.sleep(60)
    """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        Warehouse(tmp_path)  # creates nothing that needs the lock
        with pytest.raises(LockHeld, match="pid"):
            with Warehouse(tmp_path).load(lock_timeout=0.3):
                pass
    finally:
        holder.kill()
        holder.wait()
    with Warehouse(tmp_path).load(lock_timeout=5) as load:  # the kernel released the dead holder's lock
        assert load.load_id


def test_memory_lock_is_exclusive():
    wh = Warehouse("memory://ogi-lock/wh")
    first = WarehouseLock(wh.fs, f"{wh.root}/_lock")
    first.acquire()
    with pytest.raises(LockHeld):
        WarehouseLock(wh.fs, f"{wh.root}/_lock").acquire(timeout=0.2)
    first.release()
    WarehouseLock(wh.fs, f"{wh.root}/_lock").acquire(timeout=0.2)
