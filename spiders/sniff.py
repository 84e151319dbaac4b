"""What a document is, from its bytes; how a page is encoded, whatever its header says.

Why: county sites serve PDFs as ``application/octet-stream``, ``.wps`` files that are
Word documents, ``.doc`` links that are really DOCX, and GBK pages whose HTTP header
claims UTF-8. The URL and the header are hints; the bytes decide.
"""

from __future__ import annotations

import re

from extractors.readers.encoding import declared_charset as page_charset
from extractors.readers.encoding import decode_text, python_codec
from extractors.sniff import OLE, sniff

OLE2_MAGIC = OLE
ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".et", ".rtf", ".ofd")

# Formats that are pages to read links from, not documents to keep as attachments.
PAGE_FORMATS = frozenset({"html", "text", "unknown", "empty"})


def sniff_format(data: bytes, name: str | None = None) -> str:
    """The document format from the bytes: one definition for crawl and extraction
    (``extractors.sniff``); the name only breaks the DOC/WPS tie inside an OLE2 file."""
    return sniff(data, name)


def file_name(url: str, content_disposition: str | None = None) -> str | None:
    """The file name a download claims: Content-Disposition, a ``filename=`` query, or the path."""
    from urllib.parse import parse_qs, unquote, urlsplit

    if content_disposition:
        m = re.search(r"filename\*?=(?:UTF-8'')?[\"']?([^\"';]+)", content_disposition, re.I)
        if m:
            return unquote(m.group(1))
    parts = urlsplit(url)
    for key in ("filename", "fileName", "showname", "name"):
        vals = parse_qs(parts.query).get(key)
        if vals and "." in vals[0]:
            return vals[0]
    tail = unquote(parts.path.rsplit("/", 1)[-1])
    return tail or None


def declared_charset(content_type: str | None) -> str | None:
    """The charset a Content-Type header claims, lower-cased, or None."""
    if not content_type:
        return None
    m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", content_type, re.I)
    return m.group(1).lower() if m else None


def detect_encoding(data: bytes, header_content_type: str | None = None) -> str:
    """The codec that really decodes ``data``: the extractors' rule (BOM, strict UTF-8,
    the declared charset if the bytes decode with it, else GB18030), with the HTTP
    header's charset tried before the page's own ``<meta>``."""
    declared = python_codec(declared_charset(header_content_type))
    if declared:
        try:
            data.decode(declared)
        except (UnicodeDecodeError, LookupError):
            declared = None
    _, codec = decode_text(data, declared or python_codec(page_charset(data)))
    return "utf-8" if codec == "utf-8-sig" else codec
