"""XLS / XLSX → rows: every sheet's used range as a grid, merged areas as covered cells.

Why sheets are measured before they are loaded: one cell in a sheet's far corner, or one
merge over a whole sheet, makes a library lay out billions of positions (openpyxl makes
an object per merged cell while loading). The sheet XML's cell references and merges are
read first, and a sheet past ``readers.limits`` is refused as ``too_large_grid``.
"""

from __future__ import annotations

import io
import re
import zipfile

from extractors.document import Document
from extractors.model import ExtractError
from extractors.readers.limits import MAX_GRID_CELLS, check_grid

_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]{0,400}?\sr="([A-Za-z]{1,3})([0-9]{1,9})"')
_MERGE_REF = re.compile(
    rb'<(?:\w+:)?mergeCell\b[^>]{0,400}?\sref="([A-Za-z]{1,3})([0-9]{1,9})(?::([A-Za-z]{1,3})([0-9]{1,9}))?"'
)


def read_spreadsheet(data: bytes, fmt: str) -> Document:
    doc = Document(fmt)
    sheets = _xlsx(data) if fmt == "xlsx" else _xls(data)
    for grid in sheets:
        doc.add_grid(grid)
    return doc


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _xlsx(data: bytes) -> list[list[list[str | None]]]:
    import openpyxl

    from extractors.readers.docx import open_member

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        for info in archive.infolist():
            if info.filename.endswith(".xml"):
                xml = open_member(archive, info.filename)  # bomb and entity checks before openpyxl parses
                if info.filename.startswith("xl/worksheets/"):
                    _measure_sheet(xml, info.filename)
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except ExtractError:
        raise
    except Exception as exc:
        raise ExtractError("corrupt_file", f"not a readable XLSX workbook: {exc}") from exc
    grids = []
    for sheet in book.worksheets:
        covered: set[tuple[int, int]] = set()
        for merged in sheet.merged_cells.ranges:
            for row in range(merged.min_row, merged.max_row + 1):
                for col in range(merged.min_col, merged.max_col + 1):
                    if (row, col) != (merged.min_row, merged.min_col):
                        covered.add((row, col))
        grid = []
        for r, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            grid.append([None if (r, c) in covered else _text(v) for c, v in enumerate(row, start=1)])
        grids.append(grid)
    return grids


def _measure_sheet(xml: bytes, name: str) -> None:
    """Refuse a sheet whose cells or merges reach past the grid caps, before openpyxl loads it."""
    rows = cols = 0
    cells = xml.count(b"<c ") + xml.count(b"<c>") + xml.count(b":c ")
    if cells > MAX_GRID_CELLS:
        raise ExtractError(
            "too_large_grid", f"{name} holds {cells} cells, over the {MAX_GRID_CELLS} a sheet may hold: refused"
        )
    for found in _CELL_REF.finditer(xml):
        rows, cols = max(rows, int(found[2])), max(cols, _column(found[1]))
    merged = 0
    for found in _MERGE_REF.finditer(xml):
        if found[3]:
            r0, r1 = sorted((int(found[2]), int(found[4])))
            c0, c1 = sorted((_column(found[1]), _column(found[3])))
            merged += (r1 - r0 + 1) * (c1 - c0 + 1)
            rows, cols = max(rows, r1), max(cols, c1)
    check_grid(rows, cols, f"{name} (cells and merges)", merged)


def _column(letters: bytes) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ch - 64
    return number


class _Discard:
    """xlrd's log: its warnings (OLE2 inconsistencies…) go nowhere, never to stdout."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


def _xls(data: bytes) -> list[list[list[str | None]]]:
    import xlrd

    options = dict(file_contents=data, logfile=_Discard(), verbosity=0, ragged_rows=True)
    try:
        book = xlrd.open_workbook(formatting_info=True, **options)
    except Exception:
        try:
            book = xlrd.open_workbook(**options)
        except Exception as exc:
            raise ExtractError("corrupt_file", f"not a readable XLS workbook: {exc}") from exc
    grids = []
    for sheet in book.sheets():
        merges = getattr(sheet, "merged_cells", [])
        rows = max([sheet.nrows] + [r1 for _, r1, _, _ in merges])
        cols = max([sheet.ncols] + [c1 for _, _, _, c1 in merges])
        check_grid(rows, cols, f"sheet {sheet.name!r}", sum((r1 - r0) * (c1 - c0) for r0, r1, c0, c1 in merges))
        covered: set[tuple[int, int]] = set()
        for r0, r1, c0, c1 in merges:
            for r in range(r0, r1):
                for c in range(c0, c1):
                    if (r, c) != (r0, c0):
                        covered.add((r, c))
        grids.append(
            [
                [None if (r, c) in covered else _text(sheet.cell_value(r, c)) for c in range(sheet.row_len(r))]
                for r in range(sheet.nrows)
            ]
        )
    return grids
