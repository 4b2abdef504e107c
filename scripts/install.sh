#!/usr/bin/env bash
# Create .venv and install annotator with its test extra (pytest, Hypothesis, ruff, mypy,
# import-linter, ...) into it. scripts/test.sh and scripts/lint.sh use this venv.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet '.[test]'
