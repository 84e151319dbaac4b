"""Whether to fetch a known document again: the refresh policy over the raw store's manifest.

Why: a nightly crawl of an unchanged site must download no document. A document URL
seen recently is not requested at all (its last bytes are re-announced as
``unchanged``); an older one is revalidated with a conditional GET
(If-None-Match / If-Modified-Since), which costs a request but no download when the
server honours it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from pipelines.rawstore import FetchRecord, RawStore

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
    previous: FetchRecord | None = None


class Planner:
    def __init__(self, store: RawStore, policy: RefreshPolicy, now: datetime | None = None):
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

    def attachments_of(self, page_url: str) -> list[str]:
        """Attachment URLs last seen on a page that is not being re-read (stored or failed before)."""
        return self.store.attachment_urls(page_url)

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
