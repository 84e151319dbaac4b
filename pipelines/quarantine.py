"""Damaged files are moved aside, never deleted and never trusted: ``<data_dir>/quarantine/``.

Why: a truncated Parquet file, journal, extraction batch or blob must not stop every later
run, and must not vanish either (an operator may want to look at it). Each quarantined file
keeps its name under a time-stamped folder, with a ``.why.txt`` note beside it saying where
it came from and what was wrong.
"""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import datetime, timezone
from pathlib import Path

import fsspec
from fsspec.implementations.local import LocalFileSystem


class Quarantine:
    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root)
        self.moved: list[tuple[str, str]] = []  # (original path, reason) of every file moved by this object

    def _slot(self, name: str) -> Path:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        folder = self.root / f"{stamp}-{uuid.uuid4().hex[:6]}"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / name

    def put(
        self, path: str | os.PathLike[str], reason: str, fs: fsspec.AbstractFileSystem | None = None
    ) -> Path | None:
        """Move ``path`` (on ``fs``, local by default) into quarantine with a note; None when it is already gone."""
        fs = fs or LocalFileSystem()
        path = str(path)
        if not fs.exists(path):
            return None
        target = self._slot(path.rstrip("/").rsplit("/", 1)[-1])
        if isinstance(fs, LocalFileSystem):
            shutil.move(path, target)
        else:
            fs.get_file(path, str(target))
            fs.rm_file(path)
        note = (
            f"original: {fs.unstrip_protocol(path) if not isinstance(fs, LocalFileSystem) else path}\n"
            f"quarantined: {datetime.now(timezone.utc).isoformat(timespec='seconds')}\nreason: {reason}\n"
        )
        target.with_name(target.name + ".why.txt").write_text(note, "utf-8")
        self.moved.append((path, reason))
        return target
