#!/usr/bin/env bash
# Run the whole test suite: pytest (unit, integration, browser) and Node's runner for the JS twins.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
.venv/bin/python -m pytest "$@" || status=$?
if ls tests/js/*.test.mjs >/dev/null 2>&1; then
  node --test tests/js/ || status=$?
fi
exit $status
