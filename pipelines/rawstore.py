"""The raw store: every fetched document, content-addressed, with a manifest of who gave what when.

Why: extraction must always be re-runnable without refetching, the same bytes at two
URLs are kept once, and a nightly re-crawl needs each URL's last ETag/Last-Modified.
Blobs live at ``<root>/blobs/<sha[:2]>/<sha256>`` (written atomically, never
overwritten unless damaged); the manifest is one SQLite file, append-only for fetches, whose
row ids are the store's change sequence (a load remembers the last one it saw).

A blob is verified against its sha256 whenever it is read: a damaged one is named
(:class:`DamagedBlob`), moved to the quarantine and marked, so the next crawl fetches its URLs
again in full instead of trusting a conditional GET that would answer "not modified".
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
import uuid
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Iterable, Iterator


@dataclass
class FetchRecord:
    """One fetch of one URL: the provenance of a document's bytes."""

    url: str  # the document URL (after redirects the final URL is in final_url)
    sha256: str | None  # None when nothing was stored (304, error)
    fetched_at: str
    status: int
    kind: str = "attachment"  # page | attachment
    format: str | None = None
    size: int | None = None
    final_url: str | None = None
    source_id: str | None = None
    jurisdiction_code: str | None = None
    organ: str | None = None
    report_year: int | None = None
    year_source: str | None = None  # where the listing's year came from: title, year_column, published_date
    title: str | None = None
    listing_url: str | None = None
    page_url: str | None = None
    link_text: str | None = None
    published_date: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    change: str | None = None  # new | changed | unchanged
    crawl_id: str | None = None
    verdict: str | None = None  # the crawl's content check of these bytes (JSON, pipelines.verdicts.Verdict)


_COLUMNS = [f.name for f in fields(FetchRecord)]


class DamagedBlob(RuntimeError):
    """A blob whose bytes no longer hash to its name (truncated, overwritten, missing)."""

    def __init__(self, sha256: str, path: Path, why: str):
        super().__init__(f"raw blob {path} is damaged: {why}")
        self.sha256, self.path = sha256, path


class RawStore:
    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root)
        self.blobs = self.root / "blobs"
        self.blobs.mkdir(parents=True, exist_ok=True)
        manifest = self.root / "manifest.sqlite"
        try:
            self._db = self._open(manifest)
        except sqlite3.DatabaseError as exc:
            raise sqlite3.DatabaseError(
                f"raw manifest {manifest} is damaged ({exc}): `ogi doctor --repair` sets it "
                "aside and rebuilds it from the warehouse"
            ) from exc

    @staticmethod
    def _open(manifest: Path) -> sqlite3.Connection:
        db = sqlite3.connect(manifest, timeout=60)
        db.execute("PRAGMA journal_mode=WAL")
        cols = ", ".join(f"{c} TEXT" if c != "status" else "status INTEGER" for c in _COLUMNS)
        db.execute(f"CREATE TABLE IF NOT EXISTS fetches (id INTEGER PRIMARY KEY, {cols})")
        have = {row[1] for row in db.execute("PRAGMA table_info(fetches)")}
        for column in _COLUMNS:  # a store made by an older ogi gains the newer columns, empty
            if column not in have:
                db.execute(f"ALTER TABLE fetches ADD COLUMN {column} TEXT")
        db.execute("CREATE INDEX IF NOT EXISTS fetches_url ON fetches(url)")
        db.execute("CREATE INDEX IF NOT EXISTS fetches_sha ON fetches(sha256)")
        db.execute("CREATE INDEX IF NOT EXISTS fetches_page ON fetches(page_url)")
        db.execute("CREATE TABLE IF NOT EXISTS damaged (sha256 TEXT PRIMARY KEY, noted_at TEXT, reason TEXT)")
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        db.execute("INSERT OR IGNORE INTO meta VALUES ('epoch', ?)", (uuid.uuid4().hex,))
        db.commit()
        return db

    # blobs -------------------------------------------------------------------------
    def path(self, sha256: str) -> Path:
        return self.blobs / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def put(self, data: bytes) -> str:
        """Store bytes once; return their sha256. Atomic: temp file + rename. A damaged copy is replaced."""
        sha = hashlib.sha256(data).hexdigest()
        target = self.path(sha)
        repair = self.is_damaged(sha)
        if repair or not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, target)
        if repair:
            self._db.execute("DELETE FROM damaged WHERE sha256 = ?", (sha,))
            self._db.commit()
        return sha

    def get(self, sha256: str) -> bytes:
        """The blob's bytes, verified against its name; :class:`DamagedBlob` otherwise."""
        path = self.path(sha256)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise DamagedBlob(sha256, path, "missing") from None
        found = hashlib.sha256(data).hexdigest()
        if found != sha256:
            raise DamagedBlob(sha256, path, f"{len(data)} bytes hash to {found[:12]}…")
        return data

    def mark_damaged(self, sha256: str, reason: str) -> None:
        """Remember a damaged blob: its URLs are fetched again in full by the next crawl."""
        from datetime import datetime, timezone

        self._db.execute(
            "INSERT OR REPLACE INTO damaged VALUES (?, ?, ?)",
            (sha256, datetime.now(timezone.utc).isoformat(timespec="seconds"), reason),
        )
        self._db.commit()

    def is_damaged(self, sha256: str) -> bool:
        return self._db.execute("SELECT 1 FROM damaged WHERE sha256 = ?", (sha256,)).fetchone() is not None

    def damaged(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT sha256, reason FROM damaged").fetchall())

    # manifest ----------------------------------------------------------------------
    def record(self, fetch: FetchRecord) -> None:
        row = asdict(fetch)
        row["headers"] = json.dumps(row["headers"], ensure_ascii=False)
        if row["report_year"] is not None:
            row["report_year"] = str(row["report_year"])
        placeholders = ", ".join("?" for _ in _COLUMNS)
        self._db.execute(
            f"INSERT INTO fetches ({', '.join(_COLUMNS)}) VALUES ({placeholders})",
            [row[c] for c in _COLUMNS],
        )
        self._db.commit()

    def latest(self, url: str) -> FetchRecord | None:
        """The last fetch of ``url`` that stored bytes (for conditional GET and change detection).

        None while those bytes are marked damaged: the URL is then fetched again without a conditional GET."""
        found = self._last(url, "sha256 IS NOT NULL")
        return None if found is None or self.is_damaged(found.sha256 or "") else found

    def last_checked(self, url: str) -> FetchRecord | None:
        """The last fetch of ``url`` whatever it gave (a 304 counts: it proves the bytes current)."""
        if self.latest(url) is None:
            return None
        return self._last(url, "status IN (200, 203, 304)")

    def _last(self, url: str, condition: str) -> FetchRecord | None:
        cur = self._db.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM fetches WHERE url = ? AND {condition} ORDER BY id DESC LIMIT 1", (url,)
        )
        found = cur.fetchone()
        return None if found is None else _to_record(found)

    @property
    def epoch(self) -> str:
        """A random id born with the manifest: a new manifest (the old one lost) is a new epoch."""
        return self._db.execute("SELECT value FROM meta WHERE key = 'epoch'").fetchone()[0]

    def sequence(self) -> tuple[int, int]:
        """(last fetch id, number of fetches): what a load compares to find whether anything was fetched."""
        seq, count = self._db.execute("SELECT COALESCE(MAX(id), 0), COUNT(*) FROM fetches").fetchone()
        return int(seq), int(count)

    def verdict(self, sha256: str) -> str | None:
        """The content check kept for these bytes (any fetch of them), or None when never made."""
        found = self._db.execute(
            "SELECT verdict FROM fetches WHERE sha256 = ? AND verdict IS NOT NULL ORDER BY id DESC LIMIT 1", (sha256,)
        ).fetchone()
        return None if found is None else found[0]

    def set_verdict(self, sha256: str, verdict: str) -> None:
        """Keep the content check with every fetch of these bytes that has none yet (fetch rows stay as made)."""
        self._db.execute("UPDATE fetches SET verdict = ? WHERE sha256 = ? AND verdict IS NULL", (verdict, sha256))
        self._db.commit()

    def attachment_urls(self, page_url: str) -> list[str]:
        """Every attachment URL ever seen on ``page_url``, stored or failed (a failed one is retried)."""
        cur = self._db.execute(
            "SELECT url FROM fetches WHERE kind = 'attachment' AND page_url = ? GROUP BY url ORDER BY MIN(id)",
            (page_url,),
        )
        return [row[0] for row in cur]

    def fetches(self) -> Iterator[FetchRecord]:
        cur = self._db.execute(f"SELECT {', '.join(_COLUMNS)} FROM fetches ORDER BY id")
        for found in cur:
            yield _to_record(found)

    def documents(
        self, years: set[int] | None = None, sources: set[str] | None = None, after: int = 0
    ) -> Iterator[FetchRecord]:
        """The current version of every stored document: the latest fetch per URL with bytes.

        ``after``: only documents whose current fetch came after that fetch id (read from the id, not a full scan)."""
        if after:
            cur = self._db.execute(
                f"SELECT {', '.join(_COLUMNS)} FROM fetches f WHERE f.id > ? AND f.sha256 IS NOT NULL AND f.id = ("
                "SELECT MAX(id) FROM fetches g WHERE g.url = f.url AND g.sha256 IS NOT NULL) ORDER BY f.id",
                (after,),
            )
        else:
            cur = self._db.execute(
                f"SELECT {', '.join(_COLUMNS)} FROM fetches WHERE id IN ("
                "SELECT MAX(id) FROM fetches WHERE sha256 IS NOT NULL GROUP BY url) ORDER BY id"
            )
        for found in cur:
            rec = _to_record(found)
            if years is not None and rec.report_year not in years:
                continue
            if sources is not None and rec.source_id not in sources:
                continue
            yield rec

    def current(self) -> Iterator[tuple[FetchRecord, str]]:
        """(current fetch, when its bytes were first fetched at that URL) for every document, ordered by sha256."""
        cols = ", ".join(f"f.{c}" for c in _COLUMNS)
        cur = self._db.execute(
            f"SELECT {cols}, (SELECT fetched_at FROM fetches g WHERE g.url = f.url AND g.sha256 = f.sha256 "
            "ORDER BY g.id LIMIT 1) FROM fetches f WHERE f.id IN ("
            "SELECT MAX(id) FROM fetches WHERE sha256 IS NOT NULL GROUP BY url) ORDER BY f.sha256, f.id"
        )
        for found in cur:
            yield _to_record(found[:-1]), found[-1]

    def changed(self, after: int) -> Iterator[str]:
        """URLs fetched with bytes after fetch id ``after`` (read from the id index, not a scan): what a load
        looks at again."""
        cur = self._db.execute("SELECT DISTINCT url FROM fetches WHERE id > ? AND sha256 IS NOT NULL", (after,))
        for (url,) in cur:
            yield url

    def current_of(self, urls: Iterable[str]) -> Iterator[tuple[FetchRecord, str]]:
        """(current fetch, when its bytes were first fetched at that URL) of each of ``urls`` that has bytes."""
        cols = ", ".join(_COLUMNS)
        for url in urls:
            found = self._db.execute(
                f"SELECT {cols} FROM fetches WHERE url = ? AND sha256 IS NOT NULL ORDER BY id DESC LIMIT 1", (url,)
            ).fetchone()
            if found is None:
                continue
            rec = _to_record(found)
            first = self._db.execute(
                "SELECT fetched_at FROM fetches WHERE url = ? AND sha256 = ? ORDER BY id LIMIT 1", (url, rec.sha256)
            ).fetchone()
            yield rec, first[0]

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "RawStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _to_record(values: tuple) -> FetchRecord:
    row = dict(zip(_COLUMNS, values))
    row["headers"] = json.loads(row["headers"] or "{}")
    row["report_year"] = int(row["report_year"]) if row["report_year"] else None
    row["size"] = int(row["size"]) if row["size"] is not None else None
    return FetchRecord(**row)
