#!/usr/bin/env bash
# Install what convanim needs, skipping whatever is already there (a re-run takes a second).
#   scripts/setup.sh [EXTRA]   EXTRA: an optional-dependency group of pyproject.toml, e.g. test
# 1. Debian packages (Manim's Cairo/Pango bindings have no binary wheels): apt-get.
# 2. A virtual environment in .venv with the project installed in editable mode.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EXTRA="${1:-}"
APT_PACKAGES=(libcairo2-dev libpango1.0-dev pkg-config fonts-dejavu-core fonts-noto-cjk)
# The tests also drive a headless browser over the gallery page and the HTML slide deck,
# and open the PowerPoint deck in LibreOffice Impress.
if [ "$EXTRA" = test ]; then APT_PACKAGES+=(chromium libreoffice-impress); fi
PYTHON="${PYTHON:-python3}"

say() { printf '\033[1mconvanim setup:\033[0m %s\n' "$*"; }

apt_install() {
    local sudo=""
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null || { say "please install as root: apt-get install $*"; exit 1; }
        sudo="sudo"
    fi
    say "installing Debian packages: $*"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done
if ! "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null; then
    missing+=(python3-venv)
fi
if [ "${#missing[@]}" -gt 0 ]; then
    apt_install "${missing[@]}"
fi

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    say "convanim needs Python >= 3.11; $PYTHON is $("$PYTHON" --version 2>&1). Set PYTHON=..."
    exit 1
fi

VENV="$ROOT/.venv"
if [ ! -x "$VENV/bin/python" ]; then
    say "creating virtual environment in .venv"
    "$PYTHON" -m venv "$VENV"
fi

# Re-install only when pyproject.toml or the requested extra changed.
stamp="$VENV/.convanim-installed${EXTRA:+-$EXTRA}"
want="$(sha256sum "$ROOT/pyproject.toml" | cut -c1-16)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    say "installing convanim${EXTRA:+[$EXTRA]} into .venv (first time: about a minute)"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e "$ROOT${EXTRA:+[$EXTRA]}"
    echo "$want" >"$stamp"
fi

# Optional: PyTorch (CPU) for the live comparisons in the tests. Never a runtime dependency.
if [ "${CONVANIM_TORCH:-0}" = 1 ] && ! "$VENV/bin/python" -c 'import torch' 2>/dev/null; then
    say "installing torch==2.13.0 for the live PyTorch comparisons"
    "$VENV/bin/python" -m pip install -q torch==2.13.0 ||
        say "torch could not be installed; the live comparisons will be skipped"
fi
