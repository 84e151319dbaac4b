"""``extract(path) -> Report``: bytes in, canonical cells out, every problem said.

The one entry point the CLI, the flows and the tests use. Pure apart from reading the
file (and, for DOC/WPS, the cached LibreOffice conversion).
"""

from __future__ import annotations

import hashlib
import re
import os
from pathlib import Path

from extractors import assemble
from extractors.checks import run_checks
from extractors.document import Document
from extractors.classify import classify
from extractors.metadata import read_metadata
from extractors.model import ExtractError, Problem, Report
from extractors.ocr import CODE as OCR_CODE
from extractors.ocr.flags import flag_cells
from extractors.readers import read_document
from extractors.schema import FORM_VERSIONS, SCHEMA, TABLES
from extractors.sections import PastLastTable, find_regions, uncovered
from extractors.sniff import sniff

MAX_BYTES = int(os.environ.get("OGI_MAX_BYTES", 60 * 1024 * 1024))
TIMEOUT_SECONDS = int(os.environ.get("OGI_EXTRACT_TIMEOUT", 180))


class _Timeout(Exception):
    pass


def extract_with_timeout(path: str | os.PathLike[str], seconds: int = TIMEOUT_SECONDS) -> Report:
    """``extract`` bounded in time (SIGALRM, so only in a process's main thread; batch
    workers are processes): a pathological document yields a ``timeout`` error line
    instead of stalling the run."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGALRM"):
        return extract(path)

    def _raise(signum, frame):  # noqa: ARG001
        raise _Timeout()

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.alarm(seconds)
    try:
        return extract(path)
    except _Timeout:
        return _failed(str(path), "", "unknown", ExtractError(
            "timeout", f"extraction took longer than {seconds}s and was stopped (set OGI_EXTRACT_TIMEOUT to allow more)"))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def extract(path: str | os.PathLike[str], published_date: str | None = None) -> Report:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return _failed(str(path), "", "unknown", ExtractError(
                "too_large", f"{size} bytes is over the {MAX_BYTES}-byte limit (set OGI_MAX_BYTES to raise it)"))
        data = path.read_bytes()
    except OSError as exc:
        return _failed(str(path), "", "unknown", ExtractError("unreadable", f"cannot read the file: {exc}"))
    return extract_bytes(data, name=str(path), published_date=published_date)


def extract_bytes(data: bytes, name: str | None = None, published_date: str | None = None) -> Report:
    sha = hashlib.sha256(data).hexdigest()
    path = name or f"<bytes {sha[:12]}>"
    fmt = sniff(data, name)
    if len(data) > MAX_BYTES:
        return _failed(path, sha, fmt, ExtractError("too_large", f"{len(data)} bytes is over the {MAX_BYTES}-byte limit"))
    try:
        doc = read_document(data, fmt, name, stop=PastLastTable())
        report = interpret(doc, published_date)
    except ExtractError as exc:
        return _failed(path, sha, fmt, exc)
    except Exception as exc:  # a bug must not stop a batch: say what broke, keep going
        return _failed(path, sha, fmt, ExtractError("extractor_failed", f"{type(exc).__name__}: {exc} (please report it)"))
    report.path, report.sha256 = path, sha
    return report


def interpret(doc: Document, published_date: str | None = None) -> Report:
    """A document model → a Report: metadata, the three tables, checks, problems."""
    report = Report(path="", sha256="", format=doc.format)
    rows = doc.rows
    report.meta = read_metadata([r.text for r in rows[:80]], published_date or doc.published_date, doc.title_hint)
    for code, message, pages in doc.problems:
        report.problems.append(Problem(code, message, pages=pages))
    year = report.meta.report_year
    regions = find_regions(rows)
    leftover = uncovered(rows, regions)

    def region_rows(table: str) -> list:
        return regions[table].rows(rows) if table in regions else leftover

    results = {
        "proactive": assemble.read_proactive(region_rows("proactive"), year),
        "requests": assemble.read_requests(region_rows("requests"), year),
    }
    hint = next((r.info.form_version for r in results.values() if r.info and r.cells), None)
    results["appeals"] = assemble.read_appeals(region_rows("appeals"), year, hint)
    for table, result in results.items():
        if table not in regions:
            # Read from rows outside any section: other tables' rows are not extra rows of this one.
            result.extra_rows = []
            result.problems = [p for p in result.problems if p.code != "unassigned_values"]
        if result.info is not None and result.cells:
            report.tables[table] = result.info
            report.cells.extend(result.cells)
        report.extra_rows.extend(result.extra_rows)
        report.problems.extend(result.problems)
    headings = [doc.title_hint or "", report.meta.title or ""] + [
        r.text for r in rows[:6] if len(r.text) < 80 and not _SENTENCE.search(r.text)]
    values = sum(1 for c in report.cells if c.value is not None)
    reason = classify(headings, [r.text for r in rows[:60]], len(report.cells), values)
    if reason is not None:
        title = next((h for h in headings if h.strip()), "(untitled)")
        return _failed("", "", doc.format, ExtractError(
            "not_a_report", f"{NOT_A_REPORT[reason]}, not a report: {title[:80]}", reason=reason))
    _missing_tables(report, regions, doc)
    report.checks = run_checks(report.cells, report.tables)
    ocr_pages = {p for code, _, pages in doc.problems if code == OCR_CODE for p in (pages or [])}
    if ocr_pages:
        flag_cells(report, ocr_pages)
    return report


def _missing_tables(report: Report, regions: dict, doc: Document) -> None:
    no_text = [p for code, _, pages in doc.problems if code == "no_text_layer" for p in (pages or [])]
    for table in TABLES:
        spec = SCHEMA[table]
        if table not in report.tables:
            where = "its heading is there but no row of it could be read" if table in regions else "neither its heading nor its rows were found"
            if no_text:
                where += f"; pages {', '.join(map(str, no_text))} have no text layer"
            elif doc.images and table not in regions:
                where += f"; the page shows {doc.images} images, which may be pictures of the tables"
            year, first = report.meta.report_year, min(SCHEMA.versions.values(), key=lambda v: v.year_start)
            if year is not None and year < first.year_start:
                where += (f"; a {year} report predates the {first.id} form "
                          "(2014–2018 statistics table or free text), "
                          f"which is not forced into the {'/'.join(sorted(FORM_VERSIONS))} grid")
            report.problems.append(Problem("table_missing", f"{spec.section} {spec.title}: {where}", table))
            continue
        version = report.tables[table].form_version
        have = {(c.row, c.col) for c in report.cells if c.table == table}
        expected = spec.cells_for(version) if version in FORM_VERSIONS else spec.common_cells(FORM_VERSIONS)
        missing_rows = sorted({r for r, c in expected if (r, c) not in have}, key=[r for r, _ in expected].index)
        if missing_rows:
            total = len({r for r, _ in expected})
            shown = ", ".join(missing_rows[:6]) + (f" … ({len(missing_rows)} rows)" if len(missing_rows) > 6 else "")
            report.problems.append(Problem(
                "table_incomplete",
                f"{spec.section} {spec.title}: {total - len(missing_rows)} of {total} rows read; missing {shown}", table))


def _failed(path: str, sha: str, fmt: str, exc: ExtractError) -> Report:
    return Report(path=path, sha256=sha, format=fmt,
                  error=Problem(exc.code, exc.message, pages=exc.pages, reason=getattr(exc, "reason", None)))


_SENTENCE = re.compile(r"[。，；：:;,]")  # a line with these is prose, not a heading
NOT_A_REPORT = {
    "notice": "a notice (通知) about the reports",
    "news": "news of a meeting or training about the reports",
    "bulletin": "a bulletin (通报) on publishing or assessing the reports",
    "template": "a blank form template: the form is there but every cell is empty or a placeholder",
    "interpretation": "an interpretation page (解读)",
    "graphic": "a graphic reading aid (图解/一图读懂)",
    "other_report": "another kind of annual report (法治政府建设, 网站年度报表…)",
}
