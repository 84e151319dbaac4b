"""Column types as documented, read back with pandas (the documented reader), DuckDB and Polars."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa

from extractors import EXTRACTOR_VERSION
from pipelines.load import load_warehouse
from pipelines.local_import import import_files
from pipelines.rawstore import RawStore
from pipelines.reader import read_table

CORPUS = Path(__file__).resolve().parent / "corpus" / "files"


def test_dates_timestamps_counts_and_report_year_keep_their_types(tmp_path, fill, extract_all):
    fill(tmp_path, counties=[("610329", "麟游县")], years=(2022,))
    folder = tmp_path / "mine"
    folder.mkdir()
    shutil.copy(CORPUS / "html-pipe-cells-2021-total-only.html", folder)  # applicant cells blank: nulls among counts
    with RawStore(tmp_path / "raw") as raw:
        import_files(raw, [folder])
    extract_all(tmp_path)
    load_warehouse(tmp_path, None, EXTRACTOR_VERSION)
    wh = tmp_path / "warehouse"

    reports = read_table("reports", wh)
    assert reports["report_year"].dtype == pd.ArrowDtype(pa.int64())
    assert reports["published_date"].dtype == pd.ArrowDtype(pa.date32())
    assert reports["cells_found"].dtype == pd.ArrowDtype(pa.int32())
    assert str(reports.loc[reports.issuing_body == "麟游县人民政府", "published_date"].iloc[0]) == "2023-01-20"

    requests = read_table("requests", wh, filters=[("row_key", "=", "new_received")])
    assert requests["commercial"].dtype == pd.ArrowDtype(pa.int64())
    assert requests["commercial"].isna().any() and requests["total"].notna().all()  # nulls, and still integers

    documents = read_table("documents", wh)
    assert documents["fetched_at"].dtype == pd.ArrowDtype(pa.timestamp("us", tz="UTC"))

    types = dict(
        duckdb.sql(
            f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM "
            f"read_parquet('{wh}/reports/**/*.parquet', hive_partitioning=true))"
        ).fetchall()
    )
    assert (types["report_year"], types["published_date"]) == ("BIGINT", "DATE")
    doc_types = dict(
        duckdb.sql(
            f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('{wh}/documents/*.parquet'))"
        ).fetchall()
    )
    assert doc_types["fetched_at"] == "TIMESTAMP WITH TIME ZONE"
    schema = pl.read_parquet(f"{wh}/reports/**/*.parquet", hive_partitioning=True).schema
    assert (schema["report_year"], schema["published_date"]) == (pl.Int64, pl.Date)
    assert pd.read_parquet(f"{wh}/requests", dtype_backend="pyarrow")["commercial"].dtype == pd.ArrowDtype(pa.int64())
