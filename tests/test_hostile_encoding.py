"""No garbage as data from decoding (issue 12): a stray byte in front of a good page, or a
GBK fragment inside a UTF-8 page, must leave every cell as the clean page gives it."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors import extract_bytes
from extractors.readers.encoding import decode_text

CORPUS = Path(__file__).resolve().parent / "corpus" / "files"


def cells(data: bytes) -> list[tuple]:
    report = extract_bytes(data, name="page.html")
    assert report.error is None, report.error
    return sorted((c.table, c.row, c.col, c.value, c.raw) for c in report.cells)


@pytest.mark.parametrize(
    "page", ["html-gbk-2021-dashes.html", "html-gb2312-2021-word-cells.html", "html-2021-broken-balance.html"]
)
def test_one_stray_byte_before_a_good_page_changes_no_cell(page):
    clean = (CORPUS / page).read_bytes()
    expected = cells(clean)
    assert len(expected) > 100
    assert cells(b"\xff" + clean) == expected
    assert cells(b"\xff\xfe\x80" + clean[:200] + b"\xff" + clean[200:]) == expected


def test_a_gbk_fragment_in_a_utf8_page_is_read_part_by_part():
    clean = (CORPUS / "html-2021-broken-balance.html").read_bytes()
    label = "本年新收政府信息公开申请数量"
    assert label.encode() in clean
    mixed = clean.replace(label.encode(), label.encode("gbk"), 1)
    text, codec = decode_text(mixed)
    assert codec == "utf-8" and text.count(label) == clean.decode().count(label)
    assert cells(mixed) == cells(clean)


def test_a_gbk_page_that_claims_utf8_is_gbk_and_unknown_bytes_are_replaced_not_guessed():
    page = "<html><head><meta charset='utf-8'></head><body><p>政府信息公开工作年度报告</p></body></html>"
    text, codec = decode_text(b"\xff" + page.encode("gbk"), "utf-8")
    assert codec == "gb18030" and text == "\ufffd" + page
