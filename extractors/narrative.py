"""Headline figures of a narrative-only report, read from its sentences.

Why so strict: a sentence is not a table, and a number read for the wrong indicator is
worse than none. A figure is taken only from a clause that names an indicator and prints one
number for it, right after its words (dates aside; 行政复议1件、行政诉讼2件 gives two,
行政复议、行政诉讼共3件 none), never from a clause about a share (%), a change (同比, 增长,
比上年), a running total (累计, 历年, 截至, 以来), a part (其中…, 当面, 网上…, 本级), a total
with carried-over applications (含上年结转) or other organs (各县区, 乡镇, 各部门, unless it
is the 全市/全县 total), and only once: an indicator read twice with different numbers is
dropped and said. Applications, reviews and lawsuits count only where the clause, its
section heading or an earlier figure of its sentence is about disclosure (公开): 受理审批申请
and a 司法局's 行政复议案件 are other things. A zero is read from words only where the clause
says no case of that very indicator happened (未收到…申请, 未发生…行政复议…行政诉讼) and
prints no number. Outcomes of applications (同意公开, 部分公开, 不予公开) are never read from
不予公开信息…条 (items, not replies), nor as zeros. Pure: text lines in, figures out.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

_COUNT = r"(\d+)\s*(?:件|条|份|个|项|起|宗|次|人次)"
_GRANTED = r"(?<!不)同意公开|(?<!部分)(?<!不)予以公开|(?<!不)全部公开"
_WHO = r"[^，,。；;：:\d]{0,24}?"  # 收到公民、法人和其他组织提出的政府信息公开申请: who applied, for what
_KINDS = r"涉及|秘密|隐私|减免|收费|费用|延期|更正|补正|重复"  # 收到涉及个人隐私的申请3件: a kind, not all
_LINK = r"[案件申请的有共计合为数量达]{0,5}"  # 行政复议案件共2件, 行政复议的有2件
_GAP = r"[^，,。；;：:\d]{0,12}?"  # words between an indicator and its number, never another number

# key of table ``statistics`` → (topic: the clause is about this indicator, figure: where its number is).
# A clause whose words match the topic of more than one key is about several and gives nothing.
PATTERNS: dict[str, tuple[str, str]] = {
    "proactive.total": (r"主动公开", r"主动公开(?:各类|各项)?(?:政府)?信息" + _GAP + _COUNT),
    "received": (
        r"(?:受理|收到|接到|接收|办理)(?:(?!复议|诉讼).){0,24}申请(?!人|行政复议|复议)",
        r"(?:受理|收到|接到|接收)(?:了)?"
        + _WHO
        + r"申请"
        + _GAP
        + _COUNT
        + r"|(?:受理|收到|接到|接收)(?:了)?(?:各类)?"
        + _COUNT
        + r"[^，,。；;\d]{0,10}申请",
    ),
    "granted": (_GRANTED, r"(?:" + _GRANTED + r")" + _GAP + _COUNT),
    "partially_granted": (r"部分(?:予以)?公开", r"(?:同意)?部分(?:予以)?公开" + _GAP + _COUNT),
    "refused": (r"不同意公开|不予(?:以)?公开|不公开", r"(?:不同意公开|不予(?:以)?公开|不公开)" + _GAP + _COUNT),
    "reviews": (r"复议", r"(?:行政)?复议" + _LINK + _COUNT),
    "lawsuits": (r"诉讼", r"行政诉讼" + _LINK + _COUNT),
}
NEEDS_APPLICATION = ("granted", "partially_granted", "refused")  # outcomes: only where 申请 is the subject
NEEDS_DISCLOSURE = ("received", "reviews", "lawsuits")  # only where the clause, sentence or heading says 公开
_SKIP = re.compile(r"%|％|百分之|占|累计|历年|截至|截止|以来|同比|增长|下降|增加|减少|比上年|较上年|平均")
_OTHER_ORGANS = re.compile(
    r"各县|县区|区县|县[(（]市|各区|各市|各乡|乡镇|各街道|各部门|各单位|市直|县直|区直|下属|所属|本级"
)
_WHOLE = re.compile(r"全(?:省|市|州|盟|县|区|旗)")  # 全市各县区共受理…: the report's own total
_BREAKDOWN = re.compile(r"^其中|当面|网上|网络|信函|传真|电子邮件|邮件|邮寄|电话")  # a part of the received, not all
_BARE_APPLICATION = re.compile(
    r"(?:受理|收到|接到|接收)(?:了)?(?:各类|此类|相关|有关)?申请"
)  # 受理申请12件, not 审批申请
_ITEMS = re.compile(r"信息")  # 不予公开信息1535条: information items, not replies to applications
# Zeros in words. The negation must govern the indicator itself: 未收到…申请 (not 未予受理, not 其他申请),
# 未发生…行政复议 (not 未…败诉, not 未被纠错).
# …that no case happened: 未发生, 没有收到, 无一例, 没有因…, 暂无行政复议 (not 未对行政复议工作造成影响).
_NEGATION = (
    r"(?:未|没有|尚未|均未|从未|并未|暂无|并无|无)(?:曾|再|有)?"
    r"(?:发生|收到|接到|出现|产生|提起|被|因|针对|涉及|引起|引发|有关|关于|一例|一起|一件|任何|政府|信息|行政|复议|诉讼)"
)
_ZERO_RECEIVED = re.compile(
    r"(?:未|没有|尚未|均未|从未|并未|无)(?:有|曾)?(?:收到|接到|接收到|接收|受理|发生)"
    r"(?:(?!复议|诉讼|申诉|投诉|咨询|其他|其它|另外|"
    + _KINDS
    + r")[^，,。；;\d]){0,16}?(?<!依)申请(?!人|行政复议|复议)"
)  # 没有发生依申请公开…: the procedure named, not applications counted
_ZERO_CASES = {
    key: re.compile(
        _NEGATION
        + r"(?:有|曾|再)?[^，,。；;\d]{0,30}?"
        + word
        + r"|"
        + word
        + r"[^，,。；;\d]{0,20}?(?:均|都)?(?:未发生|没有发生|为零)"
    )
    for key, word in (("reviews", "复议"), ("lawsuits", "诉讼"))
}
_NOT_A_COUNT = re.compile(
    r"败诉|胜诉|纠错|纠正|撤销|维持|改变|确认违法|结案|审结|办结|驳回|决定|超期|超时|异议|不服|结果"
)
_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十\d]+[)）]|\d+[、.．])")
_DATE = re.compile(r"(?:19|20)\d{2}\s*年(?:度)?|\d{1,2}\s*月(?:份)?|\d{1,2}\s*日")
_SENTENCE = re.compile(r"[。；;！!？?\n]")  # split as printed (full-width or not): raw keeps the clause
_CARRIED = re.compile(r"结转|上年遗留|上年度遗留|上年未办结")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_SENTENCE_END = re.compile(r"[。；;！!？?：:]")
_CLAUSE = re.compile(r"[，,：:]")
_ASIDE = re.compile(r"[(（][^()（）]*[)）]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
CONTEXT = 3  # sentences an outcome looks back over for 申请
MAX_HEADING = 40  # a longer numbered line is a paragraph, not a section heading


@dataclass
class Found:
    figures: list[tuple[str, int, str]] = field(default_factory=list)  # (key, value, the clause as printed)
    ambiguous: list[str] = field(default_factory=list)  # why an indicator read was dropped


def read_sentences(lines: list[str], wrapped: bool = False) -> Found:
    """Every headline figure the text states unambiguously, first occurrence first.

    ``wrapped``: the lines are a page's (PDF), cut at its width, so a line that does not end a
    sentence runs on into the next unless either is a heading."""
    found: dict[str, tuple[int, str]] = {}
    dropped: dict[str, str] = {}
    recent: list[str] = []
    heading = ""
    text = _THOUSANDS.sub("", _join(lines, wrapped))  # 1,234件: one number, not two clauses
    for sentence in filter(str.strip, _SENTENCE.split(text)):
        recent = [*recent[-(CONTEXT - 1) :], sentence]
        context = "".join(recent)  # 其中同意公开45件；…不予公开2件 follow the sentence on 申请
        if _HEADING.match(sentence):
            heading = sentence
        scope = _norm(heading)
        for clause in _CLAUSE.split(sentence):
            figures = _figures(_norm(clause), context + heading, scope)  # （二）申请答复情况: outcomes
            if _CARRIED.search(sentence):  # 58件（含上年结转2件）: not the year's new applications
                figures = [(key, value) for key, value in figures if key != "received"]
            if any(key in NEEDS_DISCLOSURE for key, _ in figures):
                scope += "公开"  # 未收到政府信息公开申请，发生行政复议0件: the sentence lists disclosure figures
            for key, value in figures:
                if key in dropped:
                    continue
                if key in found and found[key][0] != value:
                    dropped[key] = f"{key} is stated as {found.pop(key)[0]} and as {value}; neither was recorded"
                else:
                    found.setdefault(key, (value, clause.strip()))
    return Found([(k, v, raw) for k, (v, raw) in found.items()], list(dropped.values()))


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _join(lines: list[str], wrapped: bool = False) -> str:
    """One text, a line per line, except where a number is cut by the line's end (PDF: 申请5 / 8件)
    or, in ``wrapped`` text, a sentence is (…的行 / 政诉讼案。)."""
    out = last = ""
    for line in (line.strip() for line in lines):
        cut = out and line and (out[-1].isdigit() or unicodedata.normalize("NFKC", line[0]).isdigit())
        if wrapped and out and line and not _SENTENCE_END.search(out[-1]) and not _is_heading(line):
            cut = True
        cut = cut and not _is_heading(last)  # 一、概述 / 2010年，…
        out += ("" if cut else "\n") + line
        last = line if not cut else last + line
    return out


def _is_heading(line: str) -> bool:
    return bool(_HEADING.match(line)) and len(line) <= MAX_HEADING


def _figures(clause: str, context: str, scope: str) -> list[tuple[str, int]]:
    """The figures one clause states: one number for one indicator, or zeros said in words."""
    words = _ASIDE.sub("", "".join(clause.split()))  # 58件（其中当面申请20件…）: the breakdown is not the figure
    if not words or _SKIP.search(words) or (_OTHER_ORGANS.search(words) and not _WHOLE.search(words)):
        return []
    undated = _DATE.sub("", words)
    numbers = _NUMBER.findall(undated)
    if not numbers:
        return [(key, 0) for key in _zeros(words) if _about_disclosure(key, words, scope)]
    topics = [key for key, (topic, _) in PATTERNS.items() if re.search(topic, words)]
    if not topics or len(topics) != len(numbers):
        return []
    if any(key in NEEDS_APPLICATION for key in topics) and "申请" not in context:
        return []
    if not all(_about_disclosure(key, words, scope) for key in topics):
        return []
    if "received" in topics and _BREAKDOWN.search(words):
        return []
    matches = [re.search(PATTERNS[key][1], undated) for key in topics]
    if any(m is None for m in matches) or not _apart(matches):  # type: ignore[arg-type]
        return []  # 行政复议、行政诉讼共3件; 同意公开和部分公开共81件: one number for two indicators
    if any(key == "received" and re.search(_KINDS, m.group(0)) for key, m in zip(topics, matches)):  # type: ignore[union-attr]
        return []
    if any(key in NEEDS_APPLICATION and _ITEMS.search(m.group(0)) for key, m in zip(topics, matches)):  # type: ignore[union-attr]
        return []
    return [(key, int(next(g for g in m.groups() if g is not None))) for key, m in zip(topics, matches)]  # type: ignore[union-attr]


def _apart(matches: list[re.Match]) -> bool:
    """Each indicator's words end at a number of its own: 行政复议1件、行政诉讼2件."""
    spans = sorted(m.span() for m in matches)
    return all(a[1] <= b[0] for a, b in zip(spans, spans[1:])) and all(
        len(_NUMBER.findall(m.group(0))) == 1 for m in matches
    )


def _about_disclosure(key: str, words: str, heading: str) -> bool:
    """公开 in the clause, or in its section's heading where the clause names no other kind of application."""
    if key not in NEEDS_DISCLOSURE or "公开" in words:
        return True
    return "公开" in heading and (key != "received" or bool(_BARE_APPLICATION.search(words)))


def _zeros(words: str) -> list[str]:
    """Indicators a clause without numbers says had no case: applications received, reviews, lawsuits."""
    keys = ["received"] if _ZERO_RECEIVED.search(words) else []
    if not _NOT_A_COUNT.search(words):
        keys += [key for key, pattern in _ZERO_CASES.items() if pattern.search(words)]
    return keys
