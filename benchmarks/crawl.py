"""Crawl speed against the local demo sites, politeness off; and the cost of a no-change re-crawl.

    python benchmarks/crawl.py [--runs 3]
    python benchmarks/crawl.py --sites 500 [--seed 1]     # a simulated national crawl (demo.national)

Prints medians over the runs: documents per second on a first crawl (all documents new),
and requests per site on a re-crawl of unchanged sites (goal: listing pages only, zero
document downloads). Each crawl is ``python -m pipelines.crawl`` in its own process, as in
production; docs/s is timed by the spider itself (``duration_s``, process start excluded)
and by the wall clock (included).

With ``--sites N`` it crawls N virtual counties through the simulation's forward proxy
(``http_proxy``) and prints, by CMS family, recall and precision against the generator's
truth, requests per report, off-site / robots-disallowed / trap requests (counted by the
server), wall time, peak memory, and the projected time of a national no-change nightly.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from demo import DemoServer  # noqa: E402
from pipelines.crawl import command_line  # noqa: E402


def crawl(registry: Path, data: Path) -> tuple[dict, float]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    t0 = time.perf_counter()
    proc = subprocess.run(command_line(data, all_sources=True, registry_dir=registry, fast=True), cwd=REPO, env=env,
                          capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    return json.loads(Path(proc.stdout.strip().splitlines()[-1]).read_text("utf-8")), wall


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sites", type=int, help="crawl this many simulated counties instead of the demo sites")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if args.sites:
        from benchmarks.national import run

        run(args.sites, args.seed)
        return
    first_rates, wall_rates, recrawl = [], [], []
    with DemoServer(faults=False) as demo, tempfile.TemporaryDirectory(prefix="ogi-bench-") as tmp:
        registry = demo.write_registry(Path(tmp) / "sources")
        for i in range(args.runs):
            data = Path(tmp) / f"data{i}"
            report, wall = crawl(registry, data)
            docs = report["totals"]["documents"]["new"]
            first_rates.append(docs / report["duration_s"])
            wall_rates.append(docs / wall)
            again, _ = crawl(registry, data)
            recrawl.append({sid: (s["requests"], s["documents_downloaded"], s["requests_by_role"])
                            for sid, s in again["sources"].items()})
        sites = sorted(recrawl[0])
        print(f"first crawl: {docs} documents from {len(sites)} sites")
        print(f"  documents/s (spider time): median {statistics.median(first_rates):.1f}  "
              f"runs {[round(r, 1) for r in first_rates]}")
        print(f"  documents/s (wall, incl. process start): median {statistics.median(wall_rates):.1f}")
        print("no-change re-crawl, per site: requests (median) | documents downloaded | requests by role")
        for sid in sites:
            reqs = statistics.median(r[sid][0] for r in recrawl)
            downloads = max(r[sid][1] for r in recrawl)
            print(f"  {sid:16s} {reqs:5.0f} | {downloads} | {recrawl[-1][sid][2]}")
        total = statistics.median(sum(r[s][0] for s in sites) for r in recrawl)
        print(f"  median requests per site: {total / len(sites):.1f}; documents downloaded: "
              f"{max(sum(r[s][1] for s in sites) for r in recrawl)}")


if __name__ == "__main__":
    main()
