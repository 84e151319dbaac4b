"""Reports of 2008–2018: the statistics table (HTML, DOCX) and narrative-only reports, read into
table ``statistics`` and the cross-era core, through to the warehouse (DuckDB); the documents are
built here by real tools."""

from __future__ import annotations

import io

import docx
import duckdb

from extractors import EXTRACTOR_VERSION, extract_bytes
from extractors.narrative import read_sentences
from pipelines.load import load_warehouse
from pipelines.rawstore import FetchRecord, RawStore

REPORT_2015 = """<html><head><meta charset="utf-8"><title>麟游县人民政府2015年政府信息公开工作年度报告</title></head><body>
<h1>麟游县人民政府2015年政府信息公开工作年度报告</h1>
<p>本报告统计时限为2015年1月1日至12月31日。</p>
<p>一、概述</p><p>2015年，我县认真贯彻《条例》，推进政府信息公开工作。</p>
<p>七、其他需要报告的事项</p><p>无。</p>
<p>附表</p><p>政府信息公开情况统计表</p>
<table border="1">
<tr><td>统计指标</td><td>单位</td><td>本年</td><td>历年累计</td></tr>
<tr><td>一、主动公开情况</td><td></td><td></td><td></td></tr>
<tr><td>（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）</td><td>条</td><td>3,217</td><td>25006</td></tr>
<tr><td>其中：主动公开规范性文件数</td><td>条</td><td>12</td><td>140</td></tr>
<tr><td>制发规范性文件总数</td><td>件</td><td>15</td><td></td></tr>
<tr><td>三、依申请公开情况</td><td></td><td></td><td></td></tr>
<tr><td>（一）收到申请数</td><td>件</td><td>58</td><td>402</td></tr>
<tr><td>1.当面申请数</td><td>件</td><td>20</td><td>—</td></tr>
<tr><td>（三）申请答复数</td><td>件</td><td>58</td><td>400</td></tr>
<tr><td>2.同意公开答复数</td><td>件</td><td>45</td><td>300</td></tr>
<tr><td>3.同意部分公开答复数</td><td>件</td><td>3</td><td>20</td></tr>
<tr><td>4.不同意公开答复数</td><td>件</td><td>2</td><td>10</td></tr>
<tr><td>其中：涉及国家秘密</td><td>件</td><td>1</td><td>3</td></tr>
<tr><td>依申请公开目录编制数</td><td>条</td><td>7</td><td>70</td></tr>
<tr><td>四、行政复议数量</td><td>件</td><td>2</td><td>9</td></tr>
<tr><td>（一）维持具体行政行为数</td><td>件</td><td>1</td><td>5</td></tr>
<tr><td>（二）被依法纠错数</td><td>件</td><td>1</td><td>2</td></tr>
<tr><td>五、行政诉讼数量</td><td>件</td><td>1</td><td>4</td></tr>
<tr><td>（二）被依法纠错数</td><td>件</td><td>0</td><td>1</td></tr>
<tr><td>七、依申请公开信息收取的费用</td><td>元</td><td>500</td><td>1200</td></tr>
</table></body></html>"""


def _cells(out: dict) -> dict[tuple[str, str], tuple]:
    assert {c["table"] for c in out["cells"]} == {"statistics"}
    return {(c["row"], c["col"]): (c["value"], c["raw"], c["flags"]) for c in out["cells"]}


def test_a_2015_statistics_table_with_a_running_total_and_a_unit_column():
    out = extract_bytes(REPORT_2015.encode("utf-8"), "linyou-2015.html").to_dict()
    assert "error" not in out, out.get("error")
    assert out["report"]["report_year"] == 2015
    assert out["tables"] == {"statistics": {"form_version": "stat", "evidence": ["report year 2015"], "pages": []}}
    assert _cells(out) == {
        ("proactive.total", "value"): (3217, "3,217", ["thousands_separator"]),
        ("proactive.total", "cumulative"): (25006, "25006", []),
        ("proactive.normative_documents", "value"): (12, "12", []),
        ("proactive.normative_documents", "cumulative"): (140, "140", []),
        ("proactive.normative_issued", "value"): (15, "15", []),
        ("proactive.normative_issued", "cumulative"): (None, "", ["blank"]),
        ("received", "value"): (58, "58", []),
        ("received", "cumulative"): (402, "402", []),
        ("received.in_person", "value"): (20, "20", []),
        ("received.in_person", "cumulative"): (None, "—", ["no_value"]),
        ("answered", "value"): (58, "58", []),
        ("answered", "cumulative"): (400, "400", []),
        ("granted", "value"): (45, "45", []),
        ("granted", "cumulative"): (300, "300", []),
        ("partially_granted", "value"): (3, "3", []),
        ("partially_granted", "cumulative"): (20, "20", []),
        ("refused", "value"): (2, "2", []),
        ("refused", "cumulative"): (10, "10", []),
        ("refused.state_secret", "value"): (1, "1", []),
        ("refused.state_secret", "cumulative"): (3, "3", []),
        ("reviews", "value"): (2, "2", []),
        ("reviews", "cumulative"): (9, "9", []),
        ("reviews.upheld", "value"): (1, "1", []),
        ("reviews.upheld", "cumulative"): (5, "5", []),
        ("reviews.corrected", "value"): (1, "1", []),  # 被依法纠错数 under 行政复议数
        ("reviews.corrected", "cumulative"): (2, "2", []),
        ("lawsuits", "value"): (1, "1", []),
        ("lawsuits", "cumulative"): (4, "4", []),
        ("lawsuits.corrected", "value"): (0, "0", []),  # the same label under 行政诉讼数
        ("lawsuits.corrected", "cumulative"): (1, "1", []),
        # printed in 元 in the unit column, stored in 万元
        ("fees", "value"): (0.05, "500", ["converted_from:元", "unit_from:row_label"]),
        ("fees", "cumulative"): (0.12, "1200", ["converted_from:元", "unit_from:row_label"]),
    }
    assert all(c["unit"] == ("万元" if c["row"] == "fees" else None) for c in out["cells"])
    assert out["extra_rows"] == [
        {"table": "statistics", "label": "依申请公开目录编制数", "raw": ["7", "70"], "page": None}
    ]
    assert out["problems"] == []  # the 2019+ tables are not missing from a 2015 report
    assert out["checks"] == []
    assert out["core"] == {
        "received": 58,
        "granted": 45,
        "partially_granted": 3,
        "refused": 2,
        "reviews": 2,
        "lawsuits": 1,
    }
    assert out["core_sources"] == {k: f"statistics:{k}:value" for k in out["core"]}


def _docx_2011() -> bytes:
    doc = docx.Document()
    doc.add_paragraph("抚松县人民政府2011年政府信息公开工作年度报告")
    doc.add_paragraph("本报告所列数据的统计期限自2011年1月1日起至2011年12月31日止。")
    doc.add_paragraph("一、概述")
    doc.add_paragraph("2011年，我县政府信息公开工作稳步推进。")
    doc.add_paragraph("附表：政府信息公开工作情况统计表")
    rows = [
        ("指标", "单位", "2011年"),
        ("主动公开政府信息数", "条", "1,024"),
        ("政府网站公开政府信息数", "条", "900"),
        ("其他方式公开政府信息数", "条", "124"),
        ("收到申请数", "件", "31"),
        ("其中：当面申请", "件", "10"),
        ("网上申请", "件", "12"),
        ("电子邮件", "件", "4"),
        ("信函", "件", "2"),
        ("传真", "件", "1"),
        ("其他", "件", "2"),
        ("同意公开", "件", "20"),
        ("同意部分公开", "件", "5"),
        ("不同意公开", "件", "3"),
        ("行政复议数", "件", "1"),
        ("其他", "件", "1"),  # under 行政复议数 now, not the applications' 其他
        ("行政诉讼数", "件", "0"),
    ]
    table = doc.add_table(rows=len(rows), cols=3)
    for r, values in enumerate(rows):
        for c, text in enumerate(values):
            table.cell(r, c).text = text
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def test_a_2011_docx_table_with_application_channels_and_a_year_column():
    out = extract_bytes(_docx_2011(), "fusong-2011.docx").to_dict()
    assert "error" not in out, out.get("error")
    assert out["report"]["report_year"] == 2011
    assert out["tables"]["statistics"]["form_version"] == "stat"
    assert _cells(out) == {
        ("proactive.total", "value"): (1024, "1,024", ["thousands_separator"]),
        ("channel.website", "value"): (900, "900", []),
        ("channel.other", "value"): (124, "124", []),
        ("received", "value"): (31, "31", []),
        ("received.in_person", "value"): (10, "10", []),
        ("received.online", "value"): (12, "12", []),
        ("received.email", "value"): (4, "4", []),
        ("received.letter", "value"): (2, "2", []),
        ("received.fax", "value"): (1, "1", []),
        ("received.other", "value"): (2, "2", []),
        ("granted", "value"): (20, "20", []),
        ("partially_granted", "value"): (5, "5", []),
        ("refused", "value"): (3, "3", []),
        ("reviews", "value"): (1, "1", []),
        ("reviews.other", "value"): (1, "1", []),
        ("lawsuits", "value"): (0, "0", []),
    }
    assert out["extra_rows"] == [] and out["problems"] == []
    assert out["core"] == {
        "received": 31,
        "granted": 20,
        "partially_granted": 5,
        "refused": 3,
        "reviews": 1,
        "lawsuits": 0,
    }


REPORT_2012 = """<html><head><meta charset="utf-8"><title>洪泽县人民政府2012年政府信息公开工作年度报告</title></head><body>
<h1>洪泽县人民政府2012年政府信息公开工作年度报告</h1>
<p>一、概述</p>
<p>2012年，我县主动公开政府信息3217条，其中通过政府网站公开2900条。自2008年以来累计主动公开政府信息25000条。</p>
<p>二、依申请公开情况</p>
<p>全年共受理政府信息公开申请58件，比上年增加12件。其中同意公开45件，部分公开3件，不予公开2件，信息不存在8件，同意公开率为77.6%。</p>
<p>三、因政府信息公开申请行政复议、提起行政诉讼的情况</p>
<p>2012年，我县发生因政府信息公开引起的行政复议2件，行政诉讼1件。</p>
<p>四、其他需要报告的事项</p><p>本年度未收取任何费用。</p>
</body></html>"""


def test_a_narrative_only_2012_report_gives_its_headline_figures_from_text():
    out = extract_bytes(REPORT_2012.encode("utf-8"), "hongze-2012.html").to_dict()
    assert "error" not in out, out.get("error")
    assert out["tables"]["statistics"] == {
        "form_version": "stat",
        "pages": [],
        "evidence": ["report year 2012", "figures read from sentences"],
    }
    assert {(c["row"], c["col"]): (c["value"], c["raw"], c["flags"]) for c in out["cells"]} == {
        ("proactive.total", "value"): (3217, "我县主动公开政府信息3217条", ["from_text"]),  # not the 25000 累计
        ("received", "value"): (58, "全年共受理政府信息公开申请58件", ["from_text"]),  # not the change (12)
        ("granted", "value"): (45, "其中同意公开45件", ["from_text"]),  # not the rate (77.6%)
        ("partially_granted", "value"): (3, "部分公开3件", ["from_text"]),
        ("refused", "value"): (2, "不予公开2件", ["from_text"]),
        ("reviews", "value"): (2, "我县发生因政府信息公开引起的行政复议2件", ["from_text"]),
        ("lawsuits", "value"): (1, "行政诉讼1件", ["from_text"]),
    }
    assert out["extra_rows"] == [] and out["checks"] == []
    assert out["core"] == {
        "received": 58,
        "granted": 45,
        "partially_granted": 3,
        "refused": 2,
        "reviews": 2,
        "lawsuits": 1,
    }
    assert set(out["core_sources"].values()) == {"text"}
    assert out["problems"] == []  # every required indicator was stated


def test_a_narrative_figure_stated_twice_differently_is_dropped_and_said():
    html = REPORT_2012.replace("四、其他需要报告的事项", "全年共受理政府信息公开申请60件。四、其他需要报告的事项")
    out = extract_bytes(html.encode("utf-8"), "hongze-2012b.html").to_dict()
    assert ("received", "value") not in {(c["row"], c["col"]) for c in out["cells"]}
    assert out["core"]["received"] is None and out["core_sources"]["received"] is None
    assert [p["code"] for p in out["problems"]] == ["ambiguous_text", "table_incomplete"]
    assert "received is stated as 58 and as 60" in out["problems"][0]["message"]
    assert out["problems"][1]["message"].endswith("missing received")


def test_a_news_item_with_figures_is_not_made_a_report_by_its_sentences():
    html = (
        "<html><head><title>我县召开2015年政府信息公开工作培训会议</title></head><body>"
        "<h1>我县召开2015年政府信息公开工作培训会议</h1><p>会上通报，全年共受理政府信息公开申请58件。</p></body></html>"
    )
    out = extract_bytes(html.encode("utf-8"), "news.html").to_dict()
    assert out["error"]["code"] == "not_a_report" and out["error"]["reason"] == "news"


def test_the_warehouse_core_table_follows_a_county_across_eras(tmp_path, fill, extract_all):
    data = tmp_path / "data"
    fill(data, counties=[("610329", "麟游县")], years=(2021,))
    with RawStore(data / "raw") as raw:
        for year, html in ((2015, REPORT_2015), (2012, REPORT_2012.replace("洪泽县", "麟游县"))):
            body = html.encode("utf-8")
            raw.record(
                FetchRecord(
                    url=f"http://old.example/{year}.html",
                    sha256=raw.put(body),
                    status=200,
                    fetched_at="2025-02-01T00:00:00+00:00",
                    format="html",
                    size=len(body),
                    source_id="old-610329",
                    jurisdiction_code="610329",
                    organ="麟游县人民政府",
                    report_year=year,
                )
            )
    extract_all(data)
    load_warehouse(data, None, EXTRACTOR_VERSION)
    wh = data / "warehouse"
    rows = duckdb.sql(
        f"SELECT k.report_year, k.received, k.received_source, k.granted, k.partially_granted, k.refused, k.reviews, "
        f"k.lawsuits, k.lawsuits_source FROM read_parquet('{wh}/core/**/*.parquet', hive_partitioning=true) k "
        "ORDER BY k.report_year"
    ).fetchall()
    assert rows[:2] == [
        (2012, 58, "text", 45, 3, 2, 2, 1, "text"),
        (2015, 58, "statistics:received:value", 45, 3, 2, 2, 1, "statistics:lawsuits:value"),
    ]
    # 2021: the core is the form's own cells, as loaded in `cells`
    ((year, received, source, *_),) = rows[2:]
    printed = duckdb.sql(
        f"SELECT value FROM read_parquet('{wh}/cells/**/*.parquet', hive_partitioning=true) WHERE report_year = 2021 "
        "AND table_key = 'requests' AND row_key = 'new_received' AND col_key = 'total'"
    ).fetchall()[0]
    assert (year, source) == (2021, "requests:new_received:total") and received == printed[0]
    stats = duckdb.sql(
        f"SELECT report_year, form_version, received__value, received__cumulative, fees__value "
        f"FROM read_parquet('{wh}/statistics/**/*.parquet', hive_partitioning=true) ORDER BY report_year"
    ).fetchall()
    assert stats == [(2012, "stat", 58, None, None), (2015, "stat", 58, 402, 0.05)]
    versions = duckdb.sql(
        f"SELECT report_year, form_version_statistics, form_version_requests "
        f"FROM read_parquet('{wh}/reports/**/*.parquet', hive_partitioning=true) ORDER BY report_year"
    ).fetchall()
    assert versions == [(2012, "stat", None), (2015, "stat", None), (2021, None, "2021")]


def test_sentences_give_a_figure_only_when_one_indicator_and_one_number_say_it():
    found = read_sentences(
        [
            "全县共收到政府信息公开申请31件（其中当面申请20件、网上申请11件）。",  # the breakdown in brackets is aside
            "其中同意公开20件，同意公开率为64.5%。",  # outcomes right after the sentence on 申请; the rate is not a count
            "行政复议、行政诉讼案件共3件。",  # two indicators, one number: neither
            "主动公开政府信息占全部信息的90%，较上年增加120条。",  # a share and a change
        ]
    )
    assert found.figures == [
        ("received", 31, "全县共收到政府信息公开申请31件（其中当面申请20件、网上申请11件）"),
        ("granted", 20, "其中同意公开20件"),
    ]
    assert found.ambiguous == []
    assert read_sentences(["今年同意公开20件。"]).figures == []  # an outcome with no 申请 in sight


def test_with_no_year_the_heading_decides_and_two_figures_without_a_header_are_not_placed():
    html = """<html><head><meta charset="utf-8"><title>某县政府信息公开工作年度报告</title></head><body>
<h1>某县政府信息公开工作年度报告</h1><p>一、概述</p><p>我县认真贯彻《条例》。</p>
<p>政府信息公开情况统计表</p>
<table border="1">
<tr><td>收到申请数</td><td>件</td><td>12</td></tr>
<tr><td>同意公开答复数</td><td>件</td><td>9</td><td>80</td></tr>
<tr><td>行政复议数</td><td>件</td><td>0</td></tr>
</table></body></html>"""
    out = extract_bytes(html.encode("utf-8"), "undated.html").to_dict()
    assert out["report"]["report_year"] is None
    assert out["tables"]["statistics"]["form_version"] == "stat"
    assert out["tables"]["statistics"]["evidence"] == ["the heading of the statistics table"]
    cells = {(c["row"], c["col"]): c["value"] for c in out["cells"]}
    assert cells == {("received", "value"): 12, ("reviews", "value"): 0}
    assert [p["code"] for p in out["problems"]] == ["row_short", "table_incomplete"]
    assert "granted" in out["problems"][0]["message"] and "(no header says which)" in out["problems"][0]["message"]
    assert out["core"] == {
        "received": 12,
        "granted": None,
        "partially_granted": None,
        "refused": None,
        "reviews": 0,
        "lawsuits": None,
    }


def test_a_2016_table_flattened_to_text_lines_with_the_unit_as_a_word():
    text = "\n".join(
        [
            "某县人民政府2016年政府信息公开工作年度报告",
            "一、概述",
            "2016年，我县认真贯彻《条例》。",
            "附表：政府信息公开情况统计表",
            "统计指标 单位 本年 历年累计",
            "收到申请数 件 58 402",
            "行政复议数量 件 2 9",
            "（二）被依法纠错数 件 1 2",
            "行政诉讼数量 件 1 4",
            "（二）被依法纠错数 件 0 1",
        ]
    )
    out = extract_bytes(text.encode("utf-8"), "2016.txt").to_dict()
    assert {(c["row"], c["col"]): c["value"] for c in out["cells"]} == {
        ("received", "value"): 58,
        ("received", "cumulative"): 402,
        ("reviews", "value"): 2,
        ("reviews", "cumulative"): 9,
        ("reviews.corrected", "value"): 1,
        ("reviews.corrected", "cumulative"): 2,
        ("lawsuits", "value"): 1,
        ("lawsuits", "cumulative"): 4,
        ("lawsuits.corrected", "value"): 0,
        ("lawsuits.corrected", "cumulative"): 1,
    }
    assert [p["code"] for p in out["problems"]] == ["table_incomplete"]  # the outcomes are not printed
    assert out["core"] == {
        "received": 58,
        "granted": None,
        "partially_granted": None,
        "refused": None,
        "reviews": 2,
        "lawsuits": 1,
    }


def test_a_number_cut_by_the_end_of_a_line_is_read_whole():
    found = read_sentences(["2013年，全县共受理政府信息公开申请5", "8件，其中同意公开4", "5件。"])
    assert [(k, v) for k, v, _ in found.figures] == [("received", 58), ("granted", 45)]


def test_a_report_whose_prose_states_only_two_figures_is_still_a_report():
    html = (
        "<html><head><title>某镇人民政府2010年政府信息公开工作年度报告</title></head><body>"
        "<h1>某镇人民政府2010年政府信息公开工作年度报告</h1><p>一、概述</p>"
        "<p>2010年，我镇主动公开政府信息120条。全年未收到政府信息公开申请，发生行政复议0件。</p></body></html>"
    )
    out = extract_bytes(html.encode("utf-8"), "town-2010.html").to_dict()
    assert "error" not in out, out.get("error")
    assert [(c["row"], c["value"], c["raw"], c["flags"]) for c in out["cells"]] == [
        ("proactive.total", 120, "我镇主动公开政府信息120条", ["from_text"]),
        ("received", 0, "全年未收到政府信息公开申请", ["from_text"]),  # a zero said in words, of that very indicator
        ("reviews", 0, "发生行政复议0件", ["from_text"]),
    ]
    assert out["core"]["reviews"] == 0 and out["core"]["received"] == 0 and out["core"]["lawsuits"] is None
