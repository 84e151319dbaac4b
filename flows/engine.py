"""The Prefect API a run talks to: the operator's server, or one temporary local API.

Why explicit: with no ``PREFECT_API_URL``, Prefect starts a temporary server per
process, so every process-pool worker would start its own (seconds each) and runs would
be split across databases. ``ogi`` starts one for the whole command and exports its URL,
so workers and subprocesses inherit it; with ``PREFECT_API_URL`` set (``prefect server
start``, Prefect Cloud) runs go there and show in its UI.

The temporary server is started through :mod:`flows.processes`, so it dies with the
``ogi`` process even when that is SIGKILLed (Prefect's own start leaves it running), and
run logs are not shipped to it: it is thrown away after the command, and shipping to a
server that is stopping printed "Error logging to API" after failed runs (the events still
queued are sent before it stops, for the same reason).
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import Iterator

from flows import processes
from flows.settings import configure_prefect


def _temporary_server():
    """Prefect's ``SubprocessASGIServer`` with its uvicorn child started by :func:`flows.processes.popen`."""
    import prefect
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import get_current_settings

    class TemporaryServer(SubprocessASGIServer):
        _instances: dict = {}  # not shared with Prefect's own instances (it keeps one per port)

        def _run_uvicorn_command(self):
            # the command and environment of SubprocessASGIServer._run_uvicorn_command (Prefect 3)
            cmd = [
                sys.executable,
                "-m",
                "uvicorn",
                "--app-dir",
                str(prefect.__module_path__.parent),
                "--factory",
                "prefect.server.api.server:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "error",
                "--lifespan",
                "on",
            ]
            env = {
                **os.environ,
                "PREFECT_UI_ENABLED": "0",
                "PREFECT__SERVER_EPHEMERAL": "1",
                "PREFECT__SERVER_FINAL": "1",
                **get_current_settings().to_environment_variables(exclude_unset=True),
            }
            return processes.popen(cmd, env=env)

    return TemporaryServer()


@contextmanager
def prefect_api(timeout: int = 60) -> Iterator[str]:
    """Yield the API URL in use for the duration of one ogi command."""
    configure_prefect()
    if os.environ.get("PREFECT_API_URL"):
        yield os.environ["PREFECT_API_URL"]
        return
    os.environ["PREFECT_LOGGING_TO_API_ENABLED"] = "false"
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_API_URL, PREFECT_LOGGING_TO_API_ENABLED, temporary_settings

    server = _temporary_server()
    server.start(timeout=timeout)
    os.environ["PREFECT_API_URL"] = server.api_url
    # Prefect's own code (events and logging clients) asks SubprocessASGIServer() for "the" ephemeral server;
    # unregistered, it would start a second one without our die-with-parent guard (as prefect_test_harness does)
    previous = SubprocessASGIServer._instances.get(None)
    SubprocessASGIServer._instances[None] = server
    try:
        with temporary_settings({PREFECT_API_URL: server.api_url, PREFECT_LOGGING_TO_API_ENABLED: False}):
            yield server.api_url
    finally:
        from prefect.events.worker import EventsWorker

        EventsWorker.drain_all(timeout=10, at_exit=False)  # before the server goes, not at exit against a dead one
        os.environ.pop("PREFECT_API_URL", None)
        os.environ.pop("PREFECT_LOGGING_TO_API_ENABLED", None)
        if previous is None:
            SubprocessASGIServer._instances.pop(None, None)
        else:
            SubprocessASGIServer._instances[None] = previous
        server.stop()
