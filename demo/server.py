"""Serve the demo sites over real HTTP on 127.0.0.1, one port per site, with injectable faults.

Why real sockets: the crawler's politeness, retries, redirects, conditional GETs, charset
handling and failure accounting are only tested when Scrapy talks to a server. Each site
gets its own port (so its own download slot); every hit is logged, so tests can prove
that robots-disallowed paths and off-site mirrors were never requested.
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
from collections import Counter
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from demo import documents
from demo.sites import (
    FAULT_SITES,
    GOOD_SITES,
    LAST_MODIFIED,
    Fault,
    Pending,
    Resource,
    Site,
    build_fault_site,
    build_mirror,
)

ALL_SITES = (*GOOD_SITES, "mirror")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def handle_error(self, request, client_address) -> None:
        """A client that gave up (timeouts, truncation tests) is not an error of the site."""
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class DemoServer:
    """The demo sites, built and served. Use as a context manager or call ``start``/``stop``.

    ``faults=True`` adds the fault sites (and the ``down`` source, a port nobody listens on).
    ``base_port``: sites on consecutive ports from it (``serve --port N``); 0 = ephemeral.
    """

    def __init__(self, faults: bool = False, base_port: int = 0, sites: tuple[str, ...] | None = None):
        self.with_faults = faults
        self.base_port = base_port
        names = list(sites or ALL_SITES)
        if "mirror" not in names:
            names.append("mirror")
        if faults:
            names += [n for n in FAULT_SITES if n not in names]
        self.names = names
        self.ports: dict[str, int] = {}
        self.sites: dict[str, Site] = {}
        self.servers: list[_Server] = []
        self.threads: list[threading.Thread] = []
        self.hits: Counter = Counter()  # (site, path?query) -> count
        self.log: list[tuple[str, str, str, int]] = []  # (site, method, path?query, status)
        self.lock = threading.Lock()
        self.flaky_left: dict[tuple[str, str], int] = {}

    # lifecycle -------------------------------------------------------------------------
    def start(self) -> "DemoServer":
        for i, name in enumerate(self.names):
            port = self.base_port + i if self.base_port else 0
            server = _Server(("127.0.0.1", port), self._handler(name))
            self.ports[name] = server.server_address[1]
            self.servers.append(server)
        if self.with_faults:
            self.ports["down"] = _free_port()  # nobody listens there: the site is down
        self._build()
        for server in self.servers:
            t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
            t.start()
            self.threads.append(t)
        return self

    def stop(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()

    def __enter__(self) -> "DemoServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _build(self) -> None:
        for name in self.names:
            if name in GOOD_SITES:
                self.sites[name] = GOOD_SITES[name](self.ports)
            elif name == "mirror":
                self.sites[name] = build_mirror(self.ports)
            else:
                self.sites[name] = build_fault_site(name, self.ports)
        pending = [
            (r.body.spec, r.body.fmt)
            for s in self.sites.values()
            for r in s.files.values()
            if isinstance(r.body, Pending)
        ]
        made = documents.render(pending)
        for site in self.sites.values():
            for res in site.files.values():
                if isinstance(res.body, Pending):
                    res.body = made[(documents.content_key(res.body.spec), res.body.fmt)]

    # what tests and the demo need ----------------------------------------------------------
    def base_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def write_registry(self, out_dir: str | Path) -> Path:
        from demo.registry import write_registry

        return write_registry(out_dir, self.ports, faults=self.with_faults)

    def truth(self) -> dict[str, Any]:
        """Every report the sites publish, with absolute URLs, by site."""
        out = {}
        for name, site in self.sites.items():
            base = self.base_url(name)
            reports = []
            for t in site.truth:
                r = json.loads(json.dumps(t))
                r["page_url"] = base + t["page_path"] if t["page_path"] else None
                for d in r["documents"]:
                    d["url"] = base + d["path"]
                reports.append(r)
            out[name] = {
                "family": site.family,
                "jurisdiction_code": site.jurisdiction_code,
                "reports": reports,
                "skipped": {k: [u if u.startswith("http") else base + u for u in v] for k, v in site.skipped.items()},
            }
        return out

    def hits_for(self, name: str, prefix: str = "") -> int:
        with self.lock:
            return sum(n for (site, path), n in self.hits.items() if site == name and path.startswith(prefix))

    def replace(self, name: str, path: str, body: bytes, content_type: str | None = None) -> None:
        """Change a document in place (its ETag and Last-Modified change with it)."""
        res = self.sites[name].files[path]
        res.body = body
        res.headers["Last-Modified"] = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime())
        if content_type:
            res.content_type = content_type

    # HTTP ----------------------------------------------------------------------------------
    def _handler(self, name: str):
        demo = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "DemoGovCMS/1.0"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                demo._serve(name, self, head=False)

            def do_POST(self) -> None:  # Hanweb's jpage posts its dataproxy queries
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
                demo._serve(name, self, head=False, form=dict(parse_qsl(body)))

            def do_HEAD(self) -> None:
                demo._serve(name, self, head=True)

        return Handler

    def _serve(self, name: str, h: BaseHTTPRequestHandler, head: bool, form: dict[str, str] | None = None) -> None:
        site = self.sites.get(name)
        parts = urlsplit(h.path)
        key = parts.path + (f"?{parts.query}" if parts.query else "")
        with self.lock:
            self.hits[(name, key)] += 1
        if site is None:
            return self._send(h, name, key, Resource(b"starting", "text/plain", status=503), head)
        fault = next((f for f in site.faults if parts.path.startswith(f.path)), None)
        if fault is not None:
            handled = self._fault(name, h, key, site, fault, parts, head)
            if handled:
                return
        query = dict(parse_qsl(parts.query))
        query.update(form or {})
        res = site.files.get(key) or (site.files.get(parts.path) if not parts.query else None)
        if res is None and parts.path in site.dynamic:
            res = site.dynamic[parts.path](query)
        if res is None and "*" in site.dynamic:
            res = site.dynamic["*"](query)
        if res is None:
            res = Resource(
                "<html><head><title>404</title></head><body>页面不存在</body></html>".encode("utf-8"), status=404
            )
        self._send(h, name, key, res, head, site)

    def _fault(self, name: str, h, key: str, site: Site, fault: Fault, parts, head: bool) -> bool:
        kind, _, arg = fault.kind.partition(":")
        if kind == "status":
            self._send(h, name, key, Resource(f"<html><body>error {arg}</body></html>".encode(), status=int(arg)), head)
            return True
        if kind == "slow":
            time.sleep(float(arg or 8))
            return False
        if kind == "flaky":
            left = self.flaky_left.setdefault((name, key), int(arg or 1))
            if left > 0:
                self.flaky_left[(name, key)] = left - 1
                self._send(h, name, key, Resource(b"busy", "text/plain", status=503), head)
                return True
            return False
        if kind == "redirect_loop":
            other = parts.path[:-1] if parts.path.endswith("l") else parts.path + "l"
            self._send(h, name, key, Resource(b"", status=302, headers={"Location": other}), head)
            return True
        if kind == "truncate":
            res = site.files.get(parts.path)
            data = res.body if res else b""
            h.send_response(200)
            h.send_header("Content-Type", res.content_type if res else "application/octet-stream")
            h.send_header("Content-Length", str(len(data)))
            h.send_header("Connection", "close")
            h.end_headers()
            h.wfile.write(data[: len(data) // 2])
            h.wfile.flush()
            h.close_connection = True
            self._log(name, h.command, key, 200)
            try:
                h.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return True
        if kind == "endless":
            n = int("".join(c for c in parts.path.rsplit("_", 1)[-1] if c.isdigit()) or 2)
            listing = site.files["/ndbg/index.html"].body
            html = listing.replace(b"list_2.shtml", f"list_{n + 1}.shtml".encode())
            self._send(h, name, key, Resource(html), head, site)
            return True
        return False

    def _log(self, name: str, method: str, key: str, status: int) -> None:
        with self.lock:
            self.log.append((name, method, key, status))

    def _send(self, h, name: str, key: str, res: Resource, head: bool, site: Site | None = None) -> None:
        body = res.body if isinstance(res.body, bytes) else b""
        headers = {"Content-Type": res.content_type, **res.headers}
        status = res.status
        if status == 200 and site is not None:
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            modified = res.headers.get("Last-Modified", LAST_MODIFIED)
            if site.send_etag:
                headers["ETag"] = etag
            if site.send_last_modified:
                headers["Last-Modified"] = modified
            else:
                headers.pop("Last-Modified", None)
            if self._not_modified(h, site, etag, modified):
                status, body = 304, b""
        h.send_response(status)
        for k, v in headers.items():
            if status == 304 and k == "Content-Type":
                continue
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if not head and body:
            h.wfile.write(body)
        self._log(name, h.command, key, status)

    @staticmethod
    def _not_modified(h, site: Site, etag: str, modified: str) -> bool:
        inm = h.headers.get("If-None-Match")
        if site.send_etag and inm:
            return etag in [t.strip() for t in inm.split(",")]
        ims = h.headers.get("If-Modified-Since")
        if site.send_last_modified and ims:
            try:
                return parsedate_to_datetime(modified) <= parsedate_to_datetime(ims)
            except (TypeError, ValueError):
                return False
        return False
