"""The report spider: from a registry entry to every annual report document on the site.

Roles of a page, carried in ``request.meta["ogi"]``:
  home    the homepage; leads to the 信息公开 portal and 年报 columns
  hub     a 信息公开 portal (the government's or an organ's) or a list of organ sub-sites
  listing a 年报 column page (and its other pages, per CMS family)
  page    a report page (inline report, often with attachments)
  doc     an attachment
One spider serves many sources at once, so Scrapy's scheduler keeps many hosts busy
while the per-host download slots keep each one polite. Family quirks live in
``spiders.cms``; labels are read by ``spiders.links``; the refresh policy by
``spiders.incremental``.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urljoin, urlsplit

import scrapy
from parsel import Selector
from scrapy import signals
from scrapy.http import Request, Response, TextResponse

from extractors.sniff import pdf_has_eof
from pipelines.rawstore import FetchRecord, RawStore
from spiders import crawl_report
from spiders.cms import anchor_links, families_for
from spiders.cms.base import Link
from spiders.events import EventSink
from spiders.incremental import Planner, RefreshPolicy
from spiders.items import DocumentItem
from spiders.ledger import CrawlLedger, classify_failure
from spiders.links import LinkKind, classify
from spiders.registry import Source
from spiders.sniff import PAGE_FORMATS, file_name, sniff_format
from spiders.titles import is_interpretation, normalise, parse_title

KEEP_HEADERS = ("ETag", "Last-Modified", "Content-Type", "Content-Length", "Content-Disposition", "Server", "Location")


@dataclass
class Chain:
    """One listing's pages: bounded, and stopped when a page brings nothing new."""

    scheduled: set[str] = field(default_factory=set)
    seen_links: set[str] = field(default_factory=set)
    capped: bool = False


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def new_crawl_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


class ReportSpider(scrapy.Spider):
    name = "reports"

    def __init__(self, sources: list[Source] | None = None, crawl_id: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.sources: dict[str, Source] = {s.id: s for s in (sources or [])}
        self.crawl_id = crawl_id or new_crawl_id()
        self.ledger = CrawlLedger()
        self.chains: dict[str, Chain] = {}
        self.claimed: set[str] = set()
        self.netloc_source: dict[str, str] = {}
        for src in self.sources.values():
            self.ledger[src.id].jurisdiction_code = src.jurisdiction_code
            for host in src.allowed_hosts:
                self.netloc_source.setdefault(host, src.id)
        self.report_path: Path | None = None
        self.started_at = now_iso()
        self._t0 = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any) -> "ReportSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        s = crawler.settings
        spider.configure(s.get("OGI_DATA_DIR") or "data", s.getint("OGI_MAX_HOPS", 6),
                         s.getint("OGI_MAX_LISTING_PAGES", 50),
                         RefreshPolicy(s.get("OGI_REFRESH_MODE", "skip"), s.getfloat("OGI_REFRESH_DAYS", 30.0)),
                         s.get("OGI_STDOUT"))
        crawler.signals.connect(spider._on_request, signal=signals.request_reached_downloader)
        crawler.signals.connect(spider._on_response, signal=signals.response_received)
        crawler.signals.connect(spider._on_item, signal=signals.item_scraped)
        crawler.signals.connect(spider._on_spider_error, signal=signals.spider_error)
        return spider

    def configure(self, data_dir: str | Path, max_hops: int = 6, max_pages: int = 50,
                  policy: RefreshPolicy | None = None, stdout: str | None = None) -> "ReportSpider":
        """Everything the spider reads from settings; called by ``from_crawler``, or directly
        by parsing tests that feed saved responses without a crawl."""
        self.data_dir = Path(data_dir)
        self.max_hops = max_hops
        self.max_pages = max_pages
        self.policy = policy or RefreshPolicy()
        self.store = RawStore(self.data_dir / "raw")
        self.planner = Planner(self.store, self.policy)
        self.events = EventSink(stdout)
        return self

    # start ---------------------------------------------------------------------------
    async def start(self):
        for src in self.sources.values():
            self.events.emit("source", source=src.id, jurisdiction_code=src.jurisdiction_code, url=src.homepage)
            if src.columns:
                for url in src.columns:
                    yield self._request(url, self.parse_hub, src, role="listing", hops=0, chain=url)
            else:
                yield self._request(src.homepage, self.parse_hub, src, role="home", hops=0)

    def _request(self, url: str, callback, src: Source, role: str, headers: dict[str, str] | None = None,
                 conditional: bool = False, http: dict[str, Any] | None = None, **ctx: Any) -> Request:
        """A request with its context in ``meta["ogi"]``; ``http`` may change the wire form (a POST)."""
        meta = {"ogi": {"source": src.id, "role": role, "url": url, **ctx}}
        if conditional:
            meta["handle_httpstatus_list"] = [304]
        priority = {"doc": 30, "page": 20, "listing": 10}.get(role, 0)
        http = dict(http or {})
        wire_url = http.pop("url", url)
        headers = {**(headers or {}), **http.pop("headers", {})}
        return Request(wire_url, callback=callback, errback=self.on_error, headers=headers or None, meta=meta,
                       priority=priority, **http)

    # hubs and listings ---------------------------------------------------------------
    def parse_hub(self, response: Response) -> Iterator[Any]:
        ctx = response.meta["ogi"]
        src = self.sources[ctx["source"]]
        if not isinstance(response, TextResponse) or sniff_format(response.body) not in PAGE_FORMATS:
            # a column link that serves a document itself
            yield from self._document_item(response, {**ctx, "role": "doc", "kind": "attachment",
                                                      "page_url": ctx.get("listing_url") or response.url})
            return
        if response.request is not None and response.request.method == "POST":
            response = response.replace(url=ctx["url"])  # a POSTed record set: read it under its logical URL
        led = self.ledger[src.id]
        led.pages_fetched += 1
        if ctx["role"] == "listing":
            led.listing_pages += 1
        yield from self._follow(response, src, ctx)

    def _links(self, response: TextResponse, src: Source) -> tuple[list[Link], list]:
        fams = families_for(response, src.cms)
        sel = Selector(text=response.text, type="html")
        links = anchor_links(sel, response.url)
        for fam in fams:
            links.extend(fam.extra_links(response))
        for src_attr in sel.xpath("//iframe/@src | //frame/@src").getall():
            links.append(Link(url=urljoin(response.url, src_attr.strip()), text="", title="iframe"))
        return links, fams

    def _follow(self, response: TextResponse, src: Source, ctx: dict[str, Any], from_page: bool = False) -> Iterator[Any]:
        """Everything a hub or listing page leads to: reports, columns, portals, organs, next pages."""
        led = self.ledger[src.id]
        role = ctx["role"]
        in_listing = role == "listing"
        hops = ctx.get("hops", 0)
        links, fams = self._links(response, src)
        reports = 0
        content_links: set[str] = set()
        seen: set[str] = set()
        for link in links:
            content_links.add(link.url)
            if link.url in seen or link.url in (response.url, ctx["url"]):
                continue
            seen.add(link.url)
            if link.title == "iframe":
                if src.allows(link.url) and hops < self.max_hops and not from_page:
                    yield self._request(link.url, self.parse_hub, src, role=role, hops=hops + 1,
                                        organ=ctx.get("organ"), year_hint=ctx.get("year_hint"),
                                        chain=ctx.get("chain"))
                continue
            if from_page and (link.url == ctx["url"] or any(f.is_attachment(link) for f in fams)):
                continue  # the page itself and its attachments are handled by parse_page
            kind = classify(link.name, link.url, in_listing=in_listing)
            if kind is LinkKind.REPORT:
                reports += 1
                if not src.allows(link.url):
                    led.skipped["offsite"] += 1
                    continue
                yield from self._report_link(link, response, src, ctx, fams)
            elif kind is LinkKind.INTERPRETATION:
                led.skipped["interpretation"] += 1
            elif from_page:
                continue
            elif kind in (LinkKind.COLUMN, LinkKind.YEAR_COLUMN):
                if src.allows(link.url) and hops < self.max_hops:
                    year = parse_title(link.name)[1] if kind is LinkKind.YEAR_COLUMN else ctx.get("year_hint")
                    yield self._request(link.url, self.parse_hub, src, role="listing", hops=hops + 1,
                                        organ=ctx.get("organ"), year_hint=year, chain=link.url)
            elif kind in (LinkKind.PORTAL, LinkKind.ORGAN_LIST):
                if role in ("home", "hub") and src.allows(link.url) and hops < self.max_hops:
                    organ = ctx.get("organ") if kind is LinkKind.PORTAL else None
                    yield self._request(link.url, self.parse_hub, src, role="hub", hops=hops + 1, organ=organ,
                                        organ_depth=ctx.get("organ_depth", 0))
            elif kind is LinkKind.ORGAN:
                if role == "hub" and ctx.get("organ_depth", 0) < 1 and src.allows(link.url) and hops < self.max_hops:
                    yield self._request(link.url, self.parse_hub, src, role="hub", hops=hops + 1,
                                        organ=normalise(link.name), organ_depth=1)
        if from_page:
            return
        if in_listing or reports:
            yield from self._paginate(response, src, ctx, fams, content_links)

    def _paginate(self, response: TextResponse, src: Source, ctx: dict[str, Any], fams: list,
                  content_links: set[str]) -> Iterator[Request]:
        led = self.ledger[src.id]
        chain_key = ctx.get("chain") or response.url
        chain = self.chains.setdefault(chain_key, Chain(scheduled={chain_key}))
        chain.scheduled.add(response.url)
        page_no = ctx.get("page_no", 0)
        next_pages: list[str] = []
        wire: dict[str, dict[str, Any]] = {}
        for fam in fams:
            for url in fam.pagination(response, cap_pages=self.max_pages):
                next_pages.append(url)
                wire.setdefault(url, fam.request_kwargs(url))
        fresh = content_links - chain.seen_links - set(next_pages) - {response.url}
        chain.seen_links |= content_links
        if page_no > 0 and not fresh:
            if any(u not in chain.scheduled for u in next_pages):
                led.error("endless_pagination", response.url, "a listing page brought nothing new but links onwards")
            return
        for url in next_pages:
            if url in chain.scheduled or not src.allows(url):
                continue
            if len(chain.scheduled) >= self.max_pages:
                if not chain.capped:
                    chain.capped = True
                    led.error("pagination_cap", response.url, f"more than {self.max_pages} pages in one listing")
                break
            chain.scheduled.add(url)
            yield self._request(url, self.parse_hub, src, role="listing", hops=ctx.get("hops", 0),
                                organ=ctx.get("organ"), year_hint=ctx.get("year_hint"), chain=chain_key,
                                page_no=page_no + 1, http=wire.get(url))

    def _report_link(self, link: Link, response: TextResponse, src: Source, ctx: dict[str, Any],
                     fams: list) -> Iterator[Any]:
        body, year = parse_title(link.name)
        inferred = False
        if year is None and ctx.get("year_hint"):
            year = ctx["year_hint"]
        if year is None and link.date:
            year, inferred = int(link.date[:4]) - 1, True
        entry = {
            "organ": body or ctx.get("organ") or src.publisher,
            "report_year": year,
            "year_inferred": inferred,
            "title": link.name,
            "link_text": link.text or link.title,
            "published_date": link.date,
            "listing_url": response.url,
        }
        if any(f.is_attachment(link) for f in fams):
            self.ledger[src.id].report(link.url, year)
            yield from self._document_request(link.url, src, {**entry, "page_url": response.url})
        else:
            yield from self._page_request(link.url, src, entry)

    # report pages --------------------------------------------------------------------
    def _claim(self, url: str) -> bool:
        """True the first time a document URL comes up in this crawl (a listing may repeat it)."""
        if url in self.claimed:
            return False
        self.claimed.add(url)
        return True

    def _page_request(self, url: str, src: Source, entry: dict[str, Any]) -> Iterator[Any]:
        if not self._claim(url):
            return
        plan = self.planner.plan(url, entry.get("published_date"), src.politeness.refresh_days)
        if plan.fetch:
            yield self._request(url, self.parse_page, src, role="page", headers=plan.headers,
                                conditional=bool(plan.headers), **entry)
            return
        self.ledger[src.id].report(url, entry.get("report_year") or plan.previous.report_year)
        yield self._known_item(plan.previous, src, {**entry, "page_url": url, "kind": "page"})
        for att in self.planner.attachments_of(url):
            yield from self._document_request(att, src, {**entry, "page_url": url})

    def parse_page(self, response: Response) -> Iterator[Any]:
        ctx = response.meta["ogi"]
        src = self.sources[ctx["source"]]
        led = self.ledger[src.id]
        url = ctx["url"]
        if response.status == 304:
            previous = self.store.latest(url)
            led.report(url, ctx.get("report_year"))
            yield self._not_modified_item(response, previous, src, {**ctx, "page_url": url, "kind": "page"})
            for att in self.planner.attachments_of(url):
                yield from self._document_request(att, src, {**self._entry(ctx), "page_url": url})
            return
        if not isinstance(response, TextResponse) or sniff_format(response.body) not in PAGE_FORMATS:
            led.report(url, ctx.get("report_year"))
            yield from self._document_item(response, {**ctx, "kind": "attachment", "page_url": ctx.get("listing_url")})
            return
        led.pages_fetched += 1
        title = ctx.get("title") or self._page_title(response)
        if title and is_interpretation(title):
            led.skipped["interpretation"] += 1
            return
        if ctx.get("report_year") is None:
            ctx = {**ctx, "report_year": parse_title(self._page_title(response) or "")[1]}
        led.report(url, ctx.get("report_year"))
        yield from self._document_item(response, {**ctx, "kind": "page", "page_url": url, "title": title})
        links, fams = self._links(response, src)
        done: set[str] = set()
        for link in links:
            if link.url in done or link.title == "iframe" or not any(f.is_attachment(link) for f in fams):
                continue
            done.add(link.url)
            if is_interpretation(link.name):
                led.skipped["interpretation"] += 1
                continue
            if not src.allows(link.url):
                led.skipped["offsite"] += 1
                continue
            yield from self._document_request(link.url, src, {**self._entry(ctx), "title": title, "page_url": url,
                                                              "link_text": link.text or link.title})
        # a "report" link that was really a listing (e.g. a per-year sub-column named like a report)
        yield from self._follow(response, src, {**ctx, "role": "listing"}, from_page=True)

    @staticmethod
    def _page_title(response: TextResponse) -> str | None:
        sel = Selector(text=response.text, type="html")
        for xp in ("//meta[@name='ArticleTitle']/@content", "//h1//text()", "//title/text()"):
            found = normalise("".join(sel.xpath(xp).getall()))
            if found:
                return found
        return None

    # attachments ---------------------------------------------------------------------
    def _document_request(self, url: str, src: Source, entry: dict[str, Any]) -> Iterator[Any]:
        if not self._claim(url):
            return
        plan = self.planner.plan(url, None, src.politeness.refresh_days)
        if plan.fetch:
            yield self._request(url, self.parse_document, src, role="doc", headers=plan.headers,
                                conditional=bool(plan.headers), kind="attachment", **entry)
        else:
            yield self._known_item(plan.previous, src, {**entry, "kind": "attachment"})

    def parse_document(self, response: Response) -> Iterator[Any]:
        ctx = response.meta["ogi"]
        src = self.sources[ctx["source"]]
        if response.status == 304:
            yield self._not_modified_item(response, self.store.latest(ctx["url"]), src, ctx)
            return
        yield from self._document_item(response, ctx)

    # items ---------------------------------------------------------------------------
    @staticmethod
    def _entry(ctx: dict[str, Any]) -> dict[str, Any]:
        keys = ("organ", "report_year", "year_inferred", "title", "link_text", "published_date", "listing_url")
        return {k: ctx.get(k) for k in keys}

    def _document_item(self, response: Response, ctx: dict[str, Any]) -> Iterator[DocumentItem]:
        src = self.sources[ctx["source"]]
        led = self.ledger[src.id]
        body = response.body
        disposition = (response.headers.get("Content-Disposition") or b"").decode("latin-1")
        fmt = sniff_format(body, file_name(response.url, disposition) or file_name(ctx["url"]))
        if fmt == "pdf" and not pdf_has_eof(body):
            led.error("truncated", ctx["url"], f"PDF without %%EOF ({len(body)} bytes)")
            self._remember_failure(ctx, "truncated", response.status)
            return
        led.documents_downloaded += 1
        led.bytes_downloaded += len(body)
        yield DocumentItem(
            source_id=src.id,
            jurisdiction_code=src.jurisdiction_code,
            kind=ctx.get("kind", "attachment"),
            url=ctx["url"],
            organ=ctx.get("organ"),
            report_year=ctx.get("report_year"),
            year_inferred=bool(ctx.get("year_inferred")),
            title=ctx.get("title"),
            listing_url=ctx.get("listing_url"),
            page_url=ctx.get("page_url"),
            link_text=ctx.get("link_text"),
            published_date=ctx.get("published_date"),
            final_url=response.url,
            status=response.status,
            headers=self._headers(response),
            fetched_at=now_iso(),
            body=body,
            format=fmt,
            size=len(body),
            crawl_id=self.crawl_id,
        )

    def _known_item(self, prev: FetchRecord, src: Source, ctx: dict[str, Any]) -> DocumentItem:
        """A known, fresh document re-announced from the manifest without a request."""
        return DocumentItem(
            source_id=src.id,
            jurisdiction_code=src.jurisdiction_code,
            kind=ctx.get("kind") or prev.kind,
            url=prev.url,
            organ=ctx.get("organ") or prev.organ,
            report_year=ctx.get("report_year") or prev.report_year,
            title=ctx.get("title") or prev.title,
            listing_url=ctx.get("listing_url") or prev.listing_url,
            page_url=ctx.get("page_url") or prev.page_url,
            link_text=ctx.get("link_text") or prev.link_text,
            published_date=ctx.get("published_date") or prev.published_date,
            final_url=prev.final_url,
            status=None,
            headers=prev.headers,
            fetched_at=prev.fetched_at,
            format=prev.format,
            sha256=prev.sha256,
            size=prev.size,
            change="unchanged",
            crawl_id=self.crawl_id,
        )

    def _not_modified_item(self, response: Response, prev: FetchRecord | None, src: Source,
                           ctx: dict[str, Any]) -> DocumentItem:
        item = self._known_item(prev, src, ctx) if prev else DocumentItem(src.id, src.jurisdiction_code,
                                                                           ctx.get("kind", "attachment"), ctx["url"])
        item.status = 304
        item.fetched_at = now_iso()
        item.final_url = response.url
        item.headers = {**item.headers, **self._headers(response)}
        return item

    @staticmethod
    def _headers(response: Response) -> dict[str, str]:
        out = {}
        for name in KEEP_HEADERS:
            value = response.headers.get(name)
            if value is not None:
                out[name] = value.decode("latin-1")
        return out

    # accounting ----------------------------------------------------------------------
    def _source_of(self, request: Request) -> str | None:
        ctx = request.meta.get("ogi")
        if ctx:
            return ctx["source"]
        parts = urlsplit(request.url)
        return self.netloc_source.get(parts.netloc.lower()) or self.netloc_source.get((parts.hostname or "").lower())

    def _on_request(self, request: Request, spider: scrapy.Spider) -> None:
        sid = self._source_of(request)
        if sid:
            role = request.meta.get("ogi", {}).get("role", "robots" if request.url.endswith("/robots.txt") else "other")
            self.ledger[sid].requests[role] += 1

    def _on_response(self, response: Response, request: Request, spider: scrapy.Spider) -> None:
        sid = self._source_of(request)
        if sid:
            self.ledger[sid].responses[response.status] += 1
            ctx = request.meta.get("ogi", {})
            self.events.emit("page", source=sid, role=ctx.get("role", "robots"), url=request.url,
                             status=response.status)

    def _on_item(self, item: DocumentItem, response: Response | None, spider: scrapy.Spider) -> None:
        led = self.ledger[item.source_id]
        if item.change:
            led.documents[item.change] += 1
        if item.format:
            led.formats[item.format] += 1

    def _on_spider_error(self, failure, response: Response, spider: scrapy.Spider) -> None:
        sid = self._source_of(response.request) if response is not None and response.request else None
        if sid:
            self.ledger[sid].error("parse_error", response.url, f"{type(failure.value).__name__}: {failure.value}")

    def on_error(self, failure) -> list[Request] | None:
        request = failure.request
        sid = self._source_of(request)
        if not sid:
            return None
        status = getattr(getattr(failure.value, "response", None), "status", 0)
        ctx = request.meta.get("ogi", {})
        if request.method == "POST" and status in (400, 404, 405, 411, 501) and ctx.get("url"):
            # A site (or a proxy in front of it) that takes the record-set query only as a GET:
            # ask again with every parameter in the URL, once.
            return [request.replace(url=ctx["url"], method="GET", body=b"", headers={}, dont_filter=True)]
        kind, message = classify_failure(failure)
        led = self.ledger[sid]
        if kind == "robots":
            led.skipped["robots"] += 1
            return
        led.error(kind, request.url, message)
        self.events.emit("error", source=sid, kind=kind, url=request.url, message=message[:200])
        if ctx.get("role") in ("page", "doc"):
            self._remember_failure(ctx, kind, status)
        return None

    def _remember_failure(self, ctx: dict[str, Any], kind: str, status: int) -> None:
        """A failed document goes into the manifest (no bytes), so the next crawl retries it."""
        sid = ctx["source"]
        src = self.sources[sid]
        self.store.record(FetchRecord(
            url=ctx["url"], sha256=None, fetched_at=now_iso(), status=status,
            kind="page" if ctx.get("role") == "page" else "attachment", source_id=sid,
            jurisdiction_code=src.jurisdiction_code, organ=ctx.get("organ"), report_year=ctx.get("report_year"),
            title=ctx.get("title"), listing_url=ctx.get("listing_url"), page_url=ctx.get("page_url"),
            link_text=ctx.get("link_text"), published_date=ctx.get("published_date"),
            headers={"error": kind}, crawl_id=self.crawl_id))

    def closed(self, reason: str) -> None:
        runs = self.data_dir / "runs"
        filename = f"crawl-{self.crawl_id}.json"
        meta = {
            "crawl_id": self.crawl_id,
            "started_at": self.started_at,
            "finished_at": now_iso(),
            "finish_reason": reason,
            "duration_s": round(time.monotonic() - self._t0, 3),
            "data_dir": str(self.data_dir),
            "refresh": {"mode": self.policy.mode, "max_age_days": self.policy.max_age_days},
        }
        report = crawl_report.build(self.ledger, meta, runs, filename)
        self.report_path = crawl_report.write(report, runs, filename)
        self.report = report
        self.events.emit("report", path=str(self.report_path))
        self.store.close()
