"""The static dashboard in a real headless browser (Playwright driving the system Chromium)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from extractors import EXTRACTOR_VERSION
from pipelines.dashboard import dashboard_data, write_dashboard
from pipelines.datasets import Warehouse
from pipelines.load import load_warehouse

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def built(tmp_path_factory, fill, extract_all):
    data = tmp_path_factory.mktemp("dash")
    fill(data, counties=[("610329", "麟游县"), ("320813", "洪泽区")], years=(2021, 2022), faulty={("320813", 2022)})
    extract_all(data)
    load_warehouse(data, None, EXTRACTOR_VERSION)
    index = write_dashboard(str(data / "warehouse"), data / "reports")
    return data, index


def test_dashboard_data_holds_the_grid_the_failures_and_the_details(built):
    data, _ = built
    page, details = dashboard_data(Warehouse(data / "warehouse"))
    grid = {g["code"]: g["years"] for g in page["grid"]}
    assert set(grid) == {"610329", "320813"}
    assert grid["610329"] == {"2021": "checked", "2022": "checked"}
    assert grid["320813"]["2022"] == "extracted"  # the faulty report: rows loaded, an identity fails
    failing = {(f["name"], f["year"]) for f in page["failing"]}
    assert failing == {("洪泽区", 2022)} and page["failing_total"] == len(page["failing"]) > 0
    assert set(details) == {"61", "32"}
    assert [t["year"] for t in page["trends"]] == [2021, 2022] and all(t["reports"] == 2 for t in page["trends"])


@pytest.mark.skipif(CHROMIUM is None, reason="no system Chromium (make install installs it)")
def test_dashboard_in_a_real_browser_leads_from_a_cell_to_its_reports_provenance(built):
    from playwright.sync_api import sync_playwright

    data, index = built
    reports = pd.read_parquet(data / "warehouse" / "reports")
    linyou = reports[(reports.jurisdiction_code == "610329") & (reports.report_year.astype(int) == 2022)].iloc[0]
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--allow-file-access-from-files"])
        page = browser.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(Path(index).as_uri())
        assert page.locator("#grid tbody tr").count() == 2
        assert page.locator("#grid td.cell.checked").count() == 3
        assert page.locator("#grid td.cell.extracted").count() == 1
        page.click('#grid td.cell[data-code="610329"][data-year="2022"]')
        page.wait_for_selector("#detail tr.organ")
        assert "麟游县人民政府" in page.inner_text("#detail")
        page.click("#detail .provenance-link")
        page.wait_for_selector("#provenance .sha256")
        assert page.inner_text("#provenance .sha256") == linyou.sha256
        hrefs = page.eval_on_selector_all("#provenance a", "els => els.map(e => e.getAttribute('href'))")
        assert linyou.source_urls[0] in hrefs
        assert f"../raw/blobs/{linyou.sha256[:2]}/{linyou.sha256}" in hrefs
        assert (index.parent / f"../raw/blobs/{linyou.sha256[:2]}/{linyou.sha256}").resolve().exists()
        assert page.locator("#failing tbody tr").count() > 0 and "洪泽区" in page.inner_text("#failing")
        page.screenshot(path=str(data / "dashboard.png"), full_page=True)
        browser.close()
    assert errors == []
