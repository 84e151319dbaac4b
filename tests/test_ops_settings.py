"""Settings resolved once (flags over OGI_* over defaults, paths absolute), handed to children; ``ogi --version``;
the failure notification against a real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from flows.notify import notify
from flows.records import one_sentence
from flows.settings import Paths, Settings

REPO = Path(__file__).resolve().parents[1]


def test_flags_over_environment_over_defaults_and_paths_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("OGI_DATA_DIR", "OGI_WAREHOUSE", "OGI_MAX_BYTES", "OGI_FAIL_ON_BROKEN"):
        monkeypatch.delenv(name, raising=False)
    default = Settings.resolve()
    assert default.data_dir == tmp_path / "data" and default.warehouse_url == str(tmp_path / "data" / "warehouse")
    assert default.fail_on_broken is False and default.max_bytes == 60 * 1024 * 1024

    monkeypatch.setenv("OGI_DATA_DIR", "from-env")
    monkeypatch.setenv("OGI_MAX_BYTES", "1000")
    monkeypatch.setenv("OGI_FAIL_ON_BROKEN", "1")
    env = Settings.resolve()
    assert env.data_dir == tmp_path / "from-env" and env.max_bytes == 1000 and env.fail_on_broken is True

    flags = Settings.resolve(data_dir="from-flag", warehouse="wh", fail_on_broken=False)
    assert flags.data_dir == tmp_path / "from-flag" and flags.warehouse_url == str(tmp_path / "wh")
    assert flags.fail_on_broken is False
    assert Settings.resolve(warehouse="s3://bucket/ogi").warehouse_url == "s3://bucket/ogi"  # URLs stay URLs
    assert Paths.of("rel").raw == tmp_path / "rel" / "raw"


def test_children_get_every_setting_explicitly(tmp_path, monkeypatch):
    monkeypatch.delenv("OGI_WAREHOUSE", raising=False)
    child = Settings.resolve(data_dir=tmp_path / "d", max_bytes=123, extract_timeout=7).child_env()
    assert child["OGI_DATA_DIR"] == str(tmp_path / "d") and child["OGI_MAX_BYTES"] == "123"
    assert child["OGI_EXTRACT_TIMEOUT"] == "7" and child["DO_NOT_TRACK"] == "1"
    assert "OGI_WAREHOUSE" not in child  # the default follows the data dir, so it is not pinned
    assert child["OGI_OCR"] == "1" and child["OGI_EXTRACT_MEMORY_MB"] == "2048"  # workers' settings, made explicit
    assert Settings.resolve(ocr=False).child_env()["OGI_OCR"] == "0"  # read by extractors.ocr as on/off
    assert "OGI_CRAWL_DELAY" not in child  # unset: the crawl keeps its own politeness defaults
    assert str(REPO) in child["PYTHONPATH"].split(os.pathsep)
    # a subprocess started elsewhere resolves the same settings from that environment alone
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from flows.settings import Settings; s = Settings(); print(s.data_dir, s.max_bytes, s.extract_timeout)",
        ],
        cwd="/",
        env=child,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.stdout.split() == [str(tmp_path / "d"), "123", "7"], out.stderr


def test_version():
    done = subprocess.run(
        [sys.executable, "-m", "flows.cli", "--version"], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and done.stdout.startswith("ogi 0.")
    assert "extractor" in done.stdout and "schema" in done.stdout


def test_an_unusable_setting_is_one_line_and_exit_2(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "flows.cli", "status", "--data-dir", str(tmp_path)],
        cwd=REPO,
        env={**os.environ, "OGI_NOTIFY_TIMEOUT": "five seconds"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and done.stderr.startswith("ogi: a setting is not usable (OGI_NOTIFY_TIMEOUT: ")
    assert len(done.stderr.strip().splitlines()) == 1


def test_one_sentence():
    assert (
        one_sentence(FileNotFoundError(2, "No such file or directory", "/nope/wh"))
        == "No such file or directory: /nope/wh (FileNotFoundError)"
    )
    assert one_sentence(ValueError("unknown source id(s): x\n  more detail")) == "unknown source id(s): x (ValueError)"


class _Receiver(http.server.BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append({"type": self.headers["Content-Type"], "body": json.loads(body)})
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_notify_posts_json_to_a_local_receiver_and_a_silent_one_costs_at_most_the_timeout():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/hook"
        assert notify(url, {"event": "ogi.run.failed", "error": "磁盘满了"}, timeout=5) is None
        assert _Receiver.received == [
            {"type": "application/json", "body": {"event": "ogi.run.failed", "error": "磁盘满了"}}
        ]
    finally:
        server.shutdown()
        server.server_close()

    silent = socket.socket()  # accepts connections (the backlog) and never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    try:
        t0 = time.monotonic()
        why = notify(f"http://127.0.0.1:{silent.getsockname()[1]}/", {"event": "x"}, timeout=0.5)
        assert why is not None and time.monotonic() - t0 < 3
    finally:
        silent.close()
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nobody listens there now
    assert "refused" in (notify(f"http://127.0.0.1:{port}/", {"event": "x"}, timeout=2) or "").lower()


def _product_sources():
    for layer in ("extractors", "spiders", "pipelines", "flows"):
        yield from (REPO / layer).rglob("*.py")


def test_every_environment_variable_is_a_setting_and_every_setting_is_documented():
    """One settings object and one table: an OGI_* variable read anywhere in the product is a field of
    Settings (so the command resolves it once and hands it to children), and each is in docs/operations.md."""
    import re

    fields = {f"OGI_{name.upper()}" for name in Settings.model_fields}
    read = {
        name
        for path in _product_sources()
        for name in re.findall(r"(?:environ\.get|getenv)\(\s*\"(OGI_[A-Z_]+)\"", path.read_text(encoding="utf-8"))
    }
    assert read, "the pattern finds the reads"
    assert read - fields == set(), "read from the environment but not resolved by flows.settings.Settings"
    scrapy = set(re.findall(r"\"(OGI_[A-Z_]+)\":", (REPO / "spiders" / "settings.py").read_text(encoding="utf-8")))
    table = (REPO / "docs" / "operations.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`(OGI_[A-Z_]+)`", table))
    assert (fields | scrapy) - documented == set(), "not in docs/operations.md's table of settings"
