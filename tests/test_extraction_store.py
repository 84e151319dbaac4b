"""The extraction store's index answers what a run needs without a query per document, and a key stored again
replaces its entry under a new sequence number (what an incremental load follows)."""

from __future__ import annotations

import hashlib

from pipelines.extracted import ExtractionStore


def _sha(i: int) -> str:
    return hashlib.sha256(str(i).encode()).hexdigest()


def _report(i: int, title: str = "麟游县人民政府2022年政府信息公开工作年度报告") -> dict:
    return {
        "path": f"{i}.html",
        "sha256": _sha(i),
        "format": "html",
        "report": {"title": title, "report_year": 2022, "jurisdiction_code": "610329"},
        "cells": [{"table": "requests", "row": "new_received", "col": "total", "value": i, "raw": str(i)}],
    }


def test_extracted_answers_for_thousands_of_documents_per_version(tmp_path):
    with ExtractionStore(tmp_path / "extracted") as store:
        store.put_many((_sha(i), "1", _report(i)) for i in range(2500))  # past SQLite's 999 parameters per query
        store.put_many((_sha(i), "2", _report(i)) for i in range(0, 2500, 7))
        asked = [_sha(i) for i in range(3000)]  # 500 never extracted
        assert store.extracted(asked, "1") == {_sha(i) for i in range(2500)}
        assert store.extracted(iter(asked), "2") == {_sha(i) for i in range(0, 2500, 7)}
        assert store.extracted(asked, "3") == set()
        assert store.extracted([], "1") == set()


def test_a_key_stored_again_is_replaced_under_a_new_sequence_number(tmp_path):
    with ExtractionStore(tmp_path / "extracted") as store:
        store.put_many((_sha(i), "1", _report(i)) for i in range(40))  # two row groups
        seq, count = store.sequence()
        assert count == 40
        store.put_many([(_sha(3), "1", _report(3, title="新标题")), (_sha(99), "1", _report(99))])
        assert store.sequence() == (seq + 2, 41)  # one replaced, one new: each a new number
        assert store.changed_since(seq) == {_sha(3), _sha(99)}
        assert store.get(_sha(3), "1")["report"]["title"] == "新标题"  # read back from the newer batch, as bytes
        assert store.get(_sha(35), "1") == _report(35)  # the second row group of the first batch, non-ASCII intact
