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

# Run a command, and start it again whenever it exits, until this script stops. One
# process dying (a worker killed by the OOM killer, say) must not take the site down.
supervise() {
  local name="$1"
  shift
  (
    child=""
    trap 'trap - TERM INT HUP; [ -n "$child" ] && kill -TERM "$child" 2>/dev/null; wait 2>/dev/null; exit 0' TERM INT HUP
    while true; do
      "$@" &
      child=$!
      wait "$child" && status=0 || status=$?
      echo "Stepwise: the $name exited ($status); starting it again in 2 s." >&2
      sleep 2 &
      wait $! || true
    done
  ) &
  SUPERVISED+=("$!")
}

SUPERVISED=()
cleanup() {
  trap - INT TERM HUP EXIT
  echo
  echo "Stopping Stepwise..."
  kill -TERM "${SUPERVISED[@]}" 2>/dev/null || true
  wait "${SUPERVISED[@]}" 2>/dev/null || true
  if [ -n "${EMBEDDED_REDIS_PID:-}" ]; then
    kill -TERM "$EMBEDDED_REDIS_PID" 2>/dev/null || true
    wait "$EMBEDDED_REDIS_PID" 2>/dev/null || true
  fi
}
# HUP too: closing the terminal (or the tmux pane) must stop everything, Redis included.
trap cleanup INT TERM HUP EXIT

if [ -z "${REDIS_URL:-}" ]; then
  start_embedded_redis
fi

.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py collectstatic --noinput >/dev/null
.venv/bin/python manage.py seed_demo
.venv/bin/python manage.py prepare_model

supervise worker .venv/bin/celery -A tutor.celery worker -Q gpu --pool=solo --prefetch-multiplier=1 \
  -O fair --loglevel=INFO --without-gossip --without-mingle -n "stepwise-gpu@%h"
supervise "web server" .venv/bin/python -m tutor.serve --host "$HOST" --port "$PORT"

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
# The supervisors never exit on their own; a signal ends this wait and runs cleanup.
wait
