"""A 10-county national simulation (``demo.national``) crawled end to end through its forward proxy.

The seven CMS families appear once each in the first seven counties; the generator's truth
(every report's URL, organ and year, every distractor) is what the crawl is scored against,
and the server counts robots-disallowed, trap and off-site requests.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from demo.national import NationalServer, generate
from demo.national.counties import FAMILIES
from demo.national.run import crawl
from demo.national.score import score

pytestmark = pytest.mark.slow


def test_generator_is_deterministic_and_covers_every_family() -> None:
    a, b = generate(10, seed=3), generate(10, seed=3)
    assert [c.reports() for c in a] == [c.reports() for c in b]
    assert {c.family for c in a} == set(FAMILIES)
    kinds = {d["kind"] for c in a for d in c.distractors()}
    assert kinds == {"notice", "news", "bulletin", "template", "interpretation", "graphic", "other_report"}
    fallback = generate(3, seed=3, use_registry=False)
    assert all(c.host == f"www.x{c.code}.gov.cn" for c in fallback)


@pytest.fixture(scope="module")
def simulation():
    counties = generate(10, seed=1)
    with NationalServer(counties) as server, tempfile.TemporaryDirectory(prefix="ogi-national-test-") as tmp:
        registry = server.write_registry(Path(tmp) / "sources")
        run = crawl(registry, Path(tmp) / "data", server.proxy)
        counters = server.counters()
        nightly = crawl(registry, Path(tmp) / "data", server.proxy)
        yield counties, run, counters, nightly


def test_crawl_stays_polite_and_on_site(simulation) -> None:
    counties, run, counters, _ = simulation
    assert counters["requests"] > 10 * 10  # the crawl did reach every county through the proxy
    assert set(counters["requests_by_host"]) >= {c.host for c in counties}
    assert counters["disallowed"] == 0
    assert counters["offsite"] == 0
    assert counters["max_trap_per_host"] <= 20


def test_every_family_finds_its_reports(simulation) -> None:
    """Every family, recognised from the sites themselves, finds ≥ 99.5% of its reports."""
    counties, run, _, _ = simulation
    scores = score(counties, run.lines)
    for family in FAMILIES:
        s = scores[family]
        assert s.truth > 0
        assert s.recall >= 0.995, (family, s.hit, s.truth)
    assert scores["all"].organ_ok == scores["all"].hit


def test_every_report_has_its_year(simulation) -> None:
    counties, run, _, _ = simulation
    s = score(counties, run.lines)["all"]
    assert s.year_ok == s.hit


def test_no_non_report_counted(simulation) -> None:
    """Every distractor is recognised by its content at crawl time: precision 100%, each with its reason."""
    counties, run, _, _ = simulation
    scores = score(counties, run.lines)
    assert scores["all"].false_positives == 0, dict(scores["all"].false_by_kind)
    assert scores["all"].precision == 1.0
    wrong = {d["url"]: d["kind"] for c in counties for d in c.distractors()}
    marked = {ln["document_url"]: ln["not_a_report"] for ln in run.lines if ln["not_a_report"]}
    listed = {u: k for u, k in wrong.items() if u in marked}
    assert listed and all(marked[u] == k for u, k in listed.items()), {u: (k, marked[u]) for u, k in listed.items()}
    totals = run.report["totals"]
    assert totals["reports_found"] == scores["all"].hit


def test_no_change_recrawl_reuses_every_verdict(simulation) -> None:
    """The second crawl classifies nothing (the verdicts kept with the bytes) and counts the same."""
    counties, run, _, nightly = simulation
    assert run.report["totals"]["reports_found"] > 0
    first = {s: e["classified"] for s, e in run.report["sources"].items()}
    assert sum(first.values()) > 0
    assert all(e["classified"] == 0 for e in nightly.report["sources"].values())
    assert nightly.report["totals"]["reports_found"] == run.report["totals"]["reports_found"]
    assert score(counties, nightly.lines)["all"].false_positives == 0
    key = lambda ln: (ln["document_url"], ln["not_a_report"], ln["report_year"])  # noqa: E731
    assert sorted(map(key, nightly.lines)) == sorted(map(key, run.lines))
