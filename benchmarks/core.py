"""The cross-era core on real reports of any year, against expectations a person wrote.

    python benchmarks/core.py DIR

Every document in DIR with a ``<file name>.core.json`` beside it (``{"received": 58, "granted": 45,
…}``, read off the report by a person; a key left out is not checked, ``null`` means the report
does not say) is extracted and its ``core`` compared key by key. Prints each report's misses,
then the totals: right, null where a figure was expected (missed), and wrong (a figure that
differs: the outcome that must not happen), with the median seconds per report.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from extractors import extract  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    counts = {"right": 0, "missed": 0, "wrong": 0}
    seconds = []
    for expected_path in sorted(args.folder.glob("*.core.json")):
        document = expected_path.with_name(expected_path.name.removesuffix(".core.json"))
        expected = json.loads(expected_path.read_text("utf-8"))
        start = time.perf_counter()
        out = extract(document).to_dict()
        seconds.append(time.perf_counter() - start)
        core = out.get("core") or {}
        year = (out.get("report") or {}).get("report_year")
        for key, want in expected.items():
            got = core.get(key)
            verdict = "right" if got == want else ("missed" if got is None else "wrong")
            counts[verdict] += 1
            if verdict != "right":
                print(f"{document.name} ({year}): {key} expected {want}, got {got} [{verdict}]")
    total = sum(counts.values())
    if not total:
        print(f"no *.core.json in {args.folder}")
        return 1
    shares = ", ".join(f"{k} {v} ({v / total:.1%})" for k, v in counts.items())
    print(
        f"{len(seconds)} reports, {total} core values: {shares}; median {statistics.median(seconds):.3f} s per report"
    )
    return 0 if counts["wrong"] == 0 else 2


if __name__ == "__main__":
    sys.exit(main())
