"""Small pieces of the spiders: registry, sniffing, charsets, titles, refresh policy, settings."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import pytest

from pipelines.rawstore import FetchRecord, RawStore
from spiders.incremental import Planner, RefreshPolicy
from spiders.registry import RegistryError, adhoc_source, is_government_host, load_registry, parse_entry
from spiders.sniff import OLE2_MAGIC, detect_encoding, file_name, sniff_format
from spiders.titles import find_date, is_report_title, parse_title


# ---------------------------------------------------------------------------- registry
def test_shipped_registry_loads_and_is_government_only():
    registry = load_registry()
    linyou = registry["linyou"]
    assert linyou.jurisdiction_code == "610329" and linyou.cms == "hanweb" and not linyou.confirmed
    assert linyou.allows("http://www.linyou.gov.cn/col/col1/index.html")
    assert not linyou.allows("http://www.linyou-gov.cn.mirror.com/x")
    assert linyou.allows("http://xxgk.linyou.gov.cn/col/col2/index.html")  # the county's own sub-domain
    assert not linyou.allows("http://www.baoji.gov.cn/") and not linyou.allows("http://linyou.gov.cn.evil.com/")
    assert all(h.endswith(".gov.cn") for s in registry.values() for h in s.allowed_hosts)
    assert not any(s.id.startswith(("demo-", "fault-")) for s in registry.values())  # the demo's entries never are
    assert registry["fengxiang"].jurisdiction_code == "610305"


def test_registry_rejects_mirrors_and_bad_entries():
    with pytest.raises(RegistryError, match="not a government host"):
        parse_entry({"id": "spam", "homepage": "http://www.linyou-gov.cn.mirror.example.com/"})
    with pytest.raises(RegistryError, match="six digits"):
        parse_entry({"id": "x", "homepage": "http://www.x.gov.cn/", "jurisdiction_code": "6103"})
    with pytest.raises(RegistryError, match="allowed hosts"):
        parse_entry({"id": "x", "homepage": "http://www.x.gov.cn/", "columns": ["http://elsewhere.gov.cn/c"]})
    with pytest.raises(RegistryError, match="not a government host"):  # loopback only where a registry lists it
        parse_entry({"id": "x", "homepage": "http://127.0.0.1:8000/"})
    ip = parse_entry(
        {"id": "stats", "homepage": "http://61.150.65.235/tjj/"}, government_ips=frozenset({"61.150.65.235"})
    )
    assert ip.allowed_hosts == ("61.150.65.235",)
    assert is_government_host("www.gov.cn") and not is_government_host("gov.cn.example.com")
    with pytest.raises(RegistryError, match="cms must be one of"):  # only registered CMS families
        parse_entry({"id": "x", "homepage": "http://www.x.gov.cn/", "cms": "hanweb"}, known_families=("trs",))
    with pytest.raises(RegistryError, match="cms must be one of"):
        parse_entry({"id": "x", "homepage": "http://www.x.gov.cn/", "cms": "wordpress"})


def test_demo_templates_fill_ports(tmp_path):
    from demo.registry import demo_sources

    sources = demo_sources({"linyou": 8001, "qianyang": 8002, "fengxian": 8003, "fengxiang": 8004}, out_dir=tmp_path)
    assert sorted(sources) == ["demo-fengxian", "demo-fengxiang", "demo-linyou", "demo-qianyang"]
    assert sources["demo-fengxiang"].columns == ("http://127.0.0.1:8004/zwgk/ndbg/index.html",)
    assert sources["demo-linyou"].allowed_hosts == ("127.0.0.1:8001",)
    assert sources["demo-linyou"].allows("http://127.0.0.1:8001/a") and not sources["demo-linyou"].allows(
        "http://127.0.0.1:8002/a"
    )


def test_adhoc_source_for_url():
    src = adhoc_source("http://www.qianyang.gov.cn/zwgk/", "610328")
    assert src.id == "url-www-qianyang-gov-cn" and src.jurisdiction_code == "610328"
    assert src.allowed_hosts == ("www.qianyang.gov.cn",)


# ---------------------------------------------------------------------------- bytes
def test_formats_come_from_the_bytes():
    from docx import Document
    from openpyxl import Workbook

    buf = io.BytesIO()
    Document().save(buf)
    docx = buf.getvalue()
    buf = io.BytesIO()
    Workbook().save(buf)
    xlsx = buf.getvalue()
    word_ole = OLE2_MAGIC + b"\0" * 100 + "WordDocument".encode("utf-16-le")
    excel_ole = OLE2_MAGIC + b"\0" * 100 + "Workbook".encode("utf-16-le")
    assert sniff_format(b"%PDF-1.7\n...", "report.doc") == "pdf"
    assert sniff_format(docx, "report.doc") == "docx"
    assert sniff_format(xlsx, "a.xls") == "xlsx"
    assert sniff_format(word_ole, "a.wps") == "wps" and sniff_format(word_ole, "a.doc") == "doc"
    assert sniff_format(excel_ole, "a.doc") == "xls"
    assert sniff_format(b"<!DOCTYPE html><html><body>x</body></html>", "a.pdf") == "html"
    assert file_name("http://x/module/download/downfile.jsp?classid=0&filename=abc.pdf") == "abc.pdf"
    assert file_name("http://x/a", 'attachment; filename="b.wps"') == "b.wps"


def test_charset_from_the_bytes_not_the_header():
    gbk = "<html><meta charset='gb2312'>千阳县人民政府 王堃</html>".encode("gb18030")
    assert detect_encoding(gbk, "text/html; charset=utf-8") == "gb18030"  # the header lies
    assert detect_encoding(gbk, "text/html") == "gb18030"
    utf8 = "<html><meta charset='gbk'>麟游县人民政府</html>".encode("utf-8")
    assert detect_encoding(utf8, "text/html; charset=GBK") == "utf-8"  # the meta lies
    assert detect_encoding(b"<html>ascii</html>", "text/html; charset=gbk") == "gb18030"


# ---------------------------------------------------------------------------- titles
@pytest.mark.parametrize(
    "title,body,year",
    [
        ("麟游县人民政府2024年政府信息公开工作年度报告", "麟游县人民政府", 2024),
        ("麟游县人民政府\n2024年政府信息公开工作年度报告", "麟游县人民政府", 2024),
        ("千阳县卫生健康局2023年度政府信息公开工作年度报告", "千阳县卫生健康局", 2023),
        ("2022年上海市政府信息公开工作年度报告", "上海市", 2022),
    ],
)
def test_titles(title, body, year):
    assert parse_title(title) == (body, year)
    assert is_report_title(title)


def test_dates():
    assert find_date("[2025-1-20]") == "2025-01-20" and find_date("发布时间：2024年03月02日") == "2024-03-02"
    assert find_date("no date") is None


# ---------------------------------------------------------------------------- refresh policy
def test_refresh_policy(tmp_path):
    now = datetime(2025, 3, 1, tzinfo=timezone.utc)
    with RawStore(tmp_path) as store:
        sha = store.put(b"x")
        store.record(
            FetchRecord(
                url="fresh",
                sha256=sha,
                fetched_at=(now - timedelta(days=2)).isoformat(),
                status=200,
                etag='"e"',
                last_modified="Mon, 20 Jan 2025 08:00:00 GMT",
                published_date="2025-01-20",
            )
        )
        store.record(
            FetchRecord(
                url="stale", sha256=sha, fetched_at=(now - timedelta(days=90)).isoformat(), status=200, etag='"e"'
            )
        )
        skip = Planner(store, RefreshPolicy("skip", 30), now=now)
        assert skip.plan("unknown").fetch and not skip.plan("unknown").headers
        assert not skip.plan("fresh").fetch
        assert skip.plan("fresh", published_date="2025-02-01").fetch  # republished on the listing
        stale = skip.plan("stale")
        assert stale.fetch and stale.headers == {"If-None-Match": '"e"'}
        both = Planner(store, RefreshPolicy("revalidate"), now=now).plan("fresh")
        assert both.headers == {"If-None-Match": '"e"', "If-Modified-Since": "Mon, 20 Jan 2025 08:00:00 GMT"}
        assert Planner(store, RefreshPolicy("refetch"), now=now).plan("fresh").headers == {}
    with pytest.raises(ValueError):
        RefreshPolicy("sometimes")


def test_refresh_middleware_answers_a_known_page_from_the_manifest(tmp_path):
    """The spider never reads the store: the middleware hands it the prior fetch in ``meta``."""
    from scrapy.http import Request

    from pipelines.refresh import RawStoreHistory
    from spiders.incremental import RefreshMiddleware
    from spiders.items import DocumentItem, now_iso
    from spiders.report_spider import ReportSpider

    page, pdf = "http://www.a.gov.cn/art/1.html", "http://www.a.gov.cn/P01.pdf"
    with RawStore(tmp_path) as store:
        sha = store.put(b"<html>report</html>")
        store.record(
            FetchRecord(
                url=page,
                sha256=sha,
                fetched_at=now_iso(),
                status=200,
                kind="page",
                format="html",
                report_year=2024,
                etag='"e"',
                source_id="a",
            )
        )
        store.record(
            FetchRecord(
                url=pdf, sha256=None, fetched_at=now_iso(), status=0, page_url=page, headers={"error": "truncated"}
            )
        )
        src = parse_entry({"id": "a", "homepage": "http://www.a.gov.cn/"})
        spider = ReportSpider(sources=[src])
        (request,) = spider._page_request(page, src, {"title": "a 2024年报", "report_year": None})
        fresh = RefreshMiddleware(RawStoreHistory(store), RefreshPolicy("skip", 30))
        response = fresh.process_request(request)
        assert response is not None and request.meta["ogi_known"] and request.meta["ogi_attachments"] == [pdf]
        out = list(spider.parse_page(response))
        (item,) = [o for o in out if isinstance(o, DocumentItem)]
        assert (item.url, item.sha256, item.change, item.report_year) == (page, sha, "unchanged", 2024)
        assert [r.url for r in out if isinstance(r, Request)] == [pdf]  # the failed attachment is tried again
        assert spider.ledger["a"].reports == {page: 2024}
        again = ReportSpider(sources=[src])
        (request,) = again._page_request(page, src, {})
        assert RefreshMiddleware(RawStoreHistory(store), RefreshPolicy("revalidate")).process_request(request) is None
        assert request.headers["If-None-Match"] == b'"e"' and request.meta["handle_httpstatus_list"] == [304]


def test_settings_are_polite_by_default():
    from spiders.registry import parse_entry
    from spiders.settings import crawl_settings

    src = parse_entry(
        {"id": "a", "homepage": "http://www.a.gov.cn/", "politeness": {"download_delay": 5, "concurrency": 1}}
    )
    s = crawl_settings("/tmp/x", [src])
    assert s["ROBOTSTXT_OBEY"] and s["AUTOTHROTTLE_ENABLED"] and s["CONCURRENT_REQUESTS_PER_DOMAIN"] <= 2
    assert "+http" in s["USER_AGENT"] and s["DOWNLOAD_MAXSIZE"] > 0 and s["RETRY_TIMES"] >= 2
    assert s["DOWNLOAD_SLOTS"] == {"www.a.gov.cn": {"concurrency": 1, "delay": 5.0}}
    fast = crawl_settings("/tmp/x", [src], fast=True)
    assert fast["DOWNLOAD_DELAY"] == 0 and not fast["AUTOTHROTTLE_ENABLED"] and fast["DOWNLOAD_SLOTS"] == {}
    assert fast["ROBOTSTXT_OBEY"]  # robots.txt is obeyed even with politeness off


def test_demo_reports_hold_the_form_identities():
    from demo.reports import APPLICANT_COLS, make_report
    from extractors.schema import SCHEMA

    for year in (2019, 2020, 2021, 2024):
        spec = make_report("麟游县人民政府", year, 1)
        req = spec.values["requests"]
        version = spec.version
        for col in (*APPLICANT_COLS, "total"):
            assert (
                req[f"new_received|{col}"] + req[f"carried_over|{col}"]
                == req[f"total_processed|{col}"] + req[f"carried_forward|{col}"]
            )
            assert req[f"total_processed|{col}"] == sum(
                req[f"{r}|{col}"] for r in SCHEMA["requests"].outcome_rows(version)
            )
        for row in SCHEMA["requests"].rows_for(version):
            assert req[f"{row.key}|total"] == sum(req[f"{row.key}|{c}"] for c in APPLICANT_COLS)
        app = spec.values["appeals"]
        for row in ("review", "litigation_direct", "litigation_after_review"):
            assert app[f"{row}|total"] == sum(app[f"{row}|{c}"] for c in ("upheld", "corrected", "other", "pending"))
        assert len(spec.values["proactive"]) == len(SCHEMA["proactive"].cells_for(version))


def test_crawl_report_warns_on_fewer_reports_than_last_time(tmp_path):
    import json

    from spiders import crawl_report
    from spiders.ledger import CrawlLedger

    runs = tmp_path / "runs"
    runs.mkdir()
    (runs / "crawl-20250101T000000Z-aaaaaa.json").write_text(
        json.dumps({"sources": {"a": {"reports_found": 5}, "b": {"reports_found": 2}}}), "utf-8"
    )
    ledger = CrawlLedger()
    for i in range(3):
        ledger["a"].report(f"http://a.gov.cn/{i}", 2024)
    ledger["b"].report("http://b.gov.cn/1", 2023)
    ledger["b"].report("http://b.gov.cn/2", None)
    ledger["c"].error("site_down", "http://c.gov.cn/", "refused")
    report = crawl_report.build(ledger, {"crawl_id": "x"}, runs, "crawl-x.json")
    assert report["sources"]["a"]["warnings"] == [
        "fewer reports than last time (3 < 5): a redesign or a broken column?"
    ]
    assert report["sources"]["b"]["warnings"] == [] and report["sources"]["b"]["reports_by_year"] == {
        "2023": 1,
        "unknown": 1,
    }
    assert "no reports found" in report["sources"]["c"]["warnings"][0]
    assert report["totals"]["sources_with_errors"] == ["c"] and report["totals"]["errors"] == {"site_down": 1}
    path = crawl_report.write(report, runs, "crawl-x.json")
    assert json.loads(path.read_text("utf-8"))["crawl_id"] == "x" and (runs / "crawl-latest.json").exists()


def test_registry_codes_match_the_jurisdictions_table(tmp_path):
    from demo.registry import demo_sources
    from extractors import jurisdictions as jur

    for src in [
        *load_registry().values(),
        *demo_sources(
            dict.fromkeys(
                (
                    "linyou",
                    "qianyang",
                    "fengxian",
                    "fengxiang",
                    "waf",
                    "err500",
                    "slow",
                    "loop",
                    "truncated",
                    "endless",
                    "missing",
                    "flaky",
                    "down",
                ),
                1,
            ),
            faults=True,
            out_dir=tmp_path,
        ).values(),
    ]:
        division = jur.lookup(src.jurisdiction_code)
        assert division is not None, src.id
        assert division.name == src.jurisdiction_name, (src.id, division.name)
    # 凤翔县 became 凤翔区 in 2021: both names lead to the registry's one source
    assert jur.resolve("凤翔区", 2022) == load_registry()["fengxiang"].jurisdiction_code
    assert jur.resolve("凤翔县", 2020) == "610322"
