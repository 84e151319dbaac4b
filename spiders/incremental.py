"""Whether to fetch a known document again: the refresh policy over the raw store's manifest,
applied by a downloader middleware so the spider never reads the store.

Why: a nightly crawl of an unchanged site must download no document. A document URL
seen recently is not requested at all (its last bytes are re-announced as
``unchanged``); an older one is revalidated with a conditional GET
(If-None-Match / If-Modified-Since), which costs a request but no download when the
server honours it.

The middleware plans every report page and attachment request (``meta["ogi"]["role"]``
``page`` or ``doc``) and leaves the prior fetch in ``meta["ogi_prior"]``; a known, fresh
document is answered without a download (``meta["ogi_known"]``), and for a report page
not being re-read the attachments last seen on it are in ``meta["ogi_attachments"]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response

from spiders.history import CrawlHistory, FetchHistory, PriorFetch, open_history

MODES = ("skip", "revalidate", "refetch")


@dataclass(frozen=True)
class RefreshPolicy:
    """``skip``: known URLs younger than ``max_age_days`` are not requested; older ones are
    revalidated. ``revalidate``: every known URL gets a conditional GET. ``refetch``: plain GETs."""

    mode: str = "skip"
    max_age_days: float = 30.0

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"refresh mode must be one of {MODES}")


@dataclass
class Plan:
    fetch: bool
    headers: dict[str, str] = field(default_factory=dict)
    previous: PriorFetch | None = None


class Planner:
    def __init__(self, store: FetchHistory, policy: RefreshPolicy, now: datetime | None = None):
        self.store = store
        self.policy = policy
        self.now = now or datetime.now(timezone.utc)

    def plan(self, url: str, published_date: str | None = None, max_age_days: float | None = None) -> Plan:
        previous = self.store.latest(url)
        if previous is None or self.policy.mode == "refetch":
            return Plan(fetch=True, previous=previous)
        checked = self.store.last_checked(url) or previous
        max_age = self.policy.max_age_days if max_age_days is None else max_age_days
        republished = bool(published_date and previous.published_date and published_date != previous.published_date)
        if self.policy.mode == "skip" and not republished and self._age_days(checked.fetched_at) < max_age:
            return Plan(fetch=False, previous=previous)
        headers = {}
        if previous.etag:
            headers["If-None-Match"] = previous.etag
        if previous.last_modified:
            headers["If-Modified-Since"] = previous.last_modified
        return Plan(fetch=True, headers=headers, previous=previous)

    def _age_days(self, fetched_at: str | None) -> float:
        if not fetched_at:
            return float("inf")
        try:
            when = datetime.fromisoformat(fetched_at)
        except ValueError:
            return float("inf")
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        return (self.now - when).total_seconds() / 86400


class RefreshMiddleware:
    """Plans report page and attachment requests against the injected fetch history."""

    def __init__(self, history: CrawlHistory, policy: RefreshPolicy):
        self.history = history
        self.planner = Planner(history, policy)

    @classmethod
    def from_crawler(cls, crawler) -> RefreshMiddleware:
        s = crawler.settings
        history = open_history(s)
        if history is None:
            raise NotConfigured("no OGI_FETCH_HISTORY: every document is fetched")
        mw = cls(history, RefreshPolicy(s.get("OGI_REFRESH_MODE", "skip"), s.getfloat("OGI_REFRESH_DAYS", 30.0)))
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def process_request(self, request: Request) -> Response | None:
        ctx = request.meta.get("ogi") or {}
        if ctx.get("role") not in ("page", "doc") or "ogi_prior" in request.meta:
            return None
        published = ctx.get("published_date") if ctx["role"] == "page" else None
        plan = self.planner.plan(ctx["url"], published, ctx.get("refresh_days"))
        request.meta["ogi_prior"] = plan.previous
        if plan.fetch:
            if plan.headers:
                request.headers.update(plan.headers)
                request.meta["handle_httpstatus_list"] = [304]
            return None
        request.meta["ogi_known"] = True
        self._attachments(request)
        return Response(request.url, status=200, request=request, flags=["known"])

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status == 304 and request.meta.get("ogi_prior") is not None:
            self._attachments(request)
        return response

    def _attachments(self, request: Request) -> None:
        if request.meta["ogi"]["role"] == "page":
            request.meta["ogi_attachments"] = self.history.attachment_urls(request.meta["ogi"]["url"])

    def spider_closed(self) -> None:
        self.history.close()
