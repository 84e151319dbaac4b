"""Heilongjiang's portals: channels ``/cNNNN/``, listings ``list.shtml``, ``list_2.shtml``… drawn by a script.

The pager script gives the page count (``pageCount = N`` or ``pager(id, N, current, "list",
"shtml")``); page 1 is ``{prefix}.{suffix}``, page N ``{prefix}_N.{suffix}`` in the channel.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from spiders.cms.base import CmsFamily

_CHANNEL = re.compile(r"^/c\d{3,}/")
_PAGER = re.compile(r"pager\(\s*['\"][\w-]+['\"]\s*,\s*(\w+)\s*,\s*\w+\s*,\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]")
_COUNT = re.compile(r"(?:pageCount|totalPage)\s*=\s*(\d+)", re.I)


def pager(text: str) -> tuple[int, str, str] | None:
    """(pages, prefix, suffix) of a channel's listing."""
    call, count = _PAGER.search(text), _COUNT.search(text)
    n = int(call.group(1)) if call and call.group(1).isdigit() else int(count.group(1)) if count else None
    if n is None:
        return None
    return (n, call.group(2), call.group(3)) if call else (n, "list", "shtml")


class HeilongjiangFamily(CmsFamily):
    name = "heilongjiang"

    def matches(self, response) -> bool:
        return bool(_CHANNEL.search(urlsplit(response.url).path))

    def pagination(self, response, cap_pages: int = 100) -> list[str]:
        found = pager(response.text)
        if not found or not _CHANNEL.search(urlsplit(response.url).path):
            return []
        n, prefix, suffix = found
        return [
            urljoin(response.url, f"{prefix}.{suffix}" if i == 1 else f"{prefix}_{i}.{suffix}")
            for i in range(1, min(n, cap_pages) + 1)
        ]
