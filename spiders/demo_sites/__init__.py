"""Realistic county sites served for real on 127.0.0.1: the tests' targets and ``make demo``'s default.

    from spiders.demo_sites import DemoServer
    with DemoServer(faults=True) as demo:
        registry = demo.write_registry(tmp / "sources")
        ...  # python -m spiders.run --registry-dir {registry} --all --fast

or from a shell: ``python -m spiders.demo_sites serve --port 8700 --registry-out DIR``.
"""

from spiders.demo_sites.server import DemoServer

__all__ = ["DemoServer"]
