"""The demo county sites: realistic structure per CMS family, with known truth.

Four county sites (real divisions, invented contents, each page says so):

  linyou     麟游县 610329  Hanweb: /col/colN/index.html, datastore + dataproxy.jsp paging,
             /art/ articles, downfile.jsp 302 attachments; UTF-8; departments and townships
  qianyang   千阳县 610328  TRS WCM: createPageHTML → index_N.html, ./P0….pdf attachments (one
             written by script); GBK pages, some served with a lying ``charset=utf-8`` header
  fengxian   凤县 610330    provincial platform: /cN/list.shtml → list_N.shtml, 32-hex .shtml
             articles; one malformed listing page; a township sub-site
  fengxiang  凤翔区 610305  plain static site, column given in the registry, 下一页 links with
             ?page=N, no ETag/Last-Modified; reports before 2021 titled 凤翔县

plus ``mirror`` (a spam site re-hosting reports: never a source, must never be hit) and
small fault sites (waf, err500, slow, loop, truncated, endless, missing, down) for tests.
Every site is a dict of path → ``Resource``; ``truth`` lists each report and its documents.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from html import escape
from typing import Any, Callable
from urllib.parse import quote

from demo.reports import ReportSpec, make_report, report_html

LAST_MODIFIED = "Mon, 20 Jan 2025 08:00:00 GMT"


@dataclass
class Pending:
    """An attachment whose bytes the document renderer makes later (batched soffice calls)."""

    spec: ReportSpec
    fmt: str


@dataclass
class Resource:
    body: bytes | Pending
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Fault:
    """A fault on every path starting with ``path``: status:N, slow:SECONDS, truncate, redirect_loop,
    flaky:N (N×503 then normal), endless (list_N.shtml pages forever)."""

    path: str
    kind: str


@dataclass
class Site:
    name: str
    family: str
    jurisdiction_code: str | None = None
    files: dict[str, Resource] = field(default_factory=dict)
    dynamic: dict[str, Callable[[dict[str, str]], Resource]] = field(default_factory=dict)
    send_etag: bool = True
    send_last_modified: bool = True
    faults: list[Fault] = field(default_factory=list)
    truth: list[dict[str, Any]] = field(default_factory=list)
    skipped: dict[str, list[str]] = field(default_factory=dict)  # what a crawl must not fetch

    def add(
        self,
        path: str,
        body: bytes | Pending | str,
        content_type: str = "text/html; charset=utf-8",
        encoding: str = "utf-8",
        **kw: Any,
    ) -> None:
        data = body.encode(encoding) if isinstance(body, str) else body
        self.files[path] = Resource(data, content_type, **kw)


MIME = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "wps": "application/octet-stream",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _hex(*parts: Any, n: int = 32) -> str:
    return hashlib.md5("|".join(map(str, parts)).encode()).hexdigest()[:n]


def _record(
    site: Site,
    spec: ReportSpec,
    page: str | None,
    docs: list[tuple[str, str]],
    inline: bool,
    published: str,
    listing: str,
) -> None:
    site.truth.append(
        {
            **spec.truth(),
            "page_path": page,
            "inline": inline,
            "published_date": published,
            "listing_path": listing,
            "documents": ([{"path": page, "format": "html", "kind": "page"}] if page else [])
            + [{"path": p, "format": f, "kind": "attachment"} for p, f in docs],
        }
    )


def _report_body(spec: ReportSpec, inline: bool, attachment_names: list[str]) -> str:
    if inline:
        return report_html(spec)
    names = "、".join(attachment_names)
    return f"<p>现将《{escape(spec.title)}》予以公布，全文详见附件：{escape(names)}。</p>"


# --------------------------------------------------------------------------- Hanweb
def _hanweb_page(title: str, content: str, column: str = "") -> str:
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{escape(title)}</title>
<meta name="SiteName" content="麟游县人民政府"><meta name="ColumnName" content="{escape(column)}">
<meta name="generator" content="Hanweb JCMS (demo)"></head>
<body><div class="top"><a href="/">首页</a> | <a href="/col/col50/index.html">新闻中心</a> |
<a href="/col/col100/index.html">政府信息公开</a> | <a href="/col/col60/index.html">政务服务</a> |
<a href="/module/search/index.jsp">搜索</a></div>
<div class="main">{content}</div>
<div class="footer">主办：麟游县人民政府办公室（演示站点，内容为生成的样例） <a href="http://www.gov.cn/">中国政府网</a>
<a href="http://www.shaanxi.gov.cn/">陕西省人民政府</a></div></body></html>"""


def _hanweb_record(href: str, title: str, date: str) -> str:
    short = title if len(title) <= 24 else title[:22] + "…"
    return (
        f'<record><![CDATA[<li><a href="{href}" title="{escape(title)}" target="_blank">{escape(short)}</a>'
        f'<span class="date">{date}</span></li>]]></record>'
    )


def _hanweb_column(
    site: Site, col: int, unit: int, name: str, entries: list[tuple[str, str, str]], perpage: int
) -> None:
    """A column page with its first ``perpage`` records embedded; the rest via dataproxy.jsp."""
    first = "\n".join(_hanweb_record(*e) for e in entries[:perpage])
    nextgroup = (
        f'<a href="/module/web/jpage/dataproxy.jsp?page=1&amp;appid=1&amp;webid=1&amp;path=/&amp;'
        f'columnid={col}&amp;unitid={unit}&amp;webname={quote("麟游县人民政府")}&amp;permissiontype=0"></a>'
    )
    content = f"""<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/col/col100/index.html">政府信息公开</a> &gt; {escape(name)}</div>
<h2 class="coltitle">{escape(name)}</h2>
<div id="{unit}"><script type="text/xml"><datastore><nextgroup><![CDATA[{nextgroup}]]></nextgroup>
<recordset>{first}</recordset></datastore></script></div>
<script language="javascript" src="/module/jslib/jquery/jpage/jquery.page.min.js"></script>
<script>$(document).ready(function(){{ $('#{unit}').jpage({{ dataStore: $('#{unit} datastore'), perPage: {perpage},
totalRecord: {len(entries)}, groupSize: 1, proxyUrl: '/module/web/jpage/dataproxy.jsp', barPosition: 'bottom' }}); }});</script>"""
    site.add(f"/col/col{col}/index.html", _hanweb_page(name, content, name))
    site.columns = getattr(site, "columns", {})
    site.columns[col] = entries


def _hanweb_dataproxy(site: Site) -> Callable[[dict[str, str]], Resource]:
    def handler(query: dict[str, str]) -> Resource:
        col = int(query.get("columnid", "0") or 0)
        entries = getattr(site, "columns", {}).get(col)
        if entries is None:
            return Resource(b"<datastore><totalrecord>0</totalrecord></datastore>", "text/xml; charset=utf-8")
        start = max(1, int(query.get("startrecord", 1)))
        end = int(query.get("endrecord", start + 14))
        perpage = max(1, int(query.get("perpage", 15)))
        chunk = "\n".join(_hanweb_record(*e) for e in entries[start - 1 : end])
        pages = -(-len(entries) // perpage)
        xml = (
            f'<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>{len(entries)}</totalrecord>'
            f"<totalpage>{pages}</totalpage><recordset>{chunk}</recordset></datastore>"
        )
        return Resource(xml.encode("utf-8"), "text/xml;charset=UTF-8")

    return handler


def _hanweb_downfile(site: Site) -> Callable[[dict[str, str]], Resource]:
    def handler(query: dict[str, str]) -> Resource:
        name = query.get("filename", "")
        if f"/picture/0/{name}" not in site.files:
            return Resource("<html><body>文件不存在</body></html>".encode(), status=404)
        return Resource(b"", status=302, headers={"Location": f"/picture/0/{name}"})

    return handler


def build_linyou(ports: dict[str, int]) -> Site:
    site = Site("linyou", "hanweb", "610329")
    site.dynamic["/module/web/jpage/dataproxy.jsp"] = _hanweb_dataproxy(site)
    site.dynamic["/module/download/downfile.jsp"] = _hanweb_downfile(site)
    site.add("/robots.txt", "User-agent: *\nDisallow: /internal/\nDisallow: /module/search/\n", "text/plain")
    mirror = f"http://127.0.0.1:{ports['mirror']}"

    def article(
        col: int, spec: ReportSpec, inline: bool, attachments: list[tuple[str, str]], n: int
    ) -> tuple[str, str]:
        """attachments: (format, how) with how = downfile | direct; returns (href, date)."""
        y = spec.year + 1
        date = f"{y}-01-{10 + n % 18:02d}"
        href = f"/art/{y}/1/{10 + n % 18}/art_{col}_{5000 + n}.html"
        links, docs = [], []
        for fmt, how in attachments:
            fname = f"{_hex(spec.title, fmt, n=20)}.{fmt}"
            site.add(f"/picture/0/{fname}", Pending(spec, fmt), MIME[fmt])
            shown = f"{spec.title}.{fmt}"
            if how == "downfile":
                url = f"/module/download/downfile.jsp?classid=0&filename={fname}&showname={quote(shown)}"
            else:
                url = f"/picture/0/{fname}"
            links.append(f'<a href="{escape(url)}">{escape(shown)}</a>')
            docs.append((url, fmt))
        body = _report_body(spec, inline, [f"{spec.title}.{f}" for f, _ in attachments])
        att = f'<div class="fj">附件：{"<br/>".join(links)}</div>' if links else ""
        content = (
            f'<div class="article"><h1>{escape(spec.title)}</h1><div class="info">发布日期：{date} '
            f'来源：{escape(spec.organ)}</div><div id="zoom">{body}</div>{att}</div>'
        )
        site.add(href, _hanweb_page(spec.title, content, "政府信息公开年报"))
        _record(site, spec, href, docs, inline, date, f"/col/col{col}/index.html")
        return href, date

    # the county government's 年报 column: six years, interpretations, a mirror, a robots-blocked draft
    county = "麟游县人民政府"
    plan = [
        (2024, True, [("pdf", "downfile")]),
        (2023, True, [("docx", "direct")]),
        (2022, True, []),
        (2021, True, [("xls", "downfile")]),
        (2020, False, [("doc", "downfile")]),
        (2019, False, [("wps", "direct")]),
    ]
    entries: list[tuple[str, str, str]] = []
    for n, (year, inline, atts) in enumerate(plan):
        spec = make_report(county, year, 1)
        href, date = article(1234, spec, inline, atts, n)
        entries.append((href, spec.title, date))
    # interpretations (skipped) and their pages
    for n, t in enumerate(
        ["麟游县2024年政府信息公开工作年度报告图解", "《麟游县人民政府2023年政府信息公开工作年度报告》文字解读"]
    ):
        href = f"/art/2025/1/{21 + n}/art_1234_{5100 + n}.html"
        site.add(href, _hanweb_page(t, f"<h1>{escape(t)}</h1><p>图解内容（演示）。</p>"))
        entries.insert(2 + 3 * n, (href, t, f"2025-01-{21 + n}"))
    spam = f"{mirror}/linyou/art_1234_5002.html"
    entries.append((spam, "麟游县人民政府2022年政府信息公开工作年度报告", "2023-01-12"))
    entries.append(
        ("/internal/art_1234_5999.html", "麟游县人民政府2025年政府信息公开工作年度报告（征求意见稿）", "2025-12-30")
    )
    site.add("/internal/art_1234_5999.html", _hanweb_page("draft", "<p>内部草稿</p>"))
    site.skipped = {
        "offsite": [spam],
        "robots": ["/internal/art_1234_5999.html"],
        "interpretation": [e[0] for e in entries if "解读" in e[1] or "图解" in e[1]],
    }
    _hanweb_column(site, 1234, 4567, "政府信息公开年报", entries, perpage=4)

    # departments and townships: each a portal with its own 年报 column
    organs = [
        ("麟游县教育局", 2001, [(2024, True, [("docx", "direct")]), (2023, False, [("pdf", "downfile")])]),
        ("麟游县财政局", 2002, [(2024, True, [])]),
        ("九成宫镇人民政府", 3001, [(2024, False, [("pdf", "downfile")]), (2020, True, [])]),
        ("崔木镇人民政府", 3002, [(2021, True, [])]),
    ]
    nav_bm, nav_xz = [], []
    for organ, col, reports in organs:
        short = organ.replace("麟游县", "县").replace("人民政府", "")
        (nav_bm if col < 3000 else nav_xz).append(f'<li><a href="/col/col{col}/index.html">{escape(short)}</a></li>')
        ents = []
        for k, (year, inline, atts) in enumerate(reports):
            spec = make_report(organ, year, col)
            href, date = article(col + 10, spec, inline, atts, 20 + col % 100 * 3 + k)
            ents.append((href, spec.title, date))
        _hanweb_column(site, col + 10, col + 50000, "政府信息公开年报", ents, perpage=15)
        portal = (
            f"<h2>{escape(organ)}信息公开</h2><ul class='nav'><li><a href='/col/col{col + 5}/index.html'>"
            f"政府信息公开指南</a></li><li><a href='/col/col{col + 10}/index.html'>政府信息公开年报</a></li>"
            f"<li><a href='/col/col{col + 6}/index.html'>法定主动公开内容</a></li></ul>"
        )
        site.add(f"/col/col{col}/index.html", _hanweb_page(organ, portal))
        site.add(
            f"/col/col{col + 6}/index.html",
            _hanweb_page("法定主动公开内容", "<ul><li><a href='/col/col60/index.html'>机构职能</a></li></ul>"),
        )
    portal = f"""<h2>政府信息公开</h2><ul class="nav">
<li><a href="/col/col101/index.html">政府信息公开指南</a></li><li><a href="/col/col102/index.html">政府信息公开制度</a></li>
<li><a href="/col/col103/index.html">法定主动公开内容</a></li><li><a href="/col/col1234/index.html">政府信息公开年报</a></li></ul>
<div class="bm"><h3>部门信息公开</h3><ul>{"".join(nav_bm)}</ul></div>
<div class="xz"><h3>镇办信息公开</h3><ul>{"".join(nav_xz)}</ul></div>"""
    site.add("/col/col100/index.html", _hanweb_page("政府信息公开", portal))
    site.add("/col/col101/index.html", _hanweb_page("政府信息公开指南", "<p>指南（演示）</p>"))
    site.add(
        "/col/col103/index.html",
        _hanweb_page(
            "法定主动公开内容",
            "<ul><li><a href='/col/col1234/index.html'>政府信息公开年报</a></li><li>规划计划</li></ul>",
        ),
    )
    site.add(
        "/",
        _hanweb_page(
            "麟游县人民政府",
            "<h2>今日麟游</h2><ul><li><a href='/art/2025/3/1/art_50_1.html'>"
            "麟游县召开春季农业生产工作会议</a></li></ul>",
        ),
    )
    site.add("/art/2025/3/1/art_50_1.html", _hanweb_page("新闻", "<p>新闻（演示）</p>"))
    return site


# --------------------------------------------------------------------------- TRS (GBK)
def _trs_page(title: str, content: str) -> str:
    return f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>{escape(title)}_千阳县人民政府</title><meta name="ArticleTitle" content="{escape(title)}">
<meta name="ContentSource" content="千阳县人民政府"></head>
<body><div class="head"><a href="/">网站首页</a> <a href="/zwgk/index.html">政务公开</a> <a href="/hdjl/index.html">互动交流</a></div>
<div class="con">{content}</div>
<div class="foot">千阳县人民政府 版权所有（演示站点，内容为生成的样例；联系人：王堃）</div></body></html>"""


def build_qianyang(ports: dict[str, int]) -> Site:
    site = Site("qianyang", "trs", "610328", send_etag=False)  # Last-Modified only, like many TRS servers
    lie = "text/html; charset=utf-8"  # GBK bytes, UTF-8 header: the lie the crawler must see through
    mirror = f"http://127.0.0.1:{ports['mirror']}"
    site.add("/robots.txt", "User-agent: *\nDisallow: /search/\n", "text/plain")

    def add_gbk(path: str, html: str, ctype: str = lie) -> None:
        site.add(path, html, ctype, encoding="gb18030")

    def column(
        base: str,
        organ: str,
        reports: list[tuple[int, bool, list[str]]],
        per_page: int,
        extra: list[tuple[str, str, str]] = (),
        seed: int = 7,
    ) -> None:
        entries = []
        for n, (year, inline, fmts) in enumerate(reports):
            spec = make_report(organ, year, seed)
            ym = f"{year + 1}01"
            date = f"{year + 1}-01-{15 + n:02d}"
            rid = 345000 + seed * 10 + n
            page = f"{base}{ym}/t{year + 1}01{15 + n:02d}_{rid}.html"
            links, docs, script_links = [], [], []
            for k, fmt in enumerate(fmts):
                fname = f"P0{year + 1}01{15 + n:02d}{rid}{k:06d}.{fmt}"
                site.add(f"{base}{ym}/{fname}", Pending(spec, fmt), MIME[fmt])
                docs.append((f"{base}{ym}/{fname}", fmt))
                anchor = f'<a href="./{fname}" OLDSRC="/protect/{fname}">{escape(spec.title)}.{fmt}</a>'
                (script_links if not inline and year == 2019 else links).append(anchor)
            body = _report_body(spec, inline, [f"{spec.title}.{f}" for f in fmts])
            att = f'<div class="appendix">附件：{"".join(links)}</div>' if links else ""
            if script_links:
                att += (
                    "<script>var file_appendix = '"
                    + "".join(script_links).replace("'", "\\'")
                    + "'; if (file_appendix != '') { document.write('附件：' + file_appendix); }</script>"
                )
            content = (
                f"<h1>{escape(spec.title)}</h1><div class='info'>发布时间：{date}  来源：{escape(organ)}</div>"
                f"<div class='TRS_Editor'>{body}</div>{att}"
            )
            add_gbk(page, _trs_page(spec.title, content))
            _record(site, spec, page, docs, inline, date, f"{base}index.html")
            entries.append((f"./{ym}/t{year + 1}01{15 + n:02d}_{rid}.html", spec.title, date))
        entries[1:1] = list(extra)
        pages = [entries[i : i + per_page] for i in range(0, len(entries), per_page)] or [[]]
        for i, chunk in enumerate(pages):
            items = "".join(
                f'<li><a href="{h}" target="_blank" title="{escape(t)}">{escape(t)}</a><span>{d}</span></li>'
                for h, t, d in chunk
            )
            html = (
                f"<div class='lm'>政府信息公开年报</div><ul class='list'>{items}</ul>"
                f'<div class="page"><script language="JavaScript">createPageHTML({len(pages)}, {i}, "index", "html");'
                f"</script></div>"
            )
            add_gbk(f"{base}index.html" if i == 0 else f"{base}index_{i}.html", _trs_page("政府信息公开年报", html))

    spam = f"{mirror}/qianyang/t20240118_1.html"
    interp = ("./202501/t20250125_399001.html", "图解：千阳县人民政府2024年政府信息公开工作年度报告", "2025-01-25")
    add_gbk("/zwgk/zfxxgknb/202501/t20250125_399001.html", _trs_page(interp[1], "<p>图解（演示）</p>"))
    column(
        "/zwgk/zfxxgknb/",
        "千阳县人民政府",
        [
            (2024, True, ["pdf"]),
            (2023, True, ["xlsx"]),
            (2022, True, []),
            (2021, True, ["doc"]),
            (2020, True, []),
            (2019, False, ["pdf"]),
        ],
        per_page=3,
        extra=[interp, (spam, "千阳县人民政府2023年政府信息公开工作年度报告", "2024-01-18")],
    )
    column(
        "/zwgk/bmxxgk/wjj/gknb/", "千阳县卫生健康局", [(2024, True, []), (2023, False, ["docx"])], per_page=10, seed=8
    )
    column("/zwgk/xzxxgk/cgz/gknb/", "千阳县城关镇人民政府", [(2024, True, [])], per_page=10, seed=9)
    site.skipped = {"offsite": [spam], "interpretation": ["/zwgk/zfxxgknb/202501/t20250125_399001.html"]}

    add_gbk(
        "/zwgk/bmxxgk/wjj/index.html",
        _trs_page(
            "千阳县卫生健康局",
            "<ul><li><a href='./gknb/index.html'>"
            "政府信息公开年报</a></li><li><a href='./gkzn/'>政府信息公开指南</a></li></ul>",
        ),
    )
    add_gbk(
        "/zwgk/xzxxgk/cgz/index.html",
        _trs_page("城关镇", "<ul><li><a href='./gknb/index.html'>政府信息公开年报</a></li></ul>"),
        "text/html",
    )
    add_gbk(
        "/zwgk/bmxxgk/index.html",
        _trs_page("部门信息公开", "<ul><li><a href='./wjj/index.html'>县卫生健康局</a></li></ul>"),
    )
    add_gbk(
        "/zwgk/xzxxgk/index.html",
        _trs_page("乡镇信息公开", "<ul><li><a href='./cgz/index.html'>城关镇</a></li></ul>"),
        "text/html",
    )
    add_gbk(
        "/zwgk/index.html",
        _trs_page(
            "政府信息公开",
            """<ul class="nav"><li><a href="./zfxxgkzn/">政府信息公开指南</a></li>
<li><a href="./zfxxgknb/index.html">政府信息公开年报</a></li><li><a href="./bmxxgk/index.html">部门信息公开</a></li>
<li><a href="./xzxxgk/index.html">乡镇信息公开</a></li></ul>""",
        ),
    )
    add_gbk(
        "/",
        _trs_page("千阳县人民政府", "<a href='/zwgk/index.html'>政府信息公开</a> <a href='/xwzx/'>新闻中心</a>"),
        "text/html; charset=GBK",
    )
    return site


# --------------------------------------------------------------------------- list_N.shtml platform
def _platform_page(title: str, content: str) -> str:
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)} - 凤县人民政府</title></head>
<body><div class="nav"><a href="/">首页</a><a href="/xxgk/index.shtml">信息公开</a><a href="/zwfw/index.shtml">政务服务</a></div>
<div class="container">{content}</div><div class="footer">凤县人民政府（演示站点）</div></body></html>"""


def build_fengxian(ports: dict[str, int]) -> Site:
    site = Site("fengxian", "generic", "610330")
    site.add("/robots.txt", "User-agent: *\nAllow: /\n", "text/plain")

    def column(
        cid: int,
        organ: str,
        reports: list[tuple[int, bool, list[str]]],
        per_page: int,
        extra: list[tuple[str, str, str]] = (),
        malformed_page: int | None = None,
    ) -> None:
        entries = []
        for n, (year, inline, fmts) in enumerate(reports):
            spec = make_report(organ, year, cid)
            date = f"{year + 1}-02-{n + 1:02d}"
            hx = _hex(organ, year)
            page = f"/c{cid}/{year + 1}02/{hx}.shtml"
            links, docs = [], []
            for fmt in fmts:
                path = f"/c{cid}/{year + 1}02/{hx}/files/{_hex(hx, fmt, n=16)}.{fmt}"
                site.add(path, Pending(spec, fmt), MIME[fmt])
                docs.append((path, fmt))
                links.append(f'<p><a href="{path}">{escape(spec.title)}.{fmt}</a></p>')
            body = _report_body(spec, inline, [f"{spec.title}.{f}" for f in fmts])
            site.add(
                page,
                _platform_page(
                    spec.title,
                    f"<h1>{escape(spec.title)}</h1><p class='time'>{date}</p>"
                    f"<div class='article-content'>{body}{''.join(links)}</div>",
                ),
            )
            _record(site, spec, page, docs, inline, date, f"/c{cid}/list.shtml")
            entries.append((page, spec.title, date))
        entries[2:2] = list(extra)
        pages = [entries[i : i + per_page] for i in range(0, len(entries), per_page)]
        for i, chunk in enumerate(pages):
            name = "list.shtml" if i == 0 else f"list_{i + 1}.shtml"
            if i == malformed_page:  # unclosed anchors and list items, stray closing tags
                items = (
                    "".join(
                        f'<li><a href="{h}" title="{escape(t)}">{escape(t[:14])}…<span>[{d}]</span>'
                        for h, t, d in chunk
                    )
                    + "</div></div></ul>"
                )
            else:
                items = "".join(
                    f'<li><a href="{h}" title="{escape(t)}">{escape(t)}</a><span>[{d}]</span></li>' for h, t, d in chunk
                )
            pager = ['<a href="list.shtml">首页</a>']
            pager += [
                f'<a href="{"list.shtml" if k == 0 else f"list_{k + 1}.shtml"}">{k + 1}</a>' for k in range(len(pages))
            ]
            if i + 1 < len(pages):
                pager.append(f'<a href="list_{i + 2}.shtml">下一页</a>')
            pager.append(f'<a href="{"list.shtml" if len(pages) == 1 else f"list_{len(pages)}.shtml"}">尾页</a>')
            site.add(
                f"/c{cid}/{name}",
                _platform_page(
                    "政府信息公开年报",
                    f"<h2>政府信息公开年报</h2><ul class='list'>{items}</ul>"
                    f"<div class='pagination'>{''.join(pager)}</div>",
                ),
            )

    interp = ("/c100/202502/interp.shtml", "凤县2024年政府信息公开工作年度报告文字解读", "2025-02-03")
    site.add(interp[0], _platform_page(interp[1], "<p>解读（演示）</p>"))
    column(
        100,
        "凤县人民政府",
        [
            (2024, True, ["pdf"]),
            (2023, True, []),
            (2022, True, ["docx"]),
            (2021, True, []),
            (2020, True, []),
            (2019, True, []),
        ],
        per_page=3,
        extra=[interp],
        malformed_page=1,
    )
    column(211, "凤县双石铺镇人民政府", [(2023, True, [])], per_page=10)
    site.skipped = {"interpretation": [interp[0]]}
    site.add(
        "/c210/index.shtml",
        _platform_page(
            "双石铺镇",
            "<ul><li><a href='/c211/list.shtml'>政府信息公开年报</a></li>"
            "<li><a href='/c212/list.shtml'>政策文件</a></li></ul>",
        ),
    )
    site.add(
        "/xxgk/xz.shtml", _platform_page("乡镇信息公开", "<ul><li><a href='/c210/index.shtml'>双石铺镇</a></li></ul>")
    )
    site.add(
        "/xxgk/index.shtml",
        _platform_page(
            "信息公开",
            """<div class="xxgk-nav"><a href="/c101/list.shtml">政府信息公开指南</a>
<a href="/c100/list.shtml">政府信息公开年报</a><a href="/xxgk/xz.shtml">乡镇信息公开</a></div>""",
        ),
    )
    site.add("/", _platform_page("凤县人民政府", "<div class='menu'><a href='/xxgk/index.shtml'>信息公开</a></div>"))
    return site


# --------------------------------------------------------------------------- plain static
def build_fengxiang(ports: dict[str, int]) -> Site:
    site = Site("fengxiang", "generic", "610305", send_etag=False, send_last_modified=False)
    site.add("/robots.txt", "User-agent: *\nDisallow:\n", "text/plain")
    plan = [
        ("宝鸡市凤翔区人民政府", 2024, True, ["docx"]),
        ("宝鸡市凤翔区人民政府", 2023, False, ["pdf"]),
        ("宝鸡市凤翔区人民政府", 2022, True, []),
        ("宝鸡市凤翔区人民政府", 2021, True, []),
        ("凤翔县人民政府", 2020, True, ["xls"]),
        ("凤翔县人民政府", 2019, False, ["wps"]),
    ]
    entries = []
    for n, (organ, year, inline, fmts) in enumerate(plan):
        spec = make_report(organ, year, 5)
        date = f"{year + 1}-03-{n + 2:02d}"
        page = f"/zwgk/ndbg/{year + 1}03/{610305 + n}.html"
        links, docs = [], []
        for fmt in fmts:
            # the 2024 DOCX is linked as ".doc" (common on real sites): its format must come from the bytes
            ext = "doc" if fmt == "docx" else fmt
            path = f"/uploadfiles/{year + 1}03/{_hex(organ, year, fmt, n=12)}.{ext}"
            site.add(path, Pending(spec, fmt), "application/octet-stream")
            docs.append((path, fmt))
            links.append(f'<a href="{path}">下载附件（{fmt.upper()}）</a>')
        body = _report_body(spec, inline, [f"{spec.title}.{f}" for f in fmts])
        site.add(
            page,
            f"<html><head><meta charset='utf-8'><title>{escape(spec.title)}</title></head><body>"
            f"<h2>{escape(spec.title)}</h2><p>{date}</p>{body}<p>{' '.join(links)}</p></body></html>",
        )
        _record(site, spec, page, docs, inline, date, "/zwgk/ndbg/index.html")
        entries.append((page, spec.title, date))
    for i in range(2):
        chunk = entries[i * 3 : (i + 1) * 3]
        rows = "".join(f"<tr><td><a href='{h}'>{escape(t)}</a></td><td>{d}</td></tr>" for h, t, d in chunk)
        nav = "<a href='index.html?page=2'>下一页</a>" if i == 0 else "<a href='index.html'>上一页</a>"
        site.add(
            "/zwgk/ndbg/index.html" + ("" if i == 0 else "?page=2"),
            f"<html><head><meta charset='utf-8'><title>年度报告</title></head><body><table>{rows}</table>"
            f"<div>{nav}</div></body></html>",
        )
    site.add("/", "<html><head><meta charset='utf-8'><title>凤翔区人民政府</title></head><body>演示</body></html>")
    return site


# --------------------------------------------------------------------------- mirror and faults
def build_mirror(ports: dict[str, int]) -> Site:
    site = Site("mirror", "spam")
    spam = "<html><head><meta charset='utf-8'><title>镜像</title></head><body>转载的年度报告（垃圾站）</body></html>"
    site.dynamic["*"] = lambda q: Resource(spam.encode("utf-8"))
    return site


FAULT_SITES = {
    # name: (jurisdiction code, faults, column path)
    "waf": ("610331", [Fault("/", "status:412")], "/ndbg/index.html"),
    "err500": ("610327", [Fault("/ndbg/index.html", "status:500")], "/ndbg/index.html"),
    "slow": ("610326", [Fault("/ndbg/index.html", "slow:8")], "/ndbg/index.html"),
    "loop": ("610324", [Fault("/ndbg/index.htm", "redirect_loop")], "/ndbg/index.html"),
    "truncated": ("610323", [Fault("/ndbg/2024.pdf", "truncate")], "/ndbg/index.html"),
    "endless": ("610304", [Fault("/ndbg/list_", "endless")], "/ndbg/index.html"),
    "missing": ("610303", [], "/ndbg/gone.html"),
    "flaky": ("610302", [Fault("/ndbg/index.html", "flaky:1")], "/ndbg/index.html"),
}


def build_fault_site(name: str, ports: dict[str, int]) -> Site:
    code, faults, _ = FAULT_SITES[name]
    site = Site(name, "generic", code, faults=list(faults))
    organ = f"演示故障站点{name}县人民政府"
    spec = make_report(organ, 2024, 99)
    site.add("/robots.txt", "User-agent: *\nAllow: /\n", "text/plain")
    site.add("/ndbg/2024.pdf", Pending(spec, "pdf"), MIME["pdf"])
    site.add(
        "/ndbg/2024.html",
        f"<html><head><meta charset='utf-8'><title>{spec.title}</title></head><body>"
        f"<h1>{spec.title}</h1>{report_html(spec)}<p><a href='/ndbg/2024.pdf'>附件.pdf</a></p></body></html>",
    )
    nxt = "<a href='/ndbg/list_2.shtml'>下一页</a>" if name == "endless" else ""
    listing = (
        f"<html><head><meta charset='utf-8'><title>年报</title></head><body><ul><li>"
        f"<a href='/ndbg/2024.html'>{spec.title}</a> 2025-01-20</li></ul>{nxt}</body></html>"
    )
    site.add("/ndbg/index.html", listing)
    site.add("/", "<html><body><a href='/ndbg/index.html'>政府信息公开年报</a></body></html>")
    _record(site, spec, "/ndbg/2024.html", [("/ndbg/2024.pdf", "pdf")], True, "2025-01-20", "/ndbg/index.html")
    return site


GOOD_SITES = {
    "linyou": build_linyou,
    "qianyang": build_qianyang,
    "fengxian": build_fengxian,
    "fengxiang": build_fengxiang,
}
