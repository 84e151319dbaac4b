"""No garbage as data (issue 12): what is read from a damaged or unrecognised report is
checked whatever its form version, and never filled by position alone."""

from __future__ import annotations

from extractors import extract_bytes

APPEALS_ONLY = """四、政府信息公开行政复议、行政诉讼情况
| 行政复议 | 1 | 2 | 0 | 0 | 4 |
| 未经复议直接起诉 | 1 | 0 | 0 | 1 | 2 |
| 复议后起诉 | 0 | 0 | 0 | 0 | 0 |
"""


def test_checks_run_when_the_form_version_is_unknown():
    report = extract_bytes(APPEALS_ONLY.encode(), name="appeals.txt")
    assert report.tables["appeals"].form_version == "unknown"
    checks = {(c.id, c.row): (c.ok, c.expected, c.found) for c in report.checks}
    assert checks == {
        ("appeals.total", "review"): (False, 3, 4),
        ("appeals.total", "litigation_direct"): (True, 2, 2),
        ("appeals.total", "litigation_after_review"): (True, 0, 0),
    }


def test_a_page_whose_labels_are_garbage_gives_no_cells_not_a_table_by_position():
    import re
    from pathlib import Path

    page = (Path(__file__).resolve().parent / "corpus" / "files" / "html-2021-broken-balance.html").read_text("utf-8")
    garbled = re.sub(r"[\u4e00-\u9fff]", lambda m: chr(0x410 + ord(m.group()) % 32), page)  # digits kept, labels lost
    report = extract_bytes(garbled.encode(), name="garbled.html")
    assert report.cells == [] and report.tables == {}
    assert {p.table for p in report.problems if p.code == "table_missing"} == {"proactive", "requests", "appeals"}


def test_a_report_with_too_few_recognised_labels_is_unrecognised_with_no_cells():
    text = "某县2023年政府信息公开工作年度报告\n| 行政复议 | 1 | 2 | 0 | 0 | 3 |\n| 复议后起诉 | 0 | 0 | 0 | 0 | 0 |\n"
    report = extract_bytes(text.encode(), name="scrap.txt")
    assert report.error.code == "unrecognised" and report.cells == []
    assert "appeals.review" in report.error.message and "appeals.litigation_after_review" in report.error.message


def test_rows_of_numbers_under_no_label_never_fill_a_table_by_position():
    from extractors.schema import SCHEMA

    table = SCHEMA["requests"]  # exactly as many rows of seven numbers as 三 has rows, labels garbled
    rows = [
        "| ЖЗИ | " + " | ".join(str((i * 7 + j) % 10) for j in range(len(table.cols))) + " |"
        for i in range(len(table.rows))
    ]
    report = extract_bytes("\n".join(rows).encode(), name="numbers.txt")
    assert report.cells == [] and "requests" not in report.tables
