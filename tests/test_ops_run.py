"""``ogi run`` as an operator meets it: started from another directory, failing on purpose, read back with
``ogi status`` (80 columns, through a pipe, and ``--json``), notifying a local receiver, and SIGKILLed mid-run
without leaving a Prefect server or a crawl behind. Real demo sites on 127.0.0.1, a real Prefect engine."""

from __future__ import annotations

import http.server
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from flows.engine import sweep_left_behind

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]
GOOD, BROKEN = "demo-linyou", ["fault-loop", "fault-waf"]


def ogi(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 400) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "80", **(env or {})}
    env.pop("PREFECT_API_URL", None)  # each command starts (and stops) its own temporary API
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


class _Receiver(http.server.BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):  # noqa: N802
        self.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_an_unusable_warehouse_fails_in_one_sentence_with_a_record(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the warehouse's parent should be")
    done = ogi("run", "--no-crawl", "--data-dir", "data", "--warehouse", str(blocker / "wh"), cwd=tmp_path)
    assert done.returncode == 1
    sentence = f"the warehouse {blocker / 'wh'} cannot be created: Not a directory"
    assert done.stderr.strip().splitlines() == [f"ogi nightly failed: {sentence}"]
    status = json.loads(ogi("status", "--json", "--data-dir", str(tmp_path / "data"), cwd=REPO).stdout)
    assert [(r["flow"], r["status"], r["error"]) for r in status["runs"]] == [("nightly", "failed", sentence)]


def test_a_failure_inside_the_flow_is_one_sentence_and_a_record(tmp_path):
    done = ogi("run", "--data-dir", str(tmp_path / "data"), "--source", "no-such-source", cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr + done.stdout
    assert "Error logging to API" not in done.stderr + done.stdout
    sentence = "unknown source id(s): no-such-source (ValueError)"
    assert done.stderr.strip().splitlines()[-1] == f"ogi nightly failed: {sentence}"
    runs = json.loads(ogi("status", "--json", "--data-dir", str(tmp_path / "data"), cwd=REPO).stdout)["runs"]
    assert runs[0]["status"] == "failed" and runs[0]["error"] == sentence

    debug = ogi("--debug", "run", "--data-dir", str(tmp_path / "data"), "--source", "no-such-source", cwd=tmp_path)
    assert debug.returncode == 1 and "Traceback" in debug.stderr


def test_run_elsewhere_fails_on_new_breakage_notifies_and_status_says_why(demo_sites, tmp_path):
    from pipelines.extracted import ExtractionStore
    from pipelines.rawstore import RawStore

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    args = [
        "run",
        "--data-dir",
        "data",
        "--registry-dir",
        str(demo_sites.registry),
        "--fast",
        "--jobs",
        "1",
        "--shards",
        "1",
        "-s",
        GOOD,
        *[a for sid in BROKEN for a in ("-s", sid)],
    ]
    env = {"OGI_NOTIFY_URL": f"http://127.0.0.1:{receiver.server_port}/ogi"}
    try:
        first = ogi(*args, "--fail-on-broken", cwd=elsewhere, env=env)
        second = ogi(*args, cwd=elsewhere, env={**env, "OGI_FAIL_ON_BROKEN": "true"})  # still broken: not new
    finally:
        receiver.shutdown()
        receiver.server_close()

    # crawl and extraction both used <cwd>/data, the only data dir the command was given
    data = elsewhere / "data"
    with RawStore(data / "raw") as raw:
        shas = {rec.sha256 for rec in raw.documents() if rec.sha256}
    store = ExtractionStore(data / "state" / "extracted")
    from extractors import EXTRACTOR_VERSION

    assert shas and store.extracted(shas, EXTRACTOR_VERSION) == shas

    assert first.returncode == 1, first.stderr[-2000:]
    error = f"2 source(s) broke since their last crawl: {', '.join(BROKEN)}"
    assert first.stderr.strip().splitlines()[-1] == f"ogi nightly failed: {error}", first.stderr
    assert "Traceback" not in first.stderr, first.stderr
    assert second.returncode == 0, second.stderr[-2000:]
    assert [(m["event"], m["status"], m["error"], m["newly_broken"]) for m in _Receiver.received] == [
        ("ogi.run.failed", "failed", error, BROKEN)
    ]

    status = json.loads(ogi("status", "--json", "--data-dir", str(data), cwd=REPO).stdout)
    assert [(r["status"], r["error"], r["newly_broken"]) for r in status["runs"]] == [
        ("completed", None, []),
        ("failed", error, BROKEN),
    ]
    assert status["runs"][0]["reports"] > 0
    by_source = {s["source"]: s for s in status["sources"]}
    assert [s["source"] for s in status["sources"]] == [*BROKEN, GOOD]  # broken first
    assert by_source["fault-waf"]["status"] == "broken"
    assert by_source["fault-waf"]["causes"] == ["waf_challenge", "no_reports_found"]
    assert by_source["fault-loop"]["causes"] == ["redirect_loop", "no_reports_found"]
    assert by_source[GOOD]["status"] == "ok" and by_source[GOOD]["causes"] == []

    shown = ogi("status", "--data-dir", str(data), cwd=REPO)  # stdout is a pipe; COLUMNS=80
    lines = shown.stdout.splitlines()
    assert shown.returncode == 0 and lines and all(len(line) <= 80 for line in lines), shown.stdout
    text = " ".join(" ".join(lines).split())
    assert f"FAILED: {error}" in text and "completed:" in text
    assert "fault-waf broken: waf_challenge ×" in text and "fault-loop broken: redirect_loop ×" in text
    assert "2 broken, 0 degraded, 1 ok" in text


def _ours(data_dir: Path) -> dict[int, str]:
    """Live processes whose environment or command line names ``data_dir`` (zombies have neither)."""
    found = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            env = (proc / "environ").read_bytes()
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(data_dir).encode() in env or str(data_dir) in cmd:
            found[int(proc.name)] = cmd[:100]
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
@pytest.mark.parametrize("how", ["SIGKILL", "Ctrl-C"])
def test_a_killed_or_interrupted_run_leaves_no_server_worker_or_crawl_behind(demo_sites, tmp_path, how):
    data = tmp_path / "data"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("PREFECT_API_URL", None)
    run = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flows.cli",
            "run",
            "--data-dir",
            str(data),
            "--registry-dir",
            str(demo_sites.registry),
            "--source",
            "fault-slow",
            "--source",
            GOOD,
            "--fast",
            "--shards",
            "2",
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 240
    seen: dict[int, str] = {}
    while time.monotonic() < deadline and run.poll() is None:
        seen = _ours(data)
        if any("uvicorn" in c for c in seen.values()) and any("pipelines.crawl" in c for c in seen.values()):
            break
        time.sleep(0.3)
    assert run.poll() is None, "the run ended before a crawl was under way"
    assert any("pipelines.crawl" in c for c in seen.values()), seen
    if how == "SIGKILL":
        os.kill(run.pid, signal.SIGKILL)
    else:
        os.killpg(run.pid, signal.SIGINT)  # what a terminal sends to its foreground process group
    _, stderr = run.communicate(timeout=120)
    left = _ours(data)
    for _ in range(40):  # the kernel signals them at once; give them a moment to go
        if not left:
            break
        time.sleep(0.25)
        left = _ours(data)
    for pid in left:  # never leave them to the next test, even when this one fails
        os.kill(pid, signal.SIGKILL)
    assert left == {}
    # the temporary API's database: removed on the way out; after SIGKILL, by the next command's sweep
    databases = lambda: list(Path(tempfile.gettempdir()).glob(f"ogi-prefect-{run.pid}-*"))  # noqa: E731
    if how == "SIGKILL":
        assert len(databases()) == 1
        sweep_left_behind()
    assert databases() == []
    if how == "Ctrl-C":
        # the one sentence, no traceback (multiprocessing's resource tracker may still warn of the semaphores
        # the interrupted workers left, which it then cleans up)
        # An interrupt that lands inside a finalizer (logging's lock release) makes the interpreter print an
        # "Exception ignored in …" trace of its own: a race no program can close. Any other traceback fails.
        assert run.returncode == 1 and "ogi nightly failed: interrupted" in stderr.splitlines(), stderr
        tracebacks = stderr.count("Traceback")
        assert tracebacks == stderr.count("Exception ignored in:"), stderr
        runs = json.loads(ogi("status", "--json", "--data-dir", str(data), cwd=REPO).stdout)["runs"]
        assert [(r["status"], r["error"]) for r in runs] == [("failed", "interrupted")]
