"""Benchmark: the backfill flow on a local Dask cluster of 1, then 2 worker processes (``DaskTaskRunner``).

(Not ``dask.py``: a script's folder comes first on ``sys.path``, and that name would hide the ``dask`` package.)

    .venv/bin/python benchmarks/dask_scaling.py                  # 1,000 generated reports, 1 and 2 workers
    .venv/bin/python benchmarks/dask_scaling.py --reports 3000 --workers 1,2

The same corpus (``benchmarks/pipeline.py``'s generated HTML reports) is put in a fresh raw store for each
cluster size, then the real ``backfill`` flow runs on a new ``LocalCluster`` (one thread per worker process)
in its own process. It prints reports/s of the whole run and of its extraction alone (the part Dask fans out;
the load is one task whatever the cluster), and the ratio to one worker. On 2 cores, 2 workers can at best
double the extraction; the machine's load average is printed, as other work takes cores too.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.pipeline import generate_corpus, run_phase  # noqa: E402
from flows.settings import configure_prefect  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reports", type=int, default=1000)
    ap.add_argument("--workers", default="1,2", help="cluster sizes, comma-separated")
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="ogi-dask-bench-"))
    configure_prefect(root, quiet=True)
    from flows.engine import prefect_api

    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start", flush=True)
    rows = []
    with prefect_api():
        for n in (int(w) for w in args.workers.split(",")):
            data = root / f"w{n}"
            sources = generate_corpus(data, args.reports)
            run = run_phase("backfill", data, n, sources, dask=True)
            result = run["result"]
            reports, ext = result["load"]["reports"], result["extract"]
            rows.append((n, reports / run["seconds"], ext["extracted"] / max(ext["seconds"], 1e-9)))
            print(
                f"{n} Dask worker(s): {reports} reports in {run['seconds']:.1f}s => {rows[-1][1]:.1f} reports/s; "
                f"extraction {ext['seconds']:.1f}s => {rows[-1][2]:.1f} documents/s; load "
                f"{result['load'].get('seconds', 0):.1f}s; peak {run['peak_mib']:.0f} MiB; load average "
                f"{os.getloadavg()[0]:.1f}",
                flush=True,
            )
            shutil.rmtree(data, ignore_errors=True)
    base = rows[0]
    for n, whole, extraction in rows[1:]:
        print(
            f"{n} workers / {base[0]}: whole run ×{whole / base[1]:.2f}, extraction ×{extraction / base[2]:.2f}",
            flush=True,
        )
    shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
