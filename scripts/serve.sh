#!/usr/bin/env bash
# Serves Kenes with granian (WSGI), and runs the task worker beside it (notifications, deadline
# checks: django-tasks' db_worker), until Ctrl-C or SIGTERM.
#
# granian runs in a session of its own, so a terminal's Ctrl-C reaches only this script, which
# then asks granian once to stop (SIGTERM) and kills it if it has not stopped after 10 s. Left in
# the terminal's process group, granian would get SIGINT several times at once (from the
# terminal and again through make), and it can hang on that.
set -uo pipefail
cd "$(dirname "$0")/.."
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
[ "${KENES_WORKER:-true}" = "true" ] && .venv/bin/python manage.py recover_tasks --older-than 0  # this script's worker is the only one: a RUNNING task is a dead worker's (decision 0010)

setsid .venv/bin/granian --interface wsgi --host "$HOST" --port "$PORT" \
  --workers "${WEB_WORKERS:-2}" --blocking-threads "${WEB_THREADS:-4}" --log-level warning config.wsgi:application &
server=$!
worker=""
if [ "${KENES_WORKER:-true}" = "true" ]; then
  setsid .venv/bin/python manage.py db_worker --interval 2 --no-startup-delay >>"${KENES_VAR_DIR:-var}/worker.log" 2>&1 &
  worker=$!
fi

stop() {
  kill -TERM "$server" ${worker:+"$worker"} 2>/dev/null
  for _ in $(seq 1 20); do
    if ! kill -0 "$server" 2>/dev/null && { [ -z "$worker" ] || ! kill -0 "$worker" 2>/dev/null; }; then
      exit 0
    fi
    sleep 0.5
  done
  kill -KILL -- "-$server" 2>/dev/null
  [ -n "$worker" ] && kill -KILL -- "-$worker" 2>/dev/null
  exit 0
}
trap stop INT TERM
wait "$server"
