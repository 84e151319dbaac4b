"""TRS WCM (拓尔思): ``/{channel}/{YYYYMM}/t{YYYYMMDD}_{id}.html`` articles.

Listing pages are ``index.html``, ``index_1.html``, … built by the script call
``createPageHTML(total, current, "index", "html")``; the page count is in the call, so
every page is known from the first one. Attachments are ``./P0{digits}.pdf`` links,
sometimes written by a script (``var file_appendix = '<a href="./P0…">'``).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from parsel import Selector

from spiders.cms.base import CmsFamily, Link

# createPageHTML(4, 0, "index", "html") and the newer createPageHTML('page_div', 4, 0, 'index', 'html', 68)
_CREATE_PAGE = re.compile(
    r"createPageHTML\(\s*(?:['\"][A-Za-z_][\w\-]*['\"]\s*,\s*)?['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]([\w\-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)
_COUNT_VARS = re.compile(r"var\s+countPage\s*=\s*['\"]?(\d+)", re.I)
_PREFIX_VARS = re.compile(r"var\s+(?:prefix|sPrefix)\s*=\s*['\"]([\w\-]+)['\"]", re.I)
_SUFFIX_VARS = re.compile(r"var\s+(?:suffix|sSuffix)\s*=\s*['\"](\w+)['\"]", re.I)
_ARTICLE = re.compile(r"/t(?:19|20)\d{6}_\d+\.s?html")
# bounded repeats: an unclosed ``<a`` must not rescan the rest of the page (linear in page size)
_SCRIPT_HREF = re.compile(
    r"<a[^>]{1,500}?href=\\?[\"'](\.?/?P0\d+[^\"'\\]{0,500}\.\w+)\\?[\"'][^>]{0,500}>(.{0,500}?)</a>", re.I | re.S
)


def page_count(text: str) -> tuple[int, str, str] | None:
    """(total pages, prefix, suffix) from ``createPageHTML`` or its ``var countPage`` form."""
    m = _CREATE_PAGE.search(text)
    if m:
        return int(m.group(1)), m.group(3), m.group(4)
    c = _COUNT_VARS.search(text)
    if c:
        p = _PREFIX_VARS.search(text)
        s = _SUFFIX_VARS.search(text)
        return int(c.group(1)), p.group(1) if p else "index", s.group(1) if s else "html"
    return None


class TrsFamily(CmsFamily):
    name = "trs"

    def matches(self, response) -> bool:
        text = response.text
        markers = ("createPageHTML", "countPage", "file_appendix", "TRS_Editor", "OLDSRC")
        return any(m in text for m in markers) or bool(_ARTICLE.search(response.url) or _ARTICLE.search(text))

    def pagination(self, response, cap_pages: int = 100) -> list[str]:
        found = page_count(response.text)
        if not found:
            return []
        total, prefix, suffix = found
        total = min(total, cap_pages)
        return [
            urljoin(response.url, f"{prefix}.{suffix}" if i == 0 else f"{prefix}_{i}.{suffix}") for i in range(total)
        ]

    def extra_links(self, response) -> list[Link]:
        """Attachment links that a script writes into the page."""
        out = []
        for script in Selector(text=response.text, type="html").xpath("//script/text()").getall():
            for m in _SCRIPT_HREF.finditer(script):
                text = re.sub(r"<[^>]+>", "", m.group(2)).strip()
                out.append(Link(url=urljoin(response.url, m.group(1)), text=text))
        return out
