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
    proc = subprocess.run(
        command_line(data, all_sources=True, registry_dir=registry, fast=True),
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - t0
    return json.loads(Path(proc.stdout.strip().splitlines()[-1]).read_text("utf-8")), wall


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sites", type=int, help="crawl this many simulated counties instead of the demo sites")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if args.sites:
        national(args.sites, args.seed)
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
            recrawl.append(
                {
                    sid: (s["requests"], s["documents_downloaded"], s["requests_by_role"])
                    for sid, s in again["sources"].items()
                }
            )
        sites = sorted(recrawl[0])
        print(f"first crawl: {docs} documents from {len(sites)} sites")
        print(
            f"  documents/s (spider time): median {statistics.median(first_rates):.1f}  "
            f"runs {[round(r, 1) for r in first_rates]}"
        )
        print(f"  documents/s (wall, incl. process start): median {statistics.median(wall_rates):.1f}")
        print("no-change re-crawl, per site: requests (median) | documents downloaded | requests by role")
        for sid in sites:
            reqs = statistics.median(r[sid][0] for r in recrawl)
            downloads = max(r[sid][1] for r in recrawl)
            print(f"  {sid:16s} {reqs:5.0f} | {downloads} | {recrawl[-1][sid][2]}")
        total = statistics.median(sum(r[s][0] for s in sites) for r in recrawl)
        print(
            f"  median requests per site: {total / len(sites):.1f}; documents downloaded: "
            f"{max(sum(r[s][1] for s in sites) for r in recrawl)}"
        )


NATIONAL_COUNTIES = 2846


def national(n: int, seed: int) -> None:
    """Crawl ``n`` simulated counties twice (first crawl, then a no-change nightly) and print the scores."""
    from demo.national import NationalServer, generate
    from demo.national.run import crawl as crawl_proxy
    from demo.national.score import score
    from spiders.settings import BASE

    counties = generate(n, seed)
    t0 = time.perf_counter()
    with NationalServer(counties) as server, tempfile.TemporaryDirectory(prefix="ogi-national-") as tmp:
        print(
            f"{len(counties)} counties, {len(server.by_host)} hosts, "
            f"{sum(len(c.reports()) for c in counties)} reports, "
            f"{sum(len(c.distractors()) for c in counties)} distractors "
            f"(server ready in {time.perf_counter() - t0:.0f} s)"
        )
        registry = server.write_registry(Path(tmp) / "sources")
        first = crawl_proxy(registry, Path(tmp) / "data", server.proxy)
        counters = server.counters()
        server.reset()
        nightly = crawl_proxy(registry, Path(tmp) / "data", server.proxy)
        again = server.counters()
    scores = score(counties, first.lines)
    print("first crawl, by family: truth | found | recall | precision | non-reports counted | organ ok | year ok")
    for fam, s in sorted(scores.items(), key=lambda kv: (" " in kv[0], kv[0] == "all", kv[0])):
        if fam == "offsite":
            continue
        print(
            f"  {fam:13s} {s.truth:6d} | {s.found:6d} | {s.recall:7.2%} | {s.precision:7.2%} | "
            f"{s.false_positives:4d} {dict(s.false_by_kind)} | {s.organ_ok / max(s.hit, 1):.1%} | "
            f"{s.year_ok / max(s.hit, 1):.1%}"
        )
    hit = scores["all"].hit
    ascii_ua = all(ua.isascii() for ua in counters["user_agents"])
    print(
        f"requests: {counters['requests']} ({counters['requests'] / max(hit, 1):.2f} per report found); "
        f"off-site {counters['offsite']}, robots-disallowed {counters['disallowed']}, "
        f"trap {counters['traps']} (max {counters['max_trap_per_host']} on one host); ASCII User-Agent: {ascii_ua}"
    )
    print(
        f"wall time {first.wall_s:.0f} s (politeness off); crawler peak memory {first.peak_kb / 1024:.0f} MiB "
        f"(VmHWM; classification workers at most {first.workers_peak_kb / 1024:.0f} MiB each)"
    )
    classified = [sum(e.get("classified", 0) for e in r.report["sources"].values()) for r in (first, nightly)]
    rejected = sum(sum(e.get("not_a_report", {}).values()) for e in first.report["sources"].values())
    again_all = score(counties, nightly.lines)["all"]
    print(
        f"content check: {classified[0]} documents classified in the first crawl ({rejected} not reports), "
        f"{classified[1]} in the no-change nightly; nightly recall {again_all.recall:.2%}, precision "
        f"{again_all.precision:.2%}"
    )
    per_county = again["requests"] / len(counties)
    busiest = max(again["requests_by_host"].values(), default=0)
    delay = float(os.environ.get("OGI_CRAWL_DELAY") or BASE["DOWNLOAD_DELAY"])
    concurrency = int(os.environ.get("OGI_CRAWL_CONCURRENCY") or BASE["CONCURRENT_REQUESTS"])
    total = per_county * NATIONAL_COUNTIES
    hours = max(total * delay / concurrency, busiest * delay) / 3600
    print(
        f"no-change nightly: {again['requests']} requests ({per_county:.1f} per county incl. sub-sites; busiest host "
        f"{busiest}), {nightly.wall_s:.0f} s here, peak memory {nightly.peak_kb / 1024:.0f} MiB (VmHWM)"
    )
    print(
        f"projected national nightly ({NATIONAL_COUNTIES} counties, {delay:g} request/s per host, {concurrency} hosts "
        f"in parallel): {total:.0f} requests, {hours:.2f} h (AutoThrottle and retries not modelled)"
    )


if __name__ == "__main__":
    main()
