"""How fast ogi extracts, beside what bare text extraction of the same PDFs costs.

    .venv/bin/python benchmarks/extract.py [--repeat 5] [--big-pages 300]

Prints, per format, the median milliseconds per report for a complete extraction
(read, locate, match, check), and for every PDF the median time pypdf needs merely to
extract its text (what a digit-counting parser spends before it starts) and
pypdfium2's raw text extraction (the floor). Then a generated long PDF (the report
followed by hundreds of pages) shows that memory and time stay flat in the page count.
Run on an otherwise idle machine; numbers are medians of --repeat runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractors import extract  # noqa: E402
from extractors.sniff import sniff  # noqa: E402

SAMPLES = Path(os.environ.get("OGI_SAMPLES_DIR") or ROOT.parent / "shared" / "samples")
CORPUS = ROOT / "tests" / "corpus" / "files"
SKIP = {".json", ".md"}


def documents() -> list[Path]:
    found = []
    for folder in (SAMPLES, CORPUS):
        if folder.exists():
            found += [p for p in sorted(folder.iterdir()) if p.is_file() and p.suffix not in SKIP]
    return found


def _cold_conversions(docs: list[Path]) -> list[float]:
    """ms to extract each DOC/WPS with an empty conversion cache (what a new document costs)."""
    import tempfile

    legacy = [p for p in docs if sniff(p.read_bytes(), p.name) in ("doc", "wps")]
    times = []
    previous = os.environ.get("OGI_CACHE_DIR")
    with tempfile.TemporaryDirectory() as cache:
        os.environ["OGI_CACHE_DIR"] = cache
        try:
            for path in legacy:
                times.append(median_ms(lambda: extract(path), 1))
        finally:
            if previous is None:
                os.environ.pop("OGI_CACHE_DIR")
            else:
                os.environ["OGI_CACHE_DIR"] = previous
    return times


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def pypdf_text(path: Path) -> None:
    import pypdf

    reader = pypdf.PdfReader(str(path))
    for page in reader.pages:
        page.extract_text()


def pdfium_text(path: Path) -> None:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    for i in range(len(pdf)):
        page = pdf[i]
        textpage = page.get_textpage()
        textpage.get_text_range()
        textpage.close()
        page.close()
    pdf.close()


def long_pdf(source: Path, pages: int, out: Path) -> Path:
    """The report's pages followed by ``pages`` filler pages (pypdf copies the last one)."""
    import pypdf

    reader = pypdf.PdfReader(str(source))
    writer = pypdf.PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    for _ in range(pages):
        writer.add_page(reader.pages[-1])
    with out.open("wb") as handle:
        writer.write(handle)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--big-pages", type=int, default=300)
    args = parser.parse_args()

    docs = documents()
    cold = _cold_conversions(docs)
    for path in docs:  # warm caches (LibreOffice conversions, imports) outside the timing
        extract(path)
    by_format: dict[str, list[float]] = defaultdict(list)
    pdf_rows = []
    for path in docs:
        fmt = sniff(path.read_bytes(), path.name)
        ours = median_ms(lambda: extract(path), args.repeat)
        by_format[fmt].append(ours)
        if fmt == "pdf" and extract(path).error is None:
            pdf_rows.append(
                (
                    path.name,
                    ours,
                    median_ms(lambda: pypdf_text(path), args.repeat),
                    median_ms(lambda: pdfium_text(path), args.repeat),
                )
            )

    print(f"ogi extract: median ms per report ({args.repeat} runs each)")
    print(f"{'format':8} {'reports':>7} {'median':>9} {'max':>9}")
    for fmt, times in sorted(by_format.items()):
        print(f"{fmt:8} {len(times):7d} {statistics.median(times):9.1f} {max(times):9.1f}")

    if pdf_rows:
        print("\nPDF: complete extraction vs bare text extraction of the same file (median ms)")
        print(f"{'file':44} {'ogi':>8} {'pypdf':>8} {'pdfium':>8} {'ogi/pypdf':>10}")
        for name, ours, pypdf_ms, pdfium_ms in pdf_rows:
            print(f"{name[:44]:44} {ours:8.1f} {pypdf_ms:8.1f} {pdfium_ms:8.1f} {ours / pypdf_ms:10.2f}")
        ratios = [o / p for _, o, p, _ in pdf_rows]
        print(
            f"median ogi/pypdf ratio: {statistics.median(ratios):.2f} "
            f"(ogi {statistics.median(r[1] for r in pdf_rows):.1f} ms, "
            f"pypdf {statistics.median(r[2] for r in pdf_rows):.1f} ms, "
            f"pdfium floor {statistics.median(r[3] for r in pdf_rows):.1f} ms)"
        )

    if cold:
        print(
            "\nDOC/WPS first extraction (LibreOffice conversion, empty cache): "
            f"median {statistics.median(cold):.0f} ms "
            f"over {len(cold)} files; later extractions read the cached conversion (rows above)"
        )

    source = SAMPLES / "huaian-city-2024.pdf"
    if source.exists() and args.big_pages:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            small = Path(tmp) / "small.pdf"
            big = Path(tmp) / "big.pdf"
            long_pdf(source, 0, small)
            long_pdf(source, args.big_pages, big)
            print(f"\nlong PDF: the report + {args.big_pages} extra pages")
            for label, path in (("report only", small), (f"+{args.big_pages} pages", big)):
                ms = median_ms(lambda: extract(path), args.repeat)  # timed without tracemalloc's overhead
                tracemalloc.start()
                extract(path)
                _, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                print(
                    f"  {label:14} {ms:8.1f} ms   peak Python memory {peak / 1e6:6.1f} MB   "
                    f"file {path.stat().st_size / 1e6:5.1f} MB"
                )


if __name__ == "__main__":
    main()
