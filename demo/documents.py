"""Attachments for the demo sites, made by the real tools and cached by content.

DOCX by python-docx, XLSX by openpyxl; PDF and DOC from the DOCX and XLS from the
XLSX by LibreOffice headless, one batched ``soffice`` call per target format, with a
private profile so parallel runs do not fight over ``~/.config``. A ``.wps`` file is a
DOC renamed (that is what Kingsoft WPS files are to a reader). The cache key is the
report's content, so a second build (or the CI's second test) converts nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from demo.reports import ReportSpec, report_docx, report_xlsx

REPO = Path(__file__).resolve().parent.parent

RENDER_VERSION = "1"
FORMATS = ("pdf", "docx", "doc", "wps", "xls", "xlsx")
_SOFFICE_TARGET = {"pdf": ("docx", "pdf"), "doc": ("docx", "doc:MS Word 97"), "xls": ("xlsx", "xls:MS Excel 97")}


def cache_dir() -> Path:
    return Path(os.environ.get("OGI_DEMO_CACHE") or REPO / "data" / "cache" / "demo-sites")


def content_key(spec: ReportSpec) -> str:
    blob = json.dumps({"v": RENDER_VERSION, **spec.truth()}, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:24]


def render(requests: list[tuple[ReportSpec, str]]) -> dict[tuple[str, str], bytes]:
    """Bytes for each (report, format) asked for, keyed by (content key, format)."""
    root = cache_dir()
    root.mkdir(parents=True, exist_ok=True)
    want = {(content_key(spec), fmt): spec for spec, fmt in requests}
    for (key, fmt), spec in want.items():
        if fmt not in FORMATS:
            raise ValueError(f"unknown demo format {fmt}")
        if fmt in ("docx", "pdf", "doc", "wps"):
            _write_once(root / f"{key}.docx", lambda s=spec: report_docx(s))
        if fmt in ("xlsx", "xls"):
            _write_once(root / f"{key}.xlsx", lambda s=spec: report_xlsx(s))
    missing: dict[str, list[Path]] = {}
    for key, fmt in want:
        base = "doc" if fmt == "wps" else fmt
        if base in _SOFFICE_TARGET and not (root / f"{key}.{base}").exists():
            source_ext, _ = _SOFFICE_TARGET[base]
            missing.setdefault(base, []).append(root / f"{key}.{source_ext}")
    for base, paths in missing.items():
        _soffice(sorted(set(paths)), _SOFFICE_TARGET[base][1], root)
    out = {}
    for key, fmt in want:
        base = "doc" if fmt == "wps" else fmt
        out[(key, fmt)] = (root / f"{key}.{base}").read_bytes()
    return out


def _write_once(path: Path, make) -> None:
    if not path.exists():
        tmp = path.with_suffix(path.suffix + f".{os.getpid()}.tmp")
        tmp.write_bytes(make())
        os.replace(tmp, path)


def _soffice(paths: list[Path], target: str, outdir: Path) -> None:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        raise RuntimeError(
            "LibreOffice (soffice) is needed to build the demo sites' PDF/DOC/XLS attachments; "
            "run `make install` (apt-get install libreoffice-writer-nogui libreoffice-calc-nogui)"
        )
    with tempfile.TemporaryDirectory(prefix="ogi-demo-lo-") as tmp:
        profile = Path(tmp) / "profile"
        staging = Path(tmp) / "out"
        cmd = [
            exe,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{profile}",
            "--convert-to",
            target,
            "--outdir",
            str(staging),
            *map(str, paths),
        ]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
        ext = target.split(":")[0]
        for src in paths:
            made = staging / f"{src.stem}.{ext}"
            if not made.exists():
                raise RuntimeError(f"soffice did not convert {src.name} to {ext}")
            shutil.move(str(made), str(outdir / made.name))
