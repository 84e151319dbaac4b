"""The load's own index: what the warehouse holds per document and per report, so a load with news
reads only what the news touches.

Why: the raw manifest and the extraction index say *what changed* (their change sequences), but not
*what it touches*: which report a changed document belonged to, which partition that report lives in,
which reports compete with it for ``is_primary``. This index keeps those few facts per document (its
report scope: current jurisdiction + organ) and per report (partition, signature, the numbers the
load's counts sum), indexed by scope, so an incremental load looks up the scopes of the changed
documents instead of reading both stores' indexes in full.

It is derived (rebuilt by any full load) and versioned against the warehouse: ``_state.json`` names
the token of the index it was committed with, the index is committed after the warehouse, and a
token that does not match (a crash between the two, a deleted or copied index) makes the next load
a full one.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

SEP = "|"


def scope_key(current_code: str | None, organ: str) -> str:
    """A report scope: one jurisdiction (today's code) and one organ, every year."""
    return f"{current_code or ''}{SEP}{organ}"


@dataclass(frozen=True)
class DocRow:
    url: str
    sha256: str
    scope: str
    year: int | None  # the year coverage files it under (None: no coverage cell)
    status: str
    report_id: str | None


@dataclass(frozen=True)
class ReportRow:
    report_id: str
    scope: str
    code: str | None
    year: int
    province: str
    signature: str
    candidate: bool  # issued by the jurisdiction's own government: may be is_primary
    cells_found: int
    is_primary: bool
    checks_failed: int
    checks_undecided: int
    warnings: int
    file: str  # the partition's file holding its rows (``part-0.parquet`` or a delta)


class LoadIndex:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = self._open()
        except sqlite3.DatabaseError:  # derived: a damaged index is replaced, and the next load is a full one
            for extra in ("", "-wal", "-shm"):
                Path(f"{self.path}{extra}").unlink(missing_ok=True)
            self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(
            "CREATE TABLE IF NOT EXISTS docs (url TEXT PRIMARY KEY, sha256 TEXT, scope TEXT, year INTEGER, "
            "status TEXT, report_id TEXT);"
            "CREATE INDEX IF NOT EXISTS docs_scope ON docs(scope);"
            "CREATE INDEX IF NOT EXISTS docs_sha ON docs(sha256);"
            "CREATE INDEX IF NOT EXISTS docs_year ON docs(year);"
            "CREATE TABLE IF NOT EXISTS reports (report_id TEXT PRIMARY KEY, scope TEXT, code TEXT, year INTEGER, "
            "province TEXT, signature TEXT, candidate INTEGER, cells_found INTEGER, is_primary INTEGER, "
            "checks_failed INTEGER, checks_undecided INTEGER, warnings INTEGER, file TEXT);"
            "CREATE INDEX IF NOT EXISTS reports_scope ON reports(scope);"
            "CREATE INDEX IF NOT EXISTS reports_code_year ON reports(code, year);"
            "CREATE INDEX IF NOT EXISTS reports_partition ON reports(year, province, file);"
            "CREATE TABLE IF NOT EXISTS crawled (code TEXT PRIMARY KEY);"
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);"
        )
        return db

    # one transaction per load, committed after the warehouse ----------------------------------------
    def begin(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def commit(self, token: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta VALUES ('token', ?)", (token,))
        self._db.execute("COMMIT")

    def rollback(self) -> None:
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    @property
    def token(self) -> str | None:
        found = self._db.execute("SELECT value FROM meta WHERE key = 'token'").fetchone()
        return None if found is None else found[0]

    @staticmethod
    def new_token() -> str:
        return uuid.uuid4().hex

    def clear(self) -> None:
        self._db.execute("DELETE FROM docs")
        self._db.execute("DELETE FROM reports")
        self._db.execute("DELETE FROM crawled")

    # documents ---------------------------------------------------------------------------------------
    def put_docs(self, rows: Iterable[DocRow]) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO docs VALUES (?, ?, ?, ?, ?, ?)",
            ((r.url, r.sha256, r.scope, r.year, r.status, r.report_id) for r in rows),
        )

    def docs_of_urls(self, urls: Iterable[str]) -> dict[str, DocRow]:
        return {r.url: r for r in self._select("docs", "url", urls, DocRow)}

    def urls_of_shas(self, shas: Iterable[str]) -> set[str]:
        return {r.url for r in self._select("docs", "sha256", shas, DocRow)}

    def urls_in_scopes(self, scopes: Iterable[str]) -> set[str]:
        return {r.url for r in self._select("docs", "scope", scopes, DocRow)}

    def has_observations(self, code: str) -> bool:
        """Whether any document of this jurisdiction (today's code) has a coverage cell."""
        found = self._db.execute(
            "SELECT 1 FROM docs WHERE scope >= ? AND scope < ? AND year IS NOT NULL LIMIT 1",
            (f"{code}{SEP}", f"{code}{chr(ord(SEP) + 1)}"),
        ).fetchone()
        return found is not None

    def year_span(self) -> tuple[int | None, int | None]:
        lo = self._db.execute("SELECT MIN(year) FROM docs WHERE year IS NOT NULL").fetchone()[0]
        hi = self._db.execute("SELECT MAX(year) FROM docs WHERE year IS NOT NULL").fetchone()[0]
        return lo, hi

    def doc_counts(self) -> dict[str, int]:
        """documents, pending, errors."""
        by = dict(self._db.execute("SELECT status, COUNT(*) FROM docs GROUP BY status").fetchall())
        return {"documents": sum(by.values()), "pending": by.get("pending", 0), "errors": by.get("error", 0)}

    # reports -----------------------------------------------------------------------------------------
    def put_reports(self, rows: Iterable[ReportRow]) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO reports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    r.report_id,
                    r.scope,
                    r.code,
                    r.year,
                    r.province,
                    r.signature,
                    int(r.candidate),
                    r.cells_found,
                    int(r.is_primary),
                    r.checks_failed,
                    r.checks_undecided,
                    r.warnings,
                    r.file,
                )
                for r in rows
            ),
        )

    def delete_reports(self, report_ids: Iterable[str]) -> None:
        self._db.executemany("DELETE FROM reports WHERE report_id = ?", ((r,) for r in report_ids))

    def reports_in_scopes(self, scopes: Iterable[str]) -> dict[str, ReportRow]:
        return {r.report_id: r for r in self._select("reports", "scope", scopes, ReportRow)}

    def candidates(self, code: str | None, year: int) -> list[ReportRow]:
        """Every report that may be the primary one of (jurisdiction, year)."""
        cur = self._db.execute("SELECT * FROM reports WHERE code IS ? AND year = ? AND candidate = 1", (code, year))
        return [_report(r) for r in cur]

    def files_of(self, year: int, province: str) -> dict[str, int]:
        """The partition's files that hold reports → how many each."""
        cur = self._db.execute(
            "SELECT file, COUNT(*) FROM reports WHERE year = ? AND province = ? GROUP BY file", (year, province)
        )
        return dict(cur.fetchall())

    def move_reports(self, year: int, province: str, files: Iterable[str], to: str) -> None:
        """Reports whose rows were merged from ``files`` into ``to``."""
        self._db.executemany(
            "UPDATE reports SET file = ? WHERE year = ? AND province = ? AND file = ?",
            ((to, year, province, f) for f in files),
        )

    def report_counts(self) -> dict[str, int]:
        n, failed, undecided, warned = self._db.execute(
            "SELECT COUNT(*), COALESCE(SUM(checks_failed), 0), COALESCE(SUM(checks_undecided), 0), "
            "COALESCE(SUM(warnings), 0) FROM reports"
        ).fetchone()
        return {"reports": n, "checks_failed": failed, "checks_undecided": undecided, "warnings": warned}

    # crawled jurisdictions (coverage's "(none)" rows) --------------------------------------------------
    def crawled(self) -> set[str]:
        return {r[0] for r in self._db.execute("SELECT code FROM crawled")}

    def set_crawled(self, codes: Iterable[str]) -> None:
        self._db.execute("DELETE FROM crawled")
        self._db.executemany("INSERT INTO crawled VALUES (?)", ((c,) for c in codes))

    def _select(self, table: str, column: str, values: Iterable[str], kind) -> Iterator:
        values = list(values)
        for i in range(0, len(values), 500):
            chunk = values[i : i + 500]
            marks = ", ".join("?" for _ in chunk)
            for row in self._db.execute(f"SELECT * FROM {table} WHERE {column} IN ({marks})", chunk):
                yield _report(row) if kind is ReportRow else DocRow(*row)

    def close(self) -> None:
        self.rollback()
        self._db.close()

    def __enter__(self) -> "LoadIndex":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _report(row: tuple) -> ReportRow:
    values = list(row)
    values[6], values[8] = bool(values[6]), bool(values[8])
    return ReportRow(*values)
