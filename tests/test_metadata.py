"""Report metadata from the opening lines of real reports (shared/samples) and variants.

The sample lines are copied as the files (or ``pdftotext -layout`` for the PDFs) give
them; the expected values were read off the documents.
"""

from __future__ import annotations

import pytest

from extractors.metadata import is_interpretation, parse_title, publisher_kind, read_metadata

LINYOU_2024 = [
    "麟游县人民政府",
    "2024年政府信息公开工作年度报告",
    "",
    "根据《中华人民共和国政府信息公开条例》，现向社会公开《麟游县人民政府2024年政府信息公开工作年度报告》。"
    "本报告数据统计时限为2024年1月1日至12月31日。本报告将在“麟游发布”政务微博同步推送，"
    "电子版可在麟游县政府网站（www.linyou.gov.cn）下载。",
    "1、 总体情况",
]

SHANGHAI_OFFICE_2025 = [
    "正文",
    "2025 年上海市人民政府办公厅政府信息公开",
    "工作年度报告",
    "本年度报告根据《中华人民共和国政府信息公开条例》（以",
    "下简称《条例》）、《上海市政府信息公开规定》（以下简称《规",
    "定》）和《关于印发中华人民共和国政府信息公开工作年度报告",
    "格式的通知》（国办公开办函〔2021〕30 号）的要求编制，全",
    "文包括总体情况、主动公开政府信息情况、收到和处理政府信息",
    "其他需要报告的事项。本年度报告中所列数据统计期限为 2025",
    "年 1 月 1 日至 12 月 31 日。本年度报告电子版可在上海市人民政",
    "府门户网站（www.shanghai.gov.cn）下载。",
    "",
    "一、总体情况",
]

SHANGHAI_SCIENCE_2024 = [
    "正文",
    "2024 年上海市科委政府信息公开工作",
    "年度报告",
    "根据《中华人民共和国政府信息公开条例》和《上海市政府",
    "信息公开规定》的要求，市科委编制了 2024 年度政务公开工作",
    "报告，报告全文包括总体情况、主动公开政府信息情况、收到和",
    "部分, 并附相关指标统计表。本年度报告中所列数据的统计周期",
    "为 2024 年 1 月 1 日至 12 月 31 日。年度报告电子版可以通过市",
    "科委网站（https://stcsm.sh.gov.cn）下载。",
    "",
    "一、总体情况",
    "上海市科委 2024 年深入贯彻《政府信息公开条例》和《上",
]

# pdftotext -layout hongze-district-2023.pdf (leading spaces as printed)
HONGZE_2023 = [
    "                洪泽区人民政府",
    "      2023 年政府信息公开工作年度报告",
    "",
    "   本报告由淮安市洪泽区人民政府办公室根据《中华人民共和",
    "国政府信息公开条例》（国令第 711 号）（以下简称《条例》）",
    "要求编制此报告。报告中所列数据统计期限自 2023 年 1 月 1 日",
    "起至 2023 年 12 月 31 日止。如对本报告有疑问，请与淮安市洪",
    "泽区人民政府办公室联系（地址：淮安市洪泽区洪泽湖大道 90",
    "   一、总体情况",
]

HONGZE_2024 = [
    "         淮安市洪泽区人民政府",
    "    2024 年政府信息公开工作年度报告",
    "",
    "  本报告由淮安市洪泽区人民政府办公室根据《中华人民共和",
    "国政府信息公开条例》（国令第 711 号）（以下简称《条例》）",
    "要求编制此报告。报告中所列数据统计期限自 2024 年 1 月 1 日",
    "起至 2024 年 12 月 31 日止。如对本报告有疑问，请与淮安市洪",
    "  一、总体情况",
]

HUAIAN_2024 = [
    "            淮安市人民政府",
    "     2024 年政府信息公开工作年度报告",
    "",
    "",
    "   本报告由淮安市人民政府办公室根据《中华人民共和国政府",
    "信息公开条例》（国令第 711 号）（以下简称《条例》）规定编",
    "制。报告所列统计期限自 2024 年 1 月 1 日至 2024 年 12 月 31 日。",
    "   一、总体情况",
]

STATISTICS_BUREAU_2023 = [
    "根据《中华人民共和国政府信息公开条例》规定,现公布区统计局2023年政府信息公开工作年度报告。"
    "本报告由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、存在问题及改进情况、"
    "其他需要报告的事项等六部分组成。",
    "一、总体情况",
    "(一)主动公开情况",
    "2023年,我局认真梳理,主动在门户网站公开政府信息50条。全年政务信息公开工作运行正常。",
]

DONGGANG_2020 = [
    "登录 |  注册 ",
    "",
    "抚松县东岗镇人民政府2020年政府信息公开工作年度报告",
    "",
    "发布日期:2021-01-04    点击数:",
    "",
    "抚松县东岗镇人民政府2020年政府信息公开工作年度报告",
    "",
    " ",
    "",
    "一、总体情况",
    "",
    "为认真落实省委、省政府和市委、市政府关于政务公开工作的决策部署,准确执行新修订的"
    "《中华人民共和国政府信息公开条例》规定,按照《关于印发《抚松县年政务公开工作要点及重点任务分工》"
    "的通知》(抚政办发【9号】)文件的有关规定,特向社会公开年度东岗镇政府信息公开年度报告。"
    "本报告信息数据统计期限为:2020年1月1日—2020年12月31日。",
]

LIANGCHENG_2020 = [
    "一、工作基本情况",
    "本报告是根据《中华人民共和国政府信息公开条例》(以下简称《条例》)要求,由两城镇人民政府党政办公室编制。"
    "内容包括政府信息公开总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
    "政府信息公开行政复议和行政诉讼情况、存在主要问题和改进情况、其它需要报告事项等部分组成。"
    "本报告中所列数据的统计期限为2020年1月1日至2020年12月31日。",
    "如对本报告有任何疑问,请与两城镇人民政府党政办公室联系。"
    "(地址:微山县两城镇人民政府驻地府前路1号,邮编:272199,电话:0537-8451001)",
    "二、主动公开政府信息情况",
    "第二十条第(一)项 | ||||",
]


def meta_tuple(meta):
    return (
        meta.issuing_body,
        meta.report_year,
        meta.year_source,
        meta.publisher_kind,
        meta.jurisdiction_code,
    )


def test_linyou_2024_title_over_two_lines():
    meta = read_metadata(LINYOU_2024)
    assert meta.title == "麟游县人民政府2024年政府信息公开工作年度报告"
    assert meta_tuple(meta) == ("麟游县人民政府", 2024, "title", "government", "610329")


def test_shanghai_government_office_2025_skips_the_zhengwen_line():
    meta = read_metadata(SHANGHAI_OFFICE_2025)
    assert meta.title == "2025年上海市人民政府办公厅政府信息公开工作年度报告"
    assert meta_tuple(meta) == ("上海市人民政府办公厅", 2025, "title", "government_office", "310000")


def test_shanghai_science_commission_keeps_the_printed_abbreviation():
    meta = read_metadata(SHANGHAI_SCIENCE_2024)
    assert meta.title == "2024年上海市科委政府信息公开工作年度报告"
    # the text never prints 上海市科学技术委员会, so the name stays as printed
    assert meta_tuple(meta) == ("上海市科委", 2024, "title", "department", "310000")


def test_abbreviation_expanded_when_the_text_defines_it():
    lines = [
        "2024 年上海市科委政府信息公开工作",
        "年度报告",
        "根据《中华人民共和国政府信息公开条例》，上海市科学技术委员会（以下简称“市科委”）编制本报告。",
    ]
    meta = read_metadata(lines)
    assert meta.issuing_body == "上海市科学技术委员会"
    assert meta.publisher_kind == "department"
    assert meta.jurisdiction_code == "310000"


def test_hongze_2023_title_name_completed_from_the_preamble():
    meta = read_metadata(HONGZE_2023)
    assert meta.title == "洪泽区人民政府2023年政府信息公开工作年度报告"
    assert meta_tuple(meta) == ("淮安市洪泽区人民政府", 2023, "title", "government", "320813")


def test_hongze_2024():
    meta = read_metadata(HONGZE_2024)
    assert meta.title == "淮安市洪泽区人民政府2024年政府信息公开工作年度报告"
    assert meta_tuple(meta) == ("淮安市洪泽区人民政府", 2024, "title", "government", "320813")


def test_huaian_city_2024():
    meta = read_metadata(HUAIAN_2024)
    assert meta.title == "淮安市人民政府2024年政府信息公开工作年度报告"
    assert meta_tuple(meta) == ("淮安市人民政府", 2024, "title", "government", "320800")


def test_statistics_bureau_2023_from_the_preamble_only():
    meta = read_metadata(STATISTICS_BUREAU_2023)
    assert meta.title is None
    # 区统计局 names no district: no code rather than a guess
    assert meta_tuple(meta) == ("区统计局", 2023, "preamble", "department", None)


def test_donggang_2020_behind_site_chrome():
    meta = read_metadata(DONGGANG_2020, published_date="2021-01-04")
    assert meta.title == "抚松县东岗镇人民政府2020年政府信息公开工作年度报告"
    assert meta_tuple(meta) == ("抚松县东岗镇人民政府", 2020, "title", "township", "220621")


def test_liangcheng_2020_year_and_body_from_the_preamble():
    meta = read_metadata(LIANGCHENG_2020)
    assert meta.title is None
    # compiled "由两城镇人民政府党政办公室"; the address prints the county before the town
    assert meta_tuple(meta) == ("微山县两城镇人民政府", 2020, "preamble", "township", "370826")


def test_liangcheng_without_the_address_keeps_the_town_without_a_code():
    meta = read_metadata(LIANGCHENG_2020[:2])
    assert meta_tuple(meta) == ("两城镇人民政府", 2020, "preamble", "township", None)


def test_year_from_the_publication_date_when_nothing_else_says():
    meta = read_metadata(["一、总体情况", "今年我局主动公开信息50条。"], published_date="2024-01-15")
    assert (meta.report_year, meta.year_source) == (2023, "published_date")
    assert meta.issuing_body is None and meta.publisher_kind == "unknown"
    assert read_metadata(["一、总体情况"]).report_year is None


def test_title_year_beats_preamble_and_date():
    meta = read_metadata(LINYOU_2024, published_date="2026-03-01")
    assert (meta.report_year, meta.year_source) == (2024, "title")


def test_hint_title_when_the_lines_have_none():
    meta = read_metadata(["一、总体情况"], hint_title="麟游县2023年政府信息公开工作年度报告_麟游县人民政府")
    assert meta.title == "麟游县2023年政府信息公开工作年度报告"
    assert meta_tuple(meta) == ("麟游县", 2023, "title", "government", "610329")


@pytest.mark.parametrize(
    ("lines", "title", "body", "year"),
    [
        (["2022年上海市政府信息公开工作年度报告"], "2022年上海市政府信息公开工作年度报告", "上海市", 2022),
        (["麟游县2023年度政府信息公开工作年度报告"], "麟游县2023年度政府信息公开工作年度报告", "麟游县", 2023),
        (
            ["麟游县人民政府2023年政务信息公开年度报告"],
            "麟游县人民政府2023年政务信息公开年度报告",
            "麟游县人民政府",
            2023,
        ),
        (["麟游县教育局2023年政府信息公开年报"], "麟游县教育局2023年政府信息公开年报", "麟游县教育局", 2023),
        (
            ["麟游县人民政府", "2024年政府信息公开", "工作年度报告"],
            "麟游县人民政府2024年政府信息公开工作年度报告",
            "麟游县人民政府",
            2024,
        ),
        (
            ["登录 | 注册", "首页 > 信息公开 > 年报", "麟游县2023年政府信息公开工作年度报告", "发布日期：2024-01-20"],
            "麟游县2023年政府信息公开工作年度报告",
            "麟游县",
            2023,
        ),
        (["正文", "2022年度政府信息公开年报"], "2022年度政府信息公开年报", None, 2022),
    ],
)
def test_title_variants(lines, title, body, year):
    meta = read_metadata(lines)
    found = (meta.title, meta.issuing_body, meta.report_year, meta.year_source)
    assert found == (title, body, year, "title")


def test_interpretation_page_is_not_taken_for_the_report():
    meta = read_metadata(["关于2021年政府信息公开工作年度报告的解读", "一、总体情况"])
    assert meta.title is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("麟游县2023年政府信息公开工作年度报告", ("麟游县", 2023)),
        ("2022年度政府信息公开年报", (None, 2022)),
        ("麟游县人民政府2024年政府信息公开工作年度报告", ("麟游县人民政府", 2024)),
        ("2024 年上海市科委政府信息公开工作年度报告", ("上海市科委", 2024)),
        ("麟游县政府信息公开工作年度报告（2023年度）", ("麟游县", 2023)),
        ("二〇二三年麟游县政府信息公开工作年度报告", ("麟游县", 2023)),
        ("２０２３年麟游县政府信息公开工作年度报告（全文）", ("麟游县", 2023)),
        ("[2024-01-20] 麟游县2023年政府信息公开工作年度报告.pdf", ("麟游县", 2023)),
        ("麟游县人民政府信息公开工作年度报告2023", ("麟游县人民政府", 2023)),
        ("关于2021年政府信息公开工作年度报告的解读", (None, None)),
        ("2023年政府信息公开工作要点", (None, None)),
        ("关于做好2023年政府信息公开工作年度报告编制工作的通知", (None, None)),
    ],
)
def test_parse_title(text, expected):
    assert parse_title(text) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("关于2021年政府信息公开工作年度报告的解读", True),
        ("图解：麟游县2023年政府信息公开工作年度报告", True),
        ("一图读懂2023年政府信息公开工作年度报告", True),
        ("麟游县2023年政府信息公开工作年度报告文字解读", True),
        ("麟游县2023年政府信息公开工作年度报告", False),
    ],
)
def test_is_interpretation(title, expected):
    assert is_interpretation(title) is expected


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("麟游县人民政府", "government"),
        ("上海市", "government"),
        ("上海市人民政府办公厅", "government_office"),
        ("麟游县人民政府办公室", "government_office"),
        ("麟游县教育局", "department"),
        ("上海市科学技术委员会", "department"),
        ("上海市科委", "department"),
        ("抚松县东岗镇人民政府", "township"),
        ("城关街道办事处", "township"),
        ("淮安经济技术开发区管理委员会", "development_zone"),
        ("麟游县工业园区管委会", "development_zone"),
        ("浦东新区人民政府", "government"),
        (None, "unknown"),
        ("某某", "unknown"),
    ],
)
def test_publisher_kind(body, kind):
    assert publisher_kind(body) == kind
