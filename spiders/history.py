"""What the crawl knows of earlier fetches: the raw store's manifest, as protocols.

Why protocols: the raw store belongs to ``pipelines`` (above ``spiders``), yet the refresh
middleware reads it and the crawl accounts write failures into it. The crawl process
(``pipelines.crawl``) injects an implementation through the ``OGI_FETCH_HISTORY`` setting:
the dotted path of a callable taking the Scrapy settings and returning a ``FetchHistory``.
Without it, every document is fetched and no failure is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from scrapy.utils.misc import load_object


class PriorFetch(Protocol):
    """One manifest row, as far as the crawl reads it (``pipelines.rawstore.FetchRecord``)."""

    url: str
    kind: str | None
    fetched_at: str | None
    published_date: str | None
    etag: str | None
    last_modified: str | None
    organ: str | None
    report_year: int | None
    year_source: str | None
    title: str | None
    listing_url: str | None
    page_url: str | None
    link_text: str | None
    final_url: str | None
    headers: dict[str, str]
    format: str | None
    sha256: str | None
    size: int | None


@dataclass(frozen=True)
class FailedFetch:
    """A document that could not be fetched (or was refused), kept so the next crawl retries it."""

    url: str
    status: int
    error: str  # the error kind, as in the crawl report
    kind: str  # page | attachment
    source_id: str
    jurisdiction_code: str | None
    fetched_at: str
    crawl_id: str
    context: dict[str, Any]  # organ, report_year, title, listing_url, page_url, link_text, published_date


class FetchHistory(Protocol):
    """The read side the refresh planner needs (``pipelines.rawstore.RawStore`` has it)."""

    def latest(self, url: str) -> PriorFetch | None:
        """The last fetch of ``url`` that holds bytes (what the store has now)."""

    def last_checked(self, url: str) -> PriorFetch | None:
        """The last successful contact with ``url`` (a 304 counts)."""

    def attachment_urls(self, page_url: str) -> list[str]:
        """Attachment URLs last seen on a report page."""


class CrawlHistory(FetchHistory, Protocol):
    """What the crawl process injects: the read side, plus keeping failures and closing."""

    def record_failure(self, failed: FailedFetch) -> None:
        """Keep a failed document in the manifest (no bytes), so the next crawl retries it."""

    def close(self) -> None:
        """Release the store."""


def open_history(settings) -> CrawlHistory | None:
    """The history the crawl process injected (``OGI_FETCH_HISTORY``), or None."""
    path = settings.get("OGI_FETCH_HISTORY")
    return load_object(path)(settings) if path else None
