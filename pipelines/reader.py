"""The documented way to read a warehouse table into pandas with its types intact.

Why: ``pd.read_parquet`` turns an integer column with a null into floats and a hive partition
into a category of strings. This reader keeps every column's Arrow type (pyarrow-backed
pandas dtypes: counts stay integers with nulls, dates stay dates, timestamps stay UTC) and
reads ``report_year`` as the int64 the data dictionary documents, the type DuckDB and Polars
also give it.

    from pipelines.reader import read_table
    requests = read_table("requests", "data/warehouse", filters=[("report_year", "=", 2023)])
"""

from __future__ import annotations

import os
from typing import Any

import pandas as pd
import pyarrow as pa

from pipelines.datasets import Warehouse
from pipelines.tables import PARTITION_COLUMNS, TABLES


def read_table(
    table: str,
    warehouse: str | os.PathLike[str] = "data/warehouse",
    filters: list[tuple[str, str, Any]] | None = None,
    columns: list[str] | None = None,
) -> pd.DataFrame:
    """One table as a pandas DataFrame with pyarrow dtypes; ``filters`` as in ``pd.read_parquet``."""
    import pyarrow.dataset as ds

    if table not in TABLES:
        raise KeyError(f"no table {table!r}; the tables are: {', '.join(TABLES)}")
    spec = TABLES[table]
    wh = Warehouse(warehouse)
    base = f"{wh.root}/{table}"
    if not wh.fs.exists(base):
        empty = pa.schema([pa.field(c.name, c.type) for c in spec.all_columns]).empty_table()
        return empty.to_pandas(types_mapper=pd.ArrowDtype)
    partitioning = (
        ds.partitioning(pa.schema([pa.field(c.name, c.type) for c in PARTITION_COLUMNS]), flavor="hive")
        if spec.partitioned
        else None
    )
    dataset = ds.dataset(base, filesystem=wh.fs, format="parquet", partitioning=partitioning)
    expression = None
    for name, op, value in filters or ():
        term = _term(ds.field(name), op, value)
        expression = term if expression is None else expression & term
    return dataset.to_table(filter=expression, columns=columns).to_pandas(types_mapper=pd.ArrowDtype)


def _term(field: Any, op: str, value: Any) -> Any:
    if op in ("in", "not in"):
        term = field.isin(list(value))
        return term if op == "in" else ~term
    ops = {"=": "__eq__", "==": "__eq__", "!=": "__ne__", "<": "__lt__", "<=": "__le__", ">": "__gt__", ">=": "__ge__"}
    if op not in ops:
        raise ValueError(f"filter operator {op!r} is not one of {', '.join([*ops, 'in', 'not in'])}")
    return getattr(field, ops[op])(value)
