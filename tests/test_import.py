"""``ogi import`` then ``ogi run --no-crawl``: researchers' own files become rows like crawled ones."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.local_import import ImportError_, check_arguments, file_url, import_files
from pipelines.rawstore import RawStore

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "corpus" / "files"


def ogi(*args: str, timeout: int = 240) -> subprocess.CompletedProcess:
    env = {**os.environ, "PREFECT_LOGGING_LEVEL": "WARNING"}
    env.pop("PREFECT_API_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", *args], capture_output=True, text=True, cwd=REPO, env=env, timeout=timeout
    )


def truth(name: str) -> dict:
    return json.loads((CORPUS / name.rsplit(".", 1)[0]).with_suffix(".truth.json").read_text())


@pytest.mark.slow
def test_imported_folder_is_extracted_and_loaded_with_file_provenance(tmp_path):
    folder = tmp_path / "我的年报"
    folder.mkdir()
    for name in ("docx-2021-label-quirks.docx", "html-2021-label-quirks.html", "pdf-2021-label-quirks.pdf"):
        shutil.copy(CORPUS / name, folder / name)
    (folder / "notes.md").write_text("not a report")  # ogi's own kinds of file are left out
    data = tmp_path / "data"

    first = ogi("import", str(folder), "--data-dir", str(data))
    assert first.returncode == 0, first.stderr
    assert "3 new, 0 changed, 0 unchanged, 0 skipped" in first.stdout
    again = ogi("import", str(folder), "--data-dir", str(data))
    assert "0 new, 0 changed, 3 unchanged" in again.stdout

    run = ogi("run", "--no-crawl", "--data-dir", str(data))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]

    wh = data / "warehouse"
    docs = duckdb.sql(
        f"SELECT url, title, source_id, sha256, extract_status FROM read_parquet('{wh}/documents/*.parquet')"
    ).df()
    assert len(docs) == 3
    assert set(docs.source_id) == {"import"} and set(docs.extract_status) == {"ok"}
    assert file_url(folder / "docx-2021-label-quirks.docx") in set(docs.url)
    assert set(docs.title) == {
        "docx-2021-label-quirks.docx",
        "html-2021-label-quirks.html",
        "pdf-2021-label-quirks.pdf",
    }

    expected = truth("docx-2021-label-quirks.docx")
    cells = duckdb.sql(
        f"SELECT c.table_key, c.row_key, c.col_key, c.value FROM read_parquet('{wh}/cells/**/*.parquet', hive_partitioning=true) c "
        f"JOIN read_parquet('{wh}/reports/**/*.parquet', hive_partitioning=true) r USING (report_id) "
        f"WHERE r.sha256 = (SELECT sha256 FROM read_parquet('{wh}/documents/*.parquet') WHERE title = 'docx-2021-label-quirks.docx')"
    ).fetchall()
    got = {(t, r, c): v for t, r, c, v in cells if v is not None}
    want = {(c["table"], c["row"], c["col"]): c["value"] for c in expected["cells"] if c["value"] is not None}
    assert got == want
    reports = duckdb.sql(
        f"SELECT issuing_body, report_year, jurisdiction_code FROM read_parquet('{wh}/reports/**/*.parquet', hive_partitioning=true)"
    ).fetchall()
    assert ("淮阴区人民政府", 2021, "320804") in {(b, int(y), c) for b, y, c in reports}


def test_import_keeps_changed_bytes_as_a_new_version_and_skips_what_is_not_a_file(tmp_path):
    report = tmp_path / "report.html"
    report.write_bytes((CORPUS / "html-utf8-2021-rowspan.html").read_bytes())
    (tmp_path / "empty.pdf").write_bytes(b"")
    with RawStore(tmp_path / "raw") as raw:
        first = import_files(raw, [tmp_path], jurisdiction="610329", organ="麟游县人民政府", year=2021)
        assert first.new == [str(report)] and first.skipped == [(str(tmp_path / "empty.pdf"), "empty file")]
        report.write_bytes((CORPUS / "html-utf8-2019-rowspan.html").read_bytes())
        second = import_files(raw, [report])
        assert second.changed == [str(report)]
        current = raw.latest(file_url(report))
        assert current.sha256 == __import__("hashlib").sha256(report.read_bytes()).hexdigest()
        assert current.format == "html" and current.source_id == "import" and current.title == "report.html"
        assert len([f for f in raw.fetches() if f.url == file_url(report)]) == 2  # both versions kept


def test_import_refuses_an_unknown_code_and_a_fifo_is_not_read(tmp_path):
    with pytest.raises(ImportError_, match="not a GB/T 2260 division code"):
        check_arguments("999999", None)
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    with RawStore(tmp_path / "raw") as raw:
        summary = import_files(raw, [fifo])
    assert summary.skipped == [(str(fifo), "not a regular file")] and not summary.new
    bad = ogi("import", str(tmp_path / "raw"), "--jurisdiction", "999999", "--data-dir", str(tmp_path / "d"))
    assert bad.returncode == 2 and "999999 is not a GB/T 2260 division code" in bad.stderr
