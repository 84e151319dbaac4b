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

Batches (``batch=N``): a worker may take up to N documents in one message and write each one's
start and answer to a file in its private directory as it goes, waking its parent once per batch
instead of twice per document (the flows' chunks: a tenth of a small report's CPU went to that
hand-off). The limits stay per document: the CPU limit is set before each one, the wall-clock
deadline runs from each one's recorded start, and a worker that dies or is killed mid-batch
gives its error to the document it had started; the answers it wrote are kept and the documents
it never started go to the next worker.

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
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterable, Iterator

import orjson

from extractors.api import TIMEOUT_SECONDS, extract, extract_bytes
from extractors.model import ExtractError, Problem, Report, json_bytes
from extractors.readers.limits import die_with_parent

MEMORY_MB = int(os.environ.get("OGI_EXTRACT_MEMORY_MB", 2048))
_GRACE = 5.0  # seconds past the timeout before the parent kills a worker that did not stop itself
_HEADER = struct.Struct("!Q")
_STARTED = struct.Struct("!cIdQ")  # b"S", position in the batch, time.monotonic() at its start, stderr offset
_ANSWERED = struct.Struct("!cIQ")  # b"A", position in the batch, size of the pickled answer that follows
_BATCH_BYTES = 4 << 20  # a batch takes no further document once its documents hold this many bytes
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
    items: Iterable[Job | str | os.PathLike[str]], jobs: int = 1, limits: Limits | None = None, batch: int = 1
) -> Iterator[tuple[str, Report]]:
    """Extract every item in at most ``jobs`` bounded workers; yield ``(key, Report)`` in
    input order, exactly one per item, whatever the documents do. Items are pulled lazily,
    so a generator of blobs is never all in memory.

    ``batch``: documents a worker may take at once (at most 4 MiB of them). A batch is filled
    before it is sent, so keep 1 when ``items`` waits for its next item (a queue)."""
    limits = limits or Limits()
    pool = _Pool(max(1, jobs), limits)
    try:
        yield from pool.run((_job(item) for item in items), batch)
    finally:
        pool.close()


_WARM: dict[tuple[int, Limits], "_Pool"] = {}


@atexit.register
def _close_warm() -> None:
    """Warm workers go with this process, and their private temporary directories with them."""
    while _WARM:
        _WARM.popitem()[1].close()


def run_warm(
    items: Iterable[Job | str | os.PathLike[str]], jobs: int = 1, limits: Limits | None = None, batch: int = 1
) -> Iterator[tuple[str, Report]]:
    """:func:`run_many` with the workers kept for the next call in this process: a flow's task process extracts
    chunk after chunk without starting (and importing) a worker each time. Same limits, same replacement of a
    worker that dies; a call not run to its end closes the pool (its workers may be mid-document)."""
    limits = limits or Limits()
    key = (max(1, jobs), limits)
    pool = _WARM.pop(key, None) or _Pool(key[0], limits)
    finished = False
    try:
        yield from pool.run((_job(item) for item in items), batch)
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


_TMP_PREFIX = "ogi-worker-"
_swept = False


def sweep_orphans(tmp: str | None = None) -> None:
    """Remove the private temporary directories of workers whose parent died without cleaning up (SIGKILL, the
    out-of-memory killer): each is named after its parent's pid, and a run killed night after night would otherwise
    leave them, with whatever a converter put there, to pile up."""
    tmp = tmp or tempfile.gettempdir()
    try:
        names = [n for n in os.listdir(tmp) if n.startswith(_TMP_PREFIX)]
    except OSError:
        return
    for name in names:
        pid = name[len(_TMP_PREFIX) :].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
            continue  # its parent is alive (or the pid was reused: left for a later sweep)
        except ProcessLookupError:
            pass
        except PermissionError:  # alive, another user's
            continue
        shutil.rmtree(os.path.join(tmp, name), ignore_errors=True)


class _Worker:
    """One worker process; ``send`` it a batch of jobs, ``collect`` what it answered so far."""

    def __init__(self, limits: Limits):
        global _swept
        if not _swept:
            _swept = True
            sweep_orphans()
        self.limits = limits
        self.tmp = tempfile.mkdtemp(prefix=f"{_TMP_PREFIX}{os.getpid()}-")
        self.log = open(os.path.join(self.tmp, "stderr"), "w+b")
        self.answers_path = os.path.join(self.tmp, "answers")
        self.answers = open(self.answers_path, "w+b")  # the worker appends; read back from ``offset``
        env = {
            **os.environ,
            "TMPDIR": self.tmp,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(_REPO), os.environ.get("PYTHONPATH")])),
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "extractors.runner", str(limits.timeout), self.answers_path],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            env=env,
            cwd=self.tmp,
            preexec_fn=_bound_child(limits.memory_mb * 1024 * 1024),
            close_fds=True,
        )
        self.batch: list[tuple[int, Job]] = []  # (index in the run, job)
        self.answered: dict[int, Report] = {}  # position in the batch → its answer
        self.started: tuple[int, float, int] | None = None  # the last document begun: position, start, stderr offset
        self.offset = 0
        self.progressed = self.deadline = 0.0
        self.rusage: resource.struct_rusage | None = None
        self.status: int | None = None

    @property
    def job(self) -> Job:
        """The document the worker is on (or was on when it stopped): the last one it started, else the first."""
        return self.batch[self.started[0] if self.started else 0][1]

    def send(self, batch: list[tuple[int, Job]]) -> bool:
        self.log.seek(0)
        self.log.truncate()
        self.answers.truncate(0)
        self.batch, self.answered, self.started, self.offset = batch, {}, None, 0
        self.progressed = time.monotonic()
        self.deadline = self.progressed + self.limits.timeout + _GRACE
        try:
            _write(self.proc.stdin, [job for _, job in batch])
            return True
        except (BrokenPipeError, OSError):
            return False

    def finished(self) -> bool:
        """Wait for the batch's end: True when the worker said it is done, False when it died (EOF)."""
        try:
            return os.read(self.proc.stdout.fileno(), 1) == b"."
        except OSError:
            return False

    def collect(self) -> bool:
        """Read the starts and answers the worker wrote since the last call (a record cut short stays for later);
        True when there was any."""
        self.answers.seek(self.offset)
        consumed = 0
        for end, (kind, position, *rest) in _records(self.answers.read()):
            if kind == b"S":
                self.started = (position, *rest)
            else:
                try:
                    self.answered[position] = pickle.loads(rest[0])
                except (pickle.UnpicklingError, EOFError, AttributeError, ValueError):
                    break  # written only in part: the document it was for is unanswered
            consumed = end
        self.offset += consumed
        return consumed > 0

    def unanswered(self) -> list[tuple[int, Job]]:
        """The batch's jobs with no answer, in order (the one it is on, if any, first)."""
        return [(index, job) for position, (index, job) in enumerate(self.batch) if position not in self.answered]

    def on_document(self, unanswered: list[tuple[int, Job]]) -> tuple[int, float, int] | None:
        """The document begun and not answered: (position, start, stderr offset); None between documents."""
        if self.started and unanswered and unanswered[0] == self.batch[self.started[0]]:
            return self.started
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
        """The last 4,000 bytes the worker wrote to stderr since it started its current document."""
        self.log.flush()
        self.log.seek(0, os.SEEK_END)
        size = self.log.tell()
        self.log.seek(max(self.started[2] if self.started else 0, size - 4000))
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
        self.answers.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


class _Pool:
    def __init__(self, size: int, limits: Limits):
        self.size, self.limits = size, limits
        self.idle: list[_Worker] = []
        self.busy: dict[int, _Worker] = {}  # result fd → worker
        self.selector = selectors.DefaultSelector()

    def run(self, jobs: Iterator[Job], batch: int = 1) -> Iterator[tuple[str, Report]]:
        """Yield every job's ``(key, Report)`` in input order. With several workers, batches grow 1, 2, 4… up to
        ``batch``, so that a few documents still spread over all of them."""
        done: dict[int, tuple[str, Report]] = {}
        again: deque[tuple[int, Job]] = deque()  # jobs a worker stopped before starting: the next batch takes them
        next_out = index = 0
        exhausted = False
        size = batch if self.size == 1 else 1
        while True:
            while (again or not exhausted) and len(self.busy) < self.size:
                taken: list[tuple[int, Job]] = []
                held = 0
                while len(taken) < size and held < _BATCH_BYTES:
                    if again:
                        item = again.popleft()
                    else:
                        job = None if exhausted else next(jobs, None)
                        if job is None:
                            exhausted = True
                            break
                        item = (index, job)
                        index += 1
                    taken.append(item)
                    held += len(item[1].data or b"")
                if not taken:
                    break
                size = min(batch, size * 2)
                refused = self._start(taken)
                if refused is not None:
                    (at, job), rest = taken[0], taken[1:]
                    done[at] = (job.key, refused)
                    again.extendleft(reversed(rest))
            if not self.busy:
                while next_out in done:
                    yield done.pop(next_out)
                    next_out += 1
                if exhausted and not again:
                    break
                continue
            finished, stopped = self._wait()
            for at, key, report in finished:
                done[at] = (key, report)
            again.extendleft(reversed(stopped))
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1

    def _start(self, batch: list[tuple[int, Job]]) -> Report | None:
        """Hand ``batch`` to a worker; its first job's error Report when no worker would take it."""
        for _ in range(2):  # an idle worker may have died since its last job: one fresh retry
            worker = self.idle.pop() if self.idle else _Worker(self.limits)
            if worker.send(batch):
                self.busy[worker.proc.stdout.fileno()] = worker
                self.selector.register(worker.proc.stdout, selectors.EVENT_READ, worker)
                return None
            worker.kill()  # already dead (its stdin closed): this only collects its status
            refused = _died(worker)
            worker.close()
        return refused

    def _wait(self) -> tuple[list[tuple[int, str, Report]], list[tuple[int, Job]]]:
        """The answers of workers that finished, died or overran, as (index, key, report); and the jobs a stopped
        worker never started, to be sent again."""
        now = time.monotonic()
        soonest = min(w.deadline for w in self.busy.values())
        finished: list[tuple[int, str, Report]] = []
        stopped: list[tuple[int, Job]] = []
        for key, _ in self.selector.select(timeout=max(0.0, soonest - now)):
            worker: _Worker = key.data
            completed = worker.finished()
            worker.collect()
            if not completed:
                worker.reap()
            finished += self._answers(worker)
            left = worker.unanswered()
            if left and (worker.started is None or worker.on_document(left)):  # it died on this document
                finished.append((left[0][0], left[0][1].key, _died(worker)))
                left = left[1:]
            stopped += left
            self._retire(worker, keep=completed and not left)  # a worker out of memory stops after its answer
        now = time.monotonic()
        for worker in [w for w in self.busy.values() if w.deadline <= now]:
            if worker.collect():
                worker.progressed = now
            left = worker.unanswered()
            on = worker.on_document(left)
            # the wall-clock limit runs from the start of the document it is on (or from its last sign of progress)
            worker.deadline = (on[1] if on else worker.progressed) + self.limits.timeout + _GRACE
            if worker.deadline > now:
                continue
            worker.kill()
            finished += self._answers(worker)
            if left:  # else it answered every document and then stalled: nothing to blame
                index, job = left[0]
                message = (
                    f"extraction took longer than {self.limits.timeout:g}s and its worker was killed "
                    "(set OGI_EXTRACT_TIMEOUT to allow more)"
                )
                finished.append((index, job.key, _report(job, "timeout", message)))
                stopped += left[1:]
            self._retire(worker, keep=False)
        return finished, stopped

    @staticmethod
    def _answers(worker: _Worker) -> list[tuple[int, str, Report]]:
        out = []
        for position, report in sorted(worker.answered.items()):
            index, job = worker.batch[position]
            report.path = report.path or job.name or job.key
            out.append((index, job.key, report))
        return out

    def _retire(self, worker: _Worker, keep: bool) -> None:
        self.selector.unregister(worker.proc.stdout)
        del self.busy[worker.proc.stdout.fileno()]
        worker.batch, worker.answered = [], {}  # an idle worker holds no document's bytes
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


def _records(data: bytes) -> Iterator[tuple[int, tuple]]:
    """The whole records at the start of ``data`` (a worker's answers file), each with the offset where it ends:
    ``(b"S", position, start, stderr offset)`` or ``(b"A", position, pickled answer)``."""
    at = 0
    while at < len(data):
        kind = data[at : at + 1]
        if kind == b"S" and at + _STARTED.size <= len(data):
            _, position, began, stderr_at = _STARTED.unpack_from(data, at)
            at += _STARTED.size
            yield at, (kind, position, began, stderr_at)
        elif kind == b"A" and at + _ANSWERED.size <= len(data):
            _, position, size = _ANSWERED.unpack_from(data, at)
            end = at + _ANSWERED.size + size
            if end > len(data):
                return
            yield end, (kind, position, data[at + _ANSWERED.size : end])
            at = end
        else:
            return


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


def _serve(timeout: float, answers_path: str) -> None:
    """The worker's loop: a batch of Jobs in on stdin; each one's start and answer appended to ``answers_path`` as it
    goes (what the parent reads back, even after this process died); one byte on the original stdout per batch.

    Libraries that print (xlrd) write to fd 1: it is pointed at stderr, and the signal goes
    through a private copy of the original stdout."""
    from extractors.runner import encode  # not this __main__'s copy: the parent unpickles extractors.runner.Encoded

    # A report is acyclic and freed by reference counting: the collector need not rescan the imported modules (frozen)
    # nor run every 700 allocations (1.5% of the worker's instructions); cycles (an exception's frames) still go
    gc.freeze()
    gc.set_threshold(10_000, 50, 100)
    signals = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    answers = os.open(answers_path, os.O_WRONLY | os.O_APPEND)
    requests = sys.stdin.buffer
    while True:
        try:
            batch: list[Job] = _read(requests)  # type: ignore[assignment]
        except EOFError:
            return
        for position in range(len(batch)):
            job, batch[position] = batch[position], None  # type: ignore[call-overload]  # its bytes go with it
            os.write(answers, _STARTED.pack(b"S", position, time.monotonic(), os.lseek(2, 0, os.SEEK_CUR)))
            report, last = _extract_one(job, timeout)
            payload = pickle.dumps(encode(report) if job.encoded and not last else report, pickle.HIGHEST_PROTOCOL)
            os.write(answers, _ANSWERED.pack(b"A", position, len(payload)) + payload)
            if last:
                return  # a fresh worker: this one's peak stays high and its heap is fragmented
        signals.write(b".")
        signals.flush()


def _extract_one(job: Job, timeout: float) -> tuple[Report, bool]:
    """One document under its own CPU limit; and whether this worker must stop after it (its memory ran out)."""
    used = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
    resource.setrlimit(resource.RLIMIT_CPU, (int(used + timeout) + 2, resource.RLIM_INFINITY))
    try:
        if job.data is not None:
            report = extract_bytes(job.data, name=job.name, published_date=job.published_date, timeout=timeout)
        else:
            report = extract(job.path, job.published_date, timeout=timeout)
            report.path = job.name or report.path
    except MemoryError:
        return _report_error("memory_limit", "extraction ran out of its memory limit and was stopped"), True
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
        return report, True
    if job.encoded:
        report.path = report.path or job.name or job.key
        report.sha256 = job.key
    return report, report.error is not None and report.error.code == "memory_limit"


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
    _serve(float(sys.argv[1]), sys.argv[2])
