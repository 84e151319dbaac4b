"""Shapes met in real published reports that had cost cells or read wrong numbers (issue 10).

Every document here is written for the test (own wording, own numbers, identities worked out
by hand) in the shape a real one had: an HTML page without table borders turned into a PDF by
LibreOffice (five-digit counts in neighbouring columns, a label close to its number), a 2019-form
page whose 三 leaves whole rows blank, and a flattened page whose 四 lost its column header.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors import extract, extract_bytes
from extractors.assemble import read_requests
from extractors.document import Row, TextCell
from extractors.readers.pdf import read_pdf
from extractors.schema import SCHEMA

REQ_COLS = [c.key for c in SCHEMA["requests"].cols]
APPEAL_COLS = [c.key for c in SCHEMA["appeals"].cols]
Z7 = [0] * 7

# A large city's 2021-form 三 (every identity holds: worked out by hand).
CITY = {
    "new_received": [24817, 356, 0, 12, 140, 9, 25334],
    "carried_over": [611, 4, 0, 0, 3, 0, 618],
    "granted": [9120, 170, 0, 6, 52, 4, 9352],
    "partially_granted": [3012, 41, 0, 2, 11, 1, 3067],
    "unable.not_held": [11236, 120, 0, 4, 70, 4, 11434],
    "other_handling.other": [1200, 25, 0, 0, 7, 0, 1232],
    "total_processed": [24568, 356, 0, 12, 140, 9, 25085],
    "carried_forward": [860, 4, 0, 0, 3, 0, 867],
}
CITY_APPEALS = {"review": [412, 88, 150, 97, 747], "litigation_direct": [21, 3, 10, 30, 64],
                "litigation_after_review": [65, 2, 28, 40, 135]}  # fmt: skip
CITY_PROACTIVE = {
    ("regulations", "issued"): 2,
    ("regulations", "repealed"): 4,
    ("regulations", "in_force"): 61,
    ("normative_documents", "issued"): 318,
    ("normative_documents", "repealed"): 702,
    ("normative_documents", "in_force"): 3960,
    ("licensing", "decisions"): 9876543,
    ("penalty", "decisions"): 4321098,
    ("coercion", "decisions"): 123456,
    ("fees", "amount_wan"): 284735.0,
}


def _tds(values) -> str:
    return "".join(f"<td>{'' if v is None else v}</td>" for v in values)


def _city_page(border: bool) -> str:
    table = '<table border="1">' if border else "<table>"
    p = CITY_PROACTIVE
    html = [
        "<html><head><meta charset='utf-8'></head><body>",
        "<p>临川市2024年政府信息公开工作年度报告</p>",
        "<p>本报告所列数据的统计期限为2024年1月1日至12月31日。</p>",
        "<p>二、主动公开政府信息情况</p>",
        table,
        "<tr><td colspan='4'>第二十条第（一）项</td></tr>",
        "<tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>",
        "<tr><td>规章</td>" + _tds([p["regulations", c] for c in ("issued", "repealed", "in_force")]) + "</tr>",
        "<tr><td>行政规范性文件</td>"
        + _tds([p["normative_documents", c] for c in ("issued", "repealed", "in_force")])
        + "</tr>",
        "<tr><td colspan='4'>第二十条第（五）项</td></tr>",
        "<tr><td>信息内容</td><td colspan='3'>本年处理决定数量</td></tr>",
        f"<tr><td>行政许可</td><td colspan='3'>{p['licensing', 'decisions']}</td></tr>",
        "<tr><td colspan='4'>第二十条第（六）项</td></tr>",
        "<tr><td>信息内容</td><td colspan='3'>本年处理决定数量</td></tr>",
        f"<tr><td>行政处罚</td><td colspan='3'>{p['penalty', 'decisions']}</td></tr>",
        f"<tr><td>行政强制</td><td colspan='3'>{p['coercion', 'decisions']}</td></tr>",
        "<tr><td colspan='4'>第二十条第（八）项</td></tr>",
        "<tr><td>信息内容</td><td colspan='3'>本年收费金额（单位：万元）</td></tr>",
        "<tr><td>行政事业性收费</td><td colspan='3'>284735</td></tr>",
        "</table>",
        "<p>三、收到和处理政府信息公开申请情况</p>",
        table,
        "<tr><td colspan='3' rowspan='3'>（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>"
        "<td colspan='7'>申请人情况</td></tr>",
        "<tr><td rowspan='2'>自然人</td><td colspan='5'>法人或其他组织</td><td rowspan='2'>总计</td></tr>",
        "<tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>",
    ]
    rows = SCHEMA["requests"].rows_for("2021")
    for row in rows:
        html.append(f"<tr><td colspan='3'>{row.label}</td>{_tds(CITY.get(row.key, Z7))}</tr>")
    html += [
        "</table>",
        "<p>四、政府信息公开行政复议、行政诉讼情况</p>",
        table,
        "<tr><td colspan='5'>行政复议</td><td colspan='10'>行政诉讼</td></tr>",
        "<tr>"
        + _tds(["结果维持", "结果纠正", "其他结果", "尚未审结", ""]).replace("<td></td>", "<td rowspan='2'>总计</td>")
        + "<td colspan='5'>未经复议直接起诉</td><td colspan='5'>复议后起诉</td></tr>",
        "<tr>" + _tds(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2) + "</tr>",
        "<tr>" + _tds([v for r in CITY_APPEALS.values() for v in r]) + "</tr>",
        "</table>",
        "<p>五、存在的主要问题及改进情况</p><p>仍需改进。</p>",
        "</body></html>",
    ]
    return "\n".join(html)


def _values(report, table: str, row: str, cols: list[str]) -> list:
    return [report.value(table, row, c) for c in cols]


def _pdf_from_html(tmp_path: Path, html: str) -> Path:
    from tests.corpus.generate import soffice

    source = tmp_path / "report.html"
    source.write_text(html, encoding="utf-8")
    soffice([source], "pdf:writer_web_pdf_Export", tmp_path)
    return tmp_path / "report.pdf"


@pytest.mark.slow
def test_pdf_of_a_table_without_ruling_lines_keeps_neighbouring_numbers_apart(tmp_path):
    # Unruled, 24817 and 356 sit a space apart, and 行政事业性收费 runs up to 284735: read as one
    # word they were the wrong numbers 24817356 and a label with no value.
    report = extract(_pdf_from_html(tmp_path, _city_page(border=False)))
    assert report.format == "pdf" and report.meta.report_year == 2024
    for (row, col), v in CITY_PROACTIVE.items():
        assert report.value("proactive", row, col) == v, (row, col)
    for row in SCHEMA["requests"].rows_for("2021"):
        assert _values(report, "requests", row.key, REQ_COLS) == CITY.get(row.key, Z7), row.key
    for row, expected in CITY_APPEALS.items():
        assert _values(report, "appeals", row, APPEAL_COLS) == expected, row
    assert all(c.ok for c in report.checks)
    assert not [p for p in report.problems if p.code in ("ambiguous_alignment", "row_short", "table_incomplete")]


# A district's 2019-form 三 that leaves zeros blank: several rows print nothing at all.
DISTRICT = {
    "new_received": [57, 3, None, None, 1, None, 61],
    "carried_over": [4, None, None, None, None, None, 4],
    "granted": [21, 2, None, None, 1, None, 24],
    "partially_granted": [5, None, None, None, None, None, 5],
    "withheld.process_information": [2, None, None, None, None, None, 2],
    "unable.not_held": [18, 1, None, None, None, None, 19],
    "not_processed.duplicate": [6, None, None, None, None, None, 6],
    "total_processed": [52, 3, None, None, 1, None, 56],
    "carried_forward": [9, None, None, None, None, None, 9],
}
BLANK7 = [None] * 7


def _district_page() -> str:
    html = [
        "<html><head><meta charset='utf-8'></head><body>",
        "<p>青石区人民政府办公室2020年政府信息公开工作年度报告</p>",
        "<p>本报告所列数据的统计期限为2020年1月1日至12月31日。</p>",
        "<p>三、收到和处理政府信息公开申请情况</p>",
        '<table border="1">',
        "<tr><td colspan='3' rowspan='3'>（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>"
        "<td colspan='7'>申请人情况</td></tr>",
        "<tr><td rowspan='2'>自然人</td><td colspan='5'>法人或其他组织</td><td rowspan='2'>总计</td></tr>",
        "<tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>",
    ]
    for row in SCHEMA["requests"].rows_for("2019"):
        html.append(f"<tr><td colspan='3'>{row.label}</td>{_tds(DISTRICT.get(row.key, BLANK7))}</tr>")
    html += ["</table>", "<p>四、政府信息公开行政复议、行政诉讼情况</p><p>无。</p>", "</body></html>"]
    return "\n".join(html)


@pytest.mark.slow
def test_pdf_rows_printed_blank_are_read_blank(tmp_path):
    report = extract(_pdf_from_html(tmp_path, _district_page()))
    assert report.tables["requests"].form_version == "2019"
    for row in SCHEMA["requests"].rows_for("2019"):
        assert _values(report, "requests", row.key, REQ_COLS) == DISTRICT.get(row.key, BLANK7), row.key
    blank = report.cell("requests", "withheld.state_secret", "natural_person")
    assert blank.raw == "" and blank.flags == ["blank"]
    assert not [p for p in report.problems if p.code == "table_incomplete" and p.table == "requests"]
    assert not [c for c in report.checks if c.ok is False]


def _positioned_row(label: str, values: list[str], xs: list[float]) -> Row:
    cells = [TextCell(label, 40.0, 150.0)] + [TextCell(v, x, x + 12.0) for v, x in zip(values, xs)]
    return Row(cells, 1, grid=True)


def _district_rows(loose: bool) -> list[Row]:
    xs = [200.0 + 40 * k for k in range(7)]
    header = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    rows = [
        Row([TextCell(h, x, x + 30) for h, x in zip(header, xs)], 1, grid=True),
        _positioned_row("一、本年新收政府信息公开申请数量", ["3", "0", "0", "0", "0", "0", "3"], xs),
        Row([TextCell("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 40, 150)], 1),
        _positioned_row("（七）总计", ["3", "0", "0", "0", "0", "0", "3"], xs),
    ]
    if loose:  # a line of numbers no label claims, inside the table
        rows.insert(2, Row([TextCell(v, x, x + 12) for v, x in zip("1000001", xs)], 1, grid=True))
    return rows


def test_a_label_printed_alone_is_a_blank_row_only_when_no_numbers_are_loose():
    read = read_requests(_district_rows(loose=False), 2020)
    partial = [c for c in read.cells if c.row == "partially_granted"]
    assert [(c.value, c.raw, c.flags) for c in partial] == [(None, "", ["blank"])] * 7
    # The loose line could be that row's cells: nothing is recorded for it.
    read = read_requests(_district_rows(loose=True), 2020)
    assert not [c for c in read.cells if c.row == "partially_granted"]
    assert [c.value for c in read.cells if c.row == "total_processed"] == [3, 0, 0, 0, 0, 0, 3]


FLAT_APPEALS_LINE = "| 119 | 25 | 91 | 24 | 259 | 7 | 0 | 15 | 6 | 28 | 21 | 1 | 7 | 9 | 38 |"


def _flattened(line: str, header: str = "行政复议行政诉讼") -> bytes:
    lines = [
        "梧桐县2024年政府信息公开工作年度报告",
        "四、政府信息公开行政复议、行政诉讼情况",
        header,
        line,
        "",
        "五、存在的主要问题及改进情况",
        "一是解读还不够。",
    ]
    return ("\n".join(lines) + "\n").encode()


def test_appeals_line_under_a_header_that_lost_its_lower_levels():
    report = extract_bytes(_flattened(FLAT_APPEALS_LINE), name="flat.txt")
    assert _values(report, "appeals", "review", APPEAL_COLS) == [119, 25, 91, 24, 259]
    assert _values(report, "appeals", "litigation_direct", APPEAL_COLS) == [7, 0, 15, 6, 28]
    assert _values(report, "appeals", "litigation_after_review", APPEAL_COLS) == [21, 1, 7, 9, 38]
    assert all(c.ok for c in report.checks)


@pytest.mark.parametrize(
    "line, header",
    [
        (FLAT_APPEALS_LINE.replace("| 259 |", "| 258 |"), "行政复议行政诉讼"),  # a total that does not add up
        (FLAT_APPEALS_LINE.replace("| 0 |", "|", 1), "行政复议行政诉讼"),  # 14 numbers for 15 cells
        (FLAT_APPEALS_LINE.replace("| 0 |", "|  |", 1), "行政复议行政诉讼"),  # a blank cell: no identity decides it
        (FLAT_APPEALS_LINE, "复议与诉讼"),  # neither group label printed
    ],
    ids=["total_off", "short", "blank", "no_group_labels"],
)
def test_appeals_line_without_its_header_is_read_only_when_confirmed(line, header):
    report = extract_bytes(_flattened(line, header), name="flat.txt")
    assert not [c for c in report.cells if c.table == "appeals"]


def _text_report(lines: list[str]) -> bytes:
    head = ["柳岸县2023年政府信息公开工作年度报告"]
    return ("\n".join(head + lines) + "\n").encode()


PROACTIVE_HEAD = [
    "二、主动公开政府信息情况",
    "第二十条第（一）项",
    "信息内容",
    "本年制发件数 本年废止件数 现行有效件数",
]
PROACTIVE_TAIL = ["第二十条第（五）项", "信息内容", "本年处理决定数量", "行政许可", "1520"]


def test_one_cell_per_line_proactive_read_row_by_row():
    lines = PROACTIVE_HEAD + ["规章", "1", "2", "38", "行政规范性文件", "47", "63", "512"] + PROACTIVE_TAIL
    report = extract_bytes(_text_report(lines), name="flat.txt")
    assert _values(report, "proactive", "regulations", ["issued", "repealed", "in_force"]) == [1, 2, 38]
    assert _values(report, "proactive", "normative_documents", ["issued", "repealed", "in_force"]) == [47, 63, 512]
    assert report.value("proactive", "licensing", "decisions") == 1520


def test_proactive_flattened_column_by_column_is_not_read_row_by_row():
    # A converter walked an unruled table out of order (as pdftotext does): 规章 keeps one number,
    # 行政规范性文件 gathers 规章's other two, and its own trail after them. Read row by row that was
    # 行政规范性文件 = 47 | 2 | 38, a wrong row: neither row is recorded.
    lines = PROACTIVE_HEAD + ["规章", "1", "行政规范性文件 47", "2", "38", "63", "512"] + PROACTIVE_TAIL
    report = extract_bytes(_text_report(lines), name="scrambled.txt")
    assert not [c for c in report.cells if c.row in ("regulations", "normative_documents")]
    assert report.value("proactive", "licensing", "decisions") == 1520
    codes = [(p.code, p.table) for p in report.problems]
    assert ("ambiguous_alignment", "proactive") in codes and ("unassigned_values", "proactive") in codes


def test_unlabelled_rows_are_not_filled_in_when_their_row_total_fails():
    # Between 上年结转 and 部分公开 one unlabelled row of seven numbers stands for 予以公开: counts
    # agree, but its last number is not the sum of the others (the numbers of two rows run together).
    rows = [
        "三、收到和处理政府信息公开申请情况",
        "| 一、本年新收政府信息公开申请数量 | 40 | 2 | 0 | 0 | 1 | 0 | 43 |",
        "| 二、上年结转政府信息公开申请数量 | 3 | 0 | 0 | 0 | 0 | 0 | 3 |",
        "| 12 | 1 | 0 | 0 | 1 | 0 | 5 |",
        "| （二）部分公开（区分处理的，只计这一情形，不计其他情形） | 5 | 0 | 0 | 0 | 0 | 0 | 5 |",
        "| （七）总计 | 39 | 2 | 0 | 0 | 1 | 0 | 42 |",
        "| 四、结转下年度继续办理 | 4 | 0 | 0 | 0 | 0 | 0 | 4 |",
        "五、存在的主要问题及改进情况",
    ]
    report = extract_bytes(_text_report(rows), name="rows.txt")
    assert not [c for c in report.cells if c.row == "granted"]
    assert _values(report, "requests", "partially_granted", REQ_COLS) == [5, 0, 0, 0, 0, 0, 5]
    problem = next(p.message for p in report.problems if p.code == "ambiguous_rows")
    assert "does not add up" in problem
    # The same row adding up is filled in (予以公开 is the one row between the two anchors).
    rows[3] = "| 12 | 1 | 0 | 0 | 1 | 0 | 14 |"
    report = extract_bytes(_text_report(rows), name="rows.txt")
    assert _values(report, "requests", "granted", REQ_COLS) == [12, 1, 0, 0, 1, 0, 14]


@pytest.mark.slow
def test_pdf_title_set_with_a_space_between_every_character_keeps_its_year(tmp_path):
    # The digit split must not take 2 0 2 3 apart when every character of the line is spaced so.
    html = (
        "<html><head><meta charset='utf-8'></head><body><p>柳岸县人民政府</p>"
        "<p>柳 岸 县 2 0 2 3 年 政 府 信 息 公 开 工 作 年 度 报 告</p>"
        "<p>三、收到和处理政府信息公开申请情况</p><table border='1'>"
        "<tr><td>一、本年新收政府信息公开申请数量</td>" + _tds([4, 0, 0, 0, 0, 0, 4]) + "</tr>"
        "<tr><td>（七）总计</td>" + _tds([4, 0, 0, 0, 0, 0, 4]) + "</tr></table></body></html>"
    )
    pdf = _pdf_from_html(tmp_path, html)
    rows = [[c.text for c in r.cells] for r in read_pdf(pdf.read_bytes()).rows]
    assert ["柳岸县2023年政府信息公开工作年度报告"] in rows  # one line of text, not 柳岸县2 | 0 | 2 | 3年…
    report = extract(pdf)
    assert (report.meta.report_year, report.meta.year_source) == (2023, "title")
    assert _values(report, "requests", "new_received", REQ_COLS) == [4, 0, 0, 0, 0, 0, 4]


REQUESTS_ONE_PER_LINE = [
    "三、收到和处理政府信息公开申请情况",
    "一、本年新收政府信息公开申请数量",
    *"6 0 0 0 0 0 6".split(),
    "二、上年结转政府信息公开申请数量",
    *"1 0 0 0 0 0 1".split(),
    "（一）予以公开",
    *"3 0 0 0 0 0 3".split(),
    "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    *"1 0 0 0 0 0 1".split(),
    "（七）总计",
    *"4 0 0 0 0 0 4".split(),
    "四、结转下年度继续办理",
    *"3 0 0 0 0 0 3".split(),
    "五、存在的主要问题及改进情况",
]


def test_one_cell_per_line_requests_are_read_even_with_a_misprinted_total():
    lines = list(REQUESTS_ONE_PER_LINE)
    lines[lines.index("（七）总计") + 7] = "5"  # the report's own misprint: recorded as printed
    report = extract_bytes(_text_report(lines), name="lines.txt")
    assert _values(report, "requests", "granted", REQ_COLS) == [3, 0, 0, 0, 0, 0, 3]
    assert _values(report, "requests", "total_processed", REQ_COLS) == [4, 0, 0, 0, 0, 0, 5]


def test_gathered_row_that_fails_its_total_is_dropped_when_numbers_are_loose():
    # Out of order (a converter walked the table by columns): 总计's line gathers 0 4 0 …, and
    # the numbers that were 予以公开's are left between rows with no label. 总计 read as printed
    # would be 0 | 4 | 0 | 0 | 0 | 0 | 0, a wrong row.
    lines = list(REQUESTS_ONE_PER_LINE)
    start = lines.index("（一）予以公开")
    lines[start : start + 8] = ["8", "8"]  # two numbers no label claims where 予以公开 was
    at = lines.index("（七）总计")
    lines[at + 1 : at + 8] = "0 4 0 0 0 0 0".split()
    report = extract_bytes(_text_report(lines), name="scrambled.txt")
    assert not [c for c in report.cells if c.row == "total_processed"]
    message = next(
        p.message for p in report.problems if p.code == "ambiguous_alignment" and "total_processed" in p.message
    )
    assert "not printed row by row" in message
    assert _values(report, "requests", "new_received", REQ_COLS) == [6, 0, 0, 0, 0, 0, 6]


APPEALS_HEADER = [
    "行政复议",
    "行政诉讼",
    "未经复议直接起诉",
    "复议后起诉",
    *["结果维持", "结果纠正", "其他结果", "尚未审结"] * 3,
]


def _appeals_lines(values: list[str], cut: int | None = None) -> list[str]:
    body = APPEALS_HEADER + ["总计"] * 3 + values
    if cut is not None:  # a header word left among the numbers (text extracted out of order)
        body = APPEALS_HEADER + ["总计"] * 2 + values[:cut] + ["总计"] + values[cut:]
    return ["四、政府信息公开行政复议、行政诉讼情况", *body, "五、存在的主要问题及改进情况"]


def test_appeals_in_pieces_that_do_not_add_up_are_not_read_in_that_order():
    values = "3 1 0 0 0 0 0 0 0 0 2 0 0 0 0".split()  # read in order, two totals fail
    report = extract_bytes(_text_report(_appeals_lines(values, cut=14)), name="pieces.txt")
    assert not [c for c in report.cells if c.table == "appeals"]
    assert any(p.code == "ambiguous_alignment" and "in pieces" in p.message for p in report.problems)
    # In one run, one number a line, the same misprinted line is recorded as printed.
    report = extract_bytes(_text_report(_appeals_lines(values)), name="run.txt")
    assert _values(report, "appeals", "review", APPEAL_COLS) == [3, 1, 0, 0, 0]
    # In pieces but adding up, it is read.
    values[4], values[14] = "4", "2"
    report = extract_bytes(_text_report(_appeals_lines(values, cut=14)), name="pieces.txt")
    assert _values(report, "appeals", "litigation_after_review", APPEAL_COLS) == [2, 0, 0, 0, 2]


# A 2020 county page whose 二 (2019 form) leaves whole rows blank.
COUNTY_PROACTIVE = [
    ("第二十条第（一）项", None),
    ("信息内容", ["本年新制作数量", "本年新公开数量", "对外公开总数量"]),
    ("规章", [None, None, None]),
    ("规范性文件", [3, 3, 41]),
    ("第二十条第（五）项", None),
    ("信息内容", ["上一年项目数量", "本年增/减", "处理决定数量"]),
    ("行政许可", [112, "+4", "2,046"]),
    ("其他对外管理服务事项", [None, None, None]),
    ("第二十条第（六）项", None),
    ("信息内容", ["上一年项目数量", "本年增/减", "处理决定数量"]),
    ("行政处罚", [87, None, 391]),
    ("行政强制", [None, None, None]),
    ("第二十条第（八）项", None),
    ("信息内容", ["上一年项目数量", "本年增/减", None]),
    ("行政事业性收费", [None, None, None]),
]


@pytest.mark.slow
def test_pdf_rows_of_proactive_printed_blank_are_read_blank(tmp_path):
    html = ["<html><head><meta charset='utf-8'></head><body><p>石桥县人民政府2020年政府信息公开工作年度报告</p>"]
    html += [
        "<p>本报告所列数据的统计期限为2020年1月1日至12月31日。</p><p>二、主动公开政府信息情况</p><table border='1'>"
    ]
    for label, cells in COUNTY_PROACTIVE:
        html.append(
            f"<tr><td colspan='4'>{label}</td></tr>" if cells is None else f"<tr><td>{label}</td>{_tds(cells)}</tr>"
        )
    html.append("</table><p>三、收到和处理政府信息公开申请情况</p></body></html>")
    report = extract(_pdf_from_html(tmp_path, "\n".join(html)))
    got = {(c.row, c.col): c.value for c in report.cells if c.table == "proactive"}
    assert got == {
        **{("regulations", c): None for c in ("made", "published", "total_published")},
        ("normative_documents", "made"): 3,
        ("normative_documents", "published"): 3,
        ("normative_documents", "total_published"): 41,
        ("licensing", "prior_items"): 112,
        ("licensing", "change"): 4,
        ("licensing", "decisions"): 2046,
        **{("other_services", c): None for c in ("prior_items", "change", "decisions")},
        ("penalty", "prior_items"): 87,
        ("penalty", "change"): None,
        ("penalty", "decisions"): 391,
        **{("coercion", c): None for c in ("prior_items", "change", "decisions")},
        **{("fees", c): None for c in ("prior_items", "change")},
    }
    assert report.cell("proactive", "coercion", "decisions").flags == ["blank"]
