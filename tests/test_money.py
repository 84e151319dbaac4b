"""Money in 万元, scaled from the unit the report prints (cell, header, row label, table note),
read from real report documents; never loaded at a guessed scale."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from extractors import extract_bytes
from extractors.document import Row, TextCell
from extractors.model import Cell
from extractors.money import PrintedUnits, printed_units, to_wan

CORPUS = Path(__file__).resolve().parent / "corpus" / "files"
PAGE_2019 = (CORPUS / "html-utf8-2019-rowspan.html").read_text("utf-8")
PAGE_2021 = (CORPUS / "html-utf8-2021-rowspan.html").read_text("utf-8")
HEADER_2019 = '<td colspan="2" valign="middle">采购总金额</td>'
AMOUNT_2019 = '<td colspan="2" valign="middle">142</td></tr>'
FEE_2021 = '<td colspan="3" valign="middle">833.25</td>'
FEE_HEADER_2021 = '<td colspan="3" valign="middle">本年收费金额（单位：万元）</td>'


def procurement(page: str):
    report = extract_bytes(page.encode("utf-8"), "report.html")
    return report.cell("proactive", "procurement", "amount")


@pytest.mark.parametrize(
    "printed, expected, unit_flag",
    [
        ("660000元", 66.0, "converted_from:元"),
        ("142万元", 142.0, None),
        ("1,420千元", 142.0, "converted_from:千元"),
        ("0.0142亿元", 142.0, "converted_from:亿元"),
        ("１４２０００元", 14.2, "converted_from:元"),
    ],
)
def test_unit_printed_in_the_cell(printed, expected, unit_flag):
    cell = procurement(PAGE_2019.replace(AMOUNT_2019, f'<td colspan="2" valign="middle">{printed}</td></tr>'))
    assert (cell.value, cell.unit, cell.raw) == (expected, "万元", printed)
    assert unit_flag is None or unit_flag in cell.flags


@pytest.mark.parametrize(
    "header, expected, source",
    [
        ("采购总金额（元）", 0.0142, "header"),
        ("采购总金额(万元)", 142.0, None),
        ("采购总金额（单位：千元）", 14.2, "header"),
        ("采购总金额（亿元）", 1420000.0, "header"),
    ],
)
def test_unit_printed_in_the_column_header(header, expected, source):
    cell = procurement(PAGE_2019.replace(HEADER_2019, f'<td colspan="2" valign="middle">{header}</td>'))
    assert (cell.value, cell.unit, cell.raw) == (expected, "万元", "142")
    assert source is None or f"unit_from:{source}" in cell.flags


def test_unit_in_a_table_note():
    page = PAGE_2019.replace(
        '<tr><td valign="middle">信息内容</td><td valign="middle">采购项目数量</td>',
        '<tr><td colspan="4">单位：元</td></tr><tr><td valign="middle">信息内容</td><td valign="middle">采购项目数量</td>',
    )
    cell = procurement(page)
    assert (cell.value, cell.unit) == (0.0142, "万元") and "unit_from:table_note" in cell.flags


def test_no_unit_anywhere_is_null_and_flagged_not_guessed():
    cell = procurement(PAGE_2019)
    assert (cell.value, cell.unit, cell.raw) == (None, None, "142") and "unit_unknown" in cell.flags


def test_fee_printed_in_yuan_under_the_forms_wan_header_is_scaled():
    """The case that was loaded 10,000× too large: 251000元 under 本年收费金额（单位：万元）."""
    report = extract_bytes(
        PAGE_2021.replace(FEE_2021, '<td colspan="3" valign="middle">251000元</td>').encode(), "r.html"
    )
    fee = report.cell("proactive", "fees", "amount_wan")
    assert (fee.value, fee.unit, fee.raw) == (25.1, "万元", "251000元") and "converted_from:元" in fee.flags
    plain = extract_bytes(PAGE_2021.encode(), "r.html").cell("proactive", "fees", "amount_wan")
    assert (plain.value, plain.unit) == (833.25, "万元")  # the form's own unit
    in_yuan_header = extract_bytes(
        PAGE_2021.replace(FEE_HEADER_2021, '<td colspan="3" valign="middle">本年收费金额（单位：元）</td>').encode(),
        "r.html",
    ).cell("proactive", "fees", "amount_wan")
    assert in_yuan_header.value == 0.083325 and "unit_from:header" in in_yuan_header.flags


def test_docx_made_by_python_docx_with_unit_in_the_row_label():
    import docx

    page = extract_bytes(PAGE_2019.encode(), "r.html")
    document = docx.Document()
    document.add_paragraph("凤翔区人民政府2020年政府信息公开工作年度报告")
    document.add_paragraph("二、主动公开政府信息情况")
    table = document.add_table(rows=2, cols=3)
    for i, text in enumerate(("信息内容", "采购项目数量", "采购总金额")):
        table.rows[0].cells[i].text = text
    for i, text in enumerate(("政府集中采购（元）", "24", "1420000")):
        table.rows[1].cells[i].text = text
    buf = io.BytesIO()
    document.save(buf)
    report = extract_bytes(buf.getvalue(), "r.docx")
    cell = report.cell("proactive", "procurement", "amount")
    assert page.meta.report_year == report.meta.report_year == 2020
    assert (cell.value, cell.unit, cell.raw) == (142.0, "万元", "1420000") and "unit_from:row_label" in cell.flags


def test_to_wan_is_exact_and_keeps_raw_and_zero_needs_no_unit():
    base = Cell("proactive", "procurement", "amount", 251000.0, "251000", ["x"], 3, None)
    assert to_wan(base, None, PrintedUnits(columns={"amount": "元"})).value == 25.1
    assert to_wan(Cell("proactive", "procurement", "amount", 0.0, "0"), None, PrintedUnits()).value == 0.0
    assert to_wan(Cell("proactive", "procurement", "amount", None, "—"), None, PrintedUnits()).value is None
    units = printed_units(
        [Row([TextCell("（金额单位：万元）")]), Row([TextCell("采购总金额（元）"), TextCell("政府集中采购（千元）")])],
        "proactive",
    )
    assert units == PrintedUnits(columns={"amount": "元"}, rows={"procurement": "千元"}, table="万元")
