"""The report spider's own signals, for the crawl accounts (``spiders.extensions``).

Why signals: a failed request ends in the spider's errback and a refused document in its
callback, but keeping accounts of them is not the spider's job; it says what happened and
the extension (like any other listener) counts it, reports it and keeps it in the manifest.
"""

request_failed = object()  # (failure, request, spider): a request that failed for good
document_refused = object()  # (request, kind, message, status, spider): bytes the spider would not keep
navigation_fruitful = object()  # (request, spider): a navigation page that brought new report candidates
