#!/usr/bin/env bash
# `make demo`: migrate, import territory, load labelled demo data, serve with granian (WSGI).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
mkdir -p var
if [ -z "${SECRET_KEY:-}" ]; then
  [ -s var/secret_key ] || "$PY" -c 'import secrets; print(secrets.token_urlsafe(50))' > var/secret_key
  SECRET_KEY=$(cat var/secret_key)
fi
export SECRET_KEY
export DEBUG="${DEBUG:-false}"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
export SITE_URL="${SITE_URL:-http://$HOST:$PORT}"
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost,[::1],$HOST}"

"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py collectstatic --noinput -v 0
"$PY" manage.py import_kato
"$PY" manage.py load_demo
# Synthetic indicator series and perspective-village statuses for the pilot's oblast (labelled demo).
PILOT="${KENES_PILOT_DISTRICT:-274400000}"
"$PY" manage.py generate_indicator_demo --region "${PILOT:0:2}"
"$PY" manage.py check_deadlines
echo
echo "Kenes is starting on http://$HOST:$PORT  (Ctrl-C stops it)"
exec bash scripts/serve.sh
