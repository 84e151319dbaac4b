"""The raw store and its Scrapy item pipeline: content-addressed, append-only, change-aware."""

from __future__ import annotations

import hashlib

from pipelines.rawstore import FetchRecord, RawStore
from pipelines.store import RawStorePipeline
from spiders.items import DocumentItem


def _item(url: str, body: bytes | None, status: int | None = 200, **kw) -> DocumentItem:
    return DocumentItem(
        source_id="s",
        jurisdiction_code="610329",
        kind=kw.pop("kind", "attachment"),
        url=url,
        body=body,
        status=status,
        fetched_at="2025-01-20T00:00:00+00:00",
        format="pdf",
        headers={"ETag": '"abc"', "Last-Modified": "Mon, 20 Jan 2025 08:00:00 GMT", "Content-Type": "application/pdf"},
        **kw,
    )


def test_same_bytes_at_two_urls_are_stored_once(tmp_path):
    with RawStore(tmp_path) as store:
        a = store.put(b"%PDF-1.4 same")
        b = store.put(b"%PDF-1.4 same")
        assert a == b == hashlib.sha256(b"%PDF-1.4 same").hexdigest()
        assert store.get(a) == b"%PDF-1.4 same"
        assert len(list((tmp_path / "blobs").rglob("*"))) == 2  # one prefix folder, one blob
        assert store.path(a) == tmp_path / "blobs" / a[:2] / a


def test_manifest_latest_last_checked_and_attachments(tmp_path):
    with RawStore(tmp_path) as store:
        sha = store.put(b"v1")
        store.record(
            FetchRecord(
                url="u", sha256=sha, fetched_at="2025-01-01T00:00:00+00:00", status=200, page_url="p", report_year=2024
            )
        )
        store.record(
            FetchRecord(url="u", sha256=None, fetched_at="2025-02-01T00:00:00+00:00", status=304, page_url="p")
        )
        store.record(
            FetchRecord(
                url="bad",
                sha256=None,
                fetched_at="2025-02-01T00:00:00+00:00",
                status=0,
                page_url="p",
                headers={"error": "truncated"},
            )
        )
        assert store.latest("u").sha256 == sha and store.latest("u").report_year == 2024
        assert store.last_checked("u").status == 304  # a 304 proves the stored bytes current
        assert store.latest("bad") is None
        assert store.attachment_urls("p") == ["u", "bad"]  # a failed one is remembered, to be retried
        assert [r.url for r in store.documents(years={2024})] == ["u"]
        assert [r.url for r in store.documents(sources={"other"})] == []


def test_pipeline_new_unchanged_changed_and_not_modified(tmp_path):
    pipe = RawStorePipeline(tmp_path / "raw")
    pipe.open_spider()
    first = pipe.process_item(_item("http://x.gov.cn/a.pdf", b"%PDF-1 one"))
    assert first.change == "new" and first.body is None and first.size == 10
    again = pipe.process_item(_item("http://x.gov.cn/a.pdf", b"%PDF-1 one"))
    assert again.change == "unchanged" and again.sha256 == first.sha256
    other_url = pipe.process_item(_item("http://mirror-free.gov.cn/b.pdf", b"%PDF-1 one"))
    assert other_url.change == "new" and other_url.sha256 == first.sha256  # stored once, two manifest rows
    changed = pipe.process_item(_item("http://x.gov.cn/a.pdf", b"%PDF-1 two"))
    assert changed.change == "changed"
    not_modified = pipe.process_item(_item("http://x.gov.cn/a.pdf", None, status=304))
    assert not_modified.change == "unchanged" and not_modified.sha256 == changed.sha256
    known = _item("http://x.gov.cn/a.pdf", None, status=None, change="unchanged", sha256=changed.sha256)
    assert pipe.process_item(known) is known  # re-announced from the manifest: nothing recorded
    pipe.close_spider()
    with RawStore(tmp_path / "raw") as store:
        rows = [r for r in store.fetches() if r.url == "http://x.gov.cn/a.pdf"]
        assert [r.change for r in rows] == ["new", "unchanged", "changed", "unchanged"]
        assert rows[-1].status == 304 and rows[-1].sha256 is None
        assert rows[0].etag == '"abc"' and rows[0].content_type == "application/pdf"
        assert len(list((tmp_path / "raw" / "blobs").rglob("*/*"))) == 2
