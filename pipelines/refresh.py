"""The raw store as the crawl's fetch history (``spiders.history.CrawlHistory``).

Why here: the spiders layer declares what it needs from earlier fetches and may not import
the store; this adapter, named in the ``OGI_FETCH_HISTORY`` setting by ``pipelines.crawl``,
gives it the raw store's manifest.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.rawstore import FetchRecord, RawStore
from spiders.history import FailedFetch


class RawStoreHistory:
    """Reads delegate to the store; a failure becomes a manifest row without bytes."""

    def __init__(self, store: RawStore):
        self.store = store
        self.latest = store.latest
        self.last_checked = store.last_checked
        self.attachment_urls = store.attachment_urls

    def record_failure(self, failed: FailedFetch) -> None:
        self.store.record(
            FetchRecord(
                url=failed.url,
                sha256=None,
                fetched_at=failed.fetched_at,
                status=failed.status,
                kind=failed.kind,
                source_id=failed.source_id,
                jurisdiction_code=failed.jurisdiction_code,
                headers={"error": failed.error},
                crawl_id=failed.crawl_id,
                **failed.context,
            )
        )

    def close(self) -> None:
        self.store.close()


def open_history(settings) -> RawStoreHistory:
    """The ``OGI_FETCH_HISTORY`` factory: the raw store under ``OGI_DATA_DIR``."""
    return RawStoreHistory(RawStore(Path(settings.get("OGI_DATA_DIR") or "data") / "raw"))
