"""A load killed mid-way (SIGKILL, a real process) leaves the previous dataset intact; the next load completes it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from demo.samples import generate, store_sample, to_report
from extractors.jurisdictions import divisions
from pipelines.datasets import JOURNAL, STAGING, Warehouse
from pipelines.extracted import ExtractionStore
from pipelines.load import load_warehouse
from pipelines.rawstore import RawStore

REPO = Path(__file__).resolve().parents[1]
TABLES = ("reports", "cells", "requests", "checks", "documents")


def _one_county_per_province() -> list[tuple[str, str]]:
    seen: dict[str, tuple[str, str]] = {}
    for d in divisions():
        if d.level == "county" and d.valid_to is None and d.province_code not in seen:
            seen[d.province_code] = (d.code, d.name)
    return sorted(seen.values())


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Many small partitions (a county in each province × 4 years), extracted as version 1 and version 2."""
    data = tmp_path_factory.mktemp("kill")
    store = ExtractionStore(data / "state" / "extracted")
    with RawStore(data / "raw") as raw:
        for code, name in _one_county_per_province():
            for year in (2020, 2021, 2022, 2023):
                s = generate(code, name, f"{name}人民政府", year)
                sha = store_sample(raw, s, f"gen-{code}", f"http://gen.example/{code}/{year}.html")
                store.put(sha, "1", to_report(s, sha).to_dict())
                changed = to_report(s, sha)
                for cell in changed.cells:
                    cell.value = None if cell.value is None else cell.value + 1
                store.put(sha, "2", changed.to_dict())
    return data


def _load_in_subprocess(data: Path, version: str) -> subprocess.Popen:
    code = f"from pipelines.load import load_warehouse; load_warehouse({str(data)!r}, None, {version!r})"
    return subprocess.Popen([sys.executable, "-c", code], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})


def test_killed_load_leaves_previous_dataset_and_next_load_completes(corpus, tmp_path, snapshot):
    data = corpus
    load_warehouse(data, None, "1")
    wh = Warehouse(data / "warehouse")
    before = {t: snapshot(wh, t) for t in TABLES}
    staging = data / "warehouse" / STAGING
    proc = _load_in_subprocess(data, "2")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if staging.exists() and sum(1 for _ in staging.rglob("*.parquet")) >= 20:
            break
        time.sleep(0.005)
    assert proc.poll() is None, "the load finished before it could be killed; make the corpus bigger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert not (data / "warehouse" / JOURNAL).exists()
    assert {t: snapshot(wh, t) for t in TABLES} == before  # the previous dataset, untouched
    finished = load_warehouse(data, None, "2")  # sweeps the staging, then does the whole load
    assert finished.commit.written and not staging.exists()
    # the same as a load that was never interrupted
    clean = load_warehouse(data, str(tmp_path / "clean"), "2")
    ref = Warehouse(tmp_path / "clean")
    strip = lambda rows: [{k: v for k, v in r.items() if k != "load_id"} for r in rows]  # noqa: E731
    for t in TABLES:
        assert strip(snapshot(wh, t)) == strip(snapshot(ref, t)), t
    assert clean.reports == finished.reports


def test_a_load_killed_after_its_commit_point_is_rolled_forward(corpus, snapshot):
    """Killed between the journal (the commit point) and the renames: the next load finishes those renames first."""
    data = corpus
    load_warehouse(data, None, "1")
    wh = Warehouse(data / "warehouse")
    with wh.load() as load:  # stage version-2 partitions and write the journal, as a load does, then stop
        v2 = Warehouse(data / "v2")
        load_warehouse(data, str(data / "v2"), "2")
        staged = []
        for rel in v2.files("cells"):
            target = data / "warehouse" / STAGING / load.load_id / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes((data / "v2" / rel).read_bytes())
            staged.append([f"{STAGING}/{load.load_id}/{rel}", rel])
        journal = {"load_id": load.load_id, "moves": staged, "deletes": [], "record": {"load_id": load.load_id}}
        (data / "warehouse" / JOURNAL).write_text(json.dumps(journal))
        for src, dst in staged[: len(staged) // 2]:  # half the renames happened before the kill
            os.replace(data / "warehouse" / src, data / "warehouse" / dst)
    summary = load_warehouse(data, None, "2")
    assert summary.commit.recovered == journal["load_id"]
    assert not (data / "warehouse" / JOURNAL).exists()
    strip = lambda rows: [{k: v for k, v in r.items() if k != "load_id"} for r in rows]  # noqa: E731
    assert strip(snapshot(wh, "cells")) == strip(snapshot(Warehouse(data / "v2"), "cells"))
