"""Downloader middlewares: one small job each.

SlotPerHostMiddleware  one download slot per host:port, so per-site politeness holds even
                       when several sites share an address (and per-site overrides in
                       DOWNLOAD_SLOTS apply by the registry's host names).
CharsetMiddleware      decode pages with the charset the bytes prove, not the one the
                       header claims (GBK pages served as UTF-8 are common).
RedirectLoopMiddleware a redirect back to a URL already in the chain is a loop: fail it
                       (Scrapy would drop the repeat silently as a duplicate request).
BackoffRetryMiddleware Scrapy's retries on 5xx and timeouts, spaced out exponentially so a
                       struggling server is not hammered; ``Retry-After`` honoured up to a cap,
                       beyond which the host is given up for the run (``rate_limited``).
SafetyMiddleware       only http(s) on ports 80/443 to public addresses, only the source's
                       hosts, redirects kept on their host (``spiders.safety``); sets the proxy.
CapsMiddleware         pages and documents per source, navigation per host, and navigation per URL
                       shape that brought nothing new (traps), capped.
"""

from __future__ import annotations

import asyncio
import random
import time
from urllib.parse import urljoin, urlsplit
from urllib.request import getproxies, proxy_bypass

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response, TextResponse

from spiders import safety
from spiders import signals as ogi_signals
from spiders.sniff import detect_encoding, python_codec


class Refused(IgnoreRequest):
    """A request the crawler will not make (or a response it will not follow); ``kind`` names why
    in the crawl report: offsite, offsite_redirect, private_address, port_not_allowed, cap_reached, rate_limited."""

    def __init__(self, kind: str, message: str):
        super().__init__(f"{kind}: {message}")
        self.kind = kind


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
        self.retry_after_cap = settings.getfloat("OGI_RETRY_AFTER_MAX", 120.0)
        self.given_up: dict[str, str] = {}  # host:port -> why (a Retry-After beyond the cap)

    def process_response(self, request: Request, response: Response):
        wait = (
            safety.retry_after_seconds(response.headers.get("Retry-After")) if response.status in (429, 503) else None
        )
        if wait is not None and not request.meta.get("dont_retry"):
            netloc = urlsplit(request.url).netloc.lower()
            if wait > self.retry_after_cap:
                self.given_up[netloc] = (
                    f"HTTP {response.status} Retry-After {wait:.0f} s > {self.retry_after_cap:.0f} s"
                )
                raise Refused("rate_limited", self.given_up[netloc])
            retry = self._retry(request, f"HTTP {response.status} Retry-After {wait:.0f} s")
            if retry is None:
                return response
            retry.meta["ogi_not_before"] = time.monotonic() + wait
            return retry
        return super().process_response(request, response)

    def _retry(self, request: Request, reason):
        retry = super()._retry(request, reason)
        if retry is not None and self.base > 0:
            attempt = retry.meta.get("retry_times", 1)
            delay = min(self.cap, self.base * 2 ** (attempt - 1)) * random.uniform(0.8, 1.2)
            retry.meta["ogi_not_before"] = time.monotonic() + delay
        return retry

    async def process_request(self, request: Request) -> None:
        netloc = urlsplit(request.url).netloc.lower()
        if netloc in self.given_up:
            raise Refused("rate_limited", self.given_up[netloc])
        not_before = request.meta.get("ogi_not_before")
        if not_before:
            wait = not_before - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)


class SafetyMiddleware:
    """Every request and every redirect hop: http(s), ports 80/443, a public address, a host of
    its source (``spiders.safety`` decides; OGI_ALLOW_HOSTS names the exceptions).

    Names are resolved to check their addresses only when no proxy is in use: behind a proxy
    the proxy resolves them (and a virtual host may not resolve here at all), so then only
    literal IPs and local names are refused. The proxy itself comes from here too: the
    source's ``proxy``, else OGI_PROXY, else ``http_proxy``/``https_proxy`` (Scrapy's
    HttpProxyMiddleware reads those).
    """

    def __init__(self, crawler):
        s = crawler.settings
        self.crawler = crawler
        self.allow = safety.parse_allow_hosts(s.get("OGI_ALLOW_HOSTS"))
        self.proxy = s.get("OGI_PROXY") or None
        self.addresses: dict[str, list[str]] = {}
        self.netloc_source: dict[str, object] = {}
        self.env_proxies = getproxies()
        self.bypass: dict[str, bool] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _source(self, request: Request):
        spider = self.crawler.spider
        sources = getattr(spider, "sources", {})
        ctx = request.meta.get("ogi")
        if ctx and ctx.get("source") in sources:
            return sources[ctx["source"]]
        netloc = urlsplit(request.url).netloc.lower()  # robots.txt: the source whose host it is
        if netloc not in self.netloc_source:
            self.netloc_source[netloc] = next((s for s in sources.values() if s.allows(request.url)), None)
        return self.netloc_source[netloc]

    def _proxied(self, request: Request) -> bool:
        """A proxy in the request's meta, or one from the environment for its scheme and host (as
        Scrapy's HttpProxyMiddleware reads it once, at the start)."""
        if request.meta.get("proxy"):
            return True
        parts = urlsplit(request.url)
        if not self.env_proxies.get(parts.scheme):
            return False
        host = parts.hostname or ""
        if host not in self.bypass:
            self.bypass[host] = bool(proxy_bypass(host))
        return not self.bypass[host]

    async def process_request(self, request: Request) -> Request | None:
        clean = safety.strip_session(request.url)
        if clean != request.url:  # rescheduled: the duplicate filter now sees one URL per page
            meta = dict(request.meta)
            if "ogi" in meta:
                meta["ogi"] = {**meta["ogi"], "url": safety.strip_session(meta["ogi"]["url"])}
            return request.replace(url=clean, meta=meta)
        src = self._source(request)
        if src is None or not src.allows(request.url):
            raise Refused("offsite", f"{request.url} is on no host of its source")
        if "proxy" not in request.meta and (getattr(src, "proxy", None) or self.proxy):
            request.meta["proxy"] = getattr(src, "proxy", None) or self.proxy
        proxied = self._proxied(request)
        found = safety.refusal(request.url, self.allow, proxied)
        if found:
            raise Refused(*found)
        if proxied:
            return None
        parts = urlsplit(request.url)
        host = (parts.hostname or "").lower()
        if safety.literal_ip(host) is not None:
            return None
        port = parts.port or (443 if parts.scheme == "https" else 80)
        if host not in self.addresses:
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=1)
                self.addresses[host] = sorted({info[4][0] for info in infos})
            except OSError:
                self.addresses[host] = []  # unresolvable: the download fails as `dns`
        found = safety.address_refusal(host, port, self.addresses[host], self.allow)
        if found:
            raise Refused(*found)
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get("Location")
        if response.status in (301, 302, 303, 307, 308) and location:
            target = urljoin(request.url, location.decode("latin-1"))
            src = self._source(request)
            if not safety.same_site_redirect(request.url, target) and (
                src is None or not src.allows(target) or safety.refusal(target, self.allow, True)
            ):
                raise Refused("offsite_redirect", f"{request.url} -> {target}")
        return response


class CapsMiddleware:
    """Bounds a site cannot push past: pages and documents per source, navigation per host, and
    fruitless navigation per URL shape.

    Navigation (home, hub, listing) is counted per source by ``safety.trap_pattern`` (a
    calendar's dates, endless query variants, session ids share one shape), pagination also per
    listing chain by ``safety.url_pattern`` (every digit masked). Those two count only requests
    that bring nothing new: a page that leads to report candidates not seen before gives its
    request back (the spider's ``navigation_fruitful`` signal), so a long real listing goes on
    while a trap (which only repeats itself) stops at the cap. Every navigation request of a
    host counts, fruitful or not, against ``navigation_per_host``. A request past a cap is
    refused as ``cap_reached`` and the cap is named in the crawl report.
    """

    def __init__(self, settings):
        self.caps = caps(settings)
        self.counts: dict[tuple, int] = {}

    @classmethod
    def from_crawler(cls, crawler):
        mw = cls(crawler.settings)
        crawler.signals.connect(mw.fruitful, signal=ogi_signals.navigation_fruitful)
        return mw

    def _count(self, key: tuple, cap: str, what: str) -> None:
        n = self.counts.get(key, 0)
        if n >= self.caps[cap]:
            raise Refused("cap_reached", f"{cap}={self.caps[cap]}: {what}")
        self.counts[key] = n + 1

    def process_request(self, request: Request) -> None:
        ctx = request.meta.get("ogi")
        if not ctx or request.meta.get("ogi_counted"):
            return
        request.meta["ogi_counted"] = True  # retries and redirects are the same request
        sid, role = ctx["source"], ctx.get("role")
        if role == "doc":
            self._count((sid, "doc"), "documents_per_source", sid)
            return
        self._count((sid, "page"), "pages_per_source", sid)
        if role in ("home", "hub", "listing"):
            host = (urlsplit(ctx["url"]).hostname or "").lower()
            self._count((host, "navigation"), "navigation_per_host", host)
            keys = []
            if ctx.get("page_no"):  # a listing's next page: bounded in its chain, every digit masked
                pattern = safety.url_pattern(ctx["url"])
                keys.append(((sid, ctx.get("chain"), pattern), pattern))
            pattern = safety.trap_pattern(ctx["url"])  # and per source by its trap shape, across chains
            keys.append(((sid, pattern), pattern))
            counted = []
            try:
                for key, what in keys:
                    self._count(key, "requests_per_pattern", what)
                    counted.append(key)
            except Refused:
                self._give_back(counted)
                raise
            request.meta["ogi_pattern_keys"] = counted

    def fruitful(self, request: Request, spider=None) -> None:
        """A navigation page brought new candidates: its request no longer counts toward a trap."""
        self._give_back(request.meta.pop("ogi_pattern_keys", ()))

    def _give_back(self, keys) -> None:
        for key in keys:
            self.counts[key] -= 1


def caps(settings) -> dict[str, int]:
    """The caps in force (the crawl report states them)."""
    return {
        "pages_per_source": settings.getint("OGI_MAX_PAGES_PER_SOURCE", 3000),
        "documents_per_source": settings.getint("OGI_MAX_DOCUMENTS_PER_SOURCE", 3000),
        "requests_per_pattern": settings.getint("OGI_MAX_REQUESTS_PER_PATTERN", 20),
        "navigation_per_host": settings.getint("OGI_MAX_NAVIGATION_PER_HOST", 1000),
        "listing_pages": settings.getint("OGI_MAX_LISTING_PAGES", 300),
    }
