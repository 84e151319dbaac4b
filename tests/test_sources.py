"""``ogi sources import`` and ``ogi sources``: a national seed list into the data dir's registry,
overridden per county by files, and confirmed only by a crawl that found a report."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.sources import import_seed, load_sources, source_listing

REPO = Path(__file__).resolve().parents[1]
SEED = Path(os.environ.get("OGI_REGISTRY_SEED", REPO.parent / "shared" / "registry" / "county-portals.csv"))
COLUMNS = [
    "code",
    "path",
    "portal_url",
    "disclosure_url",
    "policy_url",
    "budget_url",
    "probe_2026_04",
    "probe_final_url",
]


def write_seed(path: Path, rows: list[dict]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in COLUMNS})
    return path


GENERATED = [
    {
        "code": "610329",
        "path": "陕西省/宝鸡市/麟游县",
        "portal_url": "http://www.linyou.gov.cn/",
        "probe_2026_04": "direct",
    },
    {
        "code": "610328",
        "path": "陕西省/宝鸡市/千阳县",
        "portal_url": "https://www.qianyang.gov.cn/",
        "probe_2026_04": "protocol-switch",
        "probe_final_url": "http://www.qianyang.gov.cn/",
    },
    {
        "code": "610330",
        "path": "陕西省/宝鸡市/凤县",
        "portal_url": "http://www.sxfx.gov.cn/",
        "disclosure_url": "http://www.sxfx.gov.cn/zwgk/zfxxgk/",
        "probe_2026_04": "none",
    },
    {"code": "310107", "path": "上海市/普陀区", "portal_url": "http://www.putuo.gov.cn/", "probe_2026_04": "direct"},
    {
        "code": "330903",
        "path": "浙江省/舟山市/普陀区",
        "portal_url": "https://www.putuo.gov.cn/",
        "probe_2026_04": "direct",
    },
    {"code": "500105", "path": "重庆市/江北区", "portal_url": "", "probe_2026_04": "unknown"},
    {
        "code": "610331",
        "path": "陕西省/宝鸡市/太白县",
        "portal_url": "http://www.taibai-county.com/",
        "probe_2026_04": "direct",
    },
    {
        "code": "659999",
        "path": "新疆维吾尔自治区/新县",
        "portal_url": "http://www.xinxian.gov.cn/",
        "probe_2026_04": "direct",
    },
]


def ogi(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", *args], capture_output=True, text=True, cwd=REPO, timeout=300
    )


def test_import_gives_every_county_a_source_or_a_reason(tmp_path):
    seed = write_seed(tmp_path / "seed.csv", GENERATED)
    result = ogi("sources", "import", str(seed), "--data-dir", str(tmp_path / "data"))
    assert result.returncode == 0, result.stderr
    assert "8 counties imported" in result.stdout
    listing = ogi("sources", "--json", "--data-dir", str(tmp_path / "data"))
    rows = {r["jurisdiction_code"]: r for r in map(json.loads, listing.stdout.splitlines())}
    assert {r["code"] for r in GENERATED} <= set(rows)
    assert all(
        {"source", "jurisdiction_code", "homepage", "family", "confirmed", "last_crawl", "reports"} <= set(r)
        for r in rows.values()
    )
    assert rows["610329"]["source"] == "linyou" and rows["610329"]["family"] == "hanweb"  # the bundled file overrides
    assert rows["610328"]["homepage"] == "http://www.qianyang.gov.cn/"  # the address the probe reached
    assert {rows[c]["status"] for c in ("310107", "330903")} == {"ambiguous_host"}
    assert rows["500105"]["status"] == "no_portal" and rows["500105"]["homepage"] is None
    assert rows["610331"]["status"] == "not_government"
    assert rows["659999"]["status"] == "unknown_code"
    assert not any(r["confirmed"] for r in rows.values())

    crawlable = load_sources(tmp_path / "data")
    fengxian = crawlable["cn-610330"]
    assert fengxian.columns == ("http://www.sxfx.gov.cn/zwgk/zfxxgk/",)  # the disclosure column is the start
    assert set(fengxian.allowed_hosts) == {"www.sxfx.gov.cn", "sxfx.gov.cn"}
    assert not {"cn-310107", "cn-330903", "cn-500105", "cn-610331", "cn-659999"} & set(crawlable)
    assert "linyou" in crawlable and "cn-610329" not in crawlable


def test_a_bad_seed_list_is_refused_with_a_reason(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("county,url\n610329,http://www.linyou.gov.cn/\n", "utf-8")
    result = ogi("sources", "import", str(bad), "--data-dir", str(tmp_path / "data"))
    assert result.returncode == 2 and "no column code, portal_url" in result.stderr


def test_confirmed_comes_from_a_crawl_that_found_reports(demo_sites, tmp_path, run_module):
    data = tmp_path / "data"
    run_module(
        [
            "--registry-dir",
            str(demo_sites.registry),
            "--data-dir",
            str(data),
            "--source",
            "demo-linyou",
            "--source",
            "fault-down",
            "--fast",
            "--json",
        ]
    )
    rows = {r["source"]: r for r in source_listing(data, demo_sites.registry)}
    linyou, down = rows["demo-linyou"], rows["fault-down"]
    reports = len(demo_sites.truth()["linyou"]["reports"])
    assert linyou["confirmed"] and linyou["reports"] == reports and linyou["first_confirmed"] == linyou["last_crawl"]
    assert not down["confirmed"] and down["health"] == "broken" and down["causes"] == ["site_down"]
    assert rows["demo-qianyang"]["last_crawl"] is None and not rows["demo-qianyang"]["confirmed"]


def test_only_a_crawl_that_checked_content_confirms(tmp_path):
    """An older crawl report (no content check: it counted notices titled like reports) confirms nothing."""
    from pipelines.sources import crawl_state

    runs = tmp_path / "runs"
    runs.mkdir()
    old = {"finished_at": "2026-01-01T00:00:00+00:00", "sources": {"a": {"reports_found": 3, "errors": {}}}}
    (runs / "crawl-20260101T000000Z-aaaaaa.json").write_text(json.dumps(old), "utf-8")
    state = crawl_state(tmp_path)["a"]
    assert state.reports == 3 and state.last_confirmed is None
    new = {
        "finished_at": "2026-02-01T00:00:00+00:00",
        "sources": {"a": {"reports_found": 2, "classified": 5, "errors": {}}},
    }
    (runs / "crawl-20260201T000000Z-bbbbbb.json").write_text(json.dumps(new), "utf-8")
    state = crawl_state(tmp_path)["a"]
    assert state.reports == 2 and state.first_confirmed == state.last_confirmed == "2026-02-01T00:00:00+00:00"


@pytest.mark.skipif(not SEED.exists(), reason="the national seed list is not beside the repository (../shared)")
def test_the_national_seed_list_covers_every_county(tmp_path):
    summary = import_seed(SEED, tmp_path)
    with SEED.open(encoding="utf-8") as f:
        codes = {row["code"] for row in csv.DictReader(f)}
    listed = {r["jurisdiction_code"] for r in source_listing(tmp_path)}
    assert len(codes & listed) / len(codes) >= 0.99
    assert summary.by_status.get("ok", 0) / summary.rows >= 0.99
    assert {"310107", "330903"} <= {
        r["jurisdiction_code"] for r in source_listing(tmp_path) if r["status"] == "ambiguous_host"
    }
