#!/usr/bin/env bash
# `make test`: every check, in order. A step that cannot run here prints SKIPPED;
# under CI=true a skipped step is a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export PATH="$PWD/$BIN:$PATH"
CI="${CI:-false}"
failures=()
skipped=()
started=$(date +%s)

step() {
  local name=$1; shift
  echo
  echo "==> $name"
  local t0; t0=$(date +%s)
  if "$@"; then
    echo "--- ok: $name ($(( $(date +%s) - t0 )) s)"
  else
    echo "--- FAILED: $name"
    failures+=("$name")
  fi
}

passed=0
failed=0
# Runs pytest, echoing its output, and adds its counts to the totals printed at the end.
pytest_counted() {
  local log; log=$(mktemp)
  "$@" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  local summary p f e
  summary=$(grep -E '[0-9]+ (passed|failed|errors?)' "$log" | tail -1)
  p=$(grep -Eo '[0-9]+ passed' <<<"$summary" | grep -Eo '^[0-9]+' || true)
  f=$(grep -Eo '[0-9]+ failed' <<<"$summary" | grep -Eo '^[0-9]+' || true)
  e=$(grep -Eo '[0-9]+ errors?' <<<"$summary" | grep -Eo '^[0-9]+' || true)
  passed=$(( passed + ${p:-0} ))
  failed=$(( failed + ${f:-0} + ${e:-0} ))
  if [ "$status" -ne 0 ] && [ -z "$f$e" ]; then failed=$(( failed + 1 )); fi
  rm -f "$log"
  return "$status"
}

skip() {
  echo
  echo "SKIPPED: $1 ($2)"
  skipped+=("$1")
}

# Tests never use the developer's database or secret.
unset DATABASE_URL_TEST
export DJANGO_SETTINGS_MODULE=config.settings
export KENES_VAR_DIR="${KENES_TEST_VAR_DIR:-$PWD/var/test}"
mkdir -p "$KENES_VAR_DIR"

step "ruff (lint)" ruff check .
step "ruff (format)" ruff format --check .
step "mypy" mypy kenes config tests bench scripts conftest.py
step "import-linter" lint-imports
step "migrations are up to date" env DATABASE_URL= python manage.py makemigrations --check --dry-run
if command -v xgettext >/dev/null && command -v msgmerge >/dev/null; then
  step "translations (kk, ru complete; catalogues current)" python scripts/i18n.py check
else
  step "translations (kk, ru complete)" python scripts/i18n.py check --no-extract
  skip "translation extraction from the code" "GNU gettext (xgettext) is not installed"
fi

step "pytest on SQLite" pytest_counted env DATABASE_URL= pytest -q -p no:cacheprovider -m "not e2e and not postgres" -n 2

PG_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
if python - "$PG_URL" <<'PY'
import sys
import psycopg
try:
    psycopg.connect(sys.argv[1].replace("postgres://", "postgresql://", 1), connect_timeout=3).close()
except Exception as exc:  # noqa: BLE001
    print(f"PostgreSQL not reachable: {exc}")
    sys.exit(1)
PY
then
  step "pytest on PostgreSQL" pytest_counted env DATABASE_URL="$PG_URL" pytest -q -p no:cacheprovider -m "not e2e" -n 2
else
  skip "pytest on PostgreSQL" "no server at $PG_URL"
fi

if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  # Each fault test makes its own PostgreSQL cluster and server processes on 127.0.0.1 (bounded).
  step "fault tests (PostgreSQL restarted under load)" pytest_counted env DATABASE_URL= pytest -q -p no:cacheprovider -m faults tests/faults
else
  skip "fault tests" "PostgreSQL server binaries (/usr/lib/postgresql/*/bin) are not installed"
fi

if [ -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  step "browser flows (Chromium)" pytest_counted env DATABASE_URL= pytest -q -p no:cacheprovider -m e2e tests/e2e
else
  skip "browser flows (Chromium)" "/usr/bin/chromium is not installed (apt-get install chromium)"
fi

echo
echo "==> make test finished in $(( $(date +%s) - started )) s"
if [ ${#skipped[@]} -gt 0 ]; then
  echo "SKIPPED steps: ${skipped[*]}"
  if [ "$CI" = "true" ]; then
    failures+=("skipped under CI: ${skipped[*]}")
  fi
fi
if [ ${#failures[@]} -gt 0 ]; then
  echo "FAILED steps:"
  printf '  - %s\n' "${failures[@]}"
  echo "tests: ${passed} passed, ${failed} failed"
  exit 1
fi
echo "All checks passed."
echo "tests: ${passed} passed, ${failed} failed"
