"""The source registry: one small TOML file per site under ``data/sources/``.

Why config and not code: adding a county must be a few lines (id, division code,
homepage, optionally the 年报 columns and CMS family); behaviour lives in the CMS
family code. Only government hosts may be sources (``*.gov.cn`` or a listed
government IP): spam mirrors that re-host reports are never trusted.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from extractors.jurisdictions import lookup
from spiders.cms import family_names

REPO = Path(__file__).resolve().parent.parent
DEFAULT_REGISTRY = REPO / "data" / "sources"
GOVERNMENT_IPS_FILE = "government_ips.toml"


def registered_families() -> Collection[str]:
    """The CMS family names a source's ``cms`` may name: the families that registered themselves."""
    return family_names()


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
    notes: str = ""
    path: str | None = None
    proxy: str | None = None  # an http(s) proxy for this site (provinces that block foreign addresses)
    browser: bool = False  # fetch its pages through the browser (an anti-bot JavaScript check)

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


def is_government_host(host: str, government_ips: frozenset[str] = frozenset()) -> bool:
    """``*.gov.cn`` or a listed government IP (``government_ips.toml`` of the registry folder)."""
    name = host.split(":")[0].lower().strip(".")
    return name == "gov.cn" or name.endswith(".gov.cn") or name in government_ips


def load_government_ips(registry_dir: Path) -> frozenset[str]:
    path = registry_dir / GOVERNMENT_IPS_FILE
    if not path.exists():
        path = DEFAULT_REGISTRY / GOVERNMENT_IPS_FILE
    if not path.exists():
        return frozenset()
    raw = tomllib.loads(path.read_text("utf-8"))
    return frozenset(str(e["ip"]) for e in raw.get("ip", ()))


def load_allow_hosts(registry_dir: str | Path) -> tuple[str, ...]:
    """The ``allow_hosts`` a registry folder's own ``government_ips.toml`` names: ``host:port``
    entries exempt from the crawler's public-address and port checks (the local demo's ports)."""
    path = Path(registry_dir) / GOVERNMENT_IPS_FILE
    if not path.exists():
        return ()
    return tuple(str(h) for h in tomllib.loads(path.read_text("utf-8")).get("allow_hosts", ()))


def parse_entry(
    raw: dict,
    path: str | None = None,
    government_ips: frozenset[str] = frozenset(),
    known_families: Collection[str] | None = None,
) -> Source:
    """One registry entry (a parsed TOML table) → a validated ``Source``.

    ``known_families``: the CMS family names ``cms`` may take (default: ``registered_families()``).
    """
    where = path or raw.get("id", "?")
    families = tuple(registered_families() if known_families is None else known_families)
    for key in ("id", "homepage"):
        if not raw.get(key):
            raise RegistryError(f"{where}: missing {key!r}")
    if not re.fullmatch(r"[a-z0-9][a-z0-9_.-]*", raw["id"]):
        raise RegistryError(f"{where}: id must be lower-case ascii, digits, - _ .")
    code = raw.get("jurisdiction_code")
    if code is not None and not re.fullmatch(r"\d{6}", str(code)):
        raise RegistryError(f"{where}: jurisdiction_code must be six digits (GB/T 2260)")
    cms = raw.get("cms")
    if cms is not None and cms not in families:
        raise RegistryError(f"{where}: cms must be one of {families}")
    homepage = raw["homepage"]
    columns = tuple(raw.get("columns", ()))
    hosts = tuple(h.lower() for h in raw.get("allowed_hosts", ())) or (urlsplit(homepage).netloc.lower(),)
    for host in hosts:
        if not is_government_host(host, government_ips):
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
        notes=raw.get("notes", ""),
        path=path,
        proxy=_proxy(raw.get("proxy"), where),
        browser=bool(raw.get("browser", False)),
    )


def _proxy(value: str | None, where: str) -> str | None:
    if value is None:
        return None
    if urlsplit(str(value)).scheme not in ("http", "https"):
        raise RegistryError(f"{where}: proxy must be an http:// or https:// URL")
    return str(value)


def load_registry(
    registry_dir: str | Path | None = None, known_families: Collection[str] | None = None
) -> dict[str, Source]:
    """Every entry under ``registry_dir`` (default ``data/sources/``), by id."""
    root = Path(registry_dir) if registry_dir else DEFAULT_REGISTRY
    gov_ips = load_government_ips(root)
    sources: dict[str, Source] = {}
    for path in sorted(root.rglob("*.toml")):
        if path.name == GOVERNMENT_IPS_FILE:
            continue
        try:
            raw = tomllib.loads(path.read_text("utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise RegistryError(f"{path}: {exc}") from exc
        entries = raw.get("source", [raw]) if "source" in raw else [raw]
        for entry in entries:
            src = parse_entry(entry, str(path), gov_ips, known_families)
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
