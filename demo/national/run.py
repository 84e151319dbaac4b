"""Crawl the simulation with the real spider, in its own process, through the simulation's proxy.

Why a process: production runs ``python -m pipelines.crawl`` (Scrapy's reactor cannot restart),
and Scrapy's HttpProxyMiddleware takes the proxy from ``http_proxy`` as an operator would set
it. The child reports its own peak memory as VmHWM, not ru_maxrss: Linux carries a parent's
peak over ``exec`` into the child's ru_maxrss, so the simulation server (in the parent, its
rendered pages growing) counted as the crawler's; and the largest of its children, the
classification workers (their ru_maxrss: an upper bound, it starts at the crawler's size).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelines.crawl import command_line
from spiders.registry import REPO

_CHILD = (
    "import atexit, resource, sys\n"
    "def peak():\n"
    "    with open('/proc/self/status') as f:\n"
    "        hwm = next(int(l.split()[1]) for l in f if l.startswith('VmHWM:'))\n"
    "    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "    print('OGI_MAXRSS_KB', hwm, kids, file=sys.stderr)\n"
    "atexit.register(peak)\n"
    "from pipelines.crawl import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


@dataclass
class CrawlRun:
    report: dict[str, Any]
    lines: list[dict[str, Any]]
    wall_s: float
    peak_kb: int  # the crawl process itself (VmHWM)
    workers_peak_kb: int = 0  # its largest child (a classification worker), ru_maxrss


def crawl(
    registry: Path, data: Path, proxy: str, fast: bool = True, settings: dict[str, Any] | None = None
) -> CrawlRun:
    """``python -m pipelines.crawl --registry-dir registry --all`` with ``http_proxy=proxy``."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("no_proxy", "https_proxy", "all_proxy")}
    env.update({"PYTHONPATH": str(REPO), "http_proxy": proxy, "HTTP_PROXY": proxy})
    extra = [a for k, v in (settings or {}).items() for a in ("--set", f"{k}={json.dumps(v)}")]
    cmd = command_line(data, all_sources=True, registry_dir=registry, fast=fast, extra_args=extra)
    assert cmd[1:3] == ["-m", "pipelines.crawl"]
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _CHILD, *cmd[3:]], cwd=REPO, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"crawl failed ({proc.returncode}): {proc.stderr[-2000:]}")
    report_path = Path(proc.stdout.strip().splitlines()[-1])
    report = json.loads(report_path.read_text("utf-8"))
    docs = report_path.with_name(report_path.name.replace(".json", ".documents.jsonl"))
    lines = [json.loads(x) for x in docs.read_text("utf-8").splitlines() if x.strip()] if docs.exists() else []
    m = re.search(r"OGI_MAXRSS_KB (\d+) (\d+)", proc.stderr)
    return CrawlRun(report, lines, wall, int(m.group(1)) if m else 0, int(m.group(2)) if m else 0)
