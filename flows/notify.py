"""Tell an operator a run failed: POST its record as JSON to ``OGI_NOTIFY_URL`` (Slack/Matrix bridges, ntfy, …).

Why bounded and in a thread: the notification is a courtesy. A receiver that is down,
slow or hostile must never change or delay the run's result beyond ``timeout`` seconds:
the record is written and the exit code decided before it is sent, and a notification
that fails is reported in one line, never raised.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from typing import Any


def notify(url: str, message: dict[str, Any], timeout: float = 5.0) -> str | None:
    """POST ``message`` as JSON to ``url``; ``None`` when the receiver answered 2xx, else why not (one line)."""
    body = json.dumps(message, ensure_ascii=False, default=str).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json", "User-Agent": "ogi-notify"}
    )
    outcome: list[str | None] = []

    def send() -> None:
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (an operator's URL)
                response.read(65536)
                ok = 200 <= response.status < 300
                outcome.append(None if ok else f"the receiver answered HTTP {response.status}")
        except Exception as exc:  # any failure is reported, never raised
            outcome.append(f"{type(exc).__name__}: {exc}"[:200])

    worker = threading.Thread(target=send, name="ogi-notify", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        return f"no answer within {timeout:g}s"
    return outcome[0] if outcome else "no outcome"
