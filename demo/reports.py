"""Report contents for the demo sites: a proper form, consistent with its identities.

Why generated and not copied: every number is known (the truth travels with the site
in ``truth.json``), the form's accounting identities hold, and both form versions
(2019 form for 2019–2020, 2021 form since) are printed with the real labels from
``extractors/schema/form.toml``, so the extractor can be tested end to end on
documents the crawler fetched.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from html import escape
from typing import Any

from extractors.schema import SCHEMA

APPLICANT_COLS = ("natural_person", "commercial", "research", "public_interest", "legal_services", "other_org")
BALANCE_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


def form_version(year: int) -> str:
    return "2019" if year <= 2020 else "2021"


@dataclass
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    header: bool = False


@dataclass
class Grid:
    """A printed table: rows of cells with spans (rendered to HTML, DOCX and XLSX alike)."""

    rows: list[list[Cell]]
    ncols: int


@dataclass
class ReportSpec:
    organ: str
    year: int
    seed: int
    values: dict[str, dict[str, Any]] = field(default_factory=dict)  # "table" -> {"row|col": value}

    @property
    def version(self) -> str:
        return form_version(self.year)

    @property
    def title(self) -> str:
        return f"{self.organ}{self.year}年政府信息公开工作年度报告"

    def truth(self) -> dict[str, Any]:
        return {
            "organ": self.organ,
            "year": self.year,
            "form_version": self.version,
            "title": self.title,
            "values": self.values,
        }


def carried_forward(organ: str, year: int, col: str) -> int:
    """Requests an organ carries into the next year: a function of (organ, year) alone, so
    every site that prints the same organ's reports keeps them consistent across years."""
    return random.Random(f"{organ}-{year}-forward").randint(0, 2) if col == "natural_person" else 0


def make_report(organ: str, year: int, seed: int) -> ReportSpec:
    rng = random.Random(f"{organ}-{year}-{seed}")
    spec = ReportSpec(organ, year, seed)
    version = spec.version
    proactive: dict[str, Any] = {}
    for group in SCHEMA["proactive"].groups_for(version):
        for row in group.rows:
            for col in group.cols:
                if col.kind == "decimal":
                    value: Any = round(rng.uniform(0, 2000), 2)
                elif col.kind == "signed":
                    value = rng.randint(-5, 5)
                elif col.kind == "amount":
                    value = rng.randint(0, 300) * 100
                elif col.key == "in_force":
                    value = rng.randint(5, 40)
                else:
                    value = (
                        rng.randint(0, 30) if row.key in ("regulations", "normative_documents") else rng.randint(0, 900)
                    )
                proactive[f"{row.key}|{col.key}"] = value
    spec.values["proactive"] = proactive

    table = SCHEMA["requests"]
    outcomes = table.outcome_rows(version)
    requests: dict[str, int] = {}
    for col in APPLICANT_COLS:
        heavy = col == "natural_person"
        new = rng.randint(2, 30) if heavy else rng.choice([0, 0, 0, 1, 2])
        # Last year's carried_forward is this year's carried_over (the soft cross-year check holds).
        carried_over, forward = carried_forward(organ, year - 1, col), carried_forward(organ, year, col)
        processed = new + carried_over - forward
        split = {r: 0 for r in outcomes}
        likely = [r for r in outcomes if r in ("granted", "partially_granted", "unable.not_held")] or list(outcomes)
        for _ in range(processed):
            split[rng.choice(likely) if rng.random() < 0.8 else rng.choice(outcomes)] += 1
        requests.update(
            {
                f"new_received|{col}": new,
                f"carried_over|{col}": carried_over,
                f"total_processed|{col}": processed,
                f"carried_forward|{col}": forward,
            }
        )
        requests.update({f"{r}|{col}": n for r, n in split.items()})
    for row in table.rows_for(version):
        requests[f"{row.key}|total"] = sum(requests[f"{row.key}|{c}"] for c in APPLICANT_COLS)
    spec.values["requests"] = requests

    appeals: dict[str, int] = {}
    for row in SCHEMA["appeals"].rows:
        parts = [rng.choice([0, 0, 0, 1]) for _ in range(4)]
        for col, n in zip(("upheld", "corrected", "other", "pending"), parts):
            appeals[f"{row.key}|{col}"] = n
        appeals[f"{row.key}|total"] = sum(parts)
    spec.values["appeals"] = appeals
    return spec


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _header(col) -> str:
    """A column header as these counties print it: an amount says its unit (the form does not)."""
    return f"{col.label}（万元）" if col.kind == "amount" else col.label


def proactive_grids(spec: ReportSpec) -> list[Grid]:
    out = []
    for group in SCHEMA["proactive"].groups_for(spec.version):
        n = 1 + len(group.cols)
        rows = [
            [Cell(group.caption, colspan=n, header=True)],
            [Cell("信息内容", header=True), *(Cell(_header(c), header=True) for c in group.cols)],
        ]
        for row in group.rows:
            cells = [Cell(row.label)]
            for col in group.cols:
                v = spec.values["proactive"][f"{row.key}|{col.key}"]
                text = (f"+{v}" if v > 0 else str(v)) if col.kind == "signed" else _fmt(v)
                cells.append(Cell(text))
            rows.append(cells)
        out.append(Grid(rows, n))
    return out


def requests_grid(spec: ReportSpec) -> Grid:
    table = SCHEMA["requests"]
    version = spec.version
    labels = {c.key: c.label for c in table.cols}
    org_cols = [c for c in APPLICANT_COLS if c != "natural_person"]
    rows: list[list[Cell]] = [
        [Cell(BALANCE_NOTE, rowspan=3, colspan=3, header=True), Cell("申请人情况", colspan=7, header=True)],
        [
            Cell(labels["natural_person"], rowspan=2, header=True),
            Cell("法人或其他组织", colspan=5, header=True),
            Cell(labels["total"], rowspan=2, header=True),
        ],
        [Cell(labels[c], header=True) for c in org_cols],
    ]
    table_rows = table.rows_for(version)
    result_rows = [r for r in table_rows if r.key not in ("new_received", "carried_over", "carried_forward")]
    groups: dict[str, list] = {}
    for r in result_rows:
        if r.group and r.group != "三、本年度办理结果":
            groups.setdefault(r.group, []).append(r.key)
    first_result = True
    seen_group: set[str] = set()
    for r in table_rows:
        values = [Cell(str(spec.values["requests"][f"{r.key}|{c}"])) for c in (*APPLICANT_COLS, "total")]
        if r.key in ("new_received", "carried_over", "carried_forward"):
            rows.append([Cell(r.label, colspan=3), *values])
            continue
        lead: list[Cell] = []
        if first_result:
            lead.append(Cell("三、本年度办理结果", rowspan=len(result_rows)))
            first_result = False
        if r.group and r.group != "三、本年度办理结果":
            if r.group not in seen_group:
                seen_group.add(r.group)
                lead.append(Cell(r.group, rowspan=len(groups[r.group])))
            lead.append(Cell(r.label))
        else:
            lead.append(Cell(r.label, colspan=2))
        rows.append([*lead, *values])
    return Grid(rows, 10)


def appeals_grid(spec: ReportSpec) -> Grid:
    cols = ("upheld", "corrected", "other", "pending", "total")
    labels = {c.key: c.label for c in SCHEMA["appeals"].cols}
    rows = [
        [Cell("行政复议", colspan=5, header=True), Cell("行政诉讼", colspan=10, header=True)],
        [
            *(Cell(labels[c], rowspan=2, header=True) for c in cols),
            Cell("未经复议直接起诉", colspan=5, header=True),
            Cell("复议后起诉", colspan=5, header=True),
        ],
        [*(Cell(labels[c], header=True) for c in cols), *(Cell(labels[c], header=True) for c in cols)],
        [
            Cell(str(spec.values["appeals"][f"{r}|{c}"]))
            for r in ("review", "litigation_direct", "litigation_after_review")
            for c in cols
        ],
    ]
    return Grid(rows, 15)


def sections(spec: ReportSpec) -> list[tuple[str, list[str] | list[Grid]]]:
    """(heading, paragraphs or grids) in the order the form prints them."""
    new = spec.values["requests"]["new_received|total"]
    return [
        (
            "",
            [
                f"根据《中华人民共和国政府信息公开条例》，现向社会公开《{spec.title}》。"
                f"本报告数据统计时限为{spec.year}年1月1日至12月31日。本报告为演示站点生成的样例。"
            ],
        ),
        (
            "一、总体情况",
            [
                f"{spec.year}年，{spec.organ}认真贯彻落实政府信息公开工作要求，全年共收到政府信息公开申请{new}件，"
                "均按时限要求办理答复。",
                "（一）主动公开。持续加强法定主动公开内容建设。",
                "（二）依申请公开。规范办理流程，依法保障申请人权利。",
            ],
        ),
        ("二、主动公开政府信息情况", proactive_grids(spec)),
        ("三、收到和处理政府信息公开申请情况", [requests_grid(spec)]),
        ("四、政府信息公开行政复议、行政诉讼情况", [appeals_grid(spec)]),
        ("五、存在的主要问题及改进情况", ["公开内容的及时性有待提升。下一步将加强培训，完善审核机制。"]),
        ("六、其他需要报告的事项", ["本年度未收取信息处理费。"]),
    ]


def grid_html(grid: Grid) -> str:
    out = ['<table border="1" cellspacing="0" cellpadding="2">']
    for row in grid.rows:
        cells = []
        for c in row:
            attrs = (f' rowspan="{c.rowspan}"' if c.rowspan > 1 else "") + (
                f' colspan="{c.colspan}"' if c.colspan > 1 else ""
            )
            cells.append(f"<td{attrs}>{escape(c.text)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def report_html(spec: ReportSpec) -> str:
    """The report body as inline HTML (what a report page shows in its content area)."""
    parts = [f'<h1 class="title">{escape(spec.organ)}<br/>{spec.year}年政府信息公开工作年度报告</h1>']
    for heading, blocks in sections(spec):
        if heading:
            parts.append(f"<h2>{escape(heading)}</h2>")
        for block in blocks:
            parts.append(grid_html(block) if isinstance(block, Grid) else f"<p>{escape(block)}</p>")
    return "\n".join(parts)


def grid_positions(grid: Grid) -> list[tuple[int, int, Cell]]:
    """(row, col, cell) of every cell's top-left corner, spans laid out like a browser does."""
    taken: set[tuple[int, int]] = set()
    out = []
    for r, row in enumerate(grid.rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            out.append((r, c, cell))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
    return out


def report_docx(spec: ReportSpec) -> bytes:
    import io

    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.add_heading(f"{spec.organ}\n{spec.year}年政府信息公开工作年度报告", level=1)
    for heading, blocks in sections(spec):
        if heading:
            doc.add_heading(heading, level=2)
        for block in blocks:
            if isinstance(block, Grid):
                table = doc.add_table(rows=len(block.rows), cols=block.ncols)
                table.style = "Table Grid"
                for r, c, cell in grid_positions(block):
                    target = table.cell(r, c)
                    if cell.rowspan > 1 or cell.colspan > 1:
                        target = target.merge(table.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
                    target.text = cell.text
                    for p in target.paragraphs:
                        for run in p.runs:
                            run.font.size = Pt(8)
                doc.add_paragraph("")
            else:
                doc.add_paragraph(block)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def report_xlsx(spec: ReportSpec) -> bytes:
    """The report's tables as a workbook (the 附表 some counties attach)."""
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "统计表"
    ws.cell(1, 1, spec.title)
    line = 3
    for heading, blocks in sections(spec):
        grids = [b for b in blocks if isinstance(b, Grid)]
        if not grids:
            continue
        ws.cell(line, 1, heading)
        line += 1
        for grid in grids:
            for r, c, cell in grid_positions(grid):
                ws.cell(line + r, 1 + c, int(cell.text) if cell.text.isdigit() else cell.text)
                if cell.rowspan > 1 or cell.colspan > 1:
                    ws.merge_cells(
                        start_row=line + r,
                        start_column=1 + c,
                        end_row=line + r + cell.rowspan - 1,
                        end_column=1 + c + cell.colspan - 1,
                    )
            line += len(grid.rows) + 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
