"""Trying sites that are not in the registry, without polluting the data (``ogi crawl --url/--urls``).

Why apart: a trial is a question ("what does ogi find on this site?"), not data. It crawls into a
scratch data dir of its own (``<data_dir>/trials/<time>-<name>/``) unless the operator names one
with ``--into``; it only tries government hosts (``*.gov.cn`` or a listed government IP) unless a
host is named with ``--allow-host``; and a division code it is given must be one.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from extractors.jurisdictions import lookup
from spiders.registry import DEFAULT_REGISTRY, is_government_host, load_government_ips


class TrialError(ValueError):
    """A trial that cannot run as asked; the message says what to change."""


def host_allowed(netloc: str, allow_hosts: tuple[str, ...]) -> bool:
    """``HOST`` or ``HOST:PORT`` named by ``--allow-host`` (a bare host allows every port of it)."""
    netloc = netloc.lower()
    host = netloc.rsplit(":", 1)[0] if not netloc.startswith("[") else netloc.split("]")[0] + "]"
    return any(a.lower() in (netloc, host) for a in allow_hosts)


def check_site(
    url: str, code: str | None, allow_hosts: tuple[str, ...] = (), government_ips: frozenset[str] | None = None
) -> None:
    """Raise ``TrialError`` unless ``url`` may be tried and ``code`` is a division code."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TrialError(f"{url}: give an http:// or https:// address of a site")
    ips = load_government_ips(DEFAULT_REGISTRY) if government_ips is None else government_ips
    if not is_government_host(parts.hostname, ips) and not host_allowed(parts.netloc, allow_hosts):
        raise TrialError(
            f"{parts.netloc} is not a government host (*.gov.cn or a listed government IP); "
            f"if you mean it, add --allow-host {parts.netloc}"
        )
    if code is not None:
        if not re.fullmatch(r"\d{6}", code):
            raise TrialError(f"{code}: a jurisdiction is a six-digit GB/T 2260 code")
        if lookup(code) is None:
            raise TrialError(f"{code} is not in the jurisdictions table (data/jurisdictions/divisions.csv)")


def parse_url_list(text: str) -> list[tuple[str, str | None]]:
    """Lines of ``URL [CODE]``; blank lines and ``#`` comments skipped."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.split()
        if len(fields) > 2:
            raise TrialError(f"line {n}: expected `URL [CODE]`, got {line!r}")
        out.append((fields[0], fields[1] if len(fields) == 2 else None))
    if not out:
        raise TrialError("the URL list is empty")
    return out


def scratch_dir(data_dir: str | Path, name: str) -> Path:
    """A new data dir for one trial under ``<data_dir>/trials/`` (never loaded by ``ogi run``)."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    label = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "trial"
    path = Path(data_dir) / "trials" / f"{stamp}-{label}"
    path.mkdir(parents=True, exist_ok=False)
    return path
