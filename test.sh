#!/usr/bin/env bash
# The README's test command: installs what the tests need, from nothing, then runs
# ruff and the whole suite on SQLite and again on a real PostgreSQL server.
#   ./test.sh            everything (Debian packages are installed when missing)
#   ./test.sh -k stale   extra arguments go to pytest
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD

log() { printf '\n== %s\n' "$*"; }

# --- Debian packages -------------------------------------------------------------
need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
[ -x /usr/lib/postgresql/15/bin/initdb ] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
  || need_apt+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
# A CJK font, so Chromium draws Chinese in screenshots (evidence, dashboard tests).
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need_apt+=(fonts-wqy-microhei)
if [ ${#need_apt[@]} -gt 0 ] || [ "${CI:-}" = "true" ]; then
  if [ "$(id -u)" = "0" ]; then
    log "apt-get install ${need_apt[*]:-(refresh only)}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    [ ${#need_apt[@]} -eq 0 ] || apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "missing Debian packages: ${need_apt[*]} (run as root, or install them)" >&2
    exit 1
  fi
fi

# --- Python environment ----------------------------------------------------------
./run.sh --install-only

VENV="$ROOT/.venv"
export PATH="$VENV/bin:$PATH"

log "ruff"
ruff check .
ruff format --check . || { echo "run: .venv/bin/ruff format ." >&2; exit 1; }

# --- servers this script starts are stopped when it exits --------------------------
# Only what it started: a PostgreSQL or redis-server that was already running on the
# port (someone else's, or a developer's) is left alone.
started_pg=""
started_redis=""
stop_started_servers() {
  if [ -n "$started_pg" ]; then
    "${run_as[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR" -m fast -w stop >/dev/null 2>&1 || true
  fi
  if [ -n "$started_redis" ]; then
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  fi
}
trap stop_started_servers EXIT

# --- PostgreSQL on a private port --------------------------------------------------
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PG_DIR=${GOVWATCH_TEST_PG_DIR:-/tmp/govwatch-test-pg}
PG_PORT=${GOVWATCH_TEST_PG_PORT:-54329}
run_as=()
if [ "$(id -u)" = "0" ]; then run_as=(runuser -u postgres --); fi
start_postgres() {
  if [ ! -f "$PG_DIR/PG_VERSION" ]; then
    rm -rf "$PG_DIR"; mkdir -p "$PG_DIR"
    [ "$(id -u)" = "0" ] && chown postgres "$PG_DIR"
    "${run_as[@]}" "$PG_BIN/initdb" -D "$PG_DIR" -U postgres -A trust >/dev/null
  fi
  if ! "${run_as[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR" status >/dev/null 2>&1; then
    started_pg=1
    "${run_as[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR" -w -l "$PG_DIR/server.log" \
      -o "-p $PG_PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
  fi
  "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tc \
    "SELECT 1 FROM pg_database WHERE datname='govwatch_test'" | grep -q 1 \
    || "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres govwatch_test
}

# --- Redis on a private port (the scale-out worker tests) ----------------------------
REDIS_PORT=${GOVWATCH_TEST_REDIS_PORT:-63799}
start_redis() {
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && return 0
  started_redis=1
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --logfile "/tmp/govwatch-test-redis-$REDIS_PORT.log" >/dev/null
  for _ in $(seq 50); do
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "redis-server did not start on port $REDIS_PORT" >&2; exit 1
}

# --- the suite, on SQLite and on PostgreSQL at once ---------------------------------
# The runs share nothing (each test gets its own SQLite file; the PostgreSQL run
# resets its own database), so they run side by side to keep CI short. Most tests
# wait on a crawl or a server in another process, so each run uses two pytest
# processes (pytest-xdist; on PostgreSQL each has a database of its own); the
# PostgreSQL run takes only the tests that can behave differently there
# (tests/conftest.py says which). The SQLite run, the longer one, gets a third pytest
# process: its tests spend much of their time waiting on crawls, and with two the
# cores idle once the PostgreSQL run is done.
WORKERS=${GOVWATCH_TEST_WORKERS:-2}
SQLITE_WORKERS=${GOVWATCH_TEST_SQLITE_WORKERS:-$((WORKERS + 1))}
start_postgres
start_redis
LOGS=$(mktemp -d)
log "tests on SQLite and on PostgreSQL (side by side)"
GOVWATCH_TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/1" \
  GOVWATCH_TEST_DATABASE_URL= pytest -q -p no:cacheprovider -n "$SQLITE_WORKERS" "$@" \
  >"$LOGS/sqlite.log" 2>&1 &
sqlite_pid=$!
GOVWATCH_TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/2" \
  GOVWATCH_TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/govwatch_test" \
  pytest -q -p no:cacheprovider -n "$WORKERS" -m "not sqlite_only" "$@" >"$LOGS/postgresql.log" 2>&1 &
postgresql_pid=$!
sqlite_status=0; wait $sqlite_pid || sqlite_status=$?
postgresql_status=0; wait $postgresql_pid || postgresql_status=$?
log "SQLite run"; cat "$LOGS/sqlite.log"
log "PostgreSQL run"; cat "$LOGS/postgresql.log"
# pytest's 5 means no test was collected: a failure here, not a pass.
if [ $sqlite_status -ne 0 ] || [ $postgresql_status -ne 0 ]; then
  echo "FAILED: SQLite run exit $sqlite_status, PostgreSQL run exit $postgresql_status" >&2
  exit 1
fi
