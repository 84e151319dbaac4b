"""A document's format from its bytes (magic numbers), never from its file name.

County sites serve DOCX named .doc, HTML named .pdf, and WPS files that are really
Word 97 files; the extension is only a tie-breaker between formats that share a
container (OLE: DOC vs WPS vs XLS).
"""

from __future__ import annotations

import io
import re
import zipfile

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# How far from the end a PDF's %%EOF may sit: writers append whitespace, comments or a
# trailing NUL block after it; 4 KiB covers what real reports carry, a cut download has none.
EOF_WINDOW = 4096
_HTML = re.compile(rb"<(?:!doctype\s+html|html|head|body|table|div|p|meta|title)[\s>/]", re.I)


def pdf_has_eof(data: bytes) -> bool:
    """The PDF ends with its end marker: false for a download cut short (the crawler and the reader ask alike)."""
    return b"%%EOF" in data[-EOF_WINDOW:]


def sniff(data: bytes, name: str | None = None) -> str:
    """One of: pdf docx xlsx doc wps xls html text rtf ofd image zip corrupt_zip ole empty unknown."""
    if not data:
        return "empty"
    head = data[:2048]
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if head.startswith(OLE):
        return _ole_kind(data, name)
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*", b"BM")):
        return "image"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"<") and _HTML.search(head):
        return "html"
    if _HTML.search(head[:1024]) and b"</" in data[:65536]:
        return "html"
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "unknown"
    return "text"


def _zip_kind(data: bytes) -> str:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except Exception:  # damaged bytes raise whatever zipfile meets (struct, Unicode, Overflow…): never escape
        return "corrupt_zip"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "OFD.xml" in names:
        return "ofd"
    return "zip"


def _ole_kind(data: bytes, name: str | None) -> str:
    """Word and WPS both store a 'WordDocument' stream; Excel stores 'Workbook'."""
    probe = data[: 1 << 20]
    utf16 = lambda s: s.encode("utf-16-le")  # noqa: E731 - OLE directory names are UTF-16
    if utf16("WordDocument") in probe:
        return "wps" if (name or "").lower().endswith(".wps") else "doc"
    if utf16("Workbook") in probe or utf16("Book\x00") in probe:
        return "xls"
    if (name or "").lower().endswith(".wps"):
        return "wps"
    return "ole"
