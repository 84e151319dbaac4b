"""The cross-era core on real reports of any year, against expectations a person wrote.

    python benchmarks/core.py DIR

Every document in DIR with a ``<file name>.core.json`` beside it (``{"received": 58, "granted": 45,
…}``, read off the report by a person; a key left out is not checked, ``null`` means the report
does not say) is extracted and its ``core`` compared key by key. Prints each report's misses,
then right, null where a figure was expected (missed), and wrong (a figure that differs: the
outcome that must not happen) per core key and in all, with the median seconds per report.
Exits 2 when anything is wrong. ``score`` is the same comparison for tests
(``OGI_REAL_PRE2019_DIR``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from extractors import extract  # noqa: E402
from extractors.schema import CORE_KEYS  # noqa: E402

VERDICTS = ("right", "missed", "wrong")


@dataclass
class Score:
    counts: Counter = field(default_factory=Counter)  # (core key, verdict) → values
    misses: list[str] = field(default_factory=list)  # one line per value not right
    seconds: list[float] = field(default_factory=list)  # per report

    def total(self, verdict: str) -> int:
        return sum(n for (_, v), n in self.counts.items() if v == verdict)


def score(folder: Path) -> Score:
    """Every ``*.core.json`` of ``folder`` against the core extracted from the document beside it."""
    result = Score()
    for expected_path in sorted(folder.glob("*.core.json")):
        document = expected_path.with_name(expected_path.name.removesuffix(".core.json"))
        expected = json.loads(expected_path.read_text("utf-8"))
        start = time.perf_counter()
        out = extract(document).to_dict()
        result.seconds.append(time.perf_counter() - start)
        core = out.get("core") or {}
        year = (out.get("report") or {}).get("report_year")
        for key, want in expected.items():
            got = core.get(key)
            verdict = "right" if got == want else ("missed" if got is None else "wrong")
            result.counts[key, verdict] += 1
            if verdict != "right":
                result.misses.append(f"{document.name} ({year}): {key} expected {want}, got {got} [{verdict}]")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    result = score(args.folder)
    total = sum(result.counts.values())
    if not total:
        print(f"no *.core.json in {args.folder}")
        return 1
    print(*result.misses, sep="\n")
    for key in CORE_KEYS:
        line = ", ".join(f"{v} {result.counts[key, v]}" for v in VERDICTS)
        print(f"{key}: {line}")
    shares = ", ".join(f"{v} {result.total(v)} ({result.total(v) / total:.1%})" for v in VERDICTS)
    print(
        f"{len(result.seconds)} reports, {total} core values: {shares}; "
        f"median {statistics.median(result.seconds):.3f} s per report"
    )
    return 0 if result.total("wrong") == 0 else 2


if __name__ == "__main__":
    sys.exit(main())
