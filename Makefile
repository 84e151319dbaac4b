# ogi: make install | make test | make demo | make bench
SHELL := /bin/bash
# The interpreter .venv is made from: the distribution's CPython first. Debian/Ubuntu/Fedora build it with
# profile-guided and link-time optimisation; pyenv's and asdf's default builds have neither, and ogi's backfill ran
# a quarter faster on Debian's (benchmarks/README.md, "Interpreter"). The first of these that is 3.11+ and can make a venv wins;
# `make install PYTHON=/path/to/python3` overrides. A .venv made from another interpreter is made again.
PYTHON ?= $(firstword $(foreach p,/usr/bin/python3 python3,$(shell $(p) -c 'import sys, ensurepip, venv; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && echo $(p))) python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.ogi-installed
APT_PACKAGES := python3-venv libreoffice-writer-nogui libreoffice-calc-nogui fonts-noto-cjk poppler-utils antiword catdoc chromium tesseract-ocr tesseract-ocr-chi-sim
export DO_NOT_TRACK := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: install system-packages venv test lint demo bench clean

install: system-packages venv $(STAMP)

# System tools the extractors call (venv for the distribution's Python, LibreOffice for DOC/WPS, fonts for CJK PDFs,
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

# .venv from $(PYTHON), made again (and reinstalled) when it was made from another interpreter.
venv:
	@python=$(PYTHON); which='import sys; print(sys.base_prefix, sys.version.split()[0])'; \
	want=$$($$python -c "$$which"); have=$$($(BIN)/python -c "$$which" 2>/dev/null); \
	if [ "$$want" != "$$have" ]; then \
	  echo "making $(VENV) from $$python ($$want)"; rm -rf $(VENV); $$python -m venv $(VENV); \
	fi

$(STAMP): pyproject.toml
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
