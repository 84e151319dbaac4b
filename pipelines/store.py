"""Scrapy item pipeline: every document into the raw store, with its provenance.

Why here and not in the spider: the spider finds, the store keeps. Bytes go to
content-addressed blobs (the same bytes at two URLs are kept once); each fetch is a
manifest row (``FetchRecord``); ``new``/``changed``/``unchanged`` is decided against the
URL's last stored bytes, so extraction can always re-run from the store.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.rawstore import FetchRecord, RawStore


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
        headers = item.headers or {}
        return FetchRecord(
            url=item.url,
            sha256=sha256,
            fetched_at=item.fetched_at,
            status=item.status or 0,
            kind=item.kind,
            format=item.format,
            size=item.size,
            final_url=item.final_url,
            source_id=item.source_id,
            jurisdiction_code=item.jurisdiction_code,
            organ=item.organ,
            report_year=item.report_year,
            title=item.title,
            listing_url=item.listing_url,
            page_url=item.page_url,
            link_text=item.link_text,
            published_date=item.published_date,
            etag=headers.get("ETag"),
            last_modified=headers.get("Last-Modified"),
            content_type=headers.get("Content-Type"),
            headers=headers,
            change=item.change,
            crawl_id=item.crawl_id,
        )
