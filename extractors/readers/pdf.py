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
from typing import Callable

from extractors.document import Document, Row, TextCell
from extractors.model import ExtractError

_NUMERIC = re.compile(r"^[\d,.，]+$")
_LONE_NUMBER = re.compile(r"^[-—–－\s]*\d{1,3}[-—–－\s]*$")
_SPACE = {" ", "\u3000", "\xa0", "\t"}
_BREAK = {"\r", "\n", "\x02", "\ufffe", "\x00"}
_SNAP = 2.0  # points: ruling lines closer than this are one line
_MAX_CELL_CHARS = 80  # more text than this in one "cell" means a page frame, not a form cell


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
    garbled_pages: list[int] = []
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
    if garbled_pages:
        why = ("its fonts carry no usable character map (no ToUnicode): the text is not the characters shown; "
               "it needs OCR")
        if not doc.rows:
            raise ExtractError("garbled_text_layer", f"the text layer is unreadable on every page with text "
                               f"(pages {_page_list(garbled_pages)}): {why}", garbled_pages)
        doc.problems.append(("garbled_text_layer", f"pages {_page_list(garbled_pages)}: {why}", garbled_pages))
    if empty_pages:
        if not doc.rows:
            raise ExtractError(
                "no_text_layer",
                f"no text layer on any page (pages {_page_list(empty_pages)}): "
                "a scanned report needs OCR, which ogi does not do",
                empty_pages,
            )
        doc.problems.append(("no_text_layer", f"pages without a text layer (scanned?): {_page_list(empty_pages)}", empty_pages))
    if b"%%EOF" not in data[-4096:]:
        doc.problems.append(("truncated_file", "the PDF has no end marker (%%EOF): it may be cut short", None))
    return doc


GARBLED: list[Row] = []  # sentinel: a page whose text layer is not its characters
BLANK: list[Row] = []  # sentinel: a page with neither text nor pictures (not a scan)


def _has_images(page) -> bool:
    import pypdfium2.raw as raw

    return any(raw.FPDFPageObj_GetType(raw.FPDFPage_GetObject(page.raw, i)) in (raw.FPDF_PAGEOBJ_IMAGE, raw.FPDF_PAGEOBJ_FORM)
               for i in range(raw.FPDFPage_CountObjects(page.raw)))


def _garbled(text: str) -> bool:
    """Mostly private-use, replacement or control characters: fonts without a ToUnicode map."""
    visible = [ch for ch in text if not ch.isspace()]
    if not visible:
        return False
    bad = sum(1 for ch in visible if "\ue000" <= ch <= "\uf8ff" or ch == "\ufffd" or (ord(ch) < 32 and ch not in _BREAK))
    return bad / len(visible) > 0.3


def _page_list(pages: list[int]) -> str:
    return ", ".join(map(str, pages[:20])) + (f" … ({len(pages)} pages)" if len(pages) > 20 else "")


def _page_rows(page, number: int) -> list[Row] | None:
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
            if box[3] - box[1] > 40:  # a broken font box (seen in WPS PDFs): trust the glyph's own box
                left, bottom, right, top = textpage.get_charbox(i)
                box = (left, (bottom + top) / 2 - 6, right, (bottom + top) / 2 + 6)
            raw_chars.append((ch, box))
            if ch not in _SPACE and len(angles) < 400:
                angles.append(raw.FPDFText_GetCharAngle(textpage.raw, i))
    finally:
        textpage.close()
    frame = _reading_frame(angles)
    chars = [(ch, *_to_frame(box, frame)) for ch, box in raw_chars]
    width, height = page.get_size()
    if page.get_rotation() % 180:
        width, height = height, width  # get_size() is the displayed size; boxes are in page space
    _, page_bottom, _, page_top = _to_frame((0.0, 0.0, width, height), frame)
    words = _words(chars)
    if not words:
        return []
    numeric = sum(1 for w in words if _NUMERIC.match(w.text))
    # Ruling lines matter only where a table is: pages of prose skip the path walk.
    horizontal, vertical = _rulings(page, frame) if numeric >= 3 else ([], [])
    return _rows(words, horizontal, vertical, number, (page_bottom, page_top))


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


def _words(chars: list[tuple[str, float, float, float, float]]) -> list[Word]:
    """Characters → lines by vertical centre → words by horizontal gaps."""
    chars.sort(key=lambda c: (-(c[2] + c[4]) / 2, c[1]))
    lines: list[list[tuple]] = []
    centre = tolerance = 0.0
    for ch in chars:
        mid = (ch[2] + ch[4]) / 2
        if lines and abs(mid - centre) <= tolerance:
            lines[-1].append(ch)
        else:
            lines.append([ch])
            centre, tolerance = mid, max(ch[4] - ch[2], 1.0) * 0.45
    words: list[Word] = []
    for line in lines:
        line.sort(key=lambda c: c[1])
        size = statistics.median(max(c[4] - c[2], 1.0) for c in line)
        current: list[tuple] = []
        for ch in line:
            if ch[0] in _SPACE:
                continue
            if current and ch[1] - current[-1][3] > size * 0.75:
                words.append(_word(current))
                current = []
            current.append(ch)
        if current:
            words.append(_word(current))
    return words


def _word(chars: list[tuple]) -> Word:
    return Word("".join(c[0] for c in chars), chars[0][1], chars[-1][3],
                min(c[2] for c in chars), max(c[4] for c in chars), tuple((c[1], c[3]) for c in chars))


def _split_at_rulings(word: Word, vertical: list[tuple]) -> list[Word]:
    """A word that runs across a vertical ruling line is two cells' text (行政规范性文件|1)."""
    cuts = []
    for i in range(1, len(word.spans)):
        gap_left, gap_right = word.spans[i - 1][1], word.spans[i][0]
        for xv, y0, y1 in vertical:
            if gap_left - 0.5 <= xv <= gap_right + 0.5 and y0 - _SNAP <= word.mid_y <= y1 + _SNAP:
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


def _rulings(page, frame: Frame) -> tuple[list[tuple], list[tuple]]:
    """Horizontal (y, x0, x1) and vertical (x, y0, y1) ruling segments of the page's paths."""
    import pypdfium2.raw as raw

    horizontal: list[tuple[float, float, float]] = []
    vertical: list[tuple[float, float, float]] = []

    def add(x0: float, y0: float, x1: float, y1: float) -> None:
        x0, y0, x1, y1 = _to_frame((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)), frame)
        if y1 - y0 <= _SNAP and x1 - x0 > _SNAP:
            horizontal.append(((y0 + y1) / 2, x0, x1))
        elif x1 - x0 <= _SNAP and y1 - y0 > _SNAP:
            vertical.append(((x0 + x1) / 2, y0, y1))
        elif x1 - x0 > _SNAP and y1 - y0 > _SNAP:  # a rectangle: its four edges
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


def _cell_of(word: Word, horizontal: list[tuple], vertical: list[tuple]) -> tuple | None:
    """The ruled cell around a word: nearest lines above, below, left and right of it."""
    above = below = left = right = None
    mx, my = word.mid_x, word.mid_y
    for y, x0, x1 in horizontal:
        if x0 - _SNAP <= mx <= x1 + _SNAP:
            if y >= my and (above is None or y < above):
                above = y
            elif y < my and (below is None or y > below):
                below = y
    if above is None or below is None:
        return None
    for xv, y0, y1 in vertical:
        if y0 - _SNAP <= my <= y1 + _SNAP:
            if xv <= mx and (left is None or xv > left):
                left = xv
            elif xv > mx and (right is None or xv < right):
                right = xv
    if left is None or right is None:
        return None
    return round(above, 1), round(below, 1), round(left, 1), round(right, 1)


def _rows(words: list[Word], horizontal: list[tuple], vertical: list[tuple], page: int,
          extent: tuple[float, float]) -> list[Row]:
    """Words → cells (joined within a ruled cell) → rows of cells by vertical centre."""
    cells: list[Word] = []
    by_cell: dict[tuple, list[Word]] = {}
    if horizontal and vertical:
        words = [piece for word in words for piece in _split_at_rulings(word, vertical)]
        for word in words:
            key = _cell_of(word, horizontal, vertical)
            if key is None:
                cells.append(word)
            else:
                by_cell.setdefault(key, []).append(word)
        for (above, below, _, _), members in by_cell.items():
            if sum(len(w.text) for w in members) > _MAX_CELL_CHARS:
                cells.extend(members)  # a frame around the page or a text box, not a table cell
                continue
            members.sort(key=lambda w: (-w.mid_y, w.x0))
            text = "".join(w.text for w in members)
            centre = (above + below) / 2
            size = statistics.median(w.top - w.bottom for w in members)
            cells.append(Word(text, min(w.x0 for w in members), max(w.x1 for w in members),
                              centre - size / 2, centre + size / 2))
    else:
        cells = list(words)
    cells.sort(key=lambda w: (-w.mid_y, w.x0))
    lines: list[list[Word]] = []
    centre = tolerance = 0.0
    for cell in cells:
        if lines and abs(cell.mid_y - centre) <= tolerance:
            lines[-1].append(cell)
        else:
            lines.append([cell])
            centre, tolerance = cell.mid_y, max(cell.top - cell.bottom, 1.0) * 0.45
    rows: list[Row] = []
    for line in lines:
        line.sort(key=lambda w: w.x0)
        top = max(w.top for w in line)
        height = (top - extent[0]) / max(extent[1] - extent[0], 1.0)
        if len(line) == 1 and _LONE_NUMBER.match(line[0].text) and (height < 0.1 or height > 0.93):
            continue  # a page number in the footer or header
        rows.append(Row([TextCell(w.text, w.x0, w.x1) for w in line], page, grid=len(line) > 1))
    return rows
