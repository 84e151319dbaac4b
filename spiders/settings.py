"""Scrapy settings for ogi crawls: politeness first, then speed.

Why these numbers: county servers are small and often fragile; one or two requests at
a time per host, AutoThrottle backing off when they slow down, robots.txt obeyed, and an
honest User-Agent saying who we are and where to complain. Many hosts run in parallel
(CONCURRENT_REQUESTS) so a national crawl still finishes overnight.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from extractors.versions import OGI_VERSION
from spiders.registry import Source

VERSION = OGI_VERSION
CONTACT_URL = os.environ.get("OGI_CONTACT_URL", "https://github.com/ogi-data/ogi/blob/main/docs/crawling.md")
USER_AGENT = f"ogi-crawler/{VERSION} (+{CONTACT_URL}; research archive of 政府信息公开工作年度报告)"

BASE: dict[str, Any] = {
    "BOT_NAME": "ogi",
    "USER_AGENT": USER_AGENT,
    "ROBOTSTXT_OBEY": True,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
    "DOWNLOAD_DELAY": 1.0,
    "RANDOMIZE_DOWNLOAD_DELAY": True,
    "AUTOTHROTTLE_ENABLED": True,
    "AUTOTHROTTLE_START_DELAY": 2.0,
    "AUTOTHROTTLE_MAX_DELAY": 30.0,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
    "DOWNLOAD_TIMEOUT": 30,
    "DOWNLOAD_MAXSIZE": 64 * 1024 * 1024,
    "DOWNLOAD_WARNSIZE": 16 * 1024 * 1024,
    "DOWNLOAD_FAIL_ON_DATALOSS": True,
    "RETRY_ENABLED": True,
    "RETRY_TIMES": 3,
    "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
    "OGI_RETRY_BACKOFF_BASE": 2.0,
    "OGI_RETRY_BACKOFF_MAX": 60.0,
    "REDIRECT_MAX_TIMES": 5,
    "DEPTH_LIMIT": 0,  # bounded by OGI_MAX_HOPS and OGI_MAX_LISTING_PAGES instead (a long listing is deep)
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "WARNING",
    "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
    "DOWNLOADER_MIDDLEWARES": {
        # first: a known, fresh document is answered from the manifest before robots.txt or a slot
        "spiders.incremental.RefreshMiddleware": 40,
        "spiders.middlewares.SlotPerHostMiddleware": 50,
        "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
        "spiders.middlewares.BackoffRetryMiddleware": 550,
        "spiders.middlewares.CharsetMiddleware": 585,
        "spiders.middlewares.RedirectLoopMiddleware": 610,
    },
    "EXTENSIONS": {"spiders.extensions.CrawlAccounts": 500},
    # ogi's own knobs
    "OGI_MAX_HOPS": 6,  # links from the homepage to a 年报 column, pagination not counted
    "OGI_MAX_LISTING_PAGES": 50,  # per listing chain: endless pagination stops here
    "OGI_REFRESH_MODE": "skip",  # skip | revalidate | refetch (spiders.incremental)
    "OGI_REFRESH_DAYS": 30.0,
    "OGI_STDOUT": None,  # None | json | events (spiders.events)
    "OGI_FETCH_HISTORY": None,  # injected by the crawl process (spiders.history); None: fetch everything
}

# Politeness off: for the local demo sites, tests and benchmarks only.
FAST: dict[str, Any] = {
    "DOWNLOAD_DELAY": 0,
    "RANDOMIZE_DOWNLOAD_DELAY": False,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 4,
    "DOWNLOAD_TIMEOUT": 3,
    "RETRY_TIMES": 1,
    "OGI_RETRY_BACKOFF_BASE": 0.05,
}


def crawl_settings(data_dir: str | Path, sources: list[Source] = (), overrides: dict[str, Any] | None = None,
                   fast: bool = False) -> dict[str, Any]:
    """The settings for one run: base, per-source download slots, then FAST, then overrides."""
    settings = {**BASE, "OGI_DATA_DIR": str(data_dir)}
    slots: dict[str, dict[str, Any]] = {}
    if not fast:
        for src in sources:
            pol = src.politeness
            slot: dict[str, Any] = {}
            if pol.concurrency is not None:
                slot["concurrency"] = int(pol.concurrency)
            if pol.download_delay is not None:
                slot["delay"] = float(pol.download_delay)
            if slot:
                for host in src.allowed_hosts:
                    slots[host] = slot
    settings["DOWNLOAD_SLOTS"] = slots
    if fast:
        settings.update(FAST)
    settings.update(overrides or {})
    return settings
