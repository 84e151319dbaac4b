"""Cell text → value, with flags saying what the text did. Nothing is imputed.

A blank or dashed cell is ``None`` with its raw text; a lone ``-`` is never a negative
number; units and notes printed in a cell are kept as flags, not silently dropped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

NULL_MARKERS = {
    "",
    "-",
    "—",
    "——",
    "–",
    "－",
    "―",
    "/",
    "／",
    "\\",
    "无",
    "不涉及",
    "空",
    "—-",
    "--",
    "×",
    "x",
    "X",
    "*",
}
_SPACES = re.compile(r"[\s\u00a0\u3000\u2002\u2003\u2009\u200b\ufeff]+")
_NUMBER = re.compile(
    r"""^(?P<sign>[+\-]|增加?|减少?)?
        (?P<int>\d{1,3}(?:,\d{3})+|\d+)
        (?P<frac>\.\d+)?
        (?P<unit>百万元|万元|千元|亿元|元|件|个|项|条|次|人|家|份)?
        (?P<note>[(（\[].*)?$""",  # a note, closed or cut by a wrap (5（含 / 转办2件）)
    re.VERBOSE,
)
_FULLWIDTH_DIGIT = re.compile(r"[０-９]")


@dataclass
class Value:
    value: int | float | None
    flags: list[str] = field(default_factory=list)
    unit: str | None = None  # a money unit printed in the cell itself (元, 万元…), else None


@lru_cache(maxsize=65536)  # a report's cells repeat few texts (0, blanks, dashes), asked about many times
def clean(raw: str) -> str:
    """NFKC (full-width digits and commas become ASCII) and no white space at all."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", raw))


@lru_cache(maxsize=65536)
def is_value(raw: str) -> bool:
    """Could this cell text be a value of the form (a number, or a blank/dash marker)?"""
    text = clean(raw)
    return text in NULL_MARKERS or _NUMBER.match(text) is not None


def parse_value(raw: str, kind: str = "count", unit: str | None = None) -> Value:
    number, flags, money_unit = parse_cached(raw, kind, unit)
    return Value(number, list(flags), money_unit)  # a list of its own: callers add flags


@lru_cache(maxsize=65536)
def parse_cached(raw: str, kind: str, unit: str | None) -> tuple[int | float | None, tuple[str, ...], str | None]:
    """:func:`parse_value` as (value, flags, money unit), shared by every cell that prints the same text."""
    text = clean(raw)
    if text in NULL_MARKERS:
        return None, ("blank" if text == "" else "no_value",), None
    match = _NUMBER.match(text)
    if match is None:
        return None, ("unparsed",), None
    flags: list[str] = []
    if _FULLWIDTH_DIGIT.search(raw):
        flags.append("fullwidth")
    digits = match["int"]
    if "," in digits:
        flags.append("thousands_separator")
        digits = digits.replace(",", "")
    number: int | float = int(digits)
    if match["frac"]:
        number = float(digits + match["frac"])
    sign = match["sign"]
    if sign:
        if kind != "signed":
            flags.append("signed")
        if sign == "-" or sign.startswith("减"):
            number = -number
    printed_unit = match["unit"]
    if printed_unit and printed_unit not in {"件", "个", "项", "条", "次", "人", "家", "份"}:
        if unit is None or printed_unit != unit:
            flags.append(f"unit:{printed_unit}")
    if match["note"]:
        flags.append("annotated")
    if kind in ("count", "signed") and isinstance(number, float):
        flags.append("non_integer")
    if kind in ("decimal", "amount"):
        number = float(number)
    money_unit = printed_unit if printed_unit and printed_unit.endswith("元") else None
    return number, tuple(flags), money_unit  # the unit printed in the cell; extractors.money scales it
