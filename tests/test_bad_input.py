"""Bad input beyond the corpus: limits and partial damage, each with its specific code."""

from __future__ import annotations

from pathlib import Path

import pypdf

from extractors import api, extract

CORPUS = Path(__file__).resolve().parent / "corpus" / "files"


def test_size_limit_refuses_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(api, "MAX_BYTES", 1000)
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF-1.7\n" + b"0" * 5000)
    report = extract(big)
    assert report.error.code == "too_large" and "OGI_MAX_BYTES" in report.error.message


def test_scanned_pdf_names_its_pages():
    report = extract(CORPUS / "bad-scanned-pdf.pdf")
    assert report.error.code == "no_text_layer" and report.error.pages == [1]
    assert report.to_dict()["error"]["pages"] == [1]


def test_scanned_pages_inside_a_text_report_are_named_and_tables_still_read(tmp_path, samples_dir):
    # The real Huaian report with a scanned (image-only) page appended.
    scanned = pypdf.PdfReader(str(CORPUS / "bad-scanned-pdf.pdf"))
    writer = pypdf.PdfWriter(clone_from=str(samples_dir / "huaian-city-2024.pdf"))
    writer.insert_page(scanned.pages[0], 0)
    mixed = tmp_path / "mixed.pdf"
    with mixed.open("wb") as out:
        writer.write(out)
    report = extract(mixed)
    assert report.error is None and len(report.cells) == 200
    no_text = [p for p in report.problems if p.code == "no_text_layer"]
    assert len(no_text) == 1 and no_text[0].pages == [1]


def test_a_pdf_cut_short_is_truncated_not_a_crash(tmp_path, samples_dir):
    data = (samples_dir / "hongze-district-2024.pdf").read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(data[: len(data) // 3])
    report = extract(cut)
    assert report.error.code == "truncated_file" and "fetch it again" in report.error.message


def test_html_with_no_form_says_which_tables_are_missing(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        "<html><body><h1>某县人民政府2023年政府信息公开工作年度报告</h1>"
        "<p>2023年共收到申请5件，均已办结。</p><img src='t1.png'><img src='t2.png'></body></html>",
        "utf-8",
    )
    report = extract(page)
    assert report.error is None and report.cells == []
    missing = {p.table: p.message for p in report.problems if p.code == "table_missing"}
    assert set(missing) == {"proactive", "requests", "appeals"}
    assert "2 images" in missing["requests"]  # tables published as pictures are pointed out


def test_text_layer_of_private_use_characters_is_garbled_not_empty(tmp_path):
    """A PDF whose fonts map glyphs to private-use code points (no ToUnicode): made by LibreOffice."""
    import shutil
    import subprocess

    html = tmp_path / "pua.html"
    html.write_text(
        "<html><body><p>" + "".join(chr(0xE000 + i % 200) for i in range(600)) + "</p></body></html>", "utf-8"
    )
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
    report = extract(tmp_path / "pua.pdf")
    assert report.error.code == "garbled_text_layer" and report.error.pages
