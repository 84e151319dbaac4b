"""A small document model (title, headings, paragraphs, tables with real row/col spans)
and the builders that lay a truth out the way real reports print the form.

Renderers (``renderers.py``) turn the model into HTML, DOCX, XLSX and text.
Labels come from ``SCHEMA``; quirks transform them the way real documents do.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from extractors.schema import SCHEMA

from .truth import CellTruth

REQUESTS_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
APPLICANT_HEAD = "申请人情况"
INFO_HEAD = "信息内容"


# --------------------------------------------------------------------------- model


@dataclass
class TC:
    r: int
    c: int
    text: str
    rs: int = 1
    cs: int = 1
    header: bool = False
    key: tuple[str, str, str] | None = None  # (table, row, col) of a value cell


@dataclass
class Grid:
    nrows: int
    ncols: int
    cells: list[TC]
    header_rows: int = 0
    table: str = ""
    widths: list[float] | None = None  # relative column widths

    def row(self, r: int) -> list[TC]:
        return sorted((c for c in self.cells if c.r == r), key=lambda c: c.c)

    def matrix(self):
        """[r][c] -> (TC, 'o' origin | 'r' rowspan continuation | 'c' colspan continuation)."""
        m = [[None] * self.ncols for _ in range(self.nrows)]
        for tc in self.cells:
            for dr in range(tc.rs):
                for dc in range(tc.cs):
                    kind = "o" if (dr, dc) == (0, 0) else ("c" if dr == 0 else ("r" if dc == 0 else "x"))
                    assert m[tc.r + dr][tc.c + dc] is None, (tc, dr, dc)
                    m[tc.r + dr][tc.c + dc] = (tc, kind)
        for r, line in enumerate(m):
            for c, v in enumerate(line):
                assert v is not None, (self.table, r, c)
        return m

    def split(self, at: int, repeat_header: bool = False, carry_text: bool = False) -> tuple["Grid", "Grid"]:
        """Cut before row ``at``; cells spanning the cut continue in the second part,
        empty (as Word leaves them) or with their text repeated (``carry_text``)."""
        top, bottom = [], []
        h = self.header_rows if repeat_header else 0
        for tc in self.cells:
            end = tc.r + tc.rs
            if end <= at:
                top.append(TC(**tc.__dict__))
                if repeat_header and tc.r < self.header_rows:
                    bottom.append(TC(**tc.__dict__))
            elif tc.r >= at:
                bottom.append(TC(**{**tc.__dict__, "r": tc.r - at + h}))
            else:
                top.append(TC(**{**tc.__dict__, "rs": at - tc.r}))
                bottom.append(
                    TC(**{**tc.__dict__, "r": h, "rs": end - at, "text": tc.text if carry_text else "", "key": None})
                )
        g1 = Grid(at, self.ncols, top, self.header_rows, self.table, self.widths)
        g2 = Grid(self.nrows - at + h, self.ncols, bottom, h, self.table, self.widths)
        g1.matrix(), g2.matrix()
        return g1, g2


@dataclass
class Block:
    kind: str  # title | heading | para | table | pagebreak | landscape | portrait | note
    text: str = ""
    grid: Grid | None = None
    level: int = 1
    autonumber: str | None = None  # heading numbered by Word (text carries no number)
    nested: bool = False  # table placed inside a layout table's cell


@dataclass
class Doc:
    title_lines: list[str]
    blocks: list[Block]
    published: str
    html_title: str = ""


# --------------------------------------------------------------------------- labels


@dataclass
class LabelStyle:
    quirks: set[str] = field(default_factory=set)
    list_marker: str = "、"  # for list_marker_variants: "、", "．", "paren"
    quote: tuple[str, str] = ("「", "」")
    applied: set[str] = field(default_factory=set)

    def item(self, item) -> str:
        text = item.label
        q = self.quirks
        m = re.match(r"^(.*?)（[^（）]*）$", text)
        short = m.group(1) if m and m.group(1) in item.variants else None
        if "partial_granted_short" in q and short:
            text = short
            self.applied.add("partial_granted_short")
        elif "label_typos" in q and item.variants and not short and _is_typo(item):
            text = item.variants[0]
            self.applied.add("label_typos")
        if "list_marker_variants" in q:
            m = re.match(r"^(\d+)\.(.*)$", text)
            if m:
                n, rest = m.groups()
                text = {"、": f"{n}、{rest}", "．": f"{n}．{rest}", "paren": f"（{n}）{rest}"}[self.list_marker]
                self.applied.add("list_marker_variants")
        if "quote_variants" in q and "“" in text:
            text = text.replace("“", self.quote[0]).replace("”", self.quote[1])
            self.applied.add("quote_variants")
        if "label_spaces" in q and len(text) == 2:
            text = text[0] + "\u3000\u3000" + text[1]
            self.applied.add("label_spaces")
        return text

    def head(self, text: str) -> str:
        if "label_line_breaks" in self.quirks and len(text) == 4:
            self.applied.add("label_line_breaks")
            return text[:2] + "\n" + text[2:]
        return text

    def vertical(self, text: str) -> str:
        if "vertical_headers" in self.quirks:
            self.applied.add("vertical_headers")
            return "\n".join(text)
        return self.head(text)


def _is_typo(item) -> bool:
    """A variant that is a typo or truncation of the label (not a plain synonym)."""
    v = item.variants[0]
    lab = item.label
    if lab.startswith(v) or (len(v) >= len(lab) - 3 and v != lab and _dist1(v, lab)):
        return True
    return False


def _dist1(a: str, b: str) -> bool:
    # the labels differ by one short deletion/substitution run
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    j = 0
    while j < min(len(a), len(b)) - i and a[-1 - j] == b[-1 - j]:
        j += 1
    return len(a) - i - j <= 2 and len(b) - i - j <= 3


# --------------------------------------------------------------------------- tables


def _spans(n: int, width: int) -> list[int]:
    """Column spans giving n value columns over ``width`` grid columns."""
    if n == width:
        return [1] * n
    base = [1] * n
    base[-1] += width - n
    return base


def build_proactive(
    version: str, cells: dict, style: LabelStyle, extra_rows=(), per_group: bool = False, info_head: bool = True
) -> list[Grid]:
    """二 as one 4-column table (or one table per 第二十条 group)."""
    table = SCHEMA["proactive"]
    grids: list[Grid] = []
    out: list[TC] = []
    r = 0
    width = 4

    def flush():
        nonlocal out, r
        if out:
            grids.append(Grid(r, width, out, 0, "proactive", [2.2, 1, 1, 1]))
        out, r = [], 0

    for gi, group in enumerate(table.groups_for(version)):
        if per_group:
            flush()
        out.append(TC(r, 0, group.caption, cs=width, header=True))
        r += 1
        spans = _spans(len(group.cols), width - 1)
        out.append(TC(r, 0, INFO_HEAD if info_head else "", header=True))
        c = 1
        for col, sp in zip(group.cols, spans):
            out.append(TC(r, c, style.head(style.item(col)), cs=sp, header=True))
            c += sp
        r += 1
        for row in group.rows:
            out.append(TC(r, 0, style.item(row)))
            c = 1
            for col, sp in zip(group.cols, spans):
                ct: CellTruth = cells[(row.key, col.key)]
                out.append(TC(r, c, ct.printed, cs=sp, key=("proactive", row.key, col.key)))
                c += sp
            r += 1
        for egi, label, printed in extra_rows:
            if egi == gi:
                out.append(TC(r, 0, label))
                c = 1
                for text, sp in zip(printed, spans):
                    out.append(TC(r, c, text, cs=sp))
                    c += sp
                r += 1
    flush()
    for g in grids:
        g.matrix()
    return grids


def request_rows(version: str):
    return SCHEMA["requests"].rows_for(version)


def build_requests(version: str, cells: dict, style: LabelStyle, header: bool = True) -> Grid:
    """三: a 3-level label column block (rowspans) + 7 value columns, 3 header rows."""
    table = SCHEMA["requests"]
    rows = request_rows(version)
    cols = table.cols
    ncols = 3 + len(cols)
    out: list[TC] = []
    # header
    groups = [c.group for c in cols]
    out.append(TC(0, 0, REQUESTS_NOTE, rs=3, cs=3, header=True))
    out.append(TC(0, 3, APPLICANT_HEAD, cs=len(cols), header=True))
    c = 3
    i = 0
    while i < len(cols):
        col = cols[i]
        if col.group is None:
            out.append(TC(1, c, style.head(style.item(col)), rs=2, header=True))
            i += 1
            c += 1
        else:
            j = i
            while j < len(cols) and groups[j] == col.group:
                j += 1
            out.append(TC(1, c, col.group, cs=j - i, header=True))
            for k in range(i, j):
                out.append(TC(2, c + k - i, style.head(style.item(cols[k])), header=True))
            c += j - i
            i = j
    r = 3
    top = next(row.group for row in rows if row.group)
    block = [row for row in rows if row.group]
    seen_top = False
    seen_sub: set[str] = set()
    for row in rows:
        if row.group is None:
            out.append(TC(r, 0, style.item(row), cs=3))
        elif row.group == top:
            if not seen_top:
                out.append(TC(r, 0, top, rs=len(block)))
                seen_top = True
            out.append(TC(r, 1, style.item(row), cs=2))
        else:
            if row.group not in seen_sub:
                n = sum(1 for x in rows if x.group == row.group)
                out.append(TC(r, 1, row.group, rs=n))
                seen_sub.add(row.group)
            out.append(TC(r, 2, style.item(row)))
        for ci, col in enumerate(cols):
            ct: CellTruth = cells[(row.key, col.key)]
            out.append(TC(r, 3 + ci, ct.printed, key=("requests", row.key, col.key)))
        r += 1
    g = Grid(r, ncols, out, 3, "requests", [0.9, 1.3, 2.6] + [0.8] * len(cols))
    g.matrix()
    return g


def build_appeals(cells: dict, style: LabelStyle, header_rows: int = 3) -> Grid:
    """四: 行政复议 × 5 and 行政诉讼 (two kinds) × 5 in one header block, one row of 15 numbers."""
    table = SCHEMA["appeals"]
    rows = table.rows_for("2021")
    cols = table.cols
    n = len(cols)
    out: list[TC] = []
    if header_rows == 3:
        lit = [row for row in rows if row.group]
        c = 0
        for row in rows:
            if row.group is None:
                out.append(TC(0, c, row.label, cs=n, rs=1, header=True))
                for k, col in enumerate(cols):
                    out.append(TC(1, c + k, style.vertical(col.label), rs=2, header=True))
                c += n
        out.append(TC(0, c, lit[0].group, cs=n * len(lit), header=True))
        for row in lit:
            out.append(TC(1, c, row.label, cs=n, header=True))
            for k, col in enumerate(cols):
                out.append(TC(2, c + k, style.vertical(col.label), header=True))
            c += n
    else:  # two header rows: the 行政诉讼 level is dropped
        c = 0
        for row in rows:
            out.append(TC(0, c, row.label, cs=n, header=True))
            for k, col in enumerate(cols):
                out.append(TC(1, c + k, style.vertical(col.label), header=True))
            c += n
    hr = header_rows
    c = 0
    for row in rows:
        for col in cols:
            ct: CellTruth = cells[(row.key, col.key)]
            out.append(TC(hr, c, ct.printed, key=("appeals", row.key, col.key)))
            c += 1
    g = Grid(hr + 1, n * len(rows), out, hr, "appeals", [1] * (n * len(rows)))
    g.matrix()
    return g


# --------------------------------------------------------------------------- text


CN_NUM = "一二三四五六七八九十"


def section_heading(table_key: str, variant: int | None = None) -> str:
    t = SCHEMA[table_key]
    title = t.title if variant is None else t.variants[variant]
    return f"{t.section}、{title}"


def narrative(rng: random.Random, body: str, year: int, short: str) -> list[str]:
    n1, n2, n3 = rng.randint(80, 3000), rng.randint(20, 900), rng.randint(3, 60)
    return [
        f"{year}年，{body}坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻落实《中华人民共和国政府信息公开条例》，"
        f"围绕中心工作推进政务公开标准化规范化建设，各项工作取得新成效。",
        f"（一）主动公开。全年通过政府网站主动公开政府信息{n1}条，其中政策文件{rng.randint(5, 90)}条、"
        f"通知公告{n2}条，发布政策解读{n3}篇，通过政务新媒体发布信息{rng.randint(100, 5000)}条。",
        "（二）依申请公开。进一步规范依申请公开办理流程，严格按照法定时限答复，切实保障公民、法人和其他组织依法获取政府信息。",
        f"（三）政府信息管理。严格落实信息发布“三审三校”制度，全年清理更新过期信息{rng.randint(3, 80)}条。",
        f"（四）平台建设。优化{short}政府网站政府信息公开专栏，规范设置栏目{rng.randint(10, 60)}个。",
        f"（五）监督保障。组织政务公开业务培训{rng.randint(1, 6)}次，参训{rng.randint(20, 300)}人次。",
    ]


def problems_text(year: int) -> list[str]:
    return [
        f"{year}年，政府信息公开工作取得一定成效，但仍存在政策解读形式较为单一、基层政务公开标准化建设有待深化等问题。",
        f"{year + 1}年，将进一步加强业务培训，拓宽公开渠道，不断提升政府信息公开工作质量。",
    ]


def other_matters(rng: random.Random, year: int) -> list[str]:
    fee = rng.choice([0, 0, 0, rng.randint(1, 5) * 100])
    line = (
        f"{year}年，未收取政府信息公开信息处理费。"
        if fee == 0
        else f"{year}年，依据《政府信息公开信息处理费管理办法》收取信息处理费{fee}元。"
    )
    return [line, "无其他需要报告的事项。"]
