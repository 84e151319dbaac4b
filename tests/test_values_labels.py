"""Cell values and label matching: the quirks of docs/form.md#what-real-documents-do, one by one."""

from __future__ import annotations

import pytest

from extractors.labels import match_label
from extractors.sniff import sniff
from extractors.values import parse_value


def _zip(members: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "raw, kind, value, flag",
    [
        ("12", "count", 12, None),
        ("１２３", "count", 123, "fullwidth"),
        ("3,119", "count", 3119, "thousands_separator"),
        ("1，648.39", "decimal", 1648.39, "thousands_separator"),
        ("22（其中修订16件）", "count", 22, "annotated"),
        ("55（含自然失效29件）", "count", 55, "annotated"),
        ("251000元", "amount", 251000.0, "unit:元"),
        ("-8", "signed", -8, None),
        ("+4", "signed", 4, None),
        ("减3", "signed", -3, None),
        (" 0 ", "count", 0, None),
        ("\u3000７\u00a0", "count", 7, "fullwidth"),
    ],
)
def test_numbers(raw, kind, value, flag):
    parsed = parse_value(raw, kind)
    assert parsed.value == value and type(parsed.value) is type(value)
    if flag:
        assert flag in parsed.flags


@pytest.mark.parametrize("raw", ["", "—", "-", "－", "/", "无", "不涉及", "——", " "])
def test_no_value_markers_are_null_never_zero_or_negative(raw):
    parsed = parse_value(raw, "count")
    assert parsed.value is None
    assert parsed.flags in (["blank"], ["no_value"])


def test_unparsed_text_is_null_and_flagged():
    assert parse_value("约10件左右", "count").flags == ["unparsed"]


@pytest.mark.parametrize(
    "label, key",
    [
        ("一、本年新收政府信息公开申请数量", "new_received"),
        ("2.其他法律行政止公开", "withheld.prohibited_by_law"),  # typo seen in Hongze
        ("2、其他法律行政法规禁止公开", "withheld.prohibited_by_law"),
        ("（1）属于国家秘密", "withheld.state_secret"),
        ("3.危及‘三安全一稳定’", "withheld.security_stability"),
        ("（二）部分公开", "partially_granted"),
        ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "partially_granted"),
        ("（六）其他处理", "other_handling"),
        ("3.其他", "other_handling.other"),
        ("（七）总计", "total_processed"),
        ("四、结转下年度继续办理", "carried_forward"),
    ],
)
def test_request_row_labels(label, key):
    found = match_label(label, "requests")
    assert found is not None and found.key == key


def test_column_words_are_not_rows():
    # 总计 and 其他 without their list markers are the column headers of 三.
    assert match_label("总计", "requests") is None
    assert match_label("其他", "requests") is None


def test_labels_match_only_within_their_table():
    assert match_label("行政许可", "requests") is None
    assert match_label("行政许可", "proactive").key == "licensing"
    assert match_label("现行有效件", "proactive", "cols").key == "in_force"


@pytest.mark.parametrize(
    "data, name, fmt",
    [
        (b"", "x.pdf", "empty"),
        (b"%PDF-1.7\n...", "report.doc", "pdf"),
        (b"<!DOCTYPE html><html><body><table></table></body></html>", "report.pdf", "html"),
        ("麟游县人民政府\n2024年政府信息公开工作年度报告".encode("gb18030"), "x.txt", "text"),
        (b"\x89PNG\r\n\x1a\n....", "scan.pdf", "image"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le"), "a.wps", "wps"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le"), "a.doc", "doc"),
        (b"PK\x03\x04garbage", "a.docx", "corrupt_zip"),
        (_zip({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<x/>"}), "report.ofd", "ofd"),
    ],
)
def test_format_is_sniffed_from_bytes(data, name, fmt):
    assert sniff(data, name) == fmt
