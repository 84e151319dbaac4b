# ogi: make install | make test | make demo | make bench
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.ogi-installed
APT_PACKAGES := libreoffice-writer-nogui libreoffice-calc-nogui fonts-noto-cjk poppler-utils antiword catdoc chromium tesseract-ocr tesseract-ocr-chi-sim
export DO_NOT_TRACK := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: install system-packages test lint demo bench clean

install: system-packages $(STAMP)

# System tools the extractors call (LibreOffice for DOC/WPS, fonts for CJK PDFs,
# poppler, antiword/catdoc as the fast DOC fallback). Installed only when missing.
system-packages:
	@missing=""; \
	for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else \
	    echo "ogi needs these system packages; run:"; \
	    echo "  sudo apt-get install -y --no-install-recommends$$missing"; \
	  fi; \
	fi

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@touch $(STAMP)

test: install lint
	$(BIN)/python -m pytest -q

# ruff under the project's own configuration (pyproject.toml [tool.ruff]); part of make test and CI
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

demo: install
	$(BIN)/ogi demo

bench: install
	$(BIN)/python benchmarks/extract.py
	$(BIN)/python benchmarks/crawl.py
	$(BIN)/python benchmarks/pipeline.py

clean:
	rm -rf $(VENV) data/raw data/warehouse data/runs data/state data/cache
