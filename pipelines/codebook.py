"""Markdown that describes the tables: the data dictionary (``docs/datasets.md``) and a release's codebook.

Why one renderer: both are generated from ``pipelines.tables`` and the form schema, so the
published dictionary and every release's codebook say the same thing about every column.
"""

from __future__ import annotations

from extractors.schema import SCHEMA
from pipelines.tables import TableSpec, column_name


def _md(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def table_markdown(spec: TableSpec) -> list[str]:
    lines = [f"### `{spec.name}`", "", f"One row per {spec.grain}. {spec.doc}", ""]
    if spec.partitioned:
        lines += [f"Path: `warehouse/{spec.name}/report_year=YYYY/province=NAME/part-0.parquet`.", ""]
    else:
        lines += [f"Path: `warehouse/{spec.name}/part-0.parquet`.", ""]
    lines += ["| column | type | meaning | unit | 中文 label |", "|---|---|---|---|---|"]
    for c in spec.all_columns:
        lines.append(f"| `{c.name}` | {c.type} | {_md(c.doc)} | {_md(c.unit)} | {_md(c.label)} |")
    return lines + [""]


def form_keys_markdown() -> list[str]:
    lines = [
        "## Form keys and their Chinese labels",
        "",
        "Every canonical key of the form (`cells.table_key/row_key/col_key`), its printed label, and its "
        "column-safe name in the wide tables.",
        "",
    ]
    for key, table in SCHEMA.tables.items():
        lines += [f"### {table.section}、{table.title} (`{key}`)", ""]
        if table.groups:
            lines += [
                "| caption | row | row label | col | col label | form versions | wide column | unit |",
                "|---|---|---|---|---|---|---|---|",
            ]
            for g in table.groups:
                for r in g.rows:
                    for c in g.cols:
                        lines.append(
                            f"| {g.caption} | `{r.key}` | {r.label} | `{c.key}` | {_md(c.label)} "
                            f"| {', '.join(g.versions)} "
                            f"| `{column_name(r.key, c.key)}` | {_md(c.unit or c.kind)} |"
                        )
        else:
            lines += ["| kind | key | label | parent | form versions |", "|---|---|---|---|---|"]
            for r in table.rows:
                lines.append(f"| row | `{r.key}` | {_md(r.label)} | {_md(r.group)} | {', '.join(r.versions)} |")
            for c in table.cols:
                lines.append(f"| col | `{c.key}` | {_md(c.label)} | {_md(c.group)} | {', '.join(c.versions)} |")
        lines.append("")
    lines += ["### Identities (table `checks`)", "", "| check_id | rule |", "|---|---|"]
    lines += [f"| `{i.id}` | {_md(i.rule)} |" for i in SCHEMA.identities]
    lines += [
        "| `cross_year.carried_over` | carried_over(N) = carried_forward(N−1), same organ, per column (warning) |",
        "",
    ]
    return lines


def codebook_markdown(specs: list[TableSpec], title: str) -> str:
    """Every table, every column (type, meaning, unit, Chinese label), then the form's keys."""
    lines = [
        f"# {title}",
        "",
        "Each table is in `data/` as Parquet and CSV; `datapackage.json` describes the CSVs.",
        "",
    ]
    for spec in specs:
        lines += table_markdown(spec)
    lines += form_keys_markdown()
    return "\n".join(lines).rstrip() + "\n"
