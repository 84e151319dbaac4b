"""The ``ogi`` command: a thin front over extraction, crawling and the flows.

Each command lives in its own module (``flows/cmd_*.py``) and imports its heavy
dependencies (Scrapy, Prefect, pdf libraries) only when it runs, so ``ogi --help``
stays instant.
"""

from __future__ import annotations

import os

import typer

app = typer.Typer(
    name="ogi",
    help=(
        "ogi: China's government information disclosure annual reports "
        "(政府信息公开工作年度报告), crawled, extracted, checked and loaded as Parquet."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)


def _version(show: bool) -> None:
    if show:
        from extractors.versions import DATASET_SCHEMA_VERSION, EXTRACTOR_VERSION, OGI_VERSION

        typer.echo(f"ogi {OGI_VERSION} (extractor {EXTRACTOR_VERSION}, dataset schema {DATASET_SCHEMA_VERSION})")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    debug: bool = typer.Option(
        False, "--debug", help="On failure, print the traceback and Prefect's logs (also $OGI_DEBUG=1)."
    ),
) -> None:
    """ogi: crawl, extract, check and load China's government information disclosure annual reports."""
    if debug:
        os.environ["OGI_DEBUG"] = "1"  # resolved with every other setting by flows.settings.Settings


from flows import cmd_extract  # noqa: E402

cmd_extract.register(app)

from flows import cmd_crawl  # noqa: E402

cmd_crawl.register(app)

from flows import cmd_flows  # noqa: E402

cmd_flows.register(app)

from flows import demo  # noqa: E402

demo.register(app)

from flows import cmd_release  # noqa: E402

cmd_release.register(app)

from flows import cmd_import  # noqa: E402

cmd_import.register(app)

from flows import cmd_sources  # noqa: E402

cmd_sources.register(app)

from flows import cmd_doctor  # noqa: E402

cmd_doctor.register(app)

if __name__ == "__main__":
    app()
