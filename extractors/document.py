"""The document model every reader produces: rows of cells in reading order.

Why one model: the form is located and matched the same way whatever the format; a
reader's only job is to turn bytes into rows (a paragraph is a row of one cell, a table
row is a row of its cells with merged cells expanded and their copies dropped), keeping
the page and, for PDFs, each cell's horizontal position.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class TextCell:
    text: str
    x0: float | None = None  # left edge (PDF only): places values whose neighbours are blank
    x1: float | None = None


@dataclass(slots=True)
class Row:
    cells: list[TextCell]
    page: int | None = None
    grid: bool = False  # cells came from a real table structure (HTML, DOCX, XLS, PDF, pipes, tabs)
    table_start: bool = False  # first row of a table (a grid boundary: values never span it)

    @property
    def text(self) -> str:
        return " ".join(c.text for c in self.cells if c.text)


@dataclass
class Document:
    format: str
    rows: list[Row] = field(default_factory=list)
    pages: int | None = None
    problems: list[tuple[str, str, list[int] | None]] = field(default_factory=list)  # (code, message, pages)
    published_date: str | None = None
    title_hint: str | None = None
    images: int = 0  # pictures in an HTML article: tables published as images are not text

    def add_line(self, text: str, page: int | None = None) -> None:
        text = text.strip()
        if text:
            self.rows.append(Row([TextCell(text)], page))

    def add_grid(self, grid: list[list[str | None]], page: int | None = None) -> None:
        """Add a table: ``None`` marks a cell covered by a neighbour's rowspan/colspan."""
        first = True
        for cells in grid:
            kept = [TextCell(c.strip()) for c in cells if c is not None]
            if any(c.text for c in kept):
                self.rows.append(Row(kept, page, grid=True, table_start=first))
                first = False


def expand_spans(rows: list[list[tuple[str, int, int]]]) -> list[list[str | None]]:
    """Lay (text, rowspan, colspan) cells on a full grid; covered positions become None.

    Why None and not a copy: a copied label would be harmless, but a copied value
    (行政许可 | 6564 spanning three columns) would invent two numbers.
    """
    grid: list[list[str | None]] = []
    pending: dict[tuple[int, int], bool] = {}  # positions a rowspan from a row above covers
    for r, cells in enumerate(rows):
        line: list[str | None] = []
        c = 0
        for text, rowspan, colspan in cells:
            if pending:
                while pending.pop((r, c), False):
                    line.append(None)
                    c += 1
            line.append(text)
            colspan = colspan if colspan > 1 else 1
            if colspan > 1:
                line.extend([None] * (colspan - 1))
            for dr in range(1, rowspan):
                for dc in range(colspan):
                    pending[(r + dr, c + dc)] = True
            c += colspan
        if pending:
            while pending.pop((r, c), False):
                line.append(None)
                c += 1
        grid.append(line)
    return grid
