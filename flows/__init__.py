"""Prefect flows (nightly, backfill, reextract) and the ``ogi`` CLI."""
