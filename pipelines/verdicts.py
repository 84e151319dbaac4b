"""Scrapy item pipeline: is each fetched document a report? Decided by its content, at crawl time.

Why at crawl time: listings put notices about compiling the reports, training news,
bulletins, blank templates, 解读/图解 and other annual reports beside the real ones, with
report-like titles. ``ogi crawl --json``, the crawl report's ``reports_found`` and a
source's confirmation must count reports only, so every document kept in the raw store is
classified by the extractor (``extractors.classify`` through ``extractors.api``) before its
line is written.

How it stays safe and cheap: the extraction runs in the bounded runner's worker processes
(``extractors.runner``: address-space, CPU and wall-clock limits, a dead worker replaced),
fed by ``OGI_CLASSIFY_WORKERS`` threads so the reactor never waits on a document, without
OCR (a scan is not read at crawl time: it stays a candidate report, flagged
``content_unread``). The verdict is kept with the bytes in the raw store's manifest
(``verdict`` column), so a re-crawl of unchanged documents classifies nothing; the same bytes
at two URLs are classified once and counted as one report.
"""

from __future__ import annotations

import json
import os
import queue
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable

from twisted.internet import defer, reactor

from extractors.model import Report
from extractors.runner import Job, Limits, run_many
from extractors.versions import EXTRACTOR_VERSION
from pipelines.rawstore import DamagedBlob, RawStore
from spiders.items import DocumentItem
from spiders.sniff import file_name

# Problems that mean the text was never there to judge (a scan without OCR).
_UNREAD_PROBLEMS = ("no_text_layer",)


@dataclass(frozen=True)
class Verdict:
    """What the content check found: ``report``, ``not_a_report`` (with ``reason``) or ``unread``
    (with the extractor's error ``code``: the document stays a candidate report, flagged)."""

    kind: str
    reason: str | None = None
    code: str | None = None
    year: int | None = None  # the extractor's year, where it read one from the document
    year_source: str | None = None  # title | preamble (the extractor's; a date-derived year is not kept)
    extractor: str = EXTRACTOR_VERSION

    def dumps(self) -> str:
        return json.dumps({k: v for k, v in asdict(self).items() if v is not None}, ensure_ascii=False)

    @classmethod
    def loads(cls, text: str) -> Verdict | None:
        try:
            data = json.loads(text)
            return cls(**data)
        except (TypeError, ValueError):
            return None


def verdict_of(report: Report) -> Verdict:
    """The extractor's answer as a crawl verdict (pure)."""
    meta = report.meta
    year = meta.report_year if meta.year_source in ("title", "preamble") else None
    source = meta.year_source if year is not None else None
    if report.error is not None:
        if report.error.code == "not_a_report":
            return Verdict("not_a_report", reason=report.error.reason or "other_report")
        return Verdict("unread", code=report.error.code)
    unread = next((p.code for p in report.problems if p.code in _UNREAD_PROBLEMS), None)
    if unread and not report.cells:
        return Verdict("unread", code=unread, year=year, year_source=source)
    return Verdict("report", year=year, year_source=source)


def apply(item: DocumentItem, verdict: Verdict) -> None:
    """Mark the item with its verdict; the document's own year fills in for one the listing only guessed."""
    item.not_a_report = verdict.reason if verdict.kind == "not_a_report" else None
    if verdict.kind == "unread":
        item.flags.append(f"content_unread:{verdict.code}")
    if verdict.year is not None and item.year_source != "title":
        item.report_year, item.year_source = verdict.year, "document"
    if item.year_source == "published_date":
        item.flags.append("year_from_published_date")


class Classifier:
    """``workers`` threads, each feeding one bounded runner worker; ``submit`` calls back on the reactor.

    Why one runner per thread (``jobs=1``): the runner asks for the next job only once its
    worker is idle, so a thread blocked on an empty queue never holds an answer back."""

    def __init__(
        self, store_root: Path, workers: int, limits: Limits, call: Callable[..., Any] = reactor.callFromThread
    ):
        self.root, self.call = store_root, call
        self.limits = limits
        self.jobs: queue.Queue[tuple[str, str | None, str | None] | None] = queue.Queue()
        self.waiting: dict[str, Callable[[Verdict], None]] = {}
        self.lock = threading.Lock()
        self.threads = [
            threading.Thread(target=self._serve, name=f"ogi-classify-{i}", daemon=True) for i in range(workers)
        ]
        for thread in self.threads:
            thread.start()

    def submit(
        self, sha256: str, name: str | None, published_date: str | None, done: Callable[[Verdict], None]
    ) -> None:
        with self.lock:
            self.waiting[sha256] = done
        self.jobs.put((sha256, name, published_date))

    def close(self) -> None:
        for _ in self.threads:
            self.jobs.put(None)
        for thread in self.threads:
            thread.join(timeout=self.limits.timeout + 10)

    def _next_job(self, store: RawStore, taken: list[str]) -> Job | None:
        while True:
            task = self.jobs.get()
            if task is None:
                return None
            sha, name, published = task
            try:
                data = store.get(sha)  # verified against its hash
            except (OSError, DamagedBlob):
                self._answer(sha, Verdict("unread", code="blob_unreadable"))
                continue
            taken.append(sha)
            return Job(key=sha, data=data, name=name, published_date=published)

    def _serve(self) -> None:
        """Answer every job, whatever happens: a runner that breaks answers its job ``unread`` and starts again."""
        with RawStore(self.root) as store:  # this thread's own connection
            while True:
                taken: list[str] = []
                try:
                    for sha, report in run_many(iter(lambda: self._next_job(store, taken), None), 1, self.limits):
                        taken.remove(sha)
                        self._answer(sha, verdict_of(report))
                    return
                except Exception:  # noqa: BLE001 - a crawl must never wait for an answer that will not come
                    for sha in taken:
                        self._answer(sha, Verdict("unread", code="classifier_failed"))

    def _answer(self, sha: str, verdict: Verdict) -> None:
        with self.lock:
            done = self.waiting.pop(sha)
        self.call(done, verdict)


class VerdictPipeline:
    """Classifies every document with bytes in the store (once per sha256) and books the verdict."""

    def __init__(self, root: Path, workers: int, limits: Limits):
        self.root, self.workers, self.limits = root, workers, limits
        self.store: RawStore | None = None
        self.classifier: Classifier | None = None
        self.pending: dict[str, defer.Deferred] = {}  # sha256 -> the verdict being made
        self.crawler = None

    @classmethod
    def from_crawler(cls, crawler) -> VerdictPipeline:
        s = crawler.settings
        limits = Limits(
            timeout=s.getfloat("OGI_CLASSIFY_TIMEOUT", 60.0), memory_mb=s.getint("OGI_CLASSIFY_MEMORY_MB", 1024)
        )
        pipe = cls(Path(s.get("OGI_DATA_DIR") or "data") / "raw", max(1, s.getint("OGI_CLASSIFY_WORKERS", 2)), limits)
        pipe.crawler = crawler
        return pipe

    def open_spider(self) -> None:
        self.store = RawStore(self.root)
        os.environ["OGI_OCR"] = "0"  # the workers (children of this crawl process only) read no scan
        self.classifier = Classifier(self.root, self.workers, self.limits)

    def close_spider(self) -> None:
        if self.classifier is not None:
            self.classifier.close()
        if self.store is not None:
            self.store.close()

    def process_item(self, item: DocumentItem) -> Any:
        if not item.sha256:
            return item  # nothing stored to judge (a 304 of a document the store lost): stays a candidate
        verdict = self._kept(item.sha256)
        if verdict is not None:
            self._book(item, verdict)
            return item
        d = defer.Deferred()
        if item.sha256 not in self.pending:
            self.pending[item.sha256] = first = defer.Deferred()
            first.addCallback(self._keep, item.sha256)
            assert self.classifier is not None
            self.crawler.spider.ledger[item.source_id].classified += 1
            self.classifier.submit(item.sha256, _name(item), item.published_date, first.callback)
        self.pending[item.sha256].addCallback(_chain, d)
        d.addCallback(lambda verdict: (self._book(item, verdict), item)[1])
        return d

    def _kept(self, sha256: str) -> Verdict | None:
        assert self.store is not None
        text = self.store.verdict(sha256)
        found = Verdict.loads(text) if text else None
        return found if found is not None and found.extractor == EXTRACTOR_VERSION else None

    def _keep(self, verdict: Verdict, sha256: str) -> Verdict:
        assert self.store is not None
        self.pending.pop(sha256, None)
        self.store.set_verdict(sha256, verdict.dumps())
        return verdict

    def _book(self, item: DocumentItem, verdict: Verdict) -> None:
        apply(item, verdict)
        led = self.crawler.spider.ledger[item.source_id]
        item.duplicate_of = led.verdict(
            _report_key(item), item.sha256, verdict.kind, item.not_a_report, item.report_year
        )


def _chain(verdict: Verdict, d: defer.Deferred) -> Verdict:
    d.callback(verdict)
    return verdict


def _name(item: DocumentItem) -> str | None:
    disposition = (item.headers or {}).get("Content-Disposition", "")
    return file_name(item.final_url or item.url, disposition) or file_name(item.url)


def _report_key(item: DocumentItem) -> str | None:
    """The report a document stands for in the accounts: a page itself, or a file linked straight from a
    listing; an attachment on a page belongs to its page (None)."""
    if item.kind == "page" or item.page_url in (None, item.listing_url, item.url):
        return item.url
    return None
