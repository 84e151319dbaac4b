"""Rows → fragments: a label (or the label lines just above) with the values that follow it.

Why fragments and not digit counting: a row's numbers are attached to the label nearest
before them, and only up to the row's width; a stray number (page number, footnote)
becomes a fragment of its own that the alignment step can drop, instead of shifting
every later cell. Values that came loose from their label (PDF converters do that)
become orphan fragments that alignment places by the form's row order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.document import Row, TextCell
from extractors.labels import normalize, strip_markers
from extractors.values import clean, is_value

_PIPE_RULE = re.compile(r"^\|?\s*:?-{2,}")
_PAGE_LINE = re.compile(
    r"^(?:[-—–－]+\s*\d{1,3}\s*[-—–－]+|第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?|Page\s*\d+.*|P\.\s*\d+)$", re.I
)
_NOTE = re.compile(r"^[(（][^()（）]*[)）]$")
_MAX_NOTE_PIECE = 16  # characters: the rest of a wrapped note on one line of a narrow column
_NUMBER_ONLY = re.compile(r"^[+\-]?\d[\d,]*(?:\.\d+)?$")  # a number with no note of its own yet


@dataclass(slots=True)
class Token:
    text: str
    is_value: bool
    x0: float | None = None
    x1: float | None = None


@dataclass(slots=True)
class Unit:
    """One label/value group of a row: its label tokens and the value tokens after them."""

    labels: list[Token]
    values: list[Token]
    page: int | None
    table_start: bool = False


@dataclass(slots=True)
class Fragment:
    labels: list[str]  # candidate label texts, the most specific (nearest the values) first
    values: list[Token] = field(default_factory=list)
    page: int | None = None
    own_label: bool = True  # the label was on the values' own row
    continued: bool = False  # values taken from lines after the first (one cell per line)

    @property
    def numeric(self) -> int:
        return sum(1 for v in self.values if clean(v.text))


def is_page_marker(text: str) -> bool:
    return bool(_PAGE_LINE.match(text.strip()))


def split_line(text: str) -> list[str]:
    """A text line's cells: by ``|`` or tab when present, else label + trailing numbers."""
    if _PIPE_RULE.match(text.strip()):
        return []
    if "|" in text:
        parts = text.split("|")
        stripped = text.strip()
        if stripped.startswith("|") and parts and not parts[0].strip():
            parts = parts[1:]
        if parts and not parts[-1].strip():
            parts = parts[:-1]
        return [p.strip() for p in parts] if parts else [""]
    if "\t" in text.strip():
        return [p.strip() for p in text.strip().split("\t")]
    return _peel_numbers(text.strip())


def _peel_numbers(text: str) -> list[str]:
    words = text.split()
    tail: list[str] = []
    while words and is_value(words[-1]) and clean(words[-1]):
        tail.append(words.pop())
    if not tail:
        return [text]
    head = " ".join(words)
    return ([head] if head else []) + tail[::-1]


def to_units(row: Row) -> list[Unit]:
    """A row's label/value groups. Usually one; a flattened row that prints several form
    rows side by side (行政许可 | 6564 | 行政处罚 | 610) gives one unit per group, and blank
    placeholder cells before a label (a rowspan flattened to text) are dropped."""
    if row.grid or len(row.cells) > 1:
        cells = row.cells
    elif not row.cells or is_page_marker(row.cells[0].text):
        return []
    else:
        pieces = split_line(row.cells[0].text)
        cells = row.cells if pieces == [row.cells[0].text.strip()] else [TextCell(t) for t in pieces]
    if not cells or len(cells) == 1 and is_page_marker(cells[0].text):
        return []
    tokens: list[Token] = []
    for cell in cells:
        text = cell.text
        valued = is_value(text)
        # A parenthetical note under a number ("22" / "（其中修订16件）") belongs to that number (a note is never a
        # value itself: the test that costs nothing goes first).
        if not valued and tokens and tokens[-1].is_value and clean(tokens[-1].text) and _NOTE.match(clean(text)):
            tokens[-1] = Token(tokens[-1].text + text, True, tokens[-1].x0, tokens[-1].x1)
        else:
            tokens.append(Token(text, valued, cell.x0, cell.x1))
    units: list[Unit] = []
    labels: list[Token] = []
    values: list[Token] = []
    for tok in tokens:
        if tok.is_value:
            values.append(tok)
            continue
        if values:
            if labels or any(clean(v.text) for v in values):
                units.append(Unit(labels, values, row.page, row.table_start and not units))
            labels, values = [], []
        if tok.text:
            labels.append(tok)
    if labels or values:
        units.append(Unit(labels, values, row.page, row.table_start and not units))
    return units


def units_of(rows: list[Row]) -> list[Unit]:
    """Every label/value group of a table region, parsed once and shared by all readers of it.

    A line that is only a parenthetical note right under a number (``22`` / ``（其中修订16件）``:
    a cell wrapped in a PDF or its text) is that number's note, not a label."""
    units: list[Unit] = []
    for row in rows:
        for unit in to_units(row):
            if units and _wrapped_note(units[-1], unit):
                last = units[-1].values[-1]
                units[-1].values[-1] = Token(last.text + unit.labels[0].text, True, last.x0, last.x1)
                continue
            if units and (k := _open_note(units[-1], unit)) is not None:
                cut = units[-1].values[k]
                units[-1].values[k] = Token(cut.text + (unit.labels or unit.values)[0].text, True, cut.x0, cut.x1)
                continue
            units.append(unit)
    return units


def _open_note(previous: Unit, unit: Unit) -> int | None:
    """The value of ``previous`` whose note a wrap cut (``5（含`` over ``转办2`` over ``件）``) and
    that the lone piece of text in ``unit`` continues: under it (PDF), else the last one."""
    pieces = unit.labels + unit.values
    text = normalize(pieces[0].text) if len(pieces) == 1 else ""
    if not text or len(text) > _MAX_NOTE_PIECE or strip_markers(text) != text:
        return None  # a row label (（二）部分公开…, 1.属于…) is never the rest of a note
    piece = pieces[0]
    for k in range(len(previous.values) - 1, -1, -1):
        text = clean(previous.values[k].text)
        if text.count("(") <= text.count(")"):
            if piece.x0 is None:
                return None  # text: only the last value can be the one continued
            continue
        value = previous.values[k]
        if None in (piece.x0, piece.x1, value.x0, value.x1):
            return k
        if piece.x0 < value.x1 and value.x0 < piece.x1:  # type: ignore[operator]
            return k
    return None


def _wrapped_note(previous: Unit, unit: Unit) -> bool:
    if len(unit.labels) != 1 or unit.values or not _NOTE.match(clean(unit.labels[0].text)) or not previous.values:
        return False
    note, last = unit.labels[0], previous.values[-1]
    if _NUMBER_ONLY.match(clean(last.text)) is None:
        return False
    if None not in (note.x0, note.x1, last.x0, last.x1):  # PDF: only under that very number
        return note.x0 < last.x1 and last.x0 < note.x1  # type: ignore[operator]
    return True


def build_fragments(units: list[Unit], width: int) -> list[Fragment]:
    """Group units into fragments. ``width`` is the widest row the table has (7 for 三)."""
    fragments: list[Fragment] = []
    pending: list[str] = []
    current: Fragment | None = None
    for unit in units:
        has_values = bool(unit.values)
        if unit.labels and has_values:
            own = [t.text for t in unit.labels]
            current = Fragment(_label_candidates(pending[-3:], own), list(unit.values), unit.page)
            fragments.append(current)
            pending = []
        elif unit.labels:
            if current is not None:
                current = None
                pending = []
            pending.append("".join(t.text for t in unit.labels))
        elif has_values:
            if current is not None and len(current.values) + len(unit.values) <= width and not unit.table_start:
                current.values.extend(unit.values)
                current.continued = True
            elif pending:
                current = Fragment(_label_candidates(pending[-3:], []), list(unit.values), unit.page, own_label=False)
                fragments.append(current)
                pending = []
            else:
                current = Fragment([], list(unit.values), unit.page, own_label=False)
                fragments.append(current)
    return fragments


def _label_candidates(pending: list[str], own: list[str]) -> list[str]:
    """Texts that may be the fragment's row label, most specific (nearest the values) first."""
    out: list[str] = []
    if own:
        out.append(own[-1])
        if len(own) > 1:
            out.append("".join(own[-2:]))
            out.append("".join(own))
        for k in range(1, len(pending) + 1):
            out.append("".join(pending[-k:]) + own[-1])
    else:
        for k in range(1, len(pending) + 1):
            out.append("".join(pending[-k:]))
    return out
