#!/usr/bin/env bash
# Lint, format, type and import-contract checks, in the venv scripts/install.sh creates.
# Runs every check and exits non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/ruff ] || [ ! -x .venv/bin/mypy ] || [ ! -x .venv/bin/lint-imports ]; then
  echo "lint: no .venv with the test extra; run: bash scripts/install.sh" >&2
  exit 2
fi
failed=()
check() {
  echo "== $*"
  "$@" || failed+=("$*")
}
check .venv/bin/ruff check .
check .venv/bin/ruff format --check .
check .venv/bin/mypy
check .venv/bin/lint-imports --no-cache --no-logo
if [ ${#failed[@]} -gt 0 ]; then
  printf 'lint: failed: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "lint: all checks passed"
