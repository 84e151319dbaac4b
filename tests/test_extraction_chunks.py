"""Extraction chunks shrink toward the end of a run, so no worker is left with a long last chunk alone."""

from __future__ import annotations

from flows.pipeline import extraction_chunks


def test_chunks_keep_every_document_once_in_order_and_shrink_to_the_smallest():
    docs = [(f"{i:064x}", f"{i}.html") for i in range(17069)]
    chunks = extraction_chunks(docs, jobs=2)
    assert [d for c in chunks for d in c] == docs
    sizes = [len(c) for c in chunks]
    assert sizes[0] == 400 and max(sizes) == 400  # the largest while much is left
    assert sizes == sorted(sizes, reverse=True)[: len(sizes) - 1] + sizes[-1:]  # never grows again (the last: a rest)
    assert sizes[-2] == 25 and sizes[-1] <= 25  # the end: chunks of the smallest size
    assert len(chunks) == 53


def test_a_small_run_is_a_few_small_chunks_and_an_empty_one_none():
    assert [len(c) for c in extraction_chunks(list(range(100)), jobs=2)] == [25, 25, 25, 25]
    assert [len(c) for c in extraction_chunks(list(range(7)), jobs=4)] == [7]
    assert extraction_chunks([], jobs=2) == []
    assert [len(c) for c in extraction_chunks(list(range(1000)), jobs=1)] == [400, 300, 150, 75, 38, 25, 12]
