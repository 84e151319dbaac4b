"""Bytes → str for Chinese documents whose declared charset may be missing or wrong.

Order: BOM (a UTF-16 one only when the bytes hold the zeros UTF-16 text has); strict
UTF-8; then the page's charset is decided from the bytes as a whole and stray bytes are
replaced, never allowed to flip the whole page into another codec:

- mostly valid UTF-8 (a stray byte, or a GBK fragment pasted into a UTF-8 page): UTF-8,
  with each run of bytes that is not UTF-8 read as GB18030 where it is, part by part;
- otherwise the declared charset when it is a multi-byte CJK one, else GB18030 (a
  superset of GBK and GB2312), with U+FFFD for the bytes that fit nothing.

Why not a statistical detector: one 0xFF before a good GBK page made one pick
mac_cyrillic, and 200 right cells became 15 wrong ones. A declared charset is a hint,
never trusted over the bytes: county sites often say utf-8 and send GBK.
"""

from __future__ import annotations

import codecs
import re
import threading

_META = re.compile(rb"""<meta[^>]{0,400}?charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030", "utf8": "utf-8"}
_CJK = {"gb18030", "big5", "big5hkscs", "cp950", "euc_jp", "euc-jp", "shift_jis", "cp932", "euc_kr", "euc-kr", "cp949"}
_ASCII = bytes(range(128))
_UTF8_SHARE = 0.7  # at least this share of the non-ASCII bytes must be valid UTF-8 for a UTF-8 page
_counted = threading.local()


def python_codec(name: str | None) -> str | None:
    """A declared charset as the Python codec that really decodes such pages (GBK → GB18030)."""
    return _ALIASES.get(name.lower(), name.lower()) if name else None


def declared_charset(data: bytes) -> str | None:
    found = _META.search(data[:4096])
    return found.group(1).decode("ascii").lower() if found else None


def decode_text(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Return (text, encoding used); never raises, never guesses a single-byte codec."""
    if data.startswith(codecs.BOM_UTF8):
        return data.decode("utf-8-sig", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and data.count(0) * 20 >= len(data):
        return data.decode("utf-16", errors="replace"), "utf-16"  # a real UTF-16 page: its ASCII is half zero bytes
    if declared and data.isascii():
        return data.decode("ascii"), python_codec(declared) or "ascii"  # any codec reads ASCII; keep the declared one
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _mostly_utf8(data):
        return data.decode("utf-8", errors="ogi-gb-fragments"), "utf-8"
    codec = python_codec(declared)
    if codec not in _CJK:
        codec = "gb18030"
    try:
        return data.decode(codec, errors="replace"), codec
    except LookupError:
        return data.decode("gb18030", errors="replace"), "gb18030"


class _TooMany(Exception):
    pass


def _mostly_utf8(data: bytes) -> bool:
    """At least ``_UTF8_SHARE`` of the non-ASCII bytes form valid UTF-8; the count stops as
    soon as the invalid ones rule that out (a GBK page is decided within its first lines)."""
    _counted.bytes = 0
    _counted.limit = (1 - _UTF8_SHARE) * len(data.translate(None, _ASCII))
    try:
        data.decode("utf-8", errors="ogi-count")
    except _TooMany:
        return False
    return True


def _count(exc: UnicodeDecodeError) -> tuple[str, int]:
    _counted.bytes += exc.end - exc.start
    if _counted.bytes > _counted.limit:
        raise _TooMany
    return "", exc.end


def _gb_fragments(exc: UnicodeDecodeError) -> tuple[str, int]:
    """Inside a UTF-8 page, a run of bytes that is not UTF-8: read it as GB18030 pair by
    pair until ASCII or a real UTF-8 character comes back; a byte that fits neither is U+FFFD."""
    data: bytes = exc.object  # type: ignore[assignment]
    i, out = exc.start, []
    while i < len(data) and data[i] >= 0x80 and (i == exc.start or not _utf8_char_at(data, i)):
        width = _gb_width(data, i)
        if width:
            out.append(data[i : i + width].decode("gb18030"))
            i += width
        else:
            out.append("\ufffd")
            i += 1
    return "".join(out), max(i, exc.start + 1)


def _gb_width(data: bytes, i: int) -> int:
    """2 or 4 when a GB18030 character starts at ``i``, else 0."""
    lead = data[i]
    if not 0x81 <= lead <= 0xFE or i + 1 >= len(data):
        return 0
    second = data[i + 1]
    if 0x40 <= second <= 0xFE and second != 0x7F:
        return 2
    if 0x30 <= second <= 0x39 and i + 3 < len(data) and 0x81 <= data[i + 2] <= 0xFE and 0x30 <= data[i + 3] <= 0x39:
        return 4
    return 0


def _utf8_char_at(data: bytes, i: int) -> bool:
    """A valid 3- or 4-byte UTF-8 character (CJK text) starts at ``i``; 2-byte ones are too
    often a GBK pair by chance to end a GBK run."""
    lead = data[i]
    width = 3 if 0xE0 <= lead <= 0xEF else 4 if 0xF0 <= lead <= 0xF4 else 0
    if not width:
        return False
    try:
        data[i : i + width].decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


codecs.register_error("ogi-count", _count)
codecs.register_error("ogi-gb-fragments", _gb_fragments)
