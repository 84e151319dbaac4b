"""Every cell of every real report in ../shared/samples (or $OGI_SAMPLES_DIR), as read by a person.

The expected values were read off the documents themselves (the PDFs rendered to PNG
with pdftoppm, the text files as printed), not from the extractor's output. ``None``
is a cell printed blank. A report's rows not listed here must not be reported either.
"""

from __future__ import annotations

from extractors import extract
from extractors.schema import SCHEMA

REQ_COLS = [c.key for c in SCHEMA["requests"].cols]
APPEAL_COLS = [c.key for c in SCHEMA["appeals"].cols]

Z7 = [0] * 7


def requests_rows(rows: dict[str, list]) -> dict[tuple[str, str, str], object]:
    return {("requests", row, col): v for row, values in rows.items() for col, v in zip(REQ_COLS, values)}


def appeals_rows(values: list) -> dict[tuple[str, str, str], object]:
    rows = [r.key for r in SCHEMA["appeals"].rows]
    return {("appeals", rows[i // 5], APPEAL_COLS[i % 5]): v for i, v in enumerate(values)}


def proactive(cells: dict[str, dict[str, object]]) -> dict[tuple[str, str, str], object]:
    return {("proactive", row, col): v for row, cols in cells.items() for col, v in cols.items()}


def assert_cells(report, expected: dict) -> None:
    found = {(c.table, c.row, c.col): c.value for c in report.cells}
    wrong = {k: (found.get(k, "<absent>"), v) for k, v in expected.items() if found.get(k, "<absent>") != v}
    extra = sorted(set(found) - set(expected))
    assert not wrong, f"cells differ (found, expected): {dict(list(wrong.items())[:8])}"
    assert not extra, f"cells reported that the document does not print: {extra[:8]}"


def check_ids(report, ok: bool | None) -> set[tuple]:
    return {(c.id, c.row or c.col) for c in report.checks if c.ok is ok}


# 2021-form rows with zeros everywhere except where given.
def form_2021(nonzero: dict[str, list], single_other: bool = False) -> dict[str, list]:
    keys = [r.key for r in SCHEMA["requests"].rows_for("2019" if single_other else "2021")]
    return {k: nonzero.get(k, Z7) for k in keys}


def test_linyou_2024_text_from_docx(samples_dir):
    report = extract(samples_dir / "linyou-county-2024.txt")
    assert report.format == "text"
    assert report.meta.issuing_body == "麟游县人民政府"
    assert report.meta.report_year == 2024 and report.meta.year_source == "title"
    assert report.meta.jurisdiction_code == "610329"
    assert {t: i.form_version for t, i in report.tables.items()} == {
        "proactive": "2021",
        "requests": "2021",
        "appeals": "2021",
    }
    expected = proactive(
        {
            "regulations": {"issued": 0, "repealed": 0, "in_force": 0},
            "normative_documents": {"issued": 4, "repealed": 6, "in_force": 27},
            "licensing": {"decisions": 6564},
            "penalty": {"decisions": 610},
            "coercion": {"decisions": 196},
            "fees": {"amount_wan": 1648.39},
        }
    )
    expected |= requests_rows(
        form_2021(
            {
                "new_received": [4, 0, 0, 0, 0, 0, 4],
                "granted": [2, 0, 0, 0, 0, 0, 2],
                "other_handling.other": [2, 0, 0, 0, 0, 0, 2],
                "total_processed": [4, 0, 0, 0, 0, 0, 4],
            }
        )
    )
    expected |= appeals_rows([0] * 15)
    assert_cells(report, expected)
    assert len(report.cells) == 10 + 175 + 15
    assert all(c.ok for c in report.checks) and len(report.checks) == 7 + 7 + 25 + 3
    assert report.problems == [] and report.extra_rows == []


def test_hongze_2023_pdf_hybrid_form_and_broken_appeals_totals(samples_dir):
    report = extract(samples_dir / "hongze-district-2023.pdf")
    assert report.format == "pdf"
    assert report.meta.report_year == 2023
    assert report.meta.jurisdiction_code == "320813"
    # 2021-form section 二, but 三 prints （六）其他处理 as one row: detected per table.
    assert report.tables["proactive"].form_version == "2021"
    assert report.tables["requests"].form_version == "2019"
    expected = proactive(
        {
            "regulations": {"issued": 0, "repealed": 0, "in_force": 0},
            "normative_documents": {"issued": 0, "repealed": 5, "in_force": 5},
            "licensing": {"decisions": 550},
            "penalty": {"decisions": 4119},
            "coercion": {"decisions": 195},
            "fees": {"amount_wan": 7730.28},
        }
    )
    expected |= requests_rows(
        form_2021(
            {
                "new_received": [21, 0, 0, 0, 0, 0, 21],
                "partially_granted": [4, 0, 0, 0, 0, 0, 4],
                "withheld.state_secret": [1, 0, 0, 0, 0, 0, 1],
                "withheld.process_information": [1, 0, 0, 0, 0, 0, 1],
                "withheld.enforcement_files": [1, 0, 0, 0, 0, 0, 1],
                "unable.not_held": [10, 0, 0, 0, 0, 0, 10],
                "unable.needs_creation": [3, 0, 0, 0, 0, 0, 3],
                "not_processed.petition": [1, 0, 0, 0, 0, 0, 1],
                "total_processed": [21, 0, 0, 0, 0, 0, 21],
            },
            single_other=True,
        )
    )
    # As printed: 10 1 0 0 0 | 0 0 0 0 0 | 5 0 0 0 0 — the totals do not add up.
    expected |= appeals_rows([10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0])
    assert_cells(report, expected)
    assert check_ids(report, False) == {("appeals.total", "review"), ("appeals.total", "litigation_after_review")}
    failed = {c.row: (c.expected, c.found) for c in report.checks if c.ok is False}
    assert failed == {"review": (11, 0), "litigation_after_review": (5, 0)}
    assert report.value("appeals", "review", "total") == 0  # recorded, never repaired


def test_hongze_2024_pdf(samples_dir):
    report = extract(samples_dir / "hongze-district-2024.pdf")
    assert report.meta.report_year == 2024
    expected = proactive(
        {
            "regulations": {"issued": 0, "repealed": 0, "in_force": 0},
            "normative_documents": {"issued": 3, "repealed": 0, "in_force": 8},
            "licensing": {"decisions": 9487},
            "penalty": {"decisions": 2776},
            "coercion": {"decisions": 84},
            "fees": {"amount_wan": 7545.0},
        }
    )
    expected |= requests_rows(
        form_2021(
            {
                "new_received": [95, 0, 0, 0, 0, 0, 95],
                "granted": [50, 0, 0, 0, 0, 0, 50],
                "partially_granted": [9, 0, 0, 0, 0, 0, 9],
                "withheld.security_stability": [1, 0, 0, 0, 0, 0, 1],
                "withheld.process_information": [1, 0, 0, 0, 0, 0, 1],
                "withheld.enforcement_files": [1, 0, 0, 0, 0, 0, 1],
                "unable.not_held": [31, 0, 0, 0, 0, 0, 31],
                "unable.needs_creation": [1, 0, 0, 0, 0, 0, 1],
                "not_processed.petition": [1, 0, 0, 0, 0, 0, 1],
                "total_processed": [95, 0, 0, 0, 0, 0, 95],
            },
            single_other=True,
        )
    )
    expected |= appeals_rows([1, 1, 0, 0, 2, 1, 0, 0, 0, 1, 2, 0, 1, 0, 3])
    assert_cells(report, expected)
    assert all(c.ok for c in report.checks)


def test_huaian_city_2024_pdf_thousands(samples_dir):
    report = extract(samples_dir / "huaian-city-2024.pdf")
    assert report.meta.issuing_body == "淮安市人民政府"
    assert report.meta.jurisdiction_code == "320800"
    expected = proactive(
        {
            "regulations": {"issued": 1, "repealed": 0, "in_force": 11},
            "normative_documents": {"issued": 8, "repealed": 26, "in_force": 66},
            "licensing": {"decisions": 447228},
            "penalty": {"decisions": 3985758},
            "coercion": {"decisions": 88283},
            "fees": {"amount_wan": 96171.6},
        }
    )
    expected |= requests_rows(
        {
            "new_received": [3001, 53, 0, 0, 61, 4, 3119],
            "carried_over": [34, 0, 0, 0, 0, 0, 34],
            "granted": [1288, 21, 0, 0, 50, 3, 1362],
            "partially_granted": [447, 7, 0, 0, 0, 0, 454],
            "withheld.state_secret": [2, 0, 0, 0, 0, 0, 2],
            "withheld.prohibited_by_law": [30, 1, 0, 0, 0, 0, 31],
            "withheld.security_stability": [5, 0, 0, 0, 0, 0, 5],
            "withheld.third_party_rights": [6, 0, 0, 0, 0, 0, 6],
            "withheld.internal_affairs": [7, 1, 0, 0, 0, 0, 8],
            "withheld.process_information": [12, 0, 0, 0, 0, 0, 12],
            "withheld.enforcement_files": [9, 0, 0, 0, 0, 0, 9],
            "withheld.administrative_query": [105, 0, 0, 0, 0, 0, 105],
            "unable.not_held": [746, 12, 0, 0, 10, 1, 769],
            "unable.needs_creation": [11, 0, 0, 0, 0, 0, 11],
            "unable.unclear_after_amendment": [1, 0, 0, 0, 0, 0, 1],
            "not_processed.petition": [56, 6, 0, 0, 0, 0, 62],
            "not_processed.duplicate": [25, 0, 0, 0, 0, 0, 25],
            "not_processed.publication": Z7,
            "not_processed.excessive": Z7,
            "not_processed.confirmation": [1, 0, 0, 0, 0, 0, 1],
            "other_handling.no_amendment": [67, 3, 0, 0, 1, 0, 71],
            "other_handling.fee_unpaid": [6, 0, 0, 0, 0, 0, 6],
            "other_handling.other": [108, 2, 0, 0, 0, 0, 110],
            "total_processed": [2932, 53, 0, 0, 61, 4, 3050],
            "carried_forward": [103, 0, 0, 0, 0, 0, 103],
        }
    )
    expected |= appeals_rows([72, 64, 178, 37, 351, 13, 4, 8, 1, 26, 12, 1, 1, 6, 20])
    assert_cells(report, expected)
    assert all(c.ok for c in report.checks) and report.problems == []


def test_shanghai_science_commission_loose_labels_and_blank_total(samples_dir):
    report = extract(samples_dir / "shanghai-science-commission-2024.pdf.txt")
    assert report.meta.report_year == 2024
    expected = proactive(
        {
            "regulations": {"issued": 0, "repealed": 0, "in_force": 0},
            "normative_documents": {"issued": 13, "repealed": 0, "in_force": 55},
            "licensing": {"decisions": 97},
            "penalty": {"decisions": 0},
            "coercion": {"decisions": 0},
            "fees": {"amount_wan": 0.0},
        }
    )
    expected |= requests_rows(
        form_2021(
            {
                "new_received": [32, 2, 0, 0, 0, 0, 34],
                "carried_over": [2, 0, 0, 0, 0, 0, 2],
                "granted": [9, 0, 0, 0, 0, 0, 9],
                "withheld.internal_affairs": [1, 0, 0, 0, 0, 0, 1],
                "withheld.process_information": [1, 0, 0, 0, 0, 0, 1],
                "unable.not_held": [4, 0, 0, 0, 0, 0, 4],
                "unable.needs_creation": [6, 0, 0, 0, 0, 0, 6],
                "other_handling.no_amendment": [8, 2, 0, 0, 0, 0, 10],
                "other_handling.other": [4, 0, 0, 0, 0, 0, 4],
                "total_processed": [33, 2, 0, 0, 0, 0, 35],
                "carried_forward": [1, 0, 0, 0, 0, 0, None],  # 总计 printed blank
            }
        )
    )
    expected |= appeals_rows([1, 0, 0, 0, 1] + [0] * 10)
    assert_cells(report, expected)
    blank = report.cell("requests", "carried_forward", "total")
    assert blank.value is None and blank.raw == "" and "blank" in blank.flags
    assert check_ids(report, False) == set()
    assert check_ids(report, None) == {("requests.balance", "total"), ("requests.row_total", "carried_forward")}


def test_shanghai_government_office_tables_split_across_pages(samples_dir):
    report = extract(samples_dir / "shanghai-government-office-2025.pdf.txt")
    assert report.meta.issuing_body == "上海市人民政府办公厅"
    assert report.meta.report_year == 2025
    expected = proactive(
        {
            "licensing": {"decisions": 0},
            "penalty": {"decisions": 0},
            "coercion": {"decisions": 0},
            "fees": {"amount_wan": 0.0},
        }
    )
    expected |= requests_rows(
        {
            "new_received": [1259, 36, 0, 0, 0, 0, 1295],
            "carried_over": [170, 15, 0, 0, 4, 0, 189],
            "granted": [201, 5, 0, 0, 0, 0, 206],
            "partially_granted": [2, 0, 0, 0, 0, 0, 2],
            "withheld.state_secret": [4, 0, 0, 0, 0, 0, 4],
            "withheld.prohibited_by_law": Z7,
            "withheld.security_stability": [1, 0, 0, 0, 0, 0, 1],
            "withheld.third_party_rights": Z7,
            "withheld.internal_affairs": [8, 0, 0, 0, 1, 0, 9],
            "withheld.process_information": [1, 0, 0, 0, 0, 0, 1],
            "withheld.enforcement_files": Z7,
            "withheld.administrative_query": [5, 0, 0, 0, 0, 0, 5],
            "unable.not_held": [484, 28, 0, 0, 1, 0, 513],
            "unable.needs_creation": [47, 1, 0, 0, 0, 0, 48],
            "unable.unclear_after_amendment": [3, 0, 0, 0, 0, 0, 3],
            "not_processed.petition": [61, 1, 0, 0, 0, 0, 62],
            "not_processed.duplicate": [16, 0, 0, 0, 0, 0, 16],
            "not_processed.publication": [1, 0, 0, 0, 0, 0, 1],
            "not_processed.excessive": [1, 0, 0, 0, 0, 0, 1],
            "not_processed.confirmation": Z7,
            "other_handling.no_amendment": [40, 1, 0, 0, 2, 0, 43],
            "other_handling.fee_unpaid": Z7,
            "other_handling.other": [264, 12, 0, 0, 0, 0, 276],
            "total_processed": [1139, 48, 0, 0, 4, 0, 1191],
            "carried_forward": [290, 3, 0, 0, 0, 0, 293],
        }
    )
    expected |= appeals_rows([40, 0, 10, 5, 55, 2, 0, 4, 6, 12, 6, 0, 9, 7, 22])
    # 规章 and 行政规范性文件 came loose from two of their cells in the conversion: the cells
    # "22（其中修订16件）" and "55（含自然失效29件）" are printed apart, each wrapped over two lines,
    # before rows that print "22 | 235" and "34 | 189". The wrapped notes are joined to their
    # numbers, but which of the three columns each loose cell fills no identity of 二 tells
    # (read by eye, both are 本年废止件数): the rows are reported ambiguous, not guessed.
    assert_cells(report, expected)
    codes = {(p.code, p.table) for p in report.problems}
    assert ("ambiguous_alignment", "proactive") in codes and ("table_incomplete", "proactive") in codes
    loose = next(p.message for p in report.problems if p.code == "unassigned_values")
    assert "22（其中修订 16 件）" in loose and "55（含自然失效 29 件）" in loose
    assert all(c.ok for c in report.checks)


def test_district_statistics_excerpt_slash_and_blank_applicant_cells(samples_dir):
    report = extract(samples_dir / "district-statistics-bureau-2023.excerpt.txt")
    assert report.meta.report_year == 2023 and report.meta.year_source == "preamble"
    blank6 = [None] * 6
    expected = proactive(
        {
            "regulations": {"issued": None, "repealed": None, "in_force": None},  # printed "/"
            "normative_documents": {"issued": 0, "repealed": 0, "in_force": 0},
            "licensing": {"decisions": 0},
            "penalty": {"decisions": 0},
            "coercion": {"decisions": 0},
            "fees": {"amount_wan": 0.0},
        }
    )
    expected |= requests_rows(
        {
            "new_received": blank6 + [0],
            "carried_over": blank6 + [0],
            "granted": [None] * 7,
        }
    )
    assert_cells(report, expected)
    assert report.cell("proactive", "regulations", "issued").raw == "/"
    codes = {(p.code, p.table) for p in report.problems}
    assert ("table_incomplete", "requests") in codes and ("table_missing", "appeals") in codes
    assert not any(c.ok is False for c in report.checks)


def test_liangcheng_excerpt_2019_form_truncated_headers(samples_dir):
    report = extract(samples_dir / "liangcheng-town-2020.excerpt.txt")
    assert report.meta.report_year == 2020
    assert report.tables["proactive"].form_version == "2019"
    zero3 = {"prior_items": 0, "change": 0, "decisions": 0}
    expected = proactive(
        {
            "regulations": {"made": 0, "published": 0, "total_published": 0},
            "normative_documents": {"made": 0, "published": 0, "total_published": 0},
            "licensing": zero3,
            "other_services": zero3,
            "penalty": zero3,
            "coercion": zero3,
            "fees": {"prior_items": 0, "change": 0},
            "procurement": {"items": 0, "amount": 0.0},
        }
    )
    expected |= requests_rows({"new_received": Z7, "carried_over": Z7})
    assert_cells(report, expected)
    assert ("table_missing", "appeals") in {(p.code, p.table) for p in report.problems}


def test_donggang_excerpt_procurement_without_unit_and_cut_row(samples_dir):
    report = extract(samples_dir / "donggang-town-2020.excerpt.txt")
    assert report.meta.issuing_body == "抚松县东岗镇人民政府"
    assert report.tables["proactive"].form_version == "2019"
    zero3 = {"prior_items": 0, "change": 0, "decisions": 0}
    expected = proactive(
        {
            "regulations": {"made": 0, "published": 0, "total_published": 0},
            "normative_documents": {"made": 0, "published": 0, "total_published": 0},
            "licensing": zero3,
            "other_services": zero3,
            "penalty": zero3,
            "coercion": zero3,
            "fees": {"prior_items": 0, "change": 0},
            "procurement": {"items": 3, "amount": None},
        }
    )
    expected |= requests_rows({"new_received": Z7})
    assert_cells(report, expected)
    amount = report.cell("proactive", "procurement", "amount")  # 808, but 808 what? No unit is printed anywhere
    assert (amount.raw, amount.unit, "unit_unknown" in amount.flags) == ("808", None, True)
    # The excerpt stops after the first cell of 二、上年结转: that lone number is not placed.
    assert ("row_short", "requests") in {(p.code, p.table) for p in report.problems}


def test_audit_bureau_page9_headers_one_character_per_line(samples_dir):
    report = extract(samples_dir / "audit-bureau-2020-page9.excerpt.txt")
    expected = requests_rows({"carried_forward": Z7}) | appeals_rows([0] * 15)
    assert_cells(report, expected)
    assert ("table_missing", "proactive") in {(p.code, p.table) for p in report.problems}


def test_every_sample_reads_without_error(samples_dir, sample_name):
    report = extract(samples_dir / sample_name)
    assert report.error is None
    assert report.cells
