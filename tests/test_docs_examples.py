"""docs/datasets.md is generated from the schema and up to date, and its one-line examples run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb  # noqa: F401  (used by the examples)
import pandas as pd  # noqa: F401
import polars as pl  # noqa: F401
import pytest

from extractors import EXTRACTOR_VERSION
from extractors.schema import SCHEMA
from pipelines.load import load_warehouse
from pipelines.reader import read_table  # noqa: F401  (used by the documented examples)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs"))
import gen_dictionary  # noqa: E402


def test_committed_dictionary_is_up_to_date():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "gen_dictionary.py"), "--check"], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr


def test_dictionary_names_every_key_with_its_chinese_label():
    text = (ROOT / "docs" / "datasets.md").read_text("utf-8")
    for table in SCHEMA.tables.values():
        for item in (*table.rows, *table.cols, *(i for g in table.groups for i in (*g.rows, *g.cols))):
            assert f"`{item.key}`" in text and item.label in text, item.key
    for name in (
        "reports",
        "cells",
        "requests",
        "proactive",
        "appeals",
        "checks",
        "documents",
        "crawl_log",
        "coverage",
    ):
        assert f"### `{name}`" in text


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, fill, extract_all):
    data = tmp_path_factory.mktemp("docs")
    fill(data, counties=[("610329", "麟游县"), ("320813", "洪泽区")], years=(2021, 2022), faulty={("320813", 2022)})
    extract_all(data)
    load_warehouse(data, None, EXTRACTOR_VERSION)
    return data / "warehouse"


@pytest.mark.parametrize("lib,example", [(lib, e) for lib, ex in gen_dictionary.EXAMPLES.items() for e in ex])
def test_example_runs(warehouse, lib, example):
    result = eval(example.replace("{wh}", str(warehouse)))  # the line exactly as documented
    assert len(result) > 0
