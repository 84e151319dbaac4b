"""Per-source accounting of a crawl: requests, pages, documents, reports by year, errors by kind.

Why per source: one broken site must show up as that site's errors, never as a
failed run; the crawl report and the progress display read from here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from twisted.python.failure import Failure

MAX_SAMPLES = 10
# Requests the crawler refused to make (spiders.middlewares.Refused): reported, never stored or retried.
REFUSALS = frozenset(
    {
        "offsite",
        "offsite_redirect",
        "private_address",
        "port_not_allowed",
        "scheme_not_allowed",
        "cap_reached",
        "rate_limited",
    }
)
# Anti-bot interstitials: 412 + a JavaScript check, 521 + a JavaScript-set cookie (the old name was waf_412).
WAF_STATUSES = frozenset({412, 521})


@dataclass
class SourceLedger:
    source_id: str
    jurisdiction_code: str | None = None
    requests: Counter = field(default_factory=Counter)  # by role, robots.txt included
    responses: Counter = field(default_factory=Counter)  # by HTTP status
    pages_fetched: int = 0  # HTML pages parsed (home, portals, listings, report pages)
    listing_pages: int = 0
    documents_downloaded: int = 0  # report pages and attachments whose bytes came over the wire
    bytes_downloaded: int = 0
    documents: Counter = field(default_factory=Counter)  # new / changed / unchanged
    formats: Counter = field(default_factory=Counter)
    reports: dict[str, int | None] = field(default_factory=dict)  # report key -> year
    errors: Counter = field(default_factory=Counter)
    error_samples: list[dict[str, str]] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)  # interpretation / offsite / robots / ...
    caps_reached: Counter = field(default_factory=Counter)  # cap name -> requests refused by it
    fetched_by_browser: int = 0  # responses that came through the browser path (anti-bot checks)
    degraded: str | None = None  # why the site was given up before the end (rate_limited)
    not_a_report: Counter = field(default_factory=Counter)  # documents the content check rejected, by reason
    classified: int = 0  # documents whose content was checked in this run (a kept verdict is reused)
    unread: int = 0  # documents whose content could not be read at crawl time: kept as candidates, flagged
    duplicates: int = 0  # report URLs whose bytes were already counted under another URL
    rejected: set[str] = field(default_factory=set)  # report keys taken back (not a report, or a duplicate)
    report_sha: dict[str, str] = field(default_factory=dict)  # sha256 -> the report key counted for it

    def error(self, kind: str, url: str, message: str = "") -> None:
        self.errors[kind] += 1
        if len(self.error_samples) < MAX_SAMPLES:
            self.error_samples.append({"kind": kind, "url": url, "message": message[:300]})

    def report(self, key: str, year: int | None) -> None:
        if key in self.rejected:
            return
        if key not in self.reports or self.reports[key] is None:
            self.reports[key] = year

    def verdict(
        self, key: str | None, sha256: str | None, kind: str, reason: str | None, year: int | None
    ) -> str | None:
        """Book a document's content check; ``key`` is the report it stands for (None: an attachment
        of a page). Returns the report URL already counted for the same bytes, if any."""
        if kind == "unread":
            self.unread += 1
        if kind == "not_a_report":
            self.not_a_report[reason or "other_report"] += 1
        if key is None:
            return None
        if kind == "not_a_report":
            self.reports.pop(key, None)
            self.rejected.add(key)
            return None
        first = self.report_sha.setdefault(sha256, key) if sha256 else key
        if first != key:  # the same report under a second URL
            self.reports.pop(key, None)
            self.rejected.add(key)
            self.duplicates += 1
            return first
        if key in self.reports and year is not None:
            self.reports[key] = year  # the document's own year, where the listing had none or a guess
        return None

    def reports_by_year(self) -> dict[str, int]:
        years = Counter(str(y) if y is not None else "unknown" for y in self.reports.values())
        return dict(sorted(years.items()))

    def to_dict(self) -> dict[str, Any]:
        return {
            "jurisdiction_code": self.jurisdiction_code,
            "requests": sum(self.requests.values()),
            "requests_by_role": dict(self.requests),
            "responses_by_status": {str(k): v for k, v in sorted(self.responses.items())},
            "pages_fetched": self.pages_fetched,
            "listing_pages": self.listing_pages,
            "documents_downloaded": self.documents_downloaded,
            "bytes_downloaded": self.bytes_downloaded,
            "reports_found": len(self.reports),
            "reports_by_year": self.reports_by_year(),
            "documents": {k: self.documents.get(k, 0) for k in ("new", "changed", "unchanged")},
            "formats": dict(self.formats),
            "errors": dict(self.errors),
            "error_samples": self.error_samples,
            "skipped": dict(self.skipped),
            "cap_reached": dict(self.caps_reached),
            "not_a_report": dict(self.not_a_report),
            "classified": self.classified,
            "content_unread": self.unread,
            "duplicates": self.duplicates,
            "fetched_by_browser": self.fetched_by_browser,
            "degraded": self.degraded,
        }


class CrawlLedger:
    def __init__(self) -> None:
        self.sources: dict[str, SourceLedger] = {}

    def __getitem__(self, source_id: str) -> SourceLedger:
        if source_id not in self.sources:
            self.sources[source_id] = SourceLedger(source_id)
        return self.sources[source_id]


def classify_failure(failure: Failure) -> tuple[str, str]:
    """(error kind, message) for a failed request; kinds are stable names for the crawl report."""
    from scrapy import exceptions as sx
    from scrapy.exceptions import IgnoreRequest
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.internet import error as terr
    from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

    exc = failure.value
    message = f"{type(exc).__name__}: {exc}"
    if getattr(exc, "kind", None) in REFUSALS:
        return exc.kind, str(exc)
    scrapy_kinds = {
        "DownloadConnectionRefusedError": "site_down",
        "CannotResolveHostError": "dns",
        "DownloadTimeoutError": "timeout",
        "ResponseDataLossError": "truncated",
        "DownloadFailedError": "response_failed",
    }
    for name, kind in scrapy_kinds.items():
        cls = getattr(sx, name, None)
        if cls is not None and isinstance(exc, cls):
            return kind, message
    cancelled = getattr(sx, "DownloadCancelledError", None)
    if cancelled is not None and isinstance(exc, cancelled):
        return ("too_large" if "max" in str(exc).lower() else "cancelled"), message
    if isinstance(exc, HttpError):
        status = exc.response.status
        if status in WAF_STATUSES:
            return "waf_challenge", message
        if status >= 500:
            return "http_5xx", f"HTTP {status}"
        return f"http_{status}", f"HTTP {status}"
    if isinstance(exc, IgnoreRequest):
        text = str(exc).lower()
        if "robots" in text:
            return "robots", message
        if "redirect" in text:
            return "redirect_loop", message
        return "ignored", message
    if (
        isinstance(exc, (terr.TimeoutError, terr.TCPTimedOutError))
        or "timeout" in type(exc).__name__.lower()
        or "took longer than" in str(exc)
    ):
        return "timeout", message
    if isinstance(exc, (terr.ConnectionRefusedError, terr.ConnectError, terr.NoRouteError)):
        return "site_down", message
    if isinstance(exc, terr.DNSLookupError):
        return "dns", message
    if isinstance(exc, (ResponseFailed, ResponseNeverReceived)):
        reasons = " ".join(repr(r.value) for r in getattr(exc, "reasons", []) if hasattr(r, "value"))
        if "DataLoss" in reasons or "PotentialDataLoss" in reasons or "DataLoss" in message:
            return "truncated", message
        if "ConnectionLost" in reasons or "ConnectionDone" in reasons:
            return "connection_lost", message
        return "response_failed", message
    if "max size" in str(exc).lower() or "maxsize" in str(exc).lower():
        return "too_large", message
    if isinstance(exc, terr.ConnectionLost):
        return "connection_lost", message
    return type(exc).__name__.lower(), message
