"""What several test modules share, as fixtures: test modules never import each other.

- ``samples_dir``: the real published reports (``$OGI_SAMPLES_DIR``, else ``../shared/samples``
  beside the repository); a test that asks for it skips with a one-line reason when they are absent.
  ``sample_name`` parametrizes a test over every file there.
- ``demo_sites``: the demo county sites (``demo/``) served on 127.0.0.1, faults included, with
  their registry written, for one test module.
- ``fill``, ``add_real_sample``, ``extract_all``, ``snapshot``, ``mtimes``: raw stores filled with
  generated or real reports, the real extractor run over them, warehouse tables compared.
- ``run_module``, ``json_lines``: ``python -m MODULE ARGS`` as a user runs it, and its JSON lines.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from demo import DemoServer
from demo.samples import SampleReport, generate, store_sample
from extractors import EXTRACTOR_VERSION, extract_bytes
from pipelines.extracted import ExtractionStore
from pipelines.rawstore import FetchRecord, RawStore

REPO = Path(__file__).resolve().parent.parent
SAMPLES_DIR = Path(os.environ.get("OGI_SAMPLES_DIR") or REPO.parent / "shared" / "samples")
SAMPLES_ABSENT = f"no real reports at {SAMPLES_DIR} (../shared/samples, or set OGI_SAMPLES_DIR)"
COUNTIES = [("610329", "麟游县"), ("320813", "洪泽区"), ("220621", "抚松县"), ("370826", "微山县")]


# ---------------------------------------------------------------------------- the real reports
def _sample_names() -> list[str]:
    if not SAMPLES_DIR.is_dir():
        return []
    return sorted(p.name for p in SAMPLES_DIR.iterdir() if p.is_file() and p.name != "README.md")


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    if not _sample_names():
        pytest.skip(SAMPLES_ABSENT)
    return SAMPLES_DIR


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``sample_name``: one test per real report; one skipped test, with the reason, when there are none."""
    if "sample_name" in metafunc.fixturenames:
        absent = pytest.param(None, marks=pytest.mark.skip(reason=SAMPLES_ABSENT))
        metafunc.parametrize("sample_name", _sample_names() or [absent])


# ---------------------------------------------------------------------------- the demo sites
@pytest.fixture(scope="module")
def demo_sites(tmp_path_factory):
    """Every demo site, faults included, on 127.0.0.1; ``.registry`` is the registry folder written for them."""
    with DemoServer(faults=True) as server:
        server.registry = server.write_registry(tmp_path_factory.mktemp("demo-sources"))
        yield server


# ---------------------------------------------------------------------------- raw stores and warehouses
def _fill(data_dir: Path, counties=COUNTIES, years=(2020, 2021, 2022), faulty: set = frozenset()) -> list[SampleReport]:
    """Generated reports of each county's government for each year, stored as HTML pages."""
    out = []
    with RawStore(data_dir / "raw") as raw:
        for code, name in counties:
            for year in years:
                sample = generate(code, name, f"{name}人民政府", year, faulty=(code, year) in faulty)
                store_sample(raw, sample, f"gen-{code}", f"http://gen.example/{code}/{year}.html")
                out.append(sample)
    return out


def _add_real_sample(data_dir: Path, name: str, code: str, year: int, organ: str) -> str:
    """One real published report from the samples folder into the raw store."""
    data = (SAMPLES_DIR / name).read_bytes()
    with RawStore(data_dir / "raw") as raw:
        sha = raw.put(data)
        raw.record(
            FetchRecord(
                url=f"http://real.example/{name}",
                sha256=sha,
                fetched_at="2025-02-01T00:00:00+00:00",
                status=200,
                format=name.rsplit(".", 1)[-1],
                size=len(data),
                source_id=f"real-{code}",
                jurisdiction_code=code,
                organ=organ,
                report_year=year,
            )
        )
    return sha


def _extract_all(data_dir: Path, version: str = EXTRACTOR_VERSION) -> int:
    """Run the real extractor over every stored document (in-process, for tests without Prefect)."""
    store = ExtractionStore(data_dir / "state" / "extracted")
    n = 0
    with RawStore(data_dir / "raw") as raw:
        for rec in raw.documents():
            report = extract_bytes(raw.get(rec.sha256), rec.url.rsplit("/", 1)[-1])
            report.sha256 = rec.sha256
            store.put(rec.sha256, version, report.to_dict())
            n += 1
    return n


def _snapshot(warehouse, table: str) -> list[dict]:
    """A table's rows, sorted, for equality checks."""
    rows = warehouse.read(table).to_pylist()
    return sorted(rows, key=lambda r: repr(sorted(r.items())))


def _mtimes(root: Path) -> dict[str, int]:
    """Each Parquet file's modification time: proof that a load rewrote nothing."""
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in root.rglob("part-0.parquet")}


@pytest.fixture(scope="session")
def fill():
    return _fill


@pytest.fixture(scope="session")
def add_real_sample(samples_dir):
    return _add_real_sample


@pytest.fixture(scope="session")
def extract_all():
    return _extract_all


@pytest.fixture(scope="session")
def snapshot():
    return _snapshot


@pytest.fixture(scope="session")
def mtimes():
    return _mtimes


# ---------------------------------------------------------------------------- commands
def _run_module(args: list[str], module: str = "pipelines.crawl", timeout: int = 120) -> subprocess.CompletedProcess:
    """``python -m module args`` from the repository root; it must succeed."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, "-m", module, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def _json_lines(proc: subprocess.CompletedProcess) -> list[dict]:
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


@pytest.fixture(scope="session")
def run_module():
    return _run_module


@pytest.fixture(scope="session")
def json_lines():
    return _json_lines
