"""Division codes: the dated table and resolving an organ's name for a report year."""

from __future__ import annotations

import pytest

from extractors.jurisdictions import Division, divisions, lookup, resolve


def test_linyou_and_its_parents():
    d = lookup("610329")
    assert d is not None
    assert (d.name, d.level) == ("麟游县", "county")
    assert (d.prefecture_code, d.prefecture) == ("610300", "宝鸡市")
    assert (d.province_code, d.province) == ("610000", "陕西省")
    assert d.code[:4] == "6103" and d.code[:2] == "61"
    assert d.valid_to is None and d.successor is None
    assert lookup("610300").name == "宝鸡市"
    assert lookup("610300").level == "prefecture"
    assert lookup("610000").level == "province"
    assert lookup("6103").name == "宝鸡市" and lookup("61").name == "陕西省"  # short forms


def test_fengxiang_county_became_a_district_in_2021():
    county = lookup("610322")
    assert (county.name, county.valid_to, county.successor) == ("凤翔县", 2021, "610305")
    district = lookup("610305")
    assert (district.name, district.valid_from, district.valid_to) == ("凤翔区", 2021, None)
    assert county.valid_in(2020) and not county.valid_in(2021)
    assert district.valid_in(2021) and not district.valid_in(2020)
    assert resolve("凤翔县人民政府", 2019) == "610322"
    assert resolve("凤翔区", 2022) == "610305"
    assert resolve("宝鸡市凤翔区人民政府", 2022) == "610305"
    # a report for 2020 printed in 2021 under the new name keeps the printed name's code
    assert resolve("凤翔区人民政府", 2020) == "610305"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("陕西省宝鸡市麟游县人民政府", "610329"),
        ("麟游县人民政府", "610329"),
        ("麟游县", "610329"),
        ("麟游县教育局", "610329"),
        ("淮安市洪泽区人民政府", "320813"),
        ("淮安市人民政府", "320800"),
        ("上海市人民政府办公厅", "310000"),
        ("上海市科学技术委员会", "310000"),
        ("上海市科委", "310000"),
        ("微山县两城镇人民政府", "370826"),
        ("抚松县东岗镇人民政府", "220621"),
        ("北京市朝阳区人民政府", "110105"),
        ("石家庄市新华区人民政府", "130105"),
        ("攀枝花市东区人民政府", "510402"),
        ("东莞市人民政府", "441900"),  # a prefecture with no counties
        ("湖北省仙桃市人民政府", "429004"),  # county-level, directly under the province
        ("石柱县人民政府", "500240"),  # short form of 石柱土家族自治县
        ("麟游县工业园区管委会", "610329"),  # a zone printed inside its county
    ],
)
def test_resolve(name, code):
    assert resolve(name) == code


@pytest.mark.parametrize(
    "name",
    [
        "东区",
        "朝阳区人民政府",  # 北京 110105 and 长春 220104
        "新华区",  # 石家庄, 沧州, 平顶山
        "市中区人民政府",
        "区统计局",
        "两城镇人民政府",  # a township without its county
        "淮安市经济技术开发区管委会",  # a zone is not its city
        "市科委",
        "",
    ],
)
def test_unresolvable_or_ambiguous_names_give_none(name):
    assert resolve(name) is None


def test_the_year_picks_between_codes_of_the_same_name():
    # 三明市三元区 was re-coded in 2021 (merged with 梅列区)
    assert resolve("三元区") is None
    assert resolve("三元区", 2020) == "350403"
    assert resolve("三元区", 2022) == "350404"
    # 巢湖市: a prefecture until 2011, then a county-level city of 合肥市
    assert resolve("巢湖市人民政府", 2010) == "341400"
    assert resolve("巢湖市人民政府", 2015) == "340181"
    assert resolve("洪泽县人民政府", 2015) == "320829"
    assert lookup("320829").successor == "320813"


def test_a_zone_is_never_the_district_it_became_later():
    assert resolve("两江新区管委会", 2024) is None
    assert resolve("两江新区人民政府", 2025) == "500157"
    assert resolve("渝北区人民政府", 2024) == "500112"


def test_lookup_by_year_for_renamed_and_reused_codes():
    assert lookup("220602", 2009).name == "八道江区"
    assert lookup("220602", 2010).name == "浑江区"
    assert lookup("220602").name == "浑江区"
    assert lookup("500110", 2010).name == "万盛区"
    assert lookup("500110").name == "綦江区"
    assert lookup("420607", 2009).prefecture == "襄樊市"  # parents as they were then
    assert lookup("999999") is None


def test_divisions_table():
    rows = divisions()
    assert all(isinstance(d, Division) for d in rows)
    current = [d for d in rows if d.valid_to is None]
    levels = ("province", "prefecture", "county")
    counts = {lvl: sum(d.level == lvl for d in current) for lvl in levels}
    assert counts == {"province": 34, "prefecture": 333, "county": 2845}
    assert len({d.code for d in current}) == len(current)
    retired = [d for d in rows if d.valid_to is not None]
    assert len(retired) > 300
    for d in rows:
        assert len(d.code) == 6 and d.code.isdigit()
        assert d.province_code == d.code[:2] + "0000"
        if d.prefecture_code:
            assert d.prefecture_code == d.code[:4] + "00"
        for s in d.successors:
            assert lookup(s) is not None


def test_every_division_resolves_by_its_full_name_in_its_years():
    for d in divisions():
        year = d.valid_to - 1 if d.valid_to else 2025
        prefix = "" if d.level == "province" else d.province
        if d.level == "county":
            prefix += d.prefecture or ""
        assert resolve(prefix + d.name + "人民政府", year) == d.code, (d, year)
