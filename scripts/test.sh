#!/usr/bin/env bash
# Install what is missing (with the test extras), lint, then run the test suite.
#   scripts/test.sh              the default suite (slow renders deselected, in pyproject.toml)
#   scripts/test.sh -m slow      arguments go to pytest
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/setup.sh" test
cd "$ROOT"
"$ROOT/.venv/bin/ruff" check .
exec "$ROOT/.venv/bin/python" -m pytest "$@"
