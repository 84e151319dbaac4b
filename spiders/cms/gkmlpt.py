"""Guangdong's 政府信息公开目录 (``gkmlpt``): a JavaScript app over a JSON API.

The page ``…/gkmlpt/index`` carries no listing links: the app reads ``window._CONFIG``
(the directory's ``SID`` and its category ``TREE``) and fetches each category's articles
from ``…/gkmlpt/api/all/{cat}?page=N&sid={SID}`` as JSON (``articles`` with ``title``,
``url``, a publication time; ``total``). The family reads the configuration, asks the API
for the 年报 categories only (named like a report column), and pages through the answer.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from spiders.cms.base import CmsFamily, Link
from spiders.titles import find_date, is_report_column

_CONFIG = re.compile(r"window\._CONFIG\s*=\s*\{(.*?)\}\s*;?\s*</script>", re.S)
_SID = re.compile(r"""["']?SID["']?\s*:\s*["']?(\w+)""")
_NODE = re.compile(r"""["']?id["']?\s*:\s*["']?(\d+)["']?\s*,\s*["']?name["']?\s*:\s*["']([^"']+)["']""")
_API = "/gkmlpt/api/all/"
_CHINA = timezone(timedelta(hours=8))


def config(text: str) -> tuple[str, list[tuple[str, str]]] | None:
    """(SID, [(category id, name)]) from the page's ``window._CONFIG`` (a JS object, not always JSON)."""
    m = _CONFIG.search(text)
    if not m:
        return None
    sid = _SID.search(m.group(1))
    return (sid.group(1), _NODE.findall(m.group(1))) if sid else None


def _date(article: dict) -> str | None:
    for key in ("display_publish_time", "publish_time", "first_publish_time", "date"):
        value = article.get(key)
        if isinstance(value, (int, float)) and value > 0:
            return datetime.fromtimestamp(value / (1000 if value > 10**11 else 1), _CHINA).strftime("%Y-%m-%d")
        if isinstance(value, str) and find_date(value):
            return find_date(value)
    return None


class GkmlptFamily(CmsFamily):
    name = "gkmlpt"

    def matches(self, response) -> bool:
        return _API in response.url or ("window._CONFIG" in response.text and "gkmlpt" in response.url + response.text)

    def extra_links(self, response) -> list[Link]:
        if _API in response.url:
            return self._articles(response)
        found = config(response.text)
        if not found:
            return []
        sid, nodes = found
        root = (
            response.url.split("/gkmlpt/")[0] if "/gkmlpt/" in response.url else urljoin(response.url, "/").rstrip("/")
        )
        return [
            Link(url=f"{root}{_API}{cat}?" + urlencode({"page": 1, "sid": sid}), text=name)
            for cat, name in nodes
            if is_report_column(name)
        ]

    def _articles(self, response) -> list[Link]:
        try:
            data = json.loads(response.text)
        except ValueError:
            return []
        out = []
        for a in data.get("articles") or []:
            if isinstance(a, dict) and a.get("url") and a.get("title"):
                out.append(Link(url=urljoin(response.url, a["url"]), text=a["title"], title=a["title"], date=_date(a)))
        return out

    def pagination(self, response, cap_pages: int = 100) -> list[str]:
        """The API's other pages, from ``total`` and the page size (the first page's length when unsaid)."""
        if _API not in response.url:
            return []
        try:
            data = json.loads(response.text)
        except ValueError:
            return []
        total = data.get("total") or 0
        size = data.get("page_size") or data.get("per_page") or len(data.get("articles") or []) or 1
        if not isinstance(total, int) or not isinstance(size, int):
            return []
        parts = urlsplit(response.url)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        pages = min(-(-total // size), cap_pages)
        return [parts._replace(query=urlencode({**query, "page": n})).geturl() for n in range(1, pages + 1)]
