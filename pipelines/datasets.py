"""The one Parquet writer: hive-partitioned tables under ``<warehouse>/`` on any fsspec filesystem.

Why this shape:

* **A run replaces exactly the files it owns.** Each partition is one file,
  ``<table>/report_year=YYYY/province=NAME/part-0.parquet``, whose content is a pure
  function of the reports in it. A load hands over every partition of the tables it
  rebuilds; a file is rewritten only when its content hash changed, files no longer
  produced are deleted, and nothing else under the warehouse is touched. A rerun
  therefore writes nothing and keeps every row's ``load_id``.
* **Atomic, and a killed run is completed by the next one.** New files are written
  to ``_staging/<load_id>/`` first; then a journal listing every move and delete is
  written atomically (temp + rename); then the moves are applied (a rename on a local
  disk). Killed before the journal: the dataset is the previous one and the staging is
  swept. Killed after it: the next load replays the journal first (roll forward).
* **One load at a time.** ``_lock`` is an OS lock (``flock``) on a local disk, released by
  the kernel if the holder dies; on object stores it is an advisory lock file with an
  owner token and a time-to-live.

* **Damage is set aside, not fatal.** A data file, journal or state file that cannot be
  read is moved to the quarantine (``<data_dir>/quarantine/``) with a note naming it; the
  partition is rebuilt by the load (a lost journal makes the next load rebuild everything).

The commit, step by step (``OGI_TEST_CRASH_AT=<step>`` stops the process there, for tests):
``staged`` (every new file under ``_staging/``) → ``journal`` (the commit point) →
``moved-1`` … ``moved`` (renames) → ``deleted`` → ``state`` (``_state.json``: what this load
read, so the next finds what changed) → ``recorded`` (``_loads/<load_id>.json``) → journal removed.

Every file carries ``ogi.schema_version``, ``ogi.load_id`` and ``ogi.content_sha256``
in its Parquet metadata; every row carries ``load_id`` (the dlt convention), and each
load leaves ``_loads/<load_id>.json``.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Iterable, Iterator, Mapping, Sequence

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
from fsspec.implementations.local import LocalFileSystem

from pipelines.quarantine import Quarantine
from pipelines.tables import PARTITION_COLUMNS, PARTITION_KEYS, SCHEMA_VERSION, TABLES, TableSpec

FILE_NAME = "part-0.parquet"  # a partition's base file; an incremental load adds ``part-<load_id>.parquet`` beside it


def is_data_file(path: str) -> bool:
    """A table's data file: ``part-0.parquet`` or a delta ``part-<load_id>.parquet``."""
    name = path.rsplit("/", 1)[-1]
    return name.startswith("part-") and name.endswith(".parquet")


def delta_name(load_id: str) -> str:
    return f"part-{load_id}.parquet"


JOURNAL = "_journal.json"
LOCK = "_lock"
STAGING = "_staging"
LOADS = "_loads"
STATE = "_state.json"
CRASH_ENV = "OGI_TEST_CRASH_AT"
ROW_GROUP = 65536  # rows per row group: what a load streaming an unpartitioned table holds at once


def crash_point(step: str) -> None:
    """Die here, as a power cut would, when ``$OGI_TEST_CRASH_AT`` names this step (crash-injection tests)."""
    if os.environ.get(CRASH_ENV) == step:
        os._exit(70)


class LockHeld(RuntimeError):
    """Another load holds the warehouse lock."""


def new_load_id() -> str:
    """A dlt-style load id: the load's start as a Unix timestamp string (sorts by time)."""
    return f"{time.time():.6f}"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def partition_dir(spec: TableSpec, partition: Mapping[str, Any] | None) -> str:
    """``cells/report_year=2023/province=陕西省`` (or just the table for unpartitioned tables)."""
    if not spec.partitioned:
        return spec.name
    if partition is None or set(partition) != set(PARTITION_KEYS):
        raise ValueError(f"{spec.name} is partitioned by {PARTITION_KEYS}, got {partition}")
    parts = [spec.name]
    for key in PARTITION_KEYS:
        value = str(partition[key])
        if not value or any(ch in value for ch in "/=%\\") or value.startswith((".", "_")):
            raise ValueError(f"unsafe partition value {key}={value!r}")
        parts.append(f"{key}={value}")
    return "/".join(parts)


def to_arrow(spec: TableSpec, rows: Sequence[Mapping[str, Any]]) -> pa.Table:
    """Rows → a table in the spec's file schema (missing keys are null, extra keys dropped).

    Dates and timestamps arrive as ISO 8601 text from the manifest and crawl reports; they are
    parsed here, once, into ``date32`` and ``timestamp[us, UTC]`` (a naive time is taken as UTC,
    text that is not a date becomes null rather than a wrong date)."""
    temporal = {c.name: c.type for c in spec.columns if pa.types.is_date(c.type) or pa.types.is_timestamp(c.type)}
    if temporal:
        rows = [{**r, **{k: _temporal(r.get(k), t) for k, t in temporal.items()}} for r in rows]
    return pa.Table.from_pylist(list(rows), schema=spec.arrow_schema())


def columns_to_arrow(spec: TableSpec, columns: Mapping[str, Sequence[Any]]) -> pa.Table:
    """Columns (lists of equal length) → a table in the spec's file schema; absent columns are null (no
    date or time columns: those come as rows, through :func:`to_arrow`)."""
    schema = spec.arrow_schema()
    n = len(next(iter(columns.values()))) if columns else 0
    arrays = [pa.array(columns[f.name], f.type) if f.name in columns else pa.nulls(n, f.type) for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


def _temporal(value: Any, dtype: pa.DataType) -> Any:
    if not isinstance(value, str):
        return value
    try:
        if pa.types.is_date(dtype):
            return date.fromisoformat(value.strip()[:10])
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def content_hash(table: pa.Table) -> str:
    """SHA-256 of the rows and schema, ignoring ``load_id`` (so an unchanged partition hashes the same)."""
    if "load_id" in table.column_names:
        table = table.drop_columns(["load_id"])
    table = table.combine_chunks()  # the same rows hash the same however they were built
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()


def _rechunk(pieces: Iterable[pa.Table], rows: int) -> Iterator[pa.Table]:
    """The same rows in pieces of exactly ``rows`` (the last shorter): a hash over the pieces then depends on the
    rows alone, not on how they arrived."""
    held: list[pa.Table] = []
    count = 0
    for piece in pieces:
        held.append(piece)
        count += piece.num_rows
        while count >= rows:
            table = pa.concat_tables(held)
            yield table.slice(0, rows)
            rest = table.slice(rows)
            held, count = [rest], rest.num_rows
    if count:
        yield pa.concat_tables(held)


class WarehouseLock:
    """One load at a time; see the module docstring for the two kinds."""

    def __init__(self, fs: fsspec.AbstractFileSystem, path: str, ttl: float = 6 * 3600):
        self.fs, self.path, self.ttl = fs, path, ttl
        self._fd: int | None = None
        self._token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex}"

    @property
    def local(self) -> bool:
        return isinstance(self.fs, LocalFileSystem)

    def acquire(self, timeout: float = 0.0) -> None:
        deadline = time.monotonic() + timeout
        while not self._try():
            if time.monotonic() >= deadline:
                raise LockHeld(f"another ogi load holds {self.path} ({self._holder() or 'unknown holder'})")
            time.sleep(0.1)

    def _try(self) -> bool:
        if self.local:
            import fcntl

            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                return False
            os.ftruncate(fd, 0)
            os.write(fd, self._token.encode())
            self._fd = fd
            return True
        if self.fs.exists(self.path):
            try:
                held = json.loads(self.fs.cat_file(self.path))
            except (FileNotFoundError, ValueError):
                held = {}
            if time.time() - float(held.get("at", 0)) < self.ttl:
                return False
        self.fs.pipe_file(self.path, json.dumps({"token": self._token, "at": time.time()}).encode())
        time.sleep(0.05)
        try:
            return json.loads(self.fs.cat_file(self.path)).get("token") == self._token
        except (FileNotFoundError, ValueError):
            return False

    def _holder(self) -> str | None:
        try:
            raw = self.fs.cat_file(self.path).decode("utf-8", "replace")
        except (FileNotFoundError, OSError):
            return None
        if raw.startswith("{"):
            raw = json.loads(raw).get("token", "")
        host, _, rest = raw.partition(":")
        return f"host {host}, pid {rest.split(':')[0]}" if rest else None

    def release(self) -> None:
        if self.local and self._fd is not None:
            import fcntl

            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
        elif not self.local:
            try:
                if json.loads(self.fs.cat_file(self.path)).get("token") == self._token:
                    self.fs.rm_file(self.path)
            except (FileNotFoundError, ValueError):
                pass


@dataclass
class CommitResult:
    load_id: str | None  # None: no load ran (a quiet night, ``flows.worklist``)
    written: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0
    recovered: str | None = None  # load id of an interrupted load this one completed

    @property
    def changed(self) -> bool:
        return bool(self.written or self.deleted)


class Warehouse:
    """A warehouse root on any fsspec filesystem (``data/warehouse``, ``s3://bucket/ogi``, ``memory://wh``)."""

    def __init__(self, url: str | os.PathLike[str], quarantine: Quarantine | None = None):
        self.url = str(url)
        self.fs, self.root = fsspec.core.url_to_fs(self.url)
        self.root = self.root.rstrip("/")
        self.fs.makedirs(self.root, exist_ok=True)
        local = isinstance(self.fs, LocalFileSystem)
        beside = os.path.dirname(self.root) if local else "."
        self.quarantine = quarantine or Quarantine(os.path.join(beside, "quarantine"))
        self.lost_journal = False  # set when an unreadable journal was quarantined: rebuild everything

    def _p(self, rel: str) -> str:
        return f"{self.root}/{rel}"

    # reading back ---------------------------------------------------------------------
    def files(self, table: str | None = None) -> dict[str, str]:
        """Relative path → content hash of every data file ogi owns (optionally of one table)."""
        out = {}
        for name in [table] if table else list(TABLES):
            base = self._p(name)
            if not self.fs.exists(base):
                continue
            for path in self.fs.find(base):
                if is_data_file(path):
                    rel = path[len(self.root) + 1 :]
                    try:
                        out[rel] = self._file_hash(path)
                    except Exception as exc:  # noqa: BLE001 - truncated or garbled: set aside, the load rebuilds it
                        self.quarantine.put(path, f"unreadable Parquet file: {type(exc).__name__}: {exc}", self.fs)
        return out

    def _file_hash(self, path: str) -> str:
        with self.fs.open(path, "rb") as f:
            meta = pq.ParquetFile(f).metadata.metadata or {}  # the file's key-value metadata (streamed files too)
        return meta.get(b"ogi.content_sha256", b"").decode()

    def data_urls(self, table: str) -> list[str]:
        """Every data file of a table as a URL a query engine opens (a local path, else ``<protocol>://…``): what
        DuckDB reads in place, only the columns and row groups a query needs, so a summary's memory does not
        grow with the warehouse."""
        paths = [self._p(rel) for rel in sorted(self.files(table))]
        return paths if isinstance(self.fs, LocalFileSystem) else [self.fs.unstrip_protocol(p) for p in paths]

    def row_count(self, table: str) -> int:
        """Rows of a table, from the file footers only."""
        base = self._p(table)
        if not self.fs.exists(base):
            return 0
        total = 0
        for path in self.fs.find(base):
            if is_data_file(path):
                with self.fs.open(path, "rb") as f:
                    total += pq.ParquetFile(f).metadata.num_rows
        return total

    def state(self, set_aside: bool = True) -> dict[str, Any] | None:
        """What the last load read (``_state.json``); None when absent or unreadable (quarantined, unless
        ``set_aside`` is false: a question that must write nothing)."""
        path = self._p(STATE)
        if not self.fs.exists(path):
            return None
        try:
            return json.loads(self.fs.cat_file(path))
        except ValueError as exc:
            if set_aside:
                self.quarantine.put(path, f"unreadable load state: {exc}", self.fs)
            return None

    @property
    def interrupted(self) -> bool:
        """A load's journal waits to be replayed (:meth:`recover`, at the next load)."""
        return self.fs.exists(self._p(JOURNAL))

    def forget_state(self) -> None:
        """Drop ``_state.json`` (derived, so deleted rather than quarantined): the next load looks at everything."""
        if self.fs.exists(self._p(STATE)):
            self.fs.rm_file(self._p(STATE))

    def write_state(self, state: dict[str, Any]) -> None:
        self._write_atomic(STATE, json.dumps(state, ensure_ascii=False).encode())

    def read(self, table: str, columns: list[str] | None = None, filter: Any = None) -> pa.Table:
        """A table with its partition columns (for tests and summaries); ``columns`` and a pyarrow.dataset
        ``filter`` expression keep what is read to what is needed (Parquet statistics skip row groups)."""
        import pyarrow.dataset as ds

        base = self._p(table)
        if not self.fs.exists(base) or not self.files(table):  # every column, partition columns included
            return pa.schema([pa.field(c.name, c.type) for c in TABLES[table].all_columns]).empty_table()
        spec = TABLES[table]
        part = (
            ds.partitioning(pa.schema([pa.field(c.name, c.type) for c in PARTITION_COLUMNS]), flavor="hive")
            if spec.partitioned
            else None
        )
        return ds.dataset(base, filesystem=self.fs, format="parquet", partitioning=part).to_table(
            columns=columns, filter=filter
        )

    def loads(self) -> list[dict[str, Any]]:
        base = self._p(LOADS)
        if not self.fs.exists(base):
            return []
        return sorted(
            (json.loads(self.fs.cat_file(p)) for p in self.fs.find(base) if p.endswith(".json")),
            key=lambda r: r["load_id"],
        )

    # writing --------------------------------------------------------------------------
    @contextmanager
    def load(self, load_id: str | None = None, lock_timeout: float = 600.0, scan: bool = True) -> Iterator["Load"]:
        """Hold the lock, finish any interrupted load, sweep stale staging, then let a load write.

        ``scan``: list every file first (a load that rebuilds whole tables); without it, a file is looked at
        only when the load names its partition, so a small change costs no LIST of the warehouse."""
        lock = WarehouseLock(self.fs, self._p(LOCK))
        lock.acquire(lock_timeout)
        try:
            recovered = self.recover()
            self._sweep_staging()
            yield Load(self, load_id or new_load_id(), recovered, scan)
        finally:
            lock.release()

    def recover(self) -> str | None:
        """Replay an interrupted load's journal (roll forward); return its load id."""
        if not self.interrupted:
            return None
        path = self._p(JOURNAL)
        try:
            journal = json.loads(self.fs.cat_file(path))
            if not {"moves", "deletes", "load_id", "record"} <= set(journal):
                raise ValueError(f"keys missing: {sorted(journal)}")
        except (ValueError, TypeError) as exc:
            why = f"unreadable load journal (its load is lost; the next load rebuilds every partition): {exc}"
            self.quarantine.put(path, why, self.fs)
            self.forget_state()
            self.lost_journal = True
            return None
        self._apply(journal)
        return journal["load_id"]

    def _sweep_staging(self) -> None:
        base = self._p(STAGING)
        if self.fs.exists(base):
            self.fs.rm(base, recursive=True)

    def _apply(self, journal: dict[str, Any]) -> None:
        for i, (staged, final) in enumerate(journal["moves"], start=1):
            src, dst = self._p(staged), self._p(final)
            if self.fs.exists(src):
                self.fs.makedirs(dst.rsplit("/", 1)[0], exist_ok=True)
                if isinstance(self.fs, LocalFileSystem):
                    os.replace(src, dst)  # atomic on one filesystem
                else:
                    self.fs.mv(src, dst)
            crash_point(f"moved-{i}")
        crash_point("moved")
        for rel in journal["deletes"]:
            path = self._p(rel)
            if self.fs.exists(path):
                self.fs.rm_file(path)
                self._prune(path.rsplit("/", 1)[0])
        crash_point("deleted")
        if journal.get("state") is not None:
            self.write_state(journal["state"])
        crash_point("state")
        self.fs.makedirs(self._p(LOADS), exist_ok=True)
        self._write_atomic(
            f"{LOADS}/{journal['load_id']}.json", json.dumps(journal["record"], ensure_ascii=False, indent=1).encode()
        )
        crash_point("recorded")
        self.fs.rm_file(self._p(JOURNAL))
        self._sweep_staging()  # we hold the lock: nothing else is staging

    def _prune(self, folder: str) -> None:
        """Remove partition folders left empty (local disks; object stores have none)."""
        if not isinstance(self.fs, LocalFileSystem):
            return
        while folder.startswith(self.root + "/") and os.path.isdir(folder) and not os.listdir(folder):
            os.rmdir(folder)
            folder = folder.rsplit("/", 1)[0]

    def _write_atomic(self, rel: str, data: bytes) -> None:
        path = self._p(rel)
        tmp = f"{path}.tmp-{uuid.uuid4().hex[:8]}"
        self.fs.pipe_file(tmp, data)
        if isinstance(self.fs, LocalFileSystem):
            os.replace(tmp, path)
        else:
            self.fs.mv(tmp, path)


@dataclass(frozen=True)
class Staged:
    """One partition file as :func:`stage` left it: its rows, and where it was staged (None: no rows, or the same
    content as the file in place)."""

    table: str
    partition: Mapping[str, Any] | None
    name: str
    rows: int
    staged: str | None


def stage(
    wh: Warehouse,
    load_id: str,
    table: str,
    partition: Mapping[str, Any] | None,
    data: pa.Table,
    current: str | None,
    name: str = FILE_NAME,
) -> Staged:
    """Write one file under the load's staging folder unless it has no rows or hashes as ``current`` (the file in
    place). Apart from the load's bookkeeping, so a load worker does it beside the data it built; the load then
    records it (:meth:`Load.accept`)."""
    rel = f"{partition_dir(TABLES[table], partition)}/{name}"
    if data.num_rows == 0:
        return Staged(table, partition, name, 0, None)
    digest = content_hash(data)
    if digest == current:
        return Staged(table, partition, name, data.num_rows, None)
    data = data.set_column(
        data.schema.get_field_index("load_id"), "load_id", pa.array([load_id] * data.num_rows, pa.string())
    )
    meta = dict(data.schema.metadata or {})
    meta.update(
        {
            b"ogi.content_sha256": digest.encode(),
            b"ogi.load_id": load_id.encode(),
            b"ogi.schema_version": SCHEMA_VERSION.encode(),
        }
    )
    data = data.replace_schema_metadata(meta)
    staged = f"{STAGING}/{load_id}/{rel}"
    path = wh._p(staged)
    wh.fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
    with wh.fs.open(path, "wb") as out:
        pq.write_table(data, out, compression="zstd", row_group_size=ROW_GROUP)
    return Staged(table, partition, name, data.num_rows, staged)


class Load:
    """One load's writes: stage changed partitions, then commit them all at once."""

    def __init__(self, warehouse: Warehouse, load_id: str, recovered: str | None, scan: bool = True):
        self.wh = warehouse
        self.load_id = load_id
        self.recovered = recovered
        self.started_at = _now()
        self._scan = scan
        self._existing: dict[str, str] = warehouse.files() if scan else {}
        self._probed: set[str] = set()
        self.damaged: list[str] = []  # files found unreadable (and quarantined) by this load
        self._drops: set[str] = set()
        self._produced: set[str] = set()
        self._owned: set[str] = set()
        self._moves: list[tuple[str, str]] = []
        self._rows: dict[str, int] = {}

    def scan(self) -> None:
        """List every file now: this load rebuilds whole tables (their files not produced are deleted)."""
        if not self._scan:
            self._existing, self._scan = self.wh.files(), True

    def reset(self) -> None:
        """Forget everything staged so far (the load starts over, e.g. as a full one)."""
        self._produced.clear()
        self._owned.clear()
        self._drops.clear()
        self._moves.clear()
        self._rows.clear()
        self.wh._sweep_staging()

    def _hash(self, rel: str) -> str | None:
        """Content hash of the file in place (None when there is none), looked up once when not scanned."""
        if not self._scan and rel not in self._probed:
            self._probed.add(rel)
            path = self.wh._p(rel)
            if self.wh.fs.exists(path):
                try:
                    self._existing[rel] = self.wh._file_hash(path)
                except Exception as exc:  # noqa: BLE001 - truncated or garbled: set aside, rebuilt by this load
                    self.wh.quarantine.put(path, f"unreadable Parquet file: {type(exc).__name__}: {exc}", self.wh.fs)
                    self.damaged.append(rel)
        return self._existing.get(rel)

    def read_batches(
        self, table: str, partition: Mapping[str, Any] | None, rows: int = ROW_GROUP
    ) -> Iterator[pa.Table]:
        """The file in place, ``rows`` at a time (nothing when absent)."""
        rel = f"{partition_dir(TABLES[table], partition)}/{FILE_NAME}"
        if self._hash(rel) is None:
            return
        with self.wh.fs.open(self.wh._p(rel), "rb") as f:
            for batch in pq.ParquetFile(f).iter_batches(batch_size=rows):
                yield pa.Table.from_batches([batch])

    def has(self, table: str, partition: Mapping[str, Any] | None, name: str = FILE_NAME) -> bool:
        """Whether the partition's file is in place (and readable)."""
        return self._hash(f"{partition_dir(TABLES[table], partition)}/{name}") is not None

    def read(self, table: str, partition: Mapping[str, Any] | None, name: str = FILE_NAME) -> pa.Table | None:
        """The rows of one file of the partition (file columns, no partition columns), None when absent."""
        rel = f"{partition_dir(TABLES[table], partition)}/{name}"
        if self._hash(rel) is None:
            return None
        with self.wh.fs.open(self.wh._p(rel), "rb") as f:
            return pq.read_table(f)

    def keep(self, table: str, partition: Mapping[str, Any] | None) -> bool:
        """Keep a partition's file as it is (its inputs did not change); False when there is none to keep."""
        self.own(table)
        rel = f"{partition_dir(TABLES[table], partition)}/{FILE_NAME}"
        if rel in self._produced:
            raise ValueError(f"partition written twice in one load: {rel}")
        if self._hash(rel) is None:
            return False
        self._produced.add(rel)
        return True

    def own(self, table: str) -> None:
        """Declare that this load rebuilds ``table`` entirely (its files not written are deleted)."""
        self._owned.add(table)

    def write(
        self,
        table: str,
        partition: Mapping[str, Any] | None,
        rows: Sequence[Mapping[str, Any]] | pa.Table,
        name: str = FILE_NAME,
    ) -> bool:
        """Stage one file of a partition (its base file unless ``name``) if it differs from the file in place; True
        when staged. No rows: the file goes."""
        rel = f"{partition_dir(TABLES[table], partition)}/{name}"
        if rel in self._produced:
            raise ValueError(f"partition written twice in one load: {rel}")
        data = rows if isinstance(rows, pa.Table) else to_arrow(TABLES[table], rows)
        current = self._hash(rel) if data.num_rows else None
        return self.accept(stage(self.wh, self.load_id, table, partition, data, current, name))

    def current_hash(self, table: str, partition: Mapping[str, Any] | None, name: str = FILE_NAME) -> str | None:
        """The content hash of a file in place (for a worker that stages it: :func:`stage`)."""
        return self._hash(f"{partition_dir(TABLES[table], partition)}/{name}")

    def accept(self, staged: "Staged") -> bool:
        """Record a file :func:`stage` prepared (here or in a load worker); True when it will replace the file."""
        self.own(staged.table)
        rel = f"{partition_dir(TABLES[staged.table], staged.partition)}/{staged.name}"
        if rel in self._produced:
            raise ValueError(f"partition written twice in one load: {rel}")
        self._rows[staged.table] = self._rows.get(staged.table, 0) + staged.rows
        if staged.rows == 0:  # an empty partition is no file
            if not self._scan and self._hash(rel) is not None:
                self._drops.add(rel)
            return False
        self._produced.add(rel)
        if staged.staged is None:
            return False
        self._moves.append((staged.staged, rel))
        return True

    def write_batches(self, table: str, partition: Mapping[str, Any] | None, batches: Iterable[pa.Table]) -> bool:
        """Stage one partition from a stream of pieces, one piece in memory at a time (a national ``documents``
        table is never whole in memory); True when staged. Its content hash is taken over the pieces as they
        come, a fixed number of rows at a time: the same rows hash the same however they arrived."""
        spec = TABLES[table]
        self.own(table)
        rel = f"{partition_dir(spec, partition)}/{FILE_NAME}"
        if rel in self._produced:
            raise ValueError(f"partition written twice in one load: {rel}")
        self._produced.add(rel)
        staged = f"{STAGING}/{self.load_id}/{rel}"
        path = self.wh._p(staged)
        self.wh.fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
        digest, rows = hashlib.sha256(), 0
        schema = spec.arrow_schema()
        with self.wh.fs.open(path, "wb") as out, pq.ParquetWriter(out, schema, compression="zstd") as writer:
            for piece in _rechunk((b.select(schema.names).cast(schema) for b in batches), ROW_GROUP):
                digest.update(content_hash(piece).encode())
                rows += piece.num_rows
                piece = piece.set_column(
                    schema.get_field_index("load_id"), "load_id", pa.array([self.load_id] * piece.num_rows, pa.string())
                )
                writer.write_table(piece, row_group_size=ROW_GROUP)
            writer.add_key_value_metadata(
                {
                    "ogi.content_sha256": digest.hexdigest(),
                    "ogi.load_id": self.load_id,
                    "ogi.schema_version": SCHEMA_VERSION,
                }
            )
        self._rows[table] = self._rows.get(table, 0) + rows
        if rows == 0 or self._hash(rel) == digest.hexdigest():
            self.wh.fs.rm_file(path)
            if rows == 0:
                self._produced.discard(rel)
                if self._hash(rel) is not None:
                    self._drops.add(rel)
            return False
        self._moves.append((staged, rel))
        return True

    def commit(self, state: dict[str, Any] | None = None) -> CommitResult:
        """Write the journal (the commit point), apply it, record the load; ``state`` goes to ``_state.json``."""
        owned = self._existing if self._scan else {}
        deletes = sorted(
            {rel for rel in owned if rel.split("/", 1)[0] in self._owned and rel not in self._produced} | self._drops
        )
        result = CommitResult(
            self.load_id,
            written=[final for _, final in self._moves],
            deleted=deletes,
            unchanged=len(self._produced) - len(self._moves),
            recovered=self.recovered,
        )
        if not result.changed:
            self.wh._sweep_staging()
            if state is not None:
                self.wh.write_state(state)
            return result
        record = {
            "load_id": self.load_id,
            "schema_version": SCHEMA_VERSION,
            "started_at": self.started_at,
            "finished_at": _now(),
            "written": result.written,
            "deleted": deletes,
            "unchanged": result.unchanged,
            "rows": self._rows,
        }
        journal = {"load_id": self.load_id, "moves": self._moves, "deletes": deletes, "record": record, "state": state}
        crash_point("staged")
        self.wh._write_atomic(JOURNAL, json.dumps(journal, ensure_ascii=False).encode())
        crash_point("journal")
        self.wh._apply(journal)
        return result
