"""The warehouse's tables as data: every column's name, Arrow type, meaning, unit and label.

Why here and generated: the form's keys live once in ``extractors/schema/form.toml``;
the wide tables (``requests``, ``proactive``, ``appeals``) and the data dictionary
(``docs/datasets.md``) are derived from it, so a new form version is one TOML block and
never a hand-edited column list. Bump ``DATASET_SCHEMA_VERSION`` (``extractors/versions.py``)
whenever a column changes.

Column-safe names: a cell ``(row, col)`` of a wide table becomes ``{row}__{col}`` with
every ``.`` in a key replaced by ``_`` (``withheld.state_secret`` → ``withheld_state_secret``);
see :func:`column_name`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from extractors.schema import CORE_KEYS, FORM_VERSIONS, SCHEMA, Item
from extractors.versions import DATASET_SCHEMA_VERSION

SCHEMA_VERSION = DATASET_SCHEMA_VERSION
PARTITION_KEYS = ("report_year", "province")
UNKNOWN_PROVINCE = "unknown"


@dataclass(frozen=True)
class Column:
    """One column: how it is stored and what it means."""

    name: str
    type: pa.DataType
    doc: str
    label: str | None = None  # the Chinese label printed on the form (for form keys)
    unit: str | None = None


@dataclass(frozen=True)
class TableSpec:
    name: str
    grain: str  # what one row is
    doc: str
    columns: tuple[Column, ...]
    partitioned: bool = True

    def column(self, name: str) -> Column:
        return next(c for c in self.all_columns if c.name == name)

    @property
    def all_columns(self) -> tuple[Column, ...]:
        """File columns plus the hive partition columns readers add back."""
        return self.columns + (PARTITION_COLUMNS if self.partitioned else ())

    def arrow_schema(self) -> pa.Schema:
        """The schema of the files (partition columns live in the path, not the file)."""
        return pa.schema(
            [pa.field(c.name, c.type) for c in self.columns],
            metadata={"ogi.table": self.name, "ogi.schema_version": SCHEMA_VERSION},
        )


def column_name(row: str, col: str) -> str:
    """The column-safe name of a wide-table cell:
    ``withheld.state_secret``/``total`` → ``withheld_state_secret__total``."""
    return f"{row}__{col}".replace(".", "_")


def _value_type(item: Item, row: Item | None = None) -> pa.DataType:
    kind = row.kind if row is not None and item.kind == "count" else item.kind  # statistics: the row's kind
    return pa.float64() if kind in ("decimal", "amount") else pa.int64()


def _unit(item: Item, row: Item | None = None) -> str:
    if item.unit or (row is not None and row.unit):
        return item.unit or row.unit  # type: ignore[union-attr]
    return {
        "count": "件 (count)",
        "signed": "件 (signed change)",
        "amount": "万元 (scaled from the unit printed in the cell, header or table; null when none is printed)",
    }.get(item.kind, "count")


PARTITION_COLUMNS = (
    Column(
        "report_year",
        pa.int64(),
        "Year the report covers (hive partition `report_year=`): a 64-bit integer, as "
        "DuckDB and Polars read it and `pipelines.reader.read_table` gives it in pandas (plain `pd.read_parquet` "
        "returns the partition as a category: use the reader, or `.astype('int64')`).",
    ),
    Column(
        "province",
        pa.string(),
        f"Province name, e.g. 陕西省 (hive partition `province=`); `{UNKNOWN_PROVINCE}` when the division code "
        "is unknown.",
    ),
)

REPORT_ID = Column(
    "report_id", pa.string(), "Stable id of the report: hash of (jurisdiction_code, organ, report_year)."
)
JURISDICTION = Column(
    "jurisdiction_code",
    pa.string(),
    "GB/T 2260 six-digit division code in force at the end of the "
    "report year (凤翔县 610322 for 2019–2020, 凤翔区 610305 from 2021; docs/form.md#jurisdiction-codes).",
)
JURISDICTION_CURRENT = Column(
    "jurisdiction_code_current",
    pa.string(),
    "Today's code for the same place (its successor "
    "under the current list; 610305 for both 凤翔县 and 凤翔区): group by it to follow a "
    "county through renames. Null for an unknown code.",
)
LOAD_ID = Column("load_id", pa.string(), "The load that last wrote this row's file (a `_loads/<load_id>.json` record).")
FORM_VERSION = Column(
    "form_version",
    pa.string(),
    f"Form version detected for this table: {', '.join(FORM_VERSIONS)}, "
    "or unknown when nothing tells (docs/form.md#versions).",
)


def _wide_cells(table: str) -> list[tuple[Item, Item, str | None]]:
    """(row item, col item, caption) for every cell any form version prints, first seen first."""
    spec = SCHEMA[table]
    seen: dict[tuple[str, str], tuple[Item, Item, str | None]] = {}
    for version in FORM_VERSIONS:
        if spec.groups:
            for group in spec.groups_for(version):
                for row in group.rows:
                    for col in group.cols:
                        seen.setdefault((row.key, col.key), (row, col, group.caption))
        else:
            for row in spec.rows_for(version):
                for col in spec.cols:
                    seen.setdefault((row.key, col.key), (row, col, None))
    return list(seen.values())


def wide_columns(table: str) -> tuple[Column, ...]:
    """One column per (row, col) of a one-row-per-report table, named by :func:`column_name`."""
    out = []
    for row, col, caption in _wide_cells(table):
        parent = f"{row.group} › " if row.group else ""
        where = f"{caption} " if caption else ""
        out.append(
            Column(
                column_name(row.key, col.key),
                _value_type(col, row),
                f"`{table}` cell ({row.key}, {col.key}).",
                label=f"{where}{parent}{row.label} × {col.label}",
                unit=_unit(col, row),
            )
        )
    return tuple(out)


def applicant_columns() -> tuple[Column, ...]:
    """The ``requests`` table's applicant-type columns, straight from the form's columns."""
    return tuple(
        Column(
            c.key,
            _value_type(c),
            f"Requests from {c.key.replace('_', ' ')} applicants.",
            label=f"{c.group} › {c.label}" if c.group else c.label,
            unit=_unit(c),
        )
        for c in SCHEMA["requests"].cols
    )


def form_version_columns() -> tuple[Column, ...]:
    return tuple(
        Column(
            f"form_version_{t}",
            pa.string(),
            f"Form version of table `{t}` (二/三/四 detected per table, docs/form.md#telling-versions-apart).",
        )
        for t in SCHEMA.tables
    )


STR_LIST = pa.list_(pa.string())
TIMESTAMP = pa.timestamp("us", tz="UTC")

REPORTS = TableSpec(
    "reports",
    "one report (a jurisdiction's organ's report for one year)",
    "One row per report. When several documents carry the same report (an HTML page and its PDF, "
    "or a re-upload), the richest is chosen and every source URL is kept in `source_urls`.",
    (
        REPORT_ID,
        JURISDICTION,
        JURISDICTION_CURRENT,
        Column("jurisdiction_name", pa.string(), "Division name, e.g. 麟游县."),
        Column("jurisdiction_level", pa.string(), "Division level (province, prefecture, county)."),
        Column("prefecture_code", pa.string(), "Four-digit prefecture code + `00`, e.g. 610300."),
        Column("prefecture", pa.string(), "Prefecture name, e.g. 宝鸡市."),
        Column("province_code", pa.string(), "Two-digit province code + `0000`, e.g. 610000."),
        Column(
            "organ",
            pa.string(),
            "Publishing organ key used for grouping: the issuing body (else the source's organ), its "
            "jurisdiction's former name replaced by today's so one organ keeps one key through a rename.",
        ),
        Column("issuing_body", pa.string(), "Issuing body as printed, e.g. 麟游县人民政府."),
        Column(
            "publisher_kind",
            pa.string(),
            "Who issued it: government (a county's, city's or province's 人民政府), "
            "government_office (its 办公室 as an organ), department, township, development_zone or unknown "
            "(docs/form.md#titles-years-and-publishers).",
        ),
        Column(
            "is_primary",
            pa.bool_(),
            "True for the jurisdiction government's own report for the year (at most one "
            "per jurisdiction and year). Sum counties over primary reports: departments and towns publish their own.",
        ),
        Column(
            "year_source",
            pa.string(),
            "Where the year came from: title or preamble (the report's own words), "
            "year_column (the listing's per-year column), published_date (a guess from the listing's date: flagged), "
            "or listing.",
        ),
        *form_version_columns(),
        Column("title", pa.string(), "Report title as printed."),
        Column("published_date", pa.date32(), "Publication date on the listing page, when known."),
        Column("source_urls", STR_LIST, "Every URL that served a document of this report."),
        Column("document_count", pa.int32(), "How many distinct documents carry this report."),
        Column("sha256", pa.string(), "SHA-256 of the chosen document (the raw store's blob name)."),
        Column("format", pa.string(), "Format of the chosen document: html, pdf, docx, doc, wps, xls, text."),
        Column("extractor_version", pa.string(), "Version of the extractor that produced the rows."),
        Column("cells_found", pa.int32(), "How many canonical cells carry a value."),
        Column("checks_passed", pa.int32(), "Identity checks that hold (docs/form.md#identities)."),
        Column("checks_failed", pa.int32(), "Identity checks that fail (recorded, never repaired)."),
        Column(
            "checks_undecided",
            pa.int32(),
            "Identity checks a blank cell leaves undecidable (`checks.ok` null), counted apart from failures.",
        ),
        Column("problems", STR_LIST, "Problem codes the extractor raised (e.g. table_missing)."),
        Column("schema_version", pa.string(), "Version of this dataset schema."),
        LOAD_ID,
    ),
)

CELLS = TableSpec(
    "cells",
    "one cell of one report",
    "Long form of every value the report prints, at its canonical (table, row, col) key; rows the "
    "report adds to the form are kept with `row_key = 'extra'` and their printed label.",
    (
        REPORT_ID,
        JURISDICTION,
        Column(
            "table_key",
            pa.string(),
            "Form table: proactive (二), requests (三), appeals (四), statistics (the pre-2019 统计表).",
        ),
        Column(
            "row_key", pa.string(), "Canonical row key (docs/form.md#tables-and-keys), or `extra` for an added row."
        ),
        Column("col_key", pa.string(), "Canonical column key, or `c1`, `c2`… for an added row's cells."),
        FORM_VERSION,
        Column("value", pa.float64(), "Parsed value; null when blank, a dash, 无 or 不涉及 (see raw)."),
        Column("raw", pa.string(), "The cell exactly as printed."),
        Column("unit", pa.string(), "Unit of value when it has one (万元, 元)."),
        Column(
            "flags",
            STR_LIST,
            "Parsing flags (docs/extraction.md), e.g. fullwidth, thousands_separator, note, "
            "unit:元, blank, no_value, from_text (read from a sentence of a narrative-only pre-2019 report).",
        ),
        Column("page", pa.int32(), "Page (1-based) the cell was read from, for PDFs and Word files."),
        Column("row_label", pa.string(), "Printed label of an added (`extra`) row."),
        LOAD_ID,
    ),
)

REQUESTS = TableSpec(
    "requests",
    "one row of table 三 of one report",
    "Table 三 (requests received and how they were handled) with one column per applicant type. "
    "`row_key` is the canonical key (docs/form.md#requests); rows a form version does not print are absent.",
    (
        REPORT_ID,
        JURISDICTION,
        FORM_VERSION,
        Column("row_key", pa.string(), "Canonical row key, e.g. granted, withheld.state_secret."),
        Column("row_order", pa.int16(), "Position of the row in the form (0-based)."),
        Column("row_label", pa.string(), "The row's label on the form."),
        *applicant_columns(),
        LOAD_ID,
    ),
)

PROACTIVE = TableSpec(
    "proactive",
    "one report",
    "Table 二 (proactive disclosure) as one row per report: a column per cell of the 2021 and 2019 forms "
    "(a form version leaves the other's columns null).",
    (REPORT_ID, JURISDICTION, FORM_VERSION, *wide_columns("proactive"), LOAD_ID),
)

APPEALS = TableSpec(
    "appeals",
    "one report",
    "Table 四 (administrative review and litigation): 3 rows × 5 columns as one row of 15 columns.",
    (REPORT_ID, JURISDICTION, FORM_VERSION, *wide_columns("appeals"), LOAD_ID),
)

STATISTICS = TableSpec(
    "statistics",
    "one report",
    "The pre-2019 statistics table (政府信息公开情况统计表, report years 2008–2018) as one row per report: a column "
    "per indicator and period, `value` the year's figure and `cumulative` the running total (历年累计) where printed. "
    "Figures read from a narrative-only report's sentences are here too (`cells.flags` says `from_text`); indicators "
    "a report prints that the schema does not know are in `cells` as `extra` rows (docs/form.md#before-2019).",
    (REPORT_ID, JURISDICTION, FORM_VERSION, *wide_columns("statistics"), LOAD_ID),
)


def core_columns() -> tuple[Column, ...]:
    """Each core key's value and where it came from (``extractors.core``; the mapping is ``[core.*]`` in form.toml)."""
    out = []
    for key in CORE_KEYS:
        sources = "; ".join(f"{v}: {' + '.join(map(str, refs))}" for v, refs in SCHEMA.core[key].items())
        out.append(
            Column(
                key,
                pa.int64(),
                f"Core `{key}` (docs/form.md#the-cross-era-core), the sum of: {sources}. "
                "Null when the report does not say (any of its cells missing or blank).",
                unit="件 (count)",
            )
        )
        out.append(
            Column(
                f"{key}_source",
                pa.string(),
                f"Where `{key}` came from: its cells as `table:row:col` joined "
                "by ` + `, or `text` when read from a sentence (`from_text`); null when the value is.",
            )
        )
    return tuple(out)


CORE = TableSpec(
    "core",
    "one report",
    "The cross-era core: six figures every report of every year is mapped to, so a county can be followed from "
    "2008 on: applications received, granted, partially granted, refused (not disclosed, all reasons), "
    "administrative reviews and lawsuits (cases, all outcomes), each with its source.",
    (REPORT_ID, JURISDICTION, *core_columns(), LOAD_ID),
)

CHECKS = TableSpec(
    "checks",
    "one identity evaluated on one row or column of one report",
    "The form's accounting identities (errors when they fail) and the soft cross-year checks "
    "(`cross_year.*`, warnings). A failure is recorded with what was expected and found.",
    (
        REPORT_ID,
        JURISDICTION,
        Column("check_id", pa.string(), "Identity id, e.g. requests.balance, cross_year.carried_over."),
        Column("severity", pa.string(), "error (a form identity) or warning (a soft cross-year check)."),
        Column("row_key", pa.string(), "Row the check ran on (row identities)."),
        Column("col_key", pa.string(), "Column the check ran on (column identities)."),
        Column(
            "ok",
            pa.bool_(),
            "true when the identity holds, false when it fails, null when a blank cell makes it "
            "undecidable (`missing` names the cells).",
        ),
        Column(
            "expected",
            pa.float64(),
            "What the parts add up to: the sum of the identity's right side as printed "
            "(for cross_year: last year's carried_forward).",
        ),
        Column(
            "found",
            pa.float64(),
            "The total the report prints: the identity's left side (for cross_year: this year's carried_over).",
        ),
        Column("missing", STR_LIST, "Cells the check needed but the report leaves blank."),
        LOAD_ID,
    ),
)

DOCUMENTS = TableSpec(
    "documents",
    "one stored document (the current bytes of one URL)",
    "Every document in the raw store with its provenance from the manifest and what extraction made of it. "
    "Not partitioned: one file.",
    (
        Column("url", pa.string(), "Document URL as requested."),
        Column("final_url", pa.string(), "URL after redirects."),
        Column("sha256", pa.string(), "SHA-256 of the bytes (blob name in the raw store)."),
        Column("kind", pa.string(), "page (an inline HTML report) or attachment."),
        Column("format", pa.string(), "Format sniffed from the bytes."),
        Column("size", pa.int64(), "Size in bytes.", unit="bytes"),
        Column("fetched_at", TIMESTAMP, "When these bytes were first fetched from this URL (UTC)."),
        Column("http_status", pa.int32(), "HTTP status of that fetch."),
        Column("source_id", pa.string(), "Registry id of the site (data/sources/)."),
        Column("jurisdiction_code", pa.string(), "Division code of the source."),
        Column("organ", pa.string(), "Organ the listing attributes the document to."),
        Column("listing_year", pa.int16(), "Year the listing or link text gives (before extraction)."),
        Column("title", pa.string(), "Title on the listing or page."),
        Column("listing_url", pa.string(), "Listing page the link was found on."),
        Column("page_url", pa.string(), "Article page an attachment hangs off."),
        Column("link_text", pa.string(), "Text of the link."),
        Column("published_date", pa.date32(), "Publication date on the listing."),
        Column("etag", pa.string(), "ETag the server gave (for conditional GET)."),
        Column("last_modified", pa.string(), "Last-Modified the server gave."),
        Column("content_type", pa.string(), "Content-Type the server gave."),
        Column("crawl_id", pa.string(), "Crawl that fetched these bytes."),
        Column("extract_status", pa.string(), "ok, error (see extract_error) or pending (not extracted yet)."),
        Column(
            "extract_error",
            pa.string(),
            "Error code when extraction failed (`not_a_report` for a document that is not one).",
        ),
        Column(
            "not_a_report",
            pa.string(),
            "What a `not_a_report` document is instead: notice, news, bulletin, template, "
            "interpretation, graphic or other_report. Such documents never become rows of `reports`.",
        ),
        Column("extractor_version", pa.string(), "Extractor version of the extraction used."),
        Column("report_id", pa.string(), "Report this document carries (null when not extracted or no year)."),
        Column("chosen", pa.bool_(), "Whether this document is the one the report's rows come from."),
        LOAD_ID,
    ),
    partitioned=False,
)

CRAWL_LOG = TableSpec(
    "crawl_log",
    "one source in one crawl",
    "Per-source results of every crawl, read from the crawl reports under `<data_dir>/runs/`. Not partitioned.",
    (
        Column("crawl_id", pa.string(), "Crawl id."),
        Column("source_id", pa.string(), "Registry id of the site."),
        Column("jurisdiction_code", pa.string(), "Division code of the source."),
        Column("started_at", TIMESTAMP, "Crawl start (UTC)."),
        Column("finished_at", TIMESTAMP, "Crawl end (UTC)."),
        Column("status", pa.string(), "ok, degraded or broken, as the crawl report says."),
        Column("requests", pa.int64(), "HTTP requests made."),
        Column("documents", pa.int64(), "Documents seen (new + changed + unchanged)."),
        Column("new", pa.int64(), "Documents stored for the first time."),
        Column("changed", pa.int64(), "Documents whose bytes changed."),
        Column("unchanged", pa.int64(), "Documents unchanged (304 or same hash)."),
        Column("errors", pa.int64(), "Failed requests."),
        Column("message", pa.string(), "What broke, in words, when something did."),
        Column("report_path", pa.string(), "Path of the crawl report JSON."),
        LOAD_ID,
    ),
    partitioned=False,
)

COVERAGE = TableSpec(
    "coverage",
    "one jurisdiction × organ × year",
    "What ogi holds for every jurisdiction, organ and year: the best status of its documents, so "
    "gaps are seen, not guessed. Status order: not_found < fetched < extracted < checked. Not partitioned.",
    (
        JURISDICTION,
        JURISDICTION_CURRENT,
        Column("jurisdiction_name", pa.string(), "Division name in force that year."),
        Column("province", pa.string(), "Province name."),
        Column("organ", pa.string(), "Publishing organ; `(none)` for a crawled jurisdiction with no report at all."),
        Column("year", pa.int16(), "Report year."),
        Column(
            "status",
            pa.string(),
            "not_found (no document), fetched (stored, not extracted or extraction failed), "
            "extracted (rows loaded, an identity fails), checked (rows loaded, every identity holds).",
        ),
        Column("documents", pa.int32(), "Documents stored for this cell."),
        Column("report_id", pa.string(), "Report id when extracted."),
        Column("checks_failed", pa.int32(), "Failed identity checks of the report."),
        Column("checks_undecided", pa.int32(), "Identity checks of the report a blank cell leaves undecidable."),
        Column(
            "cross_year_warnings", pa.int32(), "Failed cross-year checks (carried_over vs last year's carried_forward)."
        ),
        LOAD_ID,
    ),
    partitioned=False,
)

DIVISIONS = TableSpec(
    "divisions",
    "one GB/T 2260 code for one period",
    "Every division code ogi knows, current and retired, with when it was in force and what replaced it, so a "
    "county is followed through renames and re-codings. Not partitioned.",
    (
        Column("code", pa.string(), "Six-digit code."),
        Column("name", pa.string(), "Name under this code."),
        Column("level", pa.string(), "province, prefecture or county."),
        Column("kind", pa.string(), "The list's own type: 市辖区, 县, 县级市, 自治县, 地级市…"),
        Column("prefecture_code", pa.string(), "Parent prefecture's code."),
        Column("province_code", pa.string(), "Province's code."),
        Column("province", pa.string(), "Province name."),
        Column("valid_from", pa.int16(), "First year-end list with this code; null when listed before 2008."),
        Column("valid_to", pa.int16(), "Year of the change that retired it; null while in force."),
        Column("successor", pa.string(), "Main successor code (its own code for a rename that kept it)."),
        Column("successors", STR_LIST, "Every successor code (a county split between several)."),
        Column("current_code", pa.string(), "Today's code for the place (the successor chain followed to the end)."),
        LOAD_ID,
    ),
    partitioned=False,
)

TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (
        REPORTS,
        CELLS,
        REQUESTS,
        PROACTIVE,
        APPEALS,
        STATISTICS,
        CORE,
        CHECKS,
        DOCUMENTS,
        CRAWL_LOG,
        COVERAGE,
        DIVISIONS,
    )
}

STATUS_ORDER = ("not_found", "fetched", "extracted", "checked")
