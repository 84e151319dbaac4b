"""How a crawl of the simulation did, against the generator's truth: recall, precision, attribution.

A crawl's output is its ``ogi crawl --json`` lines (one per document). A found report is a
page the crawl kept as a page, or a file it took straight from a listing; attachments of a
kept page belong to that page. Lines marked ``not_a_report`` (the crawl's content check) or
``duplicate_of`` (the same bytes under a second URL) are not counted as reports. A found
"report" that is no report of the truth is a false positive, named by the distractor it is
(notice, news, template…) or ``unknown``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from demo.national.counties import County


def found_reports(lines: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Report key (page URL, or file URL when linked from a listing) -> its first document line."""
    lines = [ln for ln in lines if not ln.get("not_a_report") and not ln.get("duplicate_of")]
    pages = {ln["document_url"] for ln in lines if ln.get("document_url") == ln.get("page_url")}
    out: dict[str, dict[str, Any]] = {}
    for ln in lines:
        url, page = ln.get("document_url"), ln.get("page_url")
        key = page if page in pages else url
        if url == key or key not in out:  # a page's own line wins over its attachments'
            out[key] = ln
    return out


@dataclass
class FamilyScore:
    truth: int = 0
    found: int = 0
    hit: int = 0
    organ_ok: int = 0
    year_ok: int = 0
    false_by_kind: Counter = field(default_factory=Counter)

    @property
    def recall(self) -> float:
        return self.hit / self.truth if self.truth else 1.0

    @property
    def precision(self) -> float:
        return self.hit / self.found if self.found else 1.0

    @property
    def false_positives(self) -> int:
        return sum(self.false_by_kind.values())


def same_organ(found: str | None, truth: str, county: str) -> bool:
    """The same organ however named: 某县某镇人民政府 = 某镇; 某县民政局 = 县民政局; 某县人民政府 = 某县."""

    def core(name: str) -> str:
        name = name.removeprefix(county).removesuffix("人民政府")
        return name[1:] if len(name) > 2 and name[0] == county[-1] else name

    return bool(found) and core(found) == core(truth)


def _groups(report: dict[str, Any]) -> list[str]:
    """The score groups a true report counts in: its family, ``all``, and the hard cases it is."""
    return (
        [report["family"], "all"]
        + ["cut-short title"] * report["cut_short"]
        + ["title without organ"] * (not report["organ_in_title"])
    )


def score(counties: list[County], lines: Iterable[dict[str, Any]]) -> dict[str, FamilyScore]:
    """Scores by family, plus ``all`` and the hard cases (``cut-short title``, ``title without organ``)."""
    found = found_reports(lines)
    family_of_host = {h: c.family for c in counties for h in c.hosts}
    county_of_host = {h: c.name for c in counties for h in c.hosts}
    truth = {r["url"]: r for c in counties for r in c.reports()}
    wrong = {d["url"]: d["kind"] for c in counties for d in c.distractors()}
    scores: dict[str, FamilyScore] = defaultdict(FamilyScore)
    for r in truth.values():
        for group in _groups(r):
            scores[group].truth += 1
    for key, ln in found.items():
        host = key.split("/")[2] if "://" in key else ""
        fam = family_of_host.get(host, "offsite")
        for f in _groups(truth[key]) if key in truth else (fam, "all"):
            s = scores[f]
            s.found += 1
            if key in truth:
                s.hit += 1
                s.organ_ok += same_organ(ln.get("organ"), truth[key]["organ"], county_of_host[host])
                s.year_ok += ln.get("report_year") == truth[key]["year"]
            else:
                s.false_by_kind[wrong.get(key, "unknown")] += 1
    return dict(scores)


def missed(counties: list[County], lines: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The truth's reports the crawl did not find (for a look at why)."""
    found = found_reports(lines)
    return [r for c in counties for r in c.reports() if r["url"] not in found]
