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
    assert checks == {("appeals.total", "review"): (False, 3, 4), ("appeals.total", "litigation_direct"): (True, 2, 2),
                      ("appeals.total", "litigation_after_review"): (True, 0, 0)}
