"""Attachments made by real tools: DOCX by python-docx, PDF by LibreOffice from that DOCX, cached on disk.

Why one LibreOffice call for many PDFs: starting soffice costs seconds, converting a small
document milliseconds; ``prepare`` converts every PDF a run will serve in one batch before
the server starts, and the cache (keyed by content) makes the next run convert nothing.
A report's document carries its title, the form's section headings and a few numbers of its
own, so no two reports share bytes; a blank template carries only placeholders.
"""

from __future__ import annotations

import io
import os
import random
import shutil
import subprocess
import tempfile
from pathlib import Path

from demo.national.counties import County, content_key

RENDER_VERSION = "1"
BATCH = 150  # reports per LibreOffice conversion (each cut-out page keeps the batch's font subset)
SECTIONS = (
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
)
TEMPLATE_TITLE = "XXXX年政府信息公开工作年度报告（格式模板）"


def cache_dir() -> Path:
    from spiders.registry import REPO

    return Path(os.environ.get("OGI_NATIONAL_CACHE") or REPO / "data" / "cache" / "national")


def figures(title: str) -> list[tuple[str, str]]:
    """A few rows of a report's numbers, a function of its title."""
    rng = random.Random(title)
    return [
        ("本年新收政府信息公开申请数量", str(rng.randint(0, 80))),
        ("本年主动公开规范性文件数", str(rng.randint(0, 30))),
        ("行政复议结果纠正数", str(rng.randint(0, 3))),
        ("收取费用（单位：万元）", "0"),
    ]


def report_docx(title: str, organ: str, date: str) -> bytes:
    from docx import Document

    doc = Document()
    _report_body(doc, title, organ, date)
    return _save(doc)


def _report_body(doc, title: str, organ: str, date: str) -> None:
    doc.add_heading(title, level=1)
    doc.add_paragraph(f"本报告由{organ}根据《中华人民共和国政府信息公开条例》编制，发布日期：{date}。")
    for i, heading in enumerate(SECTIONS):
        doc.add_heading(heading, level=2)
        if i == 1:
            table = doc.add_table(rows=0, cols=2)
            for label, value in figures(title):
                row = table.add_row().cells
                row[0].text, row[1].text = label, value
        else:
            doc.add_paragraph(f"{organ}{heading[2:]}情况如下。")


def template_docx() -> bytes:
    """The blank form a compilation notice attaches: placeholders, every cell empty."""
    from docx import Document

    doc = Document()
    doc.add_heading(TEMPLATE_TITLE, level=1)
    doc.add_paragraph("（行政机关名称）XXXX年政府信息公开工作年度报告")
    for i, heading in enumerate(SECTIONS):
        doc.add_heading(heading, level=2)
        if i == 1:
            table = doc.add_table(rows=0, cols=2)
            for label, _ in figures(""):
                row = table.add_row().cells
                row[0].text, row[1].text = label, ""
        else:
            doc.add_paragraph("行政机关名称：XXXX　　填报日期：XXXX年XX月XX日")
    return _save(doc)


def _save(doc) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _key(title: str, organ: str, date: str) -> str:
    return content_key(RENDER_VERSION, title, organ, date)


def pdf_jobs(counties: list[County]) -> dict[str, tuple[str, str, str]]:
    """Every PDF the counties serve: content key -> (title, organ, date)."""
    jobs = {}
    for county in counties:
        for organ in county.organs:
            for e in organ.entries:
                if e.form == "pdf" or any(a.fmt == "pdf" for a in e.attachments):
                    jobs[_key(e.title, organ.name, e.date)] = (e.title, organ.name, e.date)
    return jobs


def prepare(counties: list[County]) -> int:
    """Make every missing PDF; returns how many were made.

    All missing reports go into one DOCX, a page each, which LibreOffice converts once;
    pypdf then cuts the PDF into one file per report (a report's text fits one page).
    """
    root = cache_dir()
    root.mkdir(parents=True, exist_ok=True)
    missing = {k: v for k, v in pdf_jobs(counties).items() if not (root / f"{k}.pdf").exists()}
    keys = list(missing)  # county by county: a batch then embeds few distinct glyphs
    for i in range(0, len(keys), BATCH):
        _convert_batch([(k, missing[k]) for k in keys[i : i + BATCH]], root)
    return len(missing)


def _convert_batch(jobs: list[tuple[str, tuple[str, str, str]]], root: Path) -> None:
    from docx import Document
    from docx.enum.text import WD_BREAK
    from pypdf import PdfReader, PdfWriter

    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        raise RuntimeError("LibreOffice (soffice) makes the simulated PDFs; run `make install`")
    doc = Document()
    for n, (_, (title, organ, date)) in enumerate(jobs):
        if n:
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _report_body(doc, title, organ, date)
    with tempfile.TemporaryDirectory(prefix="ogi-national-lo-") as tmp:
        src = Path(tmp) / "batch.docx"
        doc.save(src)
        subprocess.run(
            [
                exe,
                "--headless",
                "--norestore",
                f"-env:UserInstallation=file://{tmp}/profile",
                "--convert-to",
                "pdf",
                "--outdir",
                tmp,
                str(src),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=1800,
        )
        reader = PdfReader(Path(tmp) / "batch.pdf")
        if len(reader.pages) != len(jobs):
            raise RuntimeError(f"expected one page per report, got {len(reader.pages)} for {len(jobs)}")
        for page, (key, _) in zip(reader.pages, jobs):
            writer = PdfWriter()
            writer.add_page(page)
            writer.add_metadata({"/Title": dict(jobs)[key][0]})
            buf = io.BytesIO()
            writer.write(buf)
            tmp_path = root / f"{key}.pdf.{os.getpid()}.tmp"
            tmp_path.write_bytes(buf.getvalue())
            os.replace(tmp_path, root / f"{key}.pdf")


def report_pdf(title: str, organ: str, date: str) -> bytes:
    return (cache_dir() / f"{_key(title, organ, date)}.pdf").read_bytes()
