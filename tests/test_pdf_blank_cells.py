"""A PDF whose rows print blank cells: values are placed under their column headers.

Made by LibreOffice from an HTML report in which 三 prints only its 总计 column (the
applicant columns left blank, so no row prints all seven) and 四 leaves cells blank."""

from __future__ import annotations

import shutil
import subprocess

from demo.reports import make_report, report_html
from extractors import extract

BLANK_APPEALS = {"review|corrected", "review|pending", "litigation_direct|upheld", "litigation_after_review|total"}


def test_blank_cells_in_a_pdf_are_blank_and_the_rest_in_place(tmp_path):
    spec = make_report("麟游县人民政府", 2024, 7)
    requests = spec.values["requests"]
    for key in list(requests):
        if not key.endswith("|total"):
            requests[key] = ""
    for key in BLANK_APPEALS:
        spec.values["appeals"][key] = ""
    html = tmp_path / "report.html"
    html.write_text(f"<html><head><meta charset='utf-8'></head><body>{report_html(spec)}</body></html>", "utf-8")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(html),
        ],
        capture_output=True,
        timeout=180,
        check=True,
    )
    report = extract(tmp_path / "report.pdf")
    assert report.error is None
    for table in ("requests", "appeals"):
        for key, value in spec.values[table].items():
            row, col = key.split("|")
            cell = report.cell(table, row, col)
            assert cell is not None, (table, key)
            assert cell.value == (None if value == "" else value), (table, key, cell.raw)
            if value == "":
                assert "blank" in cell.flags
