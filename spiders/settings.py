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
from urllib.parse import quote

from extractors.versions import OGI_VERSION
from spiders.browser import browser_settings
from spiders.registry import Source
from spiders.safety import parse_allow_hosts

VERSION = OGI_VERSION
CONTACT_URL = os.environ.get("OGI_CONTACT_URL", "https://github.com/ogi-data/ogi/blob/main/docs/crawling.md")


def ascii_user_agent(version: str, contact_url: str) -> str:
    """The User-Agent, ASCII only: strict servers and firewalls reject other bytes in a header."""
    contact = quote(contact_url, safe=":/?#[]@!$&'()*+,;=%~-._")
    return f"ogi-crawler/{version} (+{contact}; research archive of government information disclosure annual reports)"


USER_AGENT = ascii_user_agent(VERSION, CONTACT_URL)

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
        "spiders.middlewares.CapsMiddleware": 45,
        "spiders.middlewares.SlotPerHostMiddleware": 50,
        "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
        "spiders.middlewares.BackoffRetryMiddleware": 550,
        "spiders.middlewares.CharsetMiddleware": 585,
        "spiders.browser.BrowserMiddleware": 590,  # responses: before redirects, after safety
        "spiders.middlewares.RedirectLoopMiddleware": 610,
        # requests: after robots.txt asked for its host, before the proxy is applied (750);
        # responses: before RedirectMiddleware (600) follows a Location
        "spiders.middlewares.SafetyMiddleware": 620,
    },
    "EXTENSIONS": {"spiders.extensions.CrawlAccounts": 500},
    # ogi's own knobs
    "OGI_MAX_HOPS": 6,  # links from the homepage to a 年报 column, pagination not counted
    "OGI_MAX_LISTING_PAGES": 300,  # per listing chain, fruitful or not: endless pagination stops here
    "OGI_REFRESH_MODE": "skip",  # skip | revalidate | refetch (spiders.incremental)
    "OGI_REFRESH_DAYS": 30.0,
    "OGI_STDOUT": None,  # None | json | events (spiders.events)
    "OGI_FETCH_HISTORY": None,  # injected by the crawl process (spiders.history); None: fetch everything
    # where the crawler may go (spiders.safety): http(s), ports 80/443, public addresses only;
    # host or host:port entries exempt from the port and address checks (trials, the local demo)
    "OGI_ALLOW_HOSTS": os.environ.get("OGI_ALLOW_HOSTS", ""),
    "OGI_PROXY": os.environ.get("OGI_PROXY", ""),  # http(s) proxy for every source without its own `proxy`
    "OGI_RETRY_AFTER_MAX": 120.0,
    # auto: sources marked `browser = true`, or answering waf_challenge, are fetched by the system
    # Chromium (spiders.browser); off: never
    "OGI_BROWSER": os.environ.get(
        "OGI_BROWSER", "auto"
    ),  # a longer Retry-After gives the host up for the run (rate_limited)
    # caps (cap_reached in the crawl report names which)
    "OGI_MAX_PAGES_PER_SOURCE": 3000,  # home, hub, listing and report-page requests
    "OGI_MAX_DOCUMENTS_PER_SOURCE": 3000,  # attachment requests
    "OGI_MAX_REQUESTS_PER_PATTERN": 20,  # navigation per URL shape that brought nothing new: traps
    "OGI_MAX_NAVIGATION_PER_HOST": 1000,  # home, hub and listing requests of one host, fruitful or not
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


def crawl_settings(
    data_dir: str | Path,
    sources: list[Source] = (),
    overrides: dict[str, Any] | None = None,
    fast: bool = False,
    allow_hosts: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The settings for one run: base, per-source download slots, then FAST, then overrides.

    ``allow_hosts`` (the registry folder's, e.g. the demo's 127.0.0.1 ports) are added to
    OGI_ALLOW_HOSTS from the environment and the overrides.
    """
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
    allow = parse_allow_hosts(BASE["OGI_ALLOW_HOSTS"]) | parse_allow_hosts(settings.get("OGI_ALLOW_HOSTS"))
    settings["OGI_ALLOW_HOSTS"] = sorted(allow | parse_allow_hosts(allow_hosts))
    proxy = settings.get("OGI_PROXY") or os.environ.get("https_proxy") or os.environ.get("http_proxy")
    settings.update(browser_settings(settings.get("OGI_BROWSER", "off"), proxy or None))
    return settings
