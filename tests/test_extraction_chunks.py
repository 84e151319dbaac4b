"""Extraction chunks shrink toward the end of a run, so no worker is left with a long last chunk alone."""

from __future__ import annotations

from flows.pipeline import extraction_chunks


def test_chunks_keep_every_document_once_in_order_and_shrink_to_the_smallest():
    docs = [(f"{i:064x}", f"{i}.html") for i in range(17069)]
    chunks = extraction_chunks(docs, jobs=2)
    assert [d for c in chunks for d in c] == docs
    sizes = [len(c) for c in chunks]
    assert sizes[0] == 1000 and max(sizes) == 1000  # the largest while much is left
    assert all(a >= b for a, b in zip(sizes[:-2], sizes[1:-1]))  # never grows again (but the last: it has the rest)
    assert sizes[-3:] == [100, 100, 106]  # the end: chunks of the smallest size, the rest joined to the last
    assert len(chunks) == 25  # each a Prefect task run: few enough that their overhead stays small


def test_a_small_run_is_one_or_a_few_chunks_and_an_empty_one_none():
    assert [len(c) for c in extraction_chunks(list(range(100)), jobs=2)] == [100]
    assert [len(c) for c in extraction_chunks(list(range(450)), jobs=2)] == [113, 100, 100, 137]
    assert [len(c) for c in extraction_chunks(list(range(7)), jobs=4)] == [7]
    assert extraction_chunks([], jobs=2) == []
    assert [len(c) for c in extraction_chunks(list(range(5000)), jobs=1)] == [1000] * 4 + [500, 250, 125, 125]
