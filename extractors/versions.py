"""Every version number ogi states, each said once here and imported everywhere else.

Why one module at the bottom layer: the package, the extractor and the dataset layout
are versioned for different reasons, and each was written in its own place (the crawler's
User-Agent even said a different package version than pyproject). Extractors is the
layer every other one may import.
"""

from __future__ import annotations

# The ogi package (pyproject.toml reads it; the crawler's User-Agent says it).
OGI_VERSION = "0.1.0"

# What extraction produces. Bump when a stored document would extract differently:
# the flows re-extract every document read by an older extractor.
EXTRACTOR_VERSION = "0.4.0"

# The Parquet datasets' columns (pipelines/tables.py). Bump whenever a column changes.
DATASET_SCHEMA_VERSION = "3"
