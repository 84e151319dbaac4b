"""Hostile documents (issue 12): each pathological case run as the checker runs it, through
``ogi extract --json`` under a 4 GB address-space cap, answered with its own code in
bounded time and memory; the runner's own limits, and a batch of damaged files."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from extractors import runner
from extractors.runner import Job, Limits, run_many
from tests import hostile_documents as hostile

REPO = Path(__file__).resolve().parents[1]
CAP = 4 << 30


def ogi_extract(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """``ogi extract`` as a user runs it, under the checker's 4 GB address-space cap."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (CAP, CAP))

    return subprocess.run(
        [sys.executable, "-m", "flows.cli", "extract", *args],
        capture_output=True,
        timeout=timeout,
        cwd=REPO,
        preexec_fn=cap,
    )


def utf8_json_lines(stdout: bytes) -> list[dict]:
    """stdout must be valid UTF-8 made only of JSON lines."""
    return [json.loads(line) for line in stdout.decode("utf-8").splitlines()]


def test_pathological_documents_each_get_their_code_under_a_4gb_cap(tmp_path):
    cases = {
        "gridspan.docx": (hostile.gridspan_docx(), "too_large_grid"),
        "spans.html": (hostile.huge_span_html(), "too_large_grid"),
        "far-corner.xlsx": (hostile.far_corner_xlsx(), "too_large_grid"),
        "huge-merge.xlsx": (hostile.huge_merge_xlsx(), "too_large_grid"),
        "flate-bomb.pdf": (hostile.flate_bomb_pdf(1 << 30), "decompression_bomb"),
    }
    paths = []
    for name, (data, _) in cases.items():
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    fifo = tmp_path / "report.pdf"
    os.mkfifo(fifo)  # nobody ever writes to it: opening it for reading would block forever
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.monotonic()
    missing = str(tmp_path / "gone.pdf")
    done = ogi_extract(
        *paths, "/dev/zero", str(fifo), missing, str(tmp_path / "gridspan.docx"), "--json", "--jobs", "2"
    )
    elapsed = time.monotonic() - started
    lines = utf8_json_lines(done.stdout)
    assert done.returncode == 1, done.stderr
    codes = {Path(line["path"]).name: line["error"]["code"] for line in lines}
    assert [line["path"] for line in lines] == [
        *paths,
        "/dev/zero",
        str(fifo),
        missing,
        str(tmp_path / "gridspan.docx"),
    ]
    assert codes == {
        **{name: code for name, (_, code) in cases.items()},
        "zero": "not_a_regular_file",
        "report.pdf": "not_a_regular_file",
        "gone.pdf": "unreadable",
    }
    assert elapsed < 60, elapsed
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert peak < 600 * 1024 or peak == before, f"a worker peaked at {peak // 1024} MB"


@pytest.mark.parametrize("batch", [1, 8])
def test_a_worker_out_of_memory_is_memory_limit_and_is_replaced_for_the_next_document(batch, monkeypatch):
    """In a batch too: the documents before it keep their answers, the ones after go to a fresh worker."""
    monkeypatch.setattr(runner, "_BATCH_BYTES", 1 << 30)  # all five in one batch, the 56 MB page among them
    page = b"<html><body>" + "<p>政府信息公开 12</p>".encode() * 2_000_000 + b"</body></html>"  # 56 MB
    good = (REPO / "tests" / "corpus" / "files" / "html-2021-broken-balance.html").read_bytes()
    jobs = [Job("before", data=good, name="before.html"), Job("big", data=page, name="big.html")]
    jobs += [Job(f"good{i}", data=good, name=f"good{i}.html") for i in range(3)]
    results = list(run_many(jobs, jobs=1, limits=Limits(timeout=60, memory_mb=400), batch=batch))
    assert [key for key, _ in results] == ["before", "big", "good0", "good1", "good2"]
    big = results[1][1]
    assert (big.error.code, big.path) == ("memory_limit", "big.html")
    assert all(r.error is None and len(r.cells) > 100 for i, (_, r) in enumerate(results) if i != 1)


@pytest.mark.parametrize("batch", [1, 8])
def test_a_document_past_its_time_is_a_timeout_and_the_batch_goes_on(batch, monkeypatch):
    """In a batch too: the limit runs from that document's own start, and only it is blamed."""
    monkeypatch.setattr(runner, "_BATCH_BYTES", 1 << 30)  # all three in one batch
    page = b"<html><body>" + "<p>政府信息公开 12</p>".encode() * 2_000_000 + b"</body></html>"
    good = (REPO / "tests" / "corpus" / "files" / "html-2021-broken-balance.html").read_bytes()
    jobs = [Job(f"good{i}", data=good, name=f"good{i}.html") for i in range(2)]
    jobs.insert(1, Job("slow", data=page, name="slow.html"))
    started = time.monotonic()
    results = list(run_many(jobs, jobs=1, limits=Limits(timeout=1, memory_mb=2048), batch=batch))
    assert [key for key, _ in results] == ["good0", "slow", "good1"]
    assert [r.error.code if r.error else None for _, r in results] == [None, "timeout", None]
    assert results[1][1].path == "slow.html" and len(results[2][1].cells) > 100
    assert time.monotonic() - started < 1 + 5 + 10  # the limit, the kill grace, two worker start-ups


def test_a_worker_stopped_mid_batch_is_killed_at_that_documents_deadline_and_the_rest_go_on(monkeypatch):
    """A worker that stops burning CPU (blocked; here SIGSTOPped) on the second document of its batch: the parent's
    wall-clock limit, from that document's recorded start, kills it; the first keeps its answer, the third goes to a
    fresh worker."""
    import signal
    import threading

    import psutil

    page = b"<html><body>" + "<p>政府信息公开 12</p>".encode() * 2_000_000 + b"</body></html>"  # seconds of CPU
    good = (REPO / "tests" / "corpus" / "files" / "html-2021-broken-balance.html").read_bytes()
    jobs = [Job("good0", data=good, name="good0.html"), Job("slow", data=page, name="slow.html")]
    jobs.append(Job("good1", data=good, name="good1.html"))
    stopped: list[int] = []
    monkeypatch.setattr(runner, "_BATCH_BYTES", 1 << 30)  # all three in one batch

    earlier = {p.pid for p in psutil.Process().children()}  # warm workers of other tests are not this run's

    def stop_it_on_the_second_document() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not stopped:
            for child in psutil.Process().children():
                try:
                    command = child.cmdline()
                except psutil.Error:
                    continue
                if child.pid in earlier or "extractors.runner" not in " ".join(command):
                    continue
                data = Path(command[-1]).read_bytes() if Path(command[-1]).exists() else b""
                if (b"S", 1) in {record[:2] for _, record in runner._records(data)}:
                    child.send_signal(signal.SIGSTOP)
                    stopped.append(child.pid)
            time.sleep(0.01)

    watcher = threading.Thread(target=stop_it_on_the_second_document)
    watcher.start()
    started = time.monotonic()
    results = list(run_many(jobs, jobs=1, limits=Limits(timeout=2, memory_mb=2048), batch=8))
    watcher.join()
    assert stopped, "the worker was never seen on its second document"
    assert [key for key, _ in results] == ["good0", "slow", "good1"]
    assert [r.error.code if r.error else None for _, r in results] == [None, "timeout", None]
    assert "killed" in results[1][1].error.message and len(results[2][1].cells) > 100
    assert 2 + 5 <= time.monotonic() - started < 2 + 5 + 10  # its limit and the kill grace, then a fresh worker


def test_a_batch_of_damaged_files_answers_every_input_with_two_jobs(tmp_path):
    kinds = (".pdf", ".docx", ".xlsx", ".xls", ".html", ".txt")
    sources = sorted(
        p
        for p in (REPO / "tests" / "corpus" / "files").iterdir()
        if p.suffix in kinds and not p.name.startswith("bad-")
    )
    inputs = []
    for seed, source in enumerate(sources[:48]):
        path = tmp_path / f"{seed:02d}-{source.name}"
        path.write_bytes(hostile.damaged(source.read_bytes(), seed))
        inputs.append(path)
    (tmp_path / "99-broken-name.docx").write_bytes(hostile.zip_with_a_broken_utf8_name())
    inputs.append(tmp_path / "99-broken-name.docx")
    done = ogi_extract(str(tmp_path), "--json", "--jobs", "2")
    lines = utf8_json_lines(done.stdout)
    assert [Path(line["path"]).name for line in lines] == [p.name for p in inputs]
    codes = {line["error"]["code"] for line in lines if "error" in line}
    assert "extractor_failed" not in codes and "memory_limit" not in codes and "timeout" not in codes, codes
    broken = next(line for line in lines if line["path"].endswith("99-broken-name.docx"))
    assert broken["error"]["code"] == "corrupt_file"


def test_xlrd_warnings_never_reach_stdout(tmp_path, capfd):
    from extractors import extract

    xls = tmp_path / "padded.xls"  # 7 stray bytes: xlrd warns the file size is not whole sectors
    xls.write_bytes((REPO / "tests" / "corpus" / "files" / "xls-2021-one-sheet-dashes.xls").read_bytes() + bytes(7))
    report = extract(xls)
    assert report.error is None and report.cells
    assert capfd.readouterr().out == ""
    done = ogi_extract(str(xls), "--json")
    assert len(utf8_json_lines(done.stdout)) == 1 and b"WARNING" not in done.stdout


def test_file_names_that_are_not_utf8_give_valid_utf8_lines(tmp_path):
    raw = os.fsencode(tmp_path) + b"/\xff\xfe-report.txt"
    with open(raw, "wb") as handle:
        handle.write((REPO / "tests" / "corpus" / "files" / "html-2021-broken-balance.html").read_bytes())
    done = ogi_extract(os.fsdecode(raw), "--json")
    (line,) = utf8_json_lines(done.stdout)
    assert done.returncode == 0, done.stderr
    assert line["path"].endswith("/\\xff\\xfe-report.txt") and line["cells"]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_workers_die_with_the_cli_when_it_is_killed_and_the_next_run_removes_what_they_left(tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    slow = tmp_path / "slow.html"
    slow.write_bytes(b"<html><body>" + "<p>政府信息公开 12</p>".encode() * 2_000_000 + b"</body></html>")
    cli = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "extract", str(slow), "--json"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while not workers and time.monotonic() < deadline:
        time.sleep(0.2)
        workers = _children(cli.pid)
    assert workers, "the CLI started no worker"
    cli.kill()
    cli.wait()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers)
    left = sorted(p.name for p in scratch.iterdir())
    assert left and all(name.startswith(f"ogi-worker-{cli.pid}-") for name in left)  # SIGKILL: nobody cleaned up

    small = REPO / "tests" / "corpus" / "files" / "html-2019-title-year-first.html"
    again = subprocess.run(
        [sys.executable, "-m", "flows.cli", "extract", str(small), "--json"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert json.loads(again.stdout.splitlines()[0])["report"]["issuing_body"] == "千阳县人民政府办公室", again.stderr
    assert list(scratch.iterdir()) == []  # the next run's workers removed the dead run's, then their own


def test_libreoffice_profile_is_private_reused_and_removed(tmp_path):
    """A worker keeps one private profile (mode 0700, a fresh name) for its conversions and removes it at exit;
    each conversion's own directory goes at once."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    script = (
        "import os, sys, tempfile\n"
        "from extractors import extract\n"
        "from extractors.readers import doc\n"
        "for name in sys.argv[1:]:\n"
        "    report = extract(name)\n"
        "    assert report.error is None and report.cells, report.error\n"
        "    assert 'converted_as_text' not in {p.code for p in report.problems}\n"
        "print(oct(os.stat(doc._profile).st_mode & 0o777), *sorted(os.listdir(tempfile.gettempdir())))\n"
    )
    files = REPO / "tests" / "corpus" / "files"
    done = subprocess.run(
        [sys.executable, "-c", script, str(files / "doc-2019-merged.doc"), str(files / "doc-2021-merged.doc")],
        cwd=REPO,
        env={**os.environ, "TMPDIR": str(scratch), "OGI_CACHE_DIR": str(tmp_path / "cache")},  # real conversions
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    mode, *left = done.stdout.split()
    assert mode == "0o700" and len(left) == 1 and left[0].startswith("ogi-lo-profile-")  # one profile, for both
    assert len(list((tmp_path / "cache" / "converted").glob("*.docx"))) == 2  # both were converted, not cached
    assert list(scratch.iterdir()) == []  # and the profile is gone with the process


def test_an_xls_with_a_far_corner_cell_is_too_large_grid(tmp_path):
    import shutil

    from extractors import extract

    source = tmp_path / "far.xlsx"
    source.write_bytes(hostile._workbook(IV65536="1"))  # the last cell an XLS sheet has
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is installed by `make install` (Makefile APT_PACKAGES)"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "xls",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        timeout=120,
    )
    report = extract(tmp_path / "far.xls")
    assert (report.format, report.error.code) == ("xls", "too_large_grid"), report.error
