"""Every ``OGI_*`` setting and CLI flag, resolved once into one :class:`Settings`; where a run keeps things.

Why one place: a run spans processes (the CLI, Prefect workers, crawl subprocesses,
LibreOffice). Each used to resolve paths from its own working directory and read the
environment itself, so ``ogi run`` started outside the repository crawled into one
``data/`` and extracted from another. Now the command resolves flags over environment
over defaults once, makes paths absolute, and hands them on: as arguments to the flows
and tasks, and as an explicit environment (:meth:`Settings.child_env`) to every
subprocess and worker process. ``docs/operations.md`` has the table of settings.

Telemetry must be off wherever ogi starts Prefect (``DO_NOT_TRACK=1``,
``PREFECT_SERVER_ANALYTICS_ENABLED=false``), before ``prefect`` is imported; the CLI, the
flows module and the tests all call :func:`configure_prefect`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

TELEMETRY_OFF = {"DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
DEFAULT_DATA_DIR = "data"
REPO = Path(__file__).resolve().parent.parent
EXPORTED = (
    "data_dir",
    "warehouse",
    "cache_dir",
    "demo_cache",
    "max_bytes",
    "extract_timeout",
    "convert_timeout",
    "extract_memory_mb",
    "ocr",
    "ocr_engine",
    "ocr_threads",
    "ocr_max_pages",
    "ocr_seconds",
    "contact_url",
    "crawl_delay",
    "crawl_concurrency",
    "proxy",
    "allow_hosts",
    "browser",
    "chromium",
)  # what subprocesses and workers read (their modules' defaults are the same); the rest only the command reads


def _absolute(value: Any) -> Path | None:
    return None if value in (None, "") else Path(value).expanduser().resolve()


class Settings(BaseSettings):
    """Flags (keyword arguments) over ``OGI_*`` environment variables over defaults; paths absolute."""

    model_config = SettingsConfigDict(env_prefix="OGI_", extra="ignore")

    data_dir: Path = Field(Path(DEFAULT_DATA_DIR), description="raw store, state, runs; relative to where ogi starts")
    warehouse: str | None = Field(None, description="Parquet tables: a path or an fsspec URL (<data_dir>/warehouse)")
    cache_dir: Path = Field(REPO / "data" / "cache", description="LibreOffice conversions, by content hash")
    demo_cache: Path | None = Field(None, description="rendered demo documents; default <cache_dir>/demo-sites")
    max_bytes: int = Field(60 * 1024 * 1024, gt=0, description="documents larger than this are refused unread")
    extract_timeout: int = Field(180, gt=0, description="seconds one document may take to extract")
    convert_timeout: int = Field(120, gt=0, description="seconds one LibreOffice conversion may take")
    extract_memory_mb: int = Field(2048, gt=0, description="address space one extraction worker may use (MiB)")
    ocr: bool = Field(True, description="read image-only pages and pictures of tables with OCR")
    ocr_engine: str = Field("rapidocr", description="rapidocr (the default, chosen on accuracy) or tesseract")
    ocr_threads: int = Field(1, gt=0, description="threads per OCR call (batch runs use one process per core)")
    ocr_max_pages: int = Field(12, gt=0, description="pages of one scanned document read at most")
    ocr_seconds: float = Field(60.0, gt=0, description="seconds of OCR one document may use")
    contact_url: str | None = Field(None, description="the URL in the crawler's User-Agent")
    # unset: the crawl's own defaults (1.0 s and 32; the local demo sites are fetched without delay)
    crawl_delay: float | None = Field(None, ge=0, description="seconds between requests to one host")
    crawl_concurrency: int | None = Field(None, gt=0, description="requests in flight over all hosts")
    proxy: str | None = Field(None, description="http(s) proxy for every source without its own")
    allow_hosts: str | None = Field(None, description="hosts or host:port allowed besides government hosts")
    browser: str | None = Field(None, description="auto (sources that need it), off, or on (every source)")
    chromium: Path | None = Field(None, description="the Chromium binary for the browser path")
    fail_on_broken: bool = Field(False, description="a source that broke since its last crawl fails the run")
    notify_url: str | None = Field(None, description="POST a JSON message here when a run fails")
    notify_timeout: float = Field(5.0, gt=0, description="seconds the notification may take")
    debug: bool = Field(False, description="tracebacks and Prefect's logs on the console")

    @field_validator("data_dir", "cache_dir", "demo_cache", "chromium", mode="after")
    @classmethod
    def _paths_absolute(cls, value: Path | None) -> Path | None:
        return _absolute(value)

    @field_validator("warehouse", mode="after")
    @classmethod
    def _warehouse_absolute(cls, value: str | None) -> str | None:
        if not value or "://" in value:
            return value or None
        return str(_absolute(value))

    @classmethod
    def resolve(cls, **flags: Any) -> "Settings":
        """Settings from the flags given (``None`` means "not given": environment, then default)."""
        return cls(**{k: v for k, v in flags.items() if v is not None})

    @property
    def warehouse_url(self) -> str:
        return self.warehouse or str(self.data_dir / "warehouse")

    @property
    def paths(self) -> "Paths":
        return Paths(self.data_dir, self.warehouse_url)

    def child_env(self) -> dict[str, str]:
        """The environment a subprocess or worker process gets: ours, plus every resolved setting made explicit."""
        env = {
            **os.environ,
            **TELEMETRY_OFF,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        }
        for name in EXPORTED:
            value = getattr(self, name)
            if isinstance(value, bool):
                env[f"OGI_{name.upper()}"] = "1" if value else "0"
            elif value is not None:
                env[f"OGI_{name.upper()}"] = str(value)
        env.setdefault("OGI_DEMO_CACHE", str(self.cache_dir / "demo-sites"))
        return env

    def apply(self, quiet: bool = True) -> None:
        """Export the resolved settings to this process's environment, so process-pool workers (which inherit it)
        and libraries that read it see the same absolute values; then configure Prefect."""
        os.environ.update(self.child_env())
        configure_prefect(self.data_dir, quiet=quiet and not self.debug)


def configure_prefect(data_dir: str | os.PathLike[str] | None = None, quiet: bool = False) -> None:
    """Telemetry off (always), task results kept under the data dir; ``quiet``: Prefect's own logs only when critical,
    so a failed run says one sentence (ogi's), not a traceback."""
    os.environ.update(TELEMETRY_OFF)
    if data_dir is not None:
        os.environ.setdefault("PREFECT_LOCAL_STORAGE_PATH", str(Path(data_dir).resolve() / "state" / "prefect-results"))
    if quiet:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")
        os.environ.setdefault("PREFECT_LOGGING_LOG_PRINTS", "false")


@dataclass(frozen=True)
class Paths:
    """The layout of a data dir; the warehouse may live elsewhere (any fsspec URL)."""

    data_dir: Path
    warehouse_url: str

    @classmethod
    def of(cls, data_dir: str | os.PathLike[str] | None = None, warehouse: str | None = None) -> "Paths":
        return Settings.resolve(data_dir=data_dir, warehouse=warehouse).paths

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
    def coverage_png(self) -> Path:
        return self.reports / "coverage.png"

    @property
    def dashboard(self) -> Path:
        """The static dashboard's page (``pipelines.dashboard`` writes it and its assets into :attr:`reports`)."""
        return self.reports / "index.html"

    @property
    def run_lock(self) -> Path:
        return self.data_dir / "state" / "run.lock"
