"""A site behind an anti-bot JavaScript check (412 + a script that sets a cookie and reloads)
is crawled through the browser path: the system Chromium driven by scrapy-playwright."""

from __future__ import annotations

import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from spiders import browser

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not browser.available(), reason="no system Chromium (make install) or scrapy-playwright"),
]

TITLE = "测试县人民政府2023年政府信息公开工作年度报告"
CHALLENGE = (
    '<html><head><script src="{tracker}/t.js"></script><img src="{tracker}/pixel.gif">'
    '<script>document.cookie = "waf_ok=1; path=/"; location.reload();</script></head>'
    "<body>checking your browser</body></html>"
)
PAGES = {
    "/": '<a href="/ndbg/index.html">政府信息公开年报</a>',
    "/ndbg/index.html": f'<ul><li><a href="/r/2023.html">{TITLE}</a><span>2024-01-20</span></li></ul>',
    "/r/2023.html": f"<h1>{TITLE}</h1><p>一、总体情况。本年度共主动公开政府信息。</p>",
}


class WafSite:
    def __init__(self, tracker: str = ""):
        self.hits: Counter = Counter()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                passed = "waf_ok=1" in (self.headers.get("Cookie") or "")
                site.hits[(self.path, passed)] += 1
                if self.path not in PAGES:
                    status, body = 404, "not found"
                elif not passed:
                    status, body = 412, CHALLENGE.format(tracker=tracker)
                else:
                    status, body = (
                        200,
                        f'<html><head><meta charset="utf-8"></head><body>{PAGES[self.path]}</body></html>',
                    )
                data = body.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("marked", [False, True], ids=["detected", "marked"])
def test_a_site_behind_a_javascript_check_is_crawled_through_the_browser(marked, tmp_path, run_module):
    tracker = WafSite()  # another host:port the challenge page pulls a script and an image from
    site = WafSite(f"http://127.0.0.1:{tracker.port}")
    reg = tmp_path / "reg"
    reg.mkdir()
    (reg / "government_ips.toml").write_text(f'allow_hosts = ["127.0.0.1:{site.port}"]\n[[ip]]\nip = "127.0.0.1"\n')
    (reg / "waf.toml").write_text(
        f'id = "waf"\njurisdiction_code = "610329"\njurisdiction_name = "测试县"\n'
        f'homepage = "http://127.0.0.1:{site.port}/"\nbrowser = {str(marked).lower()}\n'
    )
    data = tmp_path / "data"
    try:
        proc = run_module(
            ["--registry-dir", str(reg), "--data-dir", str(data), "--all", "--fast", "--json"], timeout=180
        )
    finally:
        site.close()
        tracker.close()
    assert not tracker.hits  # the browser made no off-site request either
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    src = json.loads((data / "runs" / "crawl-latest.json").read_text("utf-8"))["sources"]["waf"]
    assert [l["document_url"] for l in lines] == [f"http://127.0.0.1:{site.port}/r/2023.html"]
    assert lines[0]["report_year"] == 2023
    assert src["reports_found"] == 1 and "waf_challenge" not in src["errors"]
    assert src["fetched_by_browser"] >= 3  # home, column, report page
    assert site.hits[("/r/2023.html", True)] == 1  # the report page passed the check in the browser
    from pipelines.rawstore import RawStore

    with RawStore(data / "raw") as raw:
        (doc,) = [r for r in raw.documents() if r.sha256]
        assert "一、总体情况" in raw.get(doc.sha256).decode("utf-8") and doc.status == 200  # the page, not the check
