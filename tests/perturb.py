"""Perturbed copies of the fixture corpus: the same known truth, printed the ways real pages
break it (tables flattened with merged-cell placeholders, headings misprinted or missing, a
注 under 三, notes in cells, no title). Built as HTML/text in memory, so the suite is fast.

The truth's cells are laid out with the corpus's own builders (``tests/corpus/layout.py``:
the form with its real row and column spans), then flattened here.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path

from extractors.schema import SCHEMA
from tests.corpus.layout import TC, Grid, LabelStyle, build_appeals, build_proactive, build_requests
from tests.corpus.renderers import html_table, linyou_lines
from tests.corpus.truth import CellTruth

FILES = Path(__file__).parent / "corpus" / "files"
MISPRINTED_APPEALS = "四、政府信息公开行政法复议、行政诉讼情况"  # as printed on a real page
FOOTNOTE = ["注：1.本表中“总计”列为各类申请人数量之和，共计5类。", "2.统计期限为1月1日至12月31日，单位：件。"]


@dataclass(frozen=True)
class Variant:
    flatten: str  # html | pipe_full | p_full | p_origin_no_blanks | tabbed | lines
    heading: str = "ok"  # ok | misprint (四) | drop (二 and 四) | drop_all (二, 三 and 四)
    footnote: str = ""  # "" | line (注 lines under 三) | row (a 注 row inside 三's table)
    notes: bool = False
    title: bool = True


VARIANTS = [
    Variant("pipe_full"),
    Variant("p_full"),
    Variant("p_origin_no_blanks"),
    Variant("lines"),
    Variant("html", heading="misprint"),
    Variant("html", heading="drop"),
    Variant("pipe_full", heading="misprint", footnote="line"),
    Variant("html", footnote="row", notes=True),
    Variant("tabbed", footnote="line"),
    Variant("tabbed", heading="misprint", title=False, notes=True),
    Variant("p_full", notes=True),
    Variant("html", title=False),
    Variant("pipe_full", title=False, heading="drop", footnote="row"),
    Variant("p_full", footnote="line", heading="drop"),
    Variant("lines", heading="drop_all", notes=True),
    Variant("html", heading="drop_all", title=False),
]


def truths() -> list[dict]:
    index = json.loads((FILES / "index.json").read_text("utf-8"))
    out = []
    for d in index["documents"]:
        t = json.loads((FILES / d["truth"]).read_text("utf-8"))
        if not t["error"]:
            out.append(t)
    return out


def _with_note(cell: dict) -> tuple[str, dict]:
    """A count cell with a parenthetical note after its number; the value stays."""
    raw = cell["raw"]
    if isinstance(cell["value"], int) and cell["value"] > 0 and raw.isdigit():
        raw = (
            f"{raw}（其中线上{cell['value'] // 2 + 1}件）"
            if cell["table"] != "requests"
            else f"{raw}（含转办{cell['value'] // 3}件）"
        )
    return raw, {**cell, "raw": raw}


def perturbed(truth: dict, v: Variant) -> tuple[str, bytes, dict]:
    """(file name, bytes, truth as printed in the perturbed copy)."""
    cells: dict[tuple[str, str], dict[tuple[str, str], CellTruth]] = {}
    new_cells = []
    for i, c in enumerate(truth["cells"]):
        raw = c["raw"]
        if v.notes and i % 3 == 0:
            raw, c = _with_note(c)
        new_cells.append(c)
        cells.setdefault(c["table"], {})[(c["row"], c["col"])] = CellTruth(
            c["table"], c["row"], c["col"], c["value"], raw
        )
    style = LabelStyle()
    versions = truth["tables"]
    year = truth["report"]["report_year"]
    lines: list[tuple[str, object]] = []  # ("p", text) | ("grid", Grid)
    if v.title:
        lines.append(("p", truth["report"]["title"]))
    lines.append(
        (
            "p",
            f"{year}年，{truth['report']['issuing_body']}认真贯彻落实《中华人民共和国政府信息公开条例》，现将有关情况报告如下。",
        )
    )
    lines.append(("p", "一、总体情况"))
    lines.append(("p", "全年主动公开政府信息，依法办理申请，未发生重大问题。"))
    headings = {
        "proactive": "二、主动公开政府信息情况",
        "requests": "三、收到和处理政府信息公开申请情况",
        "appeals": MISPRINTED_APPEALS if v.heading == "misprint" else "四、政府信息公开行政复议、行政诉讼情况",
    }
    for table in ("proactive", "requests", "appeals"):
        if table not in versions:
            continue
        if not (v.heading == "drop" and table in ("proactive", "appeals") or v.heading == "drop_all"):
            lines.append(("p", headings[table]))
        if table == "proactive":
            for g in build_proactive(versions[table], cells[table], style):
                lines.append(("grid", g))
        elif table == "requests":
            grid = build_requests(versions[table], cells[table], style)
            if v.footnote == "row":
                grid.cells.append(TC(grid.nrows, 0, "".join(FOOTNOTE), cs=grid.ncols))
                grid.nrows += 1
            lines.append(("grid", grid))
            if v.footnote == "line":
                lines.extend(("p", f) for f in FOOTNOTE)
        else:
            lines.append(("grid", build_appeals(cells[table], style)))
    lines.append(("p", "五、政府信息公开工作存在的主要问题及改进情况"))
    lines.append(("p", "六、其他需要报告的事项"))
    body = _render(lines, v.flatten)
    expected = {**truth, "cells": new_cells}
    if not v.title:
        expected = {**expected, "report": {**truth["report"], "title": None}}
    name = f"{truth['id']}.{'txt' if v.flatten in ('pipe_full', 'tabbed', 'lines') else 'html'}"
    return name, body, expected


def _grid_lines(g: Grid, mode: str) -> list[str]:
    m = g.matrix()
    out = []
    for r in range(g.nrows):
        if mode == "pipe_full":
            cells = [(tc.text if kind == "o" else "") for tc, kind in m[r]]
            out.append("| " + " | ".join(t.replace("\n", "") for t in cells) + " |")
        elif mode == "p_full":
            out.extend((tc.text if kind == "o" else "") for tc, kind in m[r])
        else:  # p_origin_no_blanks: origin cells only, empty ones dropped by the converter
            out.extend(tc.text for tc, kind in m[r] if kind == "o" and tc.text.strip())
    return out


def _render(lines: list[tuple[str, object]], mode: str) -> bytes:
    if mode in ("pipe_full", "tabbed", "lines"):
        text: list[str] = []
        for n, (kind, item) in enumerate(lines):
            if kind != "grid":
                text.append(item)  # type: ignore[arg-type]
            elif mode == "tabbed":  # one cell per line, tab-indented, as text copied from Word
                text.extend(linyou_lines(item))  # type: ignore[arg-type]
                if not str(lines[n + 1][1]).startswith("注"):
                    text.append("")  # a 注 line right under the last cell is glued to it
            elif mode == "lines":  # one cell per line, nothing else (a page copied as text)
                text.extend(_grid_lines(item, "p_origin_no_blanks"))  # type: ignore[arg-type]
            else:
                text.extend(_grid_lines(item, mode))  # type: ignore[arg-type]
        return ("\n".join(text) + "\n").encode("utf-8")
    parts = ['<!DOCTYPE html><html><head><meta charset="utf-8"><title>报告</title></head><body><div class="content">']
    for kind, item in lines:
        if kind == "p":
            parts.append(f"<p>{html.escape(item)}</p>")  # type: ignore[arg-type]
        elif mode == "html":
            parts.append(html_table(item))  # type: ignore[arg-type]
        else:
            parts.extend(f"<p>{html.escape(t.replace(chr(10), ''))}</p>" for t in _grid_lines(item, mode))  # type: ignore[arg-type]
    parts.append("</div></body></html>")
    return "\n".join(parts).encode("utf-8")


def judge(expected: dict, report) -> tuple[int, int, list[str]]:
    """(cells right, cells null and flagged, wrong): a cell is right when its value matches, null
    and flagged when it is absent or null and a problem of its table says so; anything else
    (a different value, a cell not printed, a wrong year) is wrong."""
    wrong: list[str] = []
    if report.error is not None:
        return 0, 0, [f"error {report.error.code}: {report.error.message}"]
    if report.meta.report_year != expected["report"]["report_year"]:
        wrong.append(f"year {report.meta.report_year} != {expected['report']['report_year']}")
    found = {(c.table, c.row, c.col): c for c in report.cells}

    def flagged(table: str, row: str) -> bool:
        """A problem of the cell's table says its row was not read (naming it, or the table)."""
        return any(
            p.table == table
            and p.code in FLAG_CODES
            and (row in p.message or p.code == "table_missing" or p.code == "table_incomplete" and "…" in p.message)
            for p in report.problems
        )

    right = nulled = 0
    keys = set()
    for c in expected["cells"]:
        key = (c["table"], c["row"], c["col"])
        keys.add(key)
        got = found.get(key)
        if got is not None and _same(c["value"], got.value):
            right += 1
        elif (got is None or got.value is None) and flagged(c["table"], c["row"]):
            nulled += 1
        else:
            wrong.append(
                f"{'.'.join(key)}: expected {c['value']!r} ({c['raw']!r}), found "
                f"{None if got is None else got.value!r} ({None if got is None else got.raw!r})"
            )
    for key, got in found.items():
        if key not in keys and got.value is not None:
            wrong.append(f"{'.'.join(key)}: not printed, found {got.value!r}")
    return right, nulled, wrong


FLAG_CODES = {"ambiguous_alignment", "row_short", "table_incomplete", "ambiguous_rows", "table_missing"}


def _same(expected, value) -> bool:
    if expected is None or value is None:
        return expected is None and value is None
    return abs(float(expected) - float(value)) < 1e-9


__all__ = ["VARIANTS", "Variant", "judge", "perturbed", "truths", "SCHEMA"]
