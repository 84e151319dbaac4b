"""The fixture corpus, perturbed the ways real pages break it (tests/perturb.py): every cell
right, or left null with its table flagged; never a wrong value.

Each truth document of tests/corpus/files is printed again as HTML or text with: tables
flattened to `|` lines or one `<p>` per cell with merged-cell placeholders, empty cells
dropped, one cell per line, tab-indented cells; a misprinted or missing heading; a 注 under
三 (as lines or as a table row); notes in cells; no title (the year is in the opening line).
"""

from __future__ import annotations

import pytest

from extractors import extract_bytes
from tests.perturb import VARIANTS, judge, perturbed, truths

TRUTHS = truths()
# Share of cells read (not just flagged) below which a variant has regressed: empty cells
# dropped by a converter leave some rows honestly undecidable, nothing else does.
READ_AT_LEAST = 0.98


def _name(v) -> str:
    parts = [
        v.flatten,
        f"heading-{v.heading}" if v.heading != "ok" else "",
        f"footnote-{v.footnote}" if v.footnote else "",
        "notes" if v.notes else "",
        "" if v.title else "no-title",
    ]
    return "+".join(p for p in parts if p)


@pytest.mark.parametrize("variant", VARIANTS, ids=_name)
def test_never_a_wrong_value(variant):
    right = nulled = 0
    wrong: list[str] = []
    for t in TRUTHS:
        name, data, expected = perturbed(t, variant)
        r, n, w = judge(expected, extract_bytes(data, name=name))
        right, nulled = right + r, nulled + n
        wrong += [f"{t['id']}: {x}" for x in w]
    assert not wrong, f"{len(wrong)} wrong: " + "; ".join(wrong[:10])
    assert right / (right + nulled) >= READ_AT_LEAST, (right, nulled)


def test_the_suite_covers_the_corpus():
    assert len(TRUTHS) >= 65
    assert {t["tables"].get("requests") for t in TRUTHS} >= {"2019", "2021"}
