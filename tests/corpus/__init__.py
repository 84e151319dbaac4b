"""Fixture corpus: real documents built by real tools from known truth (see README.md)."""
