"""The fixture corpus (tests/corpus/files/) against ``extractors.extract``.

Every document was built by a real tool from a known truth (``<id>.truth.json``, format in
tests/corpus/README.md). For each document the extractor's report must give:

- the truth's error code, for a bad input, and nothing else;
- otherwise: the same format, report year, issuing body and per-table form versions;
  every truth cell at its (table, row, col) with the same value (floats within 1e-9,
  counts as int, printed-but-empty cells as None with the same raw text) and no cell the
  truth does not have; the same ``table_missing`` problems; every broken identity as a
  failed check and no check that contradicts the truth; the same extra rows.

``test_truth_is_consistent`` checks the corpus itself and needs no extractor.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from extractors.schema import SCHEMA
from tests.corpus.truth import NULL_TEXTS, TABLES, broken_identities, evaluate_identities

FILES = Path(__file__).parent / "corpus" / "files"
INDEX = json.loads((FILES / "index.json").read_text("utf-8"))
DOCS = INDEX["documents"]
ERROR_CODES = {
    "empty_file",
    "corrupt_file",
    "truncated_file",
    "encrypted",
    "no_text_layer",
    "unsupported_format",
    "too_large",
    "zip_bomb",
    "unsafe_xml",
    "not_a_report",
}
FLOAT_TOL = 1e-9
SHOW = 25  # mismatches shown per failing document


def _params():
    out = []
    for d in DOCS:
        marks = [pytest.mark.slow] if d["format"] in ("doc", "wps") else []  # LibreOffice conversion
        out.append(pytest.param(d["id"], id=d["id"], marks=marks))
    return out


def load_truth(doc_id: str) -> dict:
    return json.loads((FILES / f"{doc_id}.truth.json").read_text("utf-8"))


def norm(text: str | None) -> str:
    """NFKC, no whitespace: how raw texts and labels are compared."""
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def kind_of(table: str, version: str, col: str) -> str:
    item = SCHEMA[table].col(version, col)
    return item.kind if item else "count"


def same_value(expected, found, kind: str) -> bool:
    if expected is None or found is None:
        return expected is None and found is None
    if isinstance(found, bool) or not isinstance(found, (int, float)):
        return False
    if kind in ("count", "signed"):
        return isinstance(found, int) and found == expected
    return abs(float(expected) - float(found)) <= FLOAT_TOL


# --------------------------------------------------------------------------- the corpus itself


def test_index_lists_every_file_and_stays_small():
    listed = {d["file"] for d in DOCS} | {d["truth"] for d in DOCS} | {"index.json"}
    present = {p.name for p in FILES.iterdir()}
    assert present == listed, {"unlisted": sorted(present - listed), "missing": sorted(listed - present)}
    assert len(DOCS) >= 70
    assert sum(p.stat().st_size for p in FILES.iterdir()) < 4 * 1024 * 1024


@pytest.mark.parametrize("doc_id", [d["id"] for d in DOCS])
def test_truth_is_consistent(doc_id):
    t = load_truth(doc_id)
    assert t["id"] == doc_id and (FILES / t["file"]).exists()
    if t["error"]:
        assert t["error"]["code"] in ERROR_CODES
        assert t["cells"] == [] and t["tables"] == {}
        return
    assert t["format"] in ("html", "pdf", "docx", "doc", "wps", "xls", "xlsx", "text")
    versions = t["tables"]
    seen = {}
    for c in t["cells"]:
        key = (c["table"], c["row"], c["col"])
        assert key not in seen, key
        seen[key] = c["value"]
        kind = kind_of(c["table"], versions[c["table"]], c["col"])
        if c["value"] is None:
            # blank, or money printed with no unit anywhere (its scale cannot be known)
            assert c["raw"] in NULL_TEXTS or (kind == "amount" and c["raw"].replace(".", "").isdigit()), c
        elif kind in ("count", "signed"):
            assert isinstance(c["value"], int) and not isinstance(c["value"], bool), c
        else:
            assert isinstance(c["value"], float), c
    for table, version in versions.items():
        printed = {(r, col) for (tt, r, col) in seen if tt == table}
        assert printed == set(SCHEMA[table].cells_for(version)), table
    assert {k[0] for k in seen} == set(versions)
    missing = sorted(p["table"] for p in t["problems"] if p["code"] == "table_missing")
    assert missing == sorted(set(TABLES) - set(versions))
    assert broken_identities(seen, versions) == t["broken_identities"]
    assert t["report"]["issuing_body"] and t["report"]["report_year"]


# --------------------------------------------------------------------------- the extractor


def compare(t: dict, out: dict) -> list[str]:
    """Every difference between a truth and an extractor report, most important first."""
    errs: list[str] = []
    if t["format"] is not None and out.get("format") != t["format"]:
        errs.append(f"format: expected {t['format']!r}, found {out.get('format')!r}")
    if t["error"]:
        found = (out.get("error") or {}).get("code")
        if found != t["error"]["code"]:
            errs.append(f"error: expected {t['error']['code']!r}, found {found!r}")
        return errs
    if out.get("error"):
        return errs + [f"error: expected none, found {out['error']}"]

    meta = out.get("report") or {}
    if meta.get("report_year") != t["report"]["report_year"]:
        errs.append(f"report_year: expected {t['report']['report_year']}, found {meta.get('report_year')!r}")
    if norm(meta.get("issuing_body")) != norm(t["report"]["issuing_body"]):
        errs.append(f"issuing_body: expected {t['report']['issuing_body']!r}, found {meta.get('issuing_body')!r}")
    tables = out.get("tables") or {}
    for table, version in t["tables"].items():
        found = (tables.get(table) or {}).get("form_version")
        if found != version:
            errs.append(f"tables.{table}.form_version: expected {version!r}, found {found!r}")

    # cells
    found_cells: dict[tuple, dict] = {}
    for c in out.get("cells") or []:
        key = (c.get("table"), c.get("row"), c.get("col"))
        if key in found_cells:
            errs.append(f"cell {'.'.join(map(str, key))}: reported twice")
        found_cells[key] = c
    wrong = []
    for c in t["cells"]:
        key = (c["table"], c["row"], c["col"])
        name = ".".join(key)
        got = found_cells.get(key)
        if got is None:
            wrong.append(f"cell {name}: missing (expected {c['value']!r}, raw {c['raw']!r})")
            continue
        kind = kind_of(c["table"], t["tables"][c["table"]], c["col"])
        if not same_value(c["value"], got.get("value"), kind):
            wrong.append(
                f"cell {name}: expected {c['value']!r} (raw {c['raw']!r}), found {got.get('value')!r} "
                f"(raw {got.get('raw')!r})"
            )
        elif c["value"] is None and norm(got.get("raw")) != norm(c["raw"]):
            wrong.append(f"cell {name}: empty cell raw expected {c['raw']!r}, found {got.get('raw')!r}")
    truth_keys = {(c["table"], c["row"], c["col"]) for c in t["cells"]}
    for key, got in found_cells.items():
        if key not in truth_keys:
            wrong.append(
                f"cell {'.'.join(map(str, key))}: not in the document (found {got.get('value')!r}, "
                f"raw {got.get('raw')!r})"
            )
    if wrong:
        errs.append(f"{len(wrong)} wrong cells of {len(t['cells'])}:")
        errs.extend("  " + w for w in wrong)

    # problems: a missing table is said, and only then
    want_missing = sorted(p["table"] for p in t["problems"] if p["code"] == "table_missing")
    got_missing = sorted(p.get("table") for p in out.get("problems") or [] if p.get("code") == "table_missing")
    if want_missing != got_missing:
        errs.append(f"table_missing problems: expected {want_missing}, found {got_missing}")

    # identities
    values = {(c["table"], c["row"], c["col"]): c["value"] for c in t["cells"]}
    instances = {}
    for inst in evaluate_identities(values, t["tables"]):
        instances[(inst["id"], inst.get("row"), inst.get("col"))] = inst
    checks = out.get("checks") or []
    for ident in t["broken_identities"]:
        if not any(ch.get("id") == ident and ch.get("ok") is False for ch in checks):
            errs.append(f"identity {ident}: broken in the document, no failed check reported")
    for ch in checks:
        inst = instances.get((ch.get("id"), ch.get("row"), ch.get("col")))
        if inst is None:
            if ch.get("ok") is False and ch.get("id") not in t["broken_identities"] and not ch.get("missing"):
                errs.append(f"check {ch}: fails, but the truth breaks no {ch.get('id')}")
            continue
        if inst["ok"] is not None and ch.get("ok") is not None and ch.get("ok") != inst["ok"]:
            where = ch.get("row") or ch.get("col")
            errs.append(
                f"check {ch.get('id')} [{where}]: reported ok={ch.get('ok')}, truth "
                f"{inst['lhs']} vs {inst['rhs']} (ok={inst['ok']})"
            )

    # extra rows
    want_extra = sorted((r["table"], norm(r["label"])) for r in t["extra_rows"])
    got_extra = sorted((r.get("table"), norm(r.get("label"))) for r in out.get("extra_rows") or [])
    if want_extra != got_extra:
        errs.append(f"extra_rows: expected {want_extra}, found {got_extra}")
    return errs


@pytest.mark.parametrize("doc_id", _params())
def test_extractor_matches_truth(doc_id):
    from extractors import extract

    t = load_truth(doc_id)
    path = FILES / t["file"]
    out = extract(str(path)).to_dict()
    errs = compare(t, out)
    if errs:
        head = f"{doc_id} ({t['file']}, quirks: {', '.join(t['quirks'])}): {len(errs)} problem(s)"
        shown = errs[:SHOW]
        more = [f"... and {len(errs) - SHOW} more"] if len(errs) > SHOW else []
        pytest.fail("\n".join([head, *shown, *more]), pytrace=False)
