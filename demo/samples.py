"""Generated reports with known truth: small HTML pages laid out like the real form.

Why: the benchmark needs thousands of documents in the raw store and the tests need
documents whose every number is known. Labels and layout come from the form schema
(``extractors.schema.SCHEMA``), numbers from a seeded generator that keeps the form's
identities (or breaks one on purpose, ``faulty=True``).
"""

from __future__ import annotations

import hashlib
import html
import random
from dataclasses import dataclass, field
from datetime import datetime, timezone

from demo.reports import ReportSpec, report_html
from extractors.model import Cell, Report, ReportMeta, TableInfo
from extractors.schema import SCHEMA
from pipelines.rawstore import FetchRecord

Values = dict[tuple[str, str, str], float]  # (table, row, col) → value


def form_for(year: int) -> str:
    return "2021" if year >= 2021 else "2019"


@dataclass
class SampleReport:
    """One generated report: who, when, its numbers, and its HTML."""

    jurisdiction_code: str
    jurisdiction_name: str
    organ: str
    year: int
    values: Values = field(default_factory=dict)
    faulty: bool = False

    @property
    def form(self) -> str:
        return form_for(self.year)

    @property
    def title(self) -> str:
        return f"{self.organ}{self.year}年政府信息公开工作年度报告"

    def html(self) -> str:
        return render_html(self)


def generate(
    code: str,
    name: str,
    organ: str,
    year: int,
    seed: int | str = 0,
    faulty: bool = False,
    previous: SampleReport | None = None,
) -> SampleReport:
    """A report whose identities hold (``faulty``: requests.balance fails on the total column).

    With ``previous`` (last year's report of the same organ) carried_over continues its carried_forward.
    """
    rng = random.Random(hashlib.sha256(f"{code}|{organ}|{year}|{seed}".encode()).digest())
    report = SampleReport(code, name, organ, year, faulty=faulty)
    form = report.form
    values = report.values
    for row, col in SCHEMA["proactive"].cells_for(form):
        item = SCHEMA["proactive"].col(form, col)
        if item is not None and item.kind in ("decimal", "amount"):
            values[("proactive", row, col)] = round(rng.uniform(0, 2000), 2)
        elif item is not None and item.kind == "signed":
            values[("proactive", row, col)] = rng.randint(-5, 5)
        else:
            values[("proactive", row, col)] = rng.choice((0, 0, rng.randint(1, 40), rng.randint(100, 9000)))
    applicants = [c.key for c in SCHEMA["requests"].cols if c.key != "total"]
    outcomes = SCHEMA["requests"].outcome_rows(form)
    for col in applicants:
        new = (
            rng.choice((0, rng.randint(0, 8), rng.randint(0, 120)))
            if col in ("natural_person", "commercial")
            else rng.randint(0, 2)
        )
        over = int(previous.values[("requests", "carried_forward", col)]) if previous else rng.randint(0, 3)
        processed = rng.randint(max(0, new + over - 3), new + over)
        split = [0] * len(outcomes)
        for _ in range(processed):
            split[min(int(rng.expovariate(0.6)), len(outcomes) - 1)] += 1
        for key, n in zip(outcomes, split):
            values[("requests", key, col)] = n
        values[("requests", "new_received", col)] = new
        values[("requests", "carried_over", col)] = over
        values[("requests", "total_processed", col)] = processed
        values[("requests", "carried_forward", col)] = new + over - processed
    for row in SCHEMA["requests"].rows_for(form):
        values[("requests", row.key, "total")] = sum(values[("requests", row.key, c)] for c in applicants)
    if faulty:
        values[("requests", "carried_forward", "total")] += 1
    for row in SCHEMA["appeals"].rows:
        parts = [rng.choice((0, 0, 0, 1, 2)) for _ in range(4)]
        for col, n in zip(("upheld", "corrected", "other", "pending"), parts):
            values[("appeals", row.key, col)] = n
        values[("appeals", row.key, "total")] = sum(parts)
    return report


def _num(value: float) -> str:
    return f"{value:.2f}" if isinstance(value, float) and not float(value).is_integer() else str(int(value))


def render_html(r: SampleReport) -> str:
    """The report as a government site's article page would show it: the same form layout
    the demo county sites print (``demo.reports``), with this report's numbers."""
    spec = ReportSpec(r.organ, r.year, seed=0)
    for (table, row, col), value in r.values.items():
        spec.values.setdefault(table, {})[f"{row}|{col}"] = value
    return (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{html.escape(r.title)}</title></head>\n'
        f'<body><div class="article">\n{report_html(spec)}\n</div></body></html>\n'
    )


def store_sample(raw, report: SampleReport, source_id: str, url: str, crawl_id: str = "generated") -> str:
    """Put a generated report's HTML into a ``RawStore`` with a manifest record; return its sha256."""
    data = report.html().encode("utf-8")
    sha = raw.put(data)
    raw.record(
        FetchRecord(
            url=url,
            sha256=sha,
            fetched_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            status=200,
            kind="page",
            format="html",
            size=len(data),
            final_url=url,
            source_id=source_id,
            jurisdiction_code=report.jurisdiction_code,
            organ=report.organ,
            report_year=report.year,
            title=report.title,
            published_date=f"{report.year + 1}-01-20",
            content_type="text/html; charset=utf-8",
            change="new",
            crawl_id=crawl_id,
        )
    )
    return sha


def to_report(sample: SampleReport, sha256: str, path: str = ""):
    """The ``Report`` a perfect extractor returns for a sample (for tests that skip extraction)."""
    rep = Report(
        path=path,
        sha256=sha256,
        format="html",
        meta=ReportMeta(
            issuing_body=sample.organ,
            report_year=sample.year,
            year_source="title",
            title=sample.title,
            publisher_kind="government",
            jurisdiction_code=sample.jurisdiction_code,
        ),
        tables={
            t: TableInfo(form_version=sample.form) for t, spec in SCHEMA.tables.items() if sample.form in spec.versions
        },  # only the tables its form prints
        cells=[Cell(t, r, c, v, _num(v), []) for (t, r, c), v in sample.values.items()],
    )
    return rep
