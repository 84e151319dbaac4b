"""Where each family puts things: the URL shapes of portals, 年报 columns, their pages, articles, files.

Why apart from the pages: the truth needs every URL without rendering anything. The shapes
are the ones the registry README lists as common nationally (Hanweb ``col/art``, TRS static
directories, Guangdong ``gkmlpt``, Anhui ``/public/column``, Hebei ``/columns/{uuid}``,
Heilongjiang ``/cNNNN/``), and a plain static fallback.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from demo.national.counties import County, Entry, Organ

PAGE_SIZE = 6  # entries per listing page (small, so that paging is common)


def _hex(*parts: object) -> str:
    return hashlib.md5("|".join(map(str, parts)).encode()).hexdigest()


def uuid_for(*parts: object) -> str:
    return str(uuid.UUID(_hex(*parts)))


def sid(organ: Organ) -> int:
    """gkmlpt's site id (SID) of an organ's directory."""
    return 700000 + organ.col // 10


def catid(organ: Organ) -> int:
    """The 年报 category id (gkmlpt, Anhui)."""
    return 2000 + organ.col // 10 % 997


def prefix(county: County, organ: Organ) -> str:
    """An organ's path prefix on its host: "" for the government and for organs on their own sub-domain."""
    return "" if organ.kind == "gov" or organ.host != county.host else f"/{organ.slug}"


def portal(county: County, organ: Organ) -> str:
    """The organ's 政府信息公开 page."""
    f, p = county.family, prefix(county, organ)
    if f == "hanweb":
        return f"/col/col{organ.col + 1}/index.html"
    if f == "trs":
        return "/zwgk/zfxxgk/index.html" if organ.kind == "gov" else f"/zwgk/{organ.kind}xxgk/{organ.slug}/index.html"
    if f == "gkmlpt":
        return f"{p}/gkmlpt/index"
    if f == "anhui":
        return f"/public/column/{organ.col}?type=2"
    if f == "hebei":
        return f"/columns/{uuid_for(county.code, organ.col, 'portal')}/index.html"
    if f == "heilongjiang":
        return f"/c{organ.col + 1}/index.shtml"
    return "/zwgk/index.html" if organ.kind == "gov" else f"/zwgk/{organ.slug}/index.html"


def organ_list(county: County, kind: str) -> str:
    """The government portal's list of departments' (dept) or townships' (town) disclosure sites."""
    f = county.family
    if f == "hanweb":
        return f"/col/col{county.organs[0].col + (2 if kind == 'dept' else 3)}/index.html"
    if f == "anhui":
        return f"/public/column/{county.organs[0].col}?type=3&kind={kind}"
    if f == "hebei":
        return f"/columns/{uuid_for(county.code, kind)}/index.html"
    if f == "heilongjiang":
        return f"/c{county.organs[0].col + (2 if kind == 'dept' else 3)}/index.shtml"
    if f == "gkmlpt":
        return f"/zwgk/{kind}gk/index.html"
    return f"/zwgk/{kind}xxgk/index.html"


def column(county: County, organ: Organ, page: int = 1) -> str:
    """Page ``page`` (1-based) of the organ's 年报 column."""
    f, p = county.family, prefix(county, organ)
    if f == "hanweb":
        if organ.xxgk:
            return f"/col/col{organ.col}/index.html?number={organ.slug.upper()}A0104"
        return f"/col/col{organ.col}/index.html"
    if f == "trs":
        d = portal(county, organ).rsplit("/", 1)[0] + "/ndbg/"
        return d + ("index.html" if page == 1 else f"index_{page - 1}.html")
    if f == "gkmlpt":
        return f"{p}/gkmlpt/api/all/{catid(organ)}?page={page}&sid={sid(organ)}"
    if f == "anhui":
        return f"/public/column/{organ.col}?type=4&catId={catid(organ)}&action=list" + (
            f"&page={page}" if page > 1 else ""
        )
    if f == "hebei":
        u = uuid_for(county.code, organ.col, "ndbg")
        return f"/columns/{u}/index.html" if page == 1 else f"/columns/{u}/index_{page}.html"
    if f == "heilongjiang":
        return f"/c{organ.col}/list.shtml" if page == 1 else f"/c{organ.col}/list_{page}.shtml"
    d = f"/zwgk/{organ.slug}/ndbg/"
    return d + f"list_{page}.shtml"


def pages(n_entries: int) -> int:
    return max(1, -(-n_entries // PAGE_SIZE))


def place(county: County, organ: Organ, e: Entry) -> None:
    """Give an entry (and its attachments) their URLs."""
    f, p = county.family, prefix(county, organ)
    y, m, d = e.date.split("-")
    h = _hex(county.code, e.id)
    ext = e.form if e.form in ("pdf", "docx") else None
    if f == "hanweb":
        e.path = f"/art/{y}/{int(m)}/{int(d)}/art_{organ.col}_{e.id}.html"
        file = lambda name_hex, fmt: f"/module/download/downfile.jsp?classid=0&filename={name_hex}.{fmt}"  # noqa: E731
    elif f == "trs":
        d0 = portal(county, organ).rsplit("/", 1)[0] + f"/ndbg/{y}{m}/"
        e.path = f"{d0}t{y}{m}{d}_{e.id}.html"
        file = lambda name_hex, fmt: f"{d0}P0{y}{m}{d}{int(name_hex[:8], 16) % 10**9:09d}.{fmt}"  # noqa: E731
    elif f == "gkmlpt":
        e.path = f"{p}/gkmlpt/content/{e.id // 1000 % 10}/{e.id}/post_{e.id}.html"
        file = lambda name_hex, fmt: f"{p}/attachment/0/{e.id % 1000}/{name_hex[:12]}.{fmt}"  # noqa: E731
    elif f == "anhui":
        e.path = f"/public/{organ.col}/{e.id}.html"
        file = lambda name_hex, fmt: f"/group3/M00/{name_hex[:2]}/{name_hex[2:4]}/{name_hex[4:24]}.{fmt}"  # noqa: E731
    elif f == "hebei":
        e.path = f"/articles/{uuid_for(county.code, organ.col, 'ndbg')}/{y}{m}{d}/{e.id}.html"
        file = lambda name_hex, fmt: f"/attachments/{y}{m}/{name_hex[:16]}.{fmt}"  # noqa: E731
    elif f == "heilongjiang":
        e.path = f"/c{organ.col}/{y}{m}/c00_{e.id}.shtml"
        file = lambda name_hex, fmt: f"/uploadfiles/{y}{m}/{name_hex[:16]}.{fmt}"  # noqa: E731
    else:
        e.path = f"/zwgk/{organ.slug}/ndbg/{y}{m}/{e.id}.html"
        file = lambda name_hex, fmt: f"/uploads/{y}/{name_hex[:16]}.{fmt}"  # noqa: E731
    if ext:
        e.path = file(h, ext)
    for i, a in enumerate(e.attachments):
        a.path = file(_hex(h, i), a.fmt)
