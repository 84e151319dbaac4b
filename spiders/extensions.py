"""The crawl accounts: per-source ledger, progress events, failure manifest, run report.

Why an extension (like Scrapy's ``extensions/corestats.py``): the spider only yields
requests and items; this listens to the crawl's signals and keeps the books. Counts only
parsing can see (pages parsed, reports found, links skipped) the spider writes into its
``ledger``, the way a spider writes into ``crawler.stats``; this extension reads it at the
end. A failed report page or attachment is kept in the manifest through the injected
``CrawlHistory`` (``spiders.history``), so the next crawl retries it.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.http import Request, Response

from spiders import crawl_report
from spiders import signals as ogi_signals
from spiders.events import EventSink
from spiders.history import FailedFetch, open_history
from spiders.items import now_iso
from spiders.ledger import REFUSALS, classify_failure
from spiders.middlewares import caps


class CrawlAccounts:
    def __init__(self, crawler):
        s = crawler.settings
        self.crawler = crawler
        self.data_dir = Path(s.get("OGI_DATA_DIR") or "data")
        self.refresh = {"mode": s.get("OGI_REFRESH_MODE", "skip"), "max_age_days": s.getfloat("OGI_REFRESH_DAYS", 30.0)}
        self.events = EventSink(s.get("OGI_STDOUT"))
        self.history = open_history(s)
        self.netloc_source: dict[str, str] = {}
        self.report: dict[str, Any] | None = None
        self.report_path: Path | None = None

    @classmethod
    def from_crawler(cls, crawler) -> CrawlAccounts:
        ext = cls(crawler)
        for handler, signal in (
            (ext.spider_opened, signals.spider_opened),
            (ext.on_request, signals.request_reached_downloader),
            (ext.on_response, signals.response_received),
            (ext.on_item, signals.item_scraped),
            (ext.on_spider_error, signals.spider_error),
            (ext.on_request_failed, ogi_signals.request_failed),
            (ext.on_document_refused, ogi_signals.document_refused),
            (ext.spider_closed, signals.spider_closed),
        ):
            crawler.signals.connect(handler, signal=signal)
        return ext

    def spider_opened(self, spider) -> None:
        self.started_at = now_iso()
        self._t0 = time.monotonic()
        for src in spider.sources.values():
            spider.ledger[src.id].jurisdiction_code = src.jurisdiction_code
            for host in src.allowed_hosts:
                self.netloc_source.setdefault(host, src.id)
            self.events.emit("source", source=src.id, jurisdiction_code=src.jurisdiction_code, url=src.homepage)

    def _source_of(self, request: Request) -> str | None:
        ctx = request.meta.get("ogi")
        if ctx:
            return ctx["source"]
        parts = urlsplit(request.url)
        return self.netloc_source.get(parts.netloc.lower()) or self.netloc_source.get((parts.hostname or "").lower())

    def on_request(self, request: Request, spider) -> None:
        sid = self._source_of(request)
        if sid:
            role = request.meta.get("ogi", {}).get("role", "robots" if request.url.endswith("/robots.txt") else "other")
            spider.ledger[sid].requests[role] += 1

    def on_response(self, response: Response, request: Request, spider) -> None:
        sid = self._source_of(request)
        if sid and not request.meta.get("ogi_known"):  # a known document answered without a request
            spider.ledger[sid].responses[response.status] += 1
            if "playwright" in response.flags:
                spider.ledger[sid].fetched_by_browser += 1
            ctx = request.meta.get("ogi", {})
            self.events.emit(
                "page", source=sid, role=ctx.get("role", "robots"), url=request.url, status=response.status
            )

    def on_item(self, item, response: Response | None, spider) -> None:
        led = spider.ledger[item.source_id]
        if item.change:
            led.documents[item.change] += 1
        if item.format:
            led.formats[item.format] += 1

    def on_spider_error(self, failure, response: Response, spider) -> None:
        sid = self._source_of(response.request) if response is not None and response.request else None
        if sid:
            spider.ledger[sid].error("parse_error", response.url, f"{type(failure.value).__name__}: {failure.value}")

    def on_request_failed(self, failure, request: Request, spider) -> None:
        sid = self._source_of(request)
        if not sid:
            return
        kind, message = classify_failure(failure)
        led = spider.ledger[sid]
        if kind in ("robots", "offsite"):
            led.skipped[kind] += 1
            return
        led.error(kind, request.url, message)
        if kind == "cap_reached":
            led.caps_reached[message.split(": ", 2)[1].split("=")[0]] += 1
        elif kind == "rate_limited":
            led.degraded = "rate_limited"
        self.events.emit("error", source=sid, kind=kind, url=request.url, message=message[:200])
        ctx = request.meta.get("ogi", {})
        if ctx.get("role") in ("page", "doc") and kind not in REFUSALS:
            self._remember(spider, ctx, kind, getattr(getattr(failure.value, "response", None), "status", 0))

    def on_document_refused(self, request: Request, kind: str, message: str, status: int, spider) -> None:
        ctx = request.meta["ogi"]
        spider.ledger[ctx["source"]].error(kind, ctx["url"], message)
        self._remember(spider, ctx, kind, status)

    def _remember(self, spider, ctx: dict[str, Any], kind: str, status: int) -> None:
        if self.history is None:
            return
        src = spider.sources[ctx["source"]]
        keys = ("organ", "report_year", "title", "listing_url", "page_url", "link_text", "published_date")
        self.history.record_failure(
            FailedFetch(
                url=ctx["url"],
                status=status,
                error=kind,
                kind="page" if ctx.get("role") == "page" else "attachment",
                source_id=src.id,
                jurisdiction_code=src.jurisdiction_code,
                fetched_at=now_iso(),
                crawl_id=spider.crawl_id,
                context={k: ctx.get(k) for k in keys},
            )
        )

    def spider_closed(self, spider, reason: str) -> None:
        runs = self.data_dir / "runs"
        filename = f"crawl-{spider.crawl_id}.json"
        meta = {
            "crawl_id": spider.crawl_id,
            "started_at": self.started_at,
            "finished_at": now_iso(),
            "finish_reason": reason,
            "duration_s": round(time.monotonic() - self._t0, 3),
            "data_dir": str(self.data_dir),
            "refresh": self.refresh,
            "bounds": caps(self.crawler.settings),
        }
        self.report = crawl_report.build(spider.ledger, meta, runs, filename)
        self.report_path = crawl_report.write(self.report, runs, filename)
        self.events.emit("report", path=str(self.report_path))
        if self.history is not None:
            self.history.close()
