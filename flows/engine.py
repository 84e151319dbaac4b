"""The Prefect API a run talks to: the operator's server, or one temporary local API.

Why explicit: with no ``PREFECT_API_URL``, Prefect starts a temporary server per
process, so every process-pool worker would start its own (seconds each) and runs would
be split across databases. ``ogi`` starts one for the whole command and exports its URL,
so workers and subprocesses inherit it; with ``PREFECT_API_URL`` set (``prefect server
start``, Prefect Cloud) runs go there and show in its UI.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator

from flows.settings import configure_prefect


@contextmanager
def prefect_api(timeout: int = 60) -> Iterator[str]:
    """Yield the API URL in use for the duration of one ogi command."""
    configure_prefect()
    if os.environ.get("PREFECT_API_URL"):
        yield os.environ["PREFECT_API_URL"]
        return
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_API_URL, temporary_settings

    server = SubprocessASGIServer()
    server.start(timeout=timeout)
    os.environ["PREFECT_API_URL"] = server.api_url
    try:
        with temporary_settings({PREFECT_API_URL: server.api_url}):
            yield server.api_url
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        server.stop()
