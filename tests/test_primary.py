"""Which report speaks for the county: is_primary marks the jurisdiction government's own."""

from __future__ import annotations

import duckdb

from demo.samples import generate, store_sample
from extractors import EXTRACTOR_VERSION
from pipelines.load import load_warehouse
from pipelines.rawstore import RawStore


def test_only_the_governments_own_report_is_primary_and_sums_say_so(tmp_path, extract_all):
    organs = ["麟游县人民政府", "麟游县审计局", "麟游县两亭镇人民政府", "麟游县人民政府办公室"]
    samples = {}
    with RawStore(tmp_path / "raw") as raw:
        for i, organ in enumerate(organs):
            sample = generate("610329", "麟游县", organ, 2024)
            store_sample(raw, sample, "gen-610329", f"http://gen.example/610329/{i}.html")
            samples[organ] = sample
    extract_all(tmp_path)
    load_warehouse(tmp_path, None, EXTRACTOR_VERSION)
    wh = tmp_path / "warehouse"
    rows = duckdb.sql(
        f"SELECT issuing_body, publisher_kind, is_primary FROM read_parquet('{wh}/reports/**/*.parquet', "
        "hive_partitioning=true) ORDER BY issuing_body"
    ).fetchall()
    assert sorted(rows) == sorted(
        [
            ("麟游县人民政府", "government", True),
            ("麟游县审计局", "department", False),
            ("麟游县两亭镇人民政府", "township", False),
            ("麟游县人民政府办公室", "government_office", False),
        ]
    )
    granted = lambda where: duckdb.sql(  # noqa: E731
        f"SELECT sum(c.value) FROM read_parquet('{wh}/cells/**/*.parquet', hive_partitioning=true) c "
        f"JOIN read_parquet('{wh}/reports/**/*.parquet', hive_partitioning=true) r USING (report_id) "
        f"WHERE c.table_key='requests' AND c.row_key='granted' AND c.col_key='total' {where}"
    ).fetchall()[0][0]
    own = samples["麟游县人民政府"].values[("requests", "granted", "total")]
    everyone = sum(s.values[("requests", "granted", "total")] for s in samples.values())
    assert granted("AND r.is_primary") == own
    assert granted("") == everyone and everyone > own  # the double count the README's query used to make
