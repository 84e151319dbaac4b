"""Is this link a report, which body issued it, for which year (docs/form.md#titles-years-and-publishers).

The title grammar itself is ``extractors.metadata`` (one definition for spiders and
extractors alike); this module adds what only crawling needs: columns, per-year
sub-columns, dates in listings.
"""

from __future__ import annotations

import re
import unicodedata

from extractors.metadata import is_interpretation as _is_interpretation
from extractors.metadata import parse_title as _parse_title

_YEAR = r"(20[0-4]\d|19[89]\d)"
_REPORT_WORDS = re.compile(
    r"(政府|政务)?信息公开.{0,12}?(年度报告|年报|工作报告|报告)|信息公开年报|政务公开.{0,8}年度报告"
)
_TITLE_YEAR = re.compile(_YEAR + r"\s*年(度)?")
_DATE = re.compile(r"(20\d\d|19\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_COLUMN_WORDS = re.compile(r"(信息公开|政务公开)?(工作)?(年报|年度报告)")


def normalise(text: str | None) -> str:
    """NFKC, no whitespace (titles often wrap over two lines), no file extension."""
    text = unicodedata.normalize("NFKC", text or "")
    text = re.sub(r"\s+", "", text)
    return re.sub(r"\.(pdf|docx?|wps|xlsx?|et|html?|shtml)$", "", text, flags=re.I)


def parse_title(text: str) -> tuple[str | None, int | None]:
    """(issuing body or None, report year or None) of a report title or link text."""
    return _parse_title(normalise(text))


def is_interpretation(title: str) -> bool:
    return _is_interpretation(normalise(title))


def looks_like_report(text: str) -> bool:
    """A title that names an information-disclosure annual report (with or without a year)."""
    return bool(_REPORT_WORDS.search(normalise(text)))


def is_report_title(text: str) -> bool:
    """A specific report: report words, a year, and not an interpretation of one."""
    t = normalise(text)
    return looks_like_report(t) and _TITLE_YEAR.search(t) is not None and not is_interpretation(t)


def is_report_column(text: str) -> bool:
    """A column of reports (政府信息公开年报, 年度报告, 政务公开年报): report words, no year."""
    t = normalise(text)
    if len(t) > 20 or _TITLE_YEAR.search(t) or is_interpretation(t):
        return False
    return bool(_COLUMN_WORDS.search(t)) and ("年报" in t or "年度报告" in t)


def year_column(text: str) -> int | None:
    """A per-year sub-column label ("2023年", "2023年度", "2023"), its year."""
    m = re.fullmatch(r"(?:（|\()?" + _YEAR + r"(?:年度?)?(?:）|\))?(?:年报|报告)?", normalise(text))
    return int(m.group(1)) if m else None


def find_date(text: str | None) -> str | None:
    """The first date in ``text`` as YYYY-MM-DD."""
    m = _DATE.search(text or "")
    if not m:
        return None
    y, mo, d = (int(g) for g in m.groups())
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"
