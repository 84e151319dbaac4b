"""Child processes that die with their parent, even when the parent is SIGKILLed.

Why: ogi starts long-lived children (Prefect's temporary API server, one Scrapy crawl per
shard, worker processes). A parent killed by the OOM killer, a CI timeout or ``kill -9``
runs no cleanup, and its children used to live on, holding ports, locks and CPU. Linux's
``PR_SET_PDEATHSIG`` makes the kernel send SIGKILL to a child when its parent dies; each
child also gets its own process group, which the parent kills on every way out it does see
(normal exit, exception, timeout), so grandchildren go too.
"""

from __future__ import annotations

import atexit
import ctypes
import os
import signal
import subprocess
import sys
from typing import Any, Sequence

PR_SET_PDEATHSIG = 1
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None
_live: dict[int, subprocess.Popen] = {}


def die_with_parent(parent_pid: int | None = None) -> None:
    """Ask the kernel to SIGKILL this process when its parent dies (Linux; elsewhere nothing).

    Usable as a ``preexec_fn`` or a process-pool ``initializer``. If the parent is already
    gone (it died between fork and this call), exit at once."""
    if _prctl is not None:
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)


def _preexec(parent_pid: int):
    return lambda: die_with_parent(parent_pid)


def popen(cmd: Sequence[str], **kwargs: Any) -> subprocess.Popen:
    """``subprocess.Popen`` in a new process group that dies with this process; killed at this process's exit."""
    proc = subprocess.Popen(cmd, process_group=0, preexec_fn=_preexec(os.getpid()), **kwargs)
    _live[proc.pid] = proc
    return proc


def kill_group(proc: subprocess.Popen, grace: float = 5.0) -> None:
    """SIGTERM the child's process group, SIGKILL what is left after ``grace`` seconds; reap the child."""
    _live.pop(proc.pid, None)
    if proc.returncode is not None:  # already reaped by its owner: its pid may be someone else's by now
        return
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, None)):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            break
        try:
            proc.wait(wait)
            if sig == signal.SIGTERM:  # the leader exited; make sure its group did too
                os.killpg(proc.pid, signal.SIGKILL)
            break
        except subprocess.TimeoutExpired:
            continue
        except (ProcessLookupError, PermissionError):
            break
    if proc.returncode is None:
        proc.wait()


def run(cmd: Sequence[str], timeout: float | None = None, **kwargs: Any) -> subprocess.CompletedProcess:
    """``subprocess.run`` (output captured as text) through :func:`popen`: the group is killed on timeout or error."""
    proc = popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)
    try:
        out, err = proc.communicate(timeout=timeout)
    except BaseException:
        kill_group(proc, grace=1.0)
        raise
    _live.pop(proc.pid, None)
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # grandchildren the child left behind
    except (ProcessLookupError, PermissionError):
        pass
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@atexit.register
def _kill_live() -> None:
    for proc in list(_live.values()):
        kill_group(proc, grace=2.0)
