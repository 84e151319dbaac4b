"""``ogi demo``: the bundled county sites on 127.0.0.1 → the nightly flow → datasets → a summary.

The only product code that uses the ``demo`` package (run as ``python -m demo serve``).
Why fixed ports: document URLs include the port, so a second demo on the same ports
re-crawls incrementally (conditional GET) and changes nothing in the datasets.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from flows import processes
from flows.cmd_flows import DATA_DIR, JOBS, run_flow
from flows.settings import TELEMETRY_OFF, Settings

REPO = Path(__file__).resolve().parent.parent
DEMO_PORT = 18760
console = Console()


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_command)


def demo_command(
    data_dir: Optional[Path] = DATA_DIR,
    port: int = typer.Option(
        DEMO_PORT, "--port", help="First port of the demo sites on 127.0.0.1 (one site per port)."
    ),
    faults: bool = typer.Option(
        True, "--faults/--no-faults", help="Also serve the broken sites, to show how breakage is reported."
    ),
    jobs: int = JOBS,
) -> None:
    """Serve the bundled county sites on 127.0.0.1, run the nightly flow against them, load the datasets, summarise.

    Offline. A second `ogi demo` re-crawls incrementally and changes nothing.
    """
    from flows.settings import Paths

    run_demo(Paths.of(data_dir).data_dir, port, faults, jobs)  # --data-dir, else OGI_DATA_DIR, else ./data


class DemoSites:
    """``python -m demo serve`` as a context manager: yields (ports, registry dir)."""

    def __init__(self, port: int, registry_out: Path, faults: bool = True, timeout: float = 90):
        self.cmd = [sys.executable, "-m", "demo", "serve", "--port", str(port), "--registry-out", str(registry_out)] + (
            ["--faults"] if faults else []
        )
        self.timeout = timeout
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> tuple[dict[str, int], str]:
        self.proc = processes.popen(
            self.cmd,
            cwd=REPO,
            env={**os.environ, **TELEMETRY_OFF},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # dies with ogi, even on SIGKILL
        deadline = time.monotonic() + self.timeout
        line = ""
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline() if self.proc.stdout else ""
            if line.strip().startswith("{"):
                info = json.loads(line)
                return info["ports"], info["registry"]
            if self.proc.poll() is not None:
                break
        err = self.proc.stderr.read() if self.proc.stderr and self.proc.poll() is not None else ""
        self.__exit__()
        raise RuntimeError(f"the demo sites did not start ({' '.join(self.cmd[1:])}): {err[-800:] or line}")

    def __exit__(self, *exc: object) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def run_demo(data_dir: Path, port: int, faults: bool, jobs: int) -> dict:
    from flows.summary import print_run

    t0 = time.perf_counter()
    data_dir = Settings.resolve(data_dir=data_dir).data_dir  # absolute: the demo sites run in the repository
    registry_out = data_dir / "state" / "demo-registry"
    with console.status("starting the demo county sites on 127.0.0.1 …"):
        sites = DemoSites(port, registry_out, faults)
        ports, registry = sites.__enter__()
    try:
        console.print(f"demo sites: {len(ports)} on 127.0.0.1 ports {min(ports.values())}–{max(ports.values())}")
        result = run_flow(
            "nightly",
            dict(
                data_dir=str(data_dir),
                warehouse=None,
                sources=None,
                registry_dir=registry,
                shards=max(2, jobs),
                fast=True,
            ),
            jobs,
            None,
            False,
        )
    finally:
        sites.__exit__()
    print_run(result)
    console.print(
        f"\ndemo done in {time.perf_counter() - t0:.0f}s; datasets under {result['warehouse']} "
        "(docs/datasets.md says what every column means)."
    )
    return result
