"""What counts as a report is decided by content: notices, news, bulletins, blank templates,
reading aids and other annual reports get a reason and never become rows of ``reports``."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest

from extractors import EXTRACTOR_VERSION, extract_bytes
from extractors.classify import classify
from pipelines.load import load_warehouse
from pipelines.local_import import import_files
from pipelines.rawstore import RawStore

CORPUS = Path(__file__).resolve().parent / "corpus" / "files"
FILLED = (CORPUS / "html-utf8-2021-rowspan.html").read_text("utf-8")


def page(title: str, *paragraphs: str) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<html><head><meta charset="utf-8"><title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>'
    ).encode("utf-8")


def blank_template() -> bytes:
    """The filled report with every number emptied and the organ and year as placeholders."""
    html = re.sub(r"(<td[^>]*>)\s*[\d.,+\-]+\s*(</td>)", r"\1\2", FILLED)
    html = re.sub(r"麟游县人民政府\d{4}年", "XXXX（行政机关名称）XXXX年", html)
    return html.encode("utf-8")


CASES = {
    "notice": page(
        "关于做好2024年政府信息公开工作年度报告编制工作的通知",
        "各镇人民政府、县政府各工作部门：",
        "现就做好2024年政府信息公开工作年度报告编制和发布工作通知如下。",
        "一、各单位要于2025年1月31日前向社会公布本机关2024年政府信息公开工作年度报告。",
    ),
    "news": page(
        "我县召开2023年政府信息公开工作年度报告编制培训会",
        "12月20日上午，县政府办公室召开2023年度政府信息公开工作年度报告编制培训会，各部门30余人参加。",
    ),
    "bulletin": page(
        "关于2023年度政府信息公开工作年度报告发布情况的通报",
        "截至2024年1月31日，全县45个单位中已有42个按时发布年度报告，3个单位未按时发布。",
    ),
    "interpretation": page(
        "一文读懂：关于《麟游县人民政府2023年政府信息公开工作年度报告》的解读", "2023年，我县主动公开政府信息3217条。"
    ),
    "graphic": page("图解：麟游县2023年政府信息公开工作年度报告", "（图片）"),
    "other_report": page("麟游县2023年法治政府建设年度报告", "2023年，我县深入推进依法行政。"),
    "template": blank_template(),
}


@pytest.mark.parametrize("reason", sorted(CASES))
def test_each_kind_of_non_report_gets_its_reason(reason):
    report = extract_bytes(CASES[reason], f"{reason}.html")
    assert report.error is not None and report.error.code == "not_a_report", report.error
    assert report.error.reason == reason
    assert not report.cells


def test_a_filled_form_is_a_report_whatever_its_title():
    retitled = FILLED.replace("<title>", "<title>关于公布2024年政府信息公开工作年度报告的通知 ", 1).encode("utf-8")
    report = extract_bytes(retitled, "r.html")
    assert report.error is None and len(report.cells) > 150


def test_a_narrative_report_without_tables_is_still_a_report():
    narrative = page(
        "麟游县人民政府2015年政府信息公开工作年度报告",
        "本报告依据《中华人民共和国政府信息公开条例》编制。",
        "2015年，全县主动公开政府信息3217条。",
    )
    report = extract_bytes(narrative, "r.html")
    assert report.error is None and report.meta.report_year == 2015


def test_classify_reads_content_before_titles():
    assert classify(["关于做好年度报告工作的通知"], [], form_cells=198, form_values=120) is None
    assert classify(["麟游县2023年政府信息公开工作年度报告"], [], form_cells=198, form_values=0) == "template"
    assert (
        classify(["政府信息公开工作年度报告（模板）"], ["XXXX年，本机关……"], form_cells=0, form_values=0) == "template"
    )
    assert classify(["麟游县2023年政府信息公开工作年度报告"], [], form_cells=0, form_values=0) is None


def test_non_reports_are_kept_as_documents_with_their_reason_and_never_loaded(tmp_path, extract_all):
    folder = tmp_path / "mixed"
    folder.mkdir()
    for reason, data in CASES.items():
        (folder / f"{reason}.html").write_bytes(data)
    shutil.copy(CORPUS / "html-utf8-2021-rowspan.html", folder / "report.html")
    with RawStore(tmp_path / "raw") as raw:
        import_files(raw, [folder])
    extract_all(tmp_path)
    summary = load_warehouse(tmp_path, None, EXTRACTOR_VERSION)
    assert summary.reports == 1
    wh = tmp_path / "warehouse"
    docs = dict(duckdb.sql(f"SELECT title, not_a_report FROM read_parquet('{wh}/documents/*.parquet')").fetchall())
    assert docs == {**{f"{r}.html": r for r in CASES}, "report.html": None}
    reports = duckdb.sql(
        f"SELECT issuing_body FROM read_parquet('{wh}/reports/**/*.parquet', hive_partitioning=true)"
    ).fetchall()
    assert reports == [("麟游县人民政府",)]
    coverage = duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{wh}/coverage/*.parquet') WHERE report_id IS NOT NULL"
    ).fetchall()
    assert coverage == [(1,)]
