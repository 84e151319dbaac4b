"""Scrapy item pipeline: one JSON line per document, to the run's file and (optionally) stdout.

Why: ``ogi crawl --json`` and the Prefect flows read what a crawl found as JSON lines
(the contract in ``DocumentItem.json_line``); the run keeps the same lines in
``<data_dir>/runs/crawl-<id>.documents.jsonl`` next to its crawl report.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from spiders.events import EventSink


class DocumentFeedPipeline:
    def __init__(self, runs_dir: Path, stdout_mode: str | None):
        self.runs_dir = runs_dir
        self.sink = EventSink(stdout_mode)
        self.file: TextIO | None = None
        self.crawler = None

    @classmethod
    def from_crawler(cls, crawler) -> "DocumentFeedPipeline":
        pipe = cls(Path(crawler.settings.get("OGI_DATA_DIR") or "data") / "runs", crawler.settings.get("OGI_STDOUT"))
        pipe.crawler = crawler
        return pipe

    def open_spider(self) -> None:
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        crawl_id = getattr(self.crawler.spider, "crawl_id", "run")
        self.file = open(self.runs_dir / f"crawl-{crawl_id}.documents.jsonl", "w", encoding="utf-8")

    def close_spider(self) -> None:
        if self.file is not None:
            self.file.close()

    def process_item(self, item):
        line = item.json_line()
        if self.file is not None:
            self.file.write(json.dumps(line, ensure_ascii=False) + "\n")
            self.file.flush()
        self.sink.document(line)
        return item
