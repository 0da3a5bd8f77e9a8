#!/usr/bin/env bash
# Run Stepwise locally: daphne (pages and websockets) and a Celery worker (the model),
# on SQLite and an embedded Redis unless DATABASE_URL and REDIS_URL say otherwise.
# Ctrl-C stops everything this script started.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/bootstrap.sh
source scripts/redis_url.sh
mkdir -p var

export DEBUG="${DEBUG:-1}"
PORT="${PORT:-8000}"
HOST="${HOST:-127.0.0.1}"

cleanup() {
  trap - INT TERM EXIT
  echo
  echo "Stopping Stepwise..."
  kill -TERM $(jobs -p) 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

if [ -z "${REDIS_URL:-}" ]; then
  start_embedded_redis
fi

.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py collectstatic --noinput >/dev/null
.venv/bin/python manage.py seed_demo
.venv/bin/python manage.py prepare_model

.venv/bin/celery -A tutor.celery worker -Q gpu --pool=solo --prefetch-multiplier=1 -O fair \
  --loglevel=INFO --without-gossip --without-mingle -n "stepwise-gpu@%h" &
.venv/bin/python -m tutor.serve --host "$HOST" --port "$PORT" &

# Say "running" only once the pages answer, so the first click does not meet a refused port.
for _ in $(seq 1 120); do
  .venv/bin/python -c "import urllib.request; urllib.request.urlopen('http://$HOST:$PORT/healthz', timeout=1)" \
    2>/dev/null && break
  sleep 0.5
done

cat <<MSG

  Stepwise is running at http://$HOST:$PORT/
  Demo logins (password: stepwise-demo)
    student: alice   student: bob   teacher: teacher   admin: admin
  Press Ctrl-C to stop.

MSG
wait -n
