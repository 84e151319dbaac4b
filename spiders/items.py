"""The one item the spiders yield: a document (inline report page or attachment) with provenance.

Why one item kind: the raw store, the crawl report and ``ogi crawl --json`` all key on
documents; a listing entry's context (organ, year, link text, date) travels with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any


def now_iso() -> str:
    """A fetch's timestamp as items and the manifest keep it: UTC, to the second."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass
class DocumentItem:
    source_id: str
    jurisdiction_code: str | None
    kind: str  # page | attachment
    url: str  # the document URL as linked (downfile.jsp links keep their own URL)
    organ: str | None = None
    report_year: int | None = None
    year_source: str | None = None  # title | year_column | published_date (a guess from the date, flagged)
    title: str | None = None
    listing_url: str | None = None
    page_url: str | None = None
    link_text: str | None = None
    published_date: str | None = None
    final_url: str | None = None
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    fetched_at: str | None = None
    body: bytes | None = None  # None: not downloaded (known and fresh, or 304)
    format: str | None = None
    sha256: str | None = None
    size: int | None = None
    change: str | None = None  # new | changed | unchanged (set by the store pipeline)
    crawl_id: str | None = None
    # the content check (set by the crawl process's verdict pipeline, from the extractor's classification)
    not_a_report: str | None = None  # what the document is instead: notice, news, bulletin, template, ...
    flags: list[str] = field(default_factory=list)  # e.g. content_unread:<code>, year_from_published_date
    duplicate_of: str | None = None  # the report's URL when the same bytes were already counted under it

    def json_line(self) -> dict[str, Any]:
        """The ``ogi crawl --json`` contract (architecture.md): one object per document."""
        return {
            "source": self.source_id,
            "jurisdiction_code": self.jurisdiction_code,
            "organ": self.organ,
            "report_year": self.report_year,
            "title": self.title,
            "page_url": self.page_url,
            "document_url": self.url,
            "format": self.format,
            "sha256": self.sha256,
            "status": self.change,
            "year_source": self.year_source,
            "not_a_report": self.not_a_report,
            "flags": self.flags,
            "duplicate_of": self.duplicate_of,
        }
