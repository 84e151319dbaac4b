"""Run a crawl: ``crawl(...)`` in Python, ``python -m pipelines.crawl ...`` from a shell.

The crawl process is where the spider meets the raw store: it adds the item pipelines and
injects the store as the crawl's fetch history (``pipelines.refresh``), so ``spiders``
never imports ``pipelines``. Why a process of its own: Scrapy runs on the Twisted reactor,
which cannot be restarted in one process; callers (``ogi crawl``, the Prefect flows, tests)
start the command ``command_line`` builds and read its stdout (JSON lines) and the crawl
report it writes.

    python -m pipelines.crawl --all                        # every registry source
    python -m pipelines.crawl --source linyou --json       # one JSON line per document
    python -m pipelines.crawl --url http://… --jurisdiction 610329
    python -m pipelines.crawl --registry-dir DIR --all --fast   # local demo sites, politeness off
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipelines.sources import load_sources
from pipelines.trials import TrialError, check_site, parse_url_list
from spiders.registry import REPO, Source, adhoc_source, load_allow_hosts

# What the crawl process adds to the spiders' defaults: storage, and the store as history.
PROCESS_SETTINGS: dict[str, Any] = {
    "ITEM_PIPELINES": {
        "pipelines.store.RawStorePipeline": 300,
        "pipelines.verdicts.VerdictPipeline": 500,
        "pipelines.feed.DocumentFeedPipeline": 800,
    },
    "OGI_FETCH_HISTORY": "pipelines.refresh.open_history",
}


def politeness_from_env() -> dict[str, Any]:
    """``OGI_CRAWL_DELAY`` (seconds between requests to one host, default 1.0) and ``OGI_CRAWL_CONCURRENCY``
    (requests in flight across hosts, default 32) as Scrapy settings; unset ones keep the defaults."""
    out: dict[str, Any] = {}
    for env, key, kind in (
        ("OGI_CRAWL_DELAY", "DOWNLOAD_DELAY", float),
        ("OGI_CRAWL_CONCURRENCY", "CONCURRENT_REQUESTS", int),
    ):
        value = os.environ.get(env)
        if value:
            try:
                out[key] = kind(value)
            except ValueError as exc:
                raise SystemExit(f"{env}={value!r} is not a number") from exc
    return out


def default_data_dir() -> Path:
    return Path(os.environ.get("OGI_DATA_DIR") or REPO / "data")


def select_sources(
    source_ids: list[str] | None = None,
    all_sources: bool = False,
    url: str | None = None,
    jurisdiction: str | None = None,
    registry_dir: str | Path | None = None,
    data_dir: str | Path | None = None,
    urls: list[tuple[str, str | None]] | None = None,
    allow_hosts: tuple[str, ...] = (),
) -> list[Source]:
    """The sources a run covers: ``--url``/``--urls`` (trials), ``--source`` ids, ``--jurisdiction``, or ``--all``."""
    trials = list(urls or ()) + ([(url, jurisdiction)] if url else [])
    if trials:
        try:
            for site, code in trials:
                check_site(site, code, allow_hosts)
        except TrialError as exc:
            raise SystemExit(str(exc)) from exc
        sites = {adhoc_source(site, code).id: adhoc_source(site, code) for site, code in trials}
        return list(sites.values())
    if registry_dir is not None and not Path(registry_dir).is_dir():
        raise SystemExit(f"registry folder not found: {registry_dir}")
    registry = load_sources(data_dir or default_data_dir(), registry_dir)  # imported national table + files
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


def crawl(
    data_dir: str | Path | None = None,
    source_ids: list[str] | None = None,
    all_sources: bool = False,
    url: str | None = None,
    jurisdiction: str | None = None,
    registry_dir: str | Path | None = None,
    settings: dict[str, Any] | None = None,
    *,
    fast: bool = False,
    stdout: str | None = None,
    refresh: str | None = None,
    urls: list[tuple[str, str | None]] | None = None,
    allow_hosts: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Crawl the selected sources into ``data_dir`` and return the crawl report.

    Runs Scrapy's CrawlerProcess: call it once per process. ``settings`` override the
    defaults in ``spiders.settings`` and ``PROCESS_SETTINGS``; ``fast`` turns politeness off (local sites only);
    ``stdout`` is ``json`` (document lines) or ``events`` (tagged progress lines).
    """
    from scrapy.crawler import CrawlerProcess

    from spiders.extensions import CrawlAccounts
    from spiders.report_spider import ReportSpider, new_crawl_id
    from spiders.settings import crawl_settings

    data_dir = Path(data_dir) if data_dir else default_data_dir()
    sources = select_sources(source_ids, all_sources, url, jurisdiction, registry_dir, data_dir, urls, allow_hosts)
    crawl_id = new_crawl_id()
    overrides = {**PROCESS_SETTINGS, **politeness_from_env(), **(settings or {})}
    if allow_hosts:
        overrides["OGI_ALLOW_HOSTS"] = list(allow_hosts)
    if stdout:
        overrides["OGI_STDOUT"] = stdout
    if refresh:
        overrides["OGI_REFRESH_MODE"] = refresh
    runs = data_dir / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    overrides.setdefault("LOG_FILE", str(runs / f"crawl-{crawl_id}.log"))
    overrides.setdefault("LOG_LEVEL", "INFO")
    allow = load_allow_hosts(registry_dir) if registry_dir and not (url or urls) else ()
    process = CrawlerProcess(crawl_settings(data_dir, sources, overrides, fast=fast, allow_hosts=allow))
    crawler = process.create_crawler(ReportSpider)
    process.crawl(crawler, sources=sources, crawl_id=crawl_id)
    process.start()
    accounts = next((e for e in crawler.extensions.middlewares if isinstance(e, CrawlAccounts)), None)
    if accounts is None or accounts.report is None:
        raise RuntimeError(f"the crawl ended without a report; see {runs / f'crawl-{crawl_id}.log'}")
    return {**accounts.report, "report_path": str(accounts.report_path)}


def command_line(
    data_dir: str | Path | None = None,
    sources: Sequence[str] = (),
    all_sources: bool = False,
    url: str | None = None,
    jurisdiction: str | None = None,
    registry_dir: str | Path | None = None,
    refresh: str | None = None,
    *,
    fast: bool = False,
    events: bool = False,
    extra_args: Sequence[str] = (),
    urls_file: str | Path | None = None,
    allow_hosts: Sequence[str] = (),
) -> list[str]:
    """The command that runs one crawl in a child process (the flows and ``ogi crawl`` start it)."""
    cmd = [sys.executable, "-m", "pipelines.crawl"]
    if events:
        cmd.append("--events")
    for sid in sources:
        cmd += ["--source", sid]
    if all_sources:
        cmd.append("--all")
    for flag, value in (
        ("--url", url),
        ("--jurisdiction", jurisdiction),
        ("--data-dir", data_dir),
        ("--registry-dir", registry_dir),
        ("--refresh", refresh),
        ("--urls", urls_file),
    ):
        if value:
            cmd += [flag, str(value)]
    for host in allow_hosts:
        cmd += ["--allow-host", host]
    if fast:
        cmd.append("--fast")
    return cmd + list(extra_args)


def _parse_setting(text: str) -> tuple[str, Any]:
    key, _, value = text.partition("=")
    try:
        return key, json.loads(value)
    except ValueError:
        return key, value


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipelines.crawl", description=__doc__.split("\n\n")[0])
    ap.add_argument("--source", action="append", dest="sources", default=[], help="registry id (repeatable)")
    ap.add_argument("--all", action="store_true", help="every source in the registry")
    ap.add_argument("--url", help="crawl a site that is not in the registry")
    ap.add_argument("--urls", help="a file of `URL [CODE]` lines: try many sites at once")
    ap.add_argument("--allow-host", action="append", default=[], help="try this non-government HOST[:PORT] too")
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
    try:
        urls = parse_url_list(Path(args.urls).read_text("utf-8")) if args.urls else None
    except (OSError, TrialError) as exc:
        raise SystemExit(f"{args.urls}: {exc}") from exc
    report = crawl(
        args.data_dir,
        args.sources or None,
        args.all,
        args.url,
        args.jurisdiction,
        args.registry_dir,
        dict(_parse_setting(s) for s in args.set),
        fast=args.fast,
        stdout=stdout,
        refresh=args.refresh,
        urls=urls,
        allow_hosts=tuple(args.allow_host),
    )
    if stdout is None:
        print(report["report_path"])
    else:
        print(report["report_path"], file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
