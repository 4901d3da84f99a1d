#!/usr/bin/env bash
# The README's run command: sets up a virtualenv on first use, then runs govwatch's
# demo (a bundled government-style site served on 127.0.0.1: load, crawl, check,
# print the findings). Any arguments are passed to `govwatch demo`.
#   ./run.sh                 the demo on the default SQLite database (data/govwatch.db)
#   ./run.sh --install-only  only create/refresh .venv
set -euo pipefail
cd "$(dirname "$0")"
VENV="$PWD/.venv"
PYTHON=${PYTHON:-python3}
stamp="$VENV/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "== installing govwatch into $VENV" >&2
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  install_log="$VENV/install.log"
  # uv installs the project's ~120 packages in about 20 s where pip takes over a minute
  # (every CI run and fresh clone pays this); bytecode is compiled at install, because
  # crawl processes start by the hundred and would otherwise recompile every import
  # where PYTHONDONTWRITEBYTECODE is set. pip remains the fallback. The chatter goes
  # to a log, shown only when the install fails.
  if ! { "$VENV/bin/python" -m pip install -q --disable-pip-version-check uv &&
         "$VENV/bin/uv" pip install -q --compile-bytecode --python "$VENV/bin/python" -e '.[dev]' ||
         { "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip &&
           "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e '.[dev]'; }; } \
       >"$install_log" 2>&1; then
    cat "$install_log" >&2
    echo "== install failed (log: $install_log)" >&2
    exit 1
  fi
  rm -f "$VENV"/.installed-*
  touch "$stamp"
fi
if [ "${1:-}" = "--install-only" ]; then exit 0; fi
exec "$VENV/bin/govwatch" demo "$@"
