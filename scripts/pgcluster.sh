#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for tests, the demo and benchmarks.
#   pgcluster.sh start DIR [PORT]   initdb + start; prints "export PGHOST=... PGPORT=..."
#   pgcluster.sh stop DIR           stop (fast, then immediate) and remove DIR
#   pgcluster.sh restart DIR        restart in place (keeps data)
# As root the server runs as the postgres user (postgres refuses root); otherwise as you.
set -euo pipefail

bindir=$(pg_config --bindir)
cmd=${1:?usage: pgcluster.sh start|stop|restart DIR [PORT]}
dir=${2:?usage: pgcluster.sh start|stop|restart DIR [PORT]}

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

free_port() {
  local p
  for p in $(seq 54320 54420); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && [ ! -e "/tmp/.s.PGSQL.$p" ]; then
      echo "$p"; return
    fi
  done
  echo "pgcluster: no free port in 54320-54420" >&2; exit 1
}

case "$cmd" in
start)
  port=${3:-$(free_port)}
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  chmod 700 "$dir"
  as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
  as_owner mkdir -p "$dir/sock"
  cat >>"$dir/data/postgresql.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/sock'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 60
shared_buffers = 256MB
max_locks_per_transaction = 512
log_min_messages = warning
logging_collector = off
CONF
  as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null ||
    { cat "$dir/server.log" >&2; exit 1; }
  echo "export PGHOST=$dir/sock PGPORT=$port PGUSER=postgres PGDATABASE=postgres"
  ;;
restart)
  as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -m fast restart >/dev/null
  ;;
stop)
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$bindir/pg_ctl" -D "$dir/data" -w -t 30 -m fast stop >/dev/null 2>&1 ||
      as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  ;;
*)
  echo "pgcluster: unknown command $cmd" >&2; exit 2 ;;
esac
