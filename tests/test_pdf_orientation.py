"""Turned pages: the same report read the same way however its pages are rotated.

Made with pypdf from the real Huaian report: a /Rotate flag alone (content upright, the
page shown turned), and content drawn turned on a landscape page shown upright."""

from __future__ import annotations

import pypdf
import pytest
from pypdf import Transformation

from extractors import extract


def _cells(path) -> dict:
    return {(c.table, c.row, c.col): c.value for c in extract(path).cells}


@pytest.fixture(scope="module")
def source(samples_dir):
    return samples_dir / "huaian-city-2024.pdf"


@pytest.fixture(scope="module")
def upright(source) -> dict:
    cells = _cells(source)
    assert len(cells) == 200
    return cells


@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_rotate_flag_only(tmp_path, source, upright, degrees):
    writer = pypdf.PdfWriter(clone_from=str(source))
    for page in writer.pages:
        page.rotate(degrees)
    path = tmp_path / f"rotated-{degrees}.pdf"
    writer.write(str(path))
    assert _cells(path) == upright


@pytest.mark.parametrize("degrees, shown", [(90, 270), (270, 90)])
def test_content_drawn_turned_on_a_landscape_page(tmp_path, source, upright, degrees, shown):
    writer = pypdf.PdfWriter(clone_from=str(source))
    for page in writer.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        shift = (height, 0) if degrees == 90 else (0, width)
        page.add_transformation(Transformation().rotate(degrees).translate(*shift))
        page.mediabox = pypdf.generic.RectangleObject([0, 0, height, width])
        page.rotation = shown
    path = tmp_path / f"turned-{degrees}.pdf"
    writer.write(str(path))
    report = extract(path)
    assert report.meta.report_year == 2024
    assert {(c.table, c.row, c.col): c.value for c in report.cells} == upright
