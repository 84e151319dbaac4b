"""Bytes → str for Chinese documents whose declared charset may be missing or wrong.

Order: BOM, then strict UTF-8, then the declared charset if it decodes strictly, then
GB18030 (a superset of GBK and GB2312), then charset-normalizer. A declared charset is
a hint, never trusted over the bytes: county sites often say utf-8 and send GBK.
"""

from __future__ import annotations

import codecs
import re

_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030", "utf8": "utf-8"}


def python_codec(name: str | None) -> str | None:
    """A declared charset as the Python codec that really decodes such pages (GBK → GB18030)."""
    return _ALIASES.get(name.lower(), name.lower()) if name else None


def declared_charset(data: bytes) -> str | None:
    found = _META.search(data[:4096])
    return found.group(1).decode("ascii").lower() if found else None


def decode_text(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Return (text, encoding used)."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(name, errors="replace"), name
    if declared and data.isascii():
        return data.decode("ascii"), python_codec(declared) or "ascii"  # any codec reads ASCII; keep the declared one
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    candidates = [python_codec(declared)] if declared else []
    candidates.append("gb18030")
    for name in candidates:
        try:
            return data.decode(name), name
        except (UnicodeDecodeError, LookupError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None:
        return str(best), best.encoding
    return data.decode("gb18030", errors="replace"), "gb18030"
