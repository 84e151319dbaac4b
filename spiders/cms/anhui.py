"""Anhui's government-site platform: ``/public/column/{site}?type=4&catId={cat}&action=list``.

A list page carries its rows as links to ``/public/{site}/{id}.html``; the pager is drawn by
a script from the page count (``pageCount: N``, ``totalPage``, or ``共N页``) and the other pages
are the same URL with ``&page=N``. Departments and townships are sites of their own on the
same platform (another ``{site}``), so the family only needs the pages.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

from spiders.cms.base import CmsFamily

_COLUMN = re.compile(r"/public/column/\d+")
_COUNT = re.compile(r"(?:pageCount|totalPage|pageTotal)\s*[:=]\s*[\"']?(\d+)|共\s*(\d+)\s*页", re.I)


def page_total(text: str) -> int | None:
    m = _COUNT.search(text)
    return int(m.group(1) or m.group(2)) if m else None


class AnhuiFamily(CmsFamily):
    name = "anhui"

    def matches(self, response) -> bool:
        return bool(_COLUMN.search(urlsplit(response.url).path)) or "/public/column/" in response.text

    def pagination(self, response, cap_pages: int = 100) -> list[str]:
        parts = urlsplit(response.url)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        if not _COLUMN.search(parts.path) or query.get("type") != "4" or "catId" not in query:
            return []
        total = page_total(response.text)
        if not total:
            return []
        base = {k: v for k, v in query.items() if k != "page"}
        parts = parts._replace(path=parts.path.split(";")[0])  # no session id (;jsessionid=…) carried onwards
        return [
            parts._replace(query=urlencode(base if n == 1 else {**base, "page": n})).geturl()
            for n in range(1, min(total, cap_pages) + 1)
        ]
