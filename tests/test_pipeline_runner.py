"""The flows' extraction keeps its bounded workers warm between chunks, with the same limits."""

from __future__ import annotations

from demo.samples import generate
from extractors.runner import _WARM, Job, Limits, run_warm


def _jobs(n: int, start: int = 0) -> list[Job]:
    out = []
    for i in range(start, start + n):
        s = generate("610329", "麟游县", "麟游县人民政府", 2019 + i % 6, seed=i)
        out.append(Job(str(i), data=s.html().encode("utf-8"), name=f"{i}.html"))
    return out


def test_a_second_chunk_reuses_the_worker_and_an_abandoned_one_closes_it():
    limits = Limits(timeout=60, memory_mb=1024)
    first = list(run_warm(_jobs(3), limits=limits))
    assert [k for k, _ in first] == ["0", "1", "2"] and all(r.error is None for _, r in first)
    assert [r.meta.report_year for _, r in first] == [2019, 2020, 2021]
    (pool,) = [p for (n, lim), p in _WARM.items() if lim == limits]
    pid = pool.idle[0].proc.pid
    second = list(run_warm(_jobs(2, start=3), limits=limits))
    assert [r.meta.report_year for _, r in second] == [2022, 2023]
    assert _WARM[(1, limits)].idle[0].proc.pid == pid  # the same worker process: no start-up paid again
    it = run_warm(_jobs(3), limits=limits)
    next(it)
    it.close()  # abandoned mid-way: its workers may be mid-document, so they go
    assert (1, limits) not in _WARM and pool.idle == [] and pool.busy == {}


def test_an_encoded_job_answers_with_the_reports_json_and_summary_whether_it_read_or_failed():
    import hashlib
    from dataclasses import replace

    import orjson

    from extractors.api import extract_bytes
    from extractors.runner import Encoded
    from extractors.summary import report_summary

    limits = Limits(timeout=60, memory_mb=1024)
    (job,) = _jobs(1, start=2)
    sha = hashlib.sha256(job.data).hexdigest()
    bad = Job("e" * 64, data=b"", name="empty.pdf", encoded=True)  # an encoded job is keyed by its sha256
    (_, encoded), (_, empty) = list(run_warm([replace(job, key=sha, encoded=True), bad], limits=limits))
    assert isinstance(encoded, Encoded) and encoded.error is None and encoded.path == "2.html"
    expected = extract_bytes(job.data, name="2.html").to_dict()
    assert encoded.to_dict() == orjson.loads(orjson.dumps(expected))  # the store's form, cell for cell
    assert encoded.to_dict()["report"]["report_year"] == 2021 and encoded.to_dict()["sha256"] == sha
    summary = orjson.loads(encoded.summary)
    assert summary == orjson.loads(orjson.dumps(report_summary(expected)))
    assert summary["report_year"] == 2021 and summary["error"] is None and summary["cells_found"] > 100
    assert (
        isinstance(empty, Encoded)
        and empty.error.code == "empty_file"
        and empty.to_dict()["error"]["code"] == "empty_file"
        and empty.to_dict()["sha256"] == "e" * 64  # the store's key, though the worker read no bytes
        and orjson.loads(empty.summary)["error"] == "empty_file"
    )


def test_the_stores_json_reaches_integers_beyond_64_bits_and_keys_that_are_not_text():
    from extractors.model import json_bytes

    assert (
        json_bytes({"value": 10**30, 3: "三", "x": [1.5, None]})
        == '{"value":1000000000000000000000000000000,"3":"三","x":[1.5,null]}'.encode()
    )


def test_a_chunk_stores_a_report_its_worker_could_not_encode_beside_the_encoded_ones(tmp_path):
    """A worker out of memory answers with a plain Report, made in the task process: stored with the same key,
    body and summary as an encoded one, and the chunk goes on."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    from extractors import EXTRACTOR_VERSION
    from pipelines.extracted import ExtractionStore
    from pipelines.rawstore import RawStore

    repo = Path(__file__).resolve().parent.parent
    big = b"<html><body>" + "<p>政府信息公开 12</p>".encode() * 2_000_000 + b"</body></html>"  # 56 MB of HTML
    (good,) = _jobs(1, start=1)
    with RawStore(tmp_path / "raw") as raw:
        shas = [raw.put(big), raw.put(good.data)]
    script = (
        "import json, sys; from flows.tasks import extract_chunk; "
        "print(json.dumps(extract_chunk.fn(sys.argv[1], json.loads(sys.argv[2]), sys.argv[3])))"
    )
    docs = json.dumps([[shas[0], "big.html"], [shas[1], "1.html"]])
    env = {**os.environ, "OGI_EXTRACT_MEMORY_MB": "400"}  # read when the runner is imported: a child process
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path), docs, EXTRACTOR_VERSION],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    counts = json.loads(done.stdout.strip().splitlines()[-1])
    assert (counts["extracted"], counts["failed"]) == (2, 1)
    with ExtractionStore(tmp_path / "state" / "extracted") as store:
        failed, read = (store.get(sha, EXTRACTOR_VERSION) for sha in shas)
        summaries = store.summaries_of(shas)
    assert failed["error"]["code"] == "memory_limit" and failed["sha256"] == shas[0]
    assert summaries[shas[0]][EXTRACTOR_VERSION]["error"] == "memory_limit"
    assert read["sha256"] == shas[1] and read["report"]["report_year"] == 2020 and read.get("error") is None
    assert summaries[shas[1]][EXTRACTOR_VERSION]["report_year"] == 2020
    assert summaries[shas[1]][EXTRACTOR_VERSION]["cells_found"] > 100
