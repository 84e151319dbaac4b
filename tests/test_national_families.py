"""The national families on saved pages: gkmlpt, Anhui, Hebei, Heilongjiang and Hanweb's xxgk module.

Each page (``tests/files/spiders/``, written for these tests) is parsed by the spider with no
family configured: the family is recognised from the page itself, and the test checks the
requests that come out (reports with their organ and year, the listing's other pages).
"""

from __future__ import annotations

from pathlib import Path

from scrapy.http import HtmlResponse, Request, TextResponse

from spiders.cms import families_for
from spiders.registry import parse_entry
from spiders.report_spider import ReportSpider

FILES = Path(__file__).resolve().parent / "files" / "spiders"


def _spider(host: str, name: str) -> ReportSpider:
    return ReportSpider(
        sources=[
            parse_entry(
                {
                    "id": "t",
                    "jurisdiction_code": "441881",
                    "jurisdiction_name": name[:3],
                    "name": name,
                    "homepage": f"http://{host}/",
                }
            )
        ]
    )


def _response(file: str, url: str, role: str, cls=HtmlResponse, **ctx):
    meta = {"ogi": {"source": "t", "role": role, "url": url, "hops": 2, **ctx}}
    extra = {"encoding": "utf-8"} if cls is TextResponse else {}
    return cls(url=url, body=(FILES / file).read_bytes(), request=Request(url, meta=meta), **extra)


def _requests(spider: ReportSpider, response) -> dict[str, list[Request]]:
    out: dict[str, list[Request]] = {}
    for r in spider.parse_hub(response):
        if isinstance(r, Request):
            out.setdefault(r.meta["ogi"]["role"], []).append(r)
    return out


def test_gkmlpt_reads_the_config_and_pages_through_the_api():
    spider = _spider("www.qingxi.gov.cn", "清溪县人民政府")
    app = _response("gkmlpt_index.html", "http://www.qingxi.gov.cn/gkmlpt/index", "hub")
    assert "gkmlpt" in [f.name for f in families_for(app)]
    listing = _requests(spider, app)["listing"]
    assert [r.url for r in listing] == ["http://www.qingxi.gov.cn/gkmlpt/api/all/2796?page=1&sid=755031"]

    api_url = listing[0].url
    api = _response("gkmlpt_api_page1.json", api_url, "listing", cls=TextResponse, chain=api_url)
    out = _requests(spider, api)
    pages = [(r.url.rsplit("/", 1)[1], r.meta["ogi"]["report_year"], r.meta["ogi"]["organ"]) for r in out["page"]]
    assert pages == [("post_4120517.html", 2024, "清溪县人民政府"), ("post_3987210.html", 2023, "清溪县人民政府")]
    assert out["page"][0].meta["ogi"]["published_date"] == "2025-01-20"
    assert [r.url.split("?")[1] for r in out["listing"]] == ["page=2&sid=755031", "page=3&sid=755031"]


def test_anhui_list_pages_from_the_script_pager():
    spider = _spider("www.tongxi.gov.cn", "桐溪县人民政府")
    url = "http://www.tongxi.gov.cn/public/column/6597011?type=4&catId=7160231&action=list"
    resp = _response("anhui_list.html", url, "listing", chain=url)
    assert "anhui" in [f.name for f in families_for(resp)]
    out = _requests(spider, resp)
    assert [r.meta["ogi"]["title"] for r in out["page"]][0] == "桐溪县人民政府2024年政府信息公开工作年度报告"
    assert [r.meta["ogi"]["report_year"] for r in out["page"]] == [2024, 2023]
    assert [r.meta["ogi"]["report_year"] for r in out["doc"]] == [2022]
    assert [r.url.rsplit("&", 1)[1] for r in out["listing"]] == ["page=2", "page=3"]


def test_hebei_column_pages():
    spider = _spider("www.jingyang.gov.cn", "井阳县人民政府")
    url = "http://www.jingyang.gov.cn/columns/8b1d7e42-3a5c-4f09-b2e6-71c4d9a0e5f8/index.html"
    resp = _response("hebei_column.html", url, "listing", chain=url)
    assert "hebei" in [f.name for f in families_for(resp)]
    out = _requests(spider, resp)
    assert [r.meta["ogi"]["report_year"] for r in out["page"]] == [2024, 2023]
    assert [r.url.rsplit("/", 1)[1] for r in out["listing"]] == ["index_2.html", "index_3.html", "index_4.html"]


def test_heilongjiang_gbk_channel_pages():
    spider = _spider("www.ningjiang.gov.cn", "宁江县人民政府")
    url = "http://www.ningjiang.gov.cn/c102600/list.shtml"
    resp = _response("heilongjiang_list.shtml", url, "listing", chain=url)
    assert "heilongjiang" in [f.name for f in families_for(resp)]
    out = _requests(spider, resp)
    assert [r.meta["ogi"]["title"] for r in out["page"]] == [
        "宁江县人民政府2024年政府信息公开工作年度报告",
        "宁江县人民政府2023年政府信息公开工作年度报告",
    ]
    assert [r.url.rsplit("/", 1)[1] for r in out["listing"]] == ["list_2.shtml", "list_3.shtml"]


def test_hanweb_xxgk_module_query_and_pages():
    spider = _spider("www.baihe.gov.cn", "白河县人民政府")
    url = "http://www.baihe.gov.cn/col/col1870/index.html"
    column = _response("hanweb_xxgk_column.html", url, "listing", chain=url, organ="县教育局")
    assert "hanweb_xxgk" in [f.name for f in families_for(column)]
    search = _requests(spider, column)["listing"]
    assert len(search) == 1 and search[0].url.startswith("http://www.baihe.gov.cn/module/xxgk/search.jsp?")
    assert "divid=div1870" in search[0].url and "infotypeId=JYJA0104" in search[0].url
    assert search[0].url.endswith("currpage=1")

    resp = _response("hanweb_xxgk_search.html", search[0].url, "listing", chain=url, page_no=1, organ="县教育局")
    out = _requests(spider, resp)
    assert [r.meta["ogi"]["title"] for r in out["page"]] == ["白河县教育局2024年政府信息公开工作年度报告"]
    assert [r.url.rsplit("=", 1)[1] for r in out["doc"]] == ["2401181522473718.pdf"]
    assert [r.url.rsplit("currpage=", 1)[1] for r in out["listing"]] == ["2", "3", "4"]
