"""One local server for every virtual county, routed by Host, the way a forward proxy sees them.

Why a proxy: the crawler reaches the counties by their real host names through
``http_proxy=http://127.0.0.1:PORT``, exactly as an operator reaches provinces that block
foreign addresses, so no name resolution or hosts file is faked. The server accepts
absolute-form request targets (``GET http://www.x.gov.cn/path HTTP/1.1``) and plain ones
with a Host header, and counts what a crawl must never do: requests for robots-disallowed
paths, requests into crawl traps, and requests for hosts that are no county's (off-site).
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from demo.national import files
from demo.national.counties import County
from demo.national.pages import DISALLOWED, Renderer, Resource, is_trap

NOT_FOUND = "<html><head><title>404</title></head><body>页面不存在</body></html>".encode("utf-8")
RENDERERS_KEPT = 256  # counties whose route tables stay built (memory stays flat in N)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class NationalServer:
    """Serve ``counties`` on 127.0.0.1:``port`` (0: any free port). A context manager."""

    def __init__(self, counties: list[County], port: int = 0):
        self.counties = counties
        self.by_host: dict[str, County] = {h: c for c in counties for h in c.hosts}
        self.requested_port = port
        self.lock = threading.Lock()
        self.requests: Counter = Counter()  # host -> requests
        self.disallowed: Counter = Counter()  # host -> robots-disallowed requests
        self.traps: Counter = Counter()  # host -> requests into a crawl trap
        self.offsite: Counter = Counter()  # host (no county's) -> requests
        self.user_agents: Counter = Counter()
        self._renderers: OrderedDict[int, Renderer] = OrderedDict()
        self._seq = 0
        self.server: _Server | None = None

    # lifecycle -----------------------------------------------------------------------
    def start(self) -> "NationalServer":
        files.prepare(self.counties)
        self.server = _Server(("127.0.0.1", self.requested_port), self._handler())
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def __enter__(self) -> "NationalServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self.server is not None, "start the server first"
        return self.server.server_address[1]

    @property
    def proxy(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # what the benchmark and tests read ---------------------------------------------------
    def write_registry(self, out_dir: str | Path) -> Path:
        """One TOML with a ``[[source]]`` per county: homepage only, the family left to detection."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        lines, ids = [], set()
        for c in self.counties:
            sid = f"n{c.code}" if f"n{c.code}" not in ids else f"n{c.code}-{c.index}"
            ids.add(sid)
            lines += [
                "[[source]]",
                f'id = "{sid}"',
                f'jurisdiction_code = "{c.code}"',
                f'jurisdiction_name = "{c.name}"',
                f'name = "{c.government}"',
                f'homepage = "http://{c.host}/"',
                "",
            ]
        (out / "national.toml").write_text("\n".join(lines), "utf-8")
        return out

    def counters(self) -> dict[str, Any]:
        with self.lock:
            return {
                "requests": sum(self.requests.values()),
                "disallowed": sum(self.disallowed.values()),
                "traps": sum(self.traps.values()),
                "max_trap_per_host": max(self.traps.values(), default=0),
                "offsite": sum(self.offsite.values()),
                "user_agents": dict(self.user_agents),
                "requests_by_host": dict(self.requests),
            }

    def reset(self) -> None:
        with self.lock:
            for c in (self.requests, self.disallowed, self.traps, self.offsite, self.user_agents):
                c.clear()

    # HTTP ----------------------------------------------------------------------------
    def _renderer(self, county: County) -> Renderer:
        with self.lock:
            r = self._renderers.get(county.index)
            if r is not None:
                self._renderers.move_to_end(county.index)
                return r
        r = Renderer(county)
        with self.lock:
            self._renderers[county.index] = r
            while len(self._renderers) > RENDERERS_KEPT:
                self._renderers.popitem(last=False)
        return r

    def _handler(self):
        me = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "GovPortal/1.0"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                me._serve(self, {}, head=False)

            def do_HEAD(self) -> None:
                me._serve(self, {}, head=True)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
                me._serve(self, dict(parse_qsl(body)), head=False)

        return Handler

    def _serve(self, h: BaseHTTPRequestHandler, form: dict[str, str], head: bool) -> None:
        target = h.path
        if target.startswith(("http://", "https://")):
            parts = urlsplit(target)
            host = (parts.hostname or "").lower()
        else:
            parts = urlsplit(target)
            host = (h.headers.get("Host") or "").split(":")[0].lower()
        path = parts.path or "/"
        county = self.by_host.get(host)
        with self.lock:
            self._seq += 1
            seq = self._seq
            self.user_agents[h.headers.get("User-Agent", "")] += 1
            if county is None:
                self.offsite[host] += 1
            else:
                self.requests[host] += 1
                if path.startswith(DISALLOWED):
                    self.disallowed[host] += 1
                if is_trap(path):
                    self.traps[host] += 1
        res = None
        if county is not None:
            res = self._renderer(county).respond(host, path, parts.query, form, seq)
        if res is None:
            res = Resource(NOT_FOUND, status=404)
        h.send_response(res.status)
        h.send_header("Content-Type", res.content_type)
        for k, v in res.headers.items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(res.body)))
        h.end_headers()
        if not head and res.body:
            h.wfile.write(res.body)
