"""Hebei's portals: columns at ``/columns/{uuid}/``, their pages ``index_N.html`` drawn by a script.

The listing's page count sits in the pager's markup (``data-total-page="N"``) or script
(``totalPage = N``); page 1 is ``index.html``, page N is ``index_N.html`` in the same column.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from spiders.cms.base import CmsFamily

_COLUMN = re.compile(r"/columns/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/", re.I)
_COUNT = re.compile(r"data-total-page\s*=\s*[\"']?(\d+)|totalPage\s*[:=]\s*[\"']?(\d+)", re.I)


class HebeiFamily(CmsFamily):
    name = "hebei"

    def matches(self, response) -> bool:
        return bool(_COLUMN.search(urlsplit(response.url).path))

    def pagination(self, response, cap_pages: int = 100) -> list[str]:
        m = _COUNT.search(response.text)
        if not m or not _COLUMN.search(urlsplit(response.url).path):
            return []
        total = min(int(m.group(1) or m.group(2)), cap_pages)
        return [urljoin(response.url, "index.html" if n == 1 else f"index_{n}.html") for n in range(1, total + 1)]
