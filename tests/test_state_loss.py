"""Lost or damaged local state never costs warehouse data: the attack cases of issue 12, rebuilt here.

Each case starts from a loaded warehouse (generated reports through the real extractor),
damages one piece of state the way a crash, a full disk or a careless hand would, and checks
that the next load neither empties the warehouse nor fails without naming the file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from extractors import EXTRACTOR_VERSION
from pipelines.datasets import JOURNAL, Warehouse
from pipelines.doctor import doctor
from pipelines.extracted import ExtractionStore
from pipelines.load import ShrinkRefused, load_warehouse
from pipelines.rawstore import RawStore

TABLES = ("reports", "cells", "requests", "checks", "documents", "coverage")
COUNTIES = [
    ("610329", "麟游县"),
    ("320813", "洪泽区"),
    ("220621", "抚松县"),
    ("370826", "微山县"),
    ("130702", "桥东区"),
]


@pytest.fixture(scope="module")
def base(tmp_path_factory, fill, extract_all):
    """5 counties × 3 years, extracted one report per batch, loaded once."""
    data = tmp_path_factory.mktemp("state")
    fill(data, counties=COUNTIES)
    extract_all(data)
    summary = load_warehouse(data, None, EXTRACTOR_VERSION)
    assert summary.reports == 15
    return data


@pytest.fixture
def data(base, tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(base, copy)
    return copy


def _tables(data: Path) -> dict[str, list[dict]]:
    """Every table's rows without their load ids, sorted."""
    wh = Warehouse(data / "warehouse")
    strip = lambda rows: [{k: v for k, v in r.items() if k != "load_id"} for r in rows]  # noqa: E731
    return {t: sorted(strip(wh.read(t).to_pylist()), key=lambda r: repr(sorted(r.items()))) for t in TABLES}


def _truncate(path: Path, keep: float = 0.5) -> None:
    raw = path.read_bytes()
    path.write_bytes(raw[: int(len(raw) * keep)])


def test_a_deleted_manifest_is_refused_then_restored_by_doctor(data):
    before = _tables(data)
    for p in (data / "raw").glob("manifest.sqlite*"):
        p.unlink()
    with pytest.raises(ShrinkRefused, match=r"drop 15 of the warehouse's 15 reports.*ogi doctor --repair"):
        load_warehouse(data, None, EXTRACTOR_VERSION)
    assert _tables(data) == before  # nothing was changed
    findings = doctor(data, repair=True)
    assert [f.check for f in findings] == ["manifest"] and "restored 15 fetches" in findings[0].repaired
    after = load_warehouse(data, None, EXTRACTOR_VERSION)
    assert after.reports == 15 and not after.commit.changed
    assert _tables(data) == before


def test_a_deleted_extraction_store_is_refused_and_reextraction_restores(data, extract_all):
    before = _tables(data)
    shutil.rmtree(data / "state" / "extracted")
    with pytest.raises(ShrinkRefused, match="15 documents, 15 of them without an extraction"):
        load_warehouse(data, None, EXTRACTOR_VERSION)
    assert _tables(data) == before
    extract_all(data)
    assert not load_warehouse(data, None, EXTRACTOR_VERSION).commit.changed
    assert _tables(data) == before


def test_allow_shrink_lets_an_intended_drop_through(data):
    shutil.rmtree(data / "state" / "extracted")
    summary = load_warehouse(data, None, EXTRACTOR_VERSION, allow_shrink=True)
    assert summary.reports == 0 and summary.pending == 15
    assert Warehouse(data / "warehouse").read("reports").num_rows == 0


def test_a_truncated_extraction_batch_is_named_quarantined_and_the_load_goes_on(data):
    before = _tables(data)
    with ExtractionStore(data / "state" / "extracted") as store:
        with RawStore(data / "raw") as raw:
            sha = next(r.sha256 for r in raw.documents() if "610329/2021" in r.url)
        # a newer extraction of one report: the load must read that batch's body
        store.put(sha, "9.9.9", {**store.get(sha, EXTRACTOR_VERSION)})
        batch = store._db.execute("SELECT batch FROM entries WHERE version = '9.9.9'").fetchone()[0]
    _truncate(data / "state" / "extracted" / "batches" / batch)
    summary = load_warehouse(data, None, "9.9.9")
    assert len(summary.quarantined) == 1 and batch in summary.quarantined[0] and "unreadable" in summary.quarantined[0]
    moved = list((data / "quarantine").rglob(batch))
    assert len(moved) == 1 and "extraction batch" in moved[0].with_name(batch + ".why.txt").read_text()
    assert summary.reports == 15 and _tables(data) == before  # the older extraction of that document is used


def test_a_truncated_parquet_file_is_quarantined_and_rebuilt(data):
    before = _tables(data)
    victim = next((data / "warehouse" / "cells").rglob("part-0.parquet"))
    rel = victim.relative_to(data / "warehouse").as_posix()
    _truncate(victim)
    with RawStore(data / "raw") as raw:  # a re-check (304) moves the raw sequence: the load looks again
        doc = next(raw.documents())
        from dataclasses import replace

        raw.record(replace(doc, sha256=None, status=304))
    # a full load reads every file's footer (a nightly reads only the partitions that changed; `ogi doctor` all)
    summary = load_warehouse(data, None, EXTRACTOR_VERSION, incremental=False)
    assert any("part-0.parquet" in q and "unreadable Parquet" in q for q in summary.quarantined)
    assert rel in summary.commit.written
    assert _tables(data) == before


def test_a_truncated_journal_is_quarantined_and_everything_rebuilt(data):
    before = _tables(data)
    victim = next((data / "warehouse" / "reports").rglob("part-0.parquet"))
    victim.unlink()  # what a half-applied, then lost, load would leave
    (data / "warehouse" / JOURNAL).write_text('{"load_id": "1", "moves": [["_sta')
    summary = load_warehouse(data, None, EXTRACTOR_VERSION)
    assert any(JOURNAL in q for q in summary.quarantined)
    assert not (data / "warehouse" / JOURNAL).exists() and summary.partitions_rebuilt > 0
    assert _tables(data) == before


def test_a_damaged_blob_is_named_quarantined_and_queued_for_refetch(data):
    from flows.tasks import extract_chunk

    with RawStore(data / "raw") as raw:
        rec = next(raw.documents())
        good = raw.get(rec.sha256)
        path = raw.path(rec.sha256)
    path.write_bytes(good[:100])
    result = extract_chunk.fn(str(data), [(rec.sha256, "2020.html")], "9.9.9")
    assert result["extracted"] == 0 and result["damaged"] == [f"2020.html ({rec.sha256[:12]})"]
    assert list((data / "quarantine").rglob(rec.sha256))
    with RawStore(data / "raw") as raw:
        assert raw.is_damaged(rec.sha256)
        assert raw.latest(rec.url) is None and raw.last_checked(rec.url) is None  # no conditional GET next crawl
        raw.put(good)  # the refetch brings the bytes back
        assert not raw.is_damaged(rec.sha256) and raw.get(rec.sha256) == good
        assert raw.latest(rec.url).sha256 == rec.sha256


def test_object_storage_warehouse_quarantines_to_the_local_data_dir(data):
    """The fsspec path (memory:// stands in for s3://): state, skip and quarantine work the same."""
    url = f"memory://ogi-state/{data.name}-{id(data)}"
    first = load_warehouse(data, url, EXTRACTOR_VERSION)
    assert first.reports == 15 and load_warehouse(data, url, EXTRACTOR_VERSION).skipped
    wh = Warehouse(url)
    victim = next(p for p in wh.fs.find(f"{wh.root}/requests") if p.endswith("part-0.parquet"))
    wh.fs.pipe_file(victim, wh.fs.cat_file(victim)[:100])
    wh.forget_state()  # as `ogi doctor --repair` does after quarantining a file
    summary = load_warehouse(data, url, EXTRACTOR_VERSION)
    assert len(summary.quarantined) == 1 and victim in summary.quarantined[0]
    assert list((data / "quarantine").rglob("part-0.parquet.why.txt"))
    assert wh.read("requests").num_rows == Warehouse(data / "warehouse").read("requests").num_rows > 0  # rebuilt
