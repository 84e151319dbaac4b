"""Researchers' own documents into the raw store (``ogi import``), with provenance.

Why through the raw store: a folder of downloaded reports then goes through exactly the
path a crawled document takes (extract → check → load), keyed by its bytes' sha256, and the
warehouse says where each value came from (``documents.url`` is ``file://`` + the absolute
path, ``title`` the original file name). Re-importing a file whose bytes changed records a
new version of that document; the same bytes again change nothing.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import quote

from extractors.jurisdictions import lookup
from extractors.sniff import sniff
from pipelines.rawstore import FetchRecord, RawStore

MAX_BYTES = 64 * 1024 * 1024  # the crawler's DOWNLOAD_MAXSIZE: one limit for every way in
SOURCE_ID = "import"
SKIP_SUFFIXES = {".json", ".md", ".py", ".toml", ".csv", ".parquet", ".sqlite", ".lock", ".db"}


class ImportError_(ValueError):
    """Arguments that cannot be honoured (an unknown division code, an impossible year)."""


@dataclass
class ImportSummary:
    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


def file_url(path: Path) -> str:
    """``file://`` + the absolute path, percent-encoded like any URL."""
    return "file://" + quote(str(path.absolute()), safe="/")


def candidate_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Files named, and the files under folders named (hidden and ogi's own files left out)."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.name.startswith(".") or child.suffix.lower() in SKIP_SUFFIXES or child.is_dir():
                    continue
                yield child
        else:
            yield path


def check_arguments(jurisdiction: str | None, year: int | None) -> None:
    if jurisdiction is not None and lookup(jurisdiction, year) is None:
        when = f" in {year}" if year else ""
        raise ImportError_(
            f"{jurisdiction} is not a GB/T 2260 division code{when}: check it against data/jurisdictions/divisions.csv."
        )
    if year is not None and not 2000 <= year <= datetime.now().year:
        raise ImportError_(f"--year {year} is not a report year (2000 to this year).")


def import_files(
    raw: RawStore,
    paths: Iterable[Path],
    jurisdiction: str | None = None,
    organ: str | None = None,
    year: int | None = None,
) -> ImportSummary:
    """Store each regular file's bytes and a fetch record saying where they came from."""
    check_arguments(jurisdiction, year)
    summary = ImportSummary()
    batch = "import-" + datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    store_root = raw.root.resolve()
    for path in candidate_files(paths):
        if path.resolve().is_relative_to(store_root):
            continue  # the raw store's own files (a folder that holds the data dir was named)
        try:
            info = path.stat()
        except OSError as exc:
            summary.skipped.append((str(path), f"unreadable: {exc.strerror}"))
            continue
        if not stat.S_ISREG(info.st_mode):
            summary.skipped.append((str(path), "not a regular file"))
            continue
        if info.st_size == 0:
            summary.skipped.append((str(path), "empty file"))
            continue
        if info.st_size > MAX_BYTES:
            summary.skipped.append((str(path), f"larger than {MAX_BYTES // (1024 * 1024)} MB"))
            continue
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
        url = file_url(path)
        previous = raw.latest(url)
        sha = raw.put(data)
        change = "new" if previous is None else ("unchanged" if previous.sha256 == sha else "changed")
        getattr(summary, change).append(str(path))
        if change == "unchanged":
            continue
        raw.record(
            FetchRecord(
                url=url,
                sha256=sha,
                fetched_at=datetime.fromtimestamp(info.st_mtime, timezone.utc).isoformat(timespec="seconds"),
                status=200,
                kind="attachment",
                format=sniff(data, path.name),
                size=len(data),
                source_id=SOURCE_ID,
                jurisdiction_code=jurisdiction,
                organ=organ,
                report_year=year,
                title=path.name,
                link_text=os.fsdecode(path.name),
                change=change,
                crawl_id=batch,
            )
        )
    return summary
