"""A full load whose partitions are built by worker processes writes byte-for-byte the content a one-process load
writes, and an unreadable extraction batch met by a worker is handled as in one process (quarantined, load goes on)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import pipelines.load as load_module
from extractors import EXTRACTOR_VERSION
from pipelines.datasets import Warehouse
from pipelines.extracted import CorruptBatch, ExtractionStore
from pipelines.load import load_warehouse
from pipelines.parallel import ordered_map
from pipelines.rawstore import RawStore
from pipelines.tables import TABLES

COUNTIES = [("610329", "麟游县"), ("320813", "洪泽区"), ("220621", "抚松县"), ("370826", "微山县")]


@pytest.fixture(scope="module")
def stores(tmp_path_factory, fill, extract_all):
    """4 counties (4 provinces) × 3 years: 12 partitions, extracted, not loaded."""
    data = tmp_path_factory.mktemp("parallel")
    fill(data, counties=COUNTIES)
    extract_all(data)
    return data


def _copy(stores: Path, tmp: Path, name: str) -> Path:
    copy = tmp / name
    shutil.copytree(stores, copy)
    return copy


def _content(warehouse: Path) -> dict[str, str]:
    """Every data file's content hash (rows and schema, load ids aside), by path."""
    return Warehouse(warehouse).files()


def test_workers_write_what_one_process_writes(stores, tmp_path, monkeypatch):
    one = _copy(stores, tmp_path, "one")
    two = _copy(stores, tmp_path, "two")
    single = load_warehouse(one, None, EXTRACTOR_VERSION, workers=1)
    monkeypatch.setattr(load_module, "PARALLEL_MIN", 0)  # 12 reports: spread them anyway
    spread = load_warehouse(two, None, EXTRACTOR_VERSION, workers=2)
    assert spread.reports == single.reports == 12 and spread.partitions_rebuilt == single.partitions_rebuilt == 12
    files = _content(one / "warehouse")
    assert files and files == _content(two / "warehouse")
    for name in TABLES:
        rows = Warehouse(two / "warehouse").read(name).drop_columns(["load_id"])
        assert rows.equals(Warehouse(one / "warehouse").read(name).drop_columns(["load_id"])), name


def test_a_worker_meeting_an_unreadable_batch_quarantines_it_and_the_load_goes_on(stores, tmp_path, monkeypatch):
    data = _copy(stores, tmp_path, "corrupt")
    with ExtractionStore(data / "state" / "extracted") as store, RawStore(data / "raw") as raw:
        sha = next(r.sha256 for r in raw.documents() if "610329/2021" in r.url)
        store.put(sha, "9.9.9", store.get(sha, EXTRACTOR_VERSION))  # the load must read this newer batch
        batch = store._db.execute("SELECT batch FROM entries WHERE version = '9.9.9'").fetchone()[0]
    path = data / "state" / "extracted" / "batches" / batch
    path.write_bytes(path.read_bytes()[:100])
    monkeypatch.setattr(load_module, "PARALLEL_MIN", 0)
    summary = load_warehouse(data, None, "9.9.9", workers=2)
    assert len(summary.quarantined) == 1 and batch in summary.quarantined[0] and "unreadable" in summary.quarantined[0]
    assert summary.reports == 12  # the older extraction of that document is used
    assert Warehouse(data / "warehouse").read("reports").num_rows == 12


def test_corrupt_batch_survives_the_trip_from_a_worker():
    with pytest.raises(CorruptBatch) as raised:
        list(ordered_map(_raise_corrupt, [Path("/x/b.parquet")], workers=1))
    assert raised.value.path == Path("/x/b.parquet") and "b.parquet is unreadable (OSError: short read)" in str(
        raised.value
    )


def test_results_come_back_in_order():
    assert list(ordered_map(abs, range(-20, 0), workers=2, window=3)) == list(range(20, 0, -1))


def _wait_for(marker: Path) -> bool:
    """A worker's job that needs the caller's own work done first: True when ``marker`` appeared within 30 s."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if marker.exists():
            return True
        time.sleep(0.05)
    return False


def test_the_callers_own_work_runs_once_while_the_workers_work(tmp_path):
    marker, calls = tmp_path / "go", []

    def meanwhile():  # before any result is awaited, else the workers would wait for the marker in vain
        calls.append("own work")
        marker.touch()

    assert list(ordered_map(_wait_for, [marker] * 5, workers=2, window=4, meanwhile=meanwhile)) == [True] * 5
    assert calls == ["own work"]
    assert list(ordered_map(abs, [], workers=2, meanwhile=lambda: calls.append("nothing to map"))) == []
    assert calls[-1] == "nothing to map"


def test_a_script_without_a_main_guard_can_load_in_parallel(tmp_path):
    """Spawned workers would run such a script again (and fail to start); a researcher's script need not be guarded."""
    script = tmp_path / "unguarded.py"
    script.write_text(
        "from pipelines.parallel import ordered_map\n"
        "print('started', flush=True)\n"
        "print(list(ordered_map(abs, [-1, -2, -3], workers=2)))\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=Path(__file__).parents[1]
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == ["started", "[1, 2, 3]"]


def _raise_corrupt(path: Path) -> None:
    raise CorruptBatch(path, OSError("short read"))
