"""The cross-era core of 2021 and 2019 reports in ``ogi extract --json`` (pre-2019 reports and the
warehouse's ``core`` table: tests/test_pre2019.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractors import extract
from extractors.core import core_values

CORPUS = Path(__file__).resolve().parent / "corpus" / "files"
WITHHELD = (
    "state_secret",
    "prohibited_by_law",
    "security_stability",
    "third_party_rights",
    "internal_affairs",
    "process_information",
    "enforcement_files",
    "administrative_query",
)


@pytest.mark.parametrize(
    "name, expected",
    [
        # read off the corpus truth: 三 new_received/granted/partially_granted totals, the eight 不予公开 totals
        # summed (3+0+1+0+2+0+0+0 and 0+1+1+2+1+0+3+2), 四 review total, direct + after-review lawsuits (7+4, 3+8)
        (
            "docx-2021-merged",
            {"received": 18, "granted": 10, "partially_granted": 1, "refused": 6, "reviews": 4, "lawsuits": 11},
        ),
        (
            "docx-2019-merged",
            {"received": 24, "granted": 3, "partially_granted": 1, "refused": 10, "reviews": 3, "lawsuits": 11},
        ),
    ],
)
def test_the_core_of_2021_and_2019_reports(name, expected):
    truth = json.loads((CORPUS / f"{name}.truth.json").read_text("utf-8"))
    cells = {(c["table"], c["row"], c["col"]): c["value"] for c in truth["cells"]}
    assert sum(cells[("requests", f"withheld.{w}", "total")] for w in WITHHELD) == expected["refused"]
    out = extract(CORPUS / truth["file"]).to_dict()
    assert "statistics" not in out["tables"]
    assert not [p for p in out["problems"] if p.get("table") == "statistics"]
    assert out["core"] == expected
    lawsuits = "appeals:litigation_direct:total + appeals:litigation_after_review:total"
    assert out["core_sources"]["received"] == "requests:new_received:total"
    assert out["core_sources"]["refused"] == " + ".join(f"requests:withheld.{w}:total" for w in WITHHELD)
    assert out["core_sources"]["lawsuits"] == lawsuits


def test_one_blank_component_makes_the_core_value_null_not_a_partial_sum():
    cells = [
        {"table": "appeals", "row": "litigation_direct", "col": "total", "value": 3, "flags": []},
        {"table": "appeals", "row": "litigation_after_review", "col": "total", "value": None, "flags": ["blank"]},
        {"table": "appeals", "row": "review", "col": "total", "value": 0, "flags": []},
    ]
    core = core_values(cells, {"appeals": "2021"})
    assert core["lawsuits"].value is None and core["lawsuits"].source is None
    assert core["reviews"].value == 0 and core["reviews"].source == "appeals:review:total"
    assert core["received"].value is None  # 三 not read at all
    assert core_values(cells, {"appeals": "unknown"})["reviews"].value is None  # no version, no mapping


def test_the_core_row_of_the_load_is_the_reports_own_core_and_the_same_made_again_from_its_cells():
    from pipelines.rows import core_rows

    out = json.loads(json.dumps(extract(CORPUS / "docx-2021-merged.docx").to_dict()))  # as the store gives it back
    base = {"report_id": "r1", "jurisdiction_code": "610329"}
    [row] = core_rows(out, base)
    assert row["received"] == 18 and row["lawsuits"] == 11 and row["refused"] == 6
    assert row["lawsuits_source"] == "appeals:litigation_direct:total + appeals:litigation_after_review:total"
    older = {k: v for k, v in out.items() if k not in ("core", "core_sources")}  # a body written without its core
    assert core_rows(older, base) == [row]
    out["core"]["reviews"] = 4.5  # not a count: null, and no source
    [half] = core_rows(out, base)
    assert half["reviews"] is None and half["reviews_source"] is None
