"""Plain text (and the text fallback of DOC files) → rows.

Handles the flattenings real text copies of reports have: one cell per line with tab
indents where blank tab lines are empty cells and empty lines end a table row (text
flattened from DOCX), ``|``-separated cells, and plain lines with numbers at the end.
"""

from __future__ import annotations

import re

from extractors.document import Document, Row, TextCell
from extractors.readers.encoding import decode_text

_ARTEFACT = re.compile(r"\[bookmark:[^\]]*\]|\[image:[^\]]*\]")
_FOOTNOTE = re.compile(r"^备?注[:：]")  # a 注 line under a table starts a paragraph, never continues a cell


def read_text(data: bytes) -> Document:
    doc = Document("text")
    text, _ = decode_text(data)
    read_lines(doc, text.splitlines())
    return doc


def read_lines(doc: Document, lines: list[str], page: int | None = None) -> None:
    tabbed: list[str] | None = None  # cells of the tab-indented row being collected
    for raw in lines:
        line = _ARTEFACT.sub("", raw.replace("\ufeff", "")).rstrip("\r\n")
        if line.startswith("\t"):
            if tabbed is None:
                tabbed = []
            tabbed.append(line.strip())
            continue
        if tabbed is not None:
            if line.strip() and tabbed and not _FOOTNOTE.match(line.strip()):
                tabbed[-1] += line.strip()  # a cell continued on the next line (商业 / 企业)
                continue
            _flush(doc, tabbed, page)
            tabbed = None
        if line.strip():
            doc.rows.append(Row([TextCell(line.strip())], page))
    if tabbed is not None:
        _flush(doc, tabbed, page)


def _flush(doc: Document, cells: list[str], page: int | None) -> None:
    if any(cells):
        doc.rows.append(Row([TextCell(c) for c in cells], page, grid=True))
