"""What the bounded runner costs per document, beside extracting in-process.

    .venv/bin/python benchmarks/runner.py [--repeat 3]

Extracts the fixture corpus and the shared samples (DOC/WPS excluded: LibreOffice's
time would drown the difference) in-process with ``extract``, then through
``extractors.runner.run_many`` with one worker, and prints the medians of the whole
batch's time per document, the per-document overhead, and a worker's start-up time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractors import extract  # noqa: E402
from extractors.runner import run_many  # noqa: E402

FOLDERS = (ROOT.parent / "shared" / "samples", ROOT / "tests" / "corpus" / "files")
SKIP = {".json", ".md", ".doc", ".wps"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    docs = [
        p
        for folder in FOLDERS
        if folder.exists()
        for p in sorted(folder.iterdir())
        if p.is_file() and p.suffix not in SKIP
    ]
    for path in docs:  # warm the imports and the page cache
        extract(path)
    inline, runner, startup = [], [], []
    for _ in range(args.repeat):
        started = time.perf_counter()
        for path in docs:
            extract(path)
        inline.append((time.perf_counter() - started) / len(docs))
        started = time.perf_counter()
        list(run_many(docs[:1], jobs=1))
        startup.append(time.perf_counter() - started)
        started = time.perf_counter()
        list(run_many(docs, jobs=1))
        runner.append((time.perf_counter() - started - startup[-1]) / len(docs))
    ms = lambda values: statistics.median(values) * 1000  # noqa: E731
    print(f"{len(docs)} documents, medians of {args.repeat} runs")
    print(f"in-process extract:   {ms(inline):7.2f} ms per document")
    print(f"runner (1 worker):    {ms(runner):7.2f} ms per document (worker start-up excluded)")
    print(f"overhead:             {ms(runner) - ms(inline):7.2f} ms per document")
    print(f"worker start-up:      {ms(startup):7.0f} ms (once per worker, and per replaced worker)")


if __name__ == "__main__":
    main()
