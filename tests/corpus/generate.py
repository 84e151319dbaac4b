"""Build the fixture corpus: truth first, then real documents made from it by real tools.

    .venv/bin/python -m tests.corpus.generate            # rebuild tests/corpus/files/
    .venv/bin/python -m tests.corpus.generate --only pdf  # rebuild the ids containing 'pdf'
    .venv/bin/python -m tests.corpus.generate --check     # verify the built files only

Deterministic: every value, label and quirk comes from ``random.Random(f"{SEED}:{id}")``.
The bytes of LibreOffice outputs (PDF, DOC, XLS) carry LibreOffice's own build details;
their text and the truth do not change between runs.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from . import truth as T
from .content import Content, Spec, make_content, truth_json
from .renderers import DocxOpts, HtmlOpts, html_page, save_docx, save_xlsx, text_document

SEED = "ogi-corpus-1"
HERE = Path(__file__).resolve().parent
FILES = HERE / "files"
MAX_BYTES = 4 * 1024 * 1024
FIXED_DT = __import__("datetime").datetime(2025, 1, 15, 8, 0, 0)
BOMB_MIB = 160  # document.xml of the zip-bomb DOCX inflates to this many MiB (~1000:1)

S = Spec


def specs() -> list[Spec]:
    """Every document of the corpus: format × form version × quirks, then bad inputs."""
    out = [
        # ---------------------------------------------------------------- HTML
        S("html-utf8-2021-rowspan", "html", "2021", ["utf8", "site_chrome", "rowspan"], county="麟游县", year=2024),
        S("html-utf8-2019-rowspan", "html", "2019", ["utf8", "site_chrome", "rowspan"], county="凤翔区", year=2020),
        S(
            "html-gbk-2021-dashes",
            "html",
            "2021",
            ["gbk", "site_chrome", "rowspan", "dash_cells"],
            opts={"encoding": "gbk", "meta": "gbk"},
        ),
        S(
            "html-gbk-2019-signed-units",
            "html",
            "2019",
            ["gbk", "site_chrome", "rowspan", "signed_changes", "inline_units"],
            kind="township",
            opts={"encoding": "gbk", "meta": "gbk"},
        ),
        S(
            "html-gb2312-2021-word-cells",
            "html",
            "2021",
            ["gb2312", "site_chrome", "rowspan", "word_cells", "ideographic_spaces", "slash_cells", "dash_cells"],
            kind="department",
            opts={"encoding": "gb2312", "meta": "gb2312", "word_cells": True},
        ),
        S(
            "html-gb18030-2019-nbsp-blank",
            "html",
            "2019",
            ["gb18030", "site_chrome", "rowspan", "nbsp_spaces", "blank_cells"],
            opts={"encoding": "gb18030", "meta": "gb18030", "nbsp_entity": False},
        ),
        S(
            "html-nometa-gbk-2021-fullwidth",
            "html",
            "2021",
            ["gbk", "no_meta_charset", "site_chrome", "rowspan", "fullwidth_digits"],
            kind="office",
            opts={"encoding": "gbk", "meta": None},
        ),
        S(
            "html-lyingmeta-gbk-2019",
            "html",
            "2019",
            ["gbk", "lying_meta_charset", "site_chrome", "rowspan"],
            opts={"encoding": "gbk", "meta": "utf-8"},
        ),
        S(
            "html-p-per-cell-2021",
            "html",
            "2021",
            ["utf8", "site_chrome", "p_per_cell", "title_nianbao"],
            kind="department",
            opts={"table_mode": "p_per_cell"},
        ),
        S(
            "html-p-per-cell-2019",
            "html",
            "2019",
            ["utf8", "site_chrome", "p_per_cell", "dash_cells"],
            kind="township",
            opts={"table_mode": "p_per_cell"},
        ),
        S(
            "html-pipe-rows-2019",
            "html",
            "2019",
            ["utf8", "site_chrome", "pipe_rows"],
            kind="township",
            opts={"table_mode": "pipe_rows"},
        ),
        S(
            "html-pipe-rows-2021",
            "html",
            "2021",
            ["utf8", "site_chrome", "pipe_rows", "slash_cells", "title_zhengwu"],
            kind="department",
            opts={"table_mode": "pipe_rows"},
        ),
        S(
            "html-pipe-cells-2021-total-only",
            "html",
            "2021",
            ["utf8", "pipe_cells", "total_only", "slash_cells"],
            kind="department",
            opts={"table_mode": "pipe_cells", "chrome": False},
        ),
        S(
            "html-2021-narrative-footnote",
            "html",
            "2021",
            ["utf8", "site_chrome", "rowspan", "narrative_numbers", "narrative_contradicts", "footnote_numbers"],
        ),
        S(
            "html-2021-missing-appeals",
            "html",
            "2021",
            ["utf8", "site_chrome", "rowspan"],
            kind="department",
            opts={"missing": "appeals"},
        ),
        S(
            "html-2021-hybrid-other-handling",
            "html",
            "2021",
            ["utf8", "site_chrome", "rowspan", "hybrid_other_handling"],
            kind="hongze",
            county="洪泽区",
            year=2023,
        ),
        S(
            "html-2021-broken-balance",
            "html",
            "2021",
            ["utf8", "site_chrome", "rowspan"],
            opts={"break": "requests.balance"},
        ),
        S(
            "html-2021-broken-outcomes",
            "html",
            "2021",
            ["gbk", "site_chrome", "rowspan"],
            opts={"break": "requests.outcomes_sum", "encoding": "gbk", "meta": "gbk"},
        ),
        S(
            "html-2021-vertical-headers",
            "html",
            "2021",
            ["utf8", "site_chrome", "rowspan", "vertical_headers", "title_niandu"],
            kind="office",
        ),
        S(
            "html-2021-appeals-2row-linebreaks",
            "html",
            "2021",
            ["utf8", "site_chrome", "rowspan", "appeals_2row_header", "label_line_breaks"],
            kind="zone",
        ),
        S(
            "html-2021-extra-row-nested",
            "html",
            "2021",
            ["utf8", "site_chrome", "rowspan", "extra_rows", "nested_table"],
        ),
        S(
            "html-2021-year-from-preamble",
            "html",
            "2021",
            ["utf8", "site_chrome", "rowspan", "year_from_preamble", "cell_notes"],
            opts={"heading_variant_proactive": 0, "heading_variant_appeals": 0},
        ),
        S(
            "html-2019-title-year-first",
            "html",
            "2019",
            ["utf8", "site_chrome", "rowspan", "title_year_first", "title_two_lines"],
            kind="office",
        ),
        S(
            "html-2021-label-quirks",
            "html",
            "2021",
            [
                "utf8",
                "site_chrome",
                "rowspan",
                "label_typos",
                "list_marker_variants",
                "quote_variants",
                "partial_granted_short",
                "label_spaces",
            ],
            opts={"list_marker": "、", "quote": ("「", "」")},
        ),
        S(
            "html-2021-city-thousands",
            "html",
            "2021",
            ["utf8", "site_chrome", "rowspan", "thousands_separators"],
            kind="city",
        ),
        # ---------------------------------------------------------------- DOCX
        S(
            "docx-2021-merged",
            "docx",
            "2021",
            ["merged_cells", "ruled_tables"],
            county="麟游县",
            year=2024,
            opts={"autonumber": "decimal"},
        ),
        S("docx-2019-merged", "docx", "2019", ["merged_cells", "ruled_tables"], year=2019),
        S("docx-2021-split-table", "docx", "2021", ["merged_cells", "ruled_tables"], opts={"split_table": "mid_group"}),
        S(
            "docx-2019-split-table",
            "docx",
            "2019",
            ["merged_cells", "ruled_tables", "nbsp_spaces"],
            kind="department",
            opts={"split_table": "between_groups"},
        ),
        S(
            "docx-2021-nested-table",
            "docx",
            "2021",
            ["merged_cells", "nested_table", "dash_cells", "wu_cells", "not_applicable_cells"],
            kind="department",
        ),
        S(
            "docx-2021-autonumber-chinese",
            "docx",
            "2021",
            ["merged_cells", "ruled_tables"],
            kind="office",
            opts={"autonumber": "chinese"},
        ),
        S(
            "docx-2021-label-quirks",
            "docx",
            "2021",
            [
                "merged_cells",
                "ruled_tables",
                "label_typos",
                "list_marker_variants",
                "quote_variants",
                "label_line_breaks",
            ],
            opts={"list_marker": "paren", "quote": ('"', '"')},
        ),
        S(
            "docx-2021-notes-units",
            "docx",
            "2021",
            ["merged_cells", "ruled_tables", "cell_notes", "inline_units", "thousands_separators"],
            kind="city",
        ),
        S(
            "docx-2021-broken-row-total",
            "docx",
            "2021",
            ["merged_cells", "ruled_tables"],
            opts={"break": "requests.row_total"},
        ),
        S(
            "docx-2019-missing-proactive",
            "docx",
            "2019",
            ["merged_cells", "ruled_tables"],
            kind="township",
            opts={"missing": "proactive"},
        ),
        S(
            "docx-2021-hybrid-other-handling",
            "docx",
            "2021",
            ["merged_cells", "ruled_tables", "hybrid_other_handling"],
            kind="hongze",
            county="洪泽区",
            year=2024,
        ),
        S(
            "docx-2019-signed-units",
            "docx",
            "2019",
            ["merged_cells", "ruled_tables", "signed_changes", "inline_units", "fullwidth_digits"],
            kind="township",
            year=2020,
        ),
        S(
            "docx-2021-proactive-per-group",
            "docx",
            "2021",
            ["merged_cells", "ruled_tables", "proactive_per_group", "extra_rows"],
        ),
        # ---------------------------------------------------------------- PDF (LibreOffice from DOCX / HTML)
        S("pdf-2021-ruled", "pdf", "2021", ["from_docx", "ruled_tables", "title_two_lines"], county="麟游县"),
        S("pdf-2019-ruled", "pdf", "2019", ["from_docx", "ruled_tables"], kind="department"),
        S("pdf-2021-split-repeat-header", "pdf", "2021", ["from_docx", "ruled_tables"], opts={"page_split": "repeat"}),
        S(
            "pdf-2021-split-no-header",
            "pdf",
            "2021",
            ["from_docx", "ruled_tables"],
            kind="office",
            opts={"page_split": "norepeat"},
        ),
        S(
            "pdf-2019-split-repeat-header",
            "pdf",
            "2019",
            ["from_docx", "ruled_tables"],
            kind="department",
            opts={"page_split": "repeat"},
        ),
        S(
            "pdf-2021-landscape",
            "pdf",
            "2021",
            ["from_docx", "ruled_tables", "dash_cells", "fullwidth_digits"],
            kind="city",
            opts={"landscape": True},
        ),
        S(
            "pdf-2019-landscape-missing-appeals",
            "pdf",
            "2019",
            ["from_docx", "ruled_tables"],
            kind="township",
            opts={"landscape": True, "missing": "appeals"},
        ),
        S(
            "pdf-2021-linebreak-labels",
            "pdf",
            "2021",
            ["from_docx", "ruled_tables", "label_line_breaks", "vertical_headers"],
            kind="department",
        ),
        S(
            "pdf-2021-hongze-like",
            "pdf",
            "2021",
            ["from_docx", "ruled_tables", "hybrid_other_handling", "title_two_lines"],
            kind="hongze",
            county="洪泽区",
            year=2023,
            opts={"break": "appeals.total"},
        ),
        S(
            "pdf-2021-city-thousands",
            "pdf",
            "2021",
            ["from_docx", "ruled_tables", "thousands_separators"],
            kind="city",
            opts={"page_split": "norepeat"},
        ),
        S("pdf-2021-from-html", "pdf", "2021", ["from_html", "rowspan"], kind="township"),
        S("pdf-2019-from-html", "pdf", "2019", ["from_html", "rowspan", "dash_cells"], kind="department"),
        S(
            "pdf-2021-narrative-footnote",
            "pdf",
            "2021",
            ["from_docx", "ruled_tables", "narrative_numbers", "footnote_numbers", "narrative_contradicts"],
            kind="office",
        ),
        S(
            "pdf-2021-label-quirks",
            "pdf",
            "2021",
            [
                "from_docx",
                "ruled_tables",
                "label_typos",
                "list_marker_variants",
                "quote_variants",
                "partial_granted_short",
            ],
            opts={"list_marker": "．", "quote": ("‘", "’")},
        ),
        # ---------------------------------------------------------------- DOC / WPS (LibreOffice from DOCX)
        S("doc-2021-merged", "doc", "2021", ["from_docx", "merged_cells", "ruled_tables"], county="凤翔区"),
        S("doc-2019-merged", "doc", "2019", ["from_docx", "merged_cells", "ruled_tables"], kind="township"),
        S(
            "doc-2021-split-table",
            "doc",
            "2021",
            ["from_docx", "merged_cells", "ruled_tables"],
            kind="department",
            opts={"split_table": "between_groups"},
        ),
        S(
            "doc-2021-dashes-typos",
            "doc",
            "2021",
            ["from_docx", "merged_cells", "ruled_tables", "dash_cells", "label_typos"],
            kind="office",
        ),
        S(
            "wps-2021-merged-extra-row",
            "wps",
            "2021",
            ["from_docx", "merged_cells", "ruled_tables", "wps_extension", "extra_rows"],
            kind="township",
        ),
        S(
            "wps-2019-signed",
            "wps",
            "2019",
            ["from_docx", "merged_cells", "ruled_tables", "wps_extension", "signed_changes"],
            kind="department",
        ),
        # ---------------------------------------------------------------- spreadsheets
        S("xlsx-2021-sheets-city", "xlsx", "2021", ["multi_sheet", "merged_cells", "numeric_cells"], kind="city"),
        S("xlsx-2019-sheets", "xlsx", "2019", ["multi_sheet", "merged_cells", "numeric_cells"], kind="department"),
        S("xlsx-2021-one-sheet-dashes", "xlsx", "2021", ["merged_cells", "dash_cells"], kind="township"),
        S("xlsx-2021-broken-appeals", "xlsx", "2021", ["merged_cells"], kind="office", opts={"break": "appeals.total"}),
        S("xls-2021-sheets", "xls", "2021", ["multi_sheet", "merged_cells", "numeric_cells"], kind="office"),
        S("xls-2019-sheets", "xls", "2019", ["multi_sheet", "merged_cells", "numeric_cells"]),
        S(
            "xls-2021-one-sheet-dashes",
            "xls",
            "2021",
            ["merged_cells", "dash_cells", "not_applicable_cells"],
            kind="department",
        ),
        # ---------------------------------------------------------------- plain text
        S(
            "text-2021-linyou",
            "text",
            "2021",
            ["tab_indented_lines", "label_line_breaks"],
            county="麟游县",
            year=2024,
            opts={"autonumber": "decimal_text"},
        ),
        S("text-2019-linyou", "text", "2019", ["tab_indented_lines", "dash_cells"], kind="township"),
        S("text-2021-pipe-rows", "text", "2021", ["pipe_rows"], kind="department"),
        S("text-2019-pipe-cells", "text", "2019", ["pipe_cells", "slash_cells"], kind="township"),
        S(
            "text-2021-gbk-linyou",
            "text",
            "2021",
            ["gbk", "tab_indented_lines", "fullwidth_digits"],
            opts={"encoding": "gbk"},
        ),
        # ---------------------------------------------------------------- wrong extensions (readable reports)
        S(
            "wrongext-docx-named-pdf",
            "docx",
            "2021",
            ["merged_cells", "ruled_tables", "wrong_extension"],
            kind="department",
            ext="pdf",
        ),
        S(
            "wrongext-html-named-doc",
            "html",
            "2021",
            ["gbk", "site_chrome", "rowspan", "wrong_extension"],
            kind="township",
            ext="doc",
            opts={"encoding": "gbk", "meta": "gbk"},
        ),
        # ---------------------------------------------------------------- bad inputs
        S("bad-empty-file", "bad", ext="pdf", error="empty_file"),
        S("bad-truncated-pdf", "bad", ext="pdf", error="truncated_file", format="pdf"),
        S("bad-corrupt-docx", "bad", ext="docx", error="corrupt_file"),
        S("bad-encrypted-pdf", "bad", ext="pdf", error="encrypted", format="pdf"),
        S("bad-scanned-pdf", "bad", ext="pdf", error="no_text_layer", format="pdf"),
        S("bad-zip-bomb-docx", "bad", ext="docx", error="zip_bomb", format="docx"),
        S("bad-xxe-docx", "bad", ext="docx", error="unsafe_xml", format="docx"),
        S("bad-interpretation-html", "bad", ext="html", error="not_a_report", format="html"),
        S("bad-tujie-html", "bad", ext="html", error="not_a_report", format="html"),
        S("bad-unsupported-zip", "bad", ext="zip", error="unsupported_format"),
    ]
    ids = [s.id for s in out]
    assert len(ids) == len(set(ids))
    return out


EXT = {
    "html": "html",
    "docx": "docx",
    "pdf": "pdf",
    "doc": "doc",
    "wps": "wps",
    "xlsx": "xlsx",
    "xls": "xls",
    "text": "txt",
}
# The format the extractor reports: sniffed from the bytes; a Word 97 file named .wps is "wps"
# (same container as DOC, the extension breaks the tie).
FORMAT = {
    "html": "html",
    "docx": "docx",
    "pdf": "pdf",
    "doc": "doc",
    "wps": "wps",
    "xlsx": "xlsx",
    "xls": "xls",
    "text": "text",
}


# --------------------------------------------------------------------------- renderers per format


def html_opts(c: Content, for_pdf: bool = False) -> HtmlOpts:
    o = c.spec.opts
    enc = o.get("encoding", "utf-8")
    return HtmlOpts(
        encoding=enc,
        meta_charset=o.get("meta", enc) if "meta" in o else enc,
        chrome=o.get("chrome", True) and not for_pdf,
        table_mode=o.get("table_mode", "rowspan"),
        word_cells=o.get("word_cells", False),
        nbsp_entity=o.get("nbsp_entity", True),
        site=f"{c.county}人民政府",
        body=c.body,
        year=c.year + 1,
        county=c.county,
        visits=random.Random(f"{SEED}:{c.spec.id}:visits").randint(10000, 999999),
        for_pdf=for_pdf,
        font=pdf_font() if for_pdf else None,
    )


def pdf_font() -> str:
    """The CJK font the PDF sources ask for. WenQuanYi Micro Hei (TrueType, Debian package
    fonts-wqy-microhei) keeps LibreOffice 7.4's PDFs near 50 KB; without it the Noto CJK
    fallback is embedded as Type 1 subsets and the PDFs grow about 2.5 times."""
    try:
        out = subprocess.run(
            ["fc-list", ":family=WenQuanYi Micro Hei", "family"], capture_output=True, text=True
        ).stdout
    except FileNotFoundError:
        out = ""
    return "WenQuanYi Micro Hei" if out.strip() else "Noto Sans CJK SC"


def docx_opts(c: Content) -> DocxOpts:
    o = c.spec.opts
    font = pdf_font() if c.spec.fmt == "pdf" else o.get("font", "宋体")
    return DocxOpts(ruled=True, repeat_header=o.get("page_split") == "repeat", font=font)


def sheets_for(c: Content):
    from .layout import section_heading

    multi = "multi_sheet" in c.spec.quirks
    items = []
    for t in T.TABLES:
        for i, g in enumerate(c.grids.get(t, [])):
            items.append((t, section_heading(t) if i == 0 else "", g))
    if multi:
        names = {"proactive": "主动公开情况", "requests": "依申请公开情况", "appeals": "行政复议及行政诉讼"}
        sheets = []
        for t in T.TABLES:
            its = [(h, g) for tt, h, g in items if tt == t]
            if its:
                sheets.append((names[t], its))
        return sheets
    return [("年报统计表", [(h, g) for _, h, g in items])]


# --------------------------------------------------------------------------- LibreOffice


def soffice(files: list[Path], target: str, outdir: Path, infilter: str | None = None) -> None:
    """One headless LibreOffice process converting a batch of files (own profile dir)."""
    if not files:
        return
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-ogi-corpus-"))
    try:
        cmd = [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            *([f"--infilter={infilter}"] if infilter else []),
            "--convert-to",
            target,
            "--outdir",
            str(outdir),
            *map(str, files),
        ]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=900)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    for f in files:
        want = outdir / (f.stem + "." + target.split(":")[0])
        if not want.exists():
            raise RuntimeError(f"LibreOffice did not convert {f.name} to {target}")


def normalize_pdf(path: Path) -> None:
    """Same-length overwrite of LibreOffice's creation date and document ID (offsets stay valid)."""
    data = path.read_bytes()
    data = re.sub(rb"D:\d{14}[-+Z][0-9']*", lambda m: b"D:20250115080000" + b"Z" * (len(m.group(0)) - 16), data)
    data = re.sub(
        rb"/ID\s*\[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\]",
        lambda m: m.group(0).replace(m.group(1), b"0" * len(m.group(1))).replace(m.group(2), b"0" * len(m.group(2))),
        data,
    )
    data = re.sub(
        rb"/DocChecksum\s*/([0-9A-Fa-f]+)", lambda m: m.group(0).replace(m.group(1), b"0" * len(m.group(1))), data
    )
    path.write_bytes(data)


# --------------------------------------------------------------------------- bad inputs


def build_bad(spec: Spec, work: Path, donors: dict[str, Path]) -> bytes:
    rng = random.Random(f"{SEED}:{spec.id}")
    e = spec.error
    if e == "empty_file":
        return b""
    if e == "truncated_file":
        data = donors["pdf"].read_bytes()
        return data[: int(len(data) * 0.45)]
    if e == "corrupt_file":
        return b"PK\x03\x04" + bytes(rng.getrandbits(8) for _ in range(12000))
    if e == "encrypted":
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter(clone_from=PdfReader(donors["pdf"]))
        writer.encrypt(user_password="gov2024", owner_password="ogi-owner", algorithm="AES-128")
        out = work / "enc.pdf"
        with open(out, "wb") as f:
            writer.write(f)
        return out.read_bytes()
    if e == "no_text_layer":
        from PIL import Image

        prefix = work / "scan"
        subprocess.run(
            ["pdftoppm", "-r", "60", "-gray", "-png", "-f", "2", "-l", "2", str(donors["pdf"]), str(prefix)], check=True
        )
        pages = sorted(work.glob("scan*.png"))
        images = [Image.open(p).convert("L") for p in pages]
        out = work / "scan.pdf"
        images[0].save(
            out,
            "PDF",
            resolution=60.0,
            save_all=True,
            append_images=images[1:],
            quality=40,
            creationDate=FIXED_DT.timetuple(),
            modDate=FIXED_DT.timetuple(),
            title="扫描件",
        )
        return out.read_bytes()
    if e == "zip_bomb":
        return _zip_bomb(donors["docx"], work)
    if e == "unsafe_xml":
        return _xxe_docx(donors["docx"], work)
    if e == "not_a_report":
        return _interpretation(spec, rng)
    if e == "unsupported_format":
        out = work / "att.zip"
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            zi = zipfile.ZipInfo("年报附件/说明.txt", (2025, 1, 15, 8, 0, 0))
            z.writestr(zi, "附件为政府信息公开工作年度报告扫描件及统计表。".encode("utf-8"))
            zi = zipfile.ZipInfo("年报附件/统计表.csv", (2025, 1, 15, 8, 0, 0))
            z.writestr(zi, "项目,数量\n本年新收政府信息公开申请数量,4\n".encode("utf-8"))
        return out.read_bytes()
    raise ValueError(e)


def _zip_bomb(donor: Path, work: Path) -> bytes:
    """A valid DOCX whose document.xml inflates to BOMB_MIB MiB (whitespace after the XML declaration)."""
    out = work / "bomb.docx"
    with zipfile.ZipFile(donor) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            zi = zipfile.ZipInfo(info.filename, (2025, 1, 15, 8, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            if info.filename == "word/document.xml":
                decl_end = data.index(b"?>") + 2
                with dst.open(zi, "w", force_zip64=True) as f:
                    f.write(data[:decl_end])
                    chunk = b" " * (1 << 20)
                    for _ in range(BOMB_MIB):
                        f.write(chunk)
                    f.write(data[decl_end:])
            else:
                dst.writestr(zi, data)
    return out.read_bytes()


def _xxe_docx(donor: Path, work: Path) -> bytes:
    out = work / "xxe.docx"
    with zipfile.ZipFile(donor) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                decl_end = data.index(b"?>") + 2
                data = (
                    data[:decl_end]
                    + b'\n<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                    + data[decl_end:]
                )
                data = re.sub(rb"<w:t>([^<]{2,})</w:t>", rb"<w:t>&xxe;\1</w:t>", data, count=1)
            zi = zipfile.ZipInfo(info.filename, (2025, 1, 15, 8, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, data)
    return out.read_bytes()


def _interpretation(spec: Spec, rng: random.Random) -> bytes:
    county = rng.choice(["麟游县", "凤翔区", "千阳县"])
    body = f"{county}人民政府"
    year = 2024
    n, g = rng.randint(5, 40), rng.randint(2, 20)
    if "tujie" in spec.id:
        title = f"图解：{body}{year}年政府信息公开工作年度报告"
        content = (
            f'<p><img src="/images/tujie-{year}-1.jpg" alt="图解{year}年政府信息公开工作年度报告"/></p>'
            f"<p>一图读懂：{year}年主动公开政府信息{rng.randint(300, 3000)}条</p>"
            f'<p><img src="/images/tujie-{year}-2.jpg"/></p><p>依申请公开{n}件，按时办结率100%</p>'
        )
    else:
        title = f"《{body}{year}年政府信息公开工作年度报告》解读"
        content = (
            f"<p>一、解读背景</p><p>根据《中华人民共和国政府信息公开条例》要求，{body}编制并公布了{year}年政府信息公开工作年度报告。"
            f"为便于公众理解，现就报告主要内容解读如下。</p><p>二、主要内容</p>"
            f"<p>{year}年，全县主动公开政府信息{rng.randint(300, 3000)}条；共收到政府信息公开申请{n}件，其中予以公开{g}件，"
            f"结转下年度{rng.randint(0, 3)}件；未发生因政府信息公开被申请行政复议、提起行政诉讼的情况。</p>"
            f'<table border="1"><tr><td>指标</td><td>{year}年</td><td>{year - 1}年</td></tr>'
            f"<tr><td>本年新收申请</td><td>{n}</td><td>{n + rng.randint(-3, 5)}</td></tr>"
            f"<tr><td>予以公开</td><td>{g}</td><td>{g + rng.randint(0, 4)}</td></tr></table>"
            f"<p>三、下一步工作</p><p>持续深化政务公开，提升政府信息公开质量。</p>"
            f'<p>原文链接：<a href="/art/{year + 1}/1/20/art_5_101.html">{body}{year}年政府信息公开工作年度报告</a></p>'
        )
    page = (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{title}_{body}</title></head><body>'
        f'<div class="nav"><a href="/">首页</a> &gt; <a>政策解读</a></div>'
        f'<h1>{title}</h1><div class="info">发布日期：{year + 1}-01-22 来源：{body}办公室 访问量：{rng.randint(100, 9999)}</div>'
        f'<div class="content">{content}</div>'
        f'<div class="footer">ICP备案号：陕ICP备05012345号 访问量：{rng.randint(10000, 99999)}</div></body></html>\n'
    )
    return page.encode("utf-8")


# --------------------------------------------------------------------------- verification


def document_text(path: Path, fmt: str, encoding: str = "utf-8") -> str:
    """All text of a built document, by an independent tool, for self-checks."""
    if fmt == "pdf":
        return subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
        ).stdout.decode()
    if fmt == "html":
        import lxml.html

        return lxml.html.document_fromstring(path.read_bytes().decode(encoding)).text_content()
    if fmt == "docx":
        with zipfile.ZipFile(path) as z:
            xml = z.read("word/document.xml").decode()
        return "\n".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml))
    if fmt == "doc":
        return subprocess.run(["catdoc", "-d", "utf-8", str(path)], capture_output=True, check=True).stdout.decode()
    if fmt == "xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path)
        return "\n".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None)
    if fmt == "xls":
        import xlrd

        wb = xlrd.open_workbook(str(path))
        out = []
        for sh in wb.sheets():
            for r in range(sh.nrows):
                for v in sh.row_values(r):
                    if v != "":
                        out.append(str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
        return "\n".join(out)
    if fmt == "text":
        return path.read_bytes().decode(encoding)
    raise ValueError(fmt)


def check_text(truth: dict, text: str) -> list[str]:
    import html as htmlmod

    flat = "".join(htmlmod.unescape(text).split())
    missing = []
    for c in truth["cells"]:
        raw = "".join(c["raw"].split())
        if raw and raw not in flat:
            missing.append(f"{c['table']}.{c['row']}.{c['col']}={c['raw']!r}")
    # the title is printed before the preamble (not only quoted inside it)
    preamble = flat.find("根据《中华人民共和国政府信息公开条例》")
    title = "".join(truth["report"]["title"].split())
    if title not in flat[: preamble if preamble >= 0 else None]:
        missing.append("title")
    return missing


def pdf_pages(path: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode().split("\f")


def check_split(path: Path) -> tuple[int, int]:
    """Pages of 三's first and last printed rows (must differ for split documents)."""
    from extractors.schema import SCHEMA

    rows = [r.label for r in SCHEMA["requests"].rows if r.group is None]
    first, last = rows[0], rows[-1]
    pages = ["".join(p.split()) for p in pdf_pages(path)]
    pf = next(i for i, p in enumerate(pages) if first in p)
    pl = next(i for i, p in enumerate(pages) if last in p)
    return pf + 1, pl + 1


# --------------------------------------------------------------------------- main


def build(only: str | None = None) -> None:
    FILES.mkdir(parents=True, exist_ok=True)
    all_specs = specs()
    chosen = [s for s in all_specs if not only or only in s.id]
    work = Path(tempfile.mkdtemp(prefix="ogi-corpus-"))
    truths: dict[str, dict] = {}
    to_pdf_docx, to_pdf_html, to_doc, to_xls = [], [], [], []
    produced: dict[str, Path] = {}  # id -> built file in work/
    contents: dict[str, Content] = {}
    try:
        for s in chosen:
            if s.fmt == "bad":
                continue
            c = make_content(s, SEED)
            contents[s.id] = c
            ext = s.ext or EXT[s.fmt]
            fmt = FORMAT[s.fmt]
            truths[s.id] = truth_json(c, f"{s.id}.{ext}", fmt)
            if s.ext and s.ext != EXT[s.fmt]:
                truths[s.id]["problems"].append({"code": "extension_mismatch"})
            stem = work / s.id
            if s.fmt == "html":
                (path := stem.with_suffix(".html")).write_bytes(html_page(c.doc, html_opts(c)))
                produced[s.id] = path
            elif s.fmt == "text":
                mode = (
                    "linyou"
                    if "tab_indented_lines" in s.quirks
                    else ("pipe_rows" if "pipe_rows" in s.quirks else "pipe_cells")
                )
                (path := stem.with_suffix(".txt")).write_bytes(
                    text_document(c.doc, mode).encode(s.opts.get("encoding", "utf-8"))
                )
                produced[s.id] = path
            elif s.fmt in ("docx", "doc", "wps") or (s.fmt == "pdf" and "from_html" not in s.quirks):
                path = stem.with_suffix(".docx")
                o = docx_opts(c)
                save_docx(c.doc, o, path)
                c.quirks = sorted(set(c.quirks) | o.applied)
                truths[s.id]["quirks"] = c.quirks
                if s.fmt == "pdf":
                    to_pdf_docx.append(path)
                elif s.fmt in ("doc", "wps"):
                    to_doc.append(path)
                else:
                    produced[s.id] = path
            elif s.fmt == "pdf":
                path = stem.with_suffix(".html")
                path.write_bytes(html_page(c.doc, html_opts(c, for_pdf=True)))
                to_pdf_html.append(path)
            elif s.fmt in ("xlsx", "xls"):
                path = stem.with_suffix(".xlsx")
                save_xlsx("".join(c.title_lines), sheets_for(c), path, numeric="numeric_cells" in s.quirks)
                if s.fmt == "xls":
                    to_xls.append(path)
                else:
                    produced[s.id] = path
            else:
                raise ValueError(s.fmt)
        out_pdf = work / "pdf"
        out_pdf.mkdir()
        soffice(to_pdf_docx, "pdf", out_pdf)
        # HTML imported into Writer (Writer/Web's own export drops the first paragraph)
        soffice(to_pdf_html, "pdf:writer_pdf_Export", out_pdf, infilter="HTML (StarWriter)")
        for p in to_pdf_docx + to_pdf_html:
            produced[p.stem] = out_pdf / (p.stem + ".pdf")
            normalize_pdf(produced[p.stem])
        out_doc = work / "doc"
        out_doc.mkdir()
        soffice(to_doc, "doc:MS Word 97", out_doc)
        for p in to_doc:
            produced[p.stem] = out_doc / (p.stem + ".doc")
        out_xls = work / "xls"
        out_xls.mkdir()
        soffice(to_xls, "xls:MS Excel 97", out_xls)
        for p in to_xls:
            produced[p.stem] = out_xls / (p.stem + ".xls")

        # bad inputs (donors: a PDF and a DOCX of the corpus, built on purpose here)
        bad = [s for s in chosen if s.fmt == "bad"]
        if bad:
            donors = _donors(work)
            for s in bad:
                data = build_bad(s, work, donors)
                path = work / f"{s.id}.{s.ext}"
                path.write_bytes(data)
                produced[s.id] = path
                truths[s.id] = {
                    "id": s.id,
                    "file": f"{s.id}.{s.ext}",
                    "format": s.format,
                    "quirks": [s.error],
                    "report": None,
                    "tables": {},
                    "cells": [],
                    "extra_rows": [],
                    "broken_identities": [],
                    "error": {"code": s.error},
                    "problems": [],
                }

        # place files, write truths
        for s in chosen:
            t = truths[s.id]
            dst = FILES / t["file"]
            shutil.copyfile(produced[s.id], dst)
            (FILES / f"{s.id}.truth.json").write_text(dump_truth(t), "utf-8")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    write_index(all_specs)
    check(only)


def dump_truth(t: dict) -> str:
    """JSON with one cell per line (compact: the corpus must stay small)."""
    parts = []
    for key, val in t.items():
        if key == "cells" and val:
            body = ",\n  ".join(json.dumps(c, ensure_ascii=False, separators=(",", ":")) for c in val)
            parts.append(f'"cells": [\n  {body}\n ]')
        else:
            parts.append(f"{json.dumps(key)}: {json.dumps(val, ensure_ascii=False)}")
    return "{\n " + ",\n ".join(parts) + "\n}\n"


def _donors(work: Path) -> dict[str, Path]:
    spec = Spec("donor", "pdf", "2021", ["ruled_tables"], kind="township", county="千阳县", year=2023)
    c = make_content(spec, SEED)
    d = work / "donor.docx"
    save_docx(c.doc, DocxOpts(font=pdf_font()), d)
    outdir = work / "donor"
    outdir.mkdir()
    soffice([d], "pdf", outdir)
    normalize_pdf(outdir / "donor.pdf")
    return {"pdf": outdir / "donor.pdf", "docx": d}


def write_index(all_specs: list[Spec]) -> None:
    docs = []
    for s in all_specs:
        tp = FILES / f"{s.id}.truth.json"
        if not tp.exists():
            continue
        t = json.loads(tp.read_text("utf-8"))
        docs.append(
            {
                "id": s.id,
                "file": t["file"],
                "truth": tp.name,
                "format": t["format"],
                "forms": t["tables"],
                "quirks": t["quirks"],
                "error": (t["error"] or {}).get("code"),
            }
        )
    index = {"seed": SEED, "generator": "python -m tests.corpus.generate", "count": len(docs), "documents": docs}
    (FILES / "index.json").write_text(json.dumps(index, ensure_ascii=False, indent=1) + "\n", "utf-8")
    write_readme_table(docs)


def write_readme_table(docs: list[dict]) -> None:
    """Regenerate the documents × quirks table in README.md (between the two markers)."""
    readme = HERE / "README.md"
    if not readme.exists():
        return
    start, end = "<!-- documents:start -->", "<!-- documents:end -->"
    text = readme.read_text("utf-8")
    if start not in text or end not in text:
        return
    lines = ["| id | file | format | forms (二/三/四) | error | quirks |", "|---|---|---|---|---|---|"]
    for d in docs:
        forms = "/".join(d["forms"].get(t, "—") for t in T.TABLES) if d["forms"] else ""
        lines.append(
            f"| {d['id']} | {d['file']} | {d['format'] or ''} | {forms} | {d['error'] or ''} | "
            f"{', '.join(d['quirks'])} |"
        )
    head, rest = text.split(start, 1)
    tail = rest.split(end, 1)[1]
    readme.write_text(head + start + "\n" + "\n".join(lines) + "\n" + end + tail, "utf-8")


def check(only: str | None = None) -> None:
    """Self-checks on the built files: every printed raw value and the title are in the file's
    text (read by an independent tool), PDF splits happen, truth identities are as recorded."""
    index = json.loads((FILES / "index.json").read_text("utf-8"))
    problems = []
    total = 0
    # legacy .doc/.wps: read back by LibreOffice (catdoc and antiword drop merged table rows)
    tmp = Path(tempfile.mkdtemp(prefix="ogi-corpus-check-"))
    doc_text: dict[str, str] = {}
    legacy = [
        FILES / d["file"]
        for d in index["documents"]
        if d["format"] in ("doc", "wps") and not d["error"] and (not only or only in d["id"])
    ]
    if legacy:
        soffice(legacy, "txt:Text (encoded):UTF8", tmp)
        doc_text = {p.stem: (tmp / (p.stem + ".txt")).read_text("utf-8", errors="replace") for p in legacy}
    shutil.rmtree(tmp, ignore_errors=True)
    for d in index["documents"]:
        total += (FILES / d["file"]).stat().st_size
        if only and only not in d["id"]:
            continue
        t = json.loads((FILES / d["truth"]).read_text("utf-8"))
        spec = next(s for s in specs() if s.id == d["id"])
        path = FILES / t["file"]
        if t["error"]:
            if t["error"]["code"] != "empty_file" and path.stat().st_size == 0:
                problems.append(f"{d['id']}: empty")
            continue
        enc = spec.opts.get("encoding", "utf-8")
        text = doc_text[path.stem] if t["format"] in ("doc", "wps") else document_text(path, t["format"], enc)
        missing = check_text(t, text)
        if missing:
            problems.append(f"{d['id']}: not in text: {missing[:6]}")
        values = {(c["table"], c["row"], c["col"]): c["value"] for c in t["cells"]}
        if T.broken_identities(values, t["tables"]) != t["broken_identities"]:
            problems.append(f"{d['id']}: identities differ from truth")
        if spec.fmt == "pdf" and (spec.opts.get("page_split") or spec.opts.get("landscape")):
            pf, pl = check_split(path)
            if spec.opts.get("page_split") and pf == pl:
                problems.append(f"{d['id']}: 三 not split across pages ({pf})")
    for f in FILES.iterdir():
        if f.name != "index.json" and not any(f.name in (d["file"], d["truth"]) for d in index["documents"]):
            problems.append(f"stray file {f.name}")
    size = sum(f.stat().st_size for f in FILES.iterdir())
    print(f"{index['count']} documents, {size / 1024:.0f} KiB in {FILES}")
    if size > MAX_BYTES:
        problems.append(f"corpus is {size} bytes > {MAX_BYTES}")
    if problems:
        print("\n".join(problems), file=sys.stderr)
        raise SystemExit(1)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", help="rebuild only the documents whose id contains this text")
    ap.add_argument("--check", action="store_true", help="verify the built files, build nothing")
    a = ap.parse_args(argv)
    if a.check:
        check(a.only)
    else:
        if not a.only:
            for f in FILES.glob("*"):
                f.unlink()
        build(a.only)


if __name__ == "__main__":
    main()
