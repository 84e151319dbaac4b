"""Downloader middlewares: one small job each.

SlotPerHostMiddleware  one download slot per host:port, so per-site politeness holds even
                       when several sites share an address (and per-site overrides in
                       DOWNLOAD_SLOTS apply by the registry's host names).
CharsetMiddleware      decode pages with the charset the bytes prove, not the one the
                       header claims (GBK pages served as UTF-8 are common).
RedirectLoopMiddleware a redirect back to a URL already in the chain is a loop: fail it
                       (Scrapy would drop the repeat silently as a duplicate request).
BackoffRetryMiddleware Scrapy's retries on 5xx and timeouts, spaced out exponentially so a
                       struggling server is not hammered.
"""

from __future__ import annotations

import asyncio
import random
import time
from urllib.parse import urljoin, urlsplit

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response, TextResponse

from spiders.sniff import detect_encoding, python_codec


class SlotPerHostMiddleware:
    def process_request(self, request: Request) -> None:
        if "download_slot" not in request.meta:
            request.meta["download_slot"] = urlsplit(request.url).netloc.lower()


class CharsetMiddleware:
    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, TextResponse) or not response.body:
            return response
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
        codec = detect_encoding(response.body, content_type)
        current = python_codec(response.encoding)
        if codec != current and not (codec == "utf-8" and current in ("utf-8", "utf8")):
            return response.replace(encoding=codec)
        return response


class RedirectLoopMiddleware:
    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get("Location")
        if response.status in (301, 302, 303, 307, 308) and location:
            target = urljoin(request.url, location.decode("latin-1"))
            chain = [*request.meta.get("redirect_urls", []), request.url]
            if target in chain:
                raise IgnoreRequest(f"redirect loop: {' -> '.join(chain + [target])}")
        return response


class BackoffRetryMiddleware(RetryMiddleware):
    """Retry 5xx and timeouts after base·2^(n-1) seconds (with jitter, capped)."""

    def __init__(self, settings):
        super().__init__(settings)
        self.base = settings.getfloat("OGI_RETRY_BACKOFF_BASE", 2.0)
        self.cap = settings.getfloat("OGI_RETRY_BACKOFF_MAX", 60.0)

    def _retry(self, request: Request, reason):
        retry = super()._retry(request, reason)
        if retry is not None and self.base > 0:
            attempt = retry.meta.get("retry_times", 1)
            delay = min(self.cap, self.base * 2 ** (attempt - 1)) * random.uniform(0.8, 1.2)
            retry.meta["ogi_not_before"] = time.monotonic() + delay
        return retry

    async def process_request(self, request: Request) -> None:
        not_before = request.meta.get("ogi_not_before")
        if not_before:
            wait = not_before - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
