"""Shared by the dataset, coverage, docs and flow tests: raw stores filled with generated or real reports."""

from __future__ import annotations

from pathlib import Path

from extractors import EXTRACTOR_VERSION, extract_bytes
from pipelines.extracted import ExtractionStore
from pipelines.rawstore import FetchRecord, RawStore
from demo.samples import SampleReport, generate, store_sample

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"
COUNTIES = [("610329", "麟游县"), ("320813", "洪泽区"), ("220621", "抚松县"), ("370826", "微山县")]


def fill(data_dir: Path, counties=COUNTIES, years=(2020, 2021, 2022), faulty: set = frozenset()) -> list[SampleReport]:
    """Generated reports of each county's government for each year, stored as HTML pages."""
    out = []
    with RawStore(data_dir / "raw") as raw:
        for code, name in counties:
            for year in years:
                sample = generate(code, name, f"{name}人民政府", year, faulty=(code, year) in faulty)
                store_sample(raw, sample, f"gen-{code}", f"http://gen.example/{code}/{year}.html")
                out.append(sample)
    return out


def add_real_sample(data_dir: Path, name: str, code: str, year: int, organ: str) -> str:
    """One real published report from ../shared/samples into the raw store."""
    data = (SAMPLES / name).read_bytes()
    with RawStore(data_dir / "raw") as raw:
        sha = raw.put(data)
        raw.record(FetchRecord(url=f"http://real.example/{name}", sha256=sha, fetched_at="2025-02-01T00:00:00+00:00",
                               status=200, format=name.rsplit(".", 1)[-1], size=len(data), source_id=f"real-{code}",
                               jurisdiction_code=code, organ=organ, report_year=year))
    return sha


def extract_all(data_dir: Path, version: str = EXTRACTOR_VERSION) -> int:
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


def snapshot(warehouse, table: str) -> list[dict]:
    """A table's rows, sorted, for equality checks."""
    rows = warehouse.read(table).to_pylist()
    return sorted(rows, key=lambda r: repr(sorted(r.items())))


def mtimes(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in root.rglob("part-0.parquet")}

