"""Hanweb JCMS (大汉): ``/col/colN/index.html`` columns, ``/art/...`` articles.

A column page embeds its first records in ``<script type="text/xml"><datastore>``;
the rest come from ``/module/web/jpage/dataproxy.jsp?startrecord=..&endrecord=..&perpage=..``
as XML ``<recordset><record><![CDATA[<li>…]]></record>`` with ``<totalrecord>``.
Attachments are ``/module/download/downfile.jsp?...`` links that 302 to the file.
All record ranges are computed from the total up front, so paging cannot loop.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from parsel import Selector

from spiders.cms.base import CmsFamily, Link, anchor_links

PROXY_PATH = "/module/web/jpage/dataproxy.jsp"
# Records are cut by searching open and close markers in turn (linear): a lazy ``(.*?)``
# between them rescans the rest of the page from every unclosed ``<record>`` (quadratic).
_RECORD_OPEN = re.compile(r"<record>\s*<!\[CDATA\[", re.I)
_RECORD_CLOSE = re.compile(r"\]\]>\s*</record>", re.I)
_TOTAL_XML = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[", re.I)
_HREF = re.compile(r"href=[\"']([^\"']+)[\"']", re.I)
_CONF = {
    "total": re.compile(r"totalRecord\s*[:=]\s*[\"']?(\d+)", re.I),
    "perpage": re.compile(r"perPage\s*[:=]\s*[\"']?(\d+)", re.I),
    "group": re.compile(r"groupSize\s*[:=]\s*[\"']?(\d+)", re.I),
}
_PROXY_URL = re.compile(r"proxyUrl\s*[:=]\s*[\"']([^\"']+)[\"']", re.I)
_MAX_RECORDS = 5000  # a column claiming more is lying (or is not a 年报 column)


def records(text: str) -> list[str]:
    """The HTML fragments of a datastore's records (column page or dataproxy XML)."""
    out: list[str] = []
    pos = 0
    while (start := _RECORD_OPEN.search(text, pos)) is not None:
        end = _RECORD_CLOSE.search(text, start.end())
        if end is None:
            break
        out.append(text[start.end() : end.start()])
        pos = end.end()
    return out


def nextgroup_href(text: str) -> str | None:
    """The href in the first ``<nextgroup>`` CDATA block (searched within that block only)."""
    m = _NEXTGROUP.search(text)
    if m is None:
        return None
    close = text.find("]]>", m.end())
    href = _HREF.search(text, m.end(), close if close >= 0 else min(len(text), m.end() + 4096))
    return href.group(1) if href else None


def total_records(text: str) -> int | None:
    m = _TOTAL_XML.search(text) or _CONF["total"].search(text)
    return int(m.group(1)) if m else None


def proxy_ranges(total: int, have: int, perpage: int, group: int = 1, cap_pages: int = 100) -> list[tuple[int, int]]:
    """(startrecord, endrecord) pairs for records ``have+1 .. total``, one group of pages each."""
    total = min(total, _MAX_RECORDS, have + perpage * cap_pages)
    step = max(1, perpage * max(1, group))
    return [(start, min(start + step - 1, total)) for start in range(have + 1, total + 1, step)]


class HanwebFamily(CmsFamily):
    name = "hanweb"

    def matches(self, response) -> bool:
        text = response.text
        return "dataproxy.jsp" in text or "<datastore>" in text or "/col/col" in text or "jpage" in text

    def extra_links(self, response) -> list[Link]:
        """Links inside the datastore records (the browser renders them by script)."""
        out: list[Link] = []
        for fragment in records(response.text):
            out.extend(anchor_links(Selector(text=fragment, type="html"), response.url))
        return out

    def pagination(self, response, cap_pages: int = 100) -> list[str]:
        """The dataproxy.jsp requests for the records the page does not carry itself.

        On a column page: from the jpage configuration (totalRecord, perPage, proxyUrl)
        and the ``<nextgroup>`` link's parameters. On a dataproxy response: the ranges after
        it up to its ``<totalrecord>`` (duplicates of ranges already issued are dropped by
        the scheduler's duplicate filter).
        """
        text = response.text
        parts = urlsplit(response.url)
        if parts.path.endswith(PROXY_PATH):
            return self._rest_from_proxy(response, cap_pages)
        total = total_records(text)
        nextgroup = nextgroup_href(text)
        proxy = _PROXY_URL.search(text)
        if total is None and nextgroup is None and proxy is None:
            return []
        perpage = int(_CONF["perpage"].search(text).group(1)) if _CONF["perpage"].search(text) else 15
        group = int(_CONF["group"].search(text).group(1)) if _CONF["group"].search(text) else 1
        params = dict(parse_qsl(urlsplit(nextgroup.replace("&amp;", "&")).query)) if nextgroup else {}
        params.pop("page", None)
        if "columnid" not in params:
            m = re.search(r"/col/col(\d+)/", response.url)
            if m:
                params["columnid"] = m.group(1)
        base = urljoin(response.url, proxy.group(1) if proxy else PROXY_PATH)
        have = len(records(text))
        if total is None:  # ask for one group; its <totalrecord> tells the rest
            return [self._proxy_url(base, params, have + 1, have + perpage * group, perpage)]
        return [
            self._proxy_url(base, params, a, b, perpage)
            for a, b in proxy_ranges(total, have, perpage, group, cap_pages)
        ]

    def _rest_from_proxy(self, response, cap_pages: int) -> list[str]:
        query = dict(parse_qsl(urlsplit(response.url).query))
        total = total_records(response.text)
        if total is None:
            return []
        perpage = int(query.get("perpage", 15))
        end = int(query.get("endrecord", perpage))
        base = response.url.split("?")[0]
        return [self._proxy_url(base, query, a, b, perpage) for a, b in proxy_ranges(total, end, perpage, 1, cap_pages)]

    @staticmethod
    def _proxy_url(base: str, params: dict[str, str], start: int, end: int, perpage: int) -> str:
        rest = {k: v for k, v in params.items() if k not in ("startrecord", "endrecord", "perpage")}
        return f"{base}?" + urlencode({"startrecord": start, "endrecord": end, "perpage": perpage, **rest})

    def request_kwargs(self, url: str) -> dict:
        """jpage POSTs its query: the record range in the URL, the column parameters in the body."""
        parts = urlsplit(url)
        if not parts.path.endswith(PROXY_PATH):
            return {}
        query = dict(parse_qsl(parts.query))
        rng = {k: query.pop(k) for k in ("startrecord", "endrecord", "perpage") if k in query}
        if not query:
            return {}
        return {
            "url": f"{parts.scheme}://{parts.netloc}{parts.path}?{urlencode(rng)}",
            "method": "POST",
            "body": urlencode(query),
            "headers": {"Content-Type": "application/x-www-form-urlencoded"},
        }

    def is_attachment_url(self, url: str) -> bool:
        return "/module/download/downfile.jsp" in url or super().is_attachment_url(url)
