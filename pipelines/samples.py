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

from extractors.schema import SCHEMA

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


def generate(code: str, name: str, organ: str, year: int, seed: int | str = 0, faulty: bool = False,
             previous: SampleReport | None = None) -> SampleReport:
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
        new = rng.choice((0, rng.randint(0, 8), rng.randint(0, 120))) if col in ("natural_person", "commercial") else rng.randint(0, 2)
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


def _td(text: str, rowspan: int = 1, colspan: int = 1) -> str:
    span = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")
    return f"<td{span}>{html.escape(text)}</td>"


def _proactive(r: SampleReport) -> str:
    out = []
    for group in SCHEMA["proactive"].groups_for(r.form):
        width = len(group.cols) + 1
        out.append("<table border=\"1\">")
        out.append(f"<tr>{_td(group.caption, colspan=width)}</tr>")
        out.append("<tr>" + _td("信息内容") + "".join(_td(c.label) for c in group.cols) + "</tr>")
        for row in group.rows:
            cells = "".join(_td(_num(r.values[("proactive", row.key, c.key)])) for c in group.cols)
            out.append(f"<tr>{_td(row.label)}{cells}</tr>")
        out.append("</table>")
    return "\n".join(out)


def _requests(r: SampleReport) -> str:
    spec = SCHEMA["requests"]
    cols = spec.cols
    org = [c for c in cols if c.group]
    rows = spec.rows_for(r.form)
    out = ['<table border="1">',
           "<tr>" + _td("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", rowspan=3, colspan=3)
           + _td("申请人情况", colspan=len(cols)) + "</tr>",
           "<tr>" + _td(cols[0].label, rowspan=2) + _td(org[0].group or "", colspan=len(org)) + _td(cols[-1].label, rowspan=2) + "</tr>",
           "<tr>" + "".join(_td(c.label) for c in org) + "</tr>"]
    result_rows = [row for row in rows if row.group and row.key != "carried_forward"]
    top = result_rows[0].group if result_rows else ""
    sub_counts: dict[str, int] = {}
    for row in result_rows:
        if row.group != top:
            sub_counts[row.group or ""] = sub_counts.get(row.group or "", 0) + 1
    first_result = True
    seen_sub: set[str] = set()
    for row in rows:
        cells = "".join(_td(_num(r.values[("requests", row.key, c.key)])) for c in cols)
        if not row.group:
            out.append(f"<tr>{_td(row.label, colspan=3)}{cells}</tr>")
            continue
        lead = _td(top, rowspan=len(result_rows)) if first_result else ""
        first_result = False
        if row.group == top:
            out.append(f"<tr>{lead}{_td(row.label, colspan=2)}{cells}</tr>")
        else:
            sub = "" if row.group in seen_sub else _td(row.group or "", rowspan=sub_counts[row.group or ""])
            seen_sub.add(row.group or "")
            out.append(f"<tr>{lead}{sub}{_td(row.label)}{cells}</tr>")
    out.append("</table>")
    return "\n".join(out)


def _appeals(r: SampleReport) -> str:
    spec = SCHEMA["appeals"]
    review, *litigation = spec.rows
    cols = spec.cols
    out = ['<table border="1">',
           "<tr>" + _td(review.label, colspan=len(cols)) + _td(litigation[0].group or "", colspan=len(cols) * len(litigation)) + "</tr>",
           "<tr>" + "".join(_td(c.label, rowspan=2) for c in cols) + "".join(_td(row.label, colspan=len(cols)) for row in litigation) + "</tr>",
           "<tr>" + "".join(_td(c.label) for _ in litigation for c in cols) + "</tr>",
           "<tr>" + "".join(_td(_num(r.values[("appeals", row.key, c.key)])) for row in spec.rows for c in cols) + "</tr>",
           "</table>"]
    return "\n".join(out)


def render_html(r: SampleReport) -> str:
    """The report as a government site's article page would show it."""
    s = {k: v.title for k, v in SCHEMA.tables.items()}
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{html.escape(r.title)}</title></head>
<body><div class="article">
<h1>{html.escape(r.title)}</h1>
<p>本报告根据《中华人民共和国政府信息公开条例》编制，数据统计时限为{r.year}年1月1日至12月31日。</p>
<h2>一、总体情况</h2>
<p>{r.year}年，{html.escape(r.organ)}认真贯彻落实政务公开工作部署，依法做好政府信息公开工作。</p>
<h2>二、{s["proactive"]}</h2>
{_proactive(r)}
<h2>三、{s["requests"]}</h2>
{_requests(r)}
<h2>四、{s["appeals"]}</h2>
{_appeals(r)}
<h2>五、存在的主要问题及改进情况</h2>
<p>公开内容的规范性有待提高，下一步将加强培训。</p>
<h2>六、其他需要报告的事项</h2>
<p>本年度未收取信息处理费。</p>
</div></body></html>
"""


def store_sample(raw, report: SampleReport, source_id: str, url: str, crawl_id: str = "generated") -> str:
    """Put a generated report's HTML into a ``RawStore`` with a manifest record; return its sha256."""
    from pipelines.rawstore import FetchRecord

    data = report.html().encode("utf-8")
    sha = raw.put(data)
    raw.record(
        FetchRecord(
            url=url, sha256=sha, fetched_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            status=200, kind="page", format="html", size=len(data), final_url=url, source_id=source_id,
            jurisdiction_code=report.jurisdiction_code, organ=report.organ, report_year=report.year,
            title=report.title, published_date=f"{report.year + 1}-01-20", content_type="text/html; charset=utf-8",
            change="new", crawl_id=crawl_id,
        )
    )
    return sha


def to_report(sample: SampleReport, sha256: str, path: str = ""):
    """The ``Report`` a perfect extractor returns for a sample (for tests that skip extraction)."""
    from extractors.model import Cell, Report, ReportMeta, TableInfo

    rep = Report(
        path=path, sha256=sha256, format="html",
        meta=ReportMeta(issuing_body=sample.organ, report_year=sample.year, year_source="title",
                        title=sample.title, publisher_kind="government", jurisdiction_code=sample.jurisdiction_code),
        tables={t: TableInfo(form_version=sample.form) for t in SCHEMA.tables},
        cells=[Cell(t, r, c, v, _num(v), []) for (t, r, c), v in sample.values.items()],
    )
    return rep
