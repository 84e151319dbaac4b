"""A Hanweb-style county site built here independently of the demo sites, by a plain
``http.server`` that answers GET only (as simple mirrors and test rigs do): the spider's
POSTed record-set queries fall back to GET, every report is found, interpretations skipped."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest

COLUMN = "/col/col1234/index.html"
TITLES = {  # record number -> (article path, title)
    1: ("/art/2025/1/20/art_1234_9001.html", "麟游县人民政府2024年政府信息公开工作年度报告"),
    2: ("/art/2025/1/21/art_1234_9002.html", "麟游县2024年政府信息公开工作年度报告图解"),
    3: ("/art/2024/1/18/art_1234_9003.html", "麟游县人民政府2023年度政府信息公开工作年度报告"),
    4: ("/art/2023/1/16/art_1234_9004.html", "麟游县人民政府2022年政府信息公开工作年度报告"),
    5: ("/art/2022/1/13/art_1234_9005.html", "麟游县人民政府2021年政府信息公开工作年度报告"),
    6: ("/art/2021/1/25/art_1234_9006.html", "麟游县人民政府2020年政府信息公开工作年度报告"),
    7: ("/art/2020/1/20/art_1234_9007.html", "麟游县人民政府2019年政府信息公开工作年度报告"),
}


def _record(n: int) -> str:
    path, title = TITLES[n]
    return f'<record><![CDATA[<li><a href="{path}" title="{title}">{title}</a><span>2025-01-20</span></li>]]></record>'


def _column() -> str:
    first = "".join(_record(n) for n in (1, 2, 3))
    return f"""<html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body>
<div id="5678"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=72&path=/&columnid=1234&unitid=5678&permissiontype=0"></a>]]></nextgroup>
<recordset>{first}</recordset></datastore></script></div>
<script>$('#5678').jpage({{perPage:3,totalRecord:{len(TITLES)},groupSize:1,proxyUrl:'/module/web/jpage/dataproxy.jsp'}});</script>
</body></html>"""


class GetOnly(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query))
        if parts.path == "/robots.txt":
            return self._send(b"User-agent: *\nAllow: /\n", "text/plain")
        if parts.path == COLUMN:
            return self._send(_column().encode(), "text/html; charset=utf-8")
        if parts.path == "/module/web/jpage/dataproxy.jsp" and query.get("columnid") == "1234":
            start, end = int(query["startrecord"]), int(query["endrecord"])
            records = "".join(_record(n) for n in range(start, min(end, len(TITLES)) + 1))
            body = f'<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>{len(TITLES)}</totalrecord><recordset>{records}</recordset></datastore>'
            return self._send(body.encode(), "text/xml; charset=utf-8")
        for path, title in TITLES.values():
            if parts.path == path:
                page = f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><h1>{title}</h1><p>正文</p></body></html>"
                return self._send(page.encode(), "text/html; charset=utf-8")
        self.send_error(404)

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), GetOnly)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_get_only_hanweb_site_yields_every_report(site, tmp_path, run_module, json_lines):
    proc = run_module(
        [
            "--url",
            site + COLUMN,
            "--jurisdiction",
            "610329",
            "--data-dir",
            str(tmp_path),
            "--fast",
            "--json",
            "--allow-host",
            site.split("/")[2],
        ]
    )
    found = {line["document_url"]: line for line in json_lines(proc)}
    reports = {site + path for n, (path, title) in TITLES.items() if "图解" not in title}
    assert set(found) == reports
    assert sorted(line["report_year"] for line in found.values()) == [2019, 2020, 2021, 2022, 2023, 2024]
    report = json.loads(next((tmp_path / "runs").glob("crawl-*.json")).read_text())
    (source,) = report["sources"].values()
    assert source["documents"]["new"] == 6
