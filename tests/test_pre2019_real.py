"""Pre-2019 reports in the shapes real ones take (narrative sentences people write, zeros said in
words, other organs' figures, statistics tables with code columns, province labels and one cell per
line), each built here by a real tool with this file's own wording and numbers; and the core scored
on real reports kept outside the repository (``OGI_REAL_PRE2019_DIR``, ``benchmarks/core.py``)."""

from __future__ import annotations

import importlib.util
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import docx
import pytest

from extractors import extract, extract_bytes
from extractors.narrative import read_sentences

REPO = Path(__file__).resolve().parent.parent

COUNTY_2016 = """<html><head><meta charset="utf-8"><title>青禾县人民政府2016年政府信息公开工作年度报告</title></head><body>
<h1>青禾县人民政府2016年政府信息公开工作年度报告</h1>
<p>一、概述</p>
<p>2016年，全县主动公开政府信息4521条，较上年增加300条。全年共制作政府信息2100条，其中依申请公开信息60条，不予公开信息85条。</p>
<p>二、依申请公开政府信息情况</p>
<p>全年共受理政府信息公开申请37件，比上年增长19%。其中网上受理申请25件，当面申请12件。</p>
<p>各乡镇、县直各部门分别受理申请9件和28件。县政务服务中心受理行政审批申请8600件。</p>
<p>在已答复的37件申请中：“同意公开”的24件，占64.9%；“同意部分公开”的5件；“不予公开”的3件；“信息不存在”的5件。</p>
<p>三、因政府信息公开申请行政复议、提起行政诉讼的情况</p>
<p>全年因政府信息公开被申请行政复议2件、提起行政诉讼1件，均维持原行政行为。</p>
<p>四、存在的主要问题及改进情况</p><p>公开内容还需深化。</p>
</body></html>"""


def _cells(out: dict) -> dict[tuple[str, str], tuple]:
    return {(c["row"], c["col"]): (c["value"], c["raw"], c["flags"]) for c in out["cells"]}


def test_a_county_narrative_gives_its_own_figures_not_items_shares_parts_or_other_applications():
    out = extract_bytes(COUNTY_2016.encode("utf-8"), "qinghe-2016.html").to_dict()
    assert "error" not in out, out.get("error")
    assert _cells(out) == {
        ("proactive.total", "value"): (4521, "全县主动公开政府信息4521条", ["from_text"]),
        # not 9/28 (乡镇, 部门), not the 8600 审批申请, not the channels (网上, 当面)
        ("received", "value"): (37, "全年共受理政府信息公开申请37件", ["from_text"]),
        ("granted", "value"): (24, "“同意公开”的24件", ["from_text"]),  # the share is its own clause
        ("partially_granted", "value"): (5, "“同意部分公开”的5件", ["from_text"]),
        ("refused", "value"): (3, "“不予公开”的3件", ["from_text"]),  # not the 85 不予公开信息 items
        ("reviews", "value"): (2, "全年因政府信息公开被申请行政复议2件、提起行政诉讼1件", ["from_text"]),
        ("lawsuits", "value"): (1, "全年因政府信息公开被申请行政复议2件、提起行政诉讼1件", ["from_text"]),
    }
    assert out["core"] == {
        "received": 37,
        "granted": 24,
        "partially_granted": 5,
        "refused": 3,
        "reviews": 2,
        "lawsuits": 1,
    }
    assert out["problems"] == []


def _docx(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                grid.cell(r, c).text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_township_docx_that_says_no_application_and_no_case_gives_zeros_and_nothing_else():
    body = _docx(
        [
            "柳塘镇人民政府2013年政府信息公开工作年度报告",
            "一、主动公开政府信息情况",
            "2013年，我镇通过政府网站主动公开政府信息86条。",
            "二、依申请公开政府信息情况",
            "本年度我镇未收到政府信息公开申请，也没有依申请公开的情况。",
            "三、因政府信息公开申请行政复议、提起行政诉讼的情况",
            "全年未发生因政府信息公开引起的行政复议和行政诉讼。",
            "四、政府信息公开的收费及减免情况",
            "未收取任何费用。",
        ]
    )
    out = extract_bytes(body, "liutang-2013.docx").to_dict()
    assert "error" not in out, out.get("error")
    assert out["report"]["report_year"] == 2013
    assert _cells(out) == {
        ("proactive.total", "value"): (86, "我镇通过政府网站主动公开政府信息86条", ["from_text"]),
        ("received", "value"): (0, "本年度我镇未收到政府信息公开申请", ["from_text"]),
        ("reviews", "value"): (0, "全年未发生因政府信息公开引起的行政复议和行政诉讼", ["from_text"]),
        ("lawsuits", "value"): (0, "全年未发生因政府信息公开引起的行政复议和行政诉讼", ["from_text"]),
    }
    # no application: no outcome was stated, and none is made up as a zero
    assert out["core"] == {
        "received": 0,
        "granted": None,
        "partially_granted": None,
        "refused": None,
        "reviews": 0,
        "lawsuits": 0,
    }


@pytest.mark.parametrize(
    "sentence",
    [
        "对行政复议决定没有异议。",  # a negation about something else
        "本局未对行政复议工作造成影响。",
        "未发生因政府信息公开申请行政复议败诉的情况。",  # no loss is not no case
        "除上述申请外，未收到其他政府信息公开申请。",  # no other application is not none
        "对不符合规定的申请未予受理。",  # refused to accept is not none received
        "各乡镇均未收到政府信息公开申请。",  # other organs
        "2016年没有发生依申请公开的情况。",  # the procedure named, not applications counted
        "我局本年度办理行政复议案件35件。",  # a review office's own cases, nothing on disclosure
        "因政府信息公开引起的行政复议、行政诉讼案件共3件。",  # one number for two indicators
        "其中同意公开和部分公开共31件。",
        "本年度未收到涉及国家秘密的政府信息公开申请。",  # a kind of application, not all of them
        "收到涉及个人隐私的政府信息公开申请3件。",
    ],
)
def test_sentences_that_look_like_a_core_figure_but_are_not_give_nothing(sentence):
    found = read_sentences(["一、概述", "全年共受理政府信息公开申请40件。", sentence])
    assert found.figures == [("received", 40, "全年共受理政府信息公开申请40件")]


def test_a_docx_statistics_table_with_a_code_column_after_the_label_and_province_labels():
    table = [
        ["指标名称", "单位", "编号", "2010年度", "历年累计"],
        ["主动公开信息数", "条", "01", "615", "2204"],
        ["受理依申请公开信息总数", "件", "05", "19", "61"],
        ["其中：1.当面申请数", "件", "06", "7", ""],
        ["本年度对申请的答复总数", "件", "12", "19", "61"],
        ["其中：1.同意公开答复数", "件", "13", "12", "40"],
        ["2.同意部分公开答复数", "件", "14", "3", "9"],
        ["3.否决公开答复总数", "件", "15", "4", "12"],  # includes 信息不存在: not refused
        ["行政复议数", "件", "20", "1", "2"],
        ["行政诉讼数", "件", "21", "0", "1"],
    ]
    body = _docx(["石岭县2010年政府信息公开工作年度报告", "附表：政府信息公开情况统计表"], table)
    out = extract_bytes(body, "shiling-2010.docx").to_dict()
    assert "error" not in out, out.get("error")
    assert {key: value for key, (value, _, _) in _cells(out).items()} == {
        ("proactive.total", "value"): 615,
        ("proactive.total", "cumulative"): 2204,
        ("received", "value"): 19,
        ("received", "cumulative"): 61,
        ("received.in_person", "value"): 7,
        ("received.in_person", "cumulative"): None,
        ("answered", "value"): 19,
        ("answered", "cumulative"): 61,
        ("granted", "value"): 12,
        ("granted", "cumulative"): 40,
        ("partially_granted", "value"): 3,
        ("partially_granted", "cumulative"): 9,
        ("reviews", "value"): 1,
        ("reviews", "cumulative"): 2,
        ("lawsuits", "value"): 0,
        ("lawsuits", "cumulative"): 1,
    }
    assert [e["label"] for e in out["extra_rows"]] == ["3.否决公开答复总数"]
    assert out["core"] == {
        "received": 19,
        "granted": 12,
        "partially_granted": 3,
        "refused": None,
        "reviews": 1,
        "lawsuits": 0,
    }


def test_a_statistics_table_one_cell_per_paragraph_is_regrouped_and_a_missing_figure_never_shifts():
    cells = [
        "统计指标", "单位", "本年", "历年累计",
        "（一）收到申请数", "件", "30", "210",
        "1.当面申请数", "件", "9",  # its running total left blank: no paragraph
        "2.同意公开答复数", "件", "20", "150",
        "3.同意部分公开答复数", "件", "4", "31",
        "4.不同意公开答复数", "件", "2", "17",
        "四、行政复议数量", "件", "2", "5",
        "五、行政诉讼数量", "件", "0", "3",
    ]  # fmt: skip
    html = (
        '<html><head><meta charset="utf-8"><title>白河区人民政府2015年政府信息公开工作年度报告</title></head><body>'
        "<h1>白河区人民政府2015年政府信息公开工作年度报告</h1><p>附件</p><p>政府信息公开情况统计表</p>"
        + "".join(f"<p>{c}</p>" for c in cells)
        + "</body></html>"
    )
    out = extract_bytes(html.encode("utf-8"), "baihe-2015.html").to_dict()
    assert "error" not in out, out.get("error")
    values = {key: value for key, (value, _, _) in _cells(out).items()}
    assert values == {
        ("received", "value"): 30,
        ("received", "cumulative"): 210,
        ("granted", "value"): 20,
        ("granted", "cumulative"): 150,
        ("partially_granted", "value"): 4,
        ("partially_granted", "cumulative"): 31,
        ("refused", "value"): 2,
        ("refused", "cumulative"): 17,
        ("reviews", "value"): 2,
        ("reviews", "cumulative"): 5,
        ("lawsuits", "value"): 0,
        ("lawsuits", "cumulative"): 3,
    }
    short = [p for p in out["problems"] if p["code"] == "row_short"]
    assert len(short) == 1 and "received.in_person prints 1 figures (9)" in short[0]["message"]
    assert out["core"] == {
        "received": 30,
        "granted": 20,
        "partially_granted": 4,
        "refused": 2,
        "reviews": 2,
        "lawsuits": 0,
    }


def test_a_zero_padded_code_with_no_header_naming_it_is_never_read_as_a_figure():
    text = "\n".join(
        [
            "东坡县人民政府2014年政府信息公开工作年度报告",
            "附表：政府信息公开情况统计表",
            "收到申请数 件 10",  # 10 is the indicator's code, as the rows below show
            "同意公开答复数 件 07 5",
            "行政复议数量 件 09 1",
        ]
    )
    out = extract_bytes(text.encode("utf-8"), "dongpo-2014.txt").to_dict()
    values = {key: value for key, (value, _, _) in _cells(out).items()}
    assert ("granted", "value") not in values and ("reviews", "value") not in values
    messages = [p["message"] for p in out["problems"] if p["code"] == "row_short"]
    assert any("granted begins with 07" in m for m in messages)
    assert out["core"]["granted"] is None and out["core"]["reviews"] is None


def _benchmark():
    spec = importlib.util.spec_from_file_location("benchmark_core", REPO / "benchmarks" / "core.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_the_core_of_real_pre2019_reports_is_never_wrong():
    folder = os.environ.get("OGI_REAL_PRE2019_DIR")
    if not folder or not Path(folder).is_dir():
        pytest.skip("OGI_REAL_PRE2019_DIR (real pre-2019 reports with hand-read <file>.core.json) is not set")
    result = _benchmark().score(Path(folder))
    assert result.seconds, f"no *.core.json in {folder}"
    assert result.total("wrong") == 0, "\n".join(m for m in result.misses if m.endswith("[wrong]"))
    assert result.total("right") >= 0.9 * sum(result.counts.values()), "\n".join(result.misses)


def test_a_sentence_cut_by_a_pdf_line_end_is_read_whole_and_headings_stay_apart():
    lines = [
        "三、因政府信息公开申请行政复议、提起行政诉讼情况",
        "2012年，本局没有发生针对政府信息公开事务的行政复议案，也没有发生有关的行",
        "政诉讼案。",
        "四、依申请公开情况",
        "全年共受理政府信息公开申请",
        "19件。",
    ]
    found = read_sentences(lines, wrapped=True)
    assert [(k, v) for k, v, _ in found.figures] == [("reviews", 0), ("lawsuits", 0), ("received", 19)]
    # the same lines from HTML paragraphs are not run together: 行 / 政诉讼案 says no lawsuit figure
    assert [(k, v) for k, v, _ in read_sentences(lines).figures] == [("reviews", 0), ("received", 19)]


PDF_2012 = """<html><head><meta charset="utf-8"><title>青溪区司法局2012年政府信息公开工作年度报告</title></head><body>
<p>青溪区司法局2012年政府信息公开工作年度报告</p>
<p>一、概述</p>
<p>2012年，我局按照区政府的统一部署，认真贯彻落实《中华人民共和国政府信息公开条例》，完善工作制度，规范办理流程，全年办理行政复议案件35件，各项工作运行正常。</p>
<p>二、主动公开政府信息情况</p>
<p>全年通过区政府门户网站和本局网站主动公开政府信息173条，其中法规文件类信息21条，工作动态类信息152条，全文电子化率达到百分之百。</p>
<p>三、依申请公开政府信息情况</p>
<p>全年共收到公民、法人和其他组织提出的政府信息公开申请9件，均在法定期限内答复，其中同意公开6件，同意部分公开1件，不予公开1件，信息不存在1件。</p>
<p>四、因政府信息公开申请行政复议、提起行政诉讼的情况</p>
<p>本年度没有发生针对本局政府信息公开事务的行政复议案件，也没有发生针对本局政府信息公开事务的行政诉讼案件。</p>
</body></html>"""


def test_a_pdf_report_made_by_libreoffice_gives_its_core_from_wrapped_sentences(tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is installed by `make install` (Makefile APT_PACKAGES)"
    html = tmp_path / "qingxi-2012.html"
    html.write_text(PDF_2012, "utf-8")
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf"]
        + ["--outdir", str(tmp_path), str(html)],
        capture_output=True,
        timeout=180,
        check=True,
    )
    out = extract(tmp_path / "qingxi-2012.pdf").to_dict()
    assert "error" not in out, out.get("error")
    assert out["report"]["report_year"] == 2012
    # not the 35 review cases the bureau handles as a review office: 概述 is not about disclosure
    assert out["core"] == {
        "received": 9,
        "granted": 6,
        "partially_granted": 1,
        "refused": 1,
        "reviews": 0,
        "lawsuits": 0,
    }
    assert {c["row"]: c["value"] for c in out["cells"]}["proactive.total"] == 173


def test_a_thousands_separator_is_one_number_and_the_share_after_it_its_own_clause():
    found = read_sentences(["二、依申请公开情况", "全市共受理政府信息公开申请2,306件，同意公开1,514件，占65.7%。"])
    assert [(k, v) for k, v, _ in found.figures] == [("received", 2306), ("granted", 1514)]


def test_applications_counted_with_those_carried_over_are_not_the_years_received():
    found = read_sentences(
        ["二、依申请公开情况", "全年共受理政府信息公开申请26件（含上年结转3件），其中同意公开20件。"]
    )
    assert [(k, v) for k, v, _ in found.figures] == [("granted", 20)]


BUREAU_2012 = """一、概述
2012年，本局政府信息公开工作运行正常，配备了3名兼职工作人员，设立了1个专门的信息申请受理点。
二、主动公开政府信息情况
本局2012年共主动公开政府信息235条，其中业务动态类信息226条，占总体的96.17%。
三、依申请公开情况
（一）申请情况
2012年，本局共收到政府信息公开申请25件，其中当面申请5件，占申请总数的20%；网上申请18件，占72%；信函申请2件，占8%。
（二）申请答复情况
在已答复的25件申请中，“同意公开”的10件，占答复总数的40%；“同意部分公开”的2件，占8%；“信息不存在”的6件，占24%；“非本部门掌握”的5件，占20%；“属于已主动公开范围”的0件；“不予公开”的1件，占4%。
四、政府信息公开咨询情况
本局共接受政府信息公开方面的咨询204人次。
五、因政府信息公开申请行政复议、提起行政诉讼的情况
2012年，本局发生针对本局政府信息公开事务的行政复议案1件，行政诉讼案2件，均维持了原答复。"""


def test_a_long_list_of_outcomes_under_an_application_heading_keeps_its_context():
    html = (
        '<html><head><meta charset="utf-8"><title>某区水务局2012年度政府信息公开工作年度报告</title></head><body>'
        "<h1>某区水务局2012年度政府信息公开工作年度报告</h1>"
        + "".join(f"<p>{line}</p>" for line in BUREAU_2012.splitlines())
        + "</body></html>"
    )
    out = extract_bytes(html.encode("utf-8"), "water-2012.html").to_dict()
    assert "error" not in out, out.get("error")
    assert [(c["row"], c["value"], c["raw"]) for c in out["cells"]] == [
        ("proactive.total", 235, "本局2012年共主动公开政府信息235条"),
        ("received", 25, "本局共收到政府信息公开申请25件"),  # not the 受理点, not the channels
        ("granted", 10, "“同意公开”的10件"),
        ("partially_granted", 2, "“同意部分公开”的2件"),
        ("refused", 1, "“不予公开”的1件"),  # six sentences after the one on 申请, under （二）申请答复情况
        ("reviews", 1, "本局发生针对本局政府信息公开事务的行政复议案1件"),
        ("lawsuits", 2, "行政诉讼案2件"),
    ]
    assert out["core"] == {
        "received": 25,
        "granted": 10,
        "partially_granted": 2,
        "refused": 1,
        "reviews": 1,
        "lawsuits": 2,
    }


def test_a_pdf_statistics_table_made_by_libreoffice_gives_the_year_not_the_running_total(tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is installed by `make install` (Makefile APT_PACKAGES)"
    rows = [
        ("统计指标", "单位", "本年", "历年累计"),
        ("（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）", "条", "2,418", "15203"),
        ("（一）收到申请数", "件", "41", "236"),
        ("2.同意公开答复数", "件", "29", "170"),
        ("3.同意部分公开答复数", "件", "3", "21"),
        ("4.不同意公开答复数", "件", "2", "12"),
        ("四、行政复议数量", "件", "1", "6"),
        ("五、行政诉讼数量", "件", "0", "2"),
    ]
    table = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    html = tmp_path / "nanxi-2015.html"
    html.write_text(
        '<html><head><meta charset="utf-8"></head><body><p>南溪县人民政府2015年政府信息公开工作年度报告</p>'
        "<p>一、概述</p><p>2015年，全县共受理政府信息公开申请44件。</p>"  # the table is the record, not this
        f'<p>附件</p><p>政府信息公开情况统计表</p><table border="1">{table}</table></body></html>',
        "utf-8",
    )
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf"]
        + ["--outdir", str(tmp_path), str(html)],
        capture_output=True,
        timeout=180,
        check=True,
    )
    out = extract(tmp_path / "nanxi-2015.pdf").to_dict()
    assert "error" not in out, out.get("error")
    values = {key: value for key, (value, _, _) in _cells(out).items()}
    assert values[("proactive.total", "value")] == 2418 and values[("received", "cumulative")] == 236
    assert all("from_text" not in c["flags"] for c in out["cells"])
    assert out["core"] == {
        "received": 41,
        "granted": 29,
        "partially_granted": 3,
        "refused": 2,
        "reviews": 1,
        "lawsuits": 0,
    }
    assert out["core_sources"]["received"] == "statistics:received:value"
