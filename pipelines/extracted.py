"""The extraction store: one JSON line (``Report.to_dict()``) per document and extractor version.

Why: extraction is the expensive step and a pure function of (bytes, extractor), so its
output is kept under the key ``sha256 + extractor version``. A nightly run extracts only
documents with no entry at the current version; a load reads the newest entry of every
document, so bumping the extractor never makes reports vanish before ``ogi reextract``
has caught up. Layout: ``<root>/<sha[:2]>/<sha256>/<version>.json``, written atomically.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def _version_key(version: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in version.replace("-", ".").split("."))


class ExtractionStore:
    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def _dir(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def path(self, sha256: str, version: str) -> Path:
        return self._dir(sha256) / f"{version}.json"

    def has(self, sha256: str, version: str) -> bool:
        return self.path(sha256, version).exists()

    def versions(self, sha256: str) -> list[str]:
        folder = self._dir(sha256)
        if not folder.is_dir():
            return []
        return sorted((p.stem for p in folder.glob("*.json")), key=_version_key)

    def put(self, sha256: str, version: str, report: dict[str, Any]) -> Path:
        target = self.path(sha256, version)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(report, out, ensure_ascii=False, separators=(",", ":"))
        os.replace(tmp, target)
        return target

    def latest(self, sha256: str, prefer: str | None = None) -> tuple[str, dict[str, Any]] | None:
        """(version, report dict): ``prefer`` when stored, else the newest version stored."""
        versions = self.versions(sha256)
        if not versions:
            return None
        version = prefer if prefer in versions else versions[-1]
        return version, json.loads(self.path(sha256, version).read_text("utf-8"))
