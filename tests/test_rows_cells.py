"""``cells`` rows of one report, built column by column: printed cells, then an added row's cells."""

from pipelines.datasets import columns_to_arrow
from pipelines.rows import cell_columns
from pipelines.tables import TABLES

REPORT = {
    "tables": {"requests": {"form_version": "2021"}, "proactive": {"form_version": "2019"}},
    "cells": [
        {"table": "requests", "row": "new_received", "col": "total", "value": 12, "raw": "12", "flags": [], "page": 3},
        {"table": "proactive", "row": "regulations", "col": "made", "value": None, "raw": "—", "flags": ["no_value"]},
    ],
    "extra_rows": [{"table": "requests", "label": "其他情形", "raw": ["1", "2"], "page": 4}],
}


def test_cells_and_an_added_row_become_columns_of_the_cells_table():
    columns: dict[str, list] = {}
    cell_columns(REPORT, {"report_id": "r1", "jurisdiction_code": "610329"}, columns)
    cell_columns({"cells": []}, {"report_id": "r2", "jurisdiction_code": None}, columns)  # nothing printed: no rows
    rows = columns_to_arrow(TABLES["cells"], columns).to_pylist()
    base = {"report_id": "r1", "jurisdiction_code": "610329", "load_id": None}
    assert rows == [
        {**base, "table_key": "requests", "row_key": "new_received", "col_key": "total", "form_version": "2021",
         "value": 12.0, "raw": "12", "unit": None, "flags": [], "page": 3, "row_label": None},
        {**base, "table_key": "proactive", "row_key": "regulations", "col_key": "made", "form_version": "2019",
         "value": None, "raw": "—", "unit": None, "flags": ["no_value"], "page": None, "row_label": None},
        {**base, "table_key": "requests", "row_key": "extra", "col_key": "c1", "form_version": "2021",
         "value": None, "raw": "1", "unit": None, "flags": ["extra_row"], "page": 4, "row_label": "其他情形"},
        {**base, "table_key": "requests", "row_key": "extra", "col_key": "c2", "form_version": "2021",
         "value": None, "raw": "2", "unit": None, "flags": ["extra_row"], "page": 4, "row_label": "其他情形"},
    ]  # fmt: skip
