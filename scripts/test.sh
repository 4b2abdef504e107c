#!/usr/bin/env bash
# Install annotator with its test extra into .venv (scripts/install.sh) and run the whole test
# suite; ANNOTATOR_SKIP_INSTALL=1 skips the install (CI installs once, then lints, then tests).
# PostgreSQL tests use $ANNOTATOR_TEST_PG_URL (default: local server, database `test`);
# without a server they skip, unless ANNOTATOR_REQUIRE_PG=1.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${ANNOTATOR_SKIP_INSTALL:-}" != 1 ]; then
  bash scripts/install.sh
fi
.venv/bin/python -m pytest -q "$@"
