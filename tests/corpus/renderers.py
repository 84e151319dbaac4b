"""Document model -> real files: HTML (hand-written markup), DOCX (python-docx),
XLSX (openpyxl) and plain text. PDF, DOC, WPS and XLS are made from these by
LibreOffice in ``generate.py``."""

from __future__ import annotations

import html as htmlmod
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .layout import Block, Doc, Grid

FIXED_ZIP_TIME = (2025, 1, 1, 0, 0, 0)


def normalize_zip(path: Path) -> None:
    """Rewrite a zip container with fixed member timestamps (python-docx/openpyxl stamp 'now')."""
    with zipfile.ZipFile(path) as z:
        members = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            if info.filename == "docProps/core.xml":  # openpyxl stamps 'modified' at save time
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)", rb"\g<1>2025-01-15T08:00:00Z\2", data
                )
            zi = zipfile.ZipInfo(info.filename, FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = info.external_attr
            z.writestr(zi, data)


# --------------------------------------------------------------------------- HTML


@dataclass
class HtmlOpts:
    encoding: str = "utf-8"
    meta_charset: str | None = "utf-8"  # None: no meta; may lie about the encoding
    chrome: bool = True
    table_mode: str = "rowspan"  # rowspan | p_per_cell | pipe_rows | pipe_cells
    word_cells: bool = False  # cells wrapped in <p class=MsoNormal><span> like Word-exported HTML
    nbsp_entity: bool = True
    site: str = ""
    body: str = ""
    year: int = 2024
    county: str = ""
    visits: int = 12345
    for_pdf: bool = False
    font: str | None = None


def _cell_html(text: str, word: bool, nbsp_entity: bool = True) -> str:
    parts = [htmlmod.escape(t) for t in text.split("\n")]
    if nbsp_entity:
        parts = [t.replace("\u00a0", "&nbsp;") for t in parts]
    inner = "<br/>".join(parts)
    if word:
        return f'<p class="MsoNormal" align="center" style="text-align:center"><span style="font-family:仿宋_GB2312;font-size:10.5pt">{inner}</span></p>'
    return inner


def html_table(grid: Grid, word: bool = False, nbsp_entity: bool = True) -> str:
    out = [
        '<table class="MsoTableGrid" border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse;width:100%">',
        "<tbody>",
    ]
    for r in range(grid.nrows):
        tds = []
        for tc in grid.row(r):
            attrs = ""
            if tc.rs > 1:
                attrs += f' rowspan="{tc.rs}"'
            if tc.cs > 1:
                attrs += f' colspan="{tc.cs}"'
            tag = "td"
            tds.append(f'<{tag}{attrs} valign="middle">{_cell_html(tc.text, word, nbsp_entity)}</{tag}>')
        out.append("<tr>" + "".join(tds) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def flat_cells(grid: Grid) -> list[str]:
    """Origin cells in source order, one per entry (a converter that dropped the table)."""
    return [tc.text.replace("\n", "") for r in range(grid.nrows) for tc in grid.row(r)]


def pipe_rows(grid: Grid) -> list[str]:
    """One line per row, origin cells joined by ' | ', padded with '|' (liangcheng style)."""
    lines = []
    for r in range(grid.nrows):
        cells = [tc.text.replace("\n", "") for tc in grid.row(r)]
        pad = grid.ncols - len(cells)
        lines.append(" | ".join(cells) + " |" + ("|" * pad if pad > 0 else ""))
    return lines


def pipe_cells(grid: Grid) -> list[str]:
    """One line per origin cell followed by ' |', row padding as '|||' (statistics-bureau style)."""
    lines = []
    for r in range(grid.nrows):
        cells = grid.row(r)
        for tc in cells:
            lines.append(tc.text.replace("\n", "") + " |")
        pad = grid.ncols - len(cells)
        if pad > 0:
            lines.append("|" * pad)
    return lines


def linyou_lines(grid: Grid) -> list[str]:
    """One cell per line with a tab indent; rowspan continuations as a bare tab; rows
    separated by blank lines; line breaks inside a cell stay raw (the Linyou sample)."""
    m = grid.matrix()
    lines: list[str] = []
    for r in range(grid.nrows):
        if r:
            lines.append("")
        for c in range(grid.ncols):
            tc, kind = m[r][c]
            if kind == "o":
                lines.append("\t" + tc.text)
            elif kind == "r":
                lines.append("\t")
    return lines


def _chrome_head(o: HtmlOpts, title: str, published: str) -> str:
    meta = (
        f'<meta http-equiv="Content-Type" content="text/html; charset={o.meta_charset}" />\n' if o.meta_charset else ""
    )
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
{meta}<title>{htmlmod.escape(title)}_{htmlmod.escape(o.site)}</title>
<meta name="SiteName" content="{htmlmod.escape(o.site)}" />
<meta name="ArticleTitle" content="{htmlmod.escape(title)}" />
<meta name="PubDate" content="{published} 09:30" />
<meta name="ColumnName" content="政府信息公开年报" />
<link rel="stylesheet" type="text/css" href="/images/style.css" />
<script type="text/javascript" src="/script/jquery.min.js"></script>
<style>.xxgk_info td{{padding:4px}} .footer{{text-align:center;color:#666}}</style>
</head>
"""


def html_page(doc: Doc, o: HtmlOpts) -> bytes:
    title = "".join(doc.title_lines)
    parts: list[str] = []
    if o.chrome:
        parts.append(_chrome_head(o, doc.html_title or title, doc.published))
        parts.append(f"""<body>
<div class="topbar"><span>欢迎访问{htmlmod.escape(o.site)}！</span><a href="#">无障碍</a> | <a href="#">长者模式</a> | <a href="#">&#32321;&#39636;</a> | <a href="#">登录</a> | <a href="#">注册</a></div>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/col/col1/">政务公开</a></li><li><a href="/col/col2/">政务服务</a></li><li><a href="/col/col3/">互动交流</a></li><li><a href="/col/col4/">走进{htmlmod.escape(o.county)}</a></li></ul></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/col/col1/">政务公开</a> &gt; <a href="/col/col5/">政府信息公开年报</a></div>
<div class="side"><h3>年报目录</h3><ul>
<li><a href="/art/{o.year}/1/20/art_5_101.html">{htmlmod.escape(o.body)}{o.year - 1}年政府信息公开工作年度报告</a></li>
<li><a href="/art/{o.year - 1}/1/18/art_5_88.html">{htmlmod.escape(o.body)}{o.year - 2}年政府信息公开工作年度报告</a></li>
<li><a href="/art/{o.year - 2}/1/25/art_5_71.html">{htmlmod.escape(o.body)}{o.year - 3}年政府信息公开工作年度报告</a></li>
</ul></div>
<div class="article">
<table class="xxgk_info" border="0"><tr><td>索引号：</td><td>11610329MB{o.visits % 10000:04d}-{o.year + 1}-000{o.visits % 97:02d}</td><td>发布机构：</td><td>{htmlmod.escape(o.body)}</td></tr>
<tr><td>生成日期：</td><td>{doc.published}</td><td>主题分类：</td><td>政府信息公开年报</td></tr></table>
""")
    else:
        meta = f'<meta charset="{o.meta_charset}">' if o.meta_charset else ""
        parts.append(
            f"<!DOCTYPE html>\n<html><head>{meta}<title>{htmlmod.escape(title)}</title>"
            "<style>table{border-collapse:collapse} td{border:1px solid #000;padding:2px 4px;font-size:10pt}"
            + (f" body,p,td,h1{{font-family:'{o.font}'}}" if o.font else "")
            + "</style></head>\n<body>\n"
        )
    title_html = "<br/>".join(htmlmod.escape(t) for t in doc.title_lines)
    parts.append(f'<h1 class="title" style="text-align:center">{title_html}</h1>')
    if o.chrome:
        parts.append(
            f'<div class="info">发布日期：{doc.published} 09:30&nbsp;&nbsp;来源：{htmlmod.escape(o.body)}&nbsp;&nbsp;'
            f'浏览次数：<span id="hits">{o.visits % 5000 + 37}</span>&nbsp;&nbsp;【字体：<a>大</a> <a>中</a> <a>小</a>】</div>'
        )
    else:
        parts.append(f"<p>发布日期：{doc.published}</p>")
    parts.append('<div class="content" id="zoom">')
    for b in doc.blocks:
        parts.append(_html_block(b, o))
    parts.append("</div>")
    if o.chrome:
        parts.append(f"""</div>
<div class="share">分享到：<a>微信</a> <a>微博</a> 【<a href="javascript:window.print()">打印本页</a>】 【<a href="javascript:window.close()">关闭窗口</a>】</div>
<div class="footer">
<p>主办：{htmlmod.escape(o.body)}&nbsp;&nbsp;承办：{htmlmod.escape(o.county)}人民政府办公室&nbsp;&nbsp;联系电话：0917-79{o.visits % 100000:05d}</p>
<p>ICP备案号：陕ICP备0501{o.visits % 10000:04d}号-1&nbsp;&nbsp;陕公网安备 61032902000{o.visits % 1000:03d}号&nbsp;&nbsp;网站标识码：61032900{o.visits % 100:02d}</p>
<p>访问量：{o.visits}&nbsp;&nbsp;今日访问：{o.visits % 300}</p>
</div>
<script type="text/javascript">var _hmt = _hmt || []; (function() {{ var hm = document.createElement("script"); }})();</script>
""")
    parts.append("</body></html>\n")
    text = "\n".join(parts)
    return text.encode(o.encoding)  # strict: every character must exist in the page's encoding


def _html_block(b: Block, o: HtmlOpts) -> str:
    esc = htmlmod.escape
    if b.kind == "heading":
        return f'<p style="text-indent:2em"><strong>{esc(b.text)}</strong></p>'
    if b.kind in ("para", "note"):
        return f'<p style="text-indent:2em">{esc(b.text)}</p>'
    if b.kind == "pagebreak":
        return '<p style="page-break-before:always"></p>' if o.for_pdf else ""
    if b.kind in ("landscape", "portrait"):
        return ""
    if b.kind == "table":
        g = b.grid
        if o.table_mode == "rowspan":
            t = html_table(g, o.word_cells, o.nbsp_entity)
            if b.nested:
                t = f'<table border="0" width="100%"><tr><td>{t}</td></tr></table>'
            return t
        if o.table_mode == "p_per_cell":
            return "\n".join(f"<p>{_cell_html(t, False, o.nbsp_entity)}</p>" for t in flat_cells(g))
        lines = pipe_rows(g) if o.table_mode == "pipe_rows" else pipe_cells(g)
        return "\n".join(f"<p>{esc(t)}</p>" for t in lines)
    raise ValueError(b.kind)


# --------------------------------------------------------------------------- DOCX


@dataclass
class DocxOpts:
    ruled: bool = True
    repeat_header: bool = False
    page_numbers: bool = True
    font: str = "宋体"
    body_pt: float = 12
    table_pt: float = 9
    title_pt: float = 18
    applied: set[str] = field(default_factory=set)


def _set_east_asian(style, font: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), font)


def _add_numbering(document, fmt: str, text: str) -> int:
    """Add a one-level Word list (e.g. chineseCounting '%1、') and return its numId."""
    from docx.oxml import parse_xml

    numbering = document.part.numbering_part.element
    abstract_ids = [
        int(a.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}abstractNumId"))
        for a in numbering.findall("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}abstractNum")
    ]
    num_ids = [
        int(a.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}numId"))
        for a in numbering.findall("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}num")
    ]
    aid = max(abstract_ids + [0]) + 1
    nid = max(num_ids + [0]) + 1
    W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    abstract = parse_xml(
        f'<w:abstractNum {W} w:abstractNumId="{aid}"><w:multiLevelType w:val="singleLevel"/>'
        f'<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:suff w:val="space"/>'
        f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/><w:pPr><w:ind w:left="0" w:firstLine="640"/></w:pPr></w:lvl></w:abstractNum>'
    )
    num = parse_xml(f'<w:num {W} w:numId="{nid}"><w:abstractNumId w:val="{aid}"/></w:num>')
    first_num = numbering.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}num")
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    numbering.append(num)
    return nid


def _fill_table(table, grid: Grid, o: DocxOpts, total_width_cm: float) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    if o.ruled:
        table.style = "Table Grid"
    table.autofit = False
    widths = grid.widths or [1] * grid.ncols
    scale = total_width_cm / sum(widths)
    for ci, col in enumerate(table.columns):
        col.width = Cm(widths[ci] * scale)
    for r in range(grid.nrows):
        for ci in range(grid.ncols):
            table.cell(r, ci).width = Cm(widths[ci] * scale)
    for tc in grid.cells:
        if tc.rs > 1 or tc.cs > 1:
            table.cell(tc.r, tc.c).merge(table.cell(tc.r + tc.rs - 1, tc.c + tc.cs - 1))
    for tc in grid.cells:
        cell = table.cell(tc.r, tc.c)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        p = cell.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER if (tc.key or tc.header) else WD_ALIGN_PARAGRAPH.LEFT
        p.paragraph_format.space_after = Pt(0)
        p.paragraph_format.space_before = Pt(0)
        lines = tc.text.split("\n")
        for i, line in enumerate(lines):
            run = p.add_run(line)
            run.font.size = Pt(o.table_pt)
            if i < len(lines) - 1:
                run.add_break()
    if o.repeat_header and grid.header_rows:
        for r in range(grid.header_rows):
            trPr = table.rows[r]._tr.get_or_add_trPr()
            el = OxmlElement("w:tblHeader")
            el.set(qn("w:val"), "true")
            trPr.append(el)


def _page_number_footer(section) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml

    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run("- ")
    p._p.append(
        parse_xml(
            '<w:fldSimple xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:instr=" PAGE ">'
            "<w:r><w:t>1</w:t></w:r></w:fldSimple>"
        )
    )
    p.add_run(" -")


def docx_document(doc: Doc, o: DocxOpts):
    import datetime as dt

    from docx import Document
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    d = Document()
    cp = d.core_properties
    cp.author = "政务公开办"
    cp.title = "".join(doc.title_lines)
    cp.created = cp.modified = dt.datetime(2025, 1, 15, 8, 0, 0)
    cp.last_modified_by = "admin"
    cp.revision = 1
    normal = d.styles["Normal"]
    normal.font.size = Pt(o.body_pt)
    _set_east_asian(normal, o.font)
    sec = d.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.left_margin = sec.right_margin = Cm(2.6)
    sec.top_margin, sec.bottom_margin = Cm(3.0), Cm(2.6)
    if o.page_numbers:
        _page_number_footer(sec)
        o.applied.add("page_numbers")
    numbering: dict[str, int] = {}

    def text_width():
        s = d.sections[-1]
        return (s.page_width - s.left_margin - s.right_margin) / 360000  # EMU -> cm

    for t in doc.title_lines:
        p = d.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(t)
        run.bold = True
        run.font.size = Pt(o.title_pt)
    for b in doc.blocks:
        if b.kind == "heading":
            p = d.add_paragraph()
            if b.autonumber:
                fmt, lvl = b.autonumber.split("|")
                if b.autonumber not in numbering:
                    numbering[b.autonumber] = _add_numbering(d, fmt, lvl)
                pPr = p._p.get_or_add_pPr()
                numPr = OxmlElement("w:numPr")
                ilvl = OxmlElement("w:ilvl")
                ilvl.set(qn("w:val"), "0")
                numId = OxmlElement("w:numId")
                numId.set(qn("w:val"), str(numbering[b.autonumber]))
                numPr.append(ilvl)
                numPr.append(numId)
                pPr.insert(0, numPr)
                o.applied.add("word_autonumber_headings")
            else:
                p.paragraph_format.first_line_indent = Pt(o.body_pt * 2)
            run = p.add_run(b.text)
            run.bold = True
        elif b.kind in ("para", "note"):
            p = d.add_paragraph(b.text)
            p.paragraph_format.first_line_indent = Pt(o.body_pt * 2)
            if b.kind == "note":
                for run in p.runs:
                    run.font.size = Pt(o.table_pt)
        elif b.kind == "pagebreak":
            d.add_page_break()
        elif b.kind in ("landscape", "portrait"):
            s = d.add_section(WD_SECTION.NEW_PAGE)
            w, h = Cm(21), Cm(29.7)
            if b.kind == "landscape":
                s.orientation = WD_ORIENT.LANDSCAPE
                s.page_width, s.page_height = h, w
                o.applied.add("landscape_page")
            else:
                s.orientation = WD_ORIENT.PORTRAIT
                s.page_width, s.page_height = w, h
        elif b.kind == "table":
            g = b.grid
            if b.nested:
                outer = d.add_table(rows=1, cols=1)
                outer.style = "Table Grid"
                cell = outer.cell(0, 0)
                cell.paragraphs[0].add_run("附表").bold = True
                inner = cell.add_table(g.nrows, g.ncols)
                _fill_table(inner, g, o, text_width() - 0.6)
                cell.add_paragraph("")
                o.applied.add("nested_table")
            else:
                t = d.add_table(rows=g.nrows, cols=g.ncols)
                _fill_table(t, g, o, text_width())
            d.add_paragraph("")
        else:
            raise ValueError(b.kind)
    return d


KEEP_STYLES = {
    "Normal",
    "Default Paragraph Font",
    "Normal Table",
    "Table Grid",
    "No List",
    "Header",
    "Footer",
    "Header Char",
    "Footer Char",
}


def _prune_styles(d) -> None:
    """Delete the template's unused style definitions and latent-style list (python-docx API)."""
    for style in list(d.styles):
        if style.name not in KEEP_STYLES:
            style.delete()
    latent = d.styles.element.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}latentStyles")
    if latent is not None:
        d.styles.element.remove(latent)


def save_docx(doc: Doc, o: DocxOpts, path: Path) -> None:
    d = docx_document(doc, o)
    _prune_styles(d)
    # python-docx's template carries parts Word does not need (a 430 KB stylesWithEffects.xml
    # and a thumbnail); leave them out to keep the corpus small.
    for rid, rel in list(d.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            d.part.drop_rel(rid)
    pkg_rels = d.part.package.rels
    for rid, rel in list(pkg_rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            pkg_rels.pop(rid)
    d.save(path)
    normalize_zip(path)


# --------------------------------------------------------------------------- XLSX


def save_xlsx(title: str, sheets: list[tuple[str, list[tuple[str, Grid]]]], path: Path, numeric: bool) -> None:
    """One sheet per entry; each sheet stacks (heading, grid) pairs with merged cells."""
    import datetime as dt

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    wb = Workbook()
    wb.properties.creator = "政务公开办"
    wb.properties.created = wb.properties.modified = dt.datetime(2025, 1, 15, 8, 0, 0)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    first = True
    for name, items in sheets:
        ws = wb.active if first else wb.create_sheet()
        ws.title = name
        row = 1
        if first:
            ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
            width = max(g.ncols for _, g in items)
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
            ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")
            row = 3
        first = False
        for heading, g in items:
            if heading:
                ws.cell(row=row, column=1, value=heading).font = Font(bold=True)
                row += 1
            for tc in g.cells:
                value: object = tc.text
                if numeric and tc.key and _plain_number(tc.text):
                    value = float(tc.text) if "." in tc.text else int(tc.text)
                cell = ws.cell(row=row + tc.r, column=1 + tc.c, value=value)
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
                if tc.rs > 1 or tc.cs > 1:
                    ws.merge_cells(
                        start_row=row + tc.r,
                        start_column=1 + tc.c,
                        end_row=row + tc.r + tc.rs - 1,
                        end_column=1 + tc.c + tc.cs - 1,
                    )
            for r in range(g.nrows):
                for c in range(g.ncols):
                    ws.cell(row=row + r, column=1 + c).border = border
            row += g.nrows + 2
        ws.column_dimensions["A"].width = 22
    wb.save(path)
    normalize_zip(path)


def _plain_number(text: str) -> bool:
    t = text
    if t.startswith("-"):
        t = t[1:]
    return t.replace(".", "", 1).isdigit() and t == t.strip() and not (t.startswith("0") and len(t) > 1 and t[1] != ".")


# --------------------------------------------------------------------------- text


def text_document(doc: Doc, table_mode: str = "linyou") -> str:
    lines: list[str] = list(doc.title_lines) + [""]
    for b in doc.blocks:
        if b.kind == "heading":
            lines.append(b.text)
        elif b.kind in ("para", "note"):
            lines.append(b.text)
        elif b.kind == "table":
            if table_mode == "linyou":
                lines.extend(linyou_lines(b.grid))
                lines.append("")
            elif table_mode == "pipe_rows":
                lines.extend(pipe_rows(b.grid))
            else:
                lines.extend(pipe_cells(b.grid))
    return "\n".join(lines) + "\n"
