"""What a link on a government page leads to, from its label and URL.

Why labels first: the 年报 column, the 信息公开 portal and the organ sub-sites are
named the same way on every CMS (国办公开办函〔2019〕61号 standardised the column), while
their URLs differ per family. URL slugs (docs/form.md#where-reports-are-published) are the second signal.
"""

from __future__ import annotations

import re
from enum import Enum

from spiders.titles import (
    is_interpretation,
    is_report_column,
    is_report_title,
    looks_like_report,
    normalise,
    year_column,
)

REPORT_SLUGS = re.compile(
    r"/(ndbg|zfxxgknb|gknb|xxgknb|szfxxgkndbg|xxgkndbg|gkndbg|nianbao)(/|$|_|\.)|xxgk-xxgknb|"
    r"xxgkAnnualReport",
    re.I,
)
_PORTAL = re.compile(
    r"^(政府|政务)?(信息)?公开(目录|平台|专栏|专区|网|首页|门户)$|^(政府|政务)?信息公开$|^政务公开$|"
    r"^法定主动公开内容$|^主动公开$"
)
_ORGAN_LIST = re.compile(
    r"^(部门|乡镇|镇街|镇办|街道|乡镇街道|县直部门|区直部门|市直部门|部门和乡镇|镇（街道）)"
    r"(政府)?(信息公开|政务公开|公开)?(目录|专栏)?$"
)
_ORGAN = re.compile(
    r"(局|委|委员会|办公室|办|中心|镇|乡|街道|街道办事处|管委会|管理委员会|人民政府|政府|法院|检察院|所|队|站)$"
)
_NOT_ORGAN = re.compile(
    r"(首页|登录|注册|邮箱|信箱|公开指南|公开制度|依申请|意见|通知|公告|新闻|动态|要闻|专题|无障碍|网站|"
    r"地图|搜索|English|关于我们|联系我们|\d{4})"
)


MAX_LABEL = 300


class LinkKind(str, Enum):
    REPORT = "report"  # a specific report (title with a year)
    INTERPRETATION = "interpretation"  # 解读 / 图解 of a report: skipped
    COLUMN = "column"  # a 年报 column (listing of reports)
    YEAR_COLUMN = "year_column"  # a per-year sub-column inside a 年报 column
    PORTAL = "portal"  # the 政府信息公开 portal of a government or organ
    ORGAN_LIST = "organ_list"  # 部门信息公开 / 乡镇信息公开: the list of organ sub-sites
    ORGAN = "organ"  # one organ's sub-site (a department, a township)
    OTHER = "other"


def classify(name: str, url: str, in_listing: bool = False) -> LinkKind:
    """The kind of a link from its label (``name``) and URL.

    ``in_listing``: the link sits on a 年报 column page, where a bare year is a sub-column.
    """
    t = normalise(name)
    if len(t) > MAX_LABEL:  # glued rows or a hostile page: no title is this long (and regexes stay cheap)
        return LinkKind.OTHER
    if not t:
        return LinkKind.COLUMN if REPORT_SLUGS.search(url) and not in_listing else LinkKind.OTHER
    if is_report_title(t):
        return LinkKind.REPORT
    if looks_like_report(t) and is_interpretation(t):
        return LinkKind.INTERPRETATION
    if is_report_column(t):
        return LinkKind.COLUMN
    if in_listing and year_column(t) is not None:
        return LinkKind.YEAR_COLUMN
    if _PORTAL.search(t):
        return LinkKind.PORTAL
    if _ORGAN_LIST.search(t):
        return LinkKind.ORGAN_LIST
    if 2 <= len(t) <= 24 and _ORGAN.search(t) and not _NOT_ORGAN.search(t):
        return LinkKind.ORGAN
    if REPORT_SLUGS.search(url) and len(t) <= 12 and not in_listing:
        return LinkKind.COLUMN
    return LinkKind.OTHER
