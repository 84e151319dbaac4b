"""Headline figures of a narrative-only report, read from its sentences.

Why so strict: a sentence is not a table, and a number read for the wrong indicator is
worse than none. A figure is taken only from a clause that names exactly one indicator and
prints exactly one number (dates aside), never from a clause about a share (%), a change
(同比, 增长, 比上年) or a running total (累计, 历年, 截至, 以来), and only once: an indicator
read twice with different numbers is dropped and said. Pure: text lines in, figures out.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

_COUNT = r"(\d+)\s*(?:件|条|份|个|项|起|宗|次|人次)"
_GRANTED = r"(?<!不)同意公开|(?<!部分)(?<!不)予以公开|(?<!不)全部公开"
_GAP = r"[^，,。；;：:\d]{0,12}?"  # words between an indicator and its number, never another number

# key of table ``statistics`` → (topic: the clause is about this indicator, figure: where its number is).
# A clause whose words match the topic of more than one key is about several and gives nothing.
PATTERNS: dict[str, tuple[str, str]] = {
    "proactive.total": (r"主动公开", r"主动公开(?:各类|各项)?(?:政府)?信息" + _GAP + _COUNT),
    "received": (
        r"(?:受理|收到|接到|接收|办理)" + r".{0,16}申请",
        r"(?:受理|收到|接到|接收)(?:了)?"
        + _GAP
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
    "reviews": (r"复议", r"行政复议(?:案件|申请)?(?:共|共计|合计)?" + _COUNT),
    "lawsuits": (r"诉讼", r"行政诉讼(?:案件)?(?:共|共计|合计)?" + _COUNT),
}
NEEDS_APPLICATION = ("granted", "partially_granted", "refused")  # outcomes: only where 申请 is the subject
_SKIP = re.compile(r"%|％|百分之|占|累计|历年|截至|截止|以来|同比|增长|下降|增加|减少|比上年|较上年|平均")
_DATE = re.compile(r"(?:19|20)\d{2}\s*年(?:度)?|\d{1,2}\s*月(?:份)?|\d{1,2}\s*日")
_SENTENCE = re.compile(r"[。；;！!？?\n]")  # split as printed (full-width or not): raw keeps the clause
_CLAUSE = re.compile(r"[，,：:]")
_ASIDE = re.compile(r"[(（][^()（）]*[)）]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


@dataclass
class Found:
    figures: list[tuple[str, int, str]] = field(default_factory=list)  # (key, value, the clause as printed)
    ambiguous: list[str] = field(default_factory=list)  # why an indicator read was dropped


def read_sentences(lines: list[str]) -> Found:
    """Every headline figure the text states unambiguously, first occurrence first."""
    found: dict[str, tuple[int, str]] = {}
    dropped: dict[str, str] = {}
    previous = ""
    for sentence in filter(str.strip, _SENTENCE.split(_join(lines))):
        context, previous = previous + sentence, sentence  # 其中同意公开45件 follows the sentence on 申请
        for clause in _CLAUSE.split(sentence):
            hit = _figure(unicodedata.normalize("NFKC", clause), context)
            if hit is None or hit[0] in dropped:
                continue
            key, value = hit
            if key in found and found[key][0] != value:
                dropped[key] = f"{key} is stated as {found.pop(key)[0]} and as {value}; neither was recorded"
            else:
                found.setdefault(key, (value, clause.strip()))
    return Found([(k, v, raw) for k, (v, raw) in found.items()], list(dropped.values()))


def _join(lines: list[str]) -> str:
    """One text, a line per line, except where a number is cut by the line's end (PDF: 申请5 / 8件)."""
    out = ""
    for line in (line.strip() for line in lines):
        cut = out and line and (out[-1].isdigit() or unicodedata.normalize("NFKC", line[0]).isdigit())
        out += ("" if cut else "\n") + line
    return out


def _figure(clause: str, context: str) -> tuple[str, int] | None:
    words = _ASIDE.sub("", "".join(clause.split()))  # 58件（其中当面申请20件…）: the breakdown is not the figure
    if not words or _SKIP.search(words):
        return None
    topics = [key for key, (topic, _) in PATTERNS.items() if re.search(topic, words)]
    if len(topics) != 1 or len(_NUMBER.findall(_DATE.sub("", words))) != 1:
        return None
    key = topics[0]
    if key in NEEDS_APPLICATION and "申请" not in context:
        return None
    m = re.search(PATTERNS[key][1], _DATE.sub("", words))
    if m is None:
        return None
    return key, int(next(g for g in m.groups() if g is not None))
