"""CMS families on saved pages (city-scrapers style): a response in, requests and items out.

No network: each test builds a Scrapy response from a file in ``tests/files/spiders/`` with
the request context the spider would have given it, and checks what comes out.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request, XmlResponse

from spiders.cms import families_for, family
from spiders.cms.hanweb import proxy_ranges, records, total_records
from spiders.cms.trs import page_count
from spiders.items import DocumentItem
from spiders.registry import parse_entry
from spiders.report_spider import ReportSpider

FIXTURES = Path(__file__).resolve().parent / "files" / "spiders"


def _source(host: str, cms: str | None = None):
    return parse_entry(
        {
            "id": "t",
            "jurisdiction_code": "610329",
            "jurisdiction_name": "麟游县",
            "name": "麟游县人民政府",
            "homepage": f"http://{host}/",
            "cms": cms,
        }
    )


def _spider(tmp_path, host: str, cms: str | None = None) -> ReportSpider:
    return ReportSpider(sources=[_source(host, cms)])


def _response(name: str, url: str, role: str, cls=HtmlResponse, headers=None, **ctx) -> HtmlResponse:
    meta = {"ogi": {"source": "t", "role": role, "url": url, "hops": 1, **ctx}}
    return cls(url=url, body=(FIXTURES / name).read_bytes(), request=Request(url, meta=meta), headers=headers or {})


def _split(out):
    reqs = [o for o in out if isinstance(o, Request)]
    items = [o for o in out if isinstance(o, DocumentItem)]
    return reqs, items


# ---------------------------------------------------------------------------- Hanweb
def test_hanweb_column_records_and_dataproxy_ranges(tmp_path):
    url = "http://www.linyou.gov.cn/col/col1234/index.html"
    resp = _response("hanweb_column.html", url, "listing", chain=url)
    assert [f.name for f in families_for(resp, "hanweb")] == ["hanweb", "generic"]
    assert len(records(resp.text)) == 3 and total_records(resp.text) == 8
    pages = family("hanweb").pagination(resp)
    assert [p.split("?")[1].split("&perpage")[0] for p in pages] == [
        "startrecord=4&endrecord=6",
        "startrecord=7&endrecord=8",
    ]
    assert all("columnid=1234" in p and "unitid=31877" in p and "webid=72" in p for p in pages)

    reqs, items = _split(list(_spider(tmp_path, "www.linyou.gov.cn", "hanweb").parse_hub(resp)))
    pages_req = [r for r in reqs if r.meta["ogi"]["role"] == "page"]
    assert [r.url for r in pages_req] == [
        "http://www.linyou.gov.cn/art/2025/1/20/art_1234_898123.html",
        "http://www.linyou.gov.cn/art/2024/1/18/art_1234_845001.html",
    ]
    first = pages_req[0].meta["ogi"]
    assert first["report_year"] == 2024 and first["organ"] == "麟游县人民政府"
    assert (
        first["title"] == "麟游县人民政府2024年政府信息公开工作年度报告"
    )  # from the title attribute, not the cut text
    assert first["published_date"] == "2025-01-20" and first["listing_url"] == url
    assert pages_req[1].meta["ogi"]["report_year"] == 2023
    listing = [r for r in reqs if r.meta["ogi"]["role"] == "listing"]
    assert sorted(r.meta["ogi"]["url"] for r in listing) == sorted(pages)
    # on the wire, as jpage sends it: the range in the URL, the column parameters POSTed
    assert {r.method for r in listing} == {"POST"}
    assert listing[0].url.endswith("dataproxy.jsp?startrecord=4&endrecord=6&perpage=3")
    assert b"columnid=1234" in listing[0].body and b"unitid=31877" in listing[0].body
    assert not items


def test_hanweb_dataproxy_records_offsite_and_direct_attachments(tmp_path):
    url = (
        "http://www.linyou.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=4&endrecord=6&perpage=3"
        "&columnid=1234&unitid=31877"
    )
    resp = _response(
        "hanweb_dataproxy.xml",
        url,
        "listing",
        cls=XmlResponse,
        page_no=1,
        chain="http://www.linyou.gov.cn/col/col1234/index.html",
    )
    spider = _spider(tmp_path, "www.linyou.gov.cn", "hanweb")
    reqs, _ = _split(list(spider.parse_hub(resp)))
    by_role = {}
    for r in reqs:
        by_role.setdefault(r.meta["ogi"]["role"], []).append(r)
    assert [r.url for r in by_role["page"]] == ["http://www.linyou.gov.cn/art/2023/1/16/art_1234_790011.html"]
    doc = by_role["doc"][0]  # a listing row that links the PDF itself, through downfile.jsp
    assert "downfile.jsp" in doc.url and doc.meta["ogi"]["report_year"] == 2021
    assert doc.meta["ogi"]["page_url"] == url
    assert spider.ledger["t"].skipped["offsite"] == 1  # the mirror is never requested
    assert [r.meta["ogi"]["url"] for r in by_role.get("listing", [])] == [
        url.replace("startrecord=4&endrecord=6", "startrecord=7&endrecord=8")
    ]


def test_hanweb_article_page_item_and_attachments(tmp_path):
    url = "http://www.linyou.gov.cn/art/2025/1/20/art_1234_898123.html"
    resp = _response(
        "hanweb_article.html",
        url,
        "page",
        report_year=2024,
        organ="麟游县人民政府",
        title="麟游县人民政府2024年政府信息公开工作年度报告",
        listing_url="http://www.linyou.gov.cn/col/col1234/index.html",
        published_date="2025-01-20",
    )
    spider = _spider(tmp_path, "www.linyou.gov.cn", "hanweb")
    reqs, items = _split(list(spider.parse_page(resp)))
    assert len(items) == 1 and items[0].kind == "page" and items[0].format == "html"
    assert items[0].page_url == url and items[0].body == resp.body
    docs = [r for r in reqs if r.meta["ogi"]["role"] == "doc"]
    assert [r.url.rsplit("/", 1)[-1][:41] for r in docs] == [
        "downfile.jsp?classid=0&filename=6a1d8f9e0",
        "2501201012345.docx",
    ]
    assert all(r.meta["ogi"]["page_url"] == url and r.meta["ogi"]["report_year"] == 2024 for r in docs)
    assert docs[0].meta["ogi"]["link_text"] == "麟游县人民政府2024年政府信息公开工作年度报告.pdf"
    led = spider.ledger["t"]
    assert led.skipped["interpretation"] == 1 and led.skipped["offsite"] == 1


# ---------------------------------------------------------------------------- TRS
def test_trs_listing_gbk_and_create_page_html(tmp_path):
    url = "http://www.qianyang.gov.cn/zwgk/zfxxgknb/index.html"
    # the header lies (UTF-8); the bytes are GBK and say gb2312
    resp = _response("trs_index.html", url, "listing", headers={"Content-Type": "text/html; charset=utf-8"}, chain=url)
    from spiders.middlewares import CharsetMiddleware

    resp = CharsetMiddleware().process_response(resp.request, resp)
    assert resp.encoding == "gb18030" and "千阳县人民政府" in resp.text and "王堃" in resp.text
    assert page_count(resp.text) == (4, "index", "html")
    assert family("trs").pagination(resp) == [
        "http://www.qianyang.gov.cn/zwgk/zfxxgknb/index.html",
        "http://www.qianyang.gov.cn/zwgk/zfxxgknb/index_1.html",
        "http://www.qianyang.gov.cn/zwgk/zfxxgknb/index_2.html",
        "http://www.qianyang.gov.cn/zwgk/zfxxgknb/index_3.html",
    ]
    spider = _spider(tmp_path, "www.qianyang.gov.cn", "trs")
    reqs, _ = _split(list(spider.parse_hub(resp)))
    pages = [r for r in reqs if r.meta["ogi"]["role"] == "page"]
    assert [r.url.rsplit("/", 2)[-2:] for r in pages] == [
        ["202501", "t20250115_345070.html"],
        ["202401", "t20240116_345071.html"],
    ]
    assert pages[1].meta["ogi"]["organ"] == "千阳县卫生健康局"
    assert sorted(r.url for r in reqs if r.meta["ogi"]["role"] == "listing") == [
        f"http://www.qianyang.gov.cn/zwgk/zfxxgknb/index_{i}.html" for i in (1, 2, 3)
    ]
    assert spider.ledger["t"].skipped["interpretation"] == 1


def test_trs_article_attachment_written_by_script(tmp_path):
    url = "http://www.qianyang.gov.cn/zwgk/zfxxgknb/202001/t20200115_345075.html"
    resp = _response("trs_article.html", url, "page", report_year=2019, organ="千阳县人民政府")
    from spiders.middlewares import CharsetMiddleware

    resp = CharsetMiddleware().process_response(resp.request, resp)
    reqs, items = _split(list(_spider(tmp_path, "www.qianyang.gov.cn", "trs").parse_page(resp)))
    assert items[0].title == "千阳县人民政府2019年政府信息公开工作年度报告"  # from the page: ArticleTitle
    assert sorted(r.url.rsplit("/", 1)[-1] for r in reqs if r.meta["ogi"]["role"] == "doc") == [
        "P020200115345075000000.pdf",
        "P020200115345075000001.xls",
    ]


# ---------------------------------------------------------------------------- list_N.shtml / next links
def test_generic_list_pages_and_interpretation(tmp_path):
    url = "http://www.fengxian.gov.cn/c100/list.shtml"
    resp = _response("generic_list.shtml", url, "listing", chain=url)
    assert family("generic").pagination(resp) == [
        "http://www.fengxian.gov.cn/c100/list_2.shtml",
        "http://www.fengxian.gov.cn/c100/list_3.shtml",
        "http://www.fengxian.gov.cn/c100/list_2.shtml",
        "http://www.fengxian.gov.cn/c100/list_3.shtml",
    ]
    spider = _spider(tmp_path, "www.fengxian.gov.cn")
    reqs, _ = _split(list(spider.parse_hub(resp)))
    assert len([r for r in reqs if r.meta["ogi"]["role"] == "page"]) == 2
    assert sorted(r.url for r in reqs if r.meta["ogi"]["role"] == "listing") == [
        "http://www.fengxian.gov.cn/c100/list_2.shtml",
        "http://www.fengxian.gov.cn/c100/list_3.shtml",
    ]
    assert spider.ledger["t"].skipped["interpretation"] == 1


def test_generic_malformed_listing_still_yields_its_reports(tmp_path):
    url = "http://www.fengxian.gov.cn/c100/list_2.shtml"
    resp = _response("generic_list_malformed.shtml", url, "listing", chain="x", page_no=1)
    reqs, _ = _split(list(_spider(tmp_path, "www.fengxian.gov.cn").parse_hub(resp)))
    pages = [r.meta["ogi"] for r in reqs if r.meta["ogi"]["role"] == "page"]
    assert [(p["report_year"], p["title"]) for p in pages] == [
        (2022, "凤县人民政府2022年政府信息公开工作年度报告"),
        (2021, "凤县人民政府2021年政府信息公开工作年度报告"),
    ]
    assert pages[0]["published_date"] == "2023-02-03"


def test_endless_pagination_stops_when_a_page_brings_nothing_new(tmp_path):
    spider = _spider(tmp_path, "www.fengxian.gov.cn")
    first = "http://www.fengxian.gov.cn/c100/list.shtml"
    body = (FIXTURES / "generic_list.shtml").read_bytes()
    out = list(
        spider.parse_hub(
            HtmlResponse(
                first,
                body=body,
                request=Request(first, meta={"ogi": {"source": "t", "role": "listing", "url": first, "chain": first}}),
            )
        )
    )
    assert any(r.meta["ogi"]["role"] == "listing" for r in out if isinstance(r, Request))
    # page 2 serves the same rows again and links onwards: a calendar-style endless listing
    second = "http://www.fengxian.gov.cn/c100/list_2.shtml"
    again = body.replace(b'href="list_2.shtml">', b'href="list_9.shtml">')
    out = list(
        spider.parse_hub(
            HtmlResponse(
                second,
                body=again,
                request=Request(
                    second,
                    meta={"ogi": {"source": "t", "role": "listing", "url": second, "chain": first, "page_no": 1}},
                ),
            )
        )
    )
    assert not [r for r in out if isinstance(r, Request) and r.meta["ogi"]["role"] == "listing"]
    assert spider.ledger["t"].errors["endless_pagination"] == 1


def test_families_register_themselves_and_inherit_working_hooks():
    from spiders.cms import CmsFamily, family_names

    assert {"generic", "hanweb", "trs"} <= set(family_names())
    url = "http://www.x.gov.cn/c100/list.shtml"
    resp = _response("generic_list.shtml", url, "listing")
    # a family that overrides only ``matches`` gets the base hooks the spider calls
    assert CmsFamily.pagination(family("trs"), resp, cap_pages=3) == []
    with pytest.raises(ValueError, match="two CMS families named 'trs'"):
        type("Again", (CmsFamily,), {"name": "trs", "matches": lambda self, response: False})


def test_proxy_ranges_are_bounded():
    assert proxy_ranges(10, 4, 4) == [(5, 8), (9, 10)]
    assert proxy_ranges(10_000_000, 15, 15, cap_pages=3) == [(16, 30), (31, 45), (46, 60)]
    assert proxy_ranges(3, 3, 15) == []


@pytest.mark.parametrize(
    "text,kind",
    [
        ("政府信息公开", "portal"),
        ("政府信息公开年报", "column"),
        ("部门信息公开", "organ_list"),
        ("县教育局", "organ"),
        ("九成宫镇", "organ"),
        ("2023年度", "year_column"),
        ("麟游县人民政府2024年政府信息公开工作年度报告", "report"),
        ("凤县2021年政务信息公开年度报告", "report"),
        ("九成宫镇2020年政府信息公开年报", "report"),
        ("2024年政府信息公开工作年度报告图解", "interpretation"),
        ("关于《2023年政府信息公开工作年度报告》的文字解读", "interpretation"),
        ("首页", "other"),
        ("政府信息公开指南", "other"),
        ("麟游县人民政府关于印发2024年政务公开工作要点的通知", "other"),
    ],
)
def test_link_classification(text, kind):
    from spiders.links import classify

    assert classify(text, "http://x.gov.cn/a.html", in_listing=True).value == kind


def test_trs_page_count_in_both_script_signatures():
    assert page_count('createPageHTML(4, 0, "index", "html");') == (4, "index", "html")
    assert page_count("createPageHTML('page_div',7, 1,'index','shtml',68);") == (7, "index", "shtml")
    assert page_count("var countPage = 3; var prefix = 'list';") == (3, "list", "html")
