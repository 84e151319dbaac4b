"""HTML pages → rows: paragraphs as lines, leaf tables as grids with spans expanded.

Why leaf tables only: old county CMS pages lay out the whole article in tables; a table
that holds another table is layout, so its cells are walked like any block container,
and only tables without tables inside become grids.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from extractors.document import Document, expand_spans
from extractors.readers.encoding import declared_charset, decode_text
from extractors.readers.limits import check_grid

_BLOCK = {
    "p",
    "div",
    "section",
    "article",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "tbody",
    "thead",
    "blockquote",
    "pre",
    "dl",
    "dt",
    "dd",
    "center",
    "form",
    "header",
    "footer",
    "main",
    "aside",
    "nav",
    "figure",
    "figcaption",
    "address",
    "hr",
}
_SKIP = {"script", "style", "noscript", "template", "head", "iframe", "object", "select", "button", "svg"}
_DATE = re.compile(r"(?:发布(?:日期|时间)|成文日期|日期)\s*[:：]?\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")


def read_html(data: bytes, name: str | None = None) -> Document:
    """``name``: the page's path, where pictures beside it can be read by OCR."""
    text, _ = decode_text(data, declared_charset(data))
    doc = Document("html")
    if not text.strip():
        return doc
    # The text is already decoded: tell lxml it is UTF-8 so a <meta charset=gbk> is ignored. lxml.etree's own parser,
    # not lxml.html's: the same libxml2 tree without a Python class lookup for every element touched.
    parser = etree.HTMLParser(remove_comments=True, no_network=True, encoding="utf-8")
    try:
        root = etree.fromstring(text.encode("utf-8"), parser)
    except (etree.ParserError, ValueError):
        return doc
    if root is None:  # nothing but white space or comments
        return doc
    title = root.find(".//title")
    if title is not None and title.text:
        doc.title_hint = title.text.strip()
    body = root.find("body")
    doc.images = len(root.findall(".//img"))
    buffer: list[str] = []
    pictures = _pictures(name) if doc.images else None
    _walk(body if body is not None else root, doc, buffer, pictures)
    _flush(doc, buffer)
    if pictures is not None:
        doc.problems.extend(pictures.problems())
    date = _DATE.search(text)
    if date:
        doc.published_date = f"{date[1]}-{int(date[2]):02d}-{int(date[3]):02d}"
    return doc


def _flush(doc: Document, buffer: list[str]) -> None:
    if buffer:
        doc.add_line("".join(buffer).replace("\xa0", " "))
        buffer.clear()


def _pictures(name: str | None):
    from extractors import ocr

    if not ocr.available():
        return None
    from extractors.ocr.pictures import Pictures

    return Pictures(base=Path(name) if name else None)


def _walk(node: etree._Element, doc: Document, buffer: list[str], pictures=None) -> None:
    tag = node.tag if isinstance(node.tag, str) else ""
    if tag in _SKIP:
        return
    if tag == "img" and pictures is not None:  # a table published as a picture, read in place
        _flush(doc, buffer)
        doc.rows.extend(pictures.read_src(node.get("src")))
    if tag == "table" and node.find(".//table") is None:
        _flush(doc, buffer)
        doc.add_grid(_grid(node))
        return
    if tag == "br":
        _flush(doc, buffer)
    block = tag in _BLOCK or tag in ("td", "th")
    if block:
        _flush(doc, buffer)
    if node.text and tag:
        buffer.append(node.text)
    for child in node:
        _walk(child, doc, buffer, pictures)
        if child.tail:
            buffer.append(child.tail)
    if block:
        _flush(doc, buffer)


_SPACES = re.compile(r"[ \t\r\n\xa0\u3000]+")


def _cell_text(cell: etree._Element) -> str:
    text = cell.text or "" if len(cell) == 0 else "".join(cell.itertext(with_tail=True))  # most cells: text only
    return _SPACES.sub(" ", text).strip()


def _grid(table: etree._Element) -> list[list[str | None]]:
    """The table's rows with spans laid out, once their total size is known to fit."""
    rows = []
    width = positions = 0
    for tr in table.iter("tr"):
        cells = []
        row_width = 0
        for cell in tr.iterchildren("td", "th"):  # by tag in libxml2: no proxy made for a comment or other child
            rowspan, colspan = cell.get("rowspan"), cell.get("colspan")
            rowspan = 1 if rowspan is None else _span(rowspan)  # most cells: no call
            colspan = 1 if colspan is None else _span(colspan)
            cells.append((cell, rowspan, colspan))
            row_width += colspan
            positions += rowspan * colspan
        if row_width > width:
            width = row_width
        rows.append(cells)
    check_grid(len(rows), width, "an HTML table", positions)
    return expand_spans([[(_cell_text(c), rs, cs) for c, rs, cs in cells] for cells in rows])


def _span(value: str) -> int:
    try:
        return max(1, min(int(str(value).strip()), 100))
    except (TypeError, ValueError, OverflowError):
        return 1
