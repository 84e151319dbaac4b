"""The demo sites' registry: the templates in ``data/sources/demo/`` with the ports filled in.

Why templates: the demo sites are crawled through the same registry path as real
counties (a few lines of TOML each), only their ports are known at run time.
"""

from __future__ import annotations

from pathlib import Path

from spiders.registry import DEMO_REGISTRY, Source, load_registry


def template_paths(faults: bool = False) -> list[Path]:
    paths = sorted(DEMO_REGISTRY.glob("*.toml"))
    if faults:
        paths += sorted((DEMO_REGISTRY / "faults").glob("*.toml"))
    return paths


def write_registry(out_dir: str | Path, ports: dict[str, int], faults: bool = False) -> Path:
    """Write a registry for running demo sites (one TOML per site) and return its folder."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.toml"):
        old.unlink()
    import tomllib

    for path in template_paths(faults):
        text = path.read_text("utf-8")
        site = tomllib.loads(text).get("demo_site")
        if site not in ports:
            continue
        (out / path.name).write_text(text.replace("{port}", str(ports[site])), "utf-8")
    return out


def demo_sources(ports: dict[str, int], faults: bool = False, out_dir: str | Path | None = None) -> dict[str, Source]:
    """The registry entries for running demo sites, by id."""
    import tempfile

    folder = out_dir or tempfile.mkdtemp(prefix="ogi-demo-registry-")
    return load_registry(write_registry(folder, ports, faults))
