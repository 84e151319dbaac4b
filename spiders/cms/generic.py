"""Plain sites and provincial platforms: ``list_N.shtml``, ``index_N.html``, ``?page=N``, 下一页.

The fallback for every page: numbered page links and next-page anchors. Paging by
links can run forever (calendars, broken templates), so the spider bounds each
listing chain by a page cap and stops when a page brings no new entry.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from spiders.cms.base import CmsFamily, anchor_links, selector_for
from spiders.titles import normalise

_PAGE_HREF = re.compile(
    r"(?:/|^)(?:list|index|default)_\d+\.s?html?$|[?&](?:page|pageNo|pageIndex|pageNum|p|curPage)=\d+", re.I
)
_NEXT_TEXT = {"下一页", "下页", "后页", "下一頁", ">", "»", "›", ">>", "next", "Next"}


class GenericFamily(CmsFamily):
    name = "generic"
    fallback = True

    def matches(self, response) -> bool:
        return True

    def pagination(self, response, cap_pages: int = 100) -> list[str]:
        """Next-page anchors and numbered page links on the same host."""
        here = urlsplit(response.url)
        out: list[str] = []
        for link in anchor_links(selector_for(response), response.url):
            target = urlsplit(link.url)
            if target.netloc != here.netloc or link.url == response.url:
                continue
            text = normalise(link.text)
            tail = target.path.rsplit("/", 1)[-1] + ("?" + target.query if target.query else "")
            if (
                text in _NEXT_TEXT
                or (text.isdigit() and _PAGE_HREF.search(tail))
                or (_PAGE_HREF.search(tail) and text in {"尾页", "末页", "首页", "上一页", "上页"})
            ):
                out.append(link.url)
        return out[:cap_pages]
