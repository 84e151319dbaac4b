"""A simulated national crawl: N virtual county portals behind one local forward proxy.

    from demo.national import generate, NationalServer
    counties = generate(500, seed=1)
    with NationalServer(counties) as server:   # http_proxy=http://127.0.0.1:{server.port}
        registry = server.write_registry(tmp / "sources")
        ...  # python -m pipelines.crawl --registry-dir {registry} --all --fast

Each county runs one CMS family (Hanweb, TRS, Guangdong gkmlpt, Anhui, Hebei,
Heilongjiang, generic), with departments, townships, paging, GBK pages, attachments,
distractors of every kind and a crawl trap. The generator knows the truth
(``County.reports`` and ``County.distractors``); the server counts robots-disallowed,
trap and off-site requests. Self-contained: it shares no code with the demo sites.
"""

from demo.national.counties import County, Entry, generate
from demo.national.server import NationalServer

__all__ = ["County", "Entry", "NationalServer", "generate"]
