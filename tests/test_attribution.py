"""Who published a listed report and for which year, said with where it came from."""

from __future__ import annotations

import sqlite3

from scrapy.http import HtmlResponse, Request

from pipelines.rawstore import FetchRecord, RawStore
from spiders.registry import parse_entry
from spiders.report_spider import ReportSpider

LISTING = """<html><head><meta charset="utf-8"><title>两亭镇 政府信息公开年报</title></head><body><ul>
<li><a href="/ndbg/2023.html">2023年政府信息公开工作年度报告</a><span>2024-01-18</span></li>
<li><a href="/ndbg/2022.html" title="麟游县两亭镇人民政府2022年政府信息公开工作年度报告">麟游县两亭镇人民政府2022年政府信息公开工作年度...</a></li>
<li><a href="/ndbg/old.html">政府信息公开工作年度报告（上一年度）</a><span>2021-01-20</span></li>
</ul></body></html>"""


def listing_requests(ctx_extra: dict) -> dict[str, dict]:
    src = parse_entry(
        {
            "id": "t",
            "jurisdiction_code": "610329",
            "jurisdiction_name": "麟游县",
            "name": "麟游县人民政府",
            "homepage": "http://www.linyou.gov.cn/",
        }
    )
    spider = ReportSpider(sources=[src])
    url = "http://www.linyou.gov.cn/ltz/ndbg/"
    meta = {"ogi": {"source": "t", "role": "listing", "url": url, "hops": 2, **ctx_extra}}
    response = HtmlResponse(url=url, body=LISTING.encode(), encoding="utf-8", request=Request(url, meta=meta))
    return {r.url: r.meta["ogi"] for r in spider.parse_hub(response) if isinstance(r, Request)}


def test_a_title_without_an_organ_belongs_to_the_organ_whose_column_lists_it():
    found = listing_requests({"organ": "麟游县两亭镇人民政府"})
    report = found["http://www.linyou.gov.cn/ndbg/2023.html"]
    assert (report["organ"], report["report_year"], report["year_source"]) == ("麟游县两亭镇人民政府", 2023, "title")


def test_a_cut_short_title_is_completed_from_the_links_title_attribute():
    report = listing_requests({"organ": "麟游县两亭镇人民政府"})["http://www.linyou.gov.cn/ndbg/2022.html"]
    assert report["title"] == "麟游县两亭镇人民政府2022年政府信息公开工作年度报告"
    assert (report["organ"], report["report_year"]) == ("麟游县两亭镇人民政府", 2022)


def test_a_title_names_its_year_over_the_column_and_a_yearless_link_is_no_report():
    found = listing_requests({"organ": "麟游县两亭镇人民政府", "year_hint": 2019})
    assert found["http://www.linyou.gov.cn/ndbg/2023.html"]["report_year"] == 2023  # the title, not the column's 2019
    assert found["http://www.linyou.gov.cn/ndbg/old.html"]["role"] == "listing"  # 上一年度: read as a column, no report


def test_manifest_keeps_the_year_source_and_an_older_store_gains_the_column(tmp_path):
    with RawStore(tmp_path / "raw") as raw:
        raw.record(
            FetchRecord(
                url="http://x.gov.cn/a.html",
                sha256=raw.put(b"<html/>"),
                fetched_at="2025-01-02T00:00:00+00:00",
                status=200,
                report_year=2024,
                year_source="published_date",
            )
        )
        assert raw.latest("http://x.gov.cn/a.html").year_source == "published_date"
    db = sqlite3.connect(tmp_path / "raw" / "manifest.sqlite")
    db.execute("ALTER TABLE fetches DROP COLUMN year_source")  # a store made before the column existed
    db.commit()
    db.close()
    with RawStore(tmp_path / "raw") as raw:
        old = raw.latest("http://x.gov.cn/a.html")
        assert (old.report_year, old.year_source) == (2024, None)
        raw.record(
            FetchRecord(
                url="http://x.gov.cn/b.html",
                sha256=raw.put(b"<p/>"),
                fetched_at="2025-01-03T00:00:00+00:00",
                status=200,
                report_year=2023,
                year_source="title",
            )
        )
        assert raw.latest("http://x.gov.cn/b.html").year_source == "title"


def test_a_date_in_the_next_table_cell_belongs_to_the_link_of_its_row_only():
    from parsel import Selector

    from spiders.cms.base import anchor_links

    html = """<table><tr><td><a href="/a.html">甲局2023年政府信息公开工作年度报告</a></td><td>2024-01-22</td></tr>
    <tr><td><a href="/b.html">乙局</a> <a href="/c.html">丙局</a></td><td>2024-01-25</td></tr></table>"""
    links = {link.url.rsplit("/", 1)[-1]: link.date for link in anchor_links(Selector(text=html), "http://x.gov.cn/")}
    assert links == {"a.html": "2024-01-22", "b.html": None, "c.html": None}  # a shared row's date is no one's


def test_titles_that_put_the_organ_before_guanyu():
    from extractors.metadata import parse_title

    assert parse_title("麟游县审计局关于2022年政府信息公开工作的年度报告") == ("麟游县审计局", 2022)
    assert parse_title("关于麟游县审计局2022年度政府信息公开工作的年度报告") == ("麟游县审计局", 2022)
    assert parse_title("关于做好2024年政府信息公开工作年度报告编制工作的通知") == (None, None)
