"""The quiet night: an ``ogi run --no-crawl`` with provably nothing to do is recorded without starting Prefect, and
anything to do (a new document, a picture to draw, an interrupted load, changed state) still runs the flow.

The no-change test itself (``pipelines.load.load_is_current``) on a real load; the command from the shell, as an
operator runs it (its own temporary API), watched for whether it imported Prefect at all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from extractors import EXTRACTOR_VERSION
from pipelines.datasets import JOURNAL, STATE
from pipelines.load import load_is_current, load_warehouse

REPO = Path(__file__).resolve().parents[1]
# ``python -m flows.cli`` that says at exit whether the command imported Prefect (an engine start does)
PROBE = (
    "import atexit, runpy, sys\n"
    "atexit.register(lambda: sys.stderr.write('\\nprefect imported: %s\\n' % ('prefect' in sys.modules)))\n"
    "runpy.run_module('flows.cli', run_name='__main__', alter_sys=True)\n"
)


def test_load_is_current_only_when_a_load_would_change_nothing(tmp_path, fill, extract_all):
    fill(tmp_path, counties=[("610329", "麟游县")], years=(2021, 2022))
    extract_all(tmp_path)
    assert load_is_current(tmp_path, None, EXTRACTOR_VERSION) is None  # never loaded
    first = load_warehouse(tmp_path, None, EXTRACTOR_VERSION)
    counts = load_is_current(tmp_path, None, EXTRACTOR_VERSION)
    assert counts is not None and counts["reports"] == first.reports == 2 and counts["documents"] == 2
    assert load_is_current(tmp_path, None, "99.0.0") is None  # another extractor version

    warehouse = tmp_path / "warehouse"
    (warehouse / JOURNAL).write_text("{}")  # an interrupted load waits to be completed
    assert load_is_current(tmp_path, None, EXTRACTOR_VERSION) is None
    (warehouse / JOURNAL).unlink()

    state = (warehouse / STATE).read_bytes()
    (warehouse / STATE).write_bytes(state[: len(state) // 2])  # cut short
    assert load_is_current(tmp_path, None, EXTRACTOR_VERSION) is None
    (warehouse / STATE).write_text("[1, 2]")
    assert load_is_current(tmp_path, None, EXTRACTOR_VERSION) is None
    (warehouse / STATE).write_bytes(state)
    assert load_is_current(tmp_path, None, EXTRACTOR_VERSION) == counts

    fill(tmp_path, counties=[("610329", "麟游县")], years=(2023,))  # fetched, not yet extracted
    assert load_is_current(tmp_path, None, EXTRACTOR_VERSION) is None


def _ogi(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess, bool]:
    """The command as an operator runs it (no PREFECT_API_URL: its own temporary API), and whether it imported
    Prefect."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "100"}
    env.pop("PREFECT_API_URL", None)
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    said = [line for line in proc.stderr.splitlines() if line.startswith("prefect imported: ")]
    assert said, proc.stderr[-3000:]
    return proc, said[-1].endswith("True")


def _latest_record(data: Path) -> Path:
    return max((data / "runs").glob("flow-*.json"), key=lambda p: p.stat().st_mtime_ns)


def _latest_run(data: Path) -> dict:
    return json.loads(_latest_record(data).read_text())


@pytest.mark.slow
def test_a_no_change_nightly_starts_no_engine_and_anything_to_do_still_runs_the_flow(tmp_path, fill, mtimes):
    data = tmp_path / "data"
    fill(data, counties=[("610329", "麟游县")], years=(2021, 2022))
    run = ("run", "--no-crawl", "--data-dir", str(data), "-j", "1")

    first, engine = _ogi(*run, cwd=tmp_path)
    assert first.returncode == 0 and engine, first.stderr[-3000:]
    assert _latest_run(data)["extract"]["extracted"] == 2

    stamps = mtimes(data / "warehouse")
    quiet, engine = _ogi(*run, cwd=tmp_path)
    assert quiet.returncode == 0 and not engine, quiet.stderr[-3000:]
    assert "warehouse unchanged: 2 report(s), 0 failed check(s)" in quiet.stdout
    record = _latest_run(data)
    assert record["status"] == "completed" and record["load"]["skipped"] is True
    assert record["extract"]["extracted"] == 0 and record["load"]["reports"] == 2
    assert record["coverage_png"] == str(data / "reports" / "coverage.png")
    assert mtimes(data / "warehouse") == stamps
    status, _ = _ogi("status", "--json", "--data-dir", str(data), cwd=tmp_path)
    latest = json.loads(status.stdout)["runs"][0]
    assert latest["status"] == "completed" and latest["reports"] == 2 and latest["record"] == str(_latest_record(data))

    fill(data, counties=[("610329", "麟游县")], years=(2023,))  # a document fetched since
    new, engine = _ogi(*run, cwd=tmp_path)
    assert new.returncode == 0 and engine, new.stderr[-3000:]
    assert _latest_run(data)["extract"]["extracted"] == 1 and _latest_run(data)["load"]["reports"] == 3

    (data / "reports" / "coverage.png").unlink()  # nothing to load, but a picture to draw
    redraw, engine = _ogi(*run, cwd=tmp_path)
    assert redraw.returncode == 0 and engine, redraw.stderr[-3000:]
    assert (data / "reports" / "coverage.png").exists() and _latest_run(data)["load"]["skipped"] is True

    with_source, engine = _ogi(*run, "--source", "gen-610329", cwd=tmp_path)  # the operator chose sources: the flow
    assert engine and with_source.returncode != 0 and "unknown source id" in with_source.stderr
