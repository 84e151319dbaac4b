"""OCR's own text finding and recognition, on tables drawn with a real CJK font (PIL):
boxes only where there is text, never across a ruling, large headings whole, wrapped
labels in order, and numbers whose digits read as letters decoded again as digits."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from extractors.ocr import grid, segment
from extractors.ocr.engines import rapidocr_available
from extractors.ocr.page import read_page

SERIF = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")  # fonts-noto-cjk (Makefile)
SANS = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
BOLD = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")  # headings are set in bold 黑体
pytestmark = [
    pytest.mark.skipif(not SERIF.exists(), reason="fonts-noto-cjk is not installed"),
    pytest.mark.skipif(not rapidocr_available(), reason="rapidocr is not installed"),
]

CELL_W, CELL_H, LEFT, TOP = 150, 44, 40, 120
# One table: label, then 自然人 … 总计; "" is a blank cell; a "\n" wraps a label in its cell.
TABLE = [
    ["", "自然人", "商业\n企业", "总计"],
    ["（一）予以公开", "50", "", "50"],
    ["（二）部分公开", "9", "0", "9"],
    ["（三）不予公开", "", "", ""],
    ["（四）无法提供", "1288", "21", "1309"],
]


def font(size: int, path: Path = SERIF):
    return ImageFont.truetype(str(path), size, index=2)  # the SC face of the collection


def draw_table(heading: str | None = None, heading_size: int = 32, size: int = 18) -> np.ndarray:
    rows, cols = len(TABLE), len(TABLE[0])
    image = Image.new("L", (LEFT * 2 + cols * CELL_W, TOP + rows * CELL_H + 60), 255)
    pen = ImageDraw.Draw(image)
    if heading:
        pen.text((LEFT, 30), heading, font=font(heading_size, BOLD), fill=0)
    for r in range(rows + 1):
        pen.line([(LEFT, TOP + r * CELL_H), (LEFT + cols * CELL_W, TOP + r * CELL_H)], fill=0, width=2)
    for c in range(cols + 1):
        pen.line([(LEFT + c * CELL_W, TOP), (LEFT + c * CELL_W, TOP + rows * CELL_H)], fill=0, width=2)
    for r, row in enumerate(TABLE):
        for c, text in enumerate(row):
            lines = text.split("\n")
            for k, line in enumerate(lines):
                y = TOP + r * CELL_H + (CELL_H - len(lines) * (size + 2)) // 2 + k * (size + 2) - 3
                pen.text((LEFT + c * CELL_W + 8, y), line, font=font(size), fill=0)
    return np.asarray(image)


def test_boxes_only_where_text_is_and_never_across_a_ruling():
    gray = draw_table()
    upright, found = grid.straighten(gray)
    spans, _ = segment.text_spans(segment.text_only(upright, found.mask), found.glyph, found.mask)
    cells = {}
    for span in spans:
        inside = [
            (r, c)
            for r in range(len(TABLE))
            for c in range(len(TABLE[0]))
            if LEFT + c * CELL_W < span.x0
            and span.x1 < LEFT + (c + 1) * CELL_W
            and TOP + r * CELL_H < span.y0
            and span.y1 < TOP + (r + 1) * CELL_H
        ]
        assert len(inside) == 1, span  # inside one cell: no box runs over a line
        cells.setdefault(inside[0], []).append(span)
    filled = {(r, c) for r, row in enumerate(TABLE) for c, text in enumerate(row) if text}
    assert set(cells) == filled  # blank cells give no box, so nothing is read there
    # The wrapped label, as wide as high, could be one large character: it is cut into its two
    # lines, which the reader keeps unless the whole reads as one character.
    [wrapped] = cells[(0, 2)]
    assert len(wrapped.lines) == 2 and wrapped.lines[0].y1 < wrapped.lines[1].y0


def test_a_drawn_table_reads_cell_for_cell():
    rows = read_page(draw_table(), 1, 72 / 150)
    # Full- or half-width brackets look alike; labels are matched with them folded (NFKC).
    texts = [[unicodedata.normalize("NFKC", cell.text) for cell in row.cells] for row in rows]
    assert texts == [
        ["自然人", "商业企业", "总计"],
        ["(一)予以公开", "50", "50"],
        ["(二)部分公开", "9", "0", "9"],
        ["(三)不予公开"],
        ["(四)无法提供", "1288", "21", "1309"],
    ]


def test_a_large_heading_keeps_its_first_character_whole():
    # A bold 三 of 32 px is three bars: cut apart as lines of the table's 14-px text, it read 二.
    heading = "三、收到和处理申请情况"
    rows = read_page(draw_table(heading, 32, 14), 1, 72 / 150)
    assert "".join(cell.text for cell in rows[0].cells) == heading


def test_a_number_read_with_a_letter_is_decoded_again_as_digits():
    from extractors.ocr.recognise import _greedy, _resized, recogniser

    def crop(text: str, size: int = 22) -> np.ndarray:
        image = Image.new("L", (size * (len(text) + 2), size * 2), 255)
        ImageDraw.Draw(image).text((size // 2, size // 3), text, font=font(size, SANS), fill=0)
        pixels = np.asarray(image)
        ys, xs = np.nonzero(pixels < 128)
        return np.pad(pixels[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1], ((5, 5), (7, 7)), constant_values=255)

    reader = recogniser()
    ring = crop("O")  # a round letter O, as a blurred 0 in a scan looks
    probs = reader.session.run(None, {"x": _resized(ring)[None].astype(np.float32)})[0][0]
    best = probs.argmax(axis=1)
    assert _greedy(best, probs[np.arange(len(best)), best], reader.characters, 1.0).text == "O"  # the model's own best
    got = reader.read([ring, crop("IO"), crop("B"), crop("予以公开"), crop("96171.6")])
    assert [r.text for r in got] == ["0", "10", "B", "予以公开", "96171.6"]  # B: no digit is likely enough


def test_a_picture_of_thousands_of_specks_is_not_read_box_by_box():
    # 4,900 dots, 20 px apart: a photograph or noise, not a form; reading each would take minutes.
    gray = np.full((1400, 1400), 255, np.uint8)
    for y in range(10, 1400, 20):
        for x in range(10, 1400, 20):
            gray[y : y + 3, x : x + 3] = 0
    text = segment.text_only(gray, None)
    spans, _ = segment.text_spans(text, 8.0)
    assert spans == []
    assert len(segment.text_spans(text[:400, :400], 8.0)[0]) == 400  # a few hundred are read as they are


@pytest.mark.parametrize("gap", [8, 12])
def test_numbers_of_neighbouring_columns_without_rulings_stay_two_numbers(gap):
    # Less than a line apart they are one run of ink; read as one number they would be 13612252.
    image = Image.new("L", (700, 200), 255)
    pen = ImageDraw.Draw(image)
    pen.text((40, 80), "行政事业性收费", font=font(20), fill=0)
    pen.text((300, 80), "13612", font=font(20), fill=0)
    end = 300 + pen.textlength("13612", font=font(20))
    pen.text((end + gap, 80), "252", font=font(20), fill=0)
    gray = np.asarray(image)
    upright, found = grid.straighten(gray)
    spans, _ = segment.text_spans(segment.text_only(upright, found.mask), found.glyph, found.mask)
    assert len(spans) == 2  # the label, and both numbers in one box
    [row] = read_page(gray, 1, 72 / 150)
    assert [cell.text for cell in row.cells] == ["行政事业性收费", "13612", "252"]
    # Each number is placed where the model read it: the boundary falls in the gap between them.
    points = 72 / 150
    assert row.cells[1].x1 == row.cells[2].x0
    assert (end - 3) * points <= row.cells[1].x1 <= (end + gap + 3) * points


def test_a_bar_alone_in_a_cell_reads_as_a_dash_not_as_one():
    # A cell printing none as a bar: the model reads it as the character 一 ("one") it looks like.
    image = Image.fromarray(draw_table()).copy()
    pen = ImageDraw.Draw(image)
    top = TOP + 3 * CELL_H + CELL_H // 2  # the blank cells of （三）不予公开
    for c in (1, 2, 3):
        pen.rectangle([LEFT + c * CELL_W + 20, top - 1, LEFT + c * CELL_W + 34, top], fill=0)
    rows = read_page(np.asarray(image), 1, 72 / 150)
    assert [cell.text for cell in rows[3].cells][1:] == ["—", "—", "—"]
