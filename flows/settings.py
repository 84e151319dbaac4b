"""Where a run keeps things, and the environment every ogi entry point gives Prefect.

Why one place: telemetry must be off wherever ogi starts Prefect (``DO_NOT_TRACK=1``,
``PREFECT_SERVER_ANALYTICS_ENABLED=false``), and that has to happen before ``prefect``
is imported; the CLI, the flows module and the tests all call :func:`configure_prefect`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TELEMETRY_OFF = {"DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
DEFAULT_DATA_DIR = "data"


def configure_prefect(data_dir: str | os.PathLike[str] | None = None, quiet: bool = False) -> None:
    """Telemetry off (always), task results kept under the data dir, optional quieter logs."""
    os.environ.update(TELEMETRY_OFF)
    if data_dir is not None:
        os.environ.setdefault("PREFECT_LOCAL_STORAGE_PATH", str(Path(data_dir).resolve() / "state" / "prefect-results"))
    if quiet:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
        os.environ.setdefault("PREFECT_LOGGING_LOG_PRINTS", "false")


@dataclass(frozen=True)
class Paths:
    """The layout of a data dir; the warehouse may live elsewhere (any fsspec URL)."""

    data_dir: Path
    warehouse_url: str

    @classmethod
    def of(cls, data_dir: str | os.PathLike[str] | None = None, warehouse: str | None = None) -> "Paths":
        root = Path(data_dir or os.environ.get("OGI_DATA_DIR") or DEFAULT_DATA_DIR)
        return cls(root, warehouse or os.environ.get("OGI_WAREHOUSE") or str(root / "warehouse"))

    @property
    def raw(self) -> Path:
        return self.data_dir / "raw"

    @property
    def extracted(self) -> Path:
        return self.data_dir / "state" / "extracted"

    @property
    def runs(self) -> Path:
        return self.data_dir / "runs"

    @property
    def reports(self) -> Path:
        return self.data_dir / "reports"

    @property
    def run_lock(self) -> Path:
        return self.data_dir / "state" / "run.lock"
