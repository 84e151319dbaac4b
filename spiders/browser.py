"""The browser fetch path: pages behind an anti-bot JavaScript check, fetched by the system Chromium.

Why: some county sites answer 412 (or 521) with a script that sets a cookie and reloads;
only a browser gets past it. scrapy-playwright drives ``/usr/bin/chromium`` (installed by
``make install``; never a downloaded browser). It is used only for sources marked
``browser = true`` in the registry, or detected: a request answered ``waf_challenge`` is
retried once through the browser, and the rest of that source's requests go there too. The
browser starts on the first such request, so a crawl that never needs it pays nothing.

Off with ``OGI_BROWSER=off`` (or when Chromium or scrapy-playwright is missing: the
challenge is then reported as ``waf_challenge``, as before).
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import shutil
from typing import Any

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.http import Request, Response

from spiders import safety
from spiders.ledger import WAF_STATUSES

HANDLER = "spiders.browser.BrowserOrHttpHandler"
CHROMIUM = os.environ.get("OGI_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# What the browser's own requests are checked against (one crawl per process): OGI_ALLOW_HOSTS
# and the crawl's sources (a challenge page's scripts from other hosts are off-site requests too).
_ALLOW: frozenset[str] = frozenset()
_SOURCES: list = []


def available(executable: str = CHROMIUM) -> bool:
    """Chromium on disk and scrapy-playwright installed (not imported: that is left to the first use)."""
    return os.access(executable, os.X_OK) and importlib.util.find_spec("scrapy_playwright") is not None


def browser_settings(mode: str, proxy: str | None = None) -> dict[str, Any]:
    """Settings that install the (lazy) browser download handler, or none when ``mode`` is off or it is missing."""
    if mode == "off" or not available():
        return {"OGI_BROWSER": "off"}
    launch: dict[str, Any] = {
        "executable_path": CHROMIUM,
        "headless": True,
        "args": ["--no-sandbox", "--disable-dev-shm-usage"],
    }
    if proxy:
        launch["proxy"] = {"server": proxy}
    return {
        "OGI_BROWSER": "auto",
        "DOWNLOAD_HANDLERS": {"http": HANDLER, "https": HANDLER},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": launch,
        "PLAYWRIGHT_MAX_CONTEXTS": 1,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 2,
        "PLAYWRIGHT_ABORT_REQUEST": "spiders.browser.abort_request",
    }


def abort_request(req) -> bool:
    """The browser's own requests: no images, media, fonts or styles, nothing off the crawl's sites,
    never a refused address or port."""
    if req.resource_type in ("image", "media", "font", "stylesheet"):
        return True
    if not any(src.allows(req.url) for src in _SOURCES):
        return True
    return safety.refusal(req.url, _ALLOW, proxied=True) is not None


async def pass_challenge(page, url: str, attempts: int = 3) -> int:
    """Let the challenge script run (it sets its cookie and reloads); while the document is still
    a challenge, load ``url`` again. Returns the final document's real status (0: unknown)."""
    status = 0
    for _ in range(attempts):
        try:
            await page.wait_for_load_state("networkidle", timeout=5000)
            status = int(await page.evaluate(_DOCUMENT_STATUS) or 0)
            if status and status not in WAF_STATUSES:
                return status
            response = await page.goto(url, wait_until="load")
        except Exception:  # noqa: BLE001 - a download, a page that never idles: read as it is
            return status
        status = response.status if response is not None else 0
        if status and status not in WAF_STATUSES:
            return status
        await asyncio.sleep(0.5)
    return status


_DOCUMENT_STATUS = "() => { const n = performance.getEntriesByType('navigation')[0]; return n ? n.responseStatus : 0 }"


class BrowserOrHttpHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP handler, handing requests marked ``playwright`` to scrapy-playwright's handler,
    which is imported, built and launched at the first such request: a crawl that never needs
    the browser does not load Playwright (half a second per crawl process) or start Chromium."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self._browser = None
        self._browser_lock = asyncio.Lock()

    async def download_request(self, request: Request) -> Response:
        if not request.meta.get("playwright"):
            return await super().download_request(request)
        async with self._browser_lock:
            if self._browser is None:
                from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

                handler = ScrapyPlaywrightDownloadHandler.from_crawler(self._crawler)
                await handler._launch()  # its engine_started hook has passed already
                self._browser = handler
        return await self._browser.download_request(request)

    async def close(self) -> None:
        await super().close()
        if self._browser is not None:
            await self._browser.close()


class BrowserMiddleware:
    """Routes a source's requests through the browser when marked or detected, and gives browser
    responses the status of their final navigation."""

    def __init__(self, crawler):
        global _ALLOW
        self.crawler = crawler
        self.enabled = crawler.settings.get("OGI_BROWSER", "off") != "off"
        self.detected: set[str] = set()
        _ALLOW = safety.parse_allow_hosts(crawler.settings.get("OGI_ALLOW_HOSTS"))

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _source(self, request: Request):
        ctx = request.meta.get("ogi")
        return getattr(self.crawler.spider, "sources", {}).get(ctx["source"]) if ctx else None

    def process_request(self, request: Request) -> None:
        src = self._source(request)
        if self.enabled and src is not None and (src.browser or src.id in self.detected):
            self._through_browser(request.meta, request.url)

    def _through_browser(self, meta: dict, url: str) -> None:
        from scrapy_playwright.page import PageMethod

        _SOURCES[:] = getattr(self.crawler.spider, "sources", {}).values()
        if not meta.get("playwright"):
            meta["playwright"] = True
            meta["playwright_page_methods"] = [PageMethod(pass_challenge, url)]

    def process_response(self, request: Request, response: Response):
        if "playwright" in response.flags:
            methods = request.meta.get("playwright_page_methods") or ()
            final = next((m.result for m in methods if getattr(m, "method", None) is pass_challenge), None)
            if final and final != response.status:
                response = response.replace(status=final)
            if not safety.same_site_redirect(request.url, response.url):
                from spiders.middlewares import Refused

                raise Refused("offsite_redirect", f"{request.url} -> {response.url} (in the browser)")
            return response
        src = self._source(request)
        if (
            self.enabled
            and src is not None
            and response.status in WAF_STATUSES
            and not request.meta.get("ogi_browser_tried")
        ):
            self.detected.add(src.id)  # the source needs the browser: this request once more, and the rest
            meta = {**request.meta, "ogi_browser_tried": True}
            self._through_browser(meta, request.url)
            return request.replace(meta=meta, dont_filter=True)
        return response
