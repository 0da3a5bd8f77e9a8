#!/usr/bin/env bash
# Set up exactly as run.sh does, then run the whole suite. Uses DATABASE_URL and REDIS_URL
# when set; otherwise the local PostgreSQL and Redis when they answer, else SQLite and an
# embedded Redis. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/bootstrap.sh
source scripts/redis_url.sh
mkdir -p var

cleanup() { kill $(jobs -p) 2>/dev/null || true; }
trap cleanup EXIT

if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's Chromium for the browser tests..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ||
    echo "Chromium could not be installed; browser tests will be skipped." >&2
fi

# GNU gettext: the catalog tests extract every string and compare it with locale/.
if ! command -v msgfmt >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing GNU gettext for the catalog tests..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null) ||
    echo "gettext could not be installed; the catalog tests will be skipped." >&2
fi

if [ -z "${DATABASE_URL:-}" ] && command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; then
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/test"
fi
if [ -z "${REDIS_URL:-}" ]; then
  if command -v redis-cli >/dev/null && [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ]; then
    export REDIS_URL="redis://127.0.0.1:6379/15"
  else
    start_embedded_redis
  fi
fi
echo "Tests use database ${DATABASE_URL:-SQLite (var/)} and Redis $REDIS_URL"

export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
DJANGO_SETTINGS_MODULE=tests.settings .venv/bin/python manage.py collectstatic --noinput -v 0
.venv/bin/python -m pytest "$@"
