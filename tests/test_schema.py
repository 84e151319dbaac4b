"""The form schema as data: versions and their years, explicit item versions, markers, shapes."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.schema import FORM_VERSIONS, SCHEMA, SchemaError, load_schema, version_for_year

FORM = Path(__file__).resolve().parents[1] / "extractors" / "schema" / "form.toml"


def test_versions_cover_their_report_years():
    assert FORM_VERSIONS == ("2021", "2019", "stat")
    assert [version_for_year(y) for y in (2007, 2008, 2014, 2018, 2019, 2020, 2021, 2024, None)] == [
        None,
        "stat",
        "stat",
        "stat",
        "2019",
        "2019",
        "2021",
        "2021",
        None,
    ]


def test_table_shapes_come_from_the_schema():
    assert [SCHEMA[t].layout for t in ("proactive", "requests", "appeals")] == ["groups", "rows", "column_groups"]
    assert SCHEMA["appeals"].line_width == 15 and len(SCHEMA["appeals"].cols) == 5
    assert SCHEMA["requests"].line_width == 7 and SCHEMA["proactive"].line_width == 3


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    text = FORM.read_text("utf-8")
    assert old in text
    path = tmp_path / "form.toml"
    path.write_text(text.replace(old, new, 1), "utf-8")
    return path


def test_an_item_without_versions_is_refused(tmp_path):
    path = _variant(
        tmp_path,
        '{ key = "natural_person", label = "自然人", versions = ["2021", "2019"] }',
        '{ key = "natural_person", label = "自然人" }',
    )
    with pytest.raises(SchemaError, match="natural_person"):
        load_schema(path)


def test_a_marker_printed_by_both_versions_is_refused(tmp_path):
    path = _variant(tmp_path, 'markers.requests.rows = ["other_handling"]', 'markers.requests.rows = ["granted"]')
    with pytest.raises(SchemaError, match="granted"):
        load_schema(path)


def test_a_version_unknown_to_the_versions_table_is_refused(tmp_path):
    path = _variant(
        tmp_path,
        'caption = "第二十条第（九）项"\nversions = ["2019"]',
        'caption = "第二十条第（九）项"\nversions = ["2018"]',
    )
    with pytest.raises(SchemaError, match="2018"):
        load_schema(path)


def test_docs_form_names_every_version_table_and_key():
    text = (FORM.parents[2] / "docs" / "form.md").read_text("utf-8")
    for version in SCHEMA.versions.values():
        assert f"`{version.id}`" in text and version.notice in text
    for table in SCHEMA.tables.values():
        assert f"### {table.key}" in text and f'layout = "{table.layout}"' in text
        for item in (*table.rows, *table.cols, *(i for g in table.groups for i in (*g.rows, *g.cols))):
            assert f"`{item.key}`" in text, item.key
    for identity in SCHEMA.identities:
        assert f"`{identity.id}`" in text
