"""Generators of the hostile documents of issue 12, built small in the test's own folder.

Each is a real document made by a real tool (python-docx, openpyxl, zlib) and then bent
the way an attacker bends it; nothing large is committed.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus" / "files"


def _rezip(data: bytes, member: str, edit) -> bytes:
    """The same archive with one member's bytes passed through ``edit``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            target.writestr(info.filename, edit(body) if info.filename == member else body)
    return out.getvalue()


def gridspan_docx() -> bytes:
    """A Word table whose cells each claim a gridSpan of two billion columns (40 KB on disk)."""
    import docx

    document = docx.Document()
    table = document.add_table(rows=40, cols=3)
    for row in table.rows:
        for cell in row.cells:
            cell.text = "1"
    buffer = io.BytesIO()
    document.save(buffer)
    span = b'<w:tcPr><w:gridSpan w:val="2000000000"/></w:tcPr>'
    return _rezip(
        buffer.getvalue(),
        "word/document.xml",
        lambda xml: re.sub(rb"<w:tc>(?:<w:tcPr>.*?</w:tcPr>)?", b"<w:tc>" + span, xml),
    )


def huge_span_html(cells: int = 400) -> bytes:
    """Rows of cells spanning 100 × 100 positions each: millions of positions from 30 KB."""
    row = "<tr>" + '<td rowspan="100" colspan="100">7</td>' * 5 + "</tr>"
    return f"<html><body><p>政府信息公开工作年度报告</p><table>{row * (cells // 5)}</table></body></html>".encode()


def _workbook(edit_sheet=None, **cells: object) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "本年新收政府信息公开申请数量"
    sheet["B1"] = 3
    for ref, value in cells.items():
        sheet[ref] = value
    sheet.merge_cells("A2:B3")
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    return _rezip(data, "xl/worksheets/sheet1.xml", edit_sheet) if edit_sheet else data


def far_corner_xlsx() -> bytes:
    """One value in the sheet's last cell, XFD1048576."""
    return _workbook(XFD1048576="1")


def huge_merge_xlsx() -> bytes:
    """One merge over the whole sheet (openpyxl would make 17 billion merged-cell objects)."""
    return _workbook(lambda xml: xml.replace(b'ref="A2:B3"', b'ref="A2:XFD1048576"'))


def flate_bomb_pdf(unpacked: int = 1 << 30) -> bytes:
    """A one-page PDF whose content stream is ``unpacked`` bytes of spaces, deflated (~1 MB).

    Built from one 1 MB block compressed after a full flush (which resets the window, so
    every repetition compresses to the same bytes), repeated, with the right Adler-32."""
    chunk = b" " * (1 << 20)
    packer = zlib.compressobj(9)
    head = packer.compress(b"") + packer.flush(zlib.Z_FULL_FLUSH)
    block = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    tail = packer.flush()[:-4]  # the final empty block, without the Adler-32 of one chunk
    checksum = 1
    for _ in range(unpacked >> 20):
        checksum = zlib.adler32(chunk, checksum)
    body = head + block * (unpacked >> 20) + tail + checksum.to_bytes(4, "big")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body) + body + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def zip_with_a_broken_utf8_name() -> bytes:
    """A zip whose member name is flagged UTF-8 but is not: zipfile raises UnicodeDecodeError."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/é.xml", b"<x/>")
    return buffer.getvalue().replace("é".encode(), b"\xff\xfe")


def damaged(data: bytes, seed: int) -> bytes:
    """``data`` bent one of the ways downloads and attackers bend it: bytes overwritten,
    cut short, a block duplicated, or the head zeroed (deterministic per seed)."""
    import random

    rng = random.Random(seed)
    data = bytearray(data)
    kind = seed % 4
    if kind == 0:
        for _ in range(max(1, len(data) // 500)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif kind == 1:
        del data[rng.randrange(1, len(data)) :]
    elif kind == 2:
        at = rng.randrange(len(data))
        data[at:at] = data[max(0, at - 4096) : at]
    else:
        data[: min(len(data), 64)] = bytes(min(len(data), 64))
    return bytes(data)
