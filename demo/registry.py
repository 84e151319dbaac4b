"""Registry entries for the running demo sites: the templates in ``demo/sources/`` with the ports filled in.

Why generated entries: the demo sites are crawled through the same registry path as real
counties (``pipelines.crawl --registry-dir``), and the real registry has no demo logic. Only
the ports are known at run time, so the demo writes concrete entries into its own folder,
with a ``government_ips.toml`` naming 127.0.0.1: in that registry the local sites stand in
for the county governments.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from spiders.registry import GOVERNMENT_IPS_FILE, Source, load_registry

TEMPLATES = Path(__file__).resolve().parent / "sources"
GOVERNMENT_IPS = (
    "# Written by demo.registry: the demo county sites on this machine stand in for governments.\n"
    '[[ip]]\nip = "127.0.0.1"\nnote = "the local demo sites (demo/)"\nconfirmed = true\n'
)


def template_paths(faults: bool = False) -> list[Path]:
    """One template per site, named after the site (``linyou.toml`` is the ``linyou`` site)."""
    paths = sorted(TEMPLATES.glob("*.toml"))
    if faults:
        paths += sorted((TEMPLATES / "faults").glob("*.toml"))
    return paths


def write_registry(out_dir: str | Path, ports: dict[str, int], faults: bool = False) -> Path:
    """Write a registry for running demo sites (one TOML per site) and return its folder."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.toml"):
        old.unlink()
    # the crawler refuses loopback addresses and ports other than 80/443 unless allowed by name
    allow = "allow_hosts = [" + ", ".join(f'"127.0.0.1:{p}"' for p in sorted(ports.values())) + "]\n"
    (out / GOVERNMENT_IPS_FILE).write_text(allow + GOVERNMENT_IPS, "utf-8")
    for path in template_paths(faults):
        if path.stem in ports:
            text = path.read_text("utf-8").replace("{port}", str(ports[path.stem]))
            (out / path.name).write_text(text, "utf-8")
    return out


def demo_sources(ports: dict[str, int], faults: bool = False, out_dir: str | Path | None = None) -> dict[str, Source]:
    """The registry entries for running demo sites, by id, read back through the real registry."""
    folder = out_dir or tempfile.mkdtemp(prefix="ogi-demo-registry-")
    return load_registry(write_registry(folder, ports, faults))
