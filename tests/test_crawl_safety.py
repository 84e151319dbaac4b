"""Hostile sites on 127.0.0.1 try to steer the crawler: redirects to metadata addresses and
other ports, calendar traps, session ids, Retry-After, a proxy in the way, and parsers fed
pages built to be slow. Each crawl is ``python -m pipelines.crawl`` against a real server.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from spiders import safety

pytestmark = pytest.mark.slow

TITLE = "测试县人民政府{year}年政府信息公开工作年度报告"
HOME = (
    '<html><head><meta charset="utf-8"></head><body><a href="/ndbg/index.html">政府信息公开年报</a>'
    '<a href="/ndbg/index.html;jsessionid=A1B2C3D4E5F6A7B8C9D0">政府信息公开年报</a></body></html>'
)
REPORT = (
    '<html><head><meta charset="utf-8"><title>{t}</title></head><body><h1>{t}</h1>'
    "<p>一、总体情况。本年度共主动公开政府信息。</p></body></html>"
)


class Site:
    """A small hostile county site: every request is logged (path, headers); ``routes`` answer by path."""

    def __init__(self, routes):
        self.hits: list[tuple[str, dict[str, str]]] = []
        self.routes = routes
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                site.hits.append((self.path, dict(self.headers.items())))
                status, headers, body = site.routes(self.path, self)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def paths(self) -> list[str]:
        return [p for p, _ in self.hits]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def html(text: str, status: int = 200, **headers: str):
    return status, {"Content-Type": "text/html; charset=utf-8", **headers}, text.encode("utf-8")


def registry(folder: Path, homepage: str, allow: list[str] | None = None, **extra) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    head = f"allow_hosts = {json.dumps(allow)}\n" if allow is not None else ""
    (folder / "government_ips.toml").write_text(head + '[[ip]]\nip = "127.0.0.1"\n', "utf-8")
    lines = [
        'id = "hostile"',
        'jurisdiction_code = "610329"',
        'jurisdiction_name = "测试县"',
        f'homepage = "{homepage}"',
    ]
    lines += [f"{k} = {json.dumps(v)}" for k, v in extra.items()]
    (folder / "hostile.toml").write_text("\n".join(lines) + "\n", "utf-8")
    return folder


def crawl(run_module, tmp_path: Path, reg: Path, *extra: str) -> dict:
    data = tmp_path / "data"
    run_module(["--registry-dir", str(reg), "--data-dir", str(data), "--all", "--fast", "--json", *extra])
    report = json.loads((data / "runs" / "crawl-latest.json").read_text("utf-8"))
    return report["sources"]["hostile"]


def stored_urls(tmp_path: Path) -> set[str]:
    from pipelines.rawstore import RawStore

    with RawStore(tmp_path / "data" / "raw") as raw:
        return {r.final_url or r.url for r in raw.documents() if r.sha256}


# ---------------------------------------------------------------------------- steering by redirects
def steering_routes(other_port: int):
    def routes(path, handler):
        if path == "/robots.txt":
            return html("", 404)
        if path == "/":
            return html(HOME)
        if path.startswith("/ndbg/index.html"):
            items = "".join(
                f'<li><a href="/r/{y}.html">{TITLE.format(year=y)}</a><span>{y + 1}-01-20</span></li>'
                for y in (2019, 2020, 2021, 2022, 2023)
            )
            return html(f'<html><head><meta charset="utf-8"></head><body><ul>{items}</ul></body></html>')
        targets = {
            "/r/2020.html": "http://169.254.169.254/latest/meta-data/",
            "/r/2021.html": f"http://127.0.0.1:{other_port}/secret",
            "/r/2022.html": "http://[::1]/admin",
            "/r/2019.html": "file:///etc/passwd",
        }
        if path in targets:
            return 302, {"Location": targets[path]}, b""
        if path == "/r/2023.html":
            return html(REPORT.format(t=TITLE.format(year=2023)))
        return html("not found", 404)

    return routes


def test_redirects_off_the_site_are_refused_counted_and_never_stored(tmp_path, run_module, monkeypatch):
    monkeypatch.setenv("OGI_CONTACT_URL", "https://例子.gov.cn/联系我们")  # the User-Agent stays ASCII anyway
    internal = Site(lambda path, h: html("internal secret"))
    site = Site(steering_routes(internal.port))
    try:
        src = crawl(run_module, tmp_path, registry(tmp_path / "reg", site.base + "/", allow=[f"127.0.0.1:{site.port}"]))
    finally:
        site.close()
        internal.close()
    assert internal.hits == []  # another port on the same host: never requested
    assert src["errors"]["offsite_redirect"] == 4  # 169.254.169.254, 127.0.0.1:other, [::1], file://
    assert src["reports_found"] >= 1 and src["documents"]["new"] == 1
    assert stored_urls(tmp_path) == {site.base + "/r/2023.html"}
    # the session id in a link is dropped: the column is fetched once, under its plain URL
    assert Counter(site.paths())["/ndbg/index.html"] == 1 and not any("jsessionid" in p for p in site.paths())
    agents = {h.get("User-Agent", "") for _, h in site.hits}
    assert agents and all(a.isascii() and a.startswith("ogi-crawler/") for a in agents)


def test_loopback_homepage_is_refused_without_an_allow_list(tmp_path, run_module):
    site = Site(steering_routes(1))
    try:
        src = crawl(run_module, tmp_path, registry(tmp_path / "reg", site.base + "/"))
    finally:
        site.close()
    assert site.hits == []
    assert src["errors"].get("port_not_allowed", 0) + src["errors"].get("private_address", 0) >= 1
    assert stored_urls(tmp_path) == set()


# ---------------------------------------------------------------------------- traps
def trap_routes(path, handler):
    if path == "/robots.txt":
        return html("", 404)
    if path == "/":
        return html(HOME)
    if path.startswith("/ndbg/index.html") or path.startswith("/cal"):
        day = int(path.rsplit("=", 1)[-1]) if "=" in path else 0
        date = time.strftime("%Y-%m-%d", time.gmtime(1704067200 + 86400 * day))
        body = (
            f'<li><a href="/news/{day}.html">通知{day}</a></li>'
            f'<li><a href="/cal?date={date}&view={day + 1}">下一页</a></li>'
            f'<li><a href="/cal2/{date}/index.html">{2010 + day % 15}年</a></li>'
        )
        if day == 0:
            body += f'<li><a href="/r/2023.html">{TITLE.format(year=2023)}</a></li>'
        return html(f'<html><head><meta charset="utf-8"></head><body><ul>{body}</ul></body></html>')
    if path == "/r/2023.html":
        return html(REPORT.format(t=TITLE.format(year=2023)))
    return html("nothing", 404)


def test_a_calendar_trap_gets_at_most_20_requests_and_the_cap_is_reported(tmp_path, run_module):
    site = Site(trap_routes)
    try:
        src = crawl(
            run_module,
            tmp_path,
            registry(tmp_path / "reg", site.base + "/", allow=[f"127.0.0.1:{site.port}"]),
            "--set",
            "OGI_MAX_LISTING_PAGES=500",
        )
    finally:
        site.close()
    paths = site.paths()
    calendar = [p for p in paths if p.startswith("/cal?")]  # paged by 下一页, a new date each time
    years = [p for p in paths if p.startswith("/cal2/")]  # "year" sub-columns under dated paths
    assert 0 < len(calendar) <= 20 and 0 < len(years) <= 20
    assert src["cap_reached"].get("requests_per_pattern", 0) >= 1
    assert src["reports_found"] == 1


LONG = 35  # pages of a real 年报 column, more than OGI_MAX_REQUESTS_PER_PATTERN
TOWNS = "东西南北安宁平和兴隆新丰永太长青龙凤阳石"


def _town_report(page: int, i: int) -> tuple[str, str]:
    k = page * 3 + i
    title = f"测试县{TOWNS[k // 20]}{TOWNS[k % 20]}镇人民政府2023年政府信息公开工作年度报告"
    return f"/r/{page}_{i}.html", title


def long_listing_routes(path, handler):
    """A 35-page column, every page with three reports not seen before and all page numbers
    shown at once; page 1 also links a calendar whose every day repeats page 1's reports (and pages on
    by 下一页 to the next date, endlessly)."""
    if path == "/robots.txt":
        return html("", 404)
    if path == "/":
        return html('<html><body><a href="/nb/list_1.shtml">政府信息公开年报</a></body></html>')
    if path.startswith("/nb/list_") or path.startswith("/nb/cal"):
        day = int(path.rsplit("=", 1)[-1]) if path.startswith("/nb/cal") else 0
        page = 1 if day else int(path.removeprefix("/nb/list_").removesuffix(".shtml"))
        items = "".join(f'<li><a href="{u}">{t}</a></li>' for u, t in map(lambda i: _town_report(page, i), range(3)))
        pager = "" if day else "".join(f' <a href="list_{n}.shtml">{n}</a>' for n in range(1, LONG + 1))
        date = time.strftime("%Y-%m-%d", time.gmtime(1704067200 + 86400 * day))
        if day:  # a calendar day: page 1's reports again, a new notice, and the next day
            onward = f'<a href="/news/{day}.html">通知{day}</a><a href="/nb/cal?date={date}&d={day + 1}">下一页</a>'
        else:
            onward = '<a href="/nb/cal?date=2024-01-01&d=1">政府信息公开年报</a>' if page == 1 else ""
        body = f'<ul>{items}</ul><div class="page">共{LONG}页{pager}</div>{onward}'
        return html(f'<html><head><meta charset="utf-8"></head><body>{body}</body></html>')
    if path.startswith("/r/"):
        page, i = (int(x) for x in path.removeprefix("/r/").removesuffix(".html").split("_"))
        return html(REPORT.format(t=_town_report(page, i)[1]))
    return html("nothing", 404)


def test_a_long_listing_that_keeps_giving_reports_is_read_to_the_end_while_its_calendar_stops(tmp_path, run_module):
    """The per-pattern cap counts requests that bring nothing new: 35 fruitful pages are all read,
    the calendar (new URLs, old reports) stops within 20, and the crawl report states the bounds."""
    site = Site(long_listing_routes)
    try:
        src = crawl(run_module, tmp_path, registry(tmp_path / "reg", site.base + "/", allow=[f"127.0.0.1:{site.port}"]))
    finally:
        site.close()
    paths = site.paths()
    listing = {p for p in paths if p.startswith("/nb/list_")}
    calendar = [p for p in paths if p.startswith("/nb/cal")]
    assert len(listing) == LONG
    assert 0 < len(calendar) <= 20
    assert src["reports_found"] == LONG * 3
    assert src["cap_reached"].get("requests_per_pattern", 0) >= 1
    report = json.loads((tmp_path / "data" / "runs" / "crawl-latest.json").read_text("utf-8"))
    assert report["bounds"]["requests_per_pattern"] == 20 and report["bounds"]["navigation_per_host"] == 1000


def test_trap_patterns_mask_dates_tokens_and_session_ids_but_keep_column_ids():
    assert safety.trap_pattern(
        "http://a.gov.cn/cal/2024-05-01/index.html?sid=9f8e7d6c5b4a39281706"
    ) == safety.trap_pattern("http://a.gov.cn/cal/2023-11-30/index.html?sid=0a1b2c3d4e5f60718293")
    assert safety.trap_pattern("http://a.gov.cn/col/col1234/index.html") != safety.trap_pattern(
        "http://a.gov.cn/col/col5678/index.html"
    )
    assert (
        safety.strip_session("http://a.gov.cn/x.jsp;jsessionid=ABC?id=3&PHPSESSID=zz") == "http://a.gov.cn/x.jsp?id=3"
    )


# ---------------------------------------------------------------------------- Retry-After
def rate_limited_routes(retry_after: str):
    state = Counter()

    def routes(path, handler):
        if path == "/robots.txt":
            return html("", 404)
        state[path] += 1
        if path == "/" and state[path] == 1:
            return html("slow down", 429, **{"Retry-After": retry_after})
        if path == "/":
            return html(f'<a href="/r/2023.html">{TITLE.format(year=2023)}</a>')
        return html(REPORT.format(t=TITLE.format(year=2023)))

    return routes


def test_retry_after_beyond_the_cap_gives_the_source_up_as_rate_limited(tmp_path, run_module):
    site = Site(rate_limited_routes("3600"))
    try:
        t0 = time.monotonic()
        src = crawl(run_module, tmp_path, registry(tmp_path / "reg", site.base + "/", allow=[f"127.0.0.1:{site.port}"]))
        elapsed = time.monotonic() - t0
    finally:
        site.close()
    assert [p for p in site.paths() if p != "/robots.txt"] == ["/"]  # asked once, not 4 times in 12 s
    assert src["degraded"] == "rate_limited" and src["errors"]["rate_limited"] == 1
    assert elapsed < 60


def test_retry_after_within_the_cap_is_waited_for(tmp_path, run_module):
    site = Site(rate_limited_routes("2"))
    try:
        src = crawl(run_module, tmp_path, registry(tmp_path / "reg", site.base + "/", allow=[f"127.0.0.1:{site.port}"]))
    finally:
        site.close()
    home = [i for i, (p, _) in enumerate(site.hits) if p == "/"]
    assert len(home) == 2 and src["reports_found"] == 1 and src["degraded"] is None


def test_retry_after_reads_seconds_and_http_dates():
    from datetime import datetime, timezone

    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert safety.retry_after_seconds(b"120") == 120
    assert safety.retry_after_seconds("Thu, 01 Jan 2026 13:00:00 GMT", now) == 3600
    assert safety.retry_after_seconds("soon") is None


def test_addresses_a_crawler_must_not_reach():
    refused = [
        "http://169.254.169.254/",
        "http://10.0.0.1/",
        "http://100.64.1.1/",
        "http://[fd00::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://localhost/",
        "http://www.a.gov.cn:22/",
        "ftp://www.a.gov.cn/",
    ]
    for url in refused:
        assert safety.refusal(url, frozenset(), proxied=False) is not None, url
    assert safety.refusal("http://www.a.gov.cn/", frozenset(), proxied=True) is None
    assert safety.refusal("http://127.0.0.1:8701/", frozenset({"127.0.0.1:8701"}), proxied=False) is None
    assert safety.refusal("http://127.0.0.1:8702/", frozenset({"127.0.0.1:8701"}), proxied=False) is not None
    assert safety.address_refusal("evil.gov.cn", 80, ["127.0.0.1"], frozenset())[0] == "private_address"


# ---------------------------------------------------------------------------- proxies
class ForwardProxy:
    """A tiny forward proxy: absolute-form GETs are sent on to ``upstream`` (every virtual host
    lives there, as a national simulator's hosts do) and counted by host."""

    def __init__(self, upstream_port: int):
        self.hosts: Counter = Counter()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                import http.client

                parts = urlsplit(self.path)
                proxy.hosts[parts.netloc] += 1
                conn = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=5)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("proxy-connection", "connection")}
                conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers)
                resp = conn.getresponse()
                body = resp.read()
                self.send_response(resp.status)
                for k, v in resp.getheaders():
                    if k.lower() not in ("content-length", "connection", "transfer-encoding", "server", "date"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("how", ["registry", "http_proxy"])
def test_a_virtual_gov_cn_site_is_crawled_through_a_proxy(how, tmp_path, run_module, monkeypatch):
    internal = Site(lambda path, h: html("internal secret"))
    site = Site(steering_routes(internal.port))
    proxy = ForwardProxy(site.port)
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "no_proxy", "NO_PROXY", "OGI_ALLOW_HOSTS"):
        monkeypatch.delenv(var, raising=False)
    extra = {"proxy": proxy.url} if how == "registry" else {}
    if how == "http_proxy":
        monkeypatch.setenv("http_proxy", proxy.url)
    try:  # www.ceshi-proxy.gov.cn does not resolve here: behind a proxy that is not a refusal
        src = crawl(run_module, tmp_path, registry(tmp_path / "reg", "http://www.ceshi-proxy.gov.cn/", **extra))
    finally:
        site.close()
        internal.close()
        proxy.close()
    assert set(proxy.hosts) == {"www.ceshi-proxy.gov.cn"}  # every request went through the proxy, none elsewhere
    assert proxy.hosts["www.ceshi-proxy.gov.cn"] == len(site.hits)
    assert internal.hits == [] and src["errors"]["offsite_redirect"] == 4
    assert stored_urls(tmp_path) == {"http://www.ceshi-proxy.gov.cn/r/2023.html"}
