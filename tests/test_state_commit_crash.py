"""A crash at every step of the commit (``OGI_TEST_CRASH_AT``, ``os._exit`` in a real subprocess) leaves the
warehouse old or new, never mixed: before the journal the previous files are in place, and after it the
next load finishes the interrupted one, as docs/operations.md says."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from demo.samples import generate, store_sample, to_report
from pipelines.datasets import CRASH_ENV, JOURNAL, STAGING, Warehouse
from pipelines.extracted import ExtractionStore
from pipelines.load import load_warehouse
from pipelines.rawstore import RawStore

REPO = Path(__file__).resolve().parents[1]
TABLES = ("reports", "cells", "requests", "checks", "documents", "coverage")
COUNTIES = [("610329", "麟游县"), ("320813", "洪泽区"), ("220621", "抚松县")]
BEFORE_COMMIT = ["staged"]
AFTER_COMMIT = ["journal", "moved-1", "moved-2", "moved", "deleted", "state", "recorded"]


def _tables(data: Path) -> dict[str, list]:
    wh = Warehouse(data / "warehouse")
    strip = lambda rows: [{k: v for k, v in r.items() if k != "load_id"} for r in rows]  # noqa: E731
    return {t: sorted(strip(wh.read(t).to_pylist()), key=lambda r: repr(sorted(r.items()))) for t in TABLES}


@pytest.fixture(scope="module")
def states(tmp_path_factory):
    """A data dir loaded at extractor version 1 (with a version 2 stored that changes every value and moves a
    report to another year), and the tables version 1 and version 2 give."""
    data = tmp_path_factory.mktemp("crash") / "data"
    with ExtractionStore(data / "state" / "extracted") as store, RawStore(data / "raw") as raw:
        for code, name in COUNTIES:
            for year in (2021, 2022):
                s = generate(code, name, f"{name}人民政府", year)
                sha = store_sample(raw, s, f"gen-{code}", f"http://gen.example/{code}/{year}.html")
                store.put(sha, "1", to_report(s, sha).to_dict())
                changed = to_report(s, sha)
                for cell in changed.cells:
                    cell.value = None if cell.value is None else cell.value + 1
                if (code, year) == ("220621", 2021):
                    changed.meta.report_year = 2019  # its partition is deleted by version 2
                store.put(sha, "2", changed.to_dict())
    load_warehouse(data, None, "1")
    new = tmp_path_factory.mktemp("crash-new") / "data"
    shutil.copytree(data, new)
    load_warehouse(new, None, "2")
    return data, _tables(data), _tables(new)


def _crashing_load(data: Path, step: str) -> int:
    code = f"from pipelines.load import load_warehouse; load_warehouse({str(data)!r}, None, '2')"
    env = {**os.environ, "PYTHONPATH": str(REPO), CRASH_ENV: step}
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, timeout=120).returncode


@pytest.mark.parametrize("step", BEFORE_COMMIT + AFTER_COMMIT)
def test_a_crash_at_each_commit_step_leaves_old_or_new_never_mixed(states, step, tmp_path):
    base, old, new = states
    data = tmp_path / "data"
    shutil.copytree(base, data)
    assert _crashing_load(data, step) == 70  # it really died at that step
    journal = (data / "warehouse" / JOURNAL).exists()
    assert journal == (step in AFTER_COMMIT)
    if not journal:
        assert _tables(data) == old  # before the commit point: the previous dataset, untouched
    summary = load_warehouse(data, None, "2")  # the next run
    assert _tables(data) == new
    assert not (data / "warehouse" / JOURNAL).exists() and not (data / "warehouse" / STAGING).exists()
    if journal:
        assert summary.commit.recovered  # finished the interrupted load first
    assert load_warehouse(data, None, "2").skipped  # and its state says so: the run after has nothing to do
