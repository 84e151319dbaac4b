"""Hanweb's 信息公开 module (``xxgk``): a column whose records a script loads from ``search.jsp``.

A department's 年报 column on a Hanweb site is often an empty ``<div id="div…">`` and a call
such as ``xxgk_search({divid: 'div123', infotypeId: 'JYJA0104', area: '…', currpage: 1})`` or a
``para`` object posted to ``/module/xxgk/search.jsp``. The answer is an HTML fragment of rows
with a page count (``第1/3页``, ``totalpage``); the other pages are the same query with
``currpage=N``. The family turns the call into that query and pages through it.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from parsel import Selector

from spiders.cms.base import CmsFamily

SEARCH_PATH = "/module/xxgk/search.jsp"
_PAIR = re.compile(r"""["']?(\w+)["']?\s*:\s*["']([^"']*)["']""")
_PAGES = re.compile(r"第\s*\d+\s*/\s*(\d+)\s*页|共\s*(\d+)\s*页|id=[\"']totalpage[\"']\s+value=[\"'](\d+)", re.I)
_QUERY_KEYS = {
    "divid",
    "infotypeid",
    "jdid",
    "area",
    "sortfield",
    "standardxxgk",
    "isalllist",
    "texttype",
    "fbtime",
    "vc_all",
    "vc_filenumber",
    "vc_title",
    "vc_number",
    "fields",
    "fieldconfigid",
    "hasnopages",
    "infocount",
}


def search_query(text: str) -> dict[str, str] | None:
    """The module's query parameters from the column page's script (None when there is none)."""
    for script in Selector(text=text, type="html").xpath("//script/text()").getall():
        if "xxgk" not in script or "divid" not in script:
            continue
        params = {k: v for k, v in _PAIR.findall(script) if k.lower() in _QUERY_KEYS}
        if params.get("divid"):
            return params
    return None


def page_total(text: str) -> int | None:
    m = _PAGES.search(text)
    return int(next(g for g in m.groups() if g)) if m else None


class HanwebXxgkFamily(CmsFamily):
    name = "hanweb_xxgk"

    def matches(self, response) -> bool:
        return SEARCH_PATH in urlsplit(response.url).path or "/module/xxgk/" in response.text

    def pagination(self, response, cap_pages: int = 100) -> list[str]:
        parts = urlsplit(response.url)
        if parts.path.endswith(SEARCH_PATH):
            total = page_total(response.text) or 1
            query = dict(parse_qsl(parts.query, keep_blank_values=True))
            return [
                parts._replace(query=urlencode({**query, "currpage": n})).geturl()
                for n in range(1, min(total, cap_pages) + 1)
            ]
        query = search_query(response.text)
        if query is None:
            return []
        return [urljoin(response.url, SEARCH_PATH) + "?" + urlencode({**query, "currpage": 1})]

    def is_attachment_url(self, url: str) -> bool:
        return "/module/download/downfile.jsp" in url or super().is_attachment_url(url)
