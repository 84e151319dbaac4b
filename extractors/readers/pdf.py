"""PDF with a text layer → rows of positioned words, page by page, with PDFium.

Why PDFium and not pdfplumber: the report's tables need only each word and its x
position (values whose neighbours are blank are placed by the column they sit under),
and PDFium yields characters with boxes an order of magnitude faster than pdfminer.
Pages are read one at a time and reading stops once the form's last table is behind
us, so a 300-page PDF costs what its first pages cost.
"""

from __future__ import annotations

import re
import statistics
from typing import Callable

from extractors.document import Document, Row, TextCell
from extractors.model import ExtractError

_LONE_NUMBER = re.compile(r"^[-—–－\s]*\d{1,3}[-—–－\s]*$")
_SPACE = {" ", "\u3000", "\xa0", "\t"}
_BREAK = {"\r", "\n", "\x02", "\ufffe", "\x00"}


def read_pdf(data: bytes, stop: Callable[[list[Row]], bool] | None = None) -> Document:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            raise ExtractError("encrypted", "the PDF is password-protected; ask the publisher for an open copy") from exc
        if b"%%EOF" not in data[-4096:]:
            raise ExtractError("truncated_file", "the PDF ends before its end marker (%%EOF): the download was cut; fetch it again") from exc
        raise ExtractError("corrupt_file", f"PDFium cannot open it: {message}") from exc
    doc = Document("pdf", pages=len(pdf))
    empty_pages: list[int] = []
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                rows = _page_rows(page, index + 1)
            finally:
                page.close()
            if rows is None:
                empty_pages.append(index + 1)
                continue
            doc.rows.extend(rows)
            if stop is not None and stop(rows):
                break
    finally:
        pdf.close()
    if empty_pages:
        if len(empty_pages) == len(doc.rows) == 0 or not doc.rows:
            raise ExtractError(
                "no_text_layer",
                f"no text layer on any of its {len(empty_pages)} pages: a scanned report needs OCR, which ogi does not do",
                empty_pages,
            )
        doc.problems.append(("no_text_layer", f"pages without a text layer (scanned?): {empty_pages}", empty_pages))
    if b"%%EOF" not in data[-4096:]:
        doc.problems.append(("truncated_file", "the PDF has no end marker (%%EOF): it may be cut short", None))
    return doc


def _page_rows(page, number: int) -> list[Row] | None:
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        text = textpage.get_text_range(0, count) if count else ""
        if not text.strip():
            return None
        width, height = page.get_size()
        rotation = page.get_rotation() % 360
        chars = []
        for i, ch in enumerate(text[:count]):
            if ch in _BREAK:
                continue
            left, bottom, right, top = textpage.get_charbox(i, loose=True)
            if top - bottom > 40:  # a broken font box (seen in WPS PDFs): trust the glyph's own box
                left, bottom, right, top = textpage.get_charbox(i)
                bottom, top = (bottom + top) / 2 - 6, (bottom + top) / 2 + 6
            if rotation == 90:
                left, bottom, right, top = bottom, width - right, top, width - left
            elif rotation == 270:
                left, bottom, right, top = height - top, left, height - bottom, right
            elif rotation == 180:
                left, bottom, right, top = width - right, height - top, width - left, height - bottom
            chars.append((ch, left, bottom, right, top))
    finally:
        textpage.close()
    page_height = width if rotation in (90, 270) else height
    return _lines(chars, number, page_height)


def _lines(chars: list[tuple[str, float, float, float, float]], page: int, page_height: float) -> list[Row]:
    """Cluster characters into lines by vertical centre, then lines into words by gaps."""
    if not chars:
        return []
    chars.sort(key=lambda c: (-(c[2] + c[4]) / 2, c[1]))
    lines: list[list[tuple]] = []
    centre = None
    tolerance = 0.0
    for ch in chars:
        mid = (ch[2] + ch[4]) / 2
        size = max(ch[4] - ch[2], 1.0)
        if centre is not None and abs(mid - centre) <= tolerance:
            lines[-1].append(ch)
        else:
            lines.append([ch])
            centre, tolerance = mid, size * 0.45
    rows: list[Row] = []
    for line in lines:
        line.sort(key=lambda c: c[1])
        size = statistics.median(max(c[4] - c[2], 1.0) for c in line)
        cells: list[TextCell] = []
        word: list[tuple] = []
        last_right = None
        for ch in line:
            if ch[0] in _SPACE:
                continue
            if word and last_right is not None and ch[1] - last_right > size * 0.75:
                cells.append(_cell(word))
                word = []
            word.append(ch)
            last_right = ch[3]
        if word:
            cells.append(_cell(word))
        if not cells:
            continue
        top = max(c[4] for c in line)
        if len(cells) == 1 and _LONE_NUMBER.match(cells[0].text) and (
            top < page_height * 0.1 or top > page_height * 0.93
        ):
            continue  # a page number in the footer or header
        rows.append(Row(cells, page, grid=len(cells) > 1))
    return rows


def _cell(word: list[tuple]) -> TextCell:
    return TextCell("".join(c[0] for c in word), word[0][1], word[-1][3])
