"""`ogi extract`: the JSON-lines contract and the exit status, run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

OGI = [sys.executable, "-m", "flows.cli"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*OGI, "extract", *args], capture_output=True, text=True, timeout=120, cwd=Path(__file__).resolve().parents[1]
    )


def test_json_lines_one_per_file_and_failures_do_not_stop_the_batch(tmp_path, samples_dir):
    (tmp_path / "empty.pdf").write_bytes(b"")
    (tmp_path / "report.txt").write_bytes((samples_dir / "linyou-county-2024.txt").read_bytes())
    (tmp_path / "notes.json").write_text("{}")  # not a document: skipped when walking a folder
    done = run(str(tmp_path), "--json", "--jobs", "2")
    assert done.returncode == 1, done.stderr  # one file could not be read
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [Path(line["path"]).name for line in lines] == ["empty.pdf", "report.txt"]
    empty, report = lines
    assert empty["error"]["code"] == "empty_file" and empty["format"] == "empty"
    assert report["format"] == "text" and len(report["sha256"]) == 64
    assert report["report"] == {
        "issuing_body": "麟游县人民政府",
        "report_year": 2024,
        "year_source": "title",
        "title": "麟游县人民政府2024年政府信息公开工作年度报告",
        "publisher_kind": "government",
        "jurisdiction_code": "610329",
    }
    assert report["tables"]["requests"]["form_version"] == "2021" and report["tables"]["requests"]["evidence"]
    granted = next(
        c for c in report["cells"] if (c["table"], c["row"], c["col"]) == ("requests", "granted", "natural_person")
    )
    assert granted == {
        "table": "requests",
        "row": "granted",
        "col": "natural_person",
        "value": 2,
        "raw": "2",
        "flags": [],
        "page": None,
        "unit": None,
    }
    balance = next(c for c in report["checks"] if c["id"] == "requests.balance" and c.get("col") == "total")
    assert balance == {"id": "requests.balance", "col": "total", "ok": True, "expected": 4, "found": 4}
    assert report["problems"] == [] and report["extra_rows"] == []


def test_human_summary_names_failed_checks(samples_dir):
    done = run(str(samples_dir / "hongze-district-2023.pdf"))
    assert done.returncode == 0
    assert "淮安市洪泽区人民政府" in done.stdout and "2023" in done.stdout
    assert "appeals.total" in done.stdout and "parts give 11, printed 0" in done.stdout
