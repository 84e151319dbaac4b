"""From a document spec to its truth and its document model (before any file exists)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from extractors.schema import SCHEMA

from . import truth as T
from .layout import (
    Block,
    Doc,
    LabelStyle,
    build_appeals,
    build_proactive,
    build_requests,
    narrative,
    other_matters,
    problems_text,
    section_heading,
)

# Real county-level divisions (宝鸡市, 淮安市) and some of their townships.
COUNTIES = {
    "麟游县": ("宝鸡市", ["九成宫镇", "崔木镇", "两亭镇", "常丰镇"]),
    "凤翔区": ("宝鸡市", ["柳林镇", "横水镇", "彪角镇", "城关镇"]),
    "洪泽区": ("淮安市", ["高良涧街道", "蒋坝镇", "岔河镇", "东双沟镇"]),
    "千阳县": ("宝鸡市", ["城关镇", "崔家头镇", "南寨镇"]),
    "太白县": ("宝鸡市", ["咀头镇", "桃川镇", "靖口镇"]),
    "眉县": ("宝鸡市", ["首善街道", "横渠镇", "金渠镇"]),
    "扶风县": ("宝鸡市", ["城关街道", "法门镇", "绛帐镇"]),
    "岐山县": ("宝鸡市", ["凤鸣镇", "蔡家坡镇", "益店镇"]),
    "陈仓区": ("宝鸡市", ["虢镇街道", "千河镇", "周原镇"]),
    "金湖县": ("淮安市", ["黎城街道", "戴楼街道", "银涂镇"]),
    "盱眙县": ("淮安市", ["盱城街道", "马坝镇", "官滩镇"]),
    "涟水县": ("淮安市", ["涟城街道", "高沟镇", "保滩街道"]),
    "淮阴区": ("淮安市", ["王营街道", "渔沟镇", "吴集镇"]),
    "陇县": ("宝鸡市", ["城关镇", "东风镇", "八渡镇"]),
}
DEPARTMENTS = [
    "教育局",
    "财政局",
    "卫生健康局",
    "自然资源局",
    "市场监督管理局",
    "住房和城乡建设局",
    "民政局",
    "人力资源和社会保障局",
    "审计局",
    "统计局",
    "交通运输局",
    "农业农村局",
    "水利局",
    "司法局",
]


@dataclass
class Spec:
    id: str
    fmt: str  # html | docx | pdf | doc | wps | xlsx | xls | text | bad
    version: str = "2021"
    quirks: list[str] = field(default_factory=list)
    kind: str = "county"  # county | office | department | township | city | zone
    county: str | None = None
    year: int | None = None
    opts: dict = field(default_factory=dict)
    ext: str | None = None
    error: str | None = None  # expected error code for a bad input
    format: str | None = None  # the content's format (what the extractor should sniff)


@dataclass
class Content:
    spec: Spec
    body: str
    county: str
    year: int
    title_lines: list[str]
    versions: dict[str, str]
    cells: dict[tuple[str, str, str], T.CellTruth]
    extra_rows: list[dict]
    broken: list[str]
    problems: list[dict]
    quirks: list[str]
    doc: Doc
    grids: dict[str, list]  # table -> grids (for spreadsheets)
    style: LabelStyle


def pick_body(rng: random.Random, spec: Spec) -> tuple[str, str, str]:
    county = spec.county or rng.choice(sorted(COUNTIES))
    city, towns = COUNTIES[county]
    kind = spec.kind
    if kind == "county":
        return f"{county}人民政府", county, "small"
    if kind == "office":
        return f"{county}人民政府办公室", county, "small"
    if kind == "department":
        return f"{county}{rng.choice(DEPARTMENTS)}", county, "tiny"
    if kind == "township":
        return f"{county}{rng.choice(towns)}人民政府", county, "tiny"
    if kind == "city":
        return f"{city}人民政府", city, "large"
    if kind == "zone":
        return f"{city[:-1]}经济技术开发区管理委员会", city, "small"
    if kind == "hongze":
        return "淮安市洪泽区人民政府", "洪泽区", "small"
    raise ValueError(kind)


def titles(body: str, year: int, quirks: set[str]) -> tuple[list[str], set[str]]:
    applied = set()
    if "title_niandu" in quirks:
        t = [f"{body}{year}年度政府信息公开工作年度报告"]
        applied.add("title_niandu")
    elif "title_zhengwu" in quirks:
        t = [f"{body}{year}年政务信息公开年度报告"]
        applied.add("title_zhengwu")
    elif "title_nianbao" in quirks:
        t = [f"{body}{year}年政府信息公开年报"]
        applied.add("title_nianbao")
    elif "title_year_first" in quirks:
        t = [f"{year}年{body}政府信息公开工作年度报告"]
        applied.add("title_year_first")
    elif "year_from_preamble" in quirks:
        t = [f"{body}政府信息公开工作年度报告"]
        applied.add("year_from_preamble")
    else:
        t = [f"{body}{year}年政府信息公开工作年度报告"]
    if "title_two_lines" in quirks:
        whole = t[0]
        t = (
            [body, whole[len(body) :]]
            if whole.startswith(body)
            else [whole[: len(whole) // 2], whole[len(whole) // 2 :]]
        )
        applied.add("title_two_lines")
    return t, applied


# --------------------------------------------------------------------------- cell quirks


def _kind(table: str, version: str, col: str) -> str:
    item = SCHEMA[table].col(version, col)
    return item.kind if item else "count"


def _fmt_thousands(value, kind: str, fullwidth_comma: bool) -> str:
    sep = "，" if fullwidth_comma else ","
    if kind in ("decimal", "amount") and not float(value).is_integer():
        s = f"{value:,.2f}"
    else:
        s = f"{int(value):,}"
    return s.replace(",", sep)


def dress(cells: dict, quirks: set[str], rng: random.Random, versions: dict, encoding: str) -> set[str]:
    """Apply cell-level quirks to printed text (and to values where a quirk means 'no value')."""
    applied: set[str] = set()
    keys = sorted(cells)
    rk = T.request_keys()
    req_applicants = set(rk["applicants"])
    touched: set = set()

    def zeros(table=None, cols=None, n=None, exclude_total=True):
        z = [
            k
            for k in keys
            if cells[k].value == 0
            and k not in touched
            and (table is None or k[0] == table)
            and (cols is None or k[2] in cols)
        ]
        if exclude_total:
            z = [k for k in z if not (k[0] == "requests" and k[2] == rk["total_col"])]
        rng.shuffle(z)
        return sorted(z[:n] if n else z)

    def nonzero(table=None, kinds=("count",), n=None, minimum=1):
        z = [
            k
            for k in keys
            if cells[k].value not in (None, 0)
            and k not in touched
            and (table is None or k[0] == table)
            and cells[k].kind in kinds
            and abs(cells[k].value) >= minimum
        ]
        rng.shuffle(z)
        return sorted(z[:n] if n else z)

    def set_null(k, text, quirk):
        cells[k].value = None
        cells[k].printed = text
        cells[k].quirks.append(quirk)
        touched.add(k)
        applied.add(quirk)

    if "total_only" in quirks:  # applicant cells left blank, only 总计 filled (statistics-bureau sample)
        for k in keys:
            if k[0] == "requests" and k[2] in req_applicants and cells[k].value == 0:
                set_null(k, "", "blank_cells")
        applied.add("total_only")
    if "blank_cells" in quirks:
        for k in zeros("requests", n=14):
            set_null(k, "", "blank_cells")
    if "dash_cells" in quirks:
        dashes = ["-", "－"] if encoding.lower() == "gb2312" else ["—", "-", "－"]
        for i, k in enumerate(zeros("requests", n=15)):
            set_null(k, dashes[i % len(dashes)], "dash_cells")
    if "slash_cells" in quirks:
        first_group = SCHEMA["proactive"].groups_for(versions.get("proactive", "2021"))[0]
        reg = first_group.rows[0].key
        z = [k for k in keys if k[0] == "proactive" and k[1] == reg and cells[k].value == 0]
        for k in z or zeros("appeals", n=3):
            set_null(k, "/", "slash_cells")
    if "wu_cells" in quirks:
        for k in zeros("appeals", n=4):
            set_null(k, "无", "wu_cells")
    if "not_applicable_cells" in quirks and "proactive" in versions:
        v = versions["proactive"]
        last = SCHEMA["proactive"].groups_for(v)[-1]
        for row in last.rows:
            for col in last.cols:
                set_null(("proactive", row.key, col.key), "不涉及", "not_applicable_cells")
    if "signed_changes" in quirks and versions.get("proactive") == "2019":
        sk = [k for k in keys if k[0] == "proactive" and cells[k].kind == "signed"]
        styles = ["+", "减", "-", "增"]
        for i, k in enumerate(sorted(sk)):
            style = styles[i % 4]
            mag = rng.randint(1, 9) if cells[k].value in (0, None) else abs(cells[k].value)
            val = -mag if style in ("减", "-") else mag
            cells[k].value = val
            cells[k].printed = f"{style}{mag}"
            touched.add(k)
        applied.add("signed_changes")
    if "cell_notes" in quirks and "proactive" in versions:
        first_group = SCHEMA["proactive"].groups_for(versions["proactive"])[0]
        row, col = first_group.rows[-1].key, first_group.cols[0].key
        k = ("proactive", row, col)
        v = max(cells[k].value, 3) + 19
        cells[k].value = v
        cells[k].printed = f"{v}（其中修订{v - rng.randint(3, v - 1)}件）"
        touched.add(k)
        applied.add("cell_notes")
    if "inline_units" in quirks and "proactive" in versions:
        for k in keys:
            if k[0] != "proactive" or k in touched:
                continue
            c = cells[k]
            if c.kind == "decimal":
                if not c.value:
                    c.value = 1648.39
                c.printed = f"{c.value:.2f}万元"
                touched.add(k)
                applied.add("inline_units")
            elif c.kind == "amount":
                c.value = float(rng.randint(20, 900) * 1000 + 1000)
                c.printed = f"{int(c.value)}元"
                touched.add(k)
                applied.add("inline_units")
        nz = nonzero("proactive", n=1, minimum=5)
        for k in nz:
            cells[k].printed = f"{cells[k].value}件"
            touched.add(k)
            applied.add("inline_units")
    if "thousands_separators" in quirks:
        big = [
            k
            for k in keys
            if cells[k].value is not None
            and k not in touched
            and cells[k].kind != "signed"
            and abs(cells[k].value) >= 1000
        ]
        if not big and "proactive" in versions:
            g = SCHEMA["proactive"].groups_for(versions["proactive"])[1]
            k = ("proactive", g.rows[0].key, g.cols[-1].key)
            cells[k].value = 3119
            big = [k]
        for i, k in enumerate(big):
            c = cells[k]
            c.printed = _fmt_thousands(c.value, c.kind, fullwidth_comma=(i % 3 == 1))
            touched.add(k)
        applied.add("thousands_separators")
    if "fullwidth_digits" in quirks:
        for k in nonzero(n=10, kinds=("count", "decimal")):
            cells[k].printed = cells[k].printed.translate(T.FULLWIDTH)
            touched.add(k)
        applied.add("fullwidth_digits")
    if "nbsp_spaces" in quirks:
        for i, k in enumerate(nonzero(n=10, kinds=("count", "decimal", "amount"))):
            cells[k].printed = ("\u00a0" + cells[k].printed) if i % 2 else (cells[k].printed + "\u00a0\u00a0")
            touched.add(k)
        for k in zeros("requests", n=6):
            cells[k].printed = "\u00a00"
            touched.add(k)
        applied.add("nbsp_spaces")
    if "ideographic_spaces" in quirks:
        for k in nonzero(n=6) + zeros("requests", n=6):
            cells[k].printed = "\u3000" + cells[k].printed
            touched.add(k)
        applied.add("ideographic_spaces")
    return applied


# --------------------------------------------------------------------------- identities broken on purpose


def break_identity(which: str, cells: dict, versions: dict) -> None:
    rk = T.request_keys()
    np_col, total = rk["applicants"][0], rk["total_col"]
    if which == "requests.balance":
        for col in (np_col, total):
            cells[("requests", rk["carried_forward"], col)].value += 1
    elif which == "requests.outcomes_sum":
        for col in (np_col, total):
            cells[("requests", rk["processed"], col)].value += 1
            cells[("requests", rk["new_received"], col)].value += 1
    elif which == "requests.row_total":
        outcomes = SCHEMA["requests"].outcome_rows(versions["requests"])
        src = next(o for o in outcomes if cells[("requests", o, np_col)].value >= 1)
        dst = next(o for o in outcomes if o != src)
        cells[("requests", src, np_col)].value -= 1
        cells[("requests", dst, np_col)].value += 1
    elif which == "appeals.total":
        first = SCHEMA["appeals"].rows_for("2021")[0].key
        cells[("appeals", first, T.appeal_keys()["total_col"])].value += 2
    else:
        raise ValueError(which)
    for c in cells.values():
        c.printed = T.plain(c.value, c.kind)


# --------------------------------------------------------------------------- the whole report


def make_content(spec: Spec, seed: str) -> Content:
    rng = random.Random(f"{seed}:{spec.id}")
    q = set(spec.quirks)
    body, county, scale = pick_body(rng, spec)
    if spec.kind == "hongze":
        body = "淮安市洪泽区人民政府"
    year = spec.year or (rng.choice([2021, 2022, 2023, 2024]) if spec.version == "2021" else rng.choice([2019, 2020]))
    scale = spec.opts.get("scale", scale)
    version = spec.version
    versions = {"proactive": version, "requests": version, "appeals": version}
    applied: set[str] = set()
    if "hybrid_other_handling" in q:
        versions["requests"] = "2019"  # the 2021 form with a single-row （六）其他处理: structurally the 2019 table
        applied.add("hybrid_other_handling")
    missing = spec.opts.get("missing")
    if missing:
        versions.pop(missing)
        applied.add("table_missing")
    body_kind = "township" if spec.kind == "township" else spec.kind
    values: dict[tuple[str, str, str], object] = {}
    if "proactive" in versions:
        for (r, c), v in T.gen_proactive(rng, versions["proactive"], scale, body_kind).items():
            values[("proactive", r, c)] = v
    req = T.gen_requests(rng, versions.get("requests", version), scale)
    app = T.gen_appeals(rng, scale)
    if "requests" in versions:
        for (r, c), v in req.items():
            values[("requests", r, c)] = v
    if "appeals" in versions:
        for (r, c), v in app.items():
            values[("appeals", r, c)] = v
    cells = {
        k: T.CellTruth(
            k[0], k[1], k[2], v, T.plain(v, _kind(k[0], versions[k[0]], k[2])), _kind(k[0], versions[k[0]], k[2])
        )
        for k, v in values.items()
    }
    for t, v in versions.items():
        assert {(r, c) for (tt, r, c) in cells if tt == t} == set(SCHEMA[t].cells_for(v)), t
    intended = spec.opts.get("break")
    if intended:
        break_identity(intended, cells, versions)
        applied.add("broken_identity")
    applied |= dress(cells, q, rng, versions, spec.opts.get("encoding", "utf-8"))
    # the truth's identities, judged on what is printed
    broken = T.broken_identities({k: c.value for k, c in cells.items()}, versions)
    assert broken == ([intended] if intended else []), (spec.id, broken, intended)

    style = LabelStyle(
        quirks=q, list_marker=spec.opts.get("list_marker", "、"), quote=tuple(spec.opts.get("quote", ("「", "」")))
    )
    title_lines, t_applied = titles(body, year, q)
    applied |= t_applied
    extra_rows: list[dict] = []
    extra_printed = []
    if "extra_rows" in q and "proactive" in versions:
        ncols = len(SCHEMA["proactive"].groups_for(versions["proactive"])[0].cols)
        vals = [str(rng.randint(0, 40)) for _ in range(ncols)]
        extra_printed.append((0, "其他主动公开文件", vals))
        extra_rows.append({"table": "proactive", "label": "其他主动公开文件"})
        applied.add("extra_rows")

    by_table = {t: {(r, c): ct for (tt, r, c), ct in cells.items() if tt == t} for t in versions}
    grids: dict[str, list] = {}
    if "proactive" in versions:
        grids["proactive"] = build_proactive(
            versions["proactive"], by_table["proactive"], style, extra_printed, per_group="proactive_per_group" in q
        )
        if "proactive_per_group" in q:
            applied.add("proactive_per_group")
    if "requests" in versions:
        grids["requests"] = [build_requests(versions["requests"], by_table["requests"], style)]
    if "appeals" in versions:
        hr = 2 if "appeals_2row_header" in q else 3
        applied.add("appeals_2row_header" if hr == 2 else "appeals_3row_header")
        grids["appeals"] = [build_appeals(by_table["appeals"], style, header_rows=hr)]
    applied |= style.applied

    # ---- blocks
    short = county
    blocks: list[Block] = []
    stat = f"本报告数据统计时限为{year}年1月1日至12月31日。"
    blocks.append(
        Block(
            "para",
            f"根据《中华人民共和国政府信息公开条例》（以下简称《条例》）规定，现向社会公布{body}"
            f"{'' if 'year_from_preamble' in q else str(year) + '年'}政府信息公开工作年度报告。{stat}"
            f"如对本报告有任何疑问，请与{body if body.endswith('办公室') else body + '办公室'}联系（电话：0917-79{rng.randint(10000, 99999)}）。",
        )
    )
    autonum = spec.opts.get("autonumber")  # "decimal" (first heading only, like Linyou) | "chinese" (all)
    heads = [
        "一、总体情况",
        section_heading("proactive", spec.opts.get("heading_variant_proactive")),
        section_heading("requests"),
        section_heading("appeals", spec.opts.get("heading_variant_appeals")),
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ]
    if spec.opts.get("heading_variant_proactive") is not None or spec.opts.get("heading_variant_appeals") is not None:
        applied.add("section_title_variants")

    def heading(i: int) -> Block:
        text = heads[i]
        bare = text.split("、", 1)[1]
        if autonum == "chinese":
            return Block("heading", bare, autonumber="chineseCounting|%1、")
        if autonum == "decimal" and i == 0:
            return Block("heading", bare, autonumber="decimal|%1、")
        if autonum == "decimal_text" and i == 0:
            applied.add("word_autonumber_headings")
            return Block("heading", f"1、 {bare}")
        return Block("heading", text)

    blocks.append(heading(0))
    for t in narrative(rng, body, year, short):
        blocks.append(Block("para", t))
    blocks.append(heading(1))
    if "proactive" in versions:
        for g in grids["proactive"]:
            blocks.append(Block("table", grid=g))
    else:
        blocks.append(
            Block("para", f"{year}年，本机关无制发规章、行政规范性文件及行政许可、行政处罚、行政强制等相关情况。")
        )
    split_mode = spec.opts.get("page_split")  # "repeat" | "norepeat"
    if split_mode:
        blocks.append(Block("pagebreak"))
        applied.add("page_split_repeated_header" if split_mode == "repeat" else "page_split_no_header")
    if spec.opts.get("landscape"):
        blocks.append(Block("landscape"))
    blocks.append(heading(2))
    rk = T.request_keys()
    if split_mode or "narrative_numbers" in q:
        tc = rk["total_col"]
        nr = req[(rk["new_received"], tc)]
        co = req[(rk["carried_over"], tc)]
        tp = req[(rk["processed"], tc)]
        cf = req[(rk["carried_forward"], tc)]
        shift = rng.randint(1, 3) if "narrative_contradicts" in q else 0
        blocks.append(
            Block(
                "para",
                f"{year}年，{body}共收到政府信息公开申请{nr + shift}件，其中自然人申请"
                f"{req[(rk['new_received'], rk['applicants'][0])]}件，法人或其他组织申请"
                f"{nr - req[(rk['new_received'], rk['applicants'][0])]}件；上年结转{co}件。"
                f"全年办结{tp}件，办结率{100 if not cf else round(100 * tp / max(tp + cf, 1))}%，"
                f"结转下年度继续办理{cf}件。平均办理时长{rng.randint(5, 15)}个工作日，"
                f"较{year - 1}年缩短{rng.randint(1, 4)}个工作日。",
            )
        )
        applied.add("narrative_numbers")
        if shift:
            applied.add("narrative_contradicts")
    if split_mode:
        for i in range(spec.opts.get("filler", 3)):
            blocks.append(
                Block(
                    "para",
                    f"（{'一二三四五'[i]}）规范办理流程。严格执行政府信息公开申请登记、审核、办理、答复、归档等环节的工作制度，"
                    f"建立依申请公开办理台账{rng.randint(2, 9)}本，对{rng.randint(3, 30)}件复杂申请开展会商研判，"
                    f"确保答复内容合法、规范、准确，全年未发生因答复不规范引发的投诉，办理质量和群众满意度持续提升。",
                )
            )
    if "requests" in versions:
        g = grids["requests"][0]
        split_at = spec.opts.get("split_table")  # DOCX: 三 printed as two tables
        if split_at:
            at = _split_row(g, split_at)
            g1, g2 = g.split(at)
            blocks.append(Block("table", grid=g1))
            blocks.append(Block("table", grid=g2))
            applied.add("split_table")
        else:
            blocks.append(Block("table", grid=g, nested="nested_table" in q))
    if "footnote_numbers" in q:
        blocks.append(
            Block(
                "note",
                f"注：1.本表“其他处理”含申请人主动撤回申请{rng.randint(1, 5)}件；2.{year}年{rng.randint(1, 12)}月起"
                f"依申请公开统一纳入{short}政务服务平台办理，累计办理{rng.randint(10, 300)}件；3.数据截至{year}年12月31日。",
            )
        )
        applied.add("footnote_numbers")
    if spec.opts.get("landscape"):
        blocks.append(Block("portrait"))
    blocks.append(heading(3))
    problems: list[dict] = []
    if "appeals" in versions:
        blocks.append(Block("table", grid=grids["appeals"][0]))
    else:
        blocks.append(Block("para", f"{year}年，{body}未发生因政府信息公开工作被申请行政复议、提起行政诉讼的情况。"))
    for t in sorted(set(T.TABLES) - set(versions)):
        problems.append({"code": "table_missing", "table": t})
    blocks.append(heading(4))
    for t in problems_text(year):
        blocks.append(Block("para", t))
    blocks.append(heading(5))
    for t in other_matters(rng, year):
        blocks.append(Block("para", t))
    if autonum in ("decimal", "chinese"):
        applied.add("word_autonumber_headings")

    month = rng.choice([1, 1, 1, 2, 3])
    published = f"{year + 1}-{month:02d}-{rng.randint(10, 28):02d}"
    doc = Doc(title_lines, blocks, published, html_title="".join(title_lines))
    quirks = sorted(applied | {x for x in q if x in FORMAT_QUIRKS})
    return Content(
        spec, body, county, year, title_lines, versions, cells, extra_rows, broken, problems, quirks, doc, grids, style
    )


FORMAT_QUIRKS = {
    "utf8",
    "gbk",
    "gb2312",
    "gb18030",
    "no_meta_charset",
    "lying_meta_charset",
    "rowspan",
    "p_per_cell",
    "pipe_rows",
    "pipe_cells",
    "site_chrome",
    "word_cells",
    "merged_cells",
    "nested_table",
    "ruled_tables",
    "tab_indented_lines",
    "multi_sheet",
    "numeric_cells",
    "from_html",
    "from_docx",
    "wps_extension",
    "wrong_extension",
    "page_numbers",
    "landscape_page",
}


def _split_row(g, where: str) -> int:
    """Row index where 三 is cut: 'mid_group' (inside （三）不予公开) or 'between_groups'."""
    rows = sorted({tc.r for tc in g.cells if tc.key})
    sub_starts = sorted({tc.r for tc in g.cells if tc.c == 1 and tc.rs > 1})
    if where == "mid_group":
        first = next(tc for tc in g.cells if tc.c == 1 and tc.rs > 1)
        return first.r + first.rs // 2
    if where == "between_groups":
        return sub_starts[1]
    return rows[len(rows) // 2]


def truth_json(c: Content, file: str, fmt: str) -> dict:
    cells = [c.cells[k].to_json() for k in _print_order(c)]
    return {
        "id": c.spec.id,
        "file": file,
        "format": fmt,
        "quirks": c.quirks,
        "report": {"issuing_body": c.body, "report_year": c.year, "title": "".join(c.title_lines)},
        "tables": dict(sorted(c.versions.items(), key=lambda kv: T.TABLES.index(kv[0]))),
        "cells": cells,
        "extra_rows": c.extra_rows,
        "broken_identities": c.broken,
        "error": None,
        "problems": c.problems,
    }


def _print_order(c: Content):
    out = []
    for t in T.TABLES:
        if t in c.versions:
            for r, col in SCHEMA[t].cells_for(c.versions[t]):
                out.append((t, r, col))
    return out
