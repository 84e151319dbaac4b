"""OCR of tables that are pictures: scans of real-tool-made PDFs, and a web page whose
tables are PNG images, read back cell for cell against the corpus truth."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from extractors import extract, extract_bytes
from tests.scans import scan_pdf

FILES = Path(__file__).parent / "corpus" / "files"
SAMPLES = Path(os.environ.get("OGI_SAMPLES_DIR", Path(__file__).resolve().parents[2] / "shared" / "samples"))


def truth_cells(doc_id: str) -> dict[tuple[str, str, str], int | float | None]:
    truth = json.loads((FILES / f"{doc_id}.truth.json").read_text("utf-8"))
    return {(c["table"], c["row"], c["col"]): c["value"] for c in truth["cells"]}


def cells_of(report) -> dict[tuple[str, str, str], int | float | None]:
    return {(c.table, c.row, c.col): c.value for c in report.cells}


def test_a_scanned_pdf_is_read_cell_for_cell():
    # Rendered at 150 dpi without its text layer, turned 0.6°, JPEG at quality 70.
    scan = scan_pdf(FILES / "pdf-2021-ruled.pdf", dpi=150, degrees=0.6, quality=70)
    assert "".join(pdfium.PdfDocument(scan)[0].get_textpage().get_text_range().split()) == ""  # no text layer
    report = extract_bytes(scan, "pdf-2021-ruled-scan.pdf")
    assert report.error is None
    assert cells_of(report) == truth_cells("pdf-2021-ruled")
    ocr = next(p for p in report.problems if p.code == "ocr")
    assert ocr.pages and set(ocr.pages) >= {c.page for c in report.cells}
    assert all("ocr" in c.flags for c in report.cells)
    assert report.meta.report_year == 2024


def test_ocr_flags_say_which_cells_no_identity_confirms():
    # The source prints an appeals row whose total is not the sum of its parts.
    scan = scan_pdf(FILES / "pdf-2021-hongze-like.pdf", dpi=200, degrees=-0.5, quality=65)
    report = extract_bytes(scan, "hongze-like-scan.pdf")
    assert cells_of(report) == truth_cells("pdf-2021-hongze-like")
    failed = [c for c in report.checks if c.ok is False]
    assert [c.id for c in failed] == ["appeals.total"]
    broken_row = failed[0].row
    flags = {(c.table, c.row, c.col): c.flags for c in report.cells}
    assert all("ocr" in f for f in flags.values())
    # Every cell of the failing identity is doubted; a request cell both identities confirm is not.
    assert all("ocr_uncertain" in f for (t, r, _), f in flags.items() if t == "appeals" and r == broken_row)
    assert "ocr_uncertain" not in flags[("requests", "new_received", "natural_person")]
    # 二 has no identity: nothing could show a misread there.
    assert all("ocr_uncertain" in f for (t, _, _), f in flags.items() if t == "proactive")


def test_tables_published_as_pictures_in_a_web_page(tmp_path):
    pdf = pdfium.PdfDocument(str(FILES / "pdf-2021-ruled.pdf"))
    pictures = []
    for index in range(len(pdf)):
        png = tmp_path / f"page{index + 1}.png"
        pdf[index].render(scale=150 / 72, grayscale=True).to_pil().save(png)
        pictures.append(png)
    # The first page inline as a data: URI, the others as files beside the page.
    inline = base64.b64encode(pictures[0].read_bytes()).decode()
    images = [f'<p><img src="data:image/png;base64,{inline}"></p>']
    images += [f'<p><img src="{p.name}"></p>' for p in pictures[1:]]
    title = "<title>麟游县人民政府2024年政府信息公开工作年度报告</title>"
    page = tmp_path / "report.html"  # a remote logo first: never fetched
    page.write_text(
        f"<html><head><meta charset='utf-8'>{title}</head><body><img src='http://127.0.0.1:9/logo.png'>"
        + "".join(images)
        + "</body></html>",
        "utf-8",
    )
    report = extract(page)
    assert report.error is None
    assert cells_of(report) == truth_cells("pdf-2021-ruled")
    assert all("ocr" in c.flags for c in report.cells)
    ocr = next(p for p in report.problems if p.code == "ocr")
    # The third picture is prose only (section 六): no ruled grid, so it is not read.
    assert ocr.pages == [1, 2] and "pictures" in ocr.message


def test_tables_pasted_as_pictures_in_a_docx(tmp_path):
    import docx
    from docx.shared import Cm

    pdf = pdfium.PdfDocument(str(FILES / "pdf-2021-ruled.pdf"))
    document = docx.Document()
    document.add_paragraph("麟游县人民政府2024年政府信息公开工作年度报告")
    for index in range(2):
        png = tmp_path / f"page{index + 1}.png"
        pdf[index].render(scale=150 / 72, grayscale=True).to_pil().save(png)
        document.add_picture(str(png), width=Cm(16))
    path = tmp_path / "report.docx"
    document.save(path)
    report = extract(path)
    assert report.error is None and report.format == "docx"
    assert cells_of(report) == truth_cells("pdf-2021-ruled")
    assert all("ocr" in c.flags for c in report.cells)


def test_a_scanned_page_published_as_an_image_file(tmp_path):
    page = tmp_path / "page1.jpg"
    pdfium.PdfDocument(str(FILES / "pdf-2021-ruled.pdf"))[0].render(scale=150 / 72, grayscale=True).to_pil().save(
        page, quality=70
    )
    report = extract(page)
    truth = truth_cells("pdf-2021-ruled")
    read = cells_of(report)
    assert report.error is None and report.format == "image"
    assert {k for k in truth if k[0] == "proactive"} <= set(read)  # 二 is whole on the first page
    assert all(read[k] == truth[k] for k in read)


def test_a_coarse_scan_is_reported_not_guessed():
    report = extract(FILES / "bad-scanned-pdf.pdf")  # 60 dpi: characters nine pixels high
    assert report.error.code == "no_text_layer" and "too coarse" in report.error.message


@pytest.mark.skipif(not SAMPLES.exists(), reason="../shared/samples is absent")
@pytest.mark.timeout(1200)  # 13 pages of OCR: about a minute on an idle machine, far more on a shared one
def test_scans_of_the_real_samples_match_their_text_layer():
    for source in sorted(SAMPLES.glob("*.pdf")):
        truth = cells_of(extract(source))
        report = extract_bytes(scan_pdf(source, dpi=150, degrees=0.7, quality=65), f"{source.stem}-scan.pdf")
        got = {(c.table, c.row, c.col): c for c in report.cells}
        wrong = [k for k, v in truth.items() if k not in got or got[k].value != v]
        assert all(k in got and "ocr_uncertain" in got[k].flags for k in wrong), (source.name, wrong)
        assert len(wrong) <= len(truth) * 0.005, (source.name, wrong)
