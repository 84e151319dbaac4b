"""``ogi doctor``: check a data dir and repair what can be repaired without guessing.

Why: state can be damaged by a full disk, a kill, a bad copy or a hand. Each check names
the file and says what is wrong; ``repair`` only does what loses nothing: damaged files go
to the quarantine (never deleted), damaged blobs are marked so the next crawl fetches them
again in full, a lost raw manifest is rebuilt from the warehouse's ``documents`` table (the
provenance of every document it holds), an interrupted load is rolled forward, and
temporaries and staging left by killed processes are removed (under the run lock, so no
run is writing them).
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pyarrow.parquet as pq

from pipelines.datasets import FILE_NAME, JOURNAL, LOCK, STAGING, Warehouse, WarehouseLock, is_data_file
from pipelines.extracted import ExtractionStore
from pipelines.quarantine import Quarantine
from pipelines.rawstore import FetchRecord, RawStore
from pipelines.tables import TABLES


@dataclass
class Finding:
    check: str  # blobs | manifest | extracted | warehouse | temporaries | locks
    path: str
    problem: str
    repaired: str | None = None  # what repair did, when it did something

    def to_dict(self) -> dict[str, str | None]:
        return {"check": self.check, "path": self.path, "problem": self.problem, "repaired": self.repaired}


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def check_blobs(raw: RawStore, quarantine: Quarantine, repair: bool) -> Iterator[Finding]:
    """Every blob against its name; every document the manifest lists against the blobs."""
    for path in sorted(raw.blobs.glob("*/*")):
        if path.name.startswith(".tmp-"):
            continue
        found = _sha256_file(path)
        if found != path.name:
            done = None
            if repair:
                raw.mark_damaged(path.name, f"hashes to {found}")
                quarantine.put(path, f"blob hashes to {found}, not its name")
                done = "quarantined; its URLs are fetched again in full by the next crawl"
            yield Finding("blobs", str(path), f"content hashes to {found[:12]}…, not its name", done)
    damaged = raw.damaged()
    for rec in raw.documents():
        sha = rec.sha256 or ""
        if sha in damaged or raw.has(sha):
            continue
        done = None
        if repair:
            raw.mark_damaged(sha, "missing")
            done = "marked for a full refetch"
        yield Finding("manifest", str(raw.path(sha)), f"blob of {rec.url} is missing", done)


def restore_manifest(raw: RawStore, warehouse: Warehouse) -> int:
    """Rebuild a lost manifest from the warehouse's ``documents`` table; returns the fetches restored."""
    rows = sorted(warehouse.read("documents").to_pylist(), key=lambda r: (r["fetched_at"] or "", r["url"]))
    for r in rows:
        raw.record(
            FetchRecord(
                url=r["url"],
                sha256=r["sha256"],
                fetched_at=r["fetched_at"] or "",
                status=r["http_status"] or 200,
                kind=r["kind"] or "attachment",
                format=r["format"],
                size=r["size"],
                final_url=r["final_url"],
                source_id=r["source_id"],
                jurisdiction_code=r["jurisdiction_code"],
                organ=r["organ"],
                report_year=r["listing_year"],
                title=r["title"],
                listing_url=r["listing_url"],
                page_url=r["page_url"],
                link_text=r["link_text"],
                published_date=r["published_date"],
                etag=r["etag"],
                last_modified=r["last_modified"],
                content_type=r["content_type"],
                crawl_id=r["crawl_id"],
            )
        )
        if r["sha256"] and not raw.has(r["sha256"]):
            raw.mark_damaged(r["sha256"], "missing when the manifest was restored")
    return len(rows)


def check_manifest(data_dir: Path, warehouse: Warehouse, quarantine: Quarantine, repair: bool) -> Iterator[Finding]:
    """The manifest opens and is intact; an empty one beside stored blobs means it was lost."""
    path = data_dir / "raw" / "manifest.sqlite"
    if path.exists():
        try:
            db = sqlite3.connect(path)
            verdict = db.execute("PRAGMA integrity_check").fetchone()[0]
            db.close()
        except sqlite3.DatabaseError as exc:
            verdict = str(exc)
        if verdict != "ok":
            done = None
            if repair:
                quarantine.put(path, f"raw manifest damaged: {verdict}")
                for extra in ("-wal", "-shm"):
                    Path(f"{path}{extra}").unlink(missing_ok=True)
                done = "quarantined"
            yield Finding("manifest", str(path), f"damaged: {verdict}", done)
            if not repair:
                return
    blobs = data_dir / "raw" / "blobs"
    if not blobs.is_dir() or not any(p for p in blobs.glob("*/*") if not p.name.startswith(".tmp-")):
        return
    with RawStore(data_dir / "raw") as raw:
        if raw.sequence()[1]:
            return
        held = warehouse.row_count("documents")
        done = None
        if repair and held:
            done = f"restored {restore_manifest(raw, warehouse)} fetches from the warehouse's documents table"
        why = f"empty, but blobs are stored (the warehouse lists {held} documents)"
        yield Finding("manifest", str(path), why, done)


def check_extracted(store: ExtractionStore, repair: bool) -> Iterator[Finding]:
    """The index is intact, every batch it points into reads, and no batch is left out of it."""
    verdict = store._db.execute("PRAGMA integrity_check").fetchone()[0]
    if verdict != "ok":
        yield Finding("extracted", str(store.root / "index.sqlite"), f"damaged: {verdict}")
    indexed = store.batch_files()
    for path in sorted(store.batches.glob("*.parquet")):
        try:
            pq.read_table(path)
        except Exception as exc:  # noqa: BLE001 - any unreadable batch is reported by name
            done = None
            if repair:
                store.drop_batch(path, f"unreadable: {type(exc).__name__}: {exc}")
                done = "quarantined; its documents are extracted again by the next run"
            yield Finding("extracted", str(path), f"unreadable: {type(exc).__name__}", done)
            continue
        if path.name not in indexed:
            yield Finding(
                "extracted", str(path), "no index entry points into it (superseded, or written by a killed run)"
            )
    indexed = store.batch_files()  # again: a repair above forgot some
    for batch in sorted(set(indexed) - {p.name for p in store.batches.glob("*.parquet")}):
        done = None
        if repair:
            store.drop_batch(store.batches / batch, "missing")
            done = "its entries forgotten; the documents are extracted again by the next run"
        yield Finding("extracted", str(store.batches / batch), f"missing, {indexed[batch]} entries point into it", done)


def check_warehouse(warehouse: Warehouse, repair: bool) -> Iterator[Finding]:
    """Every data file reads; an interrupted load is rolled forward; staging without a journal is swept."""
    fs = warehouse.fs
    for table in TABLES:
        base = warehouse._p(table)
        if not fs.exists(base):
            continue
        for path in fs.find(base):
            if not is_data_file(path):
                continue
            try:
                with fs.open(path, "rb") as f:
                    pq.read_table(f)
            except Exception as exc:  # noqa: BLE001
                done = None
                if repair:
                    warehouse.quarantine.put(path, f"unreadable Parquet file: {type(exc).__name__}: {exc}", fs)
                    warehouse.forget_state()
                    done = "quarantined; the next load rebuilds the partition"
                yield Finding("warehouse", path, f"unreadable: {type(exc).__name__}", done)
    state = warehouse.state() or {}
    for name, (_, tables) in sorted(state.get("partitions", {}).items()):
        year, province = name.split("/", 1)
        for table in tables:
            path = warehouse._p(f"{table}/report_year={year}/province={province}/{FILE_NAME}")
            if not fs.exists(path):
                if repair:
                    warehouse.forget_state()
                yield Finding(
                    "warehouse",
                    path,
                    "missing (the last load wrote it)",
                    "the next load rebuilds it" if repair else None,
                )
    if fs.exists(warehouse._p(JOURNAL)):
        done = None
        if repair:
            with warehouse.load(lock_timeout=0) as load:
                done = f"rolled forward load {load.recovered}" if load.recovered else "quarantined (unreadable)"
        yield Finding("warehouse", warehouse._p(JOURNAL), "an interrupted load's journal", done)
    elif fs.exists(warehouse._p(STAGING)):
        done = None
        if repair:
            with warehouse.load(lock_timeout=0):
                done = "removed"
        yield Finding("temporaries", warehouse._p(STAGING), "staging of a load killed before its commit point", done)


def check_temporaries(data_dir: Path, warehouse: Warehouse, repair: bool) -> Iterator[Finding]:
    """``.tmp-*`` files left by killed writers (blobs, extraction batches, warehouse metadata)."""
    found = [*data_dir.glob("raw/blobs/*/.tmp-*"), *data_dir.glob("state/extracted/batches/.tmp-*")]
    if warehouse.fs.exists(warehouse.root):
        found += [Path(p) for p in warehouse.fs.find(warehouse.root) if ".tmp-" in p.rsplit("/", 1)[-1]]
    for path in sorted(found):
        done = None
        if repair:
            if warehouse.fs.exists(str(path)) and str(path).startswith(warehouse.root):
                warehouse.fs.rm_file(str(path))
            else:
                path.unlink(missing_ok=True)
            done = "removed"
        yield Finding("temporaries", str(path), "temporary file of a killed writer", done)


def check_locks(warehouse: Warehouse, repair: bool) -> Iterator[Finding]:
    """An object-store lock whose holder is gone (past its time-to-live) is stale; kernel locks free themselves."""
    import json
    import time

    lock = WarehouseLock(warehouse.fs, warehouse._p(LOCK))
    if lock.local or not warehouse.fs.exists(lock.path):
        return
    try:
        held = json.loads(warehouse.fs.cat_file(lock.path))
        age = time.time() - float(held.get("at", 0))
    except (ValueError, TypeError, AttributeError):
        age = float("inf")
    if age < lock.ttl:
        return  # a run holds it
    if repair:
        warehouse.fs.rm_file(lock.path)
    yield Finding("locks", lock.path, "stale lock file past its time-to-live", "removed" if repair else None)


def doctor(data_dir: str | Path, warehouse_url: str | None = None, repair: bool = False) -> list[Finding]:
    """Run every check (repairing when asked, under the data dir's run lock); return the findings."""
    from fsspec.implementations.local import LocalFileSystem

    data_dir = Path(data_dir)
    quarantine = Quarantine(data_dir / "quarantine")
    warehouse = Warehouse(warehouse_url or data_dir / "warehouse", quarantine=quarantine)
    run_lock = WarehouseLock(LocalFileSystem(), str(data_dir / "state" / "run.lock"))
    (data_dir / "state").mkdir(parents=True, exist_ok=True)
    run_lock.acquire(0)  # LockHeld when a run is in progress: checking now would see its half-written files
    try:
        findings = list(check_manifest(data_dir, warehouse, quarantine, repair))
        if (data_dir / "raw").is_dir():
            with RawStore(data_dir / "raw") as raw:
                findings += check_blobs(raw, quarantine, repair)
        with ExtractionStore(data_dir / "state" / "extracted", quarantine) as store:
            findings += check_extracted(store, repair)
        findings += check_warehouse(warehouse, repair)
        findings += check_temporaries(data_dir, warehouse, repair)
        findings += check_locks(warehouse, repair)
    finally:
        run_lock.release()
    return findings
