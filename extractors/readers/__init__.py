"""Format readers: bytes → ``Document`` (rows of cells). No knowledge of the form here."""

from __future__ import annotations

from typing import Callable

from extractors.document import Document, Row
from extractors.model import ExtractError


def read_document(
    data: bytes, fmt: str, name: str | None = None, stop: Callable[[list[Row]], bool] | None = None
) -> Document:
    """``stop`` (paged formats only) is told each page's rows and says when to stop reading."""
    if fmt == "empty":
        raise ExtractError("empty_file", "the file is empty (0 bytes): the download probably failed; fetch it again")
    if fmt == "pdf":
        from extractors.readers.pdf import read_pdf

        return read_pdf(data, stop)
    if fmt == "docx":
        from extractors.readers.docx import read_docx

        return read_docx(data)
    if fmt in ("doc", "wps", "rtf"):
        from extractors.readers.doc import read_doc

        return read_doc(data, fmt)
    if fmt in ("xls", "xlsx"):
        from extractors.readers.xls import read_spreadsheet

        return read_spreadsheet(data, fmt)
    if fmt == "html":
        from extractors.readers.html import read_html

        return read_html(data, name)
    if fmt == "text":
        from extractors.readers.text import read_text

        return read_text(data)
    if fmt == "image":
        from extractors.ocr.pictures import read_image

        return read_image(data)
    if fmt == "ofd":
        raise ExtractError(
            "unsupported_format",
            "an OFD document (China's fixed-layout format), which ogi cannot read "
            "yet; look for a PDF copy of the report on the same page",
        )
    if fmt == "corrupt_zip":
        raise ExtractError(
            "corrupt_file", "a damaged ZIP container (a DOCX/XLSX cut short or overwritten); fetch it again"
        )
    if fmt == "zip":
        raise ExtractError(
            "unsupported_format", "a ZIP archive that is neither DOCX nor XLSX; unpack it and extract its files"
        )
    raise ExtractError(
        "unsupported_format", f"unrecognised bytes (sniffed as {fmt!r}); not PDF, Word, WPS, Excel, HTML or text"
    )
