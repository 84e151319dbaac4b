"""CMS families: the pagination and link quirks shared by thousands of county sites.

Like alltheplaces' store-finder platforms: a site names its family in the registry
(or the family is recognised from the page), and the family knows where the rest of
a listing is and where attachments hide. Each family is pure: response in, links out.
"""

from spiders.cms.base import CmsFamily, Link, anchor_links
from spiders.cms.generic import GenericFamily
from spiders.cms.hanweb import HanwebFamily
from spiders.cms.trs import TrsFamily

FAMILIES: dict[str, CmsFamily] = {f.name: f for f in (HanwebFamily(), TrsFamily(), GenericFamily())}


def families_for(response, preferred: str | None = None) -> list[CmsFamily]:
    """The families whose markers are on this page, the configured one first; generic always last."""
    found = [f for f in FAMILIES.values() if f.name != "generic" and f.matches(response)]
    if preferred and preferred in FAMILIES and FAMILIES[preferred] not in found and preferred != "generic":
        found.insert(0, FAMILIES[preferred])
    found.sort(key=lambda f: f.name != preferred)
    return [*found, FAMILIES["generic"]]


__all__ = ["FAMILIES", "CmsFamily", "GenericFamily", "HanwebFamily", "Link", "TrsFamily", "anchor_links",
           "families_for"]
