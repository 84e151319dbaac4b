"""Is this document a report? Decided by its content first, then by what it says it is.

Why by content: listings put notices about compiling the reports, news of training meetings,
publication bulletins and blank form templates beside the reports, often with 年度报告 and a
year in their titles. A document whose form tables carry values is a report whatever its
title; one whose form is there but empty is a template; one without the form is named by its
own headings (a narrative-only report from before 2019 still is one). Anything that is not a
report gets a reason and is never counted, loaded or shown as a report.
"""

from __future__ import annotations

import re
import unicodedata

REASONS = ("notice", "news", "bulletin", "template", "interpretation", "graphic", "other_report")
MIN_FORM_CELLS = 20  # cells of the form recognised before "every cell is empty" means a template

_PLACEHOLDER = re.compile(
    r"(?:20|19)?[XＸx×＊*]{2}年|[XＸ×]{3,}|行政机关名称|机关名称|单位名称|填报单位|（?本机关）|年度报告(?:模板|格式|样[表本式])"
)
_TEMPLATE_TITLE = re.compile(r"模板|参考格式|格式文本|样表|样本|空白表")
_GRAPHIC = re.compile(r"图解|一图读懂|一图看懂|一图了解|图说")
_INTERPRETATION = re.compile(r"解读")
_OTHER_REPORT = re.compile(
    r"法治政府建设|网站工作年度报表|网站年度报表|政务新媒体|政府网站工作|依法行政工作|统计年报|决算"
)
_NOTICE = re.compile(r"通知|的函$|方案$|要求$|关于做好|关于开展|关于报送|关于印发")
_BULLETIN = re.compile(r"通报|情况的报告$|检查情况|评估报告|考核结果|公示")
_NEWS = re.compile(r"培训|会议|召开|座谈|部署|动员|举办|开展.*工作|调研|督导")
_REPORT = re.compile(r"(?:政府信息公开|政务公开).{0,8}(?:工作)?(?:年度报告|年报)")


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def classify(headings: list[str], body: list[str], form_cells: int, form_values: int) -> str | None:
    """``None`` when the document is a report, else one of :data:`REASONS`.

    ``headings``: its title candidates (page title, first lines); ``body``: its opening lines;
    ``form_cells``/``form_values``: cells of the form recognised, and how many print a value.
    """
    titles = [_norm(h) for h in headings if h and h.strip()]
    text = " ".join(_norm(b) for b in body)
    if form_values:
        return None  # the form, filled in: a report, whatever its title calls it
    if form_cells >= MIN_FORM_CELLS or any(_TEMPLATE_TITLE.search(t) for t in titles):
        if form_cells >= MIN_FORM_CELLS or _PLACEHOLDER.search(text):
            return "template"
    first = titles[0] if titles else ""
    if _REPORT.search(first) and not any(
        p.search(first) for p in (_GRAPHIC, _INTERPRETATION, _OTHER_REPORT, _NOTICE, _BULLETIN, _NEWS)
    ):
        return None  # titled a report: a sub-heading (（一）加强公开解读回应) does not make it something else
    for title in titles:
        if _GRAPHIC.search(title):
            return "graphic"
        if _INTERPRETATION.search(title):
            return "interpretation"
        if _OTHER_REPORT.search(title):
            return "other_report"
    for title in titles:
        if _REPORT.search(title) and not (_NOTICE.search(title) or _BULLETIN.search(title) or _NEWS.search(title)):
            return None  # a report without the form's tables (narrative only, or tables as pictures)
    for pattern, reason in ((_BULLETIN, "bulletin"), (_NOTICE, "notice"), (_NEWS, "news")):
        if any(pattern.search(t) for t in titles):
            return reason
    if _PLACEHOLDER.search(text) and _REPORT.search(text):
        return "template"
    return None
