"""DOC / WPS / RTF (legacy binary Word) → DOCX via LibreOffice headless, then the DOCX reader.

Conversions are cached by content hash (a re-extraction costs nothing). Each worker process
has a private LibreOffice profile made by ``mkdtemp`` (two soffice processes sharing one
profile block each other, and a predictable name in /tmp is anyone's to plant); a worker
converts one document at a time, so it reuses its profile, which saves LibreOffice's first-start
setup on every later conversion, and starts a fresh one after any failed conversion (a
document that broke LibreOffice may have left the profile broken). LibreOffice runs in its own process group,
dies with the process that started it (``PR_SET_PDEATHSIG``), and is killed, group and
all, when it overruns its timeout. When LibreOffice is missing or fails,
antiword or catdoc give the text, which the text reader parses (tables lose their
grid but keep their rows), and a problem says so.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from extractors.document import Document
from extractors.model import ExtractError
from extractors.readers.limits import die_with_parent

TIMEOUT_SECONDS = int(os.environ.get("OGI_CONVERT_TIMEOUT", 120))  # flows.settings has the same default


_profile: Path | None = None  # this process's LibreOffice profile, reused while conversions succeed


def _private_profile() -> Path:
    global _profile
    if _profile is None or not _profile.is_dir():
        _profile = Path(tempfile.mkdtemp(prefix="ogi-lo-profile-"))
        atexit.register(shutil.rmtree, _profile, True)
    return _profile


def _drop_profile() -> None:
    global _profile
    if _profile is not None:
        shutil.rmtree(_profile, ignore_errors=True)
        _profile = None


def cache_dir() -> Path:
    root = os.environ.get("OGI_CACHE_DIR") or Path(__file__).resolve().parents[2] / "data" / "cache"
    path = Path(root) / "converted"
    path.mkdir(parents=True, exist_ok=True)
    return path


def read_doc(data: bytes, fmt: str) -> Document:
    from extractors.readers.docx import read_docx

    converted, why = convert_to_docx(data, fmt)
    if converted is not None:
        doc = read_docx(converted)
        doc.format = fmt
        return doc
    text = _text_fallback(data)
    if text is None:
        raise ExtractError(
            "conversion_failed",
            f"LibreOffice could not convert this {fmt.upper()} ({why}) "
            "and neither antiword nor catdoc could read it; install libreoffice-writer-nogui",
        )
    from extractors.readers.text import read_lines

    doc = Document(fmt)
    read_lines(doc, text.splitlines())
    doc.problems.append(
        ("converted_as_text", f"read through a text fallback ({why}); table structure may be lost", None)
    )
    return doc


def convert_to_docx(data: bytes, fmt: str) -> tuple[bytes | None, str]:
    sha = hashlib.sha256(data).hexdigest()
    cached = cache_dir() / f"{sha}.docx"
    if cached.exists():
        return cached.read_bytes(), "cached"
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None, "LibreOffice is not installed"
    with tempfile.TemporaryDirectory(prefix="ogi-lo-") as tmp:
        source = Path(tmp) / f"input.{'doc' if fmt == 'wps' else fmt}"
        source.write_bytes(data)
        profile = _private_profile()
        command = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            tmp,
            str(source),
        ]
        if not _run_bounded(command, {**os.environ, "HOME": tmp}):
            _drop_profile()
            return None, f"LibreOffice timed out after {TIMEOUT_SECONDS}s"
        out = Path(tmp) / "input.docx"
        if not out.exists() or out.stat().st_size == 0:
            _drop_profile()
            return None, "LibreOffice produced no output"
        converted = out.read_bytes()
    tmp_cache = cached.with_suffix(".part")
    tmp_cache.write_bytes(converted)
    os.replace(tmp_cache, cached)
    return converted, "converted"


def _run_bounded(command: list[str], env: dict[str, str], timeout: float = TIMEOUT_SECONDS) -> bool:
    """Run LibreOffice in its own process group, tied to this process's life; False on timeout."""
    proc = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        preexec_fn=_child_setup,
        close_fds=True,
    )
    try:
        proc.wait(timeout=timeout)
        return True
    except subprocess.TimeoutExpired:
        return False
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # whatever soffice left behind in its group
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait()


def _child_setup() -> None:
    """preexec_fn: a process group of its own and SIGKILL when the parent dies. LibreOffice
    keeps the address-space limit of the worker that starts it (it converts in under 1 GB)."""
    os.setpgrp()
    die_with_parent()


def _text_fallback(data: bytes) -> str | None:
    with tempfile.NamedTemporaryFile(suffix=".doc") as handle:
        handle.write(data)
        handle.flush()
        for tool, args in (("antiword", ["-w", "0"]), ("catdoc", ["-d", "utf-8", "-w"])):
            binary = shutil.which(tool)
            if binary is None:
                continue
            try:
                done = subprocess.run(
                    [binary, *args, handle.name], capture_output=True, timeout=30, check=False, preexec_fn=_child_setup
                )
            except subprocess.TimeoutExpired:
                continue
            text = done.stdout.decode("utf-8", errors="replace")
            if done.returncode == 0 and text.strip():
                return text
    return None
