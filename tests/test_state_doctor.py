"""``ogi doctor``: finds each kind of damage by name, repairs what it safely can, and a second pass is clean."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from extractors import EXTRACTOR_VERSION
from flows.cli import app
from pipelines.datasets import STAGING, Warehouse
from pipelines.doctor import doctor
from pipelines.load import load_warehouse
from pipelines.rawstore import RawStore


@pytest.fixture(scope="module")
def base(tmp_path_factory, fill, extract_all):
    data = tmp_path_factory.mktemp("doctor")
    fill(data, counties=[("610329", "麟游县"), ("320813", "洪泽区")], years=(2021, 2022))
    extract_all(data)
    load_warehouse(data, None, EXTRACTOR_VERSION)
    return data


@pytest.fixture
def data(base, tmp_path):
    shutil.copytree(base, tmp_path / "data")
    return tmp_path / "data"


def test_a_clean_data_dir_has_nothing_to_report(data):
    assert doctor(data) == []
    result = CliRunner().invoke(app, ["doctor", "--data-dir", str(data)])
    assert result.exit_code == 0 and "no problem found" in result.output


def test_doctor_names_each_damage_and_repair_fixes_it(data):
    with RawStore(data / "raw") as raw:
        docs = list(raw.documents())
    bad_blob = RawStore(data / "raw").path(docs[0].sha256)
    bad_blob.write_bytes(b"truncated")
    missing_blob = RawStore(data / "raw").path(docs[1].sha256)
    missing_blob.unlink()
    tmp_blob = bad_blob.parent / ".tmp-abc"
    tmp_blob.write_bytes(b"half")
    staging = data / "warehouse" / STAGING / "123.4" / "cells"
    staging.mkdir(parents=True)
    (staging / "part-0.parquet").write_bytes(b"half")
    parquet = next((data / "warehouse" / "checks").rglob("part-0.parquet"))
    parquet.write_bytes(parquet.read_bytes()[:200])
    batch = next((data / "state" / "extracted" / "batches").glob("*.parquet"))
    batch.write_bytes(batch.read_bytes()[:100])

    result = CliRunner().invoke(app, ["doctor", "--data-dir", str(data), "--json"])
    assert result.exit_code == 1
    found = {(f["check"], f["path"]) for f in json.loads(result.output)["findings"]}
    assert found == {
        ("blobs", str(bad_blob)),
        ("manifest", str(missing_blob)),
        ("temporaries", str(tmp_blob)),
        ("temporaries", str(data / "warehouse" / STAGING)),
        ("warehouse", str(parquet)),
        ("extracted", str(batch)),
    }
    assert bad_blob.exists() and parquet.exists()  # without --repair nothing is touched

    repaired = doctor(data, repair=True)
    assert all(f.repaired for f in repaired) and len(repaired) == 6
    assert doctor(data) == []
    with RawStore(data / "raw") as raw:
        assert set(raw.damaged()) == {docs[0].sha256, docs[1].sha256}  # both fetched again by the next crawl
        assert raw.latest(docs[0].url) is None
    quarantined = {p.name for p in (data / "quarantine").rglob("*") if p.is_file() and not p.name.endswith(".why.txt")}
    assert quarantined == {bad_blob.name, "part-0.parquet", batch.name}
    summary = load_warehouse(data, None, EXTRACTOR_VERSION, allow_shrink=True)  # the checks partition is rebuilt
    assert summary.pending == 1  # the damaged batch's document waits for re-extraction
    assert Warehouse(data / "warehouse").read("checks").num_rows > 0


def test_a_damaged_manifest_is_named_then_set_aside_and_rebuilt(data):
    manifest = data / "raw" / "manifest.sqlite"
    for extra in ("-wal", "-shm"):
        (data / "raw" / f"manifest.sqlite{extra}").unlink(missing_ok=True)
    manifest.write_bytes(b"not a database" * 100)
    with pytest.raises(Exception, match=f"raw manifest {manifest} is damaged.*ogi doctor --repair"):
        load_warehouse(data, None, EXTRACTOR_VERSION)
    findings = doctor(data, repair=True)
    restored = "restored 4 fetches from the warehouse's documents table"
    assert [(f.check, f.repaired) for f in findings][:2] == [("manifest", "quarantined"), ("manifest", restored)]
    assert load_warehouse(data, None, EXTRACTOR_VERSION).reports == 4


def test_a_partition_file_deleted_by_hand_is_found_and_rebuilt(data):
    victim = next((data / "warehouse" / "requests").rglob("part-0.parquet"))
    victim.unlink()
    findings = doctor(data)
    assert [(f.check, f.path) for f in findings] == [("warehouse", str(victim))]
    doctor(data, repair=True)
    load_warehouse(data, None, EXTRACTOR_VERSION)
    assert victim.exists() and doctor(data) == []
