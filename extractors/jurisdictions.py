"""Division codes (GB/T 2260) for the organs that publish reports.

Datasets are keyed by jurisdiction and year, but reports only print an organ's name,
and codes change (凤翔县 610322 became 凤翔区 610305 in 2021). The dated table in
``data/jurisdictions/divisions.csv`` (built by ``data/jurisdictions/build.py``, sources
in its README) keeps every code with its validity, so a name is resolved *for the
report year*. A name that could mean several divisions resolves to nothing: a wrong
key is worse than a missing one.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "jurisdictions" / "divisions.csv"

LEVELS = ("province", "prefecture", "county")
# District names that are also ordinary words (开发区东区, 城区街道, 香港东区): they never
# identify a division without a parent printed before them.
GENERIC_NAMES = frozenset({"城区", "郊区", "矿区", "东区", "西区", "南区", "北区", "市中区"})
# What makes an organ a development zone: its own name never maps to a division.
ZONE = re.compile(r"管委会|管理委员会|开发区|高新区|经开区|园区|保税区|试验区|示范区|合作区")


@dataclass(frozen=True, slots=True)
class Division:
    """One code under one name for one period (``valid_from <= year < valid_to``)."""

    code: str
    name: str
    level: str  # province | prefecture | county
    prefecture_code: str | None
    prefecture: str | None
    province_code: str
    province: str
    valid_from: int | None  # first year-end list with it; None = listed before 2008
    valid_to: int | None  # year of the change that retired it; None = current
    successor: str | None  # main successor code (same code for a rename)
    successors: tuple[str, ...] = ()
    kind: str = ""  # the list's own type: 市辖区, 县, 县级市, 自治县, 地级市, 自治州 …
    aliases: tuple[str, ...] = ()

    def valid_in(self, year: int) -> bool:
        """Whether the code was in force at the end of ``year``."""
        return (self.valid_from is None or self.valid_from <= year) and (self.valid_to is None or year < self.valid_to)

    def contains(self, other: Division) -> bool:
        """Whether ``other`` lies inside this division (codes nest by their digits)."""
        if LEVELS.index(other.level) <= LEVELS.index(self.level):
            return False
        if self.level == "province":
            return other.code[:2] == self.code[:2]
        return other.prefecture_code == self.code or other.code[:4] == self.code[:4]


def _int(text: str) -> int | None:
    return int(text) if text else None


_Index = dict[str, tuple[Division, ...]]


@cache
def _table() -> tuple[tuple[Division, ...], _Index, _Index]:
    """All rows, rows by code (current last) and rows by name or alias; read once."""
    rows: list[Division] = []
    with open(DATA, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        col = {name: i for i, name in enumerate(next(reader))}
        for r in reader:
            succ = tuple(s for s in r[col["successor"]].split(";") if s)
            aliases = r[col["aliases"]]
            rows.append(
                Division(
                    code=r[col["code"]],
                    name=r[col["name"]],
                    level=r[col["level"]],
                    prefecture_code=r[col["prefecture_code"]] or None,
                    prefecture=r[col["prefecture"]] or None,
                    province_code=r[col["province_code"]],
                    province=r[col["province"]],
                    valid_from=_int(r[col["valid_from"]]),
                    valid_to=_int(r[col["valid_to"]]),
                    successor=succ[0] if succ else None,
                    successors=succ,
                    kind=r[col["kind"]],
                    aliases=tuple(aliases.split(";")) if aliases else (),
                )
            )
    by_code: dict[str, list[Division]] = defaultdict(list)
    by_name: dict[str, list[Division]] = defaultdict(list)
    for d in rows:
        by_code[d.code].append(d)
        for name in (d.name, *d.aliases):
            by_name[name].append(d)
    for group in by_code.values():
        group.sort(key=lambda d: d.valid_to or 10_000)
    return (
        tuple(rows),
        {k: tuple(v) for k, v in by_code.items()},
        {k: tuple(v) for k, v in by_name.items()},
    )


@cache
def _max_name_len() -> int:
    return max(len(n) for n in _table()[2])


def divisions() -> list[Division]:
    """Every row of the table (current and retired), for datasets and joins."""
    return list(_table()[0])


def lookup(code: str, year: int | None = None) -> Division | None:
    """The division with this code: the one in force in ``year``, else the latest."""
    rows = _table()[1].get(code.strip().ljust(6, "0"))
    if not rows:
        return None
    if year is not None:
        for d in rows:
            if d.valid_in(year):
                return d
    return rows[-1]


def current_code(code: str | None) -> str | None:
    """Today's code for a place: ``code`` itself while in force, else its main successor's, followed
    to the end (凤翔县 610322 → 凤翔区 610305). None for an unknown code."""
    seen: set[str] = set()
    while code and code not in seen:
        seen.add(code)
        rows = _table()[1].get(code)
        if not rows:
            return None if len(seen) == 1 else code
        latest = rows[-1]
        if latest.valid_to is None or not latest.successor:
            return code
        code = latest.successor
    return code


@cache
def _predecessors() -> dict[str, tuple[str, ...]]:
    back: dict[str, list[str]] = defaultdict(list)
    for d in _table()[0]:
        for succ in d.successors:
            if succ != d.code:
                back[succ].append(d.code)
    return {k: tuple(sorted(set(v))) for k, v in back.items()}


def code_in_force(code: str | None, year: int | None) -> str | None:
    """The code the place of ``code`` had at the end of ``year``: a successor's code is taken back to
    its one predecessor in force then (a report of 2019 from 凤翔区's site is 610322), and an old
    code forward to its successor. ``code`` unchanged when that is ambiguous (a merger) or unknown."""
    if not code or year is None:
        return code
    rows = _table()[1].get(code)
    if not rows or any(d.valid_in(year) for d in rows):
        return code
    frontier, seen = [code], {code}
    for _ in range(6):  # codes change a few times at most
        nxt: list[str] = []
        for c in frontier:
            first = _table()[1].get(c, ())
            before = first and first[0].valid_from is not None and year < first[0].valid_from
            nxt += _predecessors().get(c, ()) if before else [s for d in first for s in d.successors]
        nxt = [c for c in dict.fromkeys(nxt) if c not in seen]
        valid = [c for c in nxt if any(d.valid_in(year) for d in _table()[1].get(c, ()))]
        if len(valid) == 1:
            return valid[0]
        if len(valid) > 1 or not nxt:
            return code
        seen.update(nxt)
        frontier = nxt
    return code


def _normalise(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))


def _matches(text: str, pos: int) -> list[tuple[int, tuple[Division, ...]]]:
    """Division names starting at ``pos``, longest first, with their candidate rows."""
    by_name = _table()[2]
    out = []
    for length in range(min(_max_name_len(), len(text) - pos), 1, -1):
        rows = by_name.get(text[pos : pos + length])
        if rows:
            out.append((length, rows))
    return out


def _in_year(rows: list[Division], year: int | None, strict: bool) -> list[Division]:
    """Rows in force in ``year``; unless ``strict``, all rows when none is.

    Not strict because a report is often printed after its year under the new name
    (凤翔区人民政府2020年… published in 2021).
    """
    if year is None:
        return rows
    valid = [d for d in rows if d.valid_in(year)]
    return valid if valid or strict else rows


def _chain(text: str, year: int | None, strict: bool) -> tuple[list[Division], int]:
    """The divisions a normalised name starts with, each inside the previous.

    Returns the candidates for the deepest one matched (several when the name is
    ambiguous) and where the chain ends in ``text``.
    """
    pos = 0
    chain: list[Division] = []
    while pos < len(text):
        for length, rows in _matches(text, pos):  # noqa: B007  (the last one read is used after the loop)
            inside = [d for d in rows if not chain or any(p.contains(d) for p in chain)]
            if inside:
                break
        else:
            break  # no further division inside the last one: the rest is the organ
        if not chain and text[pos : pos + length] in GENERIC_NAMES:
            return [], 0
        narrowed = _in_year(inside, year, strict)
        if not narrowed:
            return [], 0
        chain = narrowed
        pos += length
    return chain, pos


def place_prefix(name: str) -> int:
    """How many characters of ``name`` (whitespace removed) are division names (陕西省宝鸡市…)."""
    return _chain(_normalise(name), None, False)[1]


def resolve(name: str, year: int | None = None) -> str | None:
    """The code of the division an organ belongs to, or None unless unambiguous.

    Reads the chain of division names the organ's name starts with (陕西省宝鸡市麟游县…),
    each inside the previous, and keeps the deepest: a department or township of a
    county (麟游县教育局, 微山县两城镇人民政府) maps to the county. Development zones
    map to a county only when the county is printed before them.
    """
    text = _normalise(name)
    # A zone's name may become a district's later (两江新区, 2025): never before that.
    zone = ZONE.search(text) is not None
    chain, _ = _chain(text, year, strict=zone)
    if not chain or (zone and chain[0].level != "county"):
        return None
    codes = {d.code for d in chain}
    return codes.pop() if len(codes) == 1 else None
