"""What the bounded runner costs per document, beside extracting in-process.

    .venv/bin/python benchmarks/runner.py [--repeat 3]

The fixture corpus and the shared samples (DOC/WPS excluded: LibreOffice's time would
drown the difference), as the flows' extraction tasks hand them over: the document's
bytes in, the report's JSON and summary out (``encoded``). Extracted in-process
(``extract_bytes`` + ``encode``), then through ``extractors.runner.run_warm`` with one
warm worker, handed one document at a time and in batches of 32 (what the flows do).
Prints the medians of the time per document, the per-document overhead, the parent's
own CPU per document, and a worker's start-up time.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractors.api import extract_bytes  # noqa: E402
from extractors.runner import Job, encode, run_many, run_warm  # noqa: E402

FOLDERS = (ROOT.parent / "shared" / "samples", ROOT / "tests" / "corpus" / "files")
SKIP = {".json", ".md", ".doc", ".wps"}
BATCHES = (1, 32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    paths = [
        p
        for folder in FOLDERS
        if folder.exists()
        for p in sorted(folder.iterdir())
        if p.is_file() and p.suffix not in SKIP
    ]
    jobs = []
    for path in paths:
        data = path.read_bytes()
        jobs.append(Job(hashlib.sha256(data).hexdigest(), data=data, name=path.name, encoded=True))
    for job in jobs:  # warm the imports
        encode(extract_bytes(job.data, name=job.name))
    list(run_warm(jobs))  # and the warm worker's
    inline, startup = [], []
    runner: dict[int, list[float]] = {batch: [] for batch in BATCHES}
    parent_cpu: dict[int, list[float]] = {batch: [] for batch in BATCHES}
    for _ in range(args.repeat):
        started = time.perf_counter()
        for job in jobs:
            encode(extract_bytes(job.data, name=job.name))
        inline.append((time.perf_counter() - started) / len(jobs))
        started = time.perf_counter()
        list(run_many(jobs[:1]))
        startup.append(time.perf_counter() - started)
        for batch in BATCHES:
            cpu, started = time.process_time(), time.perf_counter()
            list(run_warm(jobs, batch=batch))
            runner[batch].append((time.perf_counter() - started) / len(jobs))
            parent_cpu[batch].append((time.process_time() - cpu) / len(jobs))
    ms = lambda values: statistics.median(values) * 1000  # noqa: E731
    print(f"{len(jobs)} documents, medians of {args.repeat} runs")
    print(f"in-process extract + encode: {ms(inline):7.2f} ms per document")
    for batch in BATCHES:
        print(
            f"warm worker, batch {batch:>2}:      {ms(runner[batch]):7.2f} ms per document, overhead "
            f"{ms(runner[batch]) - ms(inline):5.2f} ms; the parent's own CPU {ms(parent_cpu[batch]):5.2f} ms"
        )
    print(f"worker start-up:             {ms(startup):7.0f} ms (once per worker, and per replaced worker)")


if __name__ == "__main__":
    main()
