"""``extract(path) -> Report``: bytes in, canonical cells out, every problem said.

The one entry point the runner (``extractors.runner``, which the CLI and the flows use),
the benchmarks and the tests call. Pure apart from reading the file (and, for DOC/WPS,
the cached LibreOffice conversion). In-process bounds live here (size, a regular file,
a SIGALRM timeout in the main thread); the kernel-enforced ones live in the runner.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat

from extractors import assemble, statistics
from extractors.checks import run_checks
from extractors.classify import classify
from extractors.document import Document
from extractors.metadata import read_metadata
from extractors.model import ExtractError, Problem, Report
from extractors.ocr import CODE as OCR_CODE
from extractors.ocr.flags import flag_cells
from extractors.readers import read_document
from extractors.schema import FORM_VERSIONS, SCHEMA, TABLES, version_for_year
from extractors.sections import PastLastTable, find_regions, uncovered
from extractors.sniff import sniff

MAX_BYTES = int(os.environ.get("OGI_MAX_BYTES", 60 * 1024 * 1024))
TIMEOUT_SECONDS = float(os.environ.get("OGI_EXTRACT_TIMEOUT", 180))  # flows.settings has the same default
MIN_RECOGNISED_ROWS = 3  # fewer rows of the form than this, matched by their labels, is not a report read


class _Timeout(BaseException):
    """Raised by SIGALRM; a BaseException so a reader's ``except Exception`` cannot swallow it."""


def extract(path: str | os.PathLike[str], published_date: str | None = None, *, timeout: float | None = None) -> Report:
    """Read ``path`` (a regular file only, at most ``MAX_BYTES``) and extract it."""
    name = os.fsdecode(path)
    try:
        data = read_regular_file(path)
    except ExtractError as exc:
        return _failed(name, "", "unknown", exc)
    return extract_bytes(data, name=name, published_date=published_date, timeout=timeout)


def read_regular_file(path: str | os.PathLike[str]) -> bytes:
    """The file's bytes, refusing what is not a regular file before reading a byte.

    Why open with O_NONBLOCK and check the open descriptor: ``/dev/zero`` never ends and
    opening a FIFO blocks until a writer comes; checking the name first would race."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except IsADirectoryError as exc:
        raise ExtractError("not_a_regular_file", "a directory, not a file") from exc
    except OSError as exc:
        raise ExtractError("unreadable", f"cannot read the file: {exc.strerror or exc}") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            mode = info.st_mode
            kind = (
                "a directory"
                if stat.S_ISDIR(mode)
                else "a FIFO"
                if stat.S_ISFIFO(mode)
                else "a device"
                if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                else "a socket or special file"
            )
            raise ExtractError("not_a_regular_file", f"{kind}, not a regular file: refused unread")
        if info.st_size > MAX_BYTES:
            raise ExtractError(
                "too_large", f"{info.st_size} bytes is over the {MAX_BYTES}-byte limit (set OGI_MAX_BYTES to raise it)"
            )
        with os.fdopen(fd, "rb", closefd=True) as handle:
            fd = -1
            # one byte past the size seen tells a file that grew; read(MAX_BYTES + 1) would allocate the whole
            # limit (60 MiB) for every small document
            data = handle.read(info.st_size + 1)
    except OSError as exc:
        raise ExtractError("unreadable", f"cannot read the file: {exc.strerror or exc}") from exc
    finally:
        if fd >= 0:
            os.close(fd)
    if len(data) > info.st_size:  # it grew while we read it: its size is unknown, so it is not read
        raise ExtractError("unreadable", "the file grew while it was read; extract it again once it is complete")
    return data


def extract_bytes(
    data: bytes, name: str | None = None, *, published_date: str | None = None, timeout: float | None = None
) -> Report:
    """Extract one document from its bytes; never raises for a bad document.

    ``timeout`` (seconds) bounds the extraction with SIGALRM when called in a process's
    main thread (the runner's workers are); a reader stuck in C code is stopped by the
    runner's kernel limits instead. ``published_date`` (the listing's date) is the year's
    last resort when the document names none."""
    sha = hashlib.sha256(data).hexdigest()
    path = name or f"<bytes {sha[:12]}>"
    if len(data) > MAX_BYTES:
        return _failed(
            path, sha, "unknown", ExtractError("too_large", f"{len(data)} bytes is over the {MAX_BYTES}-byte limit")
        )
    fmt = "unknown"
    try:
        with _alarm(timeout):
            fmt = sniff(data, name)
            doc = read_document(data, fmt, name, stop=PastLastTable())
            report = interpret(doc, published_date)
    except _Timeout:
        return _failed(
            path,
            sha,
            fmt,
            ExtractError(
                "timeout",
                (f"extraction took longer than {timeout:g}s and was stopped (set OGI_EXTRACT_TIMEOUT to allow more)"),
            ),
        )
    except ExtractError as exc:
        return _failed(path, sha, fmt, exc)
    except MemoryError:
        return _failed(
            path, sha, fmt, ExtractError("memory_limit", "extraction ran out of its memory limit and was stopped")
        )
    except Exception as exc:  # a bug must not stop a batch: say what broke, keep going
        message = f"{type(exc).__name__}: {exc} (please report it)"[:500]
        return _failed(path, sha, fmt, ExtractError("extractor_failed", message))
    report.path, report.sha256 = path, sha
    return report


class _alarm:
    """SIGALRM after ``seconds`` in the main thread; a no-op elsewhere or when None."""

    def __init__(self, seconds: float | None):
        import threading

        self.seconds = seconds
        self.active = bool(seconds) and threading.current_thread() is threading.main_thread()

    def __enter__(self) -> None:
        import signal

        if not self.active:
            return

        def _raise(signum, frame):  # noqa: ARG001
            raise _Timeout()

        self.previous = signal.signal(signal.SIGALRM, _raise)
        signal.setitimer(signal.ITIMER_REAL, float(self.seconds))

    def __exit__(self, *exc: object) -> None:
        import signal

        if self.active:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)


def interpret(doc: Document, published_date: str | None = None) -> Report:
    """A document model → a Report: metadata, the three tables, checks, problems."""
    report = Report(path="", sha256="", format=doc.format)
    rows = doc.rows
    first_texts = [r.text for r in rows[:80]]  # the metadata's, the headings' and the classifier's: joined once
    report.meta = read_metadata(first_texts, published_date or doc.published_date, doc.title_hint)
    for code, message, pages in doc.problems:
        report.problems.append(Problem(code, message, pages=pages))
    year = report.meta.report_year
    regions = find_regions(rows)
    leftover = uncovered(rows, regions)

    def region_rows(table: str) -> list:
        return regions[table].rows(rows) if table in regions else leftover

    if statistics.applies(year, regions):  # 2008–2018: the statistics table or sentences, never the 2019+ grid
        results = {statistics.TABLE: statistics.read(rows, year)}
    else:
        results = {
            "proactive": assemble.read_proactive(region_rows("proactive"), year),
            "requests": assemble.read_requests(region_rows("requests"), year),
        }
        hint = next((r.info.form_version for r in results.values() if r.info and r.cells), None)
        results["appeals"] = assemble.read_appeals(region_rows("appeals"), year, hint)
    for table, result in results.items():
        if table not in regions and table != statistics.TABLE:  # the statistics reader reads every row
            # Read from rows outside any section: other tables' rows are not extra rows of this one.
            result.extra_rows = []
            result.problems = [p for p in result.problems if p.code != "unassigned_values"]
        if result.info is not None and result.cells:
            report.tables[table] = result.info
            report.cells.extend(result.cells)
        report.extra_rows.extend(result.extra_rows)
        report.problems.extend(result.problems)
    headings = [doc.title_hint or "", report.meta.title or ""] + [
        text for text in first_texts[:6] if len(text) < 80 and not _SENTENCE.search(text)
    ]
    values = sum(1 for c in report.cells if c.value is not None and "from_text" not in c.flags)
    reason = classify(headings, first_texts[:60], len(report.cells), values)
    if reason is not None:
        title = next((h for h in headings if h.strip()), "(untitled)")
        return _failed(
            "",
            "",
            doc.format,
            ExtractError("not_a_report", f"{NOT_A_REPORT[reason]}, not a report: {title[:80]}", reason=reason),
        )
    recognised = sorted({(c.table, c.row) for c in report.cells if "from_text" not in c.flags})  # labels, not prose
    if 0 < len(recognised) < MIN_RECOGNISED_ROWS and not regions:  # an excerpt keeps its heading or header row
        return _failed(
            "",
            "",
            doc.format,
            ExtractError(
                "unrecognised",
                (
                    f"only {len(recognised)} rows of the form were recognised "
                    f"({', '.join(f'{t}.{r}' for t, r in recognised)}): "
                    f"too few to tell a report from numbers that happen to sit near a label; no cells kept"
                ),
            ),
        )
    _missing_tables(report, regions, doc)
    report.checks = run_checks(report.cells, report.tables)
    ocr_pages = {p for code, _, pages in doc.problems if code == OCR_CODE for p in (pages or [])}
    if ocr_pages:
        flag_cells(report, ocr_pages)
    return report


def _missing_tables(report: Report, regions: dict, doc: Document) -> None:
    no_text = [p for code, _, pages in doc.problems if code == "no_text_layer" for p in (pages or [])]
    printed = {i.form_version for i in report.tables.values()} | {version_for_year(report.meta.report_year)}
    printed = (printed & set(FORM_VERSIONS)) or {FORM_VERSIONS[0]}  # nothing tells: the current form's tables
    for table in TABLES:
        spec = SCHEMA[table]
        if not printed & set(spec.versions):
            continue  # a table the report's form version does not print is not missing
        if table not in report.tables:
            where = (
                "its heading is there but no row of it could be read"
                if table in regions
                else "neither its heading nor its rows were found"
            )
            if no_text:
                where += f"; pages {', '.join(map(str, no_text))} have no text layer"
            elif doc.images and table not in regions:
                where += f"; the page shows {doc.images} images, which may be pictures of the tables"
            year, first = report.meta.report_year, min(SCHEMA.versions.values(), key=lambda v: v.year_start)
            if year is not None and year < first.year_start:
                where += (
                    f"; a {year} report predates the earliest form version ogi knows "
                    f"({first.id}, from {first.year_start}) and is not forced into a later form's grid"
                )
            report.problems.append(Problem("table_missing", f"{spec.section} {spec.title}: {where}", table))
            continue
        version = report.tables[table].form_version
        have = {(c.row, c.col) for c in report.cells if c.table == table}
        expected = spec.cells_for(version) if version in FORM_VERSIONS else spec.common_cells(spec.versions)
        optional = {i.key for i in (*spec.rows, *spec.cols) if i.optional}  # never reported missing
        expected = tuple((r, c) for r, c in expected if r not in optional and c not in optional)
        missing_rows = sorted({r for r, c in expected if (r, c) not in have}, key=[r for r, _ in expected].index)
        if missing_rows:
            total = len({r for r, _ in expected})
            shown = ", ".join(missing_rows[:6]) + (f" … ({len(missing_rows)} rows)" if len(missing_rows) > 6 else "")
            report.problems.append(
                Problem(
                    "table_incomplete",
                    f"{spec.section} {spec.title}: {total - len(missing_rows)} of {total} rows read; missing {shown}",
                    table,
                )
            )


def _failed(path: str, sha: str, fmt: str, exc: ExtractError) -> Report:
    return Report(
        path=path,
        sha256=sha,
        format=fmt,
        error=Problem(exc.code, exc.message, pages=exc.pages, reason=getattr(exc, "reason", None)),
    )


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
