"""The crawl's content check (``pipelines.verdicts``): real documents through the bounded runner,
the verdict kept with the bytes, and the accounts that count reports only."""

from __future__ import annotations

import queue
from pathlib import Path

import pytest

from demo.national.files import report_docx, template_docx
from extractors.model import Problem, Report, ReportMeta
from extractors.runner import Limits
from pipelines.rawstore import FetchRecord, RawStore
from pipelines.verdicts import Classifier, Verdict, apply, verdict_of
from spiders.items import DocumentItem
from spiders.ledger import SourceLedger

NOTICE = (
    "<html><head><title>关于做好2024年政府信息公开工作年度报告编制工作的通知</title></head><body>"
    "<h1>关于做好2024年政府信息公开工作年度报告编制工作的通知</h1>"
    "<p>各乡镇人民政府，县政府各部门：</p><p>现就做好年度报告编制和发布工作通知如下。</p></body></html>"
).encode()


def _classify(tmp_path: Path, docs: dict[str, tuple[bytes, str]]) -> dict[str, Verdict]:
    """Store each document and classify it in real runner workers; answers come back by name."""
    store = RawStore(tmp_path / "raw")
    shas = {name: store.put(data) for name, (data, _) in docs.items()}
    answers: queue.Queue[tuple[str, Verdict]] = queue.Queue()
    shas["lost"] = "0" * 64  # a blob the store does not have
    classifier = Classifier(tmp_path / "raw", 2, Limits(timeout=30, memory_mb=1024), call=lambda f, v: f(v))
    try:
        for name, filename in [(n, f) for n, (_, f) in docs.items()] + [("lost", "e.pdf")]:
            classifier.submit(shas[name], filename, None, lambda v, name=name: answers.put((name, v)))
        got = dict(answers.get(timeout=120) for _ in shas)
    finally:
        classifier.close()
        store.close()
    return got


@pytest.mark.slow
def test_real_documents_are_judged_by_content(tmp_path: Path) -> None:
    title = "某县教育局2023年政府信息公开工作年度报告"
    got = _classify(
        tmp_path,
        {
            "report": (report_docx(title, "某县教育局", "2024-01-20"), "a.docx"),
            "template": (template_docx(), "b.docx"),
            "notice": (NOTICE, "c.html"),
            "corrupt": (b"%PDF-1.4\n1 0 obj garbage\n%%EOF\n", "d.pdf"),
        },
    )
    assert got["report"].kind == "report" and got["report"].year == 2023
    assert (got["template"].kind, got["template"].reason) == ("not_a_report", "template")
    assert (got["notice"].kind, got["notice"].reason) == ("not_a_report", "notice")
    assert got["corrupt"].kind == "unread" and got["corrupt"].code  # kept as a candidate, flagged
    assert got["lost"] == Verdict("unread", code="blob_unreadable")


def test_unread_document_stays_a_candidate_and_is_flagged() -> None:
    scan = Report(path="x.pdf", sha256="s", format="pdf", meta=ReportMeta(report_year=2022, year_source="title"))
    scan.problems.append(Problem("no_text_layer", "pages 1-3 have no text", pages=[1, 2, 3]))
    verdict = verdict_of(scan)
    assert (verdict.kind, verdict.code, verdict.year) == ("unread", "no_text_layer", 2022)
    item = DocumentItem("s1", "610329", "page", "http://x.gov.cn/a.html", report_year=None)
    apply(item, verdict)
    assert item.not_a_report is None and item.flags == ["content_unread:no_text_layer"]
    assert (item.report_year, item.year_source) == (2022, "document")
    broken = Report(path="y.pdf", sha256="t", format="pdf", error=Problem("corrupt", "cannot be opened"))
    assert verdict_of(broken) == Verdict("unread", code="corrupt")


def test_year_from_the_title_beats_the_document_and_a_date_year_is_flagged() -> None:
    item = DocumentItem("s1", None, "page", "u", report_year=2023, year_source="title")
    apply(item, Verdict("report", year=2022, year_source="preamble"))
    assert (item.report_year, item.year_source, item.flags) == (2023, "title", [])
    guessed = DocumentItem("s1", None, "page", "u", report_year=2023, year_source="published_date")
    apply(guessed, Verdict("report"))
    assert guessed.flags == ["year_from_published_date"]
    dated = Report(path="", sha256="", format="html", meta=ReportMeta(report_year=2023, year_source="published_date"))
    assert verdict_of(dated).year is None  # a year the extractor took from the date is no better than ours


def test_accounts_count_reports_only_and_the_same_bytes_once() -> None:
    led = SourceLedger("s1")
    for key in ("http://x/a.html", "http://x/b.html", "http://x/copy.html", "http://x/n.html"):
        led.report(key, None)
    assert led.verdict("http://x/a.html", "sha-a", "report", None, 2023) is None
    assert led.verdict("http://x/n.html", "sha-n", "not_a_report", "notice", None) is None
    assert led.verdict("http://x/copy.html", "sha-a", "report", None, 2023) == "http://x/a.html"
    assert led.verdict(None, "sha-t", "not_a_report", "template", None) is None  # an attachment of a page
    assert led.verdict("http://x/b.html", "sha-b", "unread", None, None) is None
    led.report("http://x/n.html", 2024)  # listed again: stays out
    out = led.to_dict()
    assert out["reports_found"] == 2 and out["reports_by_year"] == {"2023": 1, "unknown": 1}
    assert out["not_a_report"] == {"notice": 1, "template": 1}
    assert (out["duplicates"], out["content_unread"]) == (1, 1)


def test_verdict_is_kept_with_the_bytes_in_an_older_manifest(tmp_path: Path) -> None:
    """A manifest made before the verdict column gains it; the verdict is found for any fetch of the bytes."""
    import sqlite3

    root = tmp_path / "raw"
    root.mkdir()
    db = sqlite3.connect(root / "manifest.sqlite")
    db.execute("CREATE TABLE fetches (id INTEGER PRIMARY KEY, url TEXT, sha256 TEXT, fetched_at TEXT, status INTEGER)")
    db.execute("INSERT INTO fetches (url, sha256, fetched_at, status) VALUES ('http://x/a', 'aa', 't', 200)")
    db.commit()
    db.close()
    with RawStore(root) as store:
        assert store.verdict("aa") is None
        store.set_verdict("aa", Verdict("not_a_report", reason="news").dumps())
        store.record(FetchRecord(url="http://x/b", sha256="aa", fetched_at="t2", status=200))
        assert Verdict.loads(store.verdict("aa") or "") == Verdict("not_a_report", reason="news")
