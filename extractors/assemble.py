"""Fragments of each table's region → canonical cells, by label and by the form's row order.

The form fixes the order of 三's rows, so labelled fragments are anchors and the rows
between two anchors can only take the unlabelled fragments between them, and only when
their numbers agree; otherwise the rows stay empty and a problem says why. Nothing is
placed by counting digits across the page.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from extractors.align import FAILS, HOLDS, Aligned, blank, choose, readings, row_fit, solve_columns
from extractors.document import Row
from extractors.fragments import Fragment, Token, Unit, build_fragments, units_of
from extractors.labels import Match, match_label
from extractors.layout import place_in_columns
from extractors.model import Cell, ExtraRow, Problem, TableInfo
from extractors.money import MONEY_KINDS, printed_units, to_wan
from extractors.schema import FORM_VERSIONS, SCHEMA, Item, Table, version_for_year
from extractors.values import clean, parse_cached, parse_value

ANCHOR_SCORE = 0.78


@dataclass
class TableResult:
    info: TableInfo | None = None
    cells: list[Cell] = field(default_factory=list)
    extra_rows: list[ExtraRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _best_match(frag: Fragment, table: str) -> Match | None:
    best: Match | None = None
    for i, text in enumerate(frag.labels):
        found = match_label(text, table)
        if found is not None:
            score = found.score - 0.01 * i  # prefer the label nearest the values
            if best is None or score > best.score:
                best = Match(found.key, score)
    return best


def _cells_for_row(
    table: Table,
    row_key: str,
    cols: tuple[Item, ...],
    frag: Fragment,
    centers: list[float] | None,
    result: TableResult,
    undecided: dict | None = None,
) -> None:
    """Record one row's cells. A row whose cell count is not the form's is aligned by its
    identities; when several readings remain and ``undecided`` is given, they are left there
    for the column identities to decide (``_settle``), else the row is reported ambiguous."""
    values = list(frag.values)
    pages = [frag.page] if frag.page else None
    placed: list[tuple[Item, Token]] = []
    if len(values) == len(cols):
        placed = list(zip(cols, values))
    elif centers and _positioned(values):
        slots = place_in_columns(values, centers)
        placed = [(c, tok or Token("", True)) for c, tok in zip(cols, slots)] if slots is not None else []
    elif sum(1 for v in values if not blank(v.text)) > len(cols):
        window = _window(values, len(cols), _row_score(table, cols))
        if window is None:
            result.problems.append(
                Problem(
                    "ambiguous_alignment",
                    f"row {row_key} of {table.key} prints more numbers than the form has "
                    f"columns ({' | '.join(v.text for v in values)}) and which of them are its cells cannot be "
                    "told from its identities, so none was recorded",
                    table.key,
                    pages,
                )
            )
            return
        start, chosen = window
        placed = list(zip(cols, chosen))
        extra = " ".join(v.text for v in values[:start] + values[start + len(cols) :] if not blank(v.text))
        result.problems.append(
            Problem(
                "extra_values",
                f"row {row_key} of {table.key} prints more numbers than the form has columns; "
                f"kept the {len(cols)} its identities confirm, ignored: {extra}",
                table.key,
                pages,
            )
        )
    else:
        aligned = _align(values, len(cols), _row_score(table, cols))
        if aligned is not None and aligned.slots is None and aligned.readings > 1:
            if undecided is not None:
                undecided[row_key] = (frag, aligned)
            else:
                _ambiguous(table, row_key, len(cols), frag, aligned, result)
            return
        if aligned is not None and aligned.slots is not None:
            placed = [(c, tok or Token("", True)) for c, tok in zip(cols, aligned.slots)]
    if not placed:
        raw = " ".join(v.text for v in values)
        result.problems.append(
            Problem(
                "row_short",
                f"row {row_key} of {table.key} has {len(values)} values for {len(cols)} columns "
                f"({raw}); which column each belongs to cannot be told, so none was recorded",
                table.key,
                pages,
            )
        )
        return
    for col, tok in placed:
        value, flags, unit = parse_cached(tok.text, col.kind, col.unit)  # parse_value without its Value made
        result.cells.append(Cell(table.key, row_key, col.key, value, tok.text.strip(), list(flags), frag.page, unit))


def _ambiguous(table: Table, row_key: str, width: int, frag: Fragment, aligned: Aligned, result: TableResult) -> None:
    raw = " | ".join(v.text for v in frag.values)
    result.problems.append(
        Problem(
            "ambiguous_alignment",
            f"row {row_key} of {table.key} prints {len(frag.values)} cells for {width} "
            f"columns ({raw}); {aligned.fitting} of its {aligned.readings} possible readings fit equally "
            "(the form's identities do not tell them apart), so none was recorded",
            table.key,
            [frag.page] if frag.page else None,
        )
    )


def _settle(table: Table, version: str, undecided: dict, result: TableResult) -> None:
    """Rows left with several readings: decided together by the column identities, or reported."""
    if not undecided:
        return
    known = {(c.row, c.col): c.value for c in result.cells if c.table == table.key}
    options = {row: [(fit, values) for fit, values, _ in aligned.options] for row, (_, aligned) in undecided.items()}
    cols = table.cols_for(version) if version in FORM_VERSIONS else table.cols
    chosen: dict[str, tuple] = {}
    if version in FORM_VERSIONS:
        progress = True
        while progress:  # one row at a time while that decides rows, then the rest together
            progress = False
            for row in [r for r in options if r not in chosen]:
                got = solve_columns(table.key, version, known, {row: options[row]})
                if row in got:
                    chosen[row] = got[row]
                    known.update({(row, c.key): v for c, v in zip(cols, got[row])})
                    progress = True
        rest = {r: o for r, o in options.items() if r not in chosen}
        chosen.update(solve_columns(table.key, version, known, rest))
    for row, (frag, aligned) in undecided.items():
        if row in chosen:
            slots = next(option for _, values, option in aligned.options if values == chosen[row])
            for col, tok in zip(cols, slots):
                tok = tok or Token("", True)
                parsed = parse_value(tok.text, col.kind, col.unit)
                result.cells.append(
                    Cell(table.key, row, col.key, parsed.value, tok.text.strip(), parsed.flags, frag.page, parsed.unit)
                )
        else:
            _ambiguous(table, row, len(cols), frag, aligned, result)


def _row_score(table: Table, cols: tuple[Item, ...]):
    """(fit, values) of one reading of a row: how its row identities take it."""
    keys = [c.key for c in cols]

    def score(option: list[Token | None]) -> tuple[int, tuple]:
        parsed = tuple(
            parse_value(t.text, c.kind, c.unit).value if t is not None else None for c, t in zip(cols, option)
        )
        return row_fit(table.key, keys, parsed), parsed

    return score


def _groups_score(table: Table):
    """(fit, values) of one reading of 四's line: the worst fit of its rows side by side."""
    cols, keys = table.cols, [c.key for c in table.cols]

    def score(option: list[Token | None]) -> tuple[int, tuple]:
        parsed = tuple(
            parse_value(t.text, cols[k % len(cols)].kind).value if t is not None else None for k, t in enumerate(option)
        )
        return min(
            row_fit(table.key, keys, parsed[i : i + len(cols)]) for i in range(0, len(parsed), len(cols))
        ), parsed

    return score


def _window(values: list[Token], width: int, score) -> tuple[int, list[Token]] | None:
    """Cells printing more numbers than the form has (a stray page number, a note's figure): the
    one run of ``width`` consecutive cells the identities confirm, with where it starts; None if
    several fit."""
    options = [values[i : i + width] for i in range(len(values) - width + 1)]
    aligned = choose(options, score)  # type: ignore[arg-type]
    if aligned.slots is None:
        return None
    return next(i for i, o in enumerate(options) if o is aligned.slots), aligned.slots  # type: ignore[return-value]


def _align(values: list[Token], width: int, score) -> Aligned | None:
    """The reading of cells whose count is not the form's that the identities confirm."""
    options = readings(values, width, lambda v: blank(v.text))
    return None if options is None else choose(options, score)


def _column_centers(frags: list[Fragment], width: int) -> list[float] | None:
    """Median x-centre of each column, from rows that print every column (PDF only)."""
    full = [f for f in frags if len(f.values) == width and all(v.x0 is not None for v in f.values)]
    if not full:
        return None
    return [statistics.median((f.values[k].x0 + f.values[k].x1) / 2 for f in full) for k in range(width)]  # type: ignore[operator]


def _header_centers(units: list[Unit], table: str, count: int) -> list[float] | None:
    """x-centres of a table's leaf column headers (PDF), left to right, when all ``count`` are there."""
    centers = []
    for unit in units:
        for tok in unit.labels:
            if tok.x0 is None:
                continue
            m = match_label(tok.text, table, "cols")
            if m is not None and m.score >= 0.9:
                centers.append((tok.x0 + tok.x1) / 2)
    centers.sort()
    return centers if len(centers) == count else None


def _positioned(values: list[Token]) -> bool:
    """Every printed value knows where it sits (PDF)."""
    return all(v.x0 is not None for v in values if clean(v.text))


def _monotonic_anchors(matched: list[tuple[int, int, float]]) -> list[tuple[int, int]]:
    """Best-scoring subsequence of (fragment index, row position) increasing in both."""
    n = len(matched)
    if not n:
        return []
    best = [m[2] for m in matched]
    prev = [-1] * n
    for i in range(n):
        for j in range(i):
            if matched[j][1] < matched[i][1] and best[j] + matched[i][2] > best[i]:
                best[i] = best[j] + matched[i][2]
                prev[i] = j
    i = max(range(n), key=lambda k: best[k])
    out = []
    while i != -1:
        out.append((matched[i][0], matched[i][1]))
        i = prev[i]
    return out[::-1]


def read_requests(rows: list[Row], year: int | None) -> TableResult:
    """Two readings: labels anywhere above a row of numbers count as its label, or only a
    label on the numbers' own row does (PDF converters shuffle loose labels). The reading
    that places more rows without ambiguity wins; a tie keeps the first."""
    table = SCHEMA["requests"]
    cut = TableResult()
    units = units_of(rows)
    frags = _cut_repeat([f for f in build_fragments(units, table.line_width) if f.values], cut)
    anchors = _anchor_candidates(frags)
    best = _place_requests(frags, units, year, anchors)
    own = [a for a in anchors if frags[a[0]].own_label]
    if own != anchors:  # else the second reading has the same anchors, so the same result, and the first is kept
        result = _place_requests(frags, units, year, own)
        if _quality(result) > _quality(best):
            best = result
    best.problems[:0] = cut.problems
    return best


def _quality(result: TableResult) -> tuple[int, int]:
    return len(result.cells), -len(result.problems)


_REQUESTS_ORDER = {r.key: i for i, r in enumerate(SCHEMA["requests"].rows)}


def _anchor_candidates(frags: list[Fragment]) -> list[tuple[int, int, float]]:
    """(fragment index, row position, score) of every fragment whose label surely names a row of 三."""
    matched = []
    for i, frag in enumerate(frags):
        m = _best_match(frag, "requests")
        if m is not None and m.score >= ANCHOR_SCORE and (frag.numeric or m.score >= 0.9):
            matched.append((i, _REQUESTS_ORDER[m.key], m.score))
    return matched


def _place_requests(
    frags: list[Fragment], units: list[Unit], year: int | None, matched: list[tuple[int, int, float]]
) -> TableResult:
    """One reading of 三, from the anchors ``matched`` (see :func:`_anchor_candidates`)."""
    table = SCHEMA["requests"]
    result = TableResult()
    keys = {i: table.rows[pos].key for i, pos in _monotonic_anchors(matched)}  # fragment -> row

    version, evidence = _requests_version(set(keys.values()), units, year)
    result.info = TableInfo(version, evidence)
    version_rows = [r.key for r in (table.rows_for(version) if version in FORM_VERSIONS else table.rows)]
    keys = {i: k for i, k in keys.items() if k in version_rows}

    # Unlabelled fragments fill the rows between two anchors when the counts agree; with no
    # anchor at all there is no label to count from, and position alone fills nothing.
    bounds = (
        [(-1, -1)] + sorted((i, version_rows.index(k)) for i, k in keys.items()) + [(len(frags), len(version_rows))]
    )
    width = len(table.cols)
    for (f0, r0), (f1, r1) in zip(bounds, bounds[1:]):
        missing = version_rows[r0 + 1 : r1]
        between = [i for i in range(f0 + 1, f1) if i not in keys]
        complete = [i for i in between if _full_row(frags[i], width)]
        fits = all(_row_score(table, table.cols)(frags[i].values[:width])[0] != FAILS for i in complete)
        if missing and complete and keys and len(complete) == len(missing) and fits:  # only between label anchors
            keys.update(zip(complete, missing))
        elif missing and complete:
            result.problems.append(
                Problem(
                    "ambiguous_rows",
                    f"{len(complete)} unlabelled rows of numbers for {len(missing)} rows "
                    f"({', '.join(missing)})"
                    + ("" if fits else ", and a row total among them does not add up")
                    + "; left empty rather than guessed",
                    "requests",
                )
            )
        inside = f0 >= 0 and f1 < len(frags)  # sentences before or notes after the table are not rows
        if inside and not missing:
            for i in between:
                if frags[i].labels and frags[i].own_label or i in complete:
                    _extra(result, "requests", frags[i])
    centers = _column_centers(frags, width) or _header_centers(units, "requests", width)
    undecided: dict = {}
    loose = bool(keys) and any(frags[i].numeric and i not in keys for i in range(min(keys), max(keys) + 1))
    for i in sorted(keys, key=lambda i: version_rows.index(keys[i])):
        if loose and _gathered_and_failing(table, frags[i]):
            result.problems.append(
                Problem(
                    "ambiguous_alignment",
                    f"row {keys[i]} of 三 takes its numbers ({' '.join(v.text for v in frags[i].values)}) from the "
                    "lines after its label, they do not add up to its total, and numbers no row claims remain in the "
                    "table: the cells were not printed row by row, so none was recorded",
                    "requests",
                    [frags[i].page] if frags[i].page else None,
                )
            )
            continue
        _cells_for_row(table, keys[i], table.cols, frags[i], centers, result, undecided)
    _settle(table, version, undecided, result)
    _blank_rows(table, units, frags, keys, version_rows, result)
    order = {k: n for n, k in enumerate(version_rows)}
    result.cells.sort(key=lambda c: order.get(c.row, len(order)))
    return result


def _gathered_and_failing(table: Table, frag: Fragment) -> bool:
    """A row whose numbers came from the lines after its label and contradict its row total."""
    if not frag.continued or len(frag.values) != len(table.cols):
        return False
    return _row_score(table, table.cols)(frag.values)[0] == FAILS


def _blank_rows(
    table: Table, units: list[Unit], frags: list[Fragment], keys: dict[int, str], rows: list[str], result: TableResult
) -> None:
    """Rows of a PDF table that print their label and no number at all: every cell blank.

    A PDF has no text for a blank cell, so such a row leaves no fragment. It is recorded blank
    only when it surely is: its own label is printed on a line without numbers, the row took
    no numbers, and no numbers in the table are left over that could be its cells."""
    positioned = any(v.x0 is not None for u in units for v in u.values)
    if not positioned or not keys:
        return
    first, last = min(keys), max(keys)
    if any(frags[i].numeric and i not in keys for i in range(first, last + 1)):
        return  # loose numbers inside the table: a row without numbers may own them
    taken = set(keys.values())
    frag_of = {id(v): i for i, f in enumerate(frags) for v in f.values}
    found: dict[str, int | None] = {}
    at = -1  # the fragment last passed: only labels between the first and last row read count
    for unit in units:
        if unit.values:
            at = max(at, max(frag_of.get(id(v), -1) for v in unit.values))
            continue
        if not unit.labels or not first <= at < last:
            continue
        m = match_label("".join(t.text for t in unit.labels), table.key)
        if m is not None and m.score >= 0.9 and m.key in rows and m.key not in taken:
            found.setdefault(m.key, unit.page)
    for key in rows:
        if key in found:
            for col in table.cols:
                result.cells.append(Cell(table.key, key, col.key, None, "", ["blank"], found[key], None))


def _full_row(frag: Fragment, width: int) -> bool:
    """An unlabelled row that prints every column: ``width`` cells, or more where the extra
    ones are trailing empty placeholders."""
    values = frag.values
    return len(values) >= width and not any(clean(v.text) for v in values[width:])


def _cut_repeat(frags: list[Fragment], result: TableResult) -> list[Fragment]:
    """A second copy of 三 (a department table after the summary) starts at a second
    本年新收 row once the first copy has reached its last rows."""
    seen_end = False
    for i, f in enumerate(frags):
        m = _best_match(f, "requests")
        if m is None or not f.numeric:
            continue
        if m.key in ("total_processed", "carried_forward"):
            seen_end = True
        elif m.key == "new_received" and seen_end:
            result.problems.append(
                Problem("table_repeated", "the 三 table is printed more than once; the first copy was read", "requests")
            )
            return frags[:i]
    return frags


def _requests_version(keys: set[str], units: list[Unit], year: int | None) -> tuple[str, list[str]]:
    """Rows read that only one version prints, else labels only one version prints, else the year."""
    for version in SCHEMA.versions.values():
        hits = keys & version.markers_for("requests").rows
        if hits:
            return version.id, [f"rows only the {version.id} form prints: {', '.join(sorted(hits))}"]
    return _version_from_labels(units, "requests") or _version_from_year(year)


def _version_from_labels(units: list[Unit], table: str) -> tuple[str, list[str]] | None:
    """The version whose marker labels the table prints most often (ties: the newer), if any."""
    votes = dict.fromkeys(FORM_VERSIONS, 0)
    evidence: list[str] = []
    for tok, _, key in _labels_printed(units, table):
        for version in FORM_VERSIONS:
            if key in SCHEMA.versions[version].markers_for(table).labels:
                votes[version] += 1
                if len(evidence) < 4:
                    evidence.append(f"{tok.text.strip()} ({version} form)")
    best = max(votes, key=votes.__getitem__)
    return (best, evidence) if votes[best] else None


def _labels_printed(units: list[Unit], table: str) -> list[tuple[Token, str, str]]:
    """Every label token that surely names one of the table's columns or rows: (token, kind, key)."""
    found = []
    for unit in units:
        for tok in unit.labels:
            for kind in ("cols", "rows"):
                m = match_label(tok.text, table, kind)
                if m is not None and m.score >= 0.9:
                    found.append((tok, kind, m.key))
    return found


def _version_from_year(year: int | None) -> tuple[str, list[str]]:
    version = version_for_year(year)
    if version is None:
        return "unknown", ["no row, column or year tells the form version"]
    return version, [f"report year {year}"]


def _extra(result: TableResult, table: str, frag: Fragment) -> None:
    if not frag.numeric:
        return  # a header cell followed by blank cells is not a row
    label = frag.labels[0] if frag.labels else ""
    result.extra_rows.append(ExtraRow(table, label, [v.text for v in frag.values], frag.page))


def read_proactive(rows: list[Row], year: int | None) -> TableResult:
    table = SCHEMA["proactive"]
    result = TableResult()
    units = units_of(rows)
    header_x: dict[str, list[float]] = {}  # column key -> x centres of its header (PDF)
    for tok, kind, key in _labels_printed(units, "proactive"):
        if kind == "cols" and tok.x0 is not None:
            header_x.setdefault(key, []).append((tok.x0 + tok.x1) / 2)
    version, evidence = _version_from_labels(units, "proactive") or _version_from_year(year)
    frags = [f for f in build_fragments(units, table.line_width) if f.values]
    matches = [_best_match(frag, "proactive") for frag in frags]
    # Numbers right after a row's that no label claims mean the cells were not flattened row by
    # row: a row whose numbers were gathered from the lines after its label may hold another
    # row's (二 has no identity to tell).
    loose = [
        (m is None or m.score < ANCHOR_SCORE) and not f.own_label and not f.labels and f.numeric
        for f, m in zip(frags, matches)
    ]
    seen: set[str] = set()
    for i, (frag, m) in enumerate(zip(frags, matches)):
        if m is None or m.score < ANCHOR_SCORE:
            if seen and frag.labels and frag.own_label and len(frag.labels[0]) <= 24 and len(frag.values) <= 3:
                _extra(result, "proactive", frag)
            elif not frag.own_label and frag.numeric:
                result.problems.append(
                    Problem(
                        "unassigned_values",
                        "numbers without a row label in 二: " + " ".join(v.text for v in frag.values),
                        "proactive",
                        [frag.page] if frag.page else None,
                    )
                )
            continue
        cols = table.cols_for(version, m.key)
        if not cols or m.key in seen:
            if m.key in seen:
                result.problems.append(
                    Problem("row_repeated", f"row {m.key} of 二 printed twice; first kept", "proactive")
                )
            continue
        seen.add(m.key)
        if frag.continued and len(cols) > 1 and i + 1 < len(frags) and loose[i + 1]:
            result.problems.append(
                Problem(
                    "ambiguous_alignment",
                    f"row {m.key} of 二 takes its numbers ({' '.join(v.text for v in frag.values)}) from the lines "
                    "after its label and more numbers that belong to no row follow them: which are its cannot be "
                    "told, so none was recorded",
                    "proactive",
                    [frag.page] if frag.page else None,
                )
            )
            continue
        centers = [statistics.median(header_x[c.key]) for c in cols] if all(c.key in header_x for c in cols) else None
        _cells_for_row(table, m.key, cols, frag, centers, result)
    if seen and not any(p.code == "unassigned_values" for p in result.problems):
        _blank_proactive_rows(table, version, units, seen, result)
    money = {c.key: c for c in table.cols_for(version) if c.kind in MONEY_KINDS}
    if money:
        units = printed_units(rows, "proactive")
        result.cells = [to_wan(c, money[c.col].unit, units) if c.col in money else c for c in result.cells]
    if result.cells or seen:
        result.info = TableInfo(version, evidence)
    return result


def _blank_proactive_rows(table: Table, version: str, units: list[Unit], seen: set[str], result: TableResult) -> None:
    """Rows of 二 in a PDF that print their label and no number (a blank row has no text in its
    cells): recorded blank, as in 三, when the table leaves no number without a row."""
    if not any(v.x0 is not None for u in units for v in u.values):
        return
    for unit in units:
        if unit.values or not unit.labels:
            continue
        m = match_label("".join(t.text for t in unit.labels), table.key)
        cols = table.cols_for(version, m.key) if m is not None and m.score >= 0.9 else ()
        if m is None or not cols or m.key in seen:
            continue
        seen.add(m.key)
        result.cells.extend(Cell(table.key, m.key, c.key, None, "", ["blank"], unit.page, None) for c in cols)
    order = {r.key: i for i, r in enumerate(table.rows)}
    result.cells.sort(key=lambda c: order.get(c.row, len(order)))


def _header_printed(table: Table, rows: list[Row]) -> bool:
    """The table's own header is printed among ``rows``: nearly every character of its row
    and column labels is there (characters, not words: narrow columns print 结果维持 one
    character per line). Only then may values be placed by position (verified geometry);
    numbers near no label are not a table (a page decoded in the wrong charset kept its
    digits, lost every label, and became a 15-cell 四)."""
    wanted = {ch for item in (*table.rows, *table.cols) for ch in item.label if not ch.isspace()}
    present = set("".join(r.text for r in rows))
    # 0.6: a header whose middle level (未经复议直接起诉 / 复议后起诉) a converter dropped is still this
    # table's; a wrongly decoded page keeps next to none of these characters
    return len(wanted & present) >= 0.6 * len(wanted)


def _line_confirmed(table: Table, frags: list[Fragment], rows: list[Row]) -> bool:
    """四's line of numbers under a header that lost its lower levels (only ``行政复议行政诉讼``
    left): read only when both group labels are printed, the line prints exactly one number for
    every cell, and each of its three groups adds up to its printed total."""
    text = "".join(r.text for r in rows).replace(" ", "")
    if not all(g in text for g in ("行政复议", "行政诉讼")):
        return False
    numbers = [v for f in frags for v in f.values if clean(v.text)]
    if len(frags) != 1 or len(frags[0].values) != len(numbers) or len(numbers) != table.line_width:
        return False
    fit, values = _groups_score(table)(list(numbers))
    return fit == HOLDS and all(v is not None for v in values)


def read_appeals(rows: list[Row], year: int | None, version_hint: str | None) -> TableResult:
    """四 by its labelled rows, else as the form prints it: its rows side by side on one line,
    one group of columns each (``layout = "column_groups"``)."""
    table = SCHEMA["appeals"]
    result = TableResult()
    units = units_of(rows)
    frags = [f for f in build_fragments(units, table.line_width) if f.values]
    by_row: dict[str, Fragment] = {}
    for frag in frags:
        m = _best_match(frag, "appeals")
        if m is not None and m.score >= 0.9 and len(frag.values) == len(table.cols):
            by_row.setdefault(m.key, frag)
    if by_row:
        for row in table.rows:
            if row.key in by_row:
                _cells_for_row(table, row.key, table.cols, by_row[row.key], None, result)
    elif _header_printed(table, rows) or _line_confirmed(table, frags, rows):
        _read_column_groups(table, frags, units, result)
    if result.cells:
        version = version_hint or _version_from_year(year)[0]
        result.info = TableInfo(version, ["same in both forms; version of the report's other tables"])
    return result


def _read_column_groups(table: Table, frags: list[Fragment], units: list[Unit], result: TableResult) -> None:
    """One line of values for every row side by side: split into one group of columns per row."""
    width, group = table.line_width, len(table.cols)
    sequence: list[Token] = []
    page = None
    pieces = 0  # runs of numbers the line is made of: more than one when text stands between them
    for frag in frags:
        if not sequence and not any(clean(v.text) for v in frag.values):
            continue
        page = page or frag.page
        sequence.extend(frag.values)
        pieces += 1
    slots: list[Token] | None = None
    numbers = sum(1 for t in sequence if clean(t.text))
    if len(sequence) == width and pieces > 1 and _groups_score(table)(list(sequence))[0] == FAILS:
        result.problems.append(
            Problem(
                "ambiguous_alignment",
                f"{table.section} prints its {width} cells in pieces with text between them "
                f"({' | '.join(t.text for t in sequence)}) and read in that order its totals do not add up: "
                "the cells were not printed in the form's order, so none was recorded",
                table.key,
            )
        )
        return
    if len(sequence) == width:
        slots = sequence
    elif numbers > width:
        window = _window(sequence, width, _groups_score(table))
        if window is None:
            result.problems.append(
                Problem(
                    "ambiguous_alignment",
                    f"{table.section} prints {numbers} numbers for its {width} cells "
                    f"({' '.join(t.text for t in sequence)}) and which are its cells its totals do not tell; "
                    "none recorded",
                    table.key,
                )
            )
            return
        start, slots = window
        result.problems.append(
            Problem(
                "extra_values",
                f"numbers beside the {width} cells of {table.section} ignored: "
                + " ".join(t.text for t in sequence[:start] + sequence[start + width :] if clean(t.text)),
                table.key,
            )
        )
    elif sequence and _positioned(sequence) and (centers := _header_centers(units, table.key, width)):
        placed = place_in_columns(sequence, centers)
        slots = [tok or Token("", True) for tok in placed] if placed is not None else None
    elif sequence:
        aligned = _align(sequence, width, _groups_score(table))
        if aligned is not None and aligned.slots is None and aligned.readings > 1:
            result.problems.append(
                Problem(
                    "ambiguous_alignment",
                    f"{table.section} prints {len(sequence)} cells for its {width} "
                    f"({' | '.join(t.text for t in sequence)}); {aligned.fitting} of its {aligned.readings} possible "
                    "readings fit its totals equally, so none was recorded",
                    table.key,
                )
            )
            return
        if aligned is not None and aligned.slots is not None:
            slots = [tok or Token("", True) for tok in aligned.slots]
    if slots is not None:
        for i, row in enumerate(table.rows):
            frag = Fragment([row.label], slots[i * group : i * group + group], page)
            _cells_for_row(table, row.key, table.cols, frag, None, result)
    elif sequence:
        result.problems.append(
            Problem(
                "row_short",
                f"{table.section} prints {len(sequence)} values for its {width} cells "
                f"({' '.join(t.text for t in sequence)}); none recorded",
                table.key,
            )
        )
