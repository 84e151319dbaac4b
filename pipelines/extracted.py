"""The extraction store: every document's ``Report.to_dict()`` per extractor version, in compact batches.

Why this shape:

* Extraction is the expensive step and a pure function of (bytes, extractor), so its output
  is kept under the key ``sha256 + extractor version``; a nightly run extracts only documents
  with no entry at the current version, and a load reads the newest entry of every document
  (bumping the extractor never makes reports vanish before ``ogi reextract`` has caught up).
* **Compact**: one Parquet file per extraction batch (``batches/<id>.parquet``, zstd, small
  row groups so one report is read without the rest), about 1 KB per report instead of a
  30 KB JSON file each.
* **An index that says what changed**: ``index.sqlite`` holds, per entry, where its body is,
  a change sequence number (``seq``) and the summary a load needs before reading any cells
  (``extractors.summary.report_summary``). A load remembers the sequence it loaded up to, so a
  run with nothing new reads two numbers instead of every report.
* **Damage stays local**: the batches are the truth and the index is derived from them
  (:meth:`rebuild_index`); an unreadable batch is quarantined and its documents are simply
  extracted again.
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections import OrderedDict
from pathlib import Path
from typing import Any, Iterable, Iterator

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from extractors.model import json_bytes
from extractors.summary import report_summary
from pipelines.quarantine import Quarantine

ROW_GROUP = 32  # reports per row group: the unit read to get one report back
ZSTD_LEVEL = 5  # level 9 wrote 4% smaller batches (662 against 686 bytes per report) for 2.5× the CPU per report
# bodies kept decompressed: a province's row groups, read once for all years (as many reports as the 64 M characters
# held when they were kept as str, in less memory)
CACHE_BYTES = 96 << 20
_SCHEMA = pa.schema([("sha256", pa.string()), ("version", pa.string()), ("report", pa.string())])


class CorruptBatch(RuntimeError):
    """An extraction batch that cannot be read; ``path`` names it."""

    def __init__(self, path: Path, cause: Exception | str):
        why = cause if isinstance(cause, str) else f"{type(cause).__name__}: {cause}"
        super().__init__(f"extraction batch {path} is unreadable ({why})")
        self.path = path
        self.why = why

    def __reduce__(self):  # raised in a load worker, handled by the load's process
        return (CorruptBatch, (self.path, self.why))


def _version_key(version: str) -> tuple:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in version.replace("-", ".").split("."))


class ExtractionStore:
    def __init__(self, root: str | os.PathLike[str], quarantine: Quarantine | None = None):
        self.root = Path(root)
        self.batches = self.root / "batches"
        self.batches.mkdir(parents=True, exist_ok=True)
        self.quarantine = quarantine or Quarantine(self.root.parent.parent / "quarantine")
        self._cache: OrderedDict[tuple[str, int], list[bytes]] = OrderedDict()
        self._cached_bytes = 0
        self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        path = self.root / "index.sqlite"
        try:
            db = self._connect(path)
        except sqlite3.DatabaseError as exc:  # a damaged index is set aside and rebuilt from the batches
            self.quarantine.put(path, f"extraction index unreadable: {exc}")
            for extra in ("-wal", "-shm"):
                Path(f"{path}{extra}").unlink(missing_ok=True)
            db = self._connect(path)
            self._db = db
            self.rebuild_index()
        return db

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path, timeout=120)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(
            "CREATE TABLE IF NOT EXISTS entries (seq INTEGER PRIMARY KEY AUTOINCREMENT, sha256 TEXT NOT NULL, "
            "version TEXT NOT NULL, batch TEXT NOT NULL, rg INTEGER NOT NULL, row INTEGER NOT NULL, "
            "summary TEXT NOT NULL, UNIQUE (sha256, version))"
        )
        db.execute("CREATE INDEX IF NOT EXISTS entries_batch ON entries(batch)")
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        db.execute("INSERT OR IGNORE INTO meta VALUES ('epoch', ?)", (uuid.uuid4().hex,))
        db.commit()
        return db

    # writing ---------------------------------------------------------------------------
    def put(self, sha256: str, version: str, report: dict[str, Any]) -> Path:
        return self.put_many([(sha256, version, report)])

    def put_many(self, entries: Iterable[tuple[str, str, dict[str, Any]]]) -> Path:
        """Write one batch of ``(sha256, version, report dict)`` entries: see :meth:`put_encoded`."""
        return self.put_encoded(
            (sha, version, json_bytes(report), json_bytes(report_summary(report))) for sha, version, report in entries
        )

    def put_encoded(self, entries: Iterable[tuple[str, str, bytes, bytes]]) -> Path:
        """Write one batch of ``(sha256, version, report JSON, summary JSON)`` entries (atomically), then index it: a
        crash in between leaves an orphan batch, no entry.

        Why already encoded: the extraction worker writes the JSON and the summary
        (:func:`extractors.summary.report_summary`) of the report it made, so storing it decodes nothing."""
        entries = list(entries)
        batch = f"{uuid.uuid4().hex}.parquet"
        path = self.batches / batch
        bodies = pa.array([body for _, _, body, _ in entries], pa.binary()).cast(pa.string())  # checks the UTF-8
        columns = {"sha256": [s for s, _, _, _ in entries], "version": [v for _, v, _, _ in entries], "report": bodies}
        table = pa.table(columns, schema=_SCHEMA)
        tmp = self.batches / f".tmp-{batch}"
        pq.write_table(table, tmp, compression="zstd", compression_level=ZSTD_LEVEL, row_group_size=ROW_GROUP)
        os.replace(tmp, path)
        self._index(batch, ((s, v, i, summary) for i, (s, v, _, summary) in enumerate(entries)))
        return path

    def _index(self, batch: str, rows: Iterable[tuple[str, str, int, bytes]]) -> None:
        """``rows``: (sha256, version, position in the batch, summary JSON)."""
        with self._db:  # a key stored again is replaced: its old entry goes, the new one takes a new sequence number
            self._db.executemany(
                "INSERT OR REPLACE INTO entries (sha256, version, batch, rg, row, summary) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    (sha, version, batch, i // ROW_GROUP, i % ROW_GROUP, summary.decode())
                    for sha, version, i, summary in rows
                ),
            )

    def rebuild_index(self) -> int:
        """Index every readable batch again (oldest file first, so a later extraction of a key wins)."""
        n = 0
        for path in sorted(self.batches.glob("*.parquet"), key=lambda p: p.stat().st_mtime_ns):
            try:
                table = pq.read_table(path)
            except Exception as exc:  # noqa: BLE001 - any unreadable batch is set aside, whatever the cause
                self.quarantine.put(path, f"extraction batch unreadable: {type(exc).__name__}: {exc}")
                continue
            cols = table.to_pydict()
            rows = zip(cols["sha256"], cols["version"], cols["report"])
            self._index(
                path.name,
                ((s, v, i, json_bytes(report_summary(orjson.loads(r)))) for i, (s, v, r) in enumerate(rows)),
            )
            n += table.num_rows
        return n

    def mark(self, key: str) -> str | None:
        """A note kept with the index (e.g. up to which raw fetch every document has an extraction)."""
        found = self._db.execute("SELECT value FROM meta WHERE key = ?", (f"mark:{key}",)).fetchone()
        return None if found is None else found[0]

    def set_mark(self, key: str, value: str) -> None:
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (f"mark:{key}", value))

    def drop_batch(self, path: Path, reason: str) -> None:
        """Quarantine a damaged batch and forget its entries (their documents will be extracted again)."""
        with self._db:
            self._db.execute("DELETE FROM entries WHERE batch = ?", (path.name,))
            self._db.execute("DELETE FROM meta WHERE key LIKE 'mark:%'")  # no longer complete up to anything
            # entries went away without a new sequence number: a new epoch makes the next load look at everything
            self._db.execute("UPDATE meta SET value = ? WHERE key = 'epoch'", (uuid.uuid4().hex,))
        self._cache = OrderedDict((k, v) for k, v in self._cache.items() if k[0] != path.name)
        self._cached_bytes = sum(len(body) for bodies in self._cache.values() for body in bodies)
        self.quarantine.put(path, reason)

    # reading ---------------------------------------------------------------------------
    @property
    def epoch(self) -> str:
        return self._db.execute("SELECT value FROM meta WHERE key = 'epoch'").fetchone()[0]

    def sequence(self) -> tuple[int, int]:
        """(highest change sequence number, number of entries): what a load compares to find change."""
        seq, count = self._db.execute("SELECT COALESCE(MAX(seq), 0), COUNT(*) FROM entries").fetchone()
        return int(seq), int(count)

    def extracted(self, shas: Iterable[str], version: str) -> set[str]:
        """Those of ``shas`` with an entry at ``version``: one query per thousand documents, not one each."""
        shas, found = list(shas), set()
        for i in range(0, len(shas), 999):  # SQLite's oldest limit on a statement's parameters
            part = shas[i : i + 999]
            marks = ",".join("?" * len(part))
            query = f"SELECT sha256 FROM entries WHERE version = ? AND sha256 IN ({marks})"
            found.update(r[0] for r in self._db.execute(query, (version, *part)))
        return found

    def versions(self, sha256: str) -> list[str]:
        found = [r[0] for r in self._db.execute("SELECT version FROM entries WHERE sha256 = ?", (sha256,))]
        return sorted(found, key=_version_key)

    def summaries(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """(sha256, version, summary) of every entry, ordered by sha256 (to merge with the raw store's documents)."""
        for sha, version, summary in self._db.execute("SELECT sha256, version, summary FROM entries ORDER BY sha256"):
            yield sha, version, json.loads(summary)

    def changed_since(self, seq: int) -> set[str]:
        """sha256 of every entry written after change sequence ``seq`` (read from the sequence's index)."""
        return {r[0] for r in self._db.execute("SELECT sha256 FROM entries WHERE seq > ?", (seq,))}

    def summaries_of(self, shas: Iterable[str]) -> dict[str, dict[str, dict[str, Any]]]:
        """sha256 → version → summary, for the given documents only."""
        out: dict[str, dict[str, dict[str, Any]]] = {}
        for sha in shas:
            for version, summary in self._db.execute(
                "SELECT version, summary FROM entries WHERE sha256 = ?", (sha,)
            ).fetchall():
                out.setdefault(sha, {})[version] = json.loads(summary)
        return out

    def batch_files(self) -> dict[str, int]:
        """Batch file name → entries that point into it."""
        return dict(self._db.execute("SELECT batch, COUNT(*) FROM entries GROUP BY batch").fetchall())

    def get(self, sha256: str, version: str) -> dict[str, Any]:
        found = self._db.execute(
            "SELECT batch, rg, row FROM entries WHERE sha256 = ? AND version = ?", (sha256, version)
        ).fetchone()
        if found is None:
            raise KeyError(f"no extraction of {sha256} at version {version}")
        batch, rg, row = found
        return orjson.loads(self._row_group(batch, rg)[row])  # the load's hot path: several times json's speed

    def _row_group(self, batch: str, rg: int) -> list[bytes]:
        """The bodies of one row group as UTF-8 bytes, what orjson reads (as ``str`` each would be decoded, then
        encoded again for orjson: a fifth of a read's instructions), from a cache bounded in bytes (least recently
        used first out)."""
        key = (batch, rg)
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
            return found
        path = self.batches / batch
        try:
            with pq.ParquetFile(path) as f:
                found = f.read_row_group(rg, columns=["report"]).column(0).cast(pa.binary()).to_pylist()
        except Exception as exc:  # noqa: BLE001 - truncated, garbled or missing: name the file
            raise CorruptBatch(path, exc) from exc
        self._cache[key] = found
        self._cached_bytes += sum(map(len, found))
        while self._cached_bytes > CACHE_BYTES and len(self._cache) > 1:
            self._cached_bytes -= sum(map(len, self._cache.popitem(last=False)[1]))
        return found

    def latest(self, sha256: str, prefer: str | None = None) -> tuple[str, dict[str, Any]] | None:
        """(version, report dict): ``prefer`` when stored, else the newest version stored."""
        versions = self.versions(sha256)
        if not versions:
            return None
        version = pick_version(versions, prefer)
        return version, self.get(sha256, version)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "ExtractionStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def pick_version(versions: Iterable[str], prefer: str | None) -> str:
    """The version a load reads: ``prefer`` when stored, else the newest."""
    found = sorted(versions, key=_version_key)
    return prefer if prefer in found else found[-1]
