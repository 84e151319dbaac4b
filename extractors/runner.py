"""Every document extracted in a worker process the kernel bounds: the one runner the
CLI (``ogi extract``) and the flows use.

Why processes and kernel limits: a hostile document can make a reader allocate
gigabytes or spin inside C code (PDFium, lxml, zlib) where no Python timer runs. Each
worker runs with an address-space limit (``RLIMIT_AS``) and, per document, a CPU-time
limit (``RLIMIT_CPU``); the parent also kills a worker that overruns the wall-clock
timeout (a read that blocks burns no CPU). A worker that dies is replaced, and its
document gets a specific code: ``timeout``, ``memory_limit`` or ``extractor_failed``.
Workers die with their parent (``PR_SET_PDEATHSIG``), keep their temporary files in a
private directory that is removed with them, and never write to the parent's stdout.

    for key, report in run_many(["a.pdf", Job("sha…", data=blob, name="b.docx")], jobs=2):
        ...
"""

from __future__ import annotations

import atexit
import gc
import os
import pickle
import resource
import selectors
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterable, Iterator

import orjson

from extractors.api import TIMEOUT_SECONDS
from extractors.model import Problem, Report, json_bytes
from extractors.readers.limits import die_with_parent

MEMORY_MB = int(os.environ.get("OGI_EXTRACT_MEMORY_MB", 2048))
_GRACE = 5.0  # seconds past the timeout before the parent kills a worker that did not stop itself
_HEADER = struct.Struct("!Q")
_REPO = Path(__file__).resolve().parents[1]
_MEMORY_SIGNS = ("MemoryError", "bad_alloc", "out of memory", "Out of memory", "Cannot allocate memory")


@dataclass(frozen=True)
class Limits:
    """What one document may cost: wall-clock and CPU seconds, and address space."""

    timeout: float = TIMEOUT_SECONDS
    memory_mb: int = MEMORY_MB


@dataclass(frozen=True)
class Job:
    """One document: a file ``path`` (read by the worker), or its bytes ``data``.

    ``key`` names it in the results (the path, or the blob's sha256); ``name`` is the
    file name a report shows and the DOC/WPS tie-breaker; ``published_date`` is the
    listing's date, the year's last resort."""

    key: str
    path: str | None = None
    data: bytes | None = field(default=None, repr=False)
    name: str | None = None
    published_date: str | None = None
    encoded: bool = False  # answer with an :class:`Encoded` report (what the extraction store keeps) if it extracts;
    # its ``key`` is then the document's sha256, the report's own


@dataclass
class Encoded:
    """A report as the extraction store keeps it, made in the worker: ``Report.to_dict()`` as JSON and its index
    summary (:func:`extractors.summary.report_summary`) as JSON. The flows' extraction tasks store both as they come,
    and never unpickle, walk or decode a report (a third of their CPU per document)."""

    body: bytes = field(repr=False)
    summary: bytes = field(repr=False)
    error: Problem | None  # the pool replaces a worker that ran out of memory
    path: str

    def to_dict(self) -> dict:
        return orjson.loads(self.body)


def encode(report: Report) -> Encoded:
    """The report as the extraction store keeps it (the worker's answer to an ``encoded`` job)."""
    from extractors.summary import report_summary

    entry = report.to_dict()
    return Encoded(json_bytes(entry), json_bytes(report_summary(entry)), report.error, report.path)


def run_many(
    items: Iterable[Job | str | os.PathLike[str]], jobs: int = 1, limits: Limits | None = None
) -> Iterator[tuple[str, Report]]:
    """Extract every item in at most ``jobs`` bounded workers; yield ``(key, Report)`` in
    input order, exactly one per item, whatever the documents do. Items are pulled lazily,
    so a generator of blobs is never all in memory."""
    limits = limits or Limits()
    pool = _Pool(max(1, jobs), limits)
    try:
        yield from pool.run(_job(item) for item in items)
    finally:
        pool.close()


_WARM: dict[tuple[int, Limits], "_Pool"] = {}


@atexit.register
def _close_warm() -> None:
    """Warm workers go with this process, and their private temporary directories with them."""
    while _WARM:
        _WARM.popitem()[1].close()


def run_warm(
    items: Iterable[Job | str | os.PathLike[str]], jobs: int = 1, limits: Limits | None = None
) -> Iterator[tuple[str, Report]]:
    """:func:`run_many` with the workers kept for the next call in this process: a flow's task process extracts
    chunk after chunk without starting (and importing) a worker each time. Same limits, same replacement of a
    worker that dies; a call not run to its end closes the pool (its workers may be mid-document)."""
    limits = limits or Limits()
    key = (max(1, jobs), limits)
    pool = _WARM.pop(key, None) or _Pool(key[0], limits)
    finished = False
    try:
        yield from pool.run(_job(item) for item in items)
        finished = True
    finally:
        if finished:
            _WARM[key] = pool
        else:
            pool.close()


def display_name(path: str | os.PathLike[str]) -> str:
    """A path as valid UTF-8 text: bytes that are not UTF-8 appear as ``\\xff`` escapes."""
    return os.fsencode(path).decode("utf-8", errors="backslashreplace")


def _job(item: Job | str | os.PathLike[str]) -> Job:
    if isinstance(item, Job):
        return item
    path = os.fspath(item)
    return Job(key=display_name(path), path=os.path.abspath(path), name=display_name(path))


class _Worker:
    """One worker process; ``send`` a job, ``receive`` its Report."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.tmp = tempfile.mkdtemp(prefix="ogi-worker-")
        self.log = open(os.path.join(self.tmp, "stderr"), "w+b")
        env = {
            **os.environ,
            "TMPDIR": self.tmp,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(_REPO), os.environ.get("PYTHONPATH")])),
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "extractors.runner", str(limits.timeout)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            env=env,
            cwd=self.tmp,
            preexec_fn=_bound_child(limits.memory_mb * 1024 * 1024),
            close_fds=True,
        )
        self.job: Job | None = None
        self.index = -1
        self.deadline = 0.0
        self.rusage: resource.struct_rusage | None = None
        self.status: int | None = None

    def send(self, index: int, job: Job) -> bool:
        self.log.seek(0)
        self.log.truncate()
        self.job, self.index = job, index
        self.deadline = time.monotonic() + self.limits.timeout + _GRACE
        try:
            _write(self.proc.stdin, job)
            return True
        except (BrokenPipeError, OSError):
            return False

    def receive(self) -> Report | None:
        """The worker's answer, or None when it died before giving one."""
        try:
            return _read(self.proc.stdout)
        except (EOFError, OSError, pickle.UnpicklingError):
            return None

    def kill(self) -> None:
        if self.proc.returncode is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.reap()

    def reap(self) -> None:
        if self.proc.returncode is None:
            _, status, self.rusage = os.wait4(self.proc.pid, 0)
            self.status = status
            self.proc.returncode = os.waitstatus_to_exitcode(status)

    def stderr_tail(self) -> str:
        self.log.flush()
        self.log.seek(0, os.SEEK_END)
        size = self.log.tell()
        self.log.seek(max(0, size - 4000))
        return self.log.read().decode("utf-8", errors="replace")

    def close(self) -> None:
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            pass
        self.kill()
        self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


class _Pool:
    def __init__(self, size: int, limits: Limits):
        self.size, self.limits = size, limits
        self.idle: list[_Worker] = []
        self.busy: dict[int, _Worker] = {}  # result fd → worker
        self.selector = selectors.DefaultSelector()

    def run(self, jobs: Iterator[Job]) -> Iterator[tuple[str, Report]]:
        done: dict[int, tuple[str, Report]] = {}
        next_out = index = 0
        exhausted = False
        while True:
            while not exhausted and len(self.busy) < self.size:
                job = next(jobs, None)
                if job is None:
                    exhausted = True
                    break
                refused = self._start(index, job)
                if refused is not None:
                    done[index] = (job.key, refused)
                index += 1
            if not self.busy:
                while next_out in done:
                    yield done.pop(next_out)
                    next_out += 1
                if exhausted:
                    break
                continue
            for key, report, at in self._wait():
                done[at] = (key, report)
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1

    def _start(self, index: int, job: Job) -> Report | None:
        """Hand ``job`` to a worker; the job's error Report when no worker would take it."""
        for _ in range(2):  # an idle worker may have died since its last job: one fresh retry
            worker = self.idle.pop() if self.idle else _Worker(self.limits)
            if worker.send(index, job):
                self.busy[worker.proc.stdout.fileno()] = worker
                self.selector.register(worker.proc.stdout, selectors.EVENT_READ, worker)
                return None
            worker.kill()  # already dead (its stdin closed): this only collects its status
            refused = _died(worker)
            worker.close()
        return refused

    def _wait(self) -> list[tuple[str, Report, int]]:
        now = time.monotonic()
        soonest = min(w.deadline for w in self.busy.values())
        finished: list[tuple[str, Report, int]] = []
        for key, _ in self.selector.select(timeout=max(0.0, soonest - now)):
            worker: _Worker = key.data
            report = worker.receive()
            if report is None:
                worker.reap()
                report = _died(worker)
                self._retire(worker, keep=False)
            else:
                self._retire(worker, keep=report.error is None or report.error.code != "memory_limit")
                report.path = report.path or worker.job.name or worker.job.key
            finished.append((worker.job.key, report, worker.index))
        now = time.monotonic()
        for worker in [w for w in self.busy.values() if w.deadline <= now]:
            worker.kill()
            finished.append(
                (
                    worker.job.key,
                    _report(
                        worker.job,
                        "timeout",
                        (
                            f"extraction took longer than {self.limits.timeout:g}s and its worker was killed "
                            "(set OGI_EXTRACT_TIMEOUT to allow more)"
                        ),
                    ),
                    worker.index,
                )
            )
            self._retire(worker, keep=False)
        return finished

    def _retire(self, worker: _Worker, keep: bool) -> None:
        self.selector.unregister(worker.proc.stdout)
        del self.busy[worker.proc.stdout.fileno()]
        if keep:
            self.idle.append(worker)
        else:
            worker.close()

    def close(self) -> None:
        for worker in list(self.busy.values()) + self.idle:
            worker.close()
        self.busy.clear()
        self.idle.clear()
        self.selector.close()


def _died(worker: _Worker) -> Report:
    """Why a worker died without answering, as the document's error."""
    status = worker.status or 0
    sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    tail = worker.stderr_tail()
    peak_mb = (worker.rusage.ru_maxrss / 1024) if worker.rusage else 0
    if sig == signal.SIGXCPU:
        return _report(
            worker.job,
            "timeout",
            f"extraction used more than {worker.limits.timeout:g}s of CPU; "
            "the kernel stopped it (set OGI_EXTRACT_TIMEOUT to allow more)",
        )
    if any(sign in tail for sign in _MEMORY_SIGNS) or peak_mb >= 0.9 * worker.limits.memory_mb:
        return _report(
            worker.job,
            "memory_limit",
            f"extraction needed more than its {worker.limits.memory_mb} MB "
            "address-space limit; the worker was stopped (set OGI_EXTRACT_MEMORY_MB to allow more)",
        )
    how = f"signal {signal.Signals(sig).name}" if sig else f"exit code {os.WEXITSTATUS(status)}"
    last = tail.strip().splitlines()[-1][:300] if tail.strip() else ""
    return _report(
        worker.job,
        "extractor_failed",
        f"the extraction worker died ({how}){': ' + last if last else ''} (please report it)",
    )


def _report(job: Job, code: str, message: str) -> Report:
    import hashlib

    sha = hashlib.sha256(job.data).hexdigest() if job.data is not None else ""
    return Report(path=job.name or job.key, sha256=sha, format="unknown", error=Problem(code, message))


def _bound_child(memory: int):
    """preexec_fn: address-space limit, no core files, own process group, die with the parent."""
    parent = os.getpid()

    def bound() -> None:
        os.setpgrp()
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        soft = memory if hard == resource.RLIM_INFINITY else min(memory, hard)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        die_with_parent()
        if os.getppid() != parent:  # the parent died before the line above took effect
            os._exit(1)

    return bound


def _write(stream: IO[bytes], obj: object) -> None:
    payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(payload)))
    stream.write(payload)
    stream.flush()


def _read(stream: IO[bytes]) -> object:
    """One message from our own worker (pickle is safe here: both ends are this module)."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError
    (size,) = _HEADER.unpack(header)
    payload = stream.read(size)
    if len(payload) < size:
        raise EOFError
    return pickle.loads(payload)


def _serve(timeout: float) -> None:
    """The worker's loop: a Job in on stdin, a Report out on the original stdout.

    Libraries that print (xlrd) write to fd 1: it is pointed at stderr, and the answers go
    through a private copy of the original stdout."""
    from extractors.api import extract, extract_bytes
    from extractors.model import ExtractError
    from extractors.runner import encode  # not this __main__'s copy: the parent unpickles extractors.runner.Encoded

    # A report is acyclic and freed by reference counting: the collector need not rescan the imported modules (frozen)
    # nor run every 700 allocations (1.5% of the worker's instructions); cycles (an exception's frames) still go
    gc.freeze()
    gc.set_threshold(10_000, 50, 100)
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    requests = sys.stdin.buffer
    while True:
        try:
            job: Job = _read(requests)  # type: ignore[assignment]
        except EOFError:
            return
        used = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
        resource.setrlimit(resource.RLIMIT_CPU, (int(used + timeout) + 2, resource.RLIM_INFINITY))
        try:
            if job.data is not None:
                report = extract_bytes(job.data, name=job.name, published_date=job.published_date, timeout=timeout)
            else:
                report = extract(job.path, job.published_date, timeout=timeout)
                report.path = job.name or report.path
        except MemoryError:
            del job
            report = _report_error("memory_limit", "extraction ran out of its memory limit and was stopped")
        except ExtractError as exc:
            report = _report_error(exc.code, exc.message)
        if _near_memory_limit():  # readers turn a failed allocation into their own errors (lxml: syntax error)
            if report.error is not None:
                said = report.error.message[:200]
                report.error = Problem(
                    "memory_limit",
                    "extraction reached its address-space limit and was stopped "
                    f"(it said: {said}; set OGI_EXTRACT_MEMORY_MB to allow more)",
                )
            _write(answers, report)
            return  # a fresh worker: this one's peak stays high and its heap is fragmented
        if job.encoded:
            report.path = report.path or job.name or job.key
            report.sha256 = job.key
        _write(answers, encode(report) if job.encoded else report)
        if report.error is not None and report.error.code == "memory_limit":
            return


def _near_memory_limit() -> bool:
    """The worker's peak address space came within 10% of its limit (VmPeak, Linux)."""
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY:
        return False
    try:
        with open("/proc/self/status", "rb", buffering=0) as status:
            text = status.read(8192)
    except OSError:
        return False
    at = text.find(b"\nVmPeak:")
    peak = int(text[at + 8 : text.index(b"kB", at)]) * 1024 if at >= 0 else 0
    return peak >= 0.9 * soft


def _report_error(code: str, message: str) -> Report:
    return Report(path="", sha256="", format="unknown", error=Problem(code, message))


if __name__ == "__main__":
    _serve(float(sys.argv[1]))
