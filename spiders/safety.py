"""Where the crawler may go: pure checks of a URL's scheme, port, host and address, URL
shapes for the trap caps, and ``Retry-After``.

Why: a site steers the crawler with its links and redirects. A redirect to
``169.254.169.254`` or to port 22 must never be requested, and a calendar or a session id
in every URL must not make a listing endless. The downloader middleware that applies these
is ``spiders.middlewares.SafetyMiddleware``; here are only the decisions, so they are
tested without a crawl.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

ALLOWED_SCHEMES = ("http", "https")
ALLOWED_PORTS = (80, 443)
# Names that always mean this machine, resolved or not (a proxy would resolve them to itself).
LOCAL_NAMES = re.compile(r"(^|\.)(localhost|localdomain|local|internal|intranet|home\.arpa)$|^ip6-", re.I)
# Beyond ipaddress' is_private/is_loopback/...: ranges a crawler must not reach either.
_EXTRA_BLOCKED = tuple(
    ipaddress.ip_network(n)
    for n in (
        "100.64.0.0/10",  # CGNAT
        "169.254.0.0/16",  # link-local, cloud metadata (169.254.169.254)
        "192.0.0.0/24",
        "198.18.0.0/15",
        "0.0.0.0/8",
        "240.0.0.0/4",
        "fc00::/7",
        "fd00::/8",
        "fe80::/10",
        "::ffff:0:0/96",
        "64:ff9b::/96",
    )
)
# Session ids a server keeps in the URL: dropped (the session cookie carries them anyway).
_SESSION_PATH = re.compile(r";(jsessionid|phpsessid|sid|sessionid)=[^/?#]*", re.I)
SESSION_KEYS = frozenset({"jsessionid", "phpsessid", "aspsessionid", "sessionid", "session_id", "cfid", "cftoken"})
_DIGITS = re.compile(r"\d+")
_DATE_LIKE = re.compile(r"(?<!\d)(?:19|20)\d\d(?:[-_/.]?\d{1,2}){0,2}(?!\d)")
_SMALL = re.compile(r"\d{1,2}")
_TOKEN = re.compile(r"[0-9a-f]{16,}|[A-Za-z0-9_-]{24,}={0,2}", re.I)


def refusal(url: str, allow: frozenset[str], proxied: bool) -> tuple[str, str] | None:
    """(kind, reason) when ``url`` may not be requested by scheme, port or literal address; else None.

    ``allow``: ``host`` or ``host:port`` entries exempt from the port and address checks
    (OGI_ALLOW_HOSTS). Names are not resolved here (``address_refusal`` does that).
    """
    parts = urlsplit(url)
    if parts.scheme not in ALLOWED_SCHEMES:
        return "scheme_not_allowed", f"{parts.scheme or '?'}: only http(s) is crawled"
    host = (parts.hostname or "").lower().strip(".")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return "port_not_allowed", "a malformed port"
    if allowed(host, port, allow):
        return None
    if port not in ALLOWED_PORTS:
        return "port_not_allowed", f"port {port}: only 80 and 443 (OGI_ALLOW_HOSTS names exceptions)"
    ip = literal_ip(host)
    if ip is not None:
        return ("private_address", f"{host} is not a public address") if not is_public(ip) else None
    if not host or LOCAL_NAMES.search(host) or "." not in host:
        return "private_address", f"{host or '(no host)'} names a local machine"
    return None


def address_refusal(host: str, port: int, addresses: Iterable[str], allow: frozenset[str]) -> tuple[str, str] | None:
    """A name that resolves to any non-public address is refused (DNS rebinding to 127.0.0.1 included)."""
    if allowed(host, port, allow):
        return None
    for addr in addresses:
        ip = literal_ip(addr)
        if ip is not None and not is_public(ip):
            return "private_address", f"{host} resolves to {addr}, not a public address"
    return None


def allowed(host: str, port: int, allow: frozenset[str]) -> bool:
    return host in allow or f"{host}:{port}" in allow or f"[{host}]:{port}" in allow


def literal_ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return None


def is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        return is_public(mapped)
    if (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    ):
        return False
    return not any(ip in net for net in _EXTRA_BLOCKED if net.version == ip.version)


def parse_allow_hosts(value: str | Iterable[str] | None) -> frozenset[str]:
    """OGI_ALLOW_HOSTS as a list or a comma/space-separated string → lower-case entries."""
    if not value:
        return frozenset()
    items = re.split(r"[,\s]+", value) if isinstance(value, str) else value
    return frozenset(str(i).strip().lower() for i in items if str(i).strip())


def same_site_redirect(source_url: str, target_url: str) -> bool:
    """A redirect kept on its host and port (http→https on the default ports counts as the same)."""
    a, b = urlsplit(source_url), urlsplit(target_url)
    if (a.hostname or "").lower() != (b.hostname or "").lower():
        return False
    try:
        pa = a.port or (443 if a.scheme == "https" else 80)
        pb = b.port or (443 if b.scheme == "https" else 80)
    except ValueError:
        return False
    return pa == pb or {pa, pb} == set(ALLOWED_PORTS)


def strip_session(url: str) -> str:
    """The URL without session ids (``;jsessionid=…``, ``?PHPSESSID=…``): one URL per page."""
    parts = urlsplit(url)
    path = _SESSION_PATH.sub("", parts.path)
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if k.lower() not in SESSION_KEYS]
        if len(kept) != len(pairs):
            query = urlencode(kept)
    if path == parts.path and query == parts.query:
        return url
    return urlunsplit((parts.scheme, parts.netloc, path, query, parts.fragment))


def url_pattern(url: str) -> str:
    """The URL's shape: host, path with digit runs and tokens masked, query keys with values masked.

    ``/cal/2024-05-01?sid=9f…`` and ``/cal/2023-11-30?sid=1a…`` share a shape: a calendar, or
    endless query variants, hit one cap however many distinct URLs they make up.
    """
    parts = urlsplit(strip_session(url))
    path = _DIGITS.sub("#", _TOKEN.sub("*", parts.path))
    keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    query = "&".join(f"{_DIGITS.sub('#', k)}=" for k in keys)
    return f"{(parts.netloc or '').lower()}{path}" + (f"?{query}" if query else "")


def trap_pattern(url: str) -> str:
    """The URL's shape as far as traps vary it: dates (in the path or a query value), small
    numbers and tokens in query values, session ids. Ids in paths (``/col/col1234/``) stay:
    a county's many organ columns are not a trap, a calendar is.
    """
    parts = urlsplit(strip_session(url))
    path = _DATE_LIKE.sub("#", _TOKEN.sub("*", parts.path))
    pairs = []
    for key, value in sorted(set(parse_qsl(parts.query, keep_blank_values=True))):
        masked = _DATE_LIKE.fullmatch(value) or _SMALL.fullmatch(value) or _TOKEN.fullmatch(value)
        pairs.append(f"{key}={'#' if masked else value}")
    return f"{(parts.netloc or '').lower()}{path}" + (f"?{'&'.join(sorted(set(pairs)))}" if pairs else "")


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())
