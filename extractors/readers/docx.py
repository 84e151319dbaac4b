"""DOCX → rows, straight from ``word/document.xml`` with a hardened XML parser.

Why not python-docx: it resolves nothing dangerous, but it also hides how cells are
merged; here gridSpan and vMerge become the covered (None) cells of a full grid, tables
nested in a cell are read after the cell's own text, and the archive is checked for
zip bombs before anything is inflated.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

from lxml import etree

from extractors.document import Document
from extractors.model import ExtractError
from extractors.readers.limits import check_grid

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MAX_UNPACKED = 200 * 1024 * 1024
MAX_RATIO = 200
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.I)


def safe_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
    )


def open_member(archive: zipfile.ZipFile, name: str) -> bytes:
    """Read one archive member after checking the whole archive is not a bomb and the
    member declares no DTD or entities (a real Office file never does)."""
    total = sum(info.file_size for info in archive.infolist())
    packed = sum(info.compress_size for info in archive.infolist()) or 1
    if total > MAX_UNPACKED or total / packed > MAX_RATIO and total > 10 * 1024 * 1024:
        raise ExtractError("zip_bomb", f"the archive unpacks to {total} bytes from {packed}: refused as a zip bomb")
    try:
        with archive.open(name) as member:
            data = member.read(MAX_UNPACKED + 1)
    except KeyError as exc:
        raise ExtractError("corrupt_file", f"the archive has no {name}") from exc
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error, NotImplementedError, RuntimeError) as exc:
        raise ExtractError("corrupt_file", f"cannot unpack {name}: {exc}") from exc
    if len(data) > MAX_UNPACKED:
        raise ExtractError("zip_bomb", f"{name} unpacks past {MAX_UNPACKED} bytes: refused as a zip bomb")
    if _DOCTYPE.search(data[:4096]):
        raise ExtractError("unsafe_xml", f"{name} declares a DTD or entities (possible XXE); refused unread")
    return data


def read_docx(data: bytes) -> Document:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ExtractError("corrupt_file", f"not a readable DOCX archive: {exc}") from exc
    xml = open_member(archive, "word/document.xml")
    try:
        root = etree.fromstring(xml, safe_parser())
    except etree.XMLSyntaxError as exc:
        raise ExtractError("corrupt_file", f"word/document.xml is not well-formed: {exc}") from exc
    doc = Document("docx")
    body = root.find(f"{W}body")
    pictures = _pictures(archive)
    if body is not None:
        _blocks(body, doc, pictures)
    if pictures is not None:
        doc.problems.extend(pictures.problems())
    return doc


def _pictures(archive: zipfile.ZipFile):
    """OCR of the pictures a paragraph shows (tables pasted as images), when OCR is there."""
    from extractors import ocr

    if not any(n.startswith("word/media/") for n in archive.namelist()) or not ocr.available():
        return None
    from extractors.ocr.pictures import Pictures

    try:
        rels = etree.fromstring(open_member(archive, "word/_rels/document.xml.rels"), safe_parser())
    except (ExtractError, etree.XMLSyntaxError):
        return None
    targets = {r.get("Id"): r.get("Target", "") for r in rels if r.get("TargetMode") != "External"}

    def media(rid: str) -> bytes | None:
        target = targets.get(rid, "")
        name = target.lstrip("/") if target.startswith("/") else f"word/{target}"
        if not name.startswith("word/media/") or ".." in name:
            return None
        try:
            return open_member(archive, name)
        except ExtractError:
            return None

    return Pictures(media=media)


_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PICTURE_REFS = (
    "{http://schemas.openxmlformats.org/drawingml/2006/main}blip",
    "{urn:schemas-microsoft-com:vml}imagedata",
)


def _blocks(parent: etree._Element, doc: Document, pictures=None) -> None:
    for node in parent:
        tag = node.tag
        if tag == f"{W}p":
            doc.add_line(_paragraph_text(node))
            if pictures is not None:
                for ref in node.iter(*_PICTURE_REFS):
                    doc.rows.extend(pictures.read_media(ref.get(f"{_R}embed") or ref.get(f"{_R}id")))
        elif tag == f"{W}tbl":
            nested: list[etree._Element] = []
            doc.add_grid(_grid(node, nested))
            for inner in nested:
                holder = Document("docx")
                _blocks_of_table(inner, holder)
                doc.rows.extend(holder.rows)
        elif tag in (f"{W}sdt", f"{W}customXml", f"{W}smartTag"):
            content = node.find(f"{W}sdtContent")
            _blocks(content if content is not None else node, doc, pictures)


def _blocks_of_table(table: etree._Element, doc: Document) -> None:
    nested: list[etree._Element] = []
    doc.add_grid(_grid(table, nested))
    for inner in nested:
        _blocks_of_table(inner, doc)


def _paragraph_text(p: etree._Element) -> str:
    parts: list[str] = []
    for el in p.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr", f"{W}noBreakHyphen"):
        if el.tag == f"{W}t":
            parts.append(el.text or "")
        elif el.tag == f"{W}tab":
            parts.append(" ")
        elif el.tag == f"{W}noBreakHyphen":
            parts.append("-")
        else:
            parts.append("")
    return "".join(parts)


def _cell_text(tc: etree._Element, nested: list[etree._Element]) -> str:
    lines = []
    for child in tc:
        if child.tag == f"{W}p":
            lines.append(_paragraph_text(child))
        elif child.tag == f"{W}tbl":
            nested.append(child)
        elif child.tag == f"{W}sdt":
            for p in child.iter(f"{W}p"):
                lines.append(_paragraph_text(p))
    return "".join(line.strip() for line in lines)


def _grid(table: etree._Element, nested: list[etree._Element]) -> list[list[str | None]]:
    """Rows of cell texts on the table's grid; merged continuations are None."""
    grid: list[list[str | None]] = []
    for tr in table.iter(f"{W}tr"):
        if tr.getparent() is not table:
            continue  # rows of a nested table are read with that table
        line: list[str | None] = []
        before = tr.find(f"{W}trPr/{W}gridBefore")
        width = max(0, _int(before.get(f"{W}val"), 0)) if before is not None else 0
        cells = tr.findall(f"{W}tc")
        for tc in cells:
            span = tc.find(f"{W}tcPr/{W}gridSpan")
            width += max(1, _int(span.get(f"{W}val"), 1)) if span is not None else 1
        check_grid(len(grid) + 1, width, "a Word table row")  # before a single position is laid out
        if before is not None:
            line.extend([None] * max(0, _int(before.get(f"{W}val"), 0)))
        for tc in cells:
            props = tc.find(f"{W}tcPr")
            span = 1
            merged_continue = False
            if props is not None:
                grid_span = props.find(f"{W}gridSpan")
                if grid_span is not None:
                    span = max(1, _int(grid_span.get(f"{W}val"), 1))
                v_merge = props.find(f"{W}vMerge")
                if v_merge is not None and v_merge.get(f"{W}val", "continue") != "restart":
                    merged_continue = True
                if props.find(f"{W}hMerge") is not None and props.find(f"{W}hMerge").get(f"{W}val") != "restart":
                    merged_continue = True
            text = _cell_text(tc, nested)
            line.append(None if merged_continue else text)
            line.extend([None] * (span - 1))
        grid.append(line)
    return grid


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except (ValueError, OverflowError):
        return default
