"""Stand-ins for the world ogi crawls, with known truth: county sites on 127.0.0.1 and sample reports.

Not product code: only ``ogi demo`` (``flows/demo.py``), the tests and the benchmarks use it;
``extractors``, ``spiders`` and ``pipelines`` never import it, and it never imports ``flows``.

    from demo import DemoServer
    with DemoServer(faults=True) as sites:
        registry = sites.write_registry(tmp / "sources")
        ...  # python -m pipelines.crawl --registry-dir {registry} --all --fast

or from a shell: ``python -m demo serve --port 8700 --registry-out DIR``.
"""

from demo.server import DemoServer

__all__ = ["DemoServer"]
