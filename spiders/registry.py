"""The source registry: one small TOML file per site under ``data/sources/``.

Why config and not code: adding a county must be a few lines (id, division code,
homepage, optionally the 年报 columns and CMS family); behaviour lives in the CMS
family code. Only government hosts may be sources (``*.gov.cn`` or a listed
government IP): spam mirrors that re-host reports are never trusted.
"""

from __future__ import annotations

import ipaddress
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from extractors.jurisdictions import lookup

REPO = Path(__file__).resolve().parent.parent
DEFAULT_REGISTRY = REPO / "data" / "sources"
DEMO_REGISTRY = DEFAULT_REGISTRY / "demo"
GOVERNMENT_IPS_FILE = "government_ips.toml"
CMS_FAMILIES = ("hanweb", "trs", "generic")


class RegistryError(ValueError):
    """A registry entry that is malformed or names a non-government host."""


@dataclass(frozen=True)
class Politeness:
    """Per-site overrides of the global politeness settings (None: use the global one)."""

    download_delay: float | None = None
    concurrency: int | None = None
    refresh_days: float | None = None


@dataclass(frozen=True)
class Source:
    id: str
    jurisdiction_code: str | None
    jurisdiction_name: str | None
    homepage: str
    name: str | None = None  # the publishing government, e.g. 麟游县人民政府
    columns: tuple[str, ...] = ()
    cms: str | None = None
    allowed_hosts: tuple[str, ...] = ()
    politeness: Politeness = field(default_factory=Politeness)
    confirmed: bool = False
    demo: bool = False
    notes: str = ""
    path: str | None = None

    @property
    def publisher(self) -> str | None:
        return self.name or (f"{self.jurisdiction_name}人民政府" if self.jurisdiction_name else None)

    def allows(self, url: str) -> bool:
        """Is ``url`` on one of this source's hosts (host:port when a port is given)?"""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return False
        netloc = (parts.netloc or "").lower()
        host = (parts.hostname or "").lower()
        if any(h == netloc or h == host for h in self.allowed_hosts):
            return True
        # the county's own sub-domains (xxgk.linyou.gov.cn for www.linyou.gov.cn): same government
        return any(host.endswith("." + base) for base in self._gov_domains())

    def _gov_domains(self) -> tuple[str, ...]:
        out = []
        for h in self.allowed_hosts:
            name = h.split(":")[0]
            base = name[4:] if name.startswith("www.") else name
            if base.endswith(".gov.cn") and base.count(".") >= 2:
                out.append(base)
        return tuple(out)


def is_government_host(host: str, government_ips: frozenset[str] = frozenset(), demo: bool = False) -> bool:
    """``*.gov.cn``, a listed government IP, or (demo entries only) loopback."""
    name = host.split(":")[0].lower().strip(".")
    if name == "gov.cn" or name.endswith(".gov.cn"):
        return True
    if name in government_ips:
        return True
    if demo:
        try:
            return ipaddress.ip_address(name).is_loopback
        except ValueError:
            return name == "localhost"
    return False


def load_government_ips(registry_dir: Path) -> frozenset[str]:
    path = registry_dir / GOVERNMENT_IPS_FILE
    if not path.exists():
        path = DEFAULT_REGISTRY / GOVERNMENT_IPS_FILE
    if not path.exists():
        return frozenset()
    raw = tomllib.loads(path.read_text("utf-8"))
    return frozenset(str(e["ip"]) for e in raw.get("ip", ()))


def parse_entry(raw: dict, path: str | None = None, government_ips: frozenset[str] = frozenset(),
                ports: dict[str, int] | None = None) -> Source:
    """One registry entry (a parsed TOML table) → a validated ``Source``."""
    where = path or raw.get("id", "?")
    demo = bool(raw.get("demo", False))
    if demo and ports is not None:
        port = ports.get(raw.get("demo_site", raw.get("id")))
        if port is None:
            raise RegistryError(f"{where}: no port for demo site {raw.get('demo_site')!r}")
        raw = _fill_port(raw, port)
    for key in ("id", "homepage"):
        if not raw.get(key):
            raise RegistryError(f"{where}: missing {key!r}")
    if not re.fullmatch(r"[a-z0-9][a-z0-9_.-]*", raw["id"]):
        raise RegistryError(f"{where}: id must be lower-case ascii, digits, - _ .")
    code = raw.get("jurisdiction_code")
    if code is not None and not re.fullmatch(r"\d{6}", str(code)):
        raise RegistryError(f"{where}: jurisdiction_code must be six digits (GB/T 2260)")
    cms = raw.get("cms")
    if cms is not None and cms not in CMS_FAMILIES:
        raise RegistryError(f"{where}: cms must be one of {CMS_FAMILIES}")
    homepage = raw["homepage"]
    columns = tuple(raw.get("columns", ()))
    hosts = tuple(h.lower() for h in raw.get("allowed_hosts", ())) or (urlsplit(homepage).netloc.lower(),)
    for host in hosts:
        if not is_government_host(host, government_ips, demo):
            raise RegistryError(f"{where}: {host} is not a government host (*.gov.cn or a listed IP)")
    for url in (homepage, *columns):
        netloc = urlsplit(url).netloc.lower()
        if netloc not in hosts and (urlsplit(url).hostname or "") not in hosts:
            raise RegistryError(f"{where}: {url} is not on the allowed hosts {hosts}")
    pol = raw.get("politeness", {})
    return Source(
        id=raw["id"],
        jurisdiction_code=str(code) if code is not None else None,
        jurisdiction_name=raw.get("jurisdiction_name"),
        name=raw.get("name"),
        homepage=homepage,
        columns=columns,
        cms=cms,
        allowed_hosts=hosts,
        politeness=Politeness(
            download_delay=pol.get("download_delay"),
            concurrency=pol.get("concurrency"),
            refresh_days=pol.get("refresh_days"),
        ),
        confirmed=bool(raw.get("confirmed", False)),
        demo=demo,
        notes=raw.get("notes", ""),
        path=path,
    )


def _fill_port(raw: dict, port: int) -> dict:
    def fill(value):
        if isinstance(value, str):
            return value.replace("{port}", str(port))
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return value

    return fill(dict(raw))


def load_registry(registry_dir: str | Path | None = None, ports: dict[str, int] | None = None,
                  include_demo: bool = False) -> dict[str, Source]:
    """Every entry under ``registry_dir`` (default ``data/sources/``), by id.

    The demo templates under ``data/sources/demo/`` hold ``{port}`` placeholders and are
    read only with ``include_demo`` or when they are the directory asked for.
    """
    root = Path(registry_dir) if registry_dir else DEFAULT_REGISTRY
    gov_ips = load_government_ips(root)
    sources: dict[str, Source] = {}
    for path in sorted(root.rglob("*.toml")):
        if path.name == GOVERNMENT_IPS_FILE:
            continue
        rel = path.relative_to(root)
        if rel.parts[0] == "demo" and not include_demo and root != DEMO_REGISTRY:
            continue
        try:
            raw = tomllib.loads(path.read_text("utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise RegistryError(f"{path}: {exc}") from exc
        entries = raw.get("source", [raw]) if "source" in raw else [raw]
        for entry in entries:
            src = parse_entry(entry, str(path), gov_ips, ports)
            if src.id in sources:
                raise RegistryError(f"{path}: duplicate source id {src.id!r} (also in {sources[src.id].path})")
            sources[src.id] = src
    return sources


def adhoc_source(url: str, jurisdiction_code: str | None = None, jurisdiction_name: str | None = None) -> Source:
    """A source for ``ogi crawl --url``: a site not in the registry yet, crawled the same way.

    No government-host check here: trying a site is the operator's explicit choice.
    """
    parts = urlsplit(url)
    netloc = parts.netloc.lower()
    sid = "url-" + re.sub(r"[^a-z0-9]+", "-", netloc).strip("-")
    if jurisdiction_code and not jurisdiction_name:
        jurisdiction_name = _lookup_name(jurisdiction_code)
    return Source(
        id=sid,
        jurisdiction_code=jurisdiction_code,
        jurisdiction_name=jurisdiction_name,
        homepage=url,
        allowed_hosts=(netloc,),
        confirmed=False,
        notes="ad hoc (--url)",
    )


def _lookup_name(code: str) -> str | None:
    found = lookup(code)
    return found.name if found is not None else None
