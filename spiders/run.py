"""Run a crawl: ``crawl(...)`` in Python, ``python -m spiders.run ...`` from a shell.

Why a process of its own: Scrapy runs on the Twisted reactor, which cannot be restarted
in one process; callers (``ogi crawl``, the Prefect flows, tests) start
``python -m spiders.run`` and read its stdout (JSON lines) and the crawl report it writes.

    python -m spiders.run --all                        # every registry source
    python -m spiders.run --source linyou --json       # one JSON line per document
    python -m spiders.run --url http://… --jurisdiction 610329
    python -m spiders.run --registry-dir DIR --all --fast   # local demo sites, politeness off
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from spiders.registry import REPO, Source, adhoc_source, load_registry


def default_data_dir() -> Path:
    return Path(os.environ.get("OGI_DATA_DIR") or REPO / "data")


def select_sources(source_ids: list[str] | None = None, all_sources: bool = False, url: str | None = None,
                   jurisdiction: str | None = None, registry_dir: str | Path | None = None) -> list[Source]:
    """The sources a run covers: ``--url`` (ad hoc), ``--source`` ids, ``--jurisdiction``, or ``--all``."""
    if url:
        return [adhoc_source(url, jurisdiction)]
    if registry_dir is not None and not Path(registry_dir).is_dir():
        raise SystemExit(f"registry folder not found: {registry_dir}")
    registry = load_registry(registry_dir)
    if not registry:
        raise SystemExit(f"the registry is empty: {registry_dir or 'data/sources'}")
    if source_ids:
        missing = [s for s in source_ids if s not in registry]
        if missing:
            raise SystemExit(f"unknown source id(s): {', '.join(missing)} (registry: {registry_dir or 'data/sources'})")
        return [registry[s] for s in source_ids]
    if jurisdiction:
        found = [s for s in registry.values() if s.jurisdiction_code == jurisdiction]
        if not found:
            raise SystemExit(f"no registry source for jurisdiction {jurisdiction}; try --url")
        return found
    if all_sources:
        return list(registry.values())
    raise SystemExit("nothing to crawl: give --source ID, --all, --jurisdiction CODE or --url URL")


def crawl(data_dir: str | Path | None = None, source_ids: list[str] | None = None, all_sources: bool = False,
          url: str | None = None, jurisdiction: str | None = None, registry_dir: str | Path | None = None,
          settings: dict[str, Any] | None = None, *, fast: bool = False, stdout: str | None = None,
          refresh: str | None = None) -> dict[str, Any]:
    """Crawl the selected sources into ``data_dir`` and return the crawl report.

    Runs Scrapy's CrawlerProcess: call it once per process. ``settings`` override the
    defaults in ``spiders.settings``; ``fast`` turns politeness off (local sites only);
    ``stdout`` is ``json`` (document lines) or ``events`` (tagged progress lines).
    """
    from scrapy.crawler import CrawlerProcess

    from spiders.report_spider import ReportSpider, new_crawl_id
    from spiders.settings import crawl_settings

    data_dir = Path(data_dir) if data_dir else default_data_dir()
    sources = select_sources(source_ids, all_sources, url, jurisdiction, registry_dir)
    crawl_id = new_crawl_id()
    overrides = dict(settings or {})
    if stdout:
        overrides["OGI_STDOUT"] = stdout
    if refresh:
        overrides["OGI_REFRESH_MODE"] = refresh
    runs = data_dir / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    overrides.setdefault("LOG_FILE", str(runs / f"crawl-{crawl_id}.log"))
    overrides.setdefault("LOG_LEVEL", "INFO")
    process = CrawlerProcess(crawl_settings(data_dir, sources, overrides, fast=fast))
    crawler = process.create_crawler(ReportSpider)
    process.crawl(crawler, sources=sources, crawl_id=crawl_id)
    process.start()
    spider = crawler.spider
    report = getattr(spider, "report", None)
    if report is None:
        raise RuntimeError(f"the crawl ended without a report; see {runs / f'crawl-{crawl_id}.log'}")
    report["report_path"] = str(spider.report_path)
    return report


def _parse_setting(text: str) -> tuple[str, Any]:
    key, _, value = text.partition("=")
    try:
        return key, json.loads(value)
    except ValueError:
        return key, value


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m spiders.run", description=__doc__.split("\n\n")[0])
    ap.add_argument("--source", action="append", dest="sources", default=[], help="registry id (repeatable)")
    ap.add_argument("--all", action="store_true", help="every source in the registry")
    ap.add_argument("--url", help="crawl a site that is not in the registry")
    ap.add_argument("--jurisdiction", help="GB/T 2260 code: with --url, the site's division; alone, its sources")
    ap.add_argument("--data-dir", help="default: $OGI_DATA_DIR or data/")
    ap.add_argument("--registry-dir", help="default: data/sources/")
    ap.add_argument("--json", action="store_true", help="one JSON line per document on stdout")
    ap.add_argument("--events", action="store_true", help="tagged JSON progress lines on stdout")
    ap.add_argument("--fast", action="store_true", help="politeness off (local demo sites, tests)")
    ap.add_argument("--refresh", choices=("skip", "revalidate", "refetch"), help="refresh policy for known documents")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="a Scrapy/ogi setting")
    args = ap.parse_args(argv)
    stdout = "events" if args.events else "json" if args.json else None
    report = crawl(args.data_dir, args.sources or None, args.all, args.url, args.jurisdiction, args.registry_dir,
                   dict(_parse_setting(s) for s in args.set), fast=args.fast, stdout=stdout, refresh=args.refresh)
    if stdout is None:
        print(report["report_path"])
    else:
        print(report["report_path"], file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
