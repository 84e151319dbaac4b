"""Scrapy item pipeline: every document into the raw store, with its provenance.

Why here and not in the spider: the spider finds, the store keeps. Bytes go to
content-addressed blobs (the same bytes at two URLs are kept once); each fetch is a
manifest row (``FetchRecord``); ``new``/``changed``/``unchanged`` is decided against the
URL's last stored bytes, so extraction can always re-run from the store.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from pipelines.rawstore import FetchRecord, RawStore
from spiders.items import DocumentItem


class RawStorePipeline:
    def __init__(self, root: Path):
        self.root = root
        self.store: RawStore | None = None

    @classmethod
    def from_crawler(cls, crawler) -> "RawStorePipeline":
        return cls(Path(crawler.settings.get("OGI_DATA_DIR") or "data") / "raw")

    def open_spider(self) -> None:
        self.store = RawStore(self.root)

    def close_spider(self) -> None:
        if self.store is not None:
            self.store.close()

    def process_item(self, item):
        store = self.store
        assert store is not None
        if item.body is None and item.status is None:
            return item  # known and fresh: re-announced from the manifest, nothing fetched
        previous = store.latest(item.url)
        if item.body is None:  # 304 Not Modified: the stored bytes are current
            item.change = "unchanged"
            if previous is not None:
                item.sha256, item.format, item.size = previous.sha256, previous.format, previous.size
            store.record(self._record(item, sha256=None))
            return item
        item.sha256 = store.put(item.body)
        item.size = len(item.body)
        if previous is None:
            item.change = "new"
        else:
            item.change = "unchanged" if previous.sha256 == item.sha256 else "changed"
        store.record(self._record(item, sha256=item.sha256))
        item.body = None  # the bytes are in the store; keep items light
        return item

    @staticmethod
    def _record(item, sha256: str | None) -> FetchRecord:
        """The manifest row of an item: its shared provenance fields, plus the cache headers."""
        headers = item.headers or {}
        shared = {name: getattr(item, name) for name in _SHARED}
        return FetchRecord(
            **shared,
            sha256=sha256,
            status=item.status or 0,
            headers=headers,
            etag=headers.get("ETag"),
            last_modified=headers.get("Last-Modified"),
            content_type=headers.get("Content-Type"),
        )


_SHARED = tuple(
    f.name
    for f in fields(FetchRecord)
    if f.name in {g.name for g in fields(DocumentItem)} and f.name not in ("sha256", "status", "headers")
)
