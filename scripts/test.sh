#!/usr/bin/env bash
# Install annotator with its test extra into .venv and run the whole test suite.
# PostgreSQL tests use $ANNOTATOR_TEST_PG_URL (default: local server, database `test`);
# without a server they skip, unless ANNOTATOR_REQUIRE_PG=1.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet '.[test]'
.venv/bin/python -m pytest -q "$@"
