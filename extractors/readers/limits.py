"""Bounds every reader checks before it allocates (grid sizes, decompressed bytes), and
the tie that makes a helper process die with the process that started it.

Why caps rather than trust: a 40 KB DOCX can declare a gridSpan of two billion, an
HTML cell a rowspan of 65,534, an XLSX a merge over a whole sheet; expanding them is
what costs memory, so the size is computed from the declarations first and refused as
``too_large_grid``. The form's biggest table is about 30 rows by 15 columns; these caps
are thousands of times that.
"""

from __future__ import annotations

import ctypes
import re
import signal
import zlib

from extractors.model import ExtractError

MAX_GRID_COLS = 1_000  # Word allows 63 columns, Excel 16,384; no report table is wider than ~20
MAX_GRID_ROWS = 50_000
MAX_GRID_CELLS = 500_000  # positions of one table once spans and merges are laid out
MAX_INFLATED = 256 * 1024 * 1024  # bytes a document's compressed streams may unpack to, all together


def check_grid(rows: int, cols: int, what: str, positions: int | None = None) -> None:
    """Refuse a grid of ``rows`` × ``cols`` (or ``positions`` covered by spans and merges)
    before it is laid out."""
    if cols > MAX_GRID_COLS or rows > MAX_GRID_ROWS or max(rows * cols, positions or 0) > MAX_GRID_CELLS:
        covered = f" ({positions} positions under spans or merges)" if positions else ""
        raise ExtractError(
            "too_large_grid",
            (
                f"{what} spans {rows} rows × {cols} columns{covered}, over the {MAX_GRID_ROWS} × "
                f"{MAX_GRID_COLS} (or {MAX_GRID_CELLS} positions) a table may take: refused"
            ),
        )


def inflated_size(stream: bytes, budget: int, wbits: int = zlib.MAX_WBITS) -> int | None:
    """How many bytes a zlib/deflate stream unpacks to, counted in 1 MB steps without
    keeping them; stops as soon as it passes ``budget`` (returns budget + 1). None when
    the bytes are not a valid stream (the reader reports that itself)."""
    inflater = zlib.decompressobj(wbits)
    total = 0
    data = stream
    try:
        while data:
            chunk = inflater.decompress(data, 1 << 20)
            total += len(chunk)
            if total > budget:
                return budget + 1
            data = inflater.unconsumed_tail
            if inflater.eof or not chunk:
                break
    except zlib.error:
        return total if total else None
    return total


_STREAM = re.compile(rb"stream\r?\n")
_DEFLATE_MAX_RATIO = 1032


def check_pdf_streams(data: bytes, budget: int = MAX_INFLATED) -> None:
    """Refuse a PDF whose Flate streams unpack past ``budget`` before PDFium inflates one.

    Why scan first: PDFium inflates a content or font stream whole into memory, so a 1 MB
    stream of zeros becomes a 1 GB buffer inside C code. Image streams are skipped (text
    extraction never decodes them). Deflate cannot exceed 1,032:1, so streams are bounded
    by their packed size and only the largest are really inflated (in 1 MB steps, thrown
    away) until the bound fits the budget: a real report costs one or two inflations."""
    view = memoryview(data)
    spans = []
    for found in _STREAM.finditer(data):
        head = data[max(0, found.start() - 1024) : found.start()]
        head = head[head.rfind(b"obj") + 1 :] if b"obj" in head else head
        if b"Flate" not in head and b"/Fl" not in head or b"/Image" in head:
            continue
        end = data.find(b"endstream", found.end())
        spans.append((found.end(), end if end >= 0 else len(data)))
    bound = sum(end - start for start, end in spans) * _DEFLATE_MAX_RATIO
    for start, end in sorted(spans, key=lambda s: s[0] - s[1]):
        if bound <= budget:
            return
        size = inflated_size(view[start:end], budget) or 0
        bound -= (end - start) * _DEFLATE_MAX_RATIO - size
        if size > budget:
            break
    if bound > budget:
        raise ExtractError(
            "decompression_bomb",
            f"the PDF's compressed streams unpack past {budget} bytes (a decompression bomb): refused before reading",
        )


try:  # resolved now: a preexec_fn runs after fork, where loading a library may deadlock
    _prctl = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):
    _prctl = None


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Ask the kernel to send ``sig`` when the parent dies (Linux PR_SET_PDEATHSIG; a no-op
    elsewhere). Called in a child between fork and exec; it survives the exec."""
    if _prctl is not None:
        _prctl(1, int(sig), 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
