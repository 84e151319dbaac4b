"""The virtual counties: who publishes what, where, and which of it is a report (the truth).

Why a model apart from the pages: the truth (every report's URL, organ and year, every
distractor's URL and reason) must be known for 3,000 counties without rendering a page;
pages are rendered on demand from the same model (``demo.national.pages``). Everything is
a function of (seed, county index), so a county rebuilt later is byte-identical.
"""

from __future__ import annotations

import csv
import hashlib
import os
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from demo.national import layouts

FAMILIES = ("hanweb", "trs", "gkmlpt", "anhui", "hebei", "heilongjiang", "generic")
# what most counties of a province run (the registry README's URL shapes); the rest are TRS-style or generic
PROVINCE_FAMILY = {
    "44": "gkmlpt",
    "34": "anhui",
    "13": "hebei",
    "23": "heilongjiang",
    "33": "hanweb",
    "37": "hanweb",
    "36": "hanweb",
    "62": "hanweb",
}
NOT_A_REPORT = ("notice", "news", "bulletin", "template", "interpretation", "graphic", "other_report")
YEARS = tuple(range(2019, 2025))
DEPARTMENTS = (
    ("教育局", "jyj"),
    ("财政局", "czj"),
    ("卫生健康局", "wjj"),
    ("农业农村局", "nyj"),
    ("自然资源局", "zrzyj"),
    ("民政局", "mzj"),
    ("人力资源和社会保障局", "rsj"),
    ("住房和城乡建设局", "zjj"),
    ("交通运输局", "jtj"),
    ("市场监督管理局", "scjgj"),
    ("应急管理局", "yjj"),
    ("司法局", "sfj"),
    ("审计局", "sjj"),
    ("统计局", "tjj"),
)
TOWN_CHARS = "东西南北安宁平和兴隆新丰永太长青龙凤阳石河桥山川云白马柳杨林"
REGISTRY_CSV = "county-portals.csv"
# how a report is published: an inline page, a page with the PDF attached, or a file linked from the listing
FORMS, FORM_WEIGHTS = ("page", "page+pdf", "pdf", "docx"), (70, 8, 7, 15)


def registry_csv() -> Path | None:
    """The shared seed list, read at run time only (never copied into the repository)."""
    env = os.environ.get("OGI_REGISTRY_CSV")
    candidates = [Path(env)] if env else []
    here = Path(__file__).resolve()
    candidates += [p / "shared" / "registry" / REGISTRY_CSV for p in here.parents]
    return next((p for p in candidates if p.is_file()), None)


@dataclass
class Attachment:
    path: str
    fmt: str  # pdf | docx
    label: str  # the link text on the page


@dataclass
class Entry:
    """One item in an organ's 年报 column: a report, or a distractor with its reason."""

    id: int
    kind: str  # "report" or one of NOT_A_REPORT
    title: str  # the document's full title
    link_text: str  # the listing's text: the title, or cut short ("…年度报...")
    date: str  # publication date, YYYY-MM-DD
    year: int | None
    form: str  # page (an article, maybe with attachments) | pdf | docx (the listing links the file)
    path: str = ""
    attachments: list[Attachment] = field(default_factory=list)

    @property
    def cut_short(self) -> bool:
        return self.link_text != self.title


@dataclass
class Organ:
    name: str  # the full organ name: 某县教育局, 某镇人民政府, 某县人民政府
    label: str  # its link label on organ lists: 县教育局, 某镇
    kind: str  # gov | dept | town
    slug: str
    host: str  # its own sub-domain, or the county's host
    col: int  # a numeric id the family layouts use for columns and sites
    entries: list[Entry] = field(default_factory=list)
    xxgk: bool = False  # Hanweb: its column is the xxgk module's search, not a jpage column


@dataclass
class County:
    index: int
    code: str
    name: str  # 麟游县
    host: str  # www.linyou.gov.cn
    family: str
    charset: str  # utf-8 | gbk
    lying_header: bool  # a GBK page served as charset=utf-8
    organs: list[Organ]
    seed: int

    @property
    def government(self) -> str:
        return f"{self.name}人民政府"

    @property
    def hosts(self) -> list[str]:
        return sorted({self.host, *(o.host for o in self.organs)})

    def url(self, host: str, path: str) -> str:
        return f"http://{host}{path}"

    def reports(self) -> list[dict[str, Any]]:
        """The truth: every report, by the URL a crawler reaches it at (article page or linked file)."""
        return [
            {
                "url": self.url(o.host, e.path),
                "organ": o.name,
                "year": e.year,
                "family": self.family,
                "cut_short": e.cut_short,
                "organ_in_title": o.label in e.title,
            }
            for o in self.organs
            for e in o.entries
            if e.kind == "report"
        ]

    def distractors(self) -> list[dict[str, Any]]:
        """Every document that mentions reports but is not one, with its reason (attachments included)."""
        out = []
        for o in self.organs:
            for e in o.entries:
                if e.kind == "report":
                    continue
                out.append({"url": self.url(o.host, e.path), "kind": e.kind, "title": e.title})
                out += [{"url": self.url(o.host, a.path), "kind": "template", "title": a.label} for a in e.attachments]
        return out

    def report_attachments(self) -> dict[str, str]:
        """Attachment URL of a report page -> the page's URL (a report's documents, not reports themselves)."""
        return {
            self.url(o.host, a.path): self.url(o.host, e.path)
            for o in self.organs
            for e in o.entries
            if e.kind == "report"
            for a in e.attachments
        }


def _registry_rows() -> list[tuple[str, str, str]]:
    """(code, county name, http host) from the shared list, gov.cn hosts only, one county per host."""
    path = registry_csv()
    if path is None:
        return []
    rows, seen = [], set()
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            host = (urlsplit(row.get("portal_url") or "").hostname or "").lower()
            if not host.endswith(".gov.cn") or host in seen or not row.get("code"):
                continue
            seen.add(host)
            rows.append((row["code"], row["path"].split("/")[-1], host))
    return rows


def _division_rows() -> list[tuple[str, str, str]]:
    """Without the shared list: the current county codes and names, hosts ``www.x{code}.gov.cn``."""
    from extractors.jurisdictions import divisions

    return [
        (d.code, d.name, f"www.x{d.code}.gov.cn") for d in divisions() if d.level == "county" and d.valid_to is None
    ]


def generate(n: int, seed: int = 1, use_registry: bool = True) -> list[County]:
    """``n`` virtual counties (at most 3,000), deterministic from ``seed``.

    Counties are a seeded sample of the real ones (real host names when the shared
    registry is present); the first seven get one family each, so even a small run
    covers every family; the rest follow their province.
    """
    rows = (_registry_rows() if use_registry else []) or _division_rows()
    rng = random.Random(seed)
    picked = rng.sample(rows, min(n, len(rows), 3000))
    return [build_county(i, code, name, host, seed) for i, (code, name, host) in enumerate(picked)]


def _family(index: int, code: str, rng: random.Random) -> str:
    if index < len(FAMILIES):
        return FAMILIES[index]
    if code[:2] in PROVINCE_FAMILY and rng.random() < 0.8:
        return PROVINCE_FAMILY[code[:2]]
    return rng.choice(("trs", "trs", "trs", "generic", "hanweb"))


def build_county(index: int, code: str, name: str, host: str, seed: int) -> County:
    rng = random.Random(f"{seed}-{code}")
    family = _family(index, code, rng)
    charset = "gbk" if family in ("trs", "heilongjiang") or (family == "generic" and rng.random() < 0.5) else "utf-8"
    base = host[4:] if host.startswith("www.") else host
    col = 1000 + rng.randrange(9000) * 10
    organs = [Organ(f"{name}人民政府", name, "gov", "xxgk", host, col)]
    for i, (dept, slug) in enumerate(rng.sample(DEPARTMENTS, rng.randint(2, 4))):
        own_host = f"{slug}.{base}" if rng.random() < 0.15 and base.endswith(".gov.cn") else host
        prefix = name[-1]  # 县教育局 / 区教育局 / 市教育局
        organs.append(
            Organ(
                f"{name}{dept}",
                f"{prefix}{dept}",
                "dept",
                slug,
                own_host,
                col + 100 * (i + 1),
                xxgk=family == "hanweb" and rng.random() < 0.5,
            )
        )
    for i in range(rng.randint(2, 3)):
        town = "".join(rng.sample(TOWN_CHARS, 2)) + rng.choice("镇镇乡")
        if any(o.label == town for o in organs):
            continue
        organs.append(Organ(f"{name}{town}人民政府", town, "town", f"town{i + 1}", host, col + 1000 + 100 * i))
    county = County(index, code, name, host, family, charset, charset == "gbk" and rng.random() < 0.4, organs, seed)
    ids = iter(range(rng.randrange(10_000, 90_000) * 10, 10**9))
    for organ in organs:
        organ.entries = _entries(county, organ, rng, ids)
        for e in organ.entries:
            layouts.place(county, organ, e)
    return county


def _report_title(county: County, organ: Organ, year: int, rng: random.Random) -> str:
    if organ.kind == "town" and rng.random() < 0.4:
        return f"{year}年政府信息公开工作年度报告"  # a township's own column: no organ in the title
    who = county.government if organ.kind == "gov" and rng.random() < 0.5 else organ.name
    if organ.kind == "town":
        who = organ.name if rng.random() < 0.5 else organ.name.removesuffix("人民政府")
    return rng.choice(
        (
            f"{who}{year}年政府信息公开工作年度报告",
            f"{who}{year}年度政府信息公开工作年度报告",
            f"{who}关于{year}年政府信息公开工作的年度报告",
        )
    )


def _cut(title: str) -> str:
    """A listing's cut-short text: cut inside 年度报告 (``…年度报...``), the full title in ``title=``."""
    at = title.find("年度报告")
    return title[: at + 3] + "..." if at > 0 else title[:12] + "..."


def _distractors(county: County, rng: random.Random) -> list[tuple[str, str, int | None]]:
    y = rng.choice(YEARS[2:])
    c = county.name
    cands = [
        ("notice", f"关于做好{y}年政府信息公开工作年度报告编制和发布工作的通知", y),
        ("news", f"我县召开{y - 1}年度政府信息公开工作年度报告编制培训会", y - 1),
        ("bulletin", f"关于{y - 1}年政府信息公开工作年度报告发布情况的通报", y - 1),
        ("template", f"{y}年政府信息公开工作年度报告（参考模板）", y),
        ("interpretation", f"{c}{y - 1}年政府信息公开工作年度报告解读", y - 1),
        ("graphic", f"图解：{c}{y - 2}年政府信息公开工作年度报告", y - 2),
        ("other_report", f"{c}{y - 1}年法治政府建设年度报告", y - 1),
        ("other_report", f"{county.government}网站{y - 1}年工作年度报表", y - 1),
    ]
    return [d for d in cands if rng.random() < 0.75]


def _entries(county: County, organ: Organ, rng: random.Random, ids) -> list[Entry]:
    if organ.kind == "gov":
        years = list(YEARS)
    else:
        years = sorted(rng.sample(YEARS, rng.randint(2, 5 if organ.kind == "dept" else 4)))
    entries = []
    for year in years:
        title = _report_title(county, organ, year, rng)
        date = f"{year + 1}-01-{rng.randint(10, 31):02d}"
        form = rng.choices(FORMS, FORM_WEIGHTS)[0]
        if county.family == "gkmlpt" and form in ("pdf", "docx"):  # its directory lists article pages only
            form = "page+pdf"
        text = _cut(title) if rng.random() < 0.15 else title
        entry = Entry(next(ids), "report", title, text, date, year, "page" if form == "page+pdf" else form)
        if form == "page+pdf":
            entry.attachments.append(Attachment("", "pdf", f"{title}.pdf"))
        entries.append(entry)
    if organ.kind == "gov":
        for kind, title, year in _distractors(county, rng):
            form = "docx" if kind == "template" else "page"
            entry = Entry(next(ids), kind, title, title, f"{(year or 2023) + 1}-0{rng.randint(1, 9)}-15", year, form)
            if kind == "notice":
                entry.attachments.append(Attachment("", "docx", "附件：政府信息公开工作年度报告格式模板.docx"))
            entries.append(entry)
    elif organ.kind == "dept" and rng.random() < 0.2 and years:
        y = years[-1]
        entries.append(
            Entry(
                next(ids),
                "interpretation",
                f"一图读懂{organ.name}{y}年政府信息公开工作年度报告",
                f"一图读懂{organ.name}{y}年政府信息公开工作年度报告",
                f"{y + 1}-02-01",
                y,
                "page",
            )
        )
    entries.sort(key=lambda e: (e.date, e.id), reverse=True)
    return entries


def content_key(*parts: Any) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode("utf-8")).hexdigest()[:20]
