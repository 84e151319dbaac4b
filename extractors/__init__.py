"""Turn a report document, whatever its format, into the form's canonical cells, checked.

from extractors import extract
report = extract("report.pdf")       # -> extractors.model.Report
"""

from extractors.api import extract, extract_bytes
from extractors.model import Report
from extractors.versions import EXTRACTOR_VERSION

__all__ = ["extract", "extract_bytes", "Report", "EXTRACTOR_VERSION"]
