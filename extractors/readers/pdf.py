"""PDF with a text layer → rows of positioned cells, page by page, with PDFium.

Why PDFium and not pdfplumber: the tables need only words, their positions and the
table's ruling lines, and PDFium yields characters with boxes and path segments an
order of magnitude faster than pdfminer. Words inside one ruled cell are joined (a
label over two lines, a number wrapped in a narrow column: 2,71 / 2), so a cell is one
cell whatever its line breaks; text outside ruled tables keeps its lines. Pages are
read one at a time and reading stops once the form's last table is behind us, so a
300-page PDF costs what its first pages cost.
"""

from __future__ import annotations

import ctypes
import math
import re
import statistics
from dataclasses import dataclass
from typing import Callable, NamedTuple

from extractors.document import Document, Row, TextCell
from extractors.layout import PDF_SETTINGS, PdfSettings, group_lines
from extractors.model import ExtractError
from extractors.readers.limits import check_pdf_streams
from extractors.sniff import pdf_has_eof

_NUMERIC = re.compile(r"^[\d,.，]+$")
_LONE_NUMBER = re.compile(r"^[-—–－\s]*\d{1,3}[-—–－\s]*$")
_SPACE = {" ", "\u3000", "\xa0", "\t"}
_BREAK = {"\r", "\n", "\x02", "\ufffe", "\x00"}


@dataclass(slots=True)
class Word:
    text: str
    x0: float
    x1: float
    bottom: float
    top: float
    spans: tuple[tuple[float, float], ...] = ()  # each character's left and right edge

    @property
    def mid_y(self) -> float:
        return (self.bottom + self.top) / 2

    @property
    def mid_x(self) -> float:
        return (self.x0 + self.x1) / 2


class Char(NamedTuple):
    text: str
    x0: float
    bottom: float
    x1: float
    top: float


def read_pdf(
    data: bytes, stop: Callable[[list[Row]], bool] | None = None, settings: PdfSettings = PDF_SETTINGS
) -> Document:
    import pypdfium2 as pdfium

    check_pdf_streams(data)
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            raise ExtractError(
                "encrypted", "the PDF is password-protected; ask the publisher for an open copy"
            ) from exc
        if not pdf_has_eof(data):
            raise ExtractError(
                "truncated_file", "the PDF ends before its end marker (%%EOF): the download was cut; fetch it again"
            ) from exc
        raise ExtractError("corrupt_file", f"PDFium cannot open it: {message}") from exc
    doc = Document("pdf", pages=len(pdf))
    ocr = _ocr_reader()
    empty_pages: list[int] = []
    garbled_pages: list[int] = []
    damaged_pages: list[int] = []
    try:
        for index in range(len(pdf)):
            try:
                page = pdf[index]
            except pdfium.PdfiumError:
                damaged_pages.append(index + 1)
                continue
            try:
                rows = _page_rows(page, index + 1, settings)
                if rows is None and ocr is not None:
                    rows = ocr.pdf_page(page, index + 1)
            finally:
                page.close()
            if rows is None:
                empty_pages.append(index + 1)
                continue
            if rows is BLANK:
                continue
            if rows is GARBLED:
                garbled_pages.append(index + 1)
                continue
            doc.rows.extend(rows)
            if stop is not None and stop(rows):
                break
    finally:
        pdf.close()
    if damaged_pages:
        if not doc.rows:
            raise ExtractError(
                "corrupt_file",
                f"PDFium cannot load pages {_page_list(damaged_pages)}: the file is damaged",
                damaged_pages,
            )
        doc.problems.append(
            ("damaged_pages", f"pages that cannot be loaded (damaged): {_page_list(damaged_pages)}", damaged_pages)
        )
    if garbled_pages:
        why = (
            "its fonts carry no usable character map (no ToUnicode): the text is not the characters shown; it needs OCR"
        )
        if not doc.rows:
            raise ExtractError(
                "garbled_text_layer",
                f"the text layer is unreadable on every page with text (pages {_page_list(garbled_pages)}): {why}",
                garbled_pages,
            )
        doc.problems.append(("garbled_text_layer", f"pages {_page_list(garbled_pages)}: {why}", garbled_pages))
    if ocr is not None:
        doc.problems.extend(ocr.problems())
    if empty_pages:
        why = _not_ocred(ocr, empty_pages)
        if not doc.rows:
            raise ExtractError(
                "no_text_layer", f"no text layer on any page (pages {_page_list(empty_pages)}): {why}", empty_pages
            )
        listed = _page_list(empty_pages)
        doc.problems.append(("no_text_layer", f"pages without a text layer (scanned?): {listed}; {why}", empty_pages))
    if not pdf_has_eof(data):
        doc.problems.append(("truncated_file", "the PDF has no end marker (%%EOF): it may be cut short", None))
    return doc


def _ocr_reader():
    from extractors import ocr

    return ocr.Reader() if ocr.available() else None


def _not_ocred(ocr, pages: list[int]) -> str:
    if ocr is None:
        return "a scanned report needs OCR, which is off (OGI_OCR=0) or not installed"
    reasons = sorted({ocr.skipped[p] for p in pages if p in ocr.skipped})
    return "not read by OCR: " + ("; ".join(reasons) if reasons else "no table could be read")


GARBLED: list[Row] = []  # sentinel: a page whose text layer is not its characters
BLANK: list[Row] = []  # sentinel: a page with neither text nor pictures (not a scan)


def _has_images(page) -> bool:
    import pypdfium2.raw as raw

    return any(
        raw.FPDFPageObj_GetType(raw.FPDFPage_GetObject(page.raw, i)) in (raw.FPDF_PAGEOBJ_IMAGE, raw.FPDF_PAGEOBJ_FORM)
        for i in range(raw.FPDFPage_CountObjects(page.raw))
    )


def _garbled(text: str) -> bool:
    """Mostly private-use, replacement or control characters: fonts without a ToUnicode map."""
    visible = [ch for ch in text if not ch.isspace()]
    if not visible:
        return False
    bad = sum(
        1 for ch in visible if "\ue000" <= ch <= "\uf8ff" or ch == "\ufffd" or (ord(ch) < 32 and ch not in _BREAK)
    )
    return bad / len(visible) > 0.3


def _page_list(pages: list[int]) -> str:
    return ", ".join(map(str, pages[:20])) + (f" … ({len(pages)} pages)" if len(pages) > 20 else "")


def _page_rows(page, number: int, settings: PdfSettings) -> list[Row] | None:
    import pypdfium2.raw as raw

    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        text = textpage.get_text_range(0, count) if count else ""
        if not text.strip():
            return None if _has_images(page) else BLANK
        if _garbled(text):
            return GARBLED
        raw_chars = []
        angles: list[float] = []
        for i, ch in enumerate(text[:count]):
            if ch in _BREAK:
                continue
            box = textpage.get_charbox(i, loose=True)
            if box[3] - box[1] > settings.broken_box_height:  # a broken font box (WPS PDFs): trust the glyph's own
                left, bottom, right, top = textpage.get_charbox(i)
                half = settings.glyph_half_height
                box = (left, (bottom + top) / 2 - half, right, (bottom + top) / 2 + half)
            raw_chars.append((ch, box))
            if ch not in _SPACE and len(angles) < 400:
                angles.append(raw.FPDFText_GetCharAngle(textpage.raw, i))
    finally:
        textpage.close()
    frame = _reading_frame(angles)
    chars = [Char(ch, *_to_frame(box, frame)) for ch, box in raw_chars]
    width, height = page.get_size()
    if page.get_rotation() % 180:
        width, height = height, width  # get_size() is the displayed size; boxes are in page space
    _, page_bottom, _, page_top = _to_frame((0.0, 0.0, width, height), frame)
    words = _words(chars, settings)
    if not words:
        return []
    numeric = sum(1 for w in words if _NUMERIC.match(w.text))
    # Ruling lines matter only where a table is: pages of prose skip the path walk.
    horizontal, vertical = _rulings(page, frame, settings.snap) if numeric >= 3 else ([], [])
    return _rows(words, horizontal, vertical, number, (page_bottom, page_top), settings)


Frame = tuple[tuple[int, int], tuple[int, int]]  # (reading direction, "up"), unit vectors in page space
UPRIGHT: Frame = ((1, 0), (0, 1))


def _reading_frame(angles: list[float]) -> Frame:
    """The direction text runs in page space, from the characters' own rotation.

    Why not the page's /Rotate: a landscape page may be drawn upright and turned for display,
    or drawn turned and shown upright; the glyphs say which way they read, and every box is
    then expressed in that frame (lines horizontal, top up).
    """
    votes: dict[int, int] = {}
    for angle in angles:
        quarter = round(math.degrees(angle) / 90) % 4
        votes[quarter] = votes.get(quarter, 0) + 1
    quarter = max(votes, key=votes.get) if votes else 0
    flow = ((1, 0), (0, -1), (-1, 0), (0, 1))[quarter]  # PDFium measures angles clockwise
    return flow, (-flow[1], flow[0])


def _to_frame(box: tuple[float, float, float, float], frame: Frame) -> tuple[float, float, float, float]:
    if frame == UPRIGHT:
        return box
    (fx, fy), (ux, uy) = frame
    left, bottom, right, top = box
    corners = ((left, bottom), (right, top))
    xs = [x * fx + y * fy for x, y in corners]
    ys = [x * ux + y * uy for x, y in corners]
    return min(xs), min(ys), max(xs), max(ys)


def _words(chars: list[Char], settings: PdfSettings) -> list[Word]:
    """Characters → lines by vertical centre → words by horizontal gaps.

    Two digits with a space between them (one the PDF or PDFium put there, or a gap of
    ``digit_gap``) are two numbers: the digits of one number touch. In a table without ruling
    lines, 13612 and 252 in neighbouring columns are that close, and read as one word they
    were the wrong number 13612252."""
    words: list[Word] = []
    for line in group_lines(chars, settings.line_tolerance):
        line.sort(key=lambda c: c.x0)
        size = statistics.median(max(c.top - c.bottom, 1.0) for c in line)
        printed = [c for c in line if c.text not in _SPACE]
        gaps = [max(b.x0 - a.x1, 0.0) for a, b in zip(printed, printed[1:])]
        # A gap counts as a space only when wider than the line's usual one: a title set with a
        # space between every character (柳 岸 县 2 0 2 3 年) is one run of text, not numbers.
        usual = 2 * statistics.median(gaps) + 0.1 * size if gaps else 0.0
        current: list[Char] = []
        spaced = False
        cut = 0  # where a number set apart from the text before it starts in ``current``
        for ch in line:
            if ch.text in _SPACE:
                spaced = True
                continue
            gap = ch.x0 - current[-1].x1 if current else 0.0
            wide = gap > size * settings.digit_gap and gap > usual
            apart = wide or spaced and gap > usual
            if current and (
                gap > size * settings.word_gap or apart and current[-1].text.isdigit() and ch.text.isdigit()
            ):
                words.extend(_trailing_number(current, cut))
                current, cut = [], 0
            elif current and wide and ch.text.isdigit():  # wider than the quarter em set between 办 and 2
                cut = len(current)
            current.append(ch)
            spaced = False
        if current:
            words.extend(_trailing_number(current, cut))
    return words


def _trailing_number(chars: list[Char], cut: int) -> list[Word]:
    """A label and the number set apart after it (``行政事业性收费 316441`` in a table without
    ruling lines) are two words; a number followed by more text (``2025 年``), or set only a
    quarter em from the text before it (``转办 2`` in a wrapped note), stays in its word."""
    if 0 < cut < len(chars) and _NUMERIC.match("".join(c.text for c in chars[cut:])):
        return [_word(chars[:cut]), _word(chars[cut:])]
    return [_word(chars)]


def _word(chars: list[Char]) -> Word:
    return Word(
        "".join(c.text for c in chars),
        chars[0].x0,
        chars[-1].x1,
        min(c.bottom for c in chars),
        max(c.top for c in chars),
        tuple((c.x0, c.x1) for c in chars),
    )


def _split_at_rulings(word: Word, vertical: list[tuple], settings: PdfSettings) -> list[Word]:
    """A word that runs across a vertical ruling line is two cells' text (行政规范性文件|1)."""
    snap, slack = settings.snap, settings.ruling_slack
    cuts = []
    for i in range(1, len(word.spans)):
        gap_left, gap_right = word.spans[i - 1][1], word.spans[i][0]
        for xv, y0, y1 in vertical:
            if gap_left - slack <= xv <= gap_right + slack and y0 - snap <= word.mid_y <= y1 + snap:
                cuts.append(i)
                break
    if not cuts:
        return [word]
    pieces, start = [], 0
    for cut in cuts + [len(word.spans)]:
        spans = word.spans[start:cut]
        pieces.append(Word(word.text[start:cut], spans[0][0], spans[-1][1], word.bottom, word.top, spans))
        start = cut
    return pieces


def _rulings(page, frame: Frame, snap: float) -> tuple[list[tuple], list[tuple]]:
    """Horizontal (y, x0, x1) and vertical (x, y0, y1) ruling segments of the page's paths."""
    import pypdfium2.raw as raw

    horizontal: list[tuple[float, float, float]] = []
    vertical: list[tuple[float, float, float]] = []

    def add(x0: float, y0: float, x1: float, y1: float) -> None:
        x0, y0, x1, y1 = _to_frame((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)), frame)
        if y1 - y0 <= snap and x1 - x0 > snap:
            horizontal.append(((y0 + y1) / 2, x0, x1))
        elif x1 - x0 <= snap and y1 - y0 > snap:
            vertical.append(((x0 + x1) / 2, y0, y1))
        elif x1 - x0 > snap and y1 - y0 > snap:  # a rectangle: its four edges
            horizontal.extend(((y0, x0, x1), (y1, x0, x1)))
            vertical.extend(((x0, y0, y1), (x1, y0, y1)))

    x, y = ctypes.c_float(), ctypes.c_float()
    matrix = raw.FS_MATRIX()
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    for handle in _path_objects(page):
        count = raw.FPDFPath_CountSegments(handle)
        if count <= 0 or count > 2000:
            raw.FPDFPageObj_GetBounds(handle, left, bottom, right, top)
            add(left.value, bottom.value, right.value, top.value)
            continue
        raw.FPDFPageObj_GetMatrix(handle, matrix)
        a, b, c, d, e, f = matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f
        start = previous = None
        for i in range(count):
            segment = raw.FPDFPath_GetPathSegment(handle, i)
            raw.FPDFPathSegment_GetPoint(segment, x, y)
            point = (a * x.value + c * y.value + e, b * x.value + d * y.value + f)
            kind = raw.FPDFPathSegment_GetType(segment)
            if kind == raw.FPDF_SEGMENT_MOVETO:
                start = point
            elif previous is not None and kind == raw.FPDF_SEGMENT_LINETO:
                add(previous[0], previous[1], point[0], point[1])
            if raw.FPDFPathSegment_GetClose(segment) and start is not None and kind != raw.FPDF_SEGMENT_MOVETO:
                add(point[0], point[1], start[0], start[1])
            previous = point
    return horizontal, vertical


def _path_objects(page):
    """Raw handles of the page's path objects, form XObjects included (no wrapper objects:
    a page holds thousands of text objects that we never need to touch)."""
    import pypdfium2.raw as raw

    stack = [(None, raw.FPDFPage_CountObjects(page.raw))]
    while stack:
        form, count = stack.pop()
        for i in range(count):
            handle = raw.FPDFPage_GetObject(page.raw, i) if form is None else raw.FPDFFormObj_GetObject(form, i)
            kind = raw.FPDFPageObj_GetType(handle)
            if kind == raw.FPDF_PAGEOBJ_PATH:
                yield handle
            elif kind == raw.FPDF_PAGEOBJ_FORM and len(stack) < 4:
                stack.append((handle, raw.FPDFFormObj_CountObjects(handle)))


def _cell_of(word: Word, horizontal: list[tuple], vertical: list[tuple], snap: float) -> tuple | None:
    """The ruled cell around a word: nearest lines above, below, left and right of it."""
    above = below = left = right = None
    mx, my = word.mid_x, word.mid_y
    for y, x0, x1 in horizontal:
        if x0 - snap <= mx <= x1 + snap:
            if y >= my and (above is None or y < above):
                above = y
            elif y < my and (below is None or y > below):
                below = y
    if above is None or below is None:
        return None
    for xv, y0, y1 in vertical:
        if y0 - snap <= my <= y1 + snap:
            if xv <= mx and (left is None or xv > left):
                left = xv
            elif xv > mx and (right is None or xv < right):
                right = xv
    if left is None or right is None:
        return None
    return round(above, 1), round(below, 1), round(left, 1), round(right, 1)


def _rows(
    words: list[Word],
    horizontal: list[tuple],
    vertical: list[tuple],
    page: int,
    extent: tuple[float, float],
    settings: PdfSettings,
) -> list[Row]:
    """Words → cells (joined within a ruled cell) → rows of cells by vertical centre."""
    cells: list[Word] = []
    by_cell: dict[tuple, list[Word]] = {}
    if horizontal and vertical:
        words = [piece for word in words for piece in _split_at_rulings(word, vertical, settings)]
        for word in words:
            key = _cell_of(word, horizontal, vertical, settings.snap)
            if key is None:
                cells.append(word)
            else:
                by_cell.setdefault(key, []).append(word)
        for (above, below, _, _), members in by_cell.items():
            if sum(len(w.text) for w in members) > settings.max_cell_chars:
                cells.extend(members)  # a frame around the page or a text box, not a table cell
                continue
            members.sort(key=lambda w: (-w.mid_y, w.x0))
            text = "".join(w.text for w in members)
            centre = (above + below) / 2
            size = statistics.median(w.top - w.bottom for w in members)
            cells.append(
                Word(text, min(w.x0 for w in members), max(w.x1 for w in members), centre - size / 2, centre + size / 2)
            )
    else:
        cells = list(words)
    rows: list[Row] = []
    for line in group_lines(cells, settings.line_tolerance):
        line.sort(key=lambda w: w.x0)
        top = max(w.top for w in line)
        height = (top - extent[0]) / max(extent[1] - extent[0], 1.0)
        margin = height < settings.page_margin_bottom or height > settings.page_margin_top
        if len(line) == 1 and _LONE_NUMBER.match(line[0].text) and margin:
            continue  # a page number in the footer or header
        rows.append(Row([TextCell(w.text, w.x0, w.x1) for w in line], page, grid=len(line) > 1))
    return rows
