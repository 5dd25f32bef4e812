#!/usr/bin/env bash
# Install what is missing, then render videos into media/.
#   scripts/render.sh                 every video, 1080p60
#   scripts/render.sh sliding -q low  arguments go to `convanim build` (default: --all)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/setup.sh"
cd "$ROOT"
if [ "$#" -eq 0 ]; then set -- --all; fi
exec "$ROOT/.venv/bin/convanim" build "$@"
