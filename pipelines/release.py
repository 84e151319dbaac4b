"""A citable, versioned snapshot of the warehouse (``ogi release --out DIR``).

Why a separate step: the warehouse is a moving, partitioned store that every nightly run
rewrites. A paper needs a frozen set of files it can cite and check: every table as Parquet
and CSV, a Frictionless data package that describes every field (type, unit, Chinese label,
meaning, all from ``pipelines.tables``), a codebook, the data licence, ``CITATION.cff``, a
changelog of reports added, changed and removed since the previous release, and sha256 sums.

A release directory is written whole into a private staging folder and renamed into place,
so a crash never leaves half a release, and an existing release is never overwritten.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from pipelines.codebook import codebook_markdown
from pipelines.datasets import Warehouse
from pipelines.tables import SCHEMA_VERSION, TABLES, Column, TableSpec

RELEASE_FILE = "release.json"
FINGERPRINTS = "report-fingerprints.csv"
SUMS_FILE = "SHA256SUMS"
DATA_LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0",
}
# Columns that change with every load without the data changing: left out of fingerprints.
VOLATILE = {"load_id"}


class ReleaseError(RuntimeError):
    """A release that cannot be made as asked (the message says what to do)."""


@dataclass
class Changelog:
    previous: str | None
    added: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ReleaseSummary:
    version: str
    path: Path
    tables: dict[str, int]
    changelog: Changelog


# ---------------------------------------------------------------------------------- types
def frictionless_type(dtype: pa.DataType) -> str:
    """The Table Schema type a column's Arrow type is written as in the CSV."""
    if pa.types.is_dictionary(dtype):
        dtype = dtype.value_type
    if pa.types.is_boolean(dtype):
        return "boolean"
    if pa.types.is_integer(dtype):
        return "integer"
    if pa.types.is_floating(dtype) or pa.types.is_decimal(dtype):
        return "number"
    if pa.types.is_date(dtype):
        return "date"
    if pa.types.is_timestamp(dtype):
        return "datetime"
    if pa.types.is_list(dtype) or pa.types.is_large_list(dtype):
        return "array"
    return "string"


def _field_descriptor(column: Column) -> dict[str, Any]:
    descriptor: dict[str, Any] = {
        "name": column.name,
        "type": frictionless_type(column.type),
        "description": column.doc,
    }
    if column.label:
        descriptor["title"] = column.label
    if column.unit:
        descriptor["unit"] = column.unit  # a custom property; Table Schema allows them
    return descriptor


# ---------------------------------------------------------------------------------- tables
def conform(table: pa.Table, spec: TableSpec) -> pa.Table:
    """The table with exactly the spec's columns, in order, with the spec's types."""
    arrays = []
    for column in spec.all_columns:
        if column.name in table.column_names:
            array = table[column.name]
            if pa.types.is_dictionary(array.type):
                array = array.cast(array.type.value_type)
            arrays.append(array.cast(column.type))
        else:
            arrays.append(pa.nulls(table.num_rows, column.type))
    return pa.Table.from_arrays(arrays, schema=pa.schema([pa.field(c.name, c.type) for c in spec.all_columns]))


def _csv_ready(table: pa.Table) -> pa.Table:
    """Lists as JSON arrays and timestamps as ISO 8601, the forms Table Schema reads."""
    columns = []
    for name in table.column_names:
        array = table[name]
        if pa.types.is_list(array.type) or pa.types.is_large_list(array.type):
            array = pa.array(
                [None if v is None else json.dumps(v, ensure_ascii=False) for v in array.to_pylist()], pa.string()
            )
        elif pa.types.is_timestamp(array.type):
            array = pa.array([None if v is None else v.isoformat() for v in array.to_pylist()], pa.string())
        columns.append(array)
    return pa.Table.from_arrays(columns, names=table.column_names)


def _sort_key(spec: TableSpec) -> list[tuple[str, str]]:
    names = [c.name for c in spec.all_columns if c.name not in VOLATILE and not pa.types.is_list(c.type)]
    return [(n, "ascending") for n in names]


def write_table(table: pa.Table, spec: TableSpec, folder: Path) -> tuple[Path, Path]:
    """``folder/<name>.parquet`` and ``folder/<name>.csv`` in one stable row order."""
    if table.num_rows:
        table = table.take(pc.sort_indices(table, sort_keys=_sort_key(spec), null_placement="at_end"))
    parquet_path = folder / f"{spec.name}.parquet"
    csv_path = folder / f"{spec.name}.csv"
    pq.write_table(table, parquet_path, compression="zstd")
    pacsv.write_csv(_csv_ready(table), csv_path, pacsv.WriteOptions(quoting_style="needed"))
    return parquet_path, csv_path


# ---------------------------------------------------------------------------------- changelog
def report_fingerprints(reports: pa.Table, cells: pa.Table) -> dict[str, str]:
    """report_id → sha256 of what the release says about it (its reports row and its cells)."""
    digests: dict[str, Any] = {}
    keep = [n for n in reports.column_names if n not in VOLATILE]
    for row in reports.select(keep).to_pylist():
        digests.setdefault(row["report_id"], hashlib.sha256()).update(
            json.dumps(row, sort_keys=True, default=str, ensure_ascii=False).encode()
        )
    if cells.num_rows:
        keep = [n for n in cells.column_names if n not in VOLATILE]
        rows = cells.select(keep).to_pylist()
        rows.sort(key=lambda r: json.dumps(r, sort_keys=True, default=str, ensure_ascii=False))
        for row in rows:
            if row["report_id"] in digests:
                digests[row["report_id"]].update(json.dumps(row, sort_keys=True, default=str).encode())
    return {rid: h.hexdigest() for rid, h in digests.items()}


def _describe(reports: pa.Table) -> dict[str, dict[str, Any]]:
    cols = [
        c
        for c in ("report_id", "jurisdiction_code", "jurisdiction_name", "organ", "report_year")
        if c in reports.column_names
    ]
    return {r["report_id"]: r for r in reports.select(cols).to_pylist()}


def read_fingerprints(release_dir: Path) -> dict[str, dict[str, str]]:
    path = release_dir / FINGERPRINTS
    if not path.exists():
        raise ReleaseError(f"{release_dir} is not an ogi release ({FINGERPRINTS} is missing); name another --previous.")
    rows = pacsv.read_csv(path).to_pylist()
    return {r["report_id"]: {k: ("" if v is None else str(v)) for k, v in r.items()} for r in rows}


def compare(
    previous: dict[str, dict[str, str]] | None,
    current: dict[str, str],
    described: dict[str, dict[str, Any]],
    previous_name: str | None,
) -> Changelog:
    log = Changelog(previous_name)
    if previous is None:
        log.added = [described[rid] for rid in sorted(current)]
        return log
    for rid in sorted(current):
        if rid not in previous:
            log.added.append(described[rid])
        elif previous[rid]["fingerprint"] != current[rid]:
            log.changed.append(described[rid])
    log.removed = [previous[rid] for rid in sorted(set(previous) - set(current))]
    return log


def latest_release(parent: Path, exclude: Path | None = None) -> Path | None:
    """The newest release folder beside ``exclude`` (by the date it was made)."""
    if not parent.is_dir():
        return None
    found = []
    for child in parent.iterdir():
        meta = child / RELEASE_FILE
        if child != exclude and meta.is_file():
            try:
                found.append((json.loads(meta.read_text())["created"], child))
            except (ValueError, KeyError):
                continue
    return max(found)[1] if found else None


# ---------------------------------------------------------------------------------- writing
def _changelog_markdown(version: str, log: Changelog) -> str:
    def line(r: dict[str, Any]) -> str:
        who = " ".join(str(r.get(k) or "") for k in ("jurisdiction_code", "jurisdiction_name", "organ")).strip()
        return f"- `{r['report_id']}` {who} {r.get('report_year') or ''}".rstrip()

    since = f"since release {log.previous}" if log.previous else "(first release: every report is new)"
    out = [
        f"# Changelog for release {version}",
        "",
        f"Reports {since}: {len(log.added)} added, {len(log.changed)} changed, {len(log.removed)} removed.",
        "",
    ]
    for title, rows in (("Added", log.added), ("Changed", log.changed), ("Removed", log.removed)):
        out += [f"## {title} ({len(rows)})", ""] + [line(r) for r in rows] + [""]
    return "\n".join(out)


def _citation(version: str, released: date) -> str:
    return "\n".join(
        [
            "cff-version: 1.2.0",
            'message: "If you use this dataset, please cite it as below."',
            "type: dataset",
            "title: \"ogi: China's government information disclosure annual reports "
            '(政府信息公开工作年度报告), extracted and checked"',
            f'version: "{version}"',
            f"date-released: {released.isoformat()}",
            "license: CC-BY-4.0",
            "authors:",
            '  - name: "ogi contributors"',
            "keywords:",
            "  - government transparency",
            "  - freedom of information",
            "  - China",
            "  - 政府信息公开",
            "",
        ]
    )


def _licence_text() -> str:
    return (
        "# Data licence\n\n"
        "This release compiles figures that Chinese administrative organs publish in their yearly\n"
        "government information disclosure reports, as required by the Regulations on the Disclosure of\n"
        "Government Information (《中华人民共和国政府信息公开条例》). ogi's compilation, extraction,\n"
        "canonical keys and checks are licensed under Creative Commons Attribution 4.0 International\n"
        "(CC BY 4.0, https://creativecommons.org/licenses/by/4.0/). Cite it as `CITATION.cff` says.\n\n"
        "Every value links back to the document it was read from (`documents.url`, `sha256`); the\n"
        "documents themselves remain the publishing organs'.\n"
    )


def _package(version: str, folder: Path, specs: list[TableSpec]) -> None:
    """``datapackage.json`` built with the frictionless library from the table specs."""
    from frictionless import Package, Resource, Schema

    resources = []
    for spec in specs:
        schema = Schema.from_descriptor({"fields": [_field_descriptor(c) for c in spec.all_columns]})
        resources.append(
            Resource(
                name=spec.name.replace("_", "-"),
                path=f"data/{spec.name}.csv",
                title=f"{spec.name}: one row per {spec.grain}",
                description=spec.doc + f" The same rows as Parquet: data/{spec.name}.parquet.",
                format="csv",
                encoding="utf-8",
                mediatype="text/csv",
                schema=schema,
            )
        )
    package = Package(
        name="ogi-disclosure-reports",
        title="China's government information disclosure annual reports (政府信息公开工作年度报告)",
        description="Every cell of the State Council form's tables (二, 三, 四), checked against the form's "
        "identities, with provenance. Codebook: codebook.md.",
        version=version,
        licenses=[DATA_LICENSE],
        resources=resources,
    )
    package.to_json(str(folder / "datapackage.json"))


def _sums(folder: Path) -> None:
    lines = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != SUMS_FILE):
        digest = hashlib.sha256()
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        lines.append(f"{digest.hexdigest()}  {path.relative_to(folder).as_posix()}")
    (folder / SUMS_FILE).write_text("\n".join(lines) + "\n")


def default_version(today: date | None = None) -> str:
    return (today or date.today()).strftime("%Y.%m.%d")


def make_release(
    warehouse_url: str, out: Path, version: str | None = None, previous: Path | None = None
) -> ReleaseSummary:
    """Write the release folder ``out`` from the warehouse; refuse to overwrite one."""
    out = Path(out).absolute()
    if out.exists() and any(out.iterdir()):
        raise ReleaseError(
            f"{out} already exists and is not empty: a release is never overwritten; choose a new --out."
        )
    version = version or default_version()
    if previous is None:
        previous = latest_release(out.parent, exclude=out)
    previous_prints = read_fingerprints(previous) if previous else None
    previous_name = json.loads((previous / RELEASE_FILE).read_text())["version"] if previous else None

    warehouse = Warehouse(warehouse_url)
    if not warehouse.files("reports"):
        raise ReleaseError(
            f"the warehouse at {warehouse_url} holds no reports yet: run `ogi run` or `ogi backfill` first."
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent))
    try:
        (staging / "data").mkdir()
        counts: dict[str, int] = {}
        tables: dict[str, pa.Table] = {}
        specs = list(TABLES.values())
        for spec in specs:
            table = conform(warehouse.read(spec.name), spec)
            write_table(table, spec, staging / "data")
            counts[spec.name] = table.num_rows
            if spec.name in ("reports", "cells"):
                tables[spec.name] = table
        prints = report_fingerprints(tables["reports"], tables["cells"])
        described = _describe(tables["reports"])
        log = compare(previous_prints, prints, described, previous_name)
        pacsv.write_csv(
            pa.table(
                {
                    "report_id": list(prints),
                    "fingerprint": list(prints.values()),
                    **{
                        k: [str(described[r].get(k) or "") for r in prints]
                        for k in ("jurisdiction_code", "jurisdiction_name", "organ", "report_year")
                    },
                }
            ),
            staging / FINGERPRINTS,
        )
        _package(version, staging, specs)
        (staging / "codebook.md").write_text(codebook_markdown(specs, title=f"Codebook, release {version}"))
        (staging / "LICENSE-DATA.md").write_text(_licence_text())
        (staging / "CITATION.cff").write_text(_citation(version, date.today()))
        (staging / "CHANGELOG.md").write_text(_changelog_markdown(version, log))
        (staging / RELEASE_FILE).write_text(
            json.dumps(
                {
                    "version": version,
                    "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    "warehouse": warehouse_url,
                    "schema_version": SCHEMA_VERSION,
                    "loads": [ld["load_id"] for ld in warehouse.loads()][-1:],
                    "rows": counts,
                    "previous": previous_name,
                    "changes": {"added": len(log.added), "changed": len(log.changed), "removed": len(log.removed)},
                },
                indent=2,
                ensure_ascii=False,
            )
            + "\n"
        )
        _sums(staging)
        os.chmod(staging, 0o755)
        if out.exists():
            out.rmdir()  # empty (checked above)
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ReleaseSummary(version, out, counts, log)
