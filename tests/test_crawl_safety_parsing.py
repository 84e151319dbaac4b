"""Parsers are linear in page size: pages built to make backtracking regexes or per-link
whole-row reads blow up (one giant row of links, unclosed Hanweb records and nextgroups,
unclosed TRS script anchors) are parsed at 100 KB and at 1 MB, and the times compared.

A linear parser takes about 10 times as long for 10 times the bytes; the quadratic ones
this replaces took about 100 times as long (a 340 KB page blocked the Hanweb parser for 50 s).
"""

from __future__ import annotations

import time

from scrapy.http import HtmlResponse

from spiders.cms import anchor_links, families_for
from spiders.cms.base import selector_for
from spiders.links import classify

FILLER = "本机关依法主动公开政府信息，" * 10


def hostile_page(size: int) -> bytes:
    """One ``<p>`` row holding every link (each with a date), then unclosed markers of each family."""
    chunks, n = [], 0
    while sum(map(len, chunks)) < size * 0.7:
        chunks.append(
            f'<a href="/art/2023/1/{n % 28 + 1}/art_1_{n}.html">县人民政府2023年政府信息公开工作年度报告{n}</a>'
            f" 2024-01-{n % 28 + 1:02d} {FILLER}"
        )
        n += 1
    tail = []
    while sum(map(len, tail)) < size * 0.3:
        tail.append(
            '<record><![CDATA[<li>x</li>]] > <nextgroup><![CDATA[ <a href="./P020240101.pdf" '
            "var file_appendix totalRecord:9 "
        )
    body = (
        '<html><head><meta charset="utf-8"><script src="/module/web/jpage/dataproxy.jsp"></script></head>'
        "<body><datastore><p>" + "".join(chunks) + "</p>" + "".join(tail) + "</body></html>"
    )
    return body.encode("utf-8")


def parse_seconds(size: int) -> float:
    """What the spider does with a listing page: families, anchors, extra links, pagination, labels."""
    response = HtmlResponse(url="http://www.x.gov.cn/col/col1/index.html", body=hostile_page(size), encoding="utf-8")
    best = float("inf")
    for _ in range(2):
        t0 = time.perf_counter()
        fams = families_for(response, None)
        links = anchor_links(selector_for(response), response.url)
        for fam in fams:
            links += fam.extra_links(response)
            fam.pagination(response)
        for link in links:
            classify(link.name, link.url, in_listing=True)
        best = min(best, time.perf_counter() - t0)
    return best


def test_parsing_time_grows_linearly_with_page_size():
    small, large = parse_seconds(100_000), parse_seconds(1_000_000)
    ratio = large / small
    assert ratio < 25, f"100 KB: {small:.3f} s, 1 MB: {large:.3f} s (×{ratio:.0f}: not linear)"


def test_every_link_of_a_giant_row_keeps_its_row_date():
    response = HtmlResponse(url="http://www.x.gov.cn/", body=hostile_page(20_000), encoding="utf-8")
    links = anchor_links(selector_for(response), response.url)
    assert len(links) > 10 and {link.date for link in links} == {"2024-01-01"}  # the row's first date, read once
