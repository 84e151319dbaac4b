"""The report spider: from a registry entry to every annual report document on the site.

Roles of a page, carried in ``request.meta["ogi"]``:
  home    the homepage; leads to the 信息公开 portal and 年报 columns
  hub     a 信息公开 portal (the government's or an organ's) or a list of organ sub-sites
  listing a 年报 column page (and its other pages, per CMS family)
  page    a report page (inline report, often with attachments)
  doc     an attachment
One spider serves many sources at once, so Scrapy's scheduler keeps many hosts busy
while the per-host download slots keep each one polite. Family quirks live in
``spiders.cms``; labels are read by ``spiders.links``. The spider only yields requests and
items: whether a known document is fetched again is ``spiders.incremental``'s middleware
(its answer arrives in ``meta``), the books are ``spiders.extensions``', storage is the item
pipelines'. What only parsing can see (pages parsed, reports found, links skipped) goes
into ``self.ledger``, as a Scrapy spider writes into ``crawler.stats``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterator
from urllib.parse import urljoin

import scrapy
from parsel import Selector
from scrapy.http import Request, Response, TextResponse

from extractors.sniff import pdf_has_eof
from spiders import signals as ogi_signals
from spiders.cms import anchor_links, families_for
from spiders.cms.base import Link
from spiders.history import PriorFetch
from spiders.items import DocumentItem, now_iso
from spiders.ledger import CrawlLedger
from spiders.links import LinkKind, classify
from spiders.registry import Source
from spiders.sniff import PAGE_FORMATS, file_name, sniff_format
from spiders.titles import is_interpretation, normalise, parse_title

# Next pages of one listing in flight at once: a fruitful page gives its request back to the
# per-pattern cap (spiders.middlewares.CapsMiddleware) before the cap is reached, however many
# pages a listing announces up front.
PAGINATION_WINDOW = 4
KEEP_HEADERS = ("ETag", "Last-Modified", "Content-Type", "Content-Length", "Content-Disposition", "Server", "Location")


@dataclass
class Chain:
    """One listing's pages: bounded, and stopped when a page brings nothing new."""

    scheduled: set[str] = field(default_factory=set)
    seen_links: set[str] = field(default_factory=set)
    capped: bool = False
    waiting: list[Request] = field(default_factory=list)  # next pages decided, not yet released
    in_flight: int = 0  # next pages released whose response has not been parsed yet


def new_crawl_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


class ReportSpider(scrapy.Spider):
    name = "reports"

    def __init__(
        self,
        sources: list[Source] | None = None,
        crawl_id: str | None = None,
        max_hops: int = 6,
        max_pages: int = 50,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.sources: dict[str, Source] = {s.id: s for s in (sources or [])}
        self.crawl_id = crawl_id or new_crawl_id()
        self.max_hops = max_hops  # links from the homepage to a 年报 column, pagination not counted
        self.max_pages = max_pages  # per listing chain
        self.ledger = CrawlLedger()
        self.chains: dict[str, Chain] = {}
        self.claimed: set[str] = set()
        self.claims = 0  # documents claimed so far: a navigation page that raises it brought something new

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any) -> "ReportSpider":
        s = crawler.settings
        kwargs.setdefault("max_hops", s.getint("OGI_MAX_HOPS", 6))
        kwargs.setdefault("max_pages", s.getint("OGI_MAX_LISTING_PAGES", 50))
        return super().from_crawler(crawler, *args, **kwargs)

    # start ---------------------------------------------------------------------------
    async def start(self):
        for src in self.sources.values():
            if src.columns:
                for url in src.columns:
                    yield self._request(url, self.parse_hub, src, role="listing", hops=0, chain=url)
            else:
                yield self._request(src.homepage, self.parse_hub, src, role="home", hops=0)

    def _request(
        self, url: str, callback, src: Source, role: str, http: dict[str, Any] | None = None, **ctx: Any
    ) -> Request:
        """A request with its context in ``meta["ogi"]``; ``http`` may change the wire form (a POST).
        Documents carry their source's ``refresh_days`` for the refresh middleware."""
        meta = {"ogi": {"source": src.id, "role": role, "url": url, **ctx}}
        if role in ("page", "doc"):
            meta["ogi"]["refresh_days"] = src.politeness.refresh_days
        priority = {"doc": 30, "page": 20, "listing": 10}.get(role, 0)
        http = dict(http or {})
        wire_url = http.pop("url", url)
        headers = http.pop("headers", None)
        return Request(
            wire_url,
            callback=callback,
            errback=self.on_error,
            headers=headers or None,
            meta=meta,
            priority=priority,
            **http,
        )

    # hubs and listings ---------------------------------------------------------------
    def parse_hub(self, response: Response) -> Iterator[Any]:
        ctx = response.meta["ogi"]
        src = self.sources[ctx["source"]]
        chain = self.chains.get(ctx.get("chain") or "") if ctx.get("page_no") else None
        if chain is not None:
            chain.in_flight -= 1  # one of the chain's next pages is back
        if not isinstance(response, TextResponse) or sniff_format(response.body) not in PAGE_FORMATS:
            # a column link that serves a document itself
            yield from self._document_item(
                response,
                {**ctx, "role": "doc", "kind": "attachment", "page_url": ctx.get("listing_url") or response.url},
            )
            if chain is not None:
                yield from self._release(chain)
            return
        if response.request is not None and response.request.method == "POST":
            response = response.replace(url=ctx["url"])  # a POSTed record set: read it under its logical URL
        led = self.ledger[src.id]
        led.pages_fetched += 1
        if ctx["role"] == "listing":
            led.listing_pages += 1
        before = self.claims
        yield from self._follow(response, src, ctx)
        if self.claims > before and hasattr(self, "crawler"):  # new report candidates: this request was no trap
            self.crawler.signals.send_catch_log(ogi_signals.navigation_fruitful, request=response.request, spider=self)

    def _links(self, response: TextResponse, src: Source) -> tuple[list[Link], list]:
        fams = families_for(response, src.cms)
        sel = Selector(text=response.text, type="html")
        links = anchor_links(sel, response.url)
        for fam in fams:
            links.extend(fam.extra_links(response))
        for src_attr in sel.xpath("//iframe/@src | //frame/@src").getall():
            links.append(Link(url=urljoin(response.url, src_attr.strip()), text="", title="iframe"))
        return links, fams

    def _follow(
        self, response: TextResponse, src: Source, ctx: dict[str, Any], from_page: bool = False
    ) -> Iterator[Any]:
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
                    yield self._request(
                        link.url,
                        self.parse_hub,
                        src,
                        role=role,
                        hops=hops + 1,
                        organ=ctx.get("organ"),
                        year_hint=ctx.get("year_hint"),
                        chain=ctx.get("chain"),
                    )
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
            elif not from_page and src.allows(link.url) and hops < self.max_hops:
                yield from self._navigate(link, kind, src, ctx)
        if from_page:
            return
        if in_listing or reports:
            yield from self._paginate(response, src, ctx, fams, content_links)

    def _navigate(self, link: Link, kind: LinkKind, src: Source, ctx: dict[str, Any]) -> Iterator[Request]:
        """A column, portal or organ link on an allowed host within the hop limit: one step further."""
        role, hops = ctx["role"], ctx.get("hops", 0)
        if kind in (LinkKind.COLUMN, LinkKind.YEAR_COLUMN):
            year = parse_title(link.name)[1] if kind is LinkKind.YEAR_COLUMN else ctx.get("year_hint")
            yield self._request(
                link.url,
                self.parse_hub,
                src,
                role="listing",
                hops=hops + 1,
                organ=ctx.get("organ"),
                year_hint=year,
                chain=link.url,
            )
        elif kind in (LinkKind.PORTAL, LinkKind.ORGAN_LIST) and role in ("home", "hub"):
            organ = ctx.get("organ") if kind is LinkKind.PORTAL else None
            yield self._request(
                link.url,
                self.parse_hub,
                src,
                role="hub",
                hops=hops + 1,
                organ=organ,
                organ_depth=ctx.get("organ_depth", 0),
            )
        elif kind is LinkKind.ORGAN and role == "hub" and ctx.get("organ_depth", 0) < 1:
            yield self._request(
                link.url, self.parse_hub, src, role="hub", hops=hops + 1, organ=normalise(link.name), organ_depth=1
            )

    def _paginate(
        self, response: TextResponse, src: Source, ctx: dict[str, Any], fams: list, content_links: set[str]
    ) -> Iterator[Request]:
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
            yield from self._release(chain)
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
            chain.waiting.append(
                self._request(
                    url,
                    self.parse_hub,
                    src,
                    role="listing",
                    hops=ctx.get("hops", 0),
                    organ=ctx.get("organ"),
                    year_hint=ctx.get("year_hint"),
                    chain=chain_key,
                    page_no=page_no + 1,
                    http=wire.get(url),
                )
            )
        yield from self._release(chain)

    @staticmethod
    def _release(chain: Chain) -> Iterator[Request]:
        """The chain's next pages, at most ``PAGINATION_WINDOW`` in flight."""
        while chain.waiting and chain.in_flight < PAGINATION_WINDOW:
            chain.in_flight += 1
            yield chain.waiting.pop(0)

    def _report_link(
        self, link: Link, response: TextResponse, src: Source, ctx: dict[str, Any], fams: list
    ) -> Iterator[Any]:
        body, year = parse_title(link.name)
        source = "title" if year is not None else None
        if year is None and ctx.get("year_hint"):
            year, source = ctx["year_hint"], "year_column"
        if year is None and link.date:  # reports come out early the next year: a guess, said as one
            year, source = int(link.date[:4]) - 1, "published_date"
        entry = {
            "organ": body or ctx.get("organ") or src.publisher,
            "report_year": year,
            "year_source": source,
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
        self.claims += 1
        return True

    def _page_request(self, url: str, src: Source, entry: dict[str, Any]) -> Iterator[Any]:
        if self._claim(url):
            yield self._request(url, self.parse_page, src, role="page", **entry)

    def parse_page(self, response: Response) -> Iterator[Any]:
        ctx = response.meta["ogi"]
        src = self.sources[ctx["source"]]
        led = self.ledger[src.id]
        url = ctx["url"]
        if response.meta.get("ogi_known") or response.status == 304:
            yield from self._known_page(response, src, ctx)
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
            yield from self._document_request(
                link.url,
                src,
                {**self._entry(ctx), "title": title, "page_url": url, "link_text": link.text or link.title},
            )
        # a "report" link that was really a listing (e.g. a per-year sub-column named like a report)
        yield from self._follow(response, src, {**ctx, "role": "listing"}, from_page=True)

    def _known_page(self, response: Response, src: Source, ctx: dict[str, Any]) -> Iterator[Any]:
        """A page known and fresh, or not modified: announced from the manifest, with the
        attachments last seen on it (the refresh middleware put both in ``meta``)."""
        url = ctx["url"]
        prior = response.meta.get("ogi_prior")
        if response.status == 304:
            self.ledger[src.id].report(url, ctx.get("report_year"))
            yield self._not_modified_item(response, prior, src, {**ctx, "page_url": url, "kind": "page"})
        else:
            self.ledger[src.id].report(url, ctx.get("report_year") or prior.report_year)
            yield self._known_item(prior, src, {**ctx, "page_url": url, "kind": "page"})
        for att in response.meta.get("ogi_attachments", ()):
            yield from self._document_request(att, src, {**self._entry(ctx), "page_url": url})

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
        if self._claim(url):
            yield self._request(url, self.parse_document, src, role="doc", kind="attachment", **entry)

    def parse_document(self, response: Response) -> Iterator[Any]:
        ctx = response.meta["ogi"]
        src = self.sources[ctx["source"]]
        if response.meta.get("ogi_known"):
            yield self._known_item(response.meta["ogi_prior"], src, ctx)
        elif response.status == 304:
            yield self._not_modified_item(response, response.meta.get("ogi_prior"), src, ctx)
        else:
            yield from self._document_item(response, ctx)

    # items ---------------------------------------------------------------------------
    @staticmethod
    def _entry(ctx: dict[str, Any]) -> dict[str, Any]:
        keys = ("organ", "report_year", "year_source", "title", "link_text", "published_date", "listing_url")
        return {k: ctx.get(k) for k in keys}

    def _document_item(self, response: Response, ctx: dict[str, Any]) -> Iterator[DocumentItem]:
        src = self.sources[ctx["source"]]
        led = self.ledger[src.id]
        body = response.body
        disposition = (response.headers.get("Content-Disposition") or b"").decode("latin-1")
        fmt = sniff_format(body, file_name(response.url, disposition) or file_name(ctx["url"]))
        if fmt == "pdf" and not pdf_has_eof(body):
            self.crawler.signals.send_catch_log(
                ogi_signals.document_refused,
                request=response.request,
                kind="truncated",
                message=f"PDF without %%EOF ({len(body)} bytes)",
                status=response.status,
                spider=self,
            )
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
            year_source=ctx.get("year_source"),
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

    def _known_item(self, prev: PriorFetch, src: Source, ctx: dict[str, Any]) -> DocumentItem:
        """A known, fresh document re-announced from the manifest without a request."""
        return DocumentItem(
            source_id=src.id,
            jurisdiction_code=src.jurisdiction_code,
            kind=ctx.get("kind") or prev.kind,
            url=prev.url,
            organ=ctx.get("organ") or prev.organ,
            report_year=ctx.get("report_year") or prev.report_year,
            year_source=ctx.get("year_source") or prev.year_source,
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

    def _not_modified_item(
        self, response: Response, prev: PriorFetch | None, src: Source, ctx: dict[str, Any]
    ) -> DocumentItem:
        item = (
            self._known_item(prev, src, ctx)
            if prev
            else DocumentItem(src.id, src.jurisdiction_code, ctx.get("kind", "attachment"), ctx["url"])
        )
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

    # failures ------------------------------------------------------------------------
    def on_error(self, failure) -> list[Request] | None:
        """Retry a refused POST as a GET; report every other failure to the crawl accounts."""
        request = failure.request
        status = getattr(getattr(failure.value, "response", None), "status", 0)
        ctx = request.meta.get("ogi", {})
        if request.method == "POST" and status in (400, 404, 405, 411, 501) and ctx.get("url"):
            # A site (or a proxy in front of it) that takes the record-set query only as a GET:
            # ask again with every parameter in the URL, once.
            return [request.replace(url=ctx["url"], method="GET", body=b"", headers={}, dont_filter=True)]
        self.crawler.signals.send_catch_log(ogi_signals.request_failed, failure=failure, request=request, spider=self)
        chain = self.chains.get(ctx.get("chain") or "") if ctx.get("page_no") else None
        if chain is None:
            return None
        chain.in_flight -= 1  # a next page that failed: let the chain's others go
        return list(self._release(chain))
