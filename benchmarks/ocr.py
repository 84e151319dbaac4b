"""OCR of scanned reports: cell accuracy and seconds per page, RapidOCR beside Tesseract.

    .venv/bin/python benchmarks/ocr.py [--engines rapidocr,tesseract] [--samples DIR]

Each real sample PDF (../shared/samples, or OGI_SAMPLES_DIR) is turned into a scan
(tests/scans.py: rendered without its text layer, slightly turned, JPEG-compressed,
saved as an image-only PDF) under each condition, and extracted. Truth is the same
PDF's text-layer extraction. A cell is right when its value equals the truth's; a
truth cell not read counts as wrong. Also printed: wrong cells that are not flagged
``ocr_uncertain`` (the goal is none), the cells flagged, and per page the median wall
seconds, the median and the mean CPU seconds (CPU time depends little on what else the
machine is running; wall time does), and the load average while the condition ran.
ONNX Runtime runs ``OGI_OCR_THREADS`` threads (1 unless set: batch runs give each of
their worker processes one core, so a page's CPU seconds / cores is their pace).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractors import extract, extract_bytes
from tests.scans import scan_pdf

CONDITIONS = [(150, 0.7, 65), (200, -0.7, 75), (150, -0.7, 60), (200, 0.7, 60)]  # dpi, degrees, JPEG quality


def _cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def run(engine: str, samples: list[Path], conditions: list[tuple[int, float, int]]) -> list[dict]:
    os.environ["OGI_OCR_ENGINE"] = engine
    results = []
    for dpi, degrees, quality in conditions:
        right = total = unflagged = flagged = pages = 0
        load = os.getloadavg()[0]
        walls: list[float] = []
        cpus: list[float] = []
        per_doc: list[int] = []
        for source in samples:
            truth = {(c.table, c.row, c.col): c.value for c in extract(source).cells}
            scan = scan_pdf(source, dpi, degrees, quality)
            wall, cpu = time.perf_counter(), _cpu()
            report = extract_bytes(scan, f"{source.stem}-scan.pdf")
            wall, cpu = time.perf_counter() - wall, _cpu() - cpu
            read = next((len(p.pages or []) for p in report.problems if p.code == "ocr"), 0)
            if read:
                walls.append(wall / read)
                cpus.append(cpu / read)
                per_doc.append(read)
            pages += read
            got = {(c.table, c.row, c.col): c for c in report.cells}
            for key, value in truth.items():
                total += 1
                cell = got.get(key)
                if cell is not None and cell.value == value:
                    right += 1
                elif cell is not None and "ocr_uncertain" not in cell.flags:
                    unflagged += 1
                elif cell is None:
                    unflagged += 1  # not read at all: a table_incomplete problem says so, but count it
            flagged += sum(1 for c in report.cells if "ocr_uncertain" in c.flags)
        results.append(
            dict(
                engine=engine,
                dpi=dpi,
                degrees=degrees,
                quality=quality,
                cells=total,
                right=right,
                accuracy=right / total if total else 0.0,
                unflagged=unflagged,
                flagged=flagged,
                pages=pages,
                wall=statistics.median(walls) if walls else float("nan"),
                cpu=statistics.median(cpus) if cpus else float("nan"),
                cpu_mean=sum(c * n for c, n in zip(cpus, per_doc)) / pages if pages else float("nan"),
                load=(load + os.getloadavg()[0]) / 2,
            )
        )
        r = results[-1]
        print(
            f"{engine:10} {dpi} dpi {degrees:+.1f}° q{quality}: {r['right']}/{r['cells']} cells right "
            f"({100 * r['accuracy']:.2f}%), wrong and unflagged {r['unflagged']}, flagged {r['flagged']}, "
            f"{r['pages']} pages, {r['wall']:.2f} s/page wall, {r['cpu']:.2f} s/page CPU "
            f"(mean {r['cpu_mean']:.2f}), load {r['load']:.1f}",
            flush=True,
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default="rapidocr,tesseract")
    parser.add_argument("--samples", default=os.environ.get("OGI_SAMPLES_DIR", str(ROOT.parent / "shared" / "samples")))
    parser.add_argument("--conditions", type=int, default=2, help="how many of the scan conditions to run (1-4)")
    args = parser.parse_args()
    samples = sorted(Path(args.samples).glob("*.pdf"))
    if not samples:
        sys.exit(f"no sample PDFs in {args.samples}")
    threads, load = os.environ.get("OGI_OCR_THREADS", "1"), os.getloadavg()[0]
    print(f"{len(samples)} sample PDFs; {os.cpu_count()} cores; OGI_OCR_THREADS={threads}; load {load:.1f}")
    table = [r for engine in args.engines.split(",") for r in run(engine, samples, CONDITIONS[: args.conditions])]
    print(
        "\nengine      condition            cells right    accuracy  wrong unflagged  s/page wall  s/page CPU"
        "  (mean)  load"
    )
    for r in table:
        condition = f"{r['dpi']} dpi {r['degrees']:+.1f}° q{r['quality']}"
        print(
            f"{r['engine']:10}  {condition:19}  {r['right']:4}/{r['cells']:<4}    {100 * r['accuracy']:6.2f}%"
            f"  {r['unflagged']:15}  {r['wall']:11.2f}  {r['cpu']:10.2f}  {r['cpu_mean']:6.2f}  {r['load']:4.1f}"
        )
    print(
        f"load average {os.getloadavg()[0]:.1f} at end (the machine is shared: wall time includes waiting for a core)"
    )


if __name__ == "__main__":
    main()
