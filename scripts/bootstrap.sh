#!/usr/bin/env bash
# Create .venv and install Stepwise with its test tools, exactly as requirements.lock pins
# them. Safe to run again: it reinstalls only when pyproject.toml or the lock changed.
# Sourced by run.sh and test.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Django 6 needs Python 3.12 or newer; the lock is made for 3.12, so 3.12 comes first. A
# pyenv shim for a version that is installed but not selected fails to run, hence the
# versions folder as well.
find_python() {
  local pyenv_versions="${PYENV_ROOT:-$HOME/.pyenv}/versions" candidate
  for candidate in "${PYTHON:-}" python3.12 "$pyenv_versions"/3.12*/bin/python3.12 \
    python3.13 "$pyenv_versions"/3.13*/bin/python3.13 python3.14 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      echo "$candidate"
      return
    fi
  done
  echo "Stepwise needs Python 3.12 or newer (set PYTHON to its path)." >&2
  exit 1
}

# A .venv from before the move to Python 3.12 cannot be upgraded in place.
if [ -x .venv/bin/python ] &&
  ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
  echo "Replacing .venv: it was made with Python $(.venv/bin/python -V 2>&1 | cut -d' ' -f2)."
  rm -rf .venv
fi
if [ ! -x .venv/bin/python ]; then
  "$(find_python)" -m venv .venv
fi

stamp=".venv/.stepwise-installed"
wanted="$(cat pyproject.toml requirements.lock | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "Installing Stepwise's dependencies from requirements.lock..."
  .venv/bin/python -m pip install --quiet --upgrade pip
  # torch 2.13.0 from PyPI is its CUDA build (about 4.7 GB with the NVIDIA libraries it
  # pins): no CPU build for Python 3.12 is at hand on these machines, and it runs on the
  # CPU all the same where there is no GPU.
  .venv/bin/python -m pip install --quiet --require-hashes -r requirements.lock
  # The lock already holds every dependency; this only links the project itself.
  .venv/bin/python -m pip install --quiet --no-deps -e .
  echo "$wanted" >"$stamp"
fi
