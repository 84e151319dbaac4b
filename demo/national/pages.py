"""A county's pages, rendered from its model on demand: what each family's server would send.

``respond(county, host, path, query, form)`` returns a ``Resource`` or None (404). Static
pages, the families' record-set endpoints (Hanweb ``dataproxy.jsp`` and ``xxgk`` search,
the gkmlpt JSON API, Anhui's numbered list pages), attachments, robots.txt and the crawl
traps (a month calendar without end, session ids in the breadcrumb) are all here.
"""

from __future__ import annotations

import json
import random
import re
import time
from dataclasses import dataclass, field
from html import escape
from urllib.parse import urlencode

from demo.national import files, layouts
from demo.national.counties import County, Entry, Organ

ROBOTS = "User-agent: *\nDisallow: /search/\nDisallow: /member/\n"
DISALLOWED = ("/search/", "/member/")
MIRROR_HOST = "www.gkbg-mirror.com"  # a spam mirror that re-hosts reports: never a target
LAST_MODIFIED = "Mon, 05 Feb 2024 08:00:00 GMT"


@dataclass
class Resource:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


def is_trap(path: str) -> bool:
    return path.startswith("/calendar/") or ";jsessionid=" in path


class Renderer:
    """One county's pages. Cheap to build: everything is rendered when asked for."""

    def __init__(self, county: County):
        self.c = county
        self.routes: dict[tuple[str, str], object] = {}
        self.by_path: dict[tuple[str, str], tuple[Organ, Entry | None, int | None]] = {}
        gov = county.organs[0]
        for organ in county.organs:
            self.routes[(organ.host, layouts.portal(county, organ))] = ("portal", organ)
            n = layouts.pages(len(organ.entries))
            if county.family not in ("gkmlpt",) and not organ.xxgk:
                for p in range(1, n + 1 if county.family != "hanweb" else 2):
                    self.routes[(organ.host, layouts.column(county, organ, p))] = ("column", organ, p)
            if organ.xxgk:
                self.routes[(organ.host, layouts.column(county, organ).split("?")[0])] = ("column", organ, 1)
            for e in organ.entries:
                if e.form == "page":
                    self.routes[(organ.host, e.path)] = ("article", organ, e)
                else:
                    self.routes[(organ.host, e.path)] = ("file", organ, e, None)
                for a in e.attachments:
                    self.routes[(organ.host, a.path)] = ("file", organ, e, a)
                for p, a in [(e.path, None)] * (e.form != "page") + [(a.path, a) for a in e.attachments]:
                    if "downfile.jsp" in p:  # Hanweb's download link 302s to the file itself
                        self.routes[(organ.host, "/picture/0/" + p.rsplit("filename=", 1)[1])] = ("file", organ, e, a)
        for kind in ("dept", "town"):
            self.routes[(county.host, layouts.organ_list(county, kind))] = ("organs", kind)
        self.gov = gov

    # plumbing ------------------------------------------------------------------------
    def _html(self, title: str, body: str, organ: Organ | None = None) -> Resource:
        c = self.c
        cs = "gbk" if c.charset == "gbk" else "utf-8"
        portal = layouts.portal(c, self.gov)
        page = (
            f'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset={cs}">'
            f"<title>{escape(title)}_{escape(c.government)}</title></head><body>"
            f'<div class="top"><a href="http://{c.host}/">首页</a> <a href="http://{c.host}{portal}">政务公开</a> '
            f'<a href="/search/?q=%E5%B9%B4%E6%8A%A5">站内搜索</a> <a href="/member/login.jsp">用户登录</a></div>'
            f'<div class="main">{body}</div><div class="footer">主办：{escape(c.government)}办公室 '
            f'<a href="http://www.gov.cn/">中国政府网</a></div></body></html>'
        )
        data = page.encode("gbk" if cs == "gbk" else "utf-8", "xmlcharrefreplace")
        header = "utf-8" if c.lying_header else cs
        return Resource(data, f"text/html; charset={header}", headers={"Last-Modified": LAST_MODIFIED})

    def _url(self, organ: Organ, path: str) -> str:
        return path if organ.host == self.c.host else f"http://{organ.host}{path}"

    def _li(self, organ: Organ, e: Entry) -> str:
        title = f' title="{escape(e.title)}"' if e.cut_short or random.Random(e.id).random() < 0.5 else ""
        return (
            f'<li><a href="{escape(self._url(organ, e.path))}" target="_blank"{title}>{escape(e.link_text)}</a>'
            f'<span class="date">{e.date}</span></li>'
        )

    # pages ---------------------------------------------------------------------------
    def home(self) -> Resource:
        c = self.c
        links = [
            f'<a href="{layouts.portal(c, self.gov)}">政府信息公开</a>',
            '<a href="/xwzx/index.html">新闻中心</a>',
            '<a href="/search/?q=%E6%94%BF%E5%BA%9C%E4%BF%A1%E6%81%AF%E5%85%AC%E5%BC%80%E5%B9%B4%E6%8A%A5">'
            "政府信息公开年报</a>",
        ]
        if c.family == "gkmlpt":  # the directory is a script app: the organ lists hang off the homepage
            links += [
                f'<a href="{layouts.organ_list(c, "dept")}">部门信息公开</a>',
                f'<a href="{layouts.organ_list(c, "town")}">乡镇信息公开</a>',
            ]
        return self._html(c.government, "<ul>" + "".join(f"<li>{x}</li>" for x in links) + "</ul>")

    def portal(self, organ: Organ) -> Resource:
        c = self.c
        if c.family == "gkmlpt":
            return self._gkmlpt_app(organ)
        links = [
            f'<a href="{self._url(organ, layouts.column(c, organ))}">政府信息公开年报</a>',
            '<a href="#">政府信息公开指南</a>',
            '<a href="#">政府信息公开制度</a>',
        ]
        if organ.kind == "gov":
            links += [
                f'<a href="{layouts.organ_list(c, "dept")}">部门信息公开</a>',
                f'<a href="{layouts.organ_list(c, "town")}">乡镇信息公开</a>',
            ]
        return self._html(f"{organ.name}政府信息公开", "<ul>" + "".join(f"<li>{x}</li>" for x in links) + "</ul>")

    def organs(self, kind: str) -> Resource:
        c = self.c
        items = "".join(
            f'<li><a href="{escape(self._url(o, layouts.portal(c, o)))}">{escape(o.label)}</a></li>'
            for o in c.organs
            if o.kind == kind
        )
        return self._html("部门信息公开" if kind == "dept" else "乡镇信息公开", f"<ul>{items}</ul>")

    def _trail(self, organ: Organ, seq: int) -> str:
        """Breadcrumb; the government's column carries a fresh session id each time (a crawl trap)."""
        col = layouts.column(self.c, organ)
        if organ.kind == "gov" and self.c.family not in ("gkmlpt",):
            path, _, query = col.partition("?")
            col = f"{path};jsessionid={seq:08X}{self.c.index:04X}" + (f"?{query}" if query else "")
        return (
            f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="{layouts.portal(self.c, organ)}">'
            f'政府信息公开</a> &gt; <a href="{col}">政府信息公开年报</a></div>'
        )

    def _calendar(self, ym: str) -> str:
        y, m = (int(x) for x in ym.split("-"))
        prev = f"{y - (m == 1)}-{12 if m == 1 else m - 1:02d}"
        nxt = f"{y + (m == 12)}-{1 if m == 12 else m + 1:02d}"
        return (
            f'<div class="rili"><a href="/calendar/?ym={prev}" title="上月">&lt;</a> {y}年{m:02d}月 '
            f'<a href="/calendar/?ym={nxt}" title="下月">&gt;</a></div>'
        )

    def column(self, organ: Organ, page: int, seq: int) -> Resource:
        c = self.c
        entries = organ.entries
        n = layouts.pages(len(entries))
        chunk = entries[(page - 1) * layouts.PAGE_SIZE : page * layouts.PAGE_SIZE]
        rows = "".join(self._li(organ, e) for e in chunk)
        extra = ""
        if organ.kind == "gov" and page == 1:
            rows += (
                f'<li><a href="http://{MIRROR_HOST}/{c.code}/2023.html">{escape(c.name)}2023年政府信息公开工作年度报告'
                "（转载）</a><span>2024-02-01</span></li>"
            )
            extra = self._calendar(f"{entries[0].date[:7]}" if entries else "2024-01")
        title = f"{organ.name}政府信息公开年报"
        if c.family == "hanweb" and organ.xxgk:
            return self._html(title, self._trail(organ, seq) + self._xxgk_shell(organ))
        if c.family == "hanweb":
            return self._html(title, self._trail(organ, seq) + self._jpage(organ, extra))
        pager = self._pager(organ, page, n)
        return self._html(title, f'{self._trail(organ, seq)}<ul class="list">{rows}</ul>{pager}{extra}')

    def _pager(self, organ: Organ, page: int, n: int) -> str:
        f = self.c.family
        if f == "trs":
            return (
                f'<div class="page"><script>var currentPage = {page - 1};var countPage = {n};'
                f'createPageHTML({n}, {page - 1}, "index", "html");</script></div>'
            )
        if f == "anhui":
            base = layouts.column(self.c, organ).replace("&action=list", "&action=list&page={page}")
            return (
                f'<div class="pagination" id="pagination"></div><script>$("#pagination").pagination'
                f"({{total: {len(organ.entries)}, pageSize: {layouts.PAGE_SIZE}, current: {page}, "
                f'pageCount: {n}, url: "{base}"}});</script>'
            )
        if f == "hebei":
            u = layouts.column(self.c, organ).rsplit("/", 1)[0]
            return (
                f'<div id="pager" data-total-page="{n}" data-current="{page}" data-base="{u}/index"></div>'
                f'<script src="/static/js/pager.js"></script>'
            )
        if f == "heilongjiang":
            return (
                f'<div id="page_div"></div><script>var pageCount = {n}; var currPage = {page};'
                f'pager("page_div", pageCount, currPage, "list", "shtml");</script>'
            )
        links = "".join(f' <a href="list_{i}.shtml">{i}</a>' if i != page else f" <b>{i}</b>" for i in range(1, n + 1))
        if page < n:
            links += f' <a href="list_{page + 1}.shtml">下一页</a>'
        return f'<div class="page">共{n}页{links}</div>'

    # Hanweb --------------------------------------------------------------------------
    def _records(self, organ: Organ, entries: list[Entry]) -> str:
        return "".join(f"<record><![CDATA[{self._li(organ, e)}]]></record>" for e in entries)

    def _jpage(self, organ: Organ, extra: str) -> str:
        first = organ.entries[: layouts.PAGE_SIZE]
        params = urlencode(
            {
                "page": 1,
                "appid": 1,
                "webid": 1,
                "path": "/",
                "columnid": organ.col,
                "unitid": 4400 + organ.col,
                "webname": self.c.government,
                "permissiontype": 0,
            }
        )
        return (
            f'<div id="{4400 + organ.col}"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="'
            f'/module/web/jpage/dataproxy.jsp?{escape(params)}"></a>]]></nextgroup><recordset>'
            f"{self._records(organ, first)}</recordset></datastore></script></div>"
            f"<script>var _jpage = {{totalRecord: {len(organ.entries)}, perPage: {layouts.PAGE_SIZE}, groupSize: 1, "
            f"proxyUrl: '/module/web/jpage/dataproxy.jsp'}};</script>{extra}"
        )

    def dataproxy(self, organ: Organ, q: dict[str, str]) -> Resource:
        start, end = int(q.get("startrecord", 1)), int(q.get("endrecord", layouts.PAGE_SIZE))
        chunk = organ.entries[max(0, start - 1) : max(0, end)]
        xml = (
            f'<?xml version="1.0" encoding="utf-8"?><datastore><totalrecord>{len(organ.entries)}</totalrecord>'
            f"<totalpage>{layouts.pages(len(organ.entries))}</totalpage><recordset>"
            f"{self._records(organ, chunk)}</recordset></datastore>"
        )
        return Resource(xml.encode("utf-8"), "text/xml; charset=utf-8")

    def _xxgk_shell(self, organ: Organ) -> str:
        """Hanweb's 信息公开 module: an empty div the module's script fills from ``search.jsp``."""
        return (
            f'<div id="div{organ.col}" class="xxgk_list"></div><script src="/module/xxgk/js/xxgk.js"></script>'
            f"<script>xxgk_search({{divid: 'div{organ.col}', infotypeId: '{organ.slug.upper()}A0104', "
            f"jdid: '1', area: '{self.c.code}{organ.col}', sortfield: 'compaltedate:0', currpage: 1, "
            f"url: '/module/xxgk/search.jsp'}});</script>"
        )

    def xxgk_search(self, organ: Organ, q: dict[str, str]) -> Resource:
        page = int(q.get("currpage") or 1)
        n = layouts.pages(len(organ.entries))
        chunk = organ.entries[(page - 1) * layouts.PAGE_SIZE : page * layouts.PAGE_SIZE]
        rows = "".join(
            f'<tr><td class="bt"><a href="{escape(self._url(organ, e.path))}" target="_blank" '
            f'title="{escape(e.title)}">{escape(e.link_text)}</a></td><td class="fbrq">{e.date}</td></tr>'
            for e in chunk
        )
        more = (
            f'<a href="javascript:void(0)" onclick="xxgk_search({{currpage: {page + 1}}})">下一页</a>'
            if page < n
            else ""
        )
        html = (
            f'<table class="xxgk_table">{rows}</table><div class="xxgk_page">共{len(organ.entries)}条 '
            f'第{page}/{n}页 {more}<input type="hidden" id="totalpage" value="{n}"></div>'
        )
        return Resource(html.encode("utf-8"))

    # gkmlpt --------------------------------------------------------------------------
    def _gkmlpt_app(self, organ: Organ) -> Resource:
        tree = [
            {"id": 1001, "name": "机构职能", "children": []},
            {"id": 1002, "name": "政策文件", "children": [{"id": 1003, "name": "规范性文件", "children": []}]},
            {
                "id": 1004,
                "name": "政府信息公开",
                "children": [{"id": layouts.catid(organ), "name": "政府信息公开年报", "children": []}],
            },
        ]
        cfg = {
            "SID": str(layouts.sid(organ)),
            "SITE_NAME": organ.name,
            "IS_ORG": organ.kind != "gov",
            "API_BASE": layouts.prefix(self.c, organ) + "/gkmlpt/api",
            "TREE": tree,
        }
        html = (
            f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(organ.name)}政府信息公开目录</title>'
            f"<script>window._CONFIG = {json.dumps(cfg, ensure_ascii=False)};</script>"
            f'<script src="/gkmlpt/static/js/app.js"></script></head><body><div id="app"></div>'
            f"<noscript>请开启浏览器的JavaScript功能</noscript></body></html>"
        )
        return Resource(html.encode("utf-8"))

    def gkmlpt_api(self, organ: Organ, cat: str, q: dict[str, str]) -> Resource:
        if cat != str(layouts.catid(organ)) or q.get("sid") != str(layouts.sid(organ)):
            return Resource(json.dumps({"articles": [], "total": 0}).encode(), "application/json")
        page = int(q.get("page") or 1)
        chunk = organ.entries[(page - 1) * layouts.PAGE_SIZE : page * layouts.PAGE_SIZE]
        arts = [
            {
                "id": e.id,
                "title": e.title,
                "url": f"http://{organ.host}{e.path}",
                "identifier": f"{self.c.code}/{e.id}",
                "publisher": organ.name,
                "date": int(time.mktime(time.strptime(e.date, "%Y-%m-%d"))),
                "display_publish_time": e.date,
            }
            for e in chunk
        ]
        body = {"articles": arts, "total": len(organ.entries), "page": page, "page_size": layouts.PAGE_SIZE}
        return Resource(json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")

    # articles and files ---------------------------------------------------------------
    def article(self, organ: Organ, e: Entry) -> Resource:
        if e.kind == "report" and not e.attachments:
            body = "".join(f"<h3>{h}</h3><p>{escape(organ.name)}{h[2:]}情况如下。</p>" for h in files.SECTIONS)
            table = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in files.figures(e.title))
            body = body.replace("</p><h3>三", f'</p><table border="1">{table}</table><h3>三', 1)
        elif e.kind == "report":
            body = f"<p>{escape(e.title)}全文见附件。</p>"
        elif e.kind == "notice":
            body = (
                "<p>各乡镇人民政府、县直各部门：</p><p>为做好政府信息公开工作年度报告编制和发布工作，现将有关事项通知如下。"
                "请于1月31日前在本单位政府信息公开专栏发布，格式模板见附件。</p>"
            )
        elif e.kind == "news":
            body = "<p>近日，我县召开政府信息公开工作年度报告编制培训会，各部门、各乡镇分管负责同志参加。</p>"
        elif e.kind == "bulletin":
            body = "<p>现将各单位政府信息公开工作年度报告发布情况通报如下：按时发布的单位……未按时发布的单位……</p>"
        elif e.kind in ("interpretation", "graphic"):
            body = f'<p>一图读懂年度报告。</p><img src="/images/{e.id}.png" alt="{escape(e.title)}">'
        else:
            body = f"<p>{escape(e.title)}。一、基本情况。二、主要做法。三、存在的问题。</p>"
        att = "".join(
            f'<p>附件：<a href="{escape(self._url(organ, a.path))}">{escape(a.label)}</a></p>' for a in e.attachments
        )
        if att and self.c.family == "trs" and e.id % 2:  # TRS writes some attachment links by script
            att = f"<script>var file_appendix = '{att}';document.write(file_appendix);</script>"
        head = (
            f'<meta name="ArticleTitle" content="{escape(e.title)}"><h1>{escape(e.title)}</h1>'
            f'<div class="info">发布日期：{e.date}　来源：{escape(organ.name)}</div>'
        )
        return self._html(e.title, f'{head}<div class="TRS_Editor">{body}</div>{att}', organ)

    def file(self, organ: Organ, e: Entry, a) -> Resource:
        fmt = a.fmt if a is not None else e.form
        if e.kind in ("notice", "template"):
            data, fmt = files.template_docx(), "docx"
        elif fmt == "pdf":
            data = files.report_pdf(e.title, organ.name, e.date)
        else:
            data = files.report_docx(e.title, organ.name, e.date)
        ctype = (
            "application/pdf"
            if fmt == "pdf"
            else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        )
        return Resource(data, ctype, headers={"Last-Modified": LAST_MODIFIED})

    # routing -------------------------------------------------------------------------
    def respond(self, host: str, path: str, query: str, form: dict[str, str], seq: int) -> Resource | None:
        from urllib.parse import parse_qsl

        q = dict(parse_qsl(query))
        q.update(form)
        if path == "/robots.txt":
            return Resource(ROBOTS.encode(), "text/plain")
        if path in ("/", "/index.html") and host == self.c.host:
            return self.home()
        if path.startswith("/calendar/"):
            return self._html("日历", self._calendar(q.get("ym") or "2024-01"))
        if ";jsessionid=" in path:
            path = path.split(";", 1)[0]
        full = path + (f"?{query}" if query else "")
        route = self.routes.get((host, full)) or self.routes.get((host, path))
        if route is None and path.endswith("/module/web/jpage/dataproxy.jsp"):
            target = next((o for o in self.c.organs if str(o.col) == q.get("columnid") and o.host == host), None)
            return self.dataproxy(target, q) if target else None
        if route is None and path.endswith("/module/xxgk/search.jsp"):
            target = next((o for o in self.c.organs if q.get("divid") == f"div{o.col}" and o.host == host), None)
            return self.xxgk_search(target, q) if target else None
        m = re.fullmatch(r"(/[a-z0-9]+)?/gkmlpt/api/all/(\d+)", path)
        if route is None and m and self.c.family == "gkmlpt":
            target = next(
                (o for o in self.c.organs if o.host == host and layouts.prefix(self.c, o) == (m.group(1) or "")), None
            )
            return self.gkmlpt_api(target, m.group(2), q) if target else None
        if route is None:
            return None
        kind, *args = route
        if kind == "portal":
            return self.portal(*args)
        if kind == "organs":
            return self.organs(*args)
        if kind == "column":
            organ_, page = args
            if page > layouts.pages(len(organ_.entries)):
                return None
            return self.column(organ_, page, seq)
        if kind == "article":
            return self.article(*args)
        if kind == "file":
            organ_, e, a = args
            if self.c.family == "hanweb" and "downfile.jsp" in path:
                return Resource(b"", status=302, headers={"Location": f"/picture/0/{q.get('filename', '')}"})
            return self.file(organ_, e, a)
        return None
