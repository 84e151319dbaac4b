"""No pickled result is read from the data dir: a Prefect result record carrying a pickle that would run code,
planted where the flows' result storage points and under the cache key extraction once used, stays unread."""

from __future__ import annotations

import hashlib
import os

import pytest

from flows.settings import configure_prefect

configure_prefect()

from prefect.results import ResultRecord, ResultRecordMetadata  # noqa: E402
from prefect.serializers import PickleSerializer  # noqa: E402
from prefect.settings import PREFECT_LOCAL_STORAGE_PATH, get_current_settings, temporary_settings  # noqa: E402
from prefect.testing.utilities import prefect_test_harness  # noqa: E402

from extractors import EXTRACTOR_VERSION  # noqa: E402
from flows.pipeline import reextract, task_runner  # noqa: E402
from pipelines.rawstore import RawStore  # noqa: E402

pytestmark = pytest.mark.slow


class Payload:
    """Unpickling this makes a directory: proof that code ran."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def test_a_planted_pickle_is_never_unpickled(tmp_path, fill):
    fill(tmp_path, counties=[("610329", "麟游县")], years=(2022,))
    with RawStore(tmp_path / "raw") as raw:
        sha = next(raw.documents()).sha256
    results = tmp_path / "state" / "prefect-results"
    results.mkdir(parents=True)
    (tmp_path / "state" / "extracted").mkdir(parents=True)
    (tmp_path / "state" / "extracted" / "EPOCH").write_text("planted")
    marker = tmp_path / "code-ran"
    digest = hashlib.sha256(sha.encode()).hexdigest()[:32]
    keys = [f"ogi-extract-{EXTRACTOR_VERSION}-planted-{digest}", "extract_chunk", "load_task"]
    for key in keys:
        record = ResultRecord(
            metadata=ResultRecordMetadata(storage_key=key, serializer=PickleSerializer()), result=Payload(str(marker))
        )
        (results / key).write_bytes(record.serialize())
    ResultRecord.deserialize((results / keys[0]).read_bytes())  # the plant is live: reading it runs code
    assert marker.is_dir()
    marker.rmdir()

    with prefect_test_harness(server_startup_timeout=60):
        os.environ["PREFECT_API_URL"] = get_current_settings().api.url
        try:
            with temporary_settings({PREFECT_LOCAL_STORAGE_PATH: str(results)}):
                for force in (False, True):
                    result = reextract.with_options(task_runner=task_runner(1, threads=True))(
                        data_dir=str(tmp_path), force=force
                    )
                    assert result["extract"]["extracted"] == 1 and result["load"]["reports"] == 1
        finally:
            os.environ.pop("PREFECT_API_URL", None)
    assert not marker.exists()
    assert sorted(p.name for p in results.iterdir()) == sorted(keys)  # and nothing new was persisted there
