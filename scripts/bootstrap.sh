#!/usr/bin/env bash
# Create .venv and install Stepwise with its test tools. Safe to run again: it reinstalls
# only when pyproject.toml changed. Sourced by run.sh and test.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

find_python() {
  for candidate in "${PYTHON:-}" python3.11 python3.12 python3.13 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"
      return
    fi
  done
  echo "Stepwise needs Python 3.11 or newer." >&2
  exit 1
}

if [ ! -x .venv/bin/python ]; then
  "$(find_python)" -m venv .venv
fi

stamp=".venv/.stepwise-installed"
wanted="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  # torch first: installed later as a dependency, pip would fetch a CUDA build of several
  # GB on a machine that has no GPU. 2.13.0 is the build these machines carry locally.
  if ! .venv/bin/python -c "import torch" 2>/dev/null; then
    .venv/bin/python -m pip install --quiet "torch==${TORCH_VERSION:-2.13.0}" ||
      .venv/bin/python -m pip install --quiet "torch==${TORCH_VERSION:-2.13.0}" \
        --index-url https://download.pytorch.org/whl/cpu
  fi
  .venv/bin/python -m pip install --quiet -e ".[dev]"
  echo "$wanted" >"$stamp"
fi
