"""XLS / XLSX → rows: every sheet's used range as a grid, merged areas as covered cells."""

from __future__ import annotations

import io
import zipfile

from extractors.document import Document
from extractors.model import ExtractError


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
                open_member(archive, info.filename)  # bomb and entity checks before openpyxl parses
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


def _xls(data: bytes) -> list[list[list[str | None]]]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True)
    except Exception:
        try:
            book = xlrd.open_workbook(file_contents=data)
        except Exception as exc:
            raise ExtractError("corrupt_file", f"not a readable XLS workbook: {exc}") from exc
    grids = []
    for sheet in book.sheets():
        covered: set[tuple[int, int]] = set()
        for r0, r1, c0, c1 in getattr(sheet, "merged_cells", []):
            for r in range(r0, r1):
                for c in range(c0, c1):
                    if (r, c) != (r0, c0):
                        covered.add((r, c))
        grids.append([
            [None if (r, c) in covered else _text(sheet.cell_value(r, c)) for c in range(sheet.ncols)]
            for r in range(sheet.nrows)
        ])
    return grids
