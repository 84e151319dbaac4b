"""Benchmark: what a warehouse costs as it grows: backfill, the no-change nightly, a nightly adding 1%.

    .venv/bin/python benchmarks/pipeline.py                          # 5,000 reports, 2 worker processes
    .venv/bin/python benchmarks/pipeline.py --reports 100000         # one size
    .venv/bin/python benchmarks/pipeline.py --sizes 2000,10000,40000 # several, with slopes projected to 1,000,000
    .venv/bin/python benchmarks/pipeline.py --reports 500 --keep /tmp/ogi-bench
    .venv/bin/python benchmarks/pipeline.py --quiet-night 1000000  # the no-change path alone on a 1M-row manifest
    .venv/bin/python benchmarks/pipeline.py --reports 20000 --contend  # with a busy loop on each core: half speed

For each size: a generated corpus (small HTML reports, counties across every province ×
2019–2024) is put in a raw store, then three runs of the real flows (real Prefect engine,
real extractor, real Parquet load), each in its own process so its memory is its own:

* **backfill** of every year: reports/s and the peak memory of its process tree (flow + workers);
* **no-change nightly** (``nightly`` without crawl, nothing new): time and peak memory;
* **1% nightly**: 1% new reports (the next year's, from as many of the corpus's counties) put in
  the raw store, then ``nightly`` without crawl.

Then the extraction store's bytes per report, a DuckDB query over ``cells``, and with
several sizes, each cost's slope against warehouse size and its projection to 1,000,000
reports (a least-squares line). One Prefect API serves every run. On a shared machine the
times move with the load of others: say so when quoting them.

``--quiet-night N`` checks the projection without a day of extraction: it writes N fetches
and N extraction index entries straight into the two SQLite indexes (no blobs, no bodies),
then times what a nightly with nothing new does with them: list the documents to extract
(``flows.worklist.todo_documents``) and the load (``pipelines.load.load_warehouse``), which
must stop after comparing the stores' sequences with ``_state.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flows.settings import configure_prefect  # noqa: E402

QUERY = (
    "SELECT province, report_year, sum(value) AS granted FROM read_parquet('{wh}/cells/**/*.parquet', "
    "hive_partitioning=true) WHERE table_key='requests' AND row_key='granted' AND col_key='total' "
    "GROUP BY ALL ORDER BY ALL"
)
YEARS = list(range(2019, 2025))
PROJECT_TO = 1_000_000


def _counties():
    from extractors.jurisdictions import divisions

    return [d for d in divisions() if d.level == "county" and d.valid_to is None]


def generate_corpus(data_dir: Path, n: int) -> list[str]:
    """``n`` small HTML reports (counties spread over every province, 6 years each) into a raw store."""
    from demo.samples import generate, store_sample
    from pipelines.rawstore import RawStore

    counties = _counties()
    counties = counties[:: max(1, len(counties) // (n // 6 + 1))]
    sources: list[str] = []
    made = 0
    with RawStore(data_dir / "raw") as raw:
        for d in counties:
            prev = None
            for year in YEARS:
                if made >= n:
                    return sources
                if prev is None:
                    sources.append(f"gen-{d.code}")  # a source is listed once it holds a report
                s = generate(d.code, d.name, f"{d.name}人民政府", year, faulty=made % 50 == 0, previous=prev)
                url = f"http://{d.code}.example.gov.cn/ndbg/{year}.html"
                store_sample(raw, s, f"gen-{d.code}", url, crawl_id="bench")
                prev = s
                made += 1
    return sources


def add_new_year(data_dir: Path, sources: list[str], n: int) -> None:
    """What a night of news looks like: ``n`` counties of the corpus publish their next year's report."""
    from demo.samples import generate, store_sample
    from extractors.jurisdictions import lookup
    from pipelines.rawstore import RawStore

    year = YEARS[-1] + 1
    with RawStore(data_dir / "raw") as raw:
        for source in sources[:n]:
            d = lookup(source.removeprefix("gen-"))
            s = generate(d.code, d.name, f"{d.name}人民政府", year)
            store_sample(raw, s, source, f"http://{d.code}.example.gov.cn/ndbg/{year}.html", crawl_id="bench-news")


class PeakMemory(threading.Thread):
    """Samples the RSS of one process and (``children``) all its descendants together; ``peak`` in bytes."""

    def __init__(self, pid: int, interval: float = 0.05, children: bool = True):
        super().__init__(daemon=True)
        import psutil

        self.proc = psutil.Process(pid)
        self.interval, self.peak, self._done, self.children = interval, 0, threading.Event(), children

    def run(self) -> None:
        import psutil

        while not self._done.is_set():
            total = 0
            try:
                procs = [self.proc, *(self.proc.children(recursive=True) if self.children else ())]
            except psutil.Error:
                procs = []
            for p in procs:
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


def run_phase(phase: str, data: Path, jobs: int, sources: list[str] | None = None, dask: bool = False) -> dict:
    """One flow run in a fresh process (``--phase``); returns its result, seconds and peak memory. ``dask``: on a new
    local Dask cluster of ``jobs`` worker processes instead of the process pool."""
    out = data.parent / f"{data.name}.{phase}.json"
    cmd = [sys.executable, __file__, "--phase", phase, "--data", str(data), "--jobs", str(jobs), "--out", str(out)]
    if sources:
        cmd += ["--sources", ",".join(sources)]
    if dask:
        cmd += ["--dask"]
    before, server = _children_cpu(), api_server_cpu()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT)
    mem = PeakMemory(proc.pid)
    mem.start()
    code = proc.wait()
    seconds = time.perf_counter() - t0
    peak = mem.stop()
    if code != 0:
        raise SystemExit(f"{phase} failed with exit code {code}")
    result = json.loads(out.read_text())
    out.unlink()
    return {
        "seconds": seconds,
        "flow_seconds": result["seconds"],
        "peak_mib": peak / 2**20,
        "cpu_s": _children_cpu() - before,
        "server_cpu_s": api_server_cpu() - server,
        "result": result,
    }


def run_cli_nightly(data: Path) -> dict:
    """``ogi run --no-crawl`` as an operator runs it, in a fresh process, with none of this benchmark's Prefect
    settings: with nothing to do it starts no engine (``flows.worklist.quiet_night``), else its own temporary API
    and the flow; then the run summary. Wall seconds, and peak RSS of the ogi process alone and of its whole tree
    (an API server included)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_API_", "PREFECT_SERVER_DATABASE"))}
    env.pop("PREFECT_LOGGING_TO_API_ENABLED", None)
    cmd = [sys.executable, "-m", "flows.cli", "run", "--no-crawl", "--data-dir", str(data)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    own = PeakMemory(proc.pid, children=False)
    tree = PeakMemory(proc.pid)
    own.start()
    tree.start()
    _, err = proc.communicate()
    seconds = time.perf_counter() - t0
    own_peak, tree_peak = own.stop(), tree.stop()
    if proc.returncode != 0:
        raise SystemExit(f"ogi run --no-crawl failed with exit code {proc.returncode}: {err[-1000:]}")
    return {"seconds": seconds, "ogi_mib": own_peak / 2**20, "tree_mib": tree_peak / 2**20}


def _children_cpu() -> float:
    """CPU seconds of this process's finished children and everything they waited for: a phase's process, its pool
    and load workers, and their extraction workers."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def api_server_cpu() -> float:
    """CPU seconds so far of the temporary Prefect API server this process started (its uvicorn child)."""
    import psutil

    total = 0.0
    for child in psutil.Process().children(recursive=True):
        try:
            if "uvicorn" in " ".join(child.cmdline()):
                times = child.cpu_times()
                total += times.user + times.system
        except psutil.Error:
            pass
    return total


def cpu_per_report(phase: dict, reports: int) -> float:
    """CPU seconds per report of a phase: its processes and the API server."""
    return (phase["cpu_s"] + phase["server_cpu_s"]) / max(1, reports)


def cpu_budget(phase: dict, reports: int) -> str:
    """Where a run's CPU went, so a result can be told apart from the machine's speed: CPU per report, how busy the
    cores were, and the rate this CPU per report allows with every core busy (the ceiling no scheduling can beat on
    this machine at this speed)."""
    cpu = phase["cpu_s"] + phase["server_cpu_s"]
    cores = os.cpu_count() or 1
    per_report = cpu_per_report(phase, reports)
    return (
        f"CPU {cpu:.1f}s ({phase['cpu_s']:.1f}s in the run's processes, {phase['server_cpu_s']:.1f}s in the API "
        f"server): {per_report * 1000:.2f} ms per report, the {cores} cores {cpu / (phase['seconds'] * cores):.0%} "
        f"busy; with every core busy, {cores / per_report:.0f} reports/s at most at this machine's speed"
    )


def phase_main(args: argparse.Namespace) -> int:
    """Inside the phase process: run one flow and write its summary."""
    configure_prefect(args.data, quiet=True)
    from flows.engine import no_heartbeats
    from flows.pipeline import backfill, nightly, task_runner

    runner = task_runner(args.jobs, dask_local=args.dask)
    with no_heartbeats():  # on the parent's temporary API, as `ogi` runs a flow on its own
        if args.phase == "backfill":
            result = backfill.with_options(task_runner=runner)(
                years=YEARS, sources=args.sources.split(","), data_dir=str(args.data)
            )
        else:
            result = nightly.with_options(task_runner=runner)(data_dir=str(args.data), crawl=False)
    args.out.write_text(json.dumps(result, default=str))
    return 0


def _rest(phase: dict) -> float:
    """The flow's seconds outside extraction and load: listing the documents, the picture, the dashboard."""
    result = phase["result"]
    return result["seconds"] - result["extract"].get("seconds", 0) - result["load"].get("seconds", 0)


def measure(size: int, jobs: int, root: Path) -> dict:
    data = root / f"n{size}"
    if data.exists():
        shutil.rmtree(data)
    t0 = time.perf_counter()
    sources = generate_corpus(data, size)
    print(
        f"[{size}] corpus: {size} reports from {len(sources)} sources into the raw store "
        f"in {time.perf_counter() - t0:.0f}s",
        flush=True,
    )
    back = run_phase("backfill", data, jobs, sources)
    reports = back["result"]["load"]["reports"]
    ext = back["result"]["extract"]
    print(
        f"[{size}] backfill: {reports} reports in {back['seconds']:.1f}s "
        f"=> {reports / back['seconds']:.1f} reports/s, "
        f"peak {back['peak_mib']:.0f} MiB; of which extraction {ext['seconds']:.1f}s "
        f"({ext['extracted'] / max(ext['seconds'], 1e-9):.1f} documents/s, {ext['chunks']} chunks), "
        f"load {back['result']['load'].get('seconds', 0):.1f}s, "
        f"the rest of the flow {_rest(back):.1f}s, process start {back['seconds'] - back['flow_seconds']:.1f}s",
        flush=True,
    )
    print(f"[{size}] backfill {cpu_budget(back, reports)}", flush=True)
    quiet = run_phase("nightly", data, jobs)
    print(
        f"[{size}] no-change nightly: {quiet['seconds']:.1f}s (flow {quiet['flow_seconds']:.1f}s, load skipped: "
        f"{quiet['result']['load']['skipped']}), peak {quiet['peak_mib']:.0f} MiB",
        flush=True,
    )
    cli = run_cli_nightly(data)
    print(
        f"[{size}] no-change `ogi run --no-crawl` as an operator runs it (no engine when there is nothing to do, "
        "else its own temporary API; the run summary): "
        f"{cli['seconds']:.1f}s, peak {cli['ogi_mib']:.0f} MiB in the ogi process, {cli['tree_mib']:.0f} MiB with "
        "its children (an API server, when it starts one)",
        flush=True,
    )
    add_new_year(data, sources, max(1, size // 100))
    grow = run_phase("nightly", data, jobs)
    g = grow["result"]
    print(
        f"[{size}] 1% nightly: +{g['extract']['extracted']} extracted, {g['load']['partitions_rebuilt']} partitions "
        f"rebuilt, {g['load']['written']} files written in {grow['seconds']:.1f}s, peak {grow['peak_mib']:.0f} MiB",
        flush=True,
    )
    store = data / "state" / "extracted"
    store_bytes = sum(p.stat().st_size for p in store.rglob("*") if p.is_file())
    per_report = store_bytes / max(1, g["load"]["documents"])
    print(f"[{size}] extraction store: {store_bytes / 2**20:.1f} MiB, {per_report:.0f} bytes per document", flush=True)
    return {
        "size": reports,
        "backfill_rps": reports / back["seconds"],
        "backfill_mib": back["peak_mib"],
        "backfill_cpu_ms": cpu_per_report(back, reports) * 1000,
        "nightly_s": quiet["seconds"],
        "nightly_mib": quiet["peak_mib"],
        "cli_nightly_s": cli["seconds"],
        "cli_nightly_mib": cli["ogi_mib"],
        "grow_s": grow["seconds"],
        "grow_mib": grow["peak_mib"],
        "store_bytes_per_report": per_report,
        "data": data,
    }


def _loop(_: object = None) -> float:
    t0 = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i * i
    return time.perf_counter() - t0


def cpu_check() -> str:
    """How fast this machine is right now: a fixed pure-Python loop on one core, then on every core at once (the
    slowest), median of 3. Shared machines drift (on the 2-core machine of December 2026, 0.75–2.4 s for one core
    within an hour), so a run's figures are quoted with the check taken beside them."""
    import multiprocessing

    one = statistics.median(_loop() for _ in range(3))
    with multiprocessing.get_context("spawn").Pool(os.cpu_count()) as pool:
        every = statistics.median(max(pool.map(_loop, range(os.cpu_count() or 1))) for _ in range(3))
    return f"{one:.2f}s on one core, {every:.2f}s on each of {os.cpu_count()} at once"


def slope(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Least-squares (slope, intercept)."""
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx else 0.0
    return b, my - b * mx


def quiet_night(n: int, root: Path) -> None:
    """The no-change nightly's own work over an N-document manifest and index, timed in this process; then
    ``ogi run --no-crawl`` over the same data dir as an operator runs it (it must find nothing to do and start no
    engine)."""
    import resource
    import sqlite3

    from extractors import EXTRACTOR_VERSION
    from flows.settings import Paths
    from flows.worklist import mark_complete, todo_documents
    from pipelines.datasets import Warehouse
    from pipelines.extracted import ExtractionStore
    from pipelines.load import load_inputs, load_warehouse
    from pipelines.rawstore import RawStore

    data = root / f"quiet{n}"
    shutil.rmtree(data, ignore_errors=True)
    t0 = time.perf_counter()
    with RawStore(data / "raw"), ExtractionStore(data / "state" / "extracted"):
        pass  # create both schemas
    raw_db = sqlite3.connect(data / "raw" / "manifest.sqlite")
    raw_db.executemany(
        "INSERT INTO fetches (url, sha256, fetched_at, status, kind, format, source_id, report_year, headers) "
        "VALUES (?, ?, '2025-01-01T00:00:00+00:00', 200, 'page', 'html', ?, ?, '{}')",
        ((f"http://s{i // 6}.example/{i}.html", f"{i:064x}", f"s{i // 6}", 2019 + i % 6) for i in range(n)),
    )
    raw_db.commit()
    raw_db.close()
    ext_db = sqlite3.connect(data / "state" / "extracted" / "index.sqlite")
    summary = json.dumps(
        {
            "error": None,
            "jurisdiction_code": "610329",
            "issuing_body": "x",
            "report_year": 2020,
            "year_source": "title",
            "cells_found": 200,
            "checks_failed": 0,
            "carried": {},
        }
    )
    ext_db.executemany(
        "INSERT INTO entries (sha256, version, batch, rg, row, summary) VALUES (?, ?, 'b', 0, 0, ?)",
        ((f"{i:064x}", EXTRACTOR_VERSION, summary) for i in range(n)),
    )
    ext_db.commit()
    ext_db.close()
    paths = Paths.of(data)
    with RawStore(paths.raw) as raw, ExtractionStore(paths.extracted) as store:
        inputs = load_inputs(raw, store, EXTRACTOR_VERSION, paths.runs, None)
        mark_complete(paths, EXTRACTOR_VERSION, raw.sequence()[0])
    counts = {
        "documents": n,
        "pending": 0,
        "errors": 0,
        "reports": n,
        "checks_failed": 0,
        "checks_undecided": 0,
        "warnings": 0,
    }
    Warehouse(paths.warehouse_url).write_state({"inputs": inputs, "counts": counts, "partitions": {}})
    paths.reports.mkdir(parents=True)
    for drawn in ("coverage.png", "index.html"):  # as the last load left them (the quiet night keeps them)
        (paths.reports / drawn).write_bytes(b"")
    print(f"quiet night: {n:,} fetches and index entries written in {time.perf_counter() - t0:.0f}s", flush=True)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    todo, _ = todo_documents(paths, EXTRACTOR_VERSION)
    t_todo = time.perf_counter() - t0
    t0 = time.perf_counter()
    summary = load_warehouse(data, None, EXTRACTOR_VERSION)
    t_load = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert not todo and summary.skipped, "the quiet night did work"
    print(
        f"quiet night over {n:,} documents: listing to extract {t_todo:.2f}s ({len(todo)} found), load {t_load:.2f}s "
        f"(skipped: {summary.skipped}); peak RSS of this process {peak / 1024:.0f} MiB ({before / 1024:.0f} before)"
    )
    cli = run_cli_nightly(data)
    record = json.loads(max(paths.runs.glob("flow-*.json")).read_text("utf-8"))
    assert record["load"]["skipped"] and record["load"]["load_id"] is None, "ogi run --no-crawl ran the flow"
    print(
        f"`ogi run --no-crawl` over {n:,} documents: {cli['seconds']:.2f}s, peak {cli['ogi_mib']:.0f} MiB "
        f"({cli['tree_mib']:.0f} MiB with its children), no engine started",
        flush=True,
    )
    shutil.rmtree(data, ignore_errors=True)


def _synthetic_stores(data: Path, n: int, news: int) -> list[tuple[str, str, str, int]]:
    """``n`` documents (counties × organs × 2019–2024) written straight into the raw manifest and the extraction
    index (summaries, no blobs, no bodies), with ``news`` (organ, 2024) slots, spread evenly, left empty. Returns
    the empty slots (code, name, organ, year): the news of the change night."""
    import sqlite3

    from pipelines.extracted import ExtractionStore
    from pipelines.rawstore import RawStore

    with RawStore(data / "raw"), ExtractionStore(data / "state" / "extracted"):
        pass  # create both schemas
    counties = _counties()
    organs = -(-n // (len(YEARS) * len(counties)))
    hole = max(1, n // len(YEARS) // max(1, news))
    fetches, entries, holes = [], [], []
    i = 0
    for k in range(organs):
        for d in counties:
            organ = f"{d.name}人民政府" if k == 0 else f"{d.name}部门{k}"
            for year in YEARS:
                if i >= n:
                    break
                url = f"http://{d.code}.example/{k}/{year}.html"
                if year == YEARS[-1] and (i // len(YEARS)) % hole == hole - 1 and len(holes) < news:
                    holes.append((d.code, d.name, organ, year))
                    continue
                sha = hashlib.sha256(url.encode()).hexdigest()
                fetches.append((url, sha, f"gen-{d.code}", d.code, organ, year))
                summary = {
                    "error": None,
                    "not_a_report": None,
                    "jurisdiction_code": d.code,
                    "issuing_body": organ,
                    "publisher_kind": "government" if k == 0 else "department",
                    "report_year": year,
                    "year_source": "title",
                    "cells_found": 200,
                    "checks_failed": 0,
                    "checks_undecided": 0,
                    "carried": {},
                }
                entries.append((sha, json.dumps(summary, ensure_ascii=False)))
                i += 1
    raw_db = sqlite3.connect(data / "raw" / "manifest.sqlite")
    raw_db.executemany(
        "INSERT INTO fetches (url, sha256, fetched_at, status, kind, format, source_id, jurisdiction_code, organ, "
        "report_year, headers) VALUES (?, ?, '2025-01-01T00:00:00+00:00', 200, 'page', 'html', ?, ?, ?, ?, '{}')",
        fetches,
    )
    raw_db.commit()
    raw_db.close()
    ext_db = sqlite3.connect(data / "state" / "extracted" / "index.sqlite")
    ext_db.executemany(
        "INSERT INTO entries (sha256, version, batch, rg, row, summary) VALUES (?, 'bench', 'none', 0, 0, ?)", entries
    )
    ext_db.commit()
    ext_db.close()
    return holes


def _template_rows(year: int) -> dict[str, "object"]:
    """One generated report's rows in every report table (Arrow), the pattern the synthetic partitions repeat."""
    from demo.samples import generate, to_report
    from pipelines.load import REPORT_TABLES, ReportGroup, partition_tables, summarize_document
    from pipelines.rawstore import FetchRecord

    sample = generate("610329", "麟游县", "麟游县人民政府", year)
    body = to_report(sample, "0" * 64).to_dict()
    from extractors.summary import report_summary

    doc = summarize_document(
        FetchRecord(url="http://x/", sha256="0" * 64, fetched_at="2025-01-01", status=200),
        "2025-01-01",
        "bench",
        report_summary(body),
    )
    group = ReportGroup("r", doc.code, doc.organ, year, [doc])

    class One:  # an extraction store of one report
        def get(self, sha, version):
            return body

    tables = partition_tables([group], One(), {})
    return {t: tables[t] for t in REPORT_TABLES}, body


def change_night(n: int, percent: float, root: Path) -> None:
    """A night that adds ``percent`` % new reports to an ``n``-report warehouse, timed in this process.

    The warehouse before the night is what a full load leaves, built without report bodies: the indexes are
    synthetic (``_synthetic_stores``), the load index, ``documents``, ``coverage`` and ``_state.json`` come from
    the loader's own functions over them, and the partitions the night touches hold one generated report's rows
    repeated for each of their reports (partitions it does not touch are never read, so they are not written).
    The news is real: each new report is a generated report's extraction in the extraction store."""
    import pyarrow as pa

    from flows.settings import Paths
    from flows.worklist import mark_complete
    from pipelines.coverage import coverage_rows, cross_year_checks
    from pipelines.datasets import Warehouse
    from pipelines.divisions import describe
    from pipelines.extracted import ExtractionStore
    from pipelines.load import (
        _doc_rows,
        _report_rows,
        document_rows,
        group_reports,
        load_inputs,
        observations,
        report_signatures,
        scan_documents,
    )
    from pipelines.loadindex import LoadIndex
    from pipelines.rawstore import RawStore

    data = root / f"change{n}"
    shutil.rmtree(data, ignore_errors=True)
    t0 = time.perf_counter()
    holes = _synthetic_stores(data, n, round(n * percent / 100))
    paths = Paths.of(data)
    with RawStore(paths.raw) as raw, ExtractionStore(paths.extracted) as store:
        docs = scan_documents(raw, store, "bench")
        inputs = load_inputs(raw, store, "bench", paths.runs, None)
    mark_complete(paths, "bench", inputs["raw"][1])
    groups = group_reports(docs)
    warnings = cross_year_checks((g.report_id, g.code, g.organ, g.year, g.chosen.carried) for g in groups.values())
    wh = Warehouse(paths.warehouse_url)
    template, body = _template_rows(YEARS[-1])
    touched = {describe(code)["province"] for code, *_ in holes}
    state_parts = {}
    with wh.load() as load, LoadIndex(data / "state" / "load.sqlite") as index:
        index.begin()
        index.put_docs(_doc_rows(docs, groups))
        index.put_reports(_report_rows(groups.values(), warnings, report_signatures(groups, warnings)))
        for province in sorted(touched):
            rids = sorted(
                rid for rid, g in groups.items() if g.year == YEARS[-1] and describe(g.code)["province"] == province
            )
            part = {"report_year": YEARS[-1], "province": province}
            held = []
            for t, one in template.items():
                if not one.num_rows:
                    continue
                per = one.num_rows
                table = pa.concat_tables([one] * len(rids))
                ids = pa.array([r for r in rids for _ in range(per)], pa.string())
                table = table.set_column(table.schema.get_field_index("report_id"), "report_id", ids)
                load.write(t, part, table)
                held.append(t)
            state_parts[f"{YEARS[-1]}/{province}"] = ["", held]
        rows = document_rows(docs, groups)
        load.write_batches(
            "documents", None, (to_arrow_rows("documents", rows[i : i + 5120]) for i in range(0, len(rows), 5120))
        )
        del rows
        cov = coverage_rows(observations(docs, groups, warnings), {}, None, [])
        load.write_batches(
            "coverage", None, (to_arrow_rows("coverage", cov[i : i + 5120]) for i in range(0, len(cov), 5120))
        )
        del cov
        counts = {
            "documents": len(docs),
            "pending": 0,
            "errors": 0,
            "reports": len(groups),
            "checks_failed": 0,
            "checks_undecided": 0,
            "warnings": 0,
        }
        lo, hi = index.year_span()
        token = index.new_token()
        load.commit(
            state={"inputs": inputs, "counts": counts, "partitions": state_parts, "index": token, "span": [lo, hi]}
        )
        index.commit(token)
    del docs, groups
    print(
        f"change night: {n:,} documents in the indexes, a warehouse of {len(touched)} touched partitions, documents "
        f"and coverage, built in {time.perf_counter() - t0:.0f}s; {len(holes):,} new reports to come",
        flush=True,
    )
    with RawStore(paths.raw) as raw, ExtractionStore(paths.extracted) as store:
        batch = []
        for code, _, organ, year in holes:
            url = f"http://{code}.example/new/{organ}/{year}.html"
            sha = hashlib.sha256(url.encode()).hexdigest()
            batch.append((url, sha, code, organ, year))
        _record_news(raw, batch)
        for i in range(0, len(batch), 400):
            store.put_many(
                (sha, "bench", _news_body(body, code, organ, year)) for _, sha, code, organ, year in batch[i : i + 400]
            )
    # in a fresh process, its own peak: VmHWM, not ru_maxrss, which Linux carries over from this (large) process
    night = (
        "import json, sys, time; sys.path.insert(0, sys.argv[2])\n"
        "from flows.worklist import todo_documents; from flows.settings import Paths\n"
        "from pipelines.load import load_warehouse\n"
        "t0 = time.perf_counter(); todo, _ = todo_documents(Paths.of(sys.argv[1]), 'bench'); t1 = time.perf_counter()\n"
        "s = load_warehouse(sys.argv[1], None, 'bench'); t2 = time.perf_counter()\n"
        "print(json.dumps({'todo': len(todo), 'todo_s': t1 - t0, 'load_s': t2 - t1, 'skipped': s.skipped, "
        "'reports': s.reports, 'rebuilt': s.partitions_rebuilt, 'written': len(s.commit.written), "
        "'peak_mib': int(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM'))) / 1024}))\n"
    )
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", night, str(data), str(ROOT)], capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    if out.returncode:
        raise SystemExit(out.stderr[-3000:])
    r = json.loads(out.stdout.strip().splitlines()[-1])
    assert not r["todo"] and not r["skipped"] and r["reports"] == counts["reports"] + len(holes), r
    print(
        f"change night over {n:,} documents, +{len(holes):,} reports ({percent:g}%): listing to extract "
        f"{r['todo_s']:.2f}s, load {r['load_s']:.2f}s ({r['rebuilt']} partitions rebuilt, {r['written']} files "
        f"written); the process {wall:.1f}s wall (start-up included), peak memory {r['peak_mib']:.0f} MiB (VmHWM)"
    )
    shutil.rmtree(data, ignore_errors=True)


def to_arrow_rows(table: str, rows: list) -> "object":
    from pipelines.datasets import to_arrow
    from pipelines.tables import TABLES

    return to_arrow(TABLES[table], rows)


def _record_news(raw, batch: list) -> None:
    from pipelines.rawstore import FetchRecord

    for url, sha, code, organ, year in batch:
        raw.record(
            FetchRecord(
                url,
                sha,
                "2026-03-01T00:00:00+00:00",
                200,
                kind="page",
                format="html",
                source_id=f"gen-{code}",
                jurisdiction_code=code,
                organ=organ,
                report_year=year,
            )
        )


def _news_body(template: dict, code: str, organ: str, year: int) -> dict:
    meta = {**template["report"], "jurisdiction_code": code, "issuing_body": organ, "report_year": year}
    meta["publisher_kind"] = "government" if organ.endswith("人民政府") else "department"
    return {**template, "report": meta}


def query_time(wh: Path) -> str:
    import duckdb

    cells = duckdb.sql(f"SELECT count(*) FROM read_parquet('{wh}/cells/**/*.parquet')").fetchall()[0][0]
    times = []
    for _ in range(7):
        t = time.perf_counter()
        rows = duckdb.sql(QUERY.format(wh=wh)).fetchall()
        times.append((time.perf_counter() - t) * 1000)
    return (
        f"duckdb: requests granted by province and year over {cells:,} cells: {len(rows)} rows, "
        f"median {statistics.median(times):.1f} ms (min {min(times):.1f} ms, first {times[0]:.1f} ms)"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reports", type=int, default=5000, help="one warehouse size (up to 100000 and beyond)")
    ap.add_argument("--sizes", help="several sizes, comma-separated (e.g. 2000,10000,40000): slopes and projections")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--keep", type=Path, help="keep the data dirs under here (default: a temp dir, removed)")
    ap.add_argument("--quiet-night", type=int, metavar="N", help="time only the no-change path over N documents")
    ap.add_argument("--change-night", type=int, metavar="N", help="time a night adding --percent new reports to N")
    ap.add_argument("--percent", type=float, default=1.0, help="new reports of --change-night, in %% (default 1)")
    ap.add_argument("--phase", choices=("backfill", "nightly"), help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--sources", help=argparse.SUPPRESS)
    ap.add_argument("--dask", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument(
        "--contend",
        action="store_true",
        help="one spinning process pinned to each core for the whole run: the machine at about half its speed, "
        "as this shared 2-core machine runs on its slowest stretches (the CPU checks show it)",
    )
    args = ap.parse_args()
    if args.phase:
        return phase_main(args)
    if args.change_night:
        root = args.keep or Path(tempfile.mkdtemp(prefix="ogi-bench-"))
        configure_prefect(root, quiet=True)
        change_night(args.change_night, args.percent, root)
        return 0
    if args.quiet_night:
        root = args.keep or Path(tempfile.mkdtemp(prefix="ogi-bench-"))
        configure_prefect(root, quiet=True)
        quiet_night(args.quiet_night, root)
        return 0
    with contention(args.contend):
        return measure_sizes(args)


@contextmanager
def contention(on: bool) -> Iterator[None]:
    """``--contend``: a busy loop on each core, at the benchmark's own priority, until the run ends."""
    from flows import processes

    spinners = [
        processes.popen([sys.executable, "-c", f"import os\nos.sched_setaffinity(0, {{{core}}})\nwhile True: pass"])
        for core in (sorted(os.sched_getaffinity(0)) if on else ())
    ]
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


def measure_sizes(args: argparse.Namespace) -> int:
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [args.reports]
    root = args.keep or Path(tempfile.mkdtemp(prefix="ogi-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    configure_prefect(root, quiet=True)
    from flows.engine import prefect_api

    print(
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start; {args.jobs} worker processes; "
        f"Python {sys.version.split()[0]} from {sys.base_prefix}; CPU check {cpu_check()}",
        flush=True,
    )
    with prefect_api():
        rows = [measure(n, args.jobs, root) for n in sizes]
    print(query_time(rows[-1]["data"] / "warehouse"))
    print(f"load average {os.getloadavg()[0]:.1f} at the end; CPU check {cpu_check()}")
    print(
        "\nsize      backfill r/s  CPU ms/report  backfill MiB  nightly s  nightly MiB  1% nightly s  1% MiB  "
        "store B/report"
    )
    for r in rows:
        print(
            f"{r['size']:>8}  {r['backfill_rps']:>12.1f}  {r['backfill_cpu_ms']:>13.2f}  {r['backfill_mib']:>12.0f}  "
            f"{r['nightly_s']:>9.1f}  {r['nightly_mib']:>11.0f}  {r['grow_s']:>12.1f}  {r['grow_mib']:>6.0f}  "
            f"{r['store_bytes_per_report']:>14.0f}"
        )
    if len(rows) > 1:
        xs = [r["size"] for r in rows]
        print(f"\nslopes per 1,000 reports, and projected to {PROJECT_TO:,} reports:")
        for key, label, unit in (
            ("nightly_s", "no-change nightly", "s"),
            ("nightly_mib", "no-change nightly", "MiB"),
            ("cli_nightly_s", "ogi run --no-crawl", "s"),
            ("cli_nightly_mib", "ogi run --no-crawl", "MiB"),
            ("grow_s", "1% nightly", "s"),
            ("grow_mib", "1% nightly", "MiB"),
            ("backfill_mib", "backfill", "MiB"),
            ("backfill_cpu_ms", "backfill CPU", "ms/report"),
        ):
            ys = [r[key] for r in rows]
            b, a = slope(xs, ys)
            note = "  (no growth measured: the largest value measured)" if b <= 0 else ""
            projected = a + b * PROJECT_TO if b > 0 else max(ys)
            print(f"  {label:<18} {b * 1000:+8.3f} {unit}/1k reports  → {projected:10.1f} {unit}{note}")
        b, a = slope(xs, [1 / r["backfill_rps"] for r in rows])
        rate = f"{1 / (a + b * PROJECT_TO):.1f} reports/s" if b > 0 else "no slowdown measured"
        print(f"  {'backfill':<18} {b * 1000 * 1000:+8.3f} ms per report per 1k reports → {rate} at {PROJECT_TO:,}")
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
