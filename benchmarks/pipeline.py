"""Benchmark: backfill a generated corpus already in the raw store (extract + check + load), then query it.

    .venv/bin/python benchmarks/pipeline.py                  # 5,000 reports, 2 worker processes
    .venv/bin/python benchmarks/pipeline.py --reports 500 --jobs 4 --keep /tmp/ogi-bench

Reports reports/second for the backfill flow (real Prefect engine, real extractor, real
Parquet load), the peak memory of the whole process tree (flow process + workers), and
the median time of a DuckDB query over ``cells`` (requests granted by province and year).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flows.settings import configure_prefect  # noqa: E402

QUERY = ("SELECT province, report_year, sum(value) AS granted FROM read_parquet('{wh}/cells/**/*.parquet', "
         "hive_partitioning=true) WHERE table_key='requests' AND row_key='granted' AND col_key='total' "
         "GROUP BY ALL ORDER BY ALL")


def generate_corpus(data_dir: Path, n: int) -> list[str]:
    """``n`` small HTML reports (counties across every province × 2019–2024) into a raw store."""
    from demo.samples import generate, store_sample
    from extractors.jurisdictions import divisions
    from pipelines.rawstore import RawStore

    counties = [d for d in divisions() if d.level == "county" and d.valid_to is None]
    counties = counties[:: max(1, len(counties) // (n // 6 + 1))]
    sources: list[str] = []
    made = 0
    with RawStore(data_dir / "raw") as raw:
        for d in counties:
            prev = None
            for year in range(2019, 2025):
                if made >= n:
                    return sources
                if prev is None:
                    sources.append(f"gen-{d.code}")  # a source is listed once it holds a report
                s = generate(d.code, d.name, f"{d.name}人民政府", year, faulty=made % 50 == 0, previous=prev)
                store_sample(raw, s, f"gen-{d.code}", f"http://{d.code}.example.gov.cn/ndbg/{year}.html", crawl_id="bench")
                prev = s
                made += 1
    return sources


class PeakMemory(threading.Thread):
    """Samples the RSS of this process and all its children; ``peak`` in bytes."""

    def __init__(self, interval: float = 0.05):
        super().__init__(daemon=True)
        import psutil

        self.proc = psutil.Process()
        self.interval, self.peak, self._done = interval, 0, threading.Event()

    def run(self) -> None:
        import psutil

        while not self._done.is_set():
            total = 0
            for p in [self.proc, *self.proc.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            self._done.wait(self.interval)

    def stop(self) -> int:
        self._done.set()
        self.join()
        return self.peak


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reports", type=int, default=5000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--keep", type=Path, help="keep the data dir here (default: a temp dir, removed)")
    args = ap.parse_args()
    data = args.keep or Path(tempfile.mkdtemp(prefix="ogi-bench-"))
    if data.exists():
        shutil.rmtree(data)
    configure_prefect(data, quiet=True)
    from flows.engine import prefect_api
    from flows.pipeline import backfill, task_runner

    t0 = time.perf_counter()
    sources = generate_corpus(data, args.reports)
    gen_s = time.perf_counter() - t0
    print(f"corpus: {args.reports} reports from {len(sources)} sources rendered into the raw store in {gen_s:.1f}s")
    with prefect_api():
        mem = PeakMemory()
        mem.start()
        t0 = time.perf_counter()
        result = backfill.with_options(task_runner=task_runner(args.jobs))(
            years=list(range(2019, 2025)), sources=sources, data_dir=str(data))
        seconds = time.perf_counter() - t0
        peak = mem.stop()
    load = result["load"]
    print(f"backfill: {load['reports']} reports ({result['extract']['extracted']} extracted, {result['extract']['failed']} failed, "
          f"{load['written']} files) in {seconds:.1f}s on {args.jobs} worker processes")
    print(f"  => {load['reports'] / seconds:.1f} reports/s; peak memory (flow + workers) {peak / 2**20:.0f} MiB")

    import duckdb

    sql = QUERY.format(wh=data / "warehouse")
    cells = duckdb.sql(f"SELECT count(*) FROM read_parquet('{data / 'warehouse'}/cells/**/*.parquet')").fetchall()[0][0]
    times = []
    for _ in range(7):
        t = time.perf_counter()
        rows = duckdb.sql(sql).fetchall()
        times.append((time.perf_counter() - t) * 1000)
    print(f"duckdb: requests granted by province and year over {cells:,} cells: {len(rows)} rows, "
          f"median {statistics.median(times):.1f} ms (min {min(times):.1f} ms, first {times[0]:.1f} ms)")
    if not args.keep:
        shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
