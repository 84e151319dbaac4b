"""The flows under a real Prefect engine: backfill from the raw store, reextract, nightly crawling the demo
sites on a local Dask cluster, and ``ogi demo`` twice from the shell."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from flows.settings import configure_prefect

configure_prefect()

from prefect.settings import get_current_settings  # noqa: E402
from prefect.testing.utilities import prefect_test_harness  # noqa: E402

import extractors  # noqa: E402
from flows.demo import DemoSites  # noqa: E402
from flows.pipeline import backfill, nightly, reextract, task_runner  # noqa: E402
from pipelines.datasets import Warehouse  # noqa: E402
from spiders.registry import load_registry  # noqa: E402

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module", autouse=True)
def prefect_api():
    """One temporary Prefect API for the module; exported so process-pool workers and the CLI use it too."""
    with prefect_test_harness(server_startup_timeout=60):
        os.environ["PREFECT_API_URL"] = get_current_settings().api.url
        try:
            yield os.environ["PREFECT_API_URL"]
        finally:
            os.environ.pop("PREFECT_API_URL", None)


def test_backfill_from_raw_store_rerun_and_reextract(tmp_path, monkeypatch, fill, add_real_sample, mtimes):
    samples = fill(tmp_path, counties=[("610329", "麟游县"), ("320813", "洪泽区")], years=(2021, 2022, 2023))
    add_real_sample(tmp_path, "hongze-district-2024.pdf", "320813", 2024, "淮安市洪泽区人民政府")
    sources = ["gen-610329", "gen-320813", "real-320813"]
    run = backfill.with_options(task_runner=task_runner(2))
    first = run(years=[2021, 2022, 2023, 2024], sources=sources, data_dir=str(tmp_path))
    assert first["crawled_sources"] == [] and first["crawl"] is None  # everything was in the raw store
    assert first["extract"]["extracted"] == len(samples) + 1 and first["extract"]["failed"] == 0
    assert first["load"]["reports"] == len(samples) + 1 and first["load"]["written"] > 0
    reports = pd.read_parquet(tmp_path / "warehouse" / "reports")
    assert sorted(reports.report_year.astype(int).unique()) == [2021, 2022, 2023, 2024]
    assert Path(first["coverage_png"]).exists()

    stamps = mtimes(tmp_path / "warehouse")
    again = run(years=[2021, 2022, 2023, 2024], sources=sources, data_dir=str(tmp_path))
    assert again["extract"]["extracted"] == 0 and again["load"]["written"] == 0
    assert mtimes(tmp_path / "warehouse") == stamps

    monkeypatch.setattr(extractors, "EXTRACTOR_VERSION", "99.0.0")  # the extractor changed
    redo = reextract.with_options(task_runner=task_runner(2))(data_dir=str(tmp_path))
    assert redo["extract"]["extracted"] == len(samples) + 1
    written = redo["load"]["tables_written"]
    assert "reports" in written and "cells" not in written and "requests" not in written  # only what changed
    assert set(pd.read_parquet(tmp_path / "warehouse" / "reports").extractor_version) == {"99.0.0"}


def test_nightly_crawls_the_demo_sites_on_a_local_dask_cluster(tmp_path):
    with DemoSites(18860, tmp_path / "registry", faults=False) as (ports, registry):
        result = nightly.with_options(task_runner=task_runner(2, dask_local=True))(
            data_dir=str(tmp_path / "data"), registry_dir=registry, shards=2, fast=True
        )
    shards = result["crawl"]
    assert len(shards) == 2 and all("error" not in s and s["returncode"] == 0 for s in shards)
    registered = load_registry(registry)
    assert sorted(sid for s in shards for sid in s["sources"]) == sorted(registered)
    hosts = [{h for sid in s["sources"] for h in registered[sid].allowed_hosts} for s in shards]
    assert not hosts[0] & hosts[1]  # no host is crawled by two shards
    assert result["extract"]["extracted"] > 0 and result["load"]["reports"] > 0
    wh = Warehouse(tmp_path / "data" / "warehouse")
    assert wh.read("crawl_log").num_rows == len(registered)
    cov = wh.read("coverage").to_pandas()
    assert {"checked"} <= set(cov.status)


def _free_ports(count: int = 32) -> int:
    """The first of ``count`` consecutive ports free on 127.0.0.1 now: both demos need the same ones (the document
    URLs name them), and a fixed range collided with another test run on the same machine."""
    for _ in range(200):
        base = random.randrange(20000, 60000 - count)
        try:
            held = []
            for port in range(base, base + count):
                s = socket.socket()
                held.append(s)
                s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for s in held:
                s.close()
    raise RuntimeError(f"no {count} consecutive free ports on 127.0.0.1")


def test_ogi_demo_twice_changes_nothing(tmp_path, mtimes):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    port = str(_free_ports())
    cmd = [sys.executable, "-m", "flows.cli", "demo", "--data-dir", str(tmp_path), "--no-faults", "--port", port]
    first = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=170)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "Reports by jurisdiction and year" in first.stdout and "read_parquet" in first.stdout
    stamps = {p: t for p, t in mtimes(tmp_path / "warehouse").items() if not p.startswith("crawl_log")}
    second = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=170)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "no data changed" in second.stdout
    assert {p: t for p, t in mtimes(tmp_path / "warehouse").items() if not p.startswith("crawl_log")} == stamps
    status = subprocess.run(
        [sys.executable, "-m", "flows.cli", "status", "--data-dir", str(tmp_path), "--json"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert status.returncode == 0 and '"nightly"' in status.stdout and '"status": "ok"' in status.stdout
    cov = subprocess.run(
        [sys.executable, "-m", "flows.cli", "coverage", "--data-dir", str(tmp_path)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert cov.returncode == 0 and (tmp_path / "reports" / "coverage.png").exists()


def test_ogi_run_refuses_to_empty_the_warehouse_after_the_manifest_is_lost(tmp_path, fill):
    """The lost-state attack from the shell: exit 4 with the reason, the warehouse kept; --allow-shrink goes through."""
    fill(tmp_path, counties=[("610329", "麟游县")], years=(2021, 2022))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "flows.cli", "run", "--no-crawl", "--data-dir", str(tmp_path), "-j", "1"]
    first = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=170)
    assert first.returncode == 0, first.stderr[-3000:]
    assert len(pd.read_parquet(tmp_path / "warehouse" / "reports")) == 2
    for p in (tmp_path / "raw").glob("manifest.sqlite*"):
        p.unlink()
    refused = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=170)
    assert refused.returncode == 4
    assert "load refused: this load would drop 2 of the warehouse's 2 reports" in refused.stderr
    assert len(pd.read_parquet(tmp_path / "warehouse" / "reports")) == 2
    allowed = subprocess.run(cmd + ["--allow-shrink"], cwd=REPO, env=env, capture_output=True, text=True, timeout=170)
    assert allowed.returncode == 0, allowed.stderr[-3000:]
    assert not list((tmp_path / "warehouse" / "reports").rglob("*.parquet"))
