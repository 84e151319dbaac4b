"""The backfill flow on a local Dask cluster (prefect-dask's DaskTaskRunner over a distributed LocalCluster)
loads exactly the rows the default process pool loads."""

from __future__ import annotations

import os
import shutil

import pytest

from flows.settings import configure_prefect

configure_prefect()

from prefect.settings import get_current_settings  # noqa: E402
from prefect.testing.utilities import prefect_test_harness  # noqa: E402

from flows.pipeline import backfill, task_runner  # noqa: E402
from pipelines.datasets import Warehouse  # noqa: E402
from pipelines.tables import TABLES  # noqa: E402

pytestmark = pytest.mark.slow
COUNTIES = [("610329", "麟游县"), ("320813", "洪泽区"), ("220621", "抚松县")]
YEARS = (2021, 2022)


@pytest.fixture(scope="module", autouse=True)
def prefect_api():
    with prefect_test_harness(server_startup_timeout=60):
        os.environ["PREFECT_API_URL"] = get_current_settings().api.url
        try:
            yield
        finally:
            os.environ.pop("PREFECT_API_URL", None)


def _rows(warehouse) -> dict[str, list]:
    wh = Warehouse(warehouse)
    drop = {"load_id"}
    return {
        t: sorted(repr(sorted((k, v) for k, v in r.items() if k not in drop)) for r in wh.read(t).to_pylist())
        for t in TABLES
        if t != "crawl_log"
    }


def test_backfill_on_a_local_dask_cluster_loads_the_same_rows_as_the_process_pool(tmp_path, fill):
    pool, dask = tmp_path / "pool", tmp_path / "dask"
    samples = fill(pool, counties=COUNTIES, years=YEARS)
    shutil.copytree(pool / "raw", dask / "raw")
    sources = sorted({f"gen-{c}" for c, _ in COUNTIES})
    args = {"years": list(YEARS), "sources": sources, "jobs": 2}
    by_pool = backfill.with_options(task_runner=task_runner(2))(data_dir=str(pool), **args)
    by_dask = backfill.with_options(task_runner=task_runner(2, dask_local=True))(data_dir=str(dask), **args)
    assert by_dask["extract"]["extracted"] == by_pool["extract"]["extracted"] == len(samples)
    assert by_dask["load"]["reports"] == by_pool["load"]["reports"] == len(samples)
    pool_rows, dask_rows = _rows(pool / "warehouse"), _rows(dask / "warehouse")
    assert len(dask_rows["cells"]) > 100 * len(samples)
    assert dask_rows == pool_rows
