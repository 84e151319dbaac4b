"""Never a shifted value (issue 10): rows whose cells do not line up one to one with the form's
columns are aligned by the identities or left empty and flagged; footnotes, notes in cells,
misprinted headings and a missing title cost nothing.

Documents are built by real tools from a truth written here by hand: HTML and text strings
laid out with the corpus's own form builders (real row and column spans), and python-docx
DOCX files.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors import extract, extract_bytes
from extractors.schema import SCHEMA
from tests.perturb import MISPRINTED_APPEALS, Variant, perturbed

REQ_COLS = [c.key for c in SCHEMA["requests"].cols]
APPEAL_COLS = [c.key for c in SCHEMA["appeals"].cols]
Z7 = [0] * 7
# 三 of a 2021 report, every identity holding (worked out by hand).
REQUESTS = {
    "new_received": [17, 0, 1, 1, 0, 0, 19],
    "carried_over": [2, 0, 0, 0, 0, 0, 2],
    "granted": [5, 0, 1, 0, 0, 0, 6],
    "partially_granted": [1, 0, 0, 0, 0, 0, 1],
    "withheld.security_stability": [3, 0, 0, 1, 0, 0, 4],
    "unable.not_held": [4, 0, 0, 0, 0, 0, 4],
    "not_processed.duplicate": [2, 0, 0, 0, 0, 0, 2],
    "other_handling.other": [1, 0, 0, 0, 0, 0, 1],
    "total_processed": [16, 0, 1, 1, 0, 0, 18],
    "carried_forward": [3, 0, 0, 0, 0, 0, 3],
}
APPEALS = {"review": [2, 3, 3, 1, 9], "litigation_direct": [2, 4, 0, 0, 6], "litigation_after_review": [0, 4, 3, 3, 10]}
PROACTIVE = {
    ("regulations", "issued"): 0,
    ("regulations", "repealed"): 0,
    ("regulations", "in_force"): 0,
    ("normative_documents", "issued"): 4,
    ("normative_documents", "repealed"): 6,
    ("normative_documents", "in_force"): 27,
    ("licensing", "decisions"): 6564,
    ("penalty", "decisions"): 610,
    ("coercion", "decisions"): 196,
    ("fees", "amount_wan"): 1648.39,
}


def truth(year: int = 2023) -> dict:
    cells = [{"table": "proactive", "row": r, "col": c, "value": v, "raw": str(v)} for (r, c), v in PROACTIVE.items()]
    for row in SCHEMA["requests"].rows_for("2021"):
        values = REQUESTS.get(row.key, Z7)
        cells += [
            {"table": "requests", "row": row.key, "col": c, "value": v, "raw": str(v)} for c, v in zip(REQ_COLS, values)
        ]
    for row, values in APPEALS.items():
        cells += [
            {"table": "appeals", "row": row, "col": c, "value": v, "raw": str(v)} for c, v in zip(APPEAL_COLS, values)
        ]
    return {
        "id": "hand",
        "report": {
            "issuing_body": "麟游县人民政府",
            "report_year": year,
            "title": f"麟游县人民政府{year}年政府信息公开工作年度报告",
        },
        "tables": {"proactive": "2021", "requests": "2021", "appeals": "2021"},
        "cells": cells,
    }


def read(variant: Variant, t: dict | None = None):
    name, data, _ = perturbed(t or truth(), variant)
    return extract_bytes(data, name=name)


def values(report, table: str, row: str, cols: list[str]) -> list:
    return [report.value(table, row, c) for c in cols]


def codes(report) -> set[str]:
    return {p.code for p in report.problems}


@pytest.mark.parametrize("flatten", ["pipe_full", "p_full", "lines", "tabbed"])
def test_flattened_placeholders_do_not_shift_columns(flatten):
    report = read(Variant(flatten))
    for row, expected in REQUESTS.items():
        assert values(report, "requests", row, REQ_COLS) == expected, row
    for row, expected in APPEALS.items():
        assert values(report, "appeals", row, APPEAL_COLS) == expected, row
    assert report.value("requests", "new_received", "natural_person") == 17  # was read blank
    assert report.value("requests", "new_received", "research") == 1  # was read 17
    assert {"extra_values", "row_short", "ambiguous_alignment", "table_incomplete"}.isdisjoint(codes(report))
    assert all(c.ok for c in report.checks)


def _pipe_doc(rows: list[str]) -> bytes:
    lines = [
        "麟游县人民政府2023年政府信息公开工作年度报告",
        "三、收到和处理政府信息公开申请情况",
        "| （本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） |  |  | 申请人情况 |  |  |  |  |  |  |",
        "|  |  |  | 自然人 | 法人或其他组织 |  |  |  |  | 总计 |",
        "|  |  |  |  | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 |  |",
        *rows,
        "五、存在的主要问题及改进情况",
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_two_readings_that_fit_leave_the_row_empty_and_flagged():
    # 予以公开's label spans two columns (one placeholder) and the row has a blank cell: 5 may be
    # 自然人 or 商业企业. Nothing else in this excerpt tells, so nothing is recorded.
    report = extract_bytes(
        _pipe_doc(
            [
                "| 一、本年新收政府信息公开申请数量 |  |  | 6 | 0 | 0 | 0 | 0 | 0 | 6 |",
                "| 二、上年结转政府信息公开申请数量 |  |  | 0 | 0 | 0 | 0 | 0 | 0 | 0 |",
                "| 三、本年度办理结果 | （一）予以公开 |  | 5 |  | 0 | 0 | 0 | 0 | 5 |",
            ]
        ),
        name="excerpt.txt",
    )  # three rows: fewer would be `unrecognised` (docs/extraction.md)
    assert values(report, "requests", "new_received", REQ_COLS) == [6, 0, 0, 0, 0, 0, 6]
    assert all(report.cell("requests", "granted", c) is None for c in REQ_COLS)
    problem = next(p for p in report.problems if p.code == "ambiguous_alignment")
    assert problem.table == "requests" and "granted" in problem.message


def test_the_column_balance_decides_a_row_its_total_cannot():
    # 结转下年度: "2" after three placeholders and before a blank could be 自然人 or 商业企业;
    # the balance of each column (新收 + 上年结转 = 办理 + 结转) says 自然人.
    rows = [
        "| 一、本年新收政府信息公开申请数量 |  |  | 5 | 1 | 0 | 0 | 0 | 0 | 6 |",
        "| 二、上年结转政府信息公开申请数量 |  |  | 0 | 0 | 0 | 0 | 0 | 0 | 0 |",
        "| 三、本年度办理结果 | （一）予以公开 |  | 3 | 1 | 0 | 0 | 0 | 0 | 4 |",
    ]
    rows += [
        f"|  |  | {r.label} | 0 | 0 | 0 | 0 | 0 | 0 | 0 |"
        for r in SCHEMA["requests"].rows_for("2021")
        if r.outcome and r.key != "granted"
    ]
    rows += [
        "|  | （七）总计 |  | 3 | 1 | 0 | 0 | 0 | 0 | 4 |",
        "| 四、结转下年度继续办理 |  |  | 2 |  |  |  |  |  | 2 |",
    ]
    report = extract_bytes(_pipe_doc(rows), name="balance.txt")
    assert values(report, "requests", "carried_forward", REQ_COLS) == [2, None, None, None, None, None, 2]
    assert "ambiguous_alignment" not in codes(report)


def _balanced_rows(carried_forward: str) -> list[str]:
    rows = [
        "| 一、本年新收政府信息公开申请数量 |  |  | 4 | 0 | 1 | 3 | 4 | 5 | 17 |",
        "| 二、上年结转政府信息公开申请数量 |  |  | 0 | 0 | 0 | 0 | 0 | 0 | 0 |",
        "| 三、本年度办理结果 | （一）予以公开 |  | 2 | 0 | 0 | 0 | 0 | 0 | 2 |",
    ]
    rows += [
        f"|  |  | {r.label} | 0 | 0 | 0 | 0 | 0 | 0 | 0 |"
        for r in SCHEMA["requests"].rows_for("2021")
        if r.outcome and r.key != "granted"
    ]
    return rows + ["|  | （七）总计 |  | 2 | 0 | 0 | 0 | 0 | 0 | 2 |", carried_forward]


def test_a_dropped_blank_is_restored_where_the_balance_says():
    # The converter dropped 结转下年度's empty 商业企业 cell: 2 1 3 4 5 15 for seven columns.
    # Every place for the blank keeps the row total (15); only one balances every column.
    report = extract_bytes(
        _pipe_doc(_balanced_rows("| 四、结转下年度继续办理 | 2 | 1 | 3 | 4 | 5 | 15 |")), name="restore.txt"
    )
    assert values(report, "requests", "carried_forward", REQ_COLS) == [2, None, 1, 3, 4, 5, 15]
    assert report.cell("requests", "carried_forward", "commercial").flags == ["blank"]
    assert "ambiguous_alignment" not in codes(report)


def test_a_dropped_blank_among_zeros_is_not_guessed():
    # 2 0 0 0 0 2 for seven columns: the blank may be any of the zeros' neighbours.
    rows = _balanced_rows("| 四、结转下年度继续办理 | 2 | 0 | 0 | 0 | 0 | 2 |")
    rows[0] = "| 一、本年新收政府信息公开申请数量 |  |  | 4 | 0 | 0 | 0 | 0 | 0 | 4 |"
    report = extract_bytes(_pipe_doc(rows), name="zeros.txt")
    assert all(report.cell("requests", "carried_forward", c) is None for c in REQ_COLS)
    assert "ambiguous_alignment" in codes(report)
    assert values(report, "requests", "new_received", REQ_COLS) == [4, 0, 0, 0, 0, 0, 4]


def test_appeals_line_with_placeholders_is_cut_by_its_totals():
    report = read(Variant("pipe_full", heading="misprint"))
    for row, expected in APPEALS.items():
        assert values(report, "appeals", row, APPEAL_COLS) == expected, row


@pytest.mark.parametrize("flatten", ["tabbed", "pipe_full", "html", "lines"])
@pytest.mark.parametrize("where", ["line", "row"])
def test_a_footnote_under_requests_costs_no_row(flatten, where):
    report = read(Variant(flatten, footnote=where))
    assert values(report, "requests", "carried_forward", REQ_COLS) == REQUESTS["carried_forward"]
    assert values(report, "requests", "total_processed", REQ_COLS) == REQUESTS["total_processed"]
    assert "table_incomplete" not in codes(report) and all(c.ok for c in report.checks)


def test_cell_notes_give_their_number_and_stay_in_raw():
    t = truth()
    for c in t["cells"]:
        if (c["row"], c["col"]) == ("normative_documents", "repealed"):
            c["raw"] = "6（含自然失效2件）"
        if (c["row"], c["col"]) == ("new_received", "natural_person"):
            c["raw"] = "17（其中线上12件）"
    for variant in (Variant("html"), Variant("pipe_full"), Variant("p_full"), Variant("tabbed")):
        report = read(variant, t)
        cell = report.cell("proactive", "normative_documents", "repealed")
        assert (cell.value, cell.raw, "annotated" in cell.flags) == (6, "6（含自然失效2件）", True), variant
        cell = report.cell("requests", "new_received", "natural_person")
        assert (cell.value, "annotated" in cell.flags) == (17, True), variant
        assert values(report, "requests", "new_received", REQ_COLS) == REQUESTS["new_received"]


def test_a_note_wrapped_onto_the_next_line_joins_its_number():
    text = (
        "\n".join(
            [
                "麟游县人民政府2023年政府信息公开工作年度报告",
                "二、主动公开政府信息情况",
                "第二十条第（一）项",
                "信息内容",
                "本年制发件数",
                "本年废止件数",
                "现行有效件数",
                "规章",
                "0",
                "0",
                "0",
                "行政规范性文件",
                "4",
                "22",
                "（其中修订16件）",
                "27",
                "三、收到和处理政府信息公开申请情况",
                "五、存在的主要问题及改进情况",
            ]
        )
        + "\n"
    )
    report = extract_bytes(text.encode(), name="wrapped.txt")
    assert values(report, "proactive", "normative_documents", ["issued", "repealed", "in_force"]) == [4, 22, 27]
    cell = report.cell("proactive", "normative_documents", "repealed")
    assert cell.raw == "22（其中修订16件）" and "annotated" in cell.flags


@pytest.mark.parametrize("flatten", ["html", "pipe_full", "tabbed"])
def test_year_from_the_opening_line_when_the_title_is_absent(flatten):
    report = read(Variant(flatten, title=False), truth(2022))
    assert report.meta.report_year == 2022 and report.meta.year_source == "preamble"


def test_a_year_in_a_later_paragraph_is_not_the_report_year():
    text = (
        "麟游县人民政府信息公开工作年度报告\n一、总体情况\n本机关依法公开政府信息。\n"
        + "全年工作平稳。\n" * 8
        + "2019年，本机关曾开展专项检查。\n"
    )
    report = extract_bytes(text.encode(), name="late.txt")
    assert report.meta.report_year is None


@pytest.mark.parametrize("flatten", ["html", "pipe_full", "p_full", "tabbed"])
@pytest.mark.parametrize("heading", ["misprint", "drop"])
def test_tables_found_by_their_header_rows(flatten, heading):
    report = read(Variant(flatten, heading=heading))
    for row, expected in APPEALS.items():
        assert values(report, "appeals", row, APPEAL_COLS) == expected, row
    assert report.value("proactive", "licensing", "decisions") == 6564
    assert report.value("proactive", "fees", "amount_wan") == 1648.39
    assert "table_missing" not in codes(report)


# 二 of a 2019 report: three sub-tables of three columns, one of two, one of two.
PROACTIVE_2019 = {
    ("regulations", "made"): 0,
    ("regulations", "published"): 0,
    ("regulations", "total_published"): 0,
    ("normative_documents", "made"): 3,
    ("normative_documents", "published"): 3,
    ("normative_documents", "total_published"): 41,
    ("licensing", "prior_items"): 120,
    ("licensing", "change"): -8,
    ("licensing", "decisions"): 3350,
    ("other_services", "prior_items"): 12,
    ("other_services", "change"): 4,
    ("other_services", "decisions"): 77,
    ("penalty", "prior_items"): 300,
    ("penalty", "change"): -3,
    ("penalty", "decisions"): 215,
    ("coercion", "prior_items"): 25,
    ("coercion", "change"): 0,
    ("coercion", "decisions"): 9,
    ("fees", "prior_items"): 6,
    ("fees", "change"): -1,
    ("procurement", "items"): 14,
    ("procurement", "amount"): 251000.0,
}
RAW_2019 = {
    ("licensing", "change"): "-8",
    ("other_services", "change"): "+4",
    ("penalty", "change"): "减3",
    ("procurement", "amount"): "251000元",
}


@pytest.mark.parametrize("flatten", ["p_full", "lines", "pipe_full", "tabbed"])
def test_2019_proactive_one_cell_per_line_keeps_its_columns(flatten):
    t = truth(2020)
    t["tables"] = {"proactive": "2019", "requests": "2019", "appeals": "2019"}
    t["cells"] = [c for c in t["cells"] if c["table"] == "appeals"]
    t["cells"] += [
        {"table": "proactive", "row": r, "col": c, "value": v, "raw": RAW_2019.get((r, c), str(v))}
        for (r, c), v in PROACTIVE_2019.items()
    ]
    for row in SCHEMA["requests"].rows_for("2019"):
        t["cells"] += [{"table": "requests", "row": row.key, "col": c, "value": 0, "raw": "0"} for c in REQ_COLS]
    report = read(Variant(flatten), t)
    assert report.tables["proactive"].form_version == "2019"
    found = {(c.row, c.col): c.value for c in report.cells if c.table == "proactive"}
    assert found == {k: (v / 10000 if k == ("procurement", "amount") else v) for k, v in PROACTIVE_2019.items()}


# ---------------------------------------------------------------- DOCX (python-docx)


def _docx(
    path: Path,
    title: str | None,
    opening: str,
    appeals_heading: str,
    footnote: bool,
    note_cell: str,
    ruled: bool = True,
) -> None:
    import docx

    d = docx.Document()
    if title:
        d.add_paragraph(title)
    d.add_paragraph(opening)
    d.add_paragraph("三、收到和处理政府信息公开申请情况")
    rows = SCHEMA["requests"].rows_for("2021")
    table = d.add_table(rows=3 + len(rows), cols=3 + 7)
    if ruled:
        table.style = "Table Grid"  # ruled, as the form is usually printed
    head = table.rows
    head[0].cells[0].merge(
        head[2].cells[2]
    ).text = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    head[0].cells[3].merge(head[0].cells[9]).text = "申请人情况"
    head[1].cells[3].merge(head[2].cells[3]).text = "自然人"
    head[1].cells[4].merge(head[1].cells[8]).text = "法人或其他组织"
    for k, label in enumerate(["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]):
        head[2].cells[4 + k].text = label
    head[1].cells[9].merge(head[2].cells[9]).text = "总计"
    for i, row in enumerate(rows):
        cells = table.rows[3 + i].cells
        cells[0].merge(cells[2]).text = row.label
        for k, v in enumerate(REQUESTS.get(row.key, Z7)):
            cells[3 + k].text = note_cell if (row.key, k) == ("granted", 0) else str(v)
    if footnote:
        d.add_paragraph("注：1.本表“总计”列为各类申请人之和。")
        d.add_paragraph("2.单位：件。")
    d.add_paragraph(appeals_heading)
    t4 = d.add_table(rows=3, cols=15)
    if ruled:
        t4.style = "Table Grid"
    t4.rows[0].cells[0].merge(t4.rows[0].cells[4]).text = "行政复议"
    t4.rows[0].cells[5].merge(t4.rows[0].cells[14]).text = "行政诉讼"
    for k, label in enumerate(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3):
        t4.rows[1].cells[k].text = label
    values_line = [v for row in APPEALS.values() for v in row]
    for k, v in enumerate(values_line):
        t4.rows[2].cells[k].text = str(v)
    d.add_paragraph("五、存在的主要问题及改进情况")
    d.save(str(path))


def test_docx_misprinted_heading_footnote_note_and_opening_year(tmp_path):
    path = tmp_path / "report.docx"
    _docx(path, None, "2022年，麟游县人民政府认真贯彻落实《条例》。", MISPRINTED_APPEALS, True, "5（含转办2件）")
    report = extract(path)
    assert report.format == "docx" and report.meta.report_year == 2022
    for row, expected in REQUESTS.items():
        assert values(report, "requests", row, REQ_COLS) == expected, row
    for row, expected in APPEALS.items():
        assert values(report, "appeals", row, APPEAL_COLS) == expected, row
    cell = report.cell("requests", "granted", "natural_person")
    assert cell.raw == "5（含转办2件）" and "annotated" in cell.flags
    assert all(c.ok for c in report.checks)


# ---------------------------------------------------------------- a real sample


def test_shanghai_sample_annotated_cells_are_joined_not_guessed(samples_dir):
    report = extract(samples_dir / "shanghai-government-office-2025.pdf.txt")
    loose = next(p.message for p in report.problems if p.code == "unassigned_values")
    assert "22（其中修订 16 件）" in loose and "55（含自然失效 29 件）" in loose
    ambiguous = [p for p in report.problems if p.code == "ambiguous_alignment"]
    assert {p.table for p in ambiguous} == {"proactive"}
    assert report.cell("proactive", "regulations", "issued") is None
    # Its footnote under 四 (注：行政复议、行政诉讼数量含上年度结转数量。) costs nothing.
    assert [report.value("appeals", "litigation_after_review", c) for c in APPEAL_COLS] == [6, 0, 9, 7, 22]


def test_appeals_placeholder_in_front_and_a_blank_last_total():
    # Old rule (drop trailing, then leading blanks) read 四 one cell to the right here.
    lines = [
        "麟游县人民政府2023年政府信息公开工作年度报告",
        "四、政府信息公开行政复议、行政诉讼情况",
        "| 行政复议 |  |  |  |  | 行政诉讼 |  |  |  |  |  |  |  |  |  |",
        "| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 未经复议直接起诉 |  |  |  |  | 复议后起诉 |  |  |  |  |",
        "|  |  |  |  |  | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |",
        "|  | 2 | 3 | 3 | 1 | 9 | 2 | 4 | 0 | 0 | 6 | 0 | 4 | 3 | 3 |  |",
        "五、存在的主要问题及改进情况",
    ]
    report = extract_bytes(("\n".join(lines) + "\n").encode(), name="appeals.txt")
    assert values(report, "appeals", "review", APPEAL_COLS) == [2, 3, 3, 1, 9]
    assert values(report, "appeals", "litigation_after_review", APPEAL_COLS) == [0, 4, 3, 3, None]


@pytest.mark.slow
@pytest.mark.parametrize("ruled", [True, False], ids=["ruled", "unruled"])
def test_pdf_from_libreoffice_misprinted_heading_footnote_note_and_opening_year(tmp_path, ruled):
    # Unruled, the narrow 自然人 column wraps the note cell over three lines (5（含 / 转办2 / 件）).
    from tests.corpus.generate import soffice

    source = tmp_path / "report.docx"
    _docx(
        source, None, "2022年，麟游县人民政府认真贯彻落实《条例》。", MISPRINTED_APPEALS, True, "5（含转办2件）", ruled
    )
    soffice([source], "pdf", tmp_path)
    report = extract(tmp_path / "report.pdf")
    assert report.format == "pdf" and report.meta.report_year == 2022
    for row, expected in REQUESTS.items():
        assert values(report, "requests", row, REQ_COLS) == expected, row
    for row, expected in APPEALS.items():
        assert values(report, "appeals", row, APPEAL_COLS) == expected, row
    cell = report.cell("requests", "granted", "natural_person")
    assert (cell.value, cell.raw, "annotated" in cell.flags) == (5, "5（含转办2件）", True)


def test_a_stray_number_before_a_row_is_not_its_first_cell():
    # A page number (3) lands in front of 予以公开's cells: the old reading kept the first seven.
    report = extract_bytes(
        _pipe_doc(
            [
                "| 一、本年新收政府信息公开申请数量 |  |  | 6 | 0 | 1 | 0 | 0 | 0 | 7 |",
                "| 三、本年度办理结果 | （一）予以公开 | 3 | 5 | 0 | 1 | 0 | 0 | 0 | 6 |",
            ]
        ),
        name="stray.txt",
    )
    assert values(report, "requests", "granted", REQ_COLS) == [5, 0, 1, 0, 0, 0, 6]
    problem = next(p for p in report.problems if p.code == "extra_values")
    assert "ignored: 3" in problem.message


def test_extra_numbers_in_a_row_without_identity_are_not_guessed():
    text = (
        "\n".join(
            [
                "麟游县人民政府2023年政府信息公开工作年度报告",
                "二、主动公开政府信息情况",
                "| 第二十条第（五）项 |  |",
                "| 信息内容 | 本年处理决定数量 |",
                "| 行政许可 | 6564 | 2 |",
                "| 第二十条第（六）项 |  |",
                "| 信息内容 | 本年处理决定数量 |",
                "| 行政处罚 | 610 |",
                "五、存在的主要问题及改进情况",
            ]
        )
        + "\n"
    )
    report = extract_bytes(text.encode(), name="extra.txt")
    assert report.cell("proactive", "licensing", "decisions") is None
    assert report.value("proactive", "penalty", "decisions") == 610
    assert "ambiguous_alignment" in codes(report)


def test_a_note_cut_short_does_not_swallow_the_next_row_label():
    text = (
        "\n".join(
            [
                "麟游县人民政府2023年政府信息公开工作年度报告",
                "三、收到和处理政府信息公开申请情况",
                "| （一）予以公开 | 1 | 0 | 0 | 0 | 0 | 0 | 1（含 |",
                "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
                "| 2 | 0 | 0 | 0 | 0 | 0 | 2 |",
                "五、存在的主要问题及改进情况",
            ]
        )
        + "\n"
    )
    report = extract_bytes(text.encode(), name="cut.txt")
    assert values(report, "requests", "partially_granted", REQ_COLS) == [2, 0, 0, 0, 0, 0, 2]
    assert report.cell("requests", "granted", "total").raw == "1（含"


def test_readings_move_only_empty_cells():
    from extractors.align import readings

    blank = lambda t: t == ""  # noqa: E731
    assert {tuple(r) for r in readings(["", "5", "", "7"], 3, blank)} == {("5", "", "7"), ("", "5", "7")}
    assert {tuple(r) for r in readings(["5", "7"], 3, blank)} == {(None, "5", "7"), ("5", None, "7"), ("5", "7", None)}
    assert readings(["5", "7", "9"], 2, blank) is None  # three numbers never fit two columns
    assert readings(["5"], 7, blank) is None  # at most three empty cells are restored


def test_unlabelled_rows_with_a_trailing_placeholder_fill_the_rows_between_anchors():
    report = extract_bytes(
        _pipe_doc(
            [
                "| 一、本年新收政府信息公开申请数量 | 6 | 0 | 0 | 0 | 0 | 0 | 6 |",
                "| 1 | 0 | 0 | 0 | 0 | 0 | 1 |  |",
                "| 4 | 0 | 0 | 0 | 0 | 0 | 4 |  |",
                "| （二）部分公开（区分处理的，只计这一情形，不计其他情形） | 3 | 0 | 0 | 0 | 0 | 0 | 3 |",
            ]
        ),
        name="loose.txt",
    )
    assert values(report, "requests", "carried_over", REQ_COLS) == [1, 0, 0, 0, 0, 0, 1]
    assert values(report, "requests", "granted", REQ_COLS) == [4, 0, 0, 0, 0, 0, 4]
