#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on loopback for the tests and benchmarks (Debian's
# postgresql package; its own data folder, trust auth on 127.0.0.1 only) and prints its URL.
#   scripts/test-postgres.sh start   # prints postgres://retina@127.0.0.1:PORT/retina
#   scripts/test-postgres.sh stop
# PGPORT (default 55432) and PGROOT (default /tmp/retina-pg) move it.
set -euo pipefail
PORT="${PGPORT:-55432}"
ROOT="${PGROOT:-/tmp/retina-pg}"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[[ -x "$BIN/initdb" ]] || { echo "test-postgres: PostgreSQL is not installed (scripts/install-deps.sh installs it)" >&2; exit 1; }
URL="postgres://retina@127.0.0.1:$PORT/retina?sslmode=disable"

# PostgreSQL refuses to run as root: as root, run it as the package's `postgres` user.
as_pg() { if ((EUID == 0)); then runuser -u postgres -- "$@"; else "$@"; fi; }

case "${1:-start}" in
start)
  # Already serving? (A server that is still going away after a kill is waited for, then restarted.)
  for _ in $(seq 50); do
    if "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"; then echo "$URL"; exit 0; fi
    as_pg "$BIN/pg_ctl" -D "$ROOT/data" status >/dev/null 2>&1 || break
    sleep 0.2
  done
  mkdir -p "$ROOT"
  ((EUID == 0)) && chown postgres: "$ROOT"
  if [[ ! -f "$ROOT/data/PG_VERSION" ]]; then
    as_pg "$BIN/initdb" -D "$ROOT/data" -U retina -A trust --no-sync -E UTF8 >"$ROOT/initdb.log" 2>&1 \
      || { cat "$ROOT/initdb.log" >&2; exit 1; }
  fi
  # fsync off: a test server, rebuilt at will; the store's own durability is SQLite's and the real server's.
  as_pg "$BIN/pg_ctl" -D "$ROOT/data" -l "$ROOT/server.log" -w -t 30 \
    -o "-p $PORT -k $ROOT -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null \
    || { tail -20 "$ROOT/server.log" >&2; exit 1; }
  as_pg "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U retina -d postgres -qtAc "SELECT 1 FROM pg_database WHERE datname='retina'" | grep -q 1 \
    || as_pg "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U retina retina
  echo "$URL"
  ;;
stop)
  as_pg "$BIN/pg_ctl" -D "$ROOT/data" -m fast stop >/dev/null 2>&1 || true
  ;;
*) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
