"""What one Prefect task run costs on the flows' process pool, whatever its work: the reason extraction chunks are
not smaller (``flows.pipeline.extraction_chunks``).

    .venv/bin/python benchmarks/task_overhead.py                 # 2 and 50 empty tasks on 2 pool workers
    .venv/bin/python benchmarks/task_overhead.py --tasks 100 --work 0.2

Under one temporary Prefect API (as ``ogi`` runs), a flow submits N tasks, each given a chunk-sized parameter (400
document tuples) and spinning ``--work`` CPU seconds, to ``ProcessPoolTaskRunner(--jobs)``, once with 2 tasks (the
pool's start) and once with N. It prints the wall time beside the ideal (N × work / jobs), the seconds each task
added, and the CPU the API server and this process spent meanwhile.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flows.settings import configure_prefect  # noqa: E402

configure_prefect(quiet=True)

from pipeline import api_server_cpu  # noqa: E402  (this folder is the script's sys.path[0])
from prefect import flow, task  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402

CHUNK = [("0" * 64, "report.html", None)] * 400  # the shape of an extraction chunk's parameter


@task(cache_policy=NO_CACHE, persist_result=False)
def spin(seconds: float, docs: list) -> int:
    started = time.process_time()
    while time.process_time() - started < seconds:
        pass
    return len(docs)


@flow(persist_result=False)
def many(tasks: int, seconds: float) -> int:
    futures = [spin.submit(seconds, CHUNK) for _ in range(tasks)]
    return sum(f.result() for f in futures)


def measure(tasks: int, seconds: float, jobs: int) -> float:
    from flows.pipeline import task_runner

    server, own, started = api_server_cpu(), time.process_time(), time.perf_counter()
    many.with_options(task_runner=task_runner(jobs))(tasks, seconds)
    wall = time.perf_counter() - started
    print(
        f"{tasks:>4} tasks of {seconds:g} s: {wall:.1f} s wall (ideal {tasks * seconds / jobs:.1f} s); "
        f"API server {api_server_cpu() - server:.1f} s CPU, flow process {time.process_time() - own:.1f} s CPU",
        flush=True,
    )
    return wall


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tasks", type=int, default=50, help="tasks in the second flow run (default 50)")
    ap.add_argument("--work", type=float, default=0.0, help="CPU seconds each task spins (default 0)")
    ap.add_argument("--jobs", type=int, default=2, help="pool workers (default 2)")
    args = ap.parse_args()
    from flows.engine import prefect_api

    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}", flush=True)
    with prefect_api():
        base = measure(2, args.work, args.jobs)
        wall = measure(args.tasks, args.work, args.jobs)
    extra = (wall - base - (args.tasks - 2) * args.work / args.jobs) / (args.tasks - 2)
    print(f"each task beyond the first two added {extra:.2f} s of wall time on {args.jobs} workers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
