"""Real Scrapy crawls of the demo county sites on 127.0.0.1 (``demo/``).

One server (all sites, faults included: ``demo_sites`` in conftest) for the module; each crawl runs as
``python -m pipelines.crawl`` in its own process, politeness off (``--fast``). The crawls
build on each other in file order: first crawl → no-change re-crawl → a changed document.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from pipelines.rawstore import RawStore

pytestmark = pytest.mark.slow
GOOD = ("demo-linyou", "demo-qianyang", "demo-fengxian", "demo-fengxiang")
SITE_OF = {
    "demo-linyou": "linyou",
    "demo-qianyang": "qianyang",
    "demo-fengxian": "fengxian",
    "demo-fengxiang": "fengxiang",
}


@pytest.fixture(scope="module")
def demo(demo_sites, tmp_path_factory):
    """The demo sites with this module's data folder, which the crawls share."""
    demo_sites.data = tmp_path_factory.mktemp("crawl") / "data"
    demo_sites.state = {}
    return demo_sites


@pytest.fixture(scope="module")
def crawl(demo, run_module, json_lines):
    """Every demo source crawled into the module's data folder: (JSON lines, run report)."""

    def crawl(*extra: str) -> tuple[list[dict], dict]:
        proc = run_module(
            ["--registry-dir", str(demo.registry), "--data-dir", str(demo.data), "--all", "--fast", "--json", *extra]
        )
        report_path = proc.stderr.strip().splitlines()[-1]
        return json_lines(proc), json.loads(Path(report_path).read_text("utf-8"))

    return crawl


@pytest.fixture(scope="module")
def first(crawl):
    return crawl()


def test_first_crawl_finds_every_report_of_every_family(demo, first):
    lines, report = first
    truth = demo.truth()
    by_url = {l["document_url"]: l for l in lines}
    for sid in GOOD:
        site = truth[SITE_OF[sid]]
        for rep in site["reports"]:
            for doc in rep["documents"]:
                line = by_url.get(doc["url"])
                assert line is not None, f"{sid}: missing {doc['url']} ({rep['title']})"
                assert line["source"] == sid and line["jurisdiction_code"] == site["jurisdiction_code"]
                assert (line["report_year"], line["organ"]) == (rep["year"], rep["organ"]), doc["url"]
                assert line["page_url"] == rep["page_url"] and line["status"] == "new"
                expected = {"wps"} if doc["format"] == "wps" else {doc["format"]}
                if doc["format"] == "wps":
                    expected.add("doc")  # an OLE2 Word file either way: the bytes decide
                assert line["format"] in expected, (doc["url"], line["format"])
                assert len(line["sha256"]) == 64
    expected_docs = sum(len(r["documents"]) for s in GOOD for r in truth[SITE_OF[s]]["reports"])
    assert len([l for l in lines if l["source"] in GOOD]) == expected_docs
    # both form versions and all attachment formats, each from its bytes
    assert {l["format"] for l in lines} >= {"html", "pdf", "docx", "doc", "xls", "xlsx"}
    fx = [l for l in lines if l["document_url"].endswith(".doc") and l["source"] == "demo-fengxiang"]
    assert fx and fx[0]["format"] == "docx"  # a DOCX linked as .doc
    for sid in GOOD:
        entry = report["sources"][sid]
        years = Counter(r["year"] for r in truth[SITE_OF[sid]]["reports"])
        assert entry["reports_by_year"] == {str(y): n for y, n in sorted(years.items())}
        assert entry["documents"]["new"] == sum(len(r["documents"]) for r in truth[SITE_OF[sid]]["reports"])
        assert entry["errors"] == {} and entry["warnings"] == []


def test_inline_page_and_attachments_share_the_page_url(first):
    lines, _ = first
    pages = {l["page_url"] for l in lines if l["format"] == "html" and l["document_url"] == l["page_url"]}
    attachments = [l for l in lines if l["document_url"] != l["page_url"]]
    assert attachments and all(a["page_url"] in pages for a in attachments)
    keys = {
        "source",
        "jurisdiction_code",
        "organ",
        "report_year",
        "title",
        "page_url",
        "document_url",
        "format",
        "sha256",
        "status",
        "year_source",
        "not_a_report",
        "flags",
        "duplicate_of",
    }
    assert all(set(l) == keys for l in lines)


def test_provenance_in_the_raw_store(demo, first):
    store = RawStore(demo.data / "raw")
    docs = {r.url: r for r in store.documents()}
    base = demo.base_url("linyou")
    # the county government's 2024 PDF (fetch order varies between runs: pick it by what it is)
    pdf = next(
        r
        for u, r in docs.items()
        if u.startswith(base)
        and "downfile.jsp" in u
        and r.format == "pdf"
        and r.report_year == 2024
        and r.organ == "麟游县人民政府"
    )
    assert pdf.final_url.startswith(base + "/picture/0/") and pdf.status == 200  # the 302 was followed
    assert pdf.etag and pdf.last_modified and pdf.content_type == "application/pdf"
    assert pdf.listing_url == base + "/col/col1234/index.html" and pdf.link_text.endswith(".pdf")
    assert pdf.source_id == "demo-linyou" and pdf.jurisdiction_code == "610329" and pdf.kind == "attachment"
    assert store.get(pdf.sha256)[:5] == b"%PDF-" and pdf.size == len(store.get(pdf.sha256))
    page = docs[pdf.page_url]
    assert page.kind == "page" and page.published_date == "2025-01-10" and page.fetched_at
    assert page.title == "麟游县人民政府2024年政府信息公开工作年度报告"
    # extraction can re-run from the store alone: every current document has its bytes
    assert all(store.has(r.sha256) for r in docs.values())
    store.close()


def test_gbk_pages_decoded_despite_a_lying_header(demo, first):
    lines, _ = first
    qy = [l for l in lines if l["source"] == "demo-qianyang"]
    assert {l["organ"] for l in qy} == {"千阳县人民政府", "千阳县卫生健康局", "千阳县城关镇人民政府"}
    store = RawStore(demo.data / "raw")
    page = next(r for r in store.documents() if r.source_id == "demo-qianyang" and r.kind == "page")
    assert "charset=utf-8" in page.content_type  # what the server claimed
    raw = store.get(page.sha256)
    assert "王堃" in raw.decode("gb18030") and page.title in raw.decode("gb18030")
    store.close()


def test_skips_interpretations_mirrors_and_robots_disallowed(demo, first):
    lines, report = first
    truth = demo.truth()
    urls = {l["document_url"] for l in lines}
    for name in ("linyou", "qianyang", "fengxian"):
        for kind, skipped in truth[name]["skipped"].items():
            assert not set(skipped) & urls, (name, kind)
    assert demo.hits_for("mirror") == 0  # off-site links are never requested
    assert demo.hits_for("linyou", "/internal/") == 0  # Disallow: /internal/
    assert demo.hits_for("linyou", "/robots.txt") >= 1
    for path in truth["linyou"]["skipped"]["interpretation"]:
        assert demo.hits_for("linyou", path.split(str(demo.ports["linyou"]))[-1]) == 0
    skipped = report["sources"]["demo-linyou"]["skipped"]
    assert skipped["robots"] == 1 and skipped["offsite"] == 1 and skipped["interpretation"] == 2


def test_each_fault_is_recorded_for_its_source(first):
    _, report = first
    src = report["sources"]
    expected = {
        "fault-waf": "waf_challenge",
        "fault-err500": "http_5xx",
        "fault-slow": "timeout",
        "fault-loop": "redirect_loop",
        "fault-truncated": "truncated",
        "fault-endless": "endless_pagination",
        "fault-missing": "http_404",
        "fault-down": "site_down",
    }
    for sid, kind in expected.items():
        assert src[sid]["errors"].get(kind, 0) >= 1, (sid, src[sid]["errors"])
    for sid in ("fault-waf", "fault-err500", "fault-slow", "fault-loop", "fault-missing", "fault-down"):
        assert src[sid]["reports_found"] == 0 and any("no reports" in w for w in src[sid]["warnings"])
    # the truncated site still yields its report page; the endless one its report
    assert src["fault-truncated"]["documents"]["new"] == 1 and src["fault-endless"]["documents"]["new"] == 2
    assert src["fault-flaky"]["errors"] == {} and src["fault-flaky"]["documents"]["new"] == 2  # a 503, then retried
    assert report["totals"]["sources"] == len(src) and set(report["totals"]["sources_with_errors"]) >= set(expected)
    assert src["demo-linyou"]["requests_by_role"]["robots"] == 1


def test_second_crawl_downloads_nothing_and_reports_all_unchanged(demo, first, crawl):
    lines1, _ = first
    doc_hits = {name: demo.hits_for(name, "/picture/") + demo.hits_for(name, "/art/") for name in ("linyou",)}
    lines, report = crawl()
    demo.state["second"] = report
    good = [l for l in lines if l["source"] in GOOD]
    assert len(good) == len([l for l in lines1 if l["source"] in GOOD])
    assert {l["status"] for l in good} == {"unchanged"}
    for sid in GOOD:
        entry = report["sources"][sid]
        assert entry["documents_downloaded"] == 0 and entry["documents"]["new"] == 0
        assert set(entry["requests_by_role"]) <= {"robots", "home", "hub", "listing"}  # listing pages only
        assert entry["warnings"] == []
    assert demo.hits_for("linyou", "/picture/") + demo.hits_for("linyou", "/art/") == doc_hits["linyou"]
    # the truncated attachment failed last time: it is tried again, not forgotten
    assert report["sources"]["fault-truncated"]["errors"].get("truncated") == 1


def test_changed_document_is_reported_changed(demo, first, crawl):
    truth = demo.truth()
    page = next(r for r in truth["linyou"]["reports"] if r["year"] == 2022 and r["organ"] == "麟游县人民政府")
    path = page["page_path"]
    body = demo.sites["linyou"].files[path].body
    demo.replace("linyou", path, body.replace("</body>".encode(), "<p>更正：修订了第三部分。</p></body>".encode()))
    pdf_path = next(d["path"] for r in truth["qianyang"]["reports"] for d in r["documents"] if d["format"] == "pdf")
    pdf = demo.sites["qianyang"].files[pdf_path].body
    demo.replace("qianyang", pdf_path, pdf + b"\n% revised\n%%EOF\n")
    lines, report = crawl("--refresh", "revalidate")
    status = {l["document_url"]: l["status"] for l in lines}
    assert status[page["page_url"]] == "changed"
    assert status[demo.base_url("qianyang") + pdf_path] == "changed"
    changed = [u for u, s in status.items() if s == "changed"]
    assert len(changed) == 2, changed
    assert report["sources"]["demo-linyou"]["documents"] == {"new": 0, "changed": 1, "unchanged": 19}
    # conditional GETs: the server answered 304 for what it still had
    assert report["sources"]["demo-linyou"]["responses_by_status"].get("304", 0) >= 18
    assert report["sources"]["demo-linyou"]["documents_downloaded"] == 1
    store = RawStore(demo.data / "raw")
    versions = [r for r in store.fetches() if r.url == page["page_url"] and r.sha256]
    assert len({v.sha256 for v in versions}) == 2  # both versions kept
    store.close()


def test_ogi_crawl_json_lines(demo, tmp_path, run_module, json_lines):
    proc = run_module(
        [
            "crawl",
            "--registry-dir",
            str(demo.registry),
            "--data-dir",
            str(tmp_path),
            "--source",
            "demo-fengxiang",
            "--fast",
            "--json",
        ],
        module="flows.cli",
    )
    lines = json_lines(proc)
    truth = demo.truth()["fengxiang"]
    assert len(lines) == sum(len(r["documents"]) for r in truth["reports"])
    assert all(l["source"] == "demo-fengxiang" and l["status"] == "new" for l in lines)
    assert {l["report_year"] for l in lines} == set(range(2019, 2025))
    assert {l["organ"] for l in lines} == {"凤翔县人民政府", "宝鸡市凤翔区人民政府"}
    assert list((tmp_path / "runs").glob("crawl-*.json"))


def test_ogi_crawl_url_for_a_site_not_in_the_registry(demo, tmp_path, run_module, json_lines):
    url = demo.base_url("qianyang") + "/"
    host = url.split("/")[2]  # --allow-host: also lets the crawler reach this loopback port
    proc = run_module(
        [
            "crawl",
            "--url",
            url,
            "--jurisdiction",
            "610328",
            "--data-dir",
            str(tmp_path),
            "--fast",
            "--json",
            "--allow-host",
            host,
        ],
        module="flows.cli",
    )
    lines = json_lines(proc)
    truth = demo.truth()["qianyang"]
    assert {l["document_url"] for l in lines} == {d["url"] for r in truth["reports"] for d in r["documents"]}
    assert {l["jurisdiction_code"] for l in lines} == {"610328"}
    assert lines[0]["source"].startswith("url-127-0-0-1")


def test_crawled_documents_extract_to_the_sites_truth(demo, first):
    """End to end: what the spider stored is what the extractor reads back (one per format)."""
    import extractors

    truth = demo.truth()
    store = RawStore(demo.data / "raw")
    current = {r.url: r for r in store.documents()}
    checked = set()
    for name in ("linyou", "qianyang", "fengxiang"):
        for rep in truth[name]["reports"]:
            for doc in rep["documents"]:
                if doc["format"] in checked or (doc["format"] == "html" and not rep["inline"]):
                    continue
                rec = current[doc["url"]]
                report = extractors.extract(str(store.path(rec.sha256)))
                for key, value in list(rep["values"]["requests"].items())[::9]:
                    row, col = key.split("|")
                    assert report.value("requests", row, col) == value, (doc["url"], key)
                checked.add(doc["format"])
    store.close()
    assert checked >= {"html", "pdf", "docx", "doc", "xls"}
