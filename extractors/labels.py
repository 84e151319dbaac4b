"""Label text → canonical key, within one table only.

Labels are normalised (NFKC, no white space, unified brackets, no quotes, list markers
stripped) and matched exactly, then by containment and fuzzy ratio. Matching is always
against one table's rows, so a typo can never land in another table.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache, lru_cache

from extractors.schema import SCHEMA, Item

_DROP = re.compile(r"[\s\u00a0\u3000“”\"'‘’「」『』〝〞＂]+")
_MARKER = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.,，]|\(\s*[一二三四五六七八九十\d]+\s*\)[、.]?|\d+\s*[、.,，)](?!\d))"
)


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _DROP.sub("", text)
    text = text.replace("【", "(").replace("】", ")").replace("〔", "(").replace("〕", ")")
    text = text.replace("：", ":").replace("；", ";")
    return text


def strip_markers(text: str) -> str:
    """Drop leading list markers: 一、 （一） 1. 1、 1． (1)."""
    previous = None
    while previous != text:
        previous = text
        text = _MARKER.sub("", text, count=1)
    return text


def key_text(text: str) -> str:
    return strip_markers(normalize(text))


@dataclass(frozen=True)
class Match:
    key: str
    score: float  # 1.0 exact, lower for containment and fuzzy matches


@cache
def _variants(table: str, kind: str) -> tuple[tuple[str, str], ...]:
    spec = SCHEMA[table]
    items: list[Item] = []
    if kind == "rows":
        items = list(spec.rows) + [r for g in spec.groups for r in g.rows]
    else:
        items = list(spec.cols) + [c for g in spec.groups for c in g.cols]
    out: dict[tuple[str, str], None] = {}
    for item in items:
        for label in item.labels:
            out[(key_text(label), item.key)] = None
    return tuple(out)


@cache
def _col_words(table: str) -> frozenset[str]:
    return frozenset(v for v, _ in _variants(table, "cols"))


@cache
def _exact(table: str, kind: str) -> dict[str, str]:
    return {variant: key for variant, key in reversed(_variants(table, kind))}


@lru_cache(maxsize=65536)  # bounded: a long-lived worker reads the labels of thousands of documents
def match_label(text: str, table: str, kind: str = "rows", minimum: float = 0.78) -> Match | None:
    """Best canonical key for ``text`` among ``table``'s rows (or cols), or None.

    Cached: the same few hundred labels recur in every report.
    """
    probe = key_text(text)
    if len(probe) < 2:
        return None
    if kind == "rows" and probe in _col_words(table) and probe == normalize(text):
        return None  # 总计 / 其他 without their list marker are column headers, not rows
    if kind == "cols" and probe != normalize(text):
        return None  # （七）总计 / 3.其他 with a list marker are rows, not column headers
    exact = _exact(table, kind).get(probe)
    if exact is not None:
        return Match(exact, 1.0)
    if len(probe) < 4:
        return None
    best: Match | None = None
    matcher = SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(probe)
    for variant, key in _variants(table, kind):
        if len(variant) < 4:
            continue
        if variant.startswith(probe) or probe.startswith(variant):
            shorter, longer = sorted((len(probe), len(variant)))
            score = 0.8 + 0.15 * shorter / longer
        else:
            matcher.set_seq1(variant)
            if matcher.real_quick_ratio() < minimum or matcher.quick_ratio() < minimum:
                continue
            score = matcher.ratio()
        if score >= minimum and (best is None or score > best.score):
            best = Match(key, score)
    return best
