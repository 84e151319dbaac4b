"""Trials (``ogi crawl --url``/``--urls``) never pollute the data: scratch dirs, government hosts only
unless allowed, codes checked, many sites at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.crawl import politeness_from_env
from pipelines.trials import TrialError, check_site, host_allowed, parse_url_list

REPO = Path(__file__).resolve().parents[1]


def ogi(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def test_only_government_hosts_unless_allowed_and_codes_are_checked():
    check_site("http://www.linyou.gov.cn/", "610329")
    check_site("http://61.150.65.235/xxgk/", None)  # a listed government IP
    with pytest.raises(TrialError, match="not a government host.*--allow-host 127.0.0.1:8080"):
        check_site("http://127.0.0.1:8080/", None)
    with pytest.raises(TrialError, match="not a government host"):
        check_site("http://reports-mirror.example.com/", None)
    check_site("http://127.0.0.1:8080/", None, allow_hosts=("127.0.0.1:8080",))
    with pytest.raises(TrialError, match="not in the jurisdictions table"):
        check_site("http://www.linyou.gov.cn/", "999999")
    with pytest.raises(TrialError, match="six-digit"):
        check_site("http://www.linyou.gov.cn/", "6103")
    assert host_allowed("127.0.0.1:8080", ("127.0.0.1",)) and not host_allowed("127.0.0.1:8080", ("127.0.0.1:9",))
    assert parse_url_list("# trial\nhttp://a.gov.cn/ 610329\n\nhttp://b.gov.cn/\n") == [
        ("http://a.gov.cn/", "610329"),
        ("http://b.gov.cn/", None),
    ]


def test_politeness_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("OGI_CRAWL_DELAY", "2.5")
    monkeypatch.setenv("OGI_CRAWL_CONCURRENCY", "64")
    assert politeness_from_env() == {"DOWNLOAD_DELAY": 2.5, "CONCURRENT_REQUESTS": 64}
    monkeypatch.setenv("OGI_CRAWL_DELAY", "soon")
    with pytest.raises(SystemExit, match="OGI_CRAWL_DELAY='soon' is not a number"):
        politeness_from_env()


def test_refusals_say_what_to_do(tmp_path):
    refused = ogi("crawl", "--url", "http://127.0.0.1:9/", "--data-dir", str(tmp_path))
    assert refused.returncode == 2 and "--allow-host 127.0.0.1:9" in refused.stderr
    unknown = ogi(
        "crawl", "--url", "http://www.linyou.gov.cn/", "--jurisdiction", "999999", "--data-dir", str(tmp_path)
    )
    assert unknown.returncode == 2 and "999999 is not in the jurisdictions table" in unknown.stderr
    assert not (tmp_path / "raw").exists() and not (tmp_path / "trials").exists()


@pytest.mark.slow
def test_a_trial_lands_in_a_scratch_dir_and_many_sites_run_at_once(demo_sites, tmp_path):
    data = tmp_path / "data"
    linyou, qianyang = demo_sites.base_url("linyou") + "/", demo_sites.base_url("qianyang") + "/"
    hosts = sorted({u.split("/")[2] for u in (linyou, qianyang)})
    allow = [a for h in hosts for a in ("--allow-host", h)]
    one = ogi(
        "crawl", "--url", qianyang, "--jurisdiction", "610328", "--data-dir", str(data), "--fast", "--json", *allow
    )
    assert one.returncode == 0, one.stderr[-2000:]
    assert "trial crawl into" in one.stderr
    trials = list((data / "trials").iterdir())
    assert len(trials) == 1 and (trials[0] / "raw" / "manifest.sqlite").exists()
    assert not (data / "raw").exists()  # the data dir's own raw store is untouched
    run = ogi("run", "--no-crawl", "--data-dir", str(data), env={"PREFECT_LOGGING_LEVEL": "WARNING"})
    assert run.returncode == 0, run.stderr[-2000:]
    assert not list((data / "warehouse").glob("reports/**/*.parquet"))  # nothing of the trial was loaded

    listing = tmp_path / "sites.txt"
    listing.write_text(f"# two counties\n{linyou} 610329\n{qianyang} 610328\n", "utf-8")
    into = tmp_path / "kept"
    many = ogi("crawl", "--urls", str(listing), "--into", str(into), "--fast", "--json", *allow)
    assert many.returncode == 0, many.stderr[-2000:]
    lines = [json.loads(line) for line in many.stdout.splitlines() if line.strip()]
    truth = demo_sites.truth()
    for name, code in (("linyou", "610329"), ("qianyang", "610328")):
        expected = {d["url"] for r in truth[name]["reports"] for d in r["documents"]}
        found = {line["document_url"] for line in lines if line["jurisdiction_code"] == code}
        assert expected <= found, name
    assert (into / "raw" / "manifest.sqlite").exists()
