"""`ogi serve` registers the nightly deployment on a real Prefect server (started here on
127.0.0.1), with its cron schedule in Asia/Shanghai. No run is triggered: the default
registry names real county sites, and tests never leave this machine."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.5)
    return False


@pytest.mark.slow
def test_serve_registers_the_nightly_deployment_with_its_schedule(tmp_path):
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_API_URL": api,
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "OGI_DATA_DIR": str(tmp_path / "data"),
    }
    prefect = str(Path(sys.executable).with_name("prefect"))
    server = subprocess.Popen(
        [prefect, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    serve = None
    try:
        assert _wait(f"{api}/health", 90), "the Prefect server did not start"
        serve = subprocess.Popen(
            [sys.executable, "-m", "flows.cli", "serve", "--cron", "30 2 * * *", "--name", "nightly"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        deployments = _deployments(api, seconds=90)
        assert [d["name"] for d in deployments] == ["nightly"]
        (schedule,) = deployments[0]["schedules"]
        assert (schedule["schedule"]["cron"], schedule["schedule"]["timezone"]) == ("30 2 * * *", "Asia/Shanghai")
        assert deployments[0]["parameters"]["data_dir"] == str((tmp_path / "data").resolve())
    finally:
        for proc in (serve, server):
            if proc is not None:
                os.killpg(proc.pid, 9)
                proc.wait(timeout=30)


def _deployments(api: str, seconds: float) -> list[dict]:
    """The server's deployments, read over its REST API (this process's Prefect settings stay untouched)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        request = urllib.request.Request(
            f"{api}/deployments/filter", data=b"{}", method="POST", headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            found = json.loads(response.read())
        if found:
            return found
        time.sleep(1)
    return []
