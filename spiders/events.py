"""Machine-readable progress on stdout, one JSON object per line.

Why: the crawl (``pipelines.crawl``) runs in its own process (the Twisted reactor cannot restart), so
the CLI and the Prefect flows learn what it finds by reading its stdout. Mode
``json`` prints exactly the ``ogi crawl --json`` document lines; mode ``events``
tags every line with ``"event"`` (document, page, error, report) for progress displays.
"""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO


class EventSink:
    def __init__(self, mode: str | None = None, stream: TextIO | None = None):
        if mode not in (None, "", "json", "events"):
            raise ValueError("stdout mode must be json or events")
        self.mode = mode or None
        self.stream = stream or sys.stdout

    def document(self, line: dict[str, Any]) -> None:
        if self.mode == "json":
            self._write(line)
        elif self.mode == "events":
            self._write({"event": "document", **line})

    def emit(self, event: str, **fields: Any) -> None:
        if self.mode == "events":
            self._write({"event": event, **fields})

    def _write(self, obj: dict[str, Any]) -> None:
        self.stream.write(json.dumps(obj, ensure_ascii=False) + "\n")
        self.stream.flush()
