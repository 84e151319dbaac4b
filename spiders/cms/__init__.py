"""CMS families: the pagination and link quirks shared by thousands of county sites.

Like alltheplaces' store-finder platforms: a site names its family in the registry
(or the family is recognised from the page), and the family knows where the rest of
a listing is and where attachments hide. Each family is one module here with one
``CmsFamily`` subclass (see its docstring); importing this package imports every module,
and each subclass registers itself, so there is no list to keep.
"""

import importlib
import pkgutil

from spiders.cms.base import CmsFamily, Link, anchor_links, registered

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")


def family_names() -> tuple[str, ...]:
    """The names a registry source's ``cms`` may take."""
    return tuple(sorted(registered()))


def family(name: str) -> CmsFamily:
    """The registered family called ``name`` (KeyError if there is none)."""
    return registered()[name]


def families_for(response, preferred: str | None = None) -> list[CmsFamily]:
    """The families whose markers are on this page, the configured one first; fallbacks always last."""
    families = registered()
    fallbacks = [f for f in families.values() if f.fallback]
    found = [f for f in families.values() if not f.fallback and f.matches(response)]
    chosen = families.get(preferred) if preferred else None
    if chosen is not None and not chosen.fallback and chosen not in found:
        found.insert(0, chosen)
    found.sort(key=lambda f: f.name != preferred)
    return [*found, *fallbacks]


__all__ = ["CmsFamily", "Link", "anchor_links", "families_for", "family", "family_names"]
