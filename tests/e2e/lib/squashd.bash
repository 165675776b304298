# Helpers for the tests that drive a real squashd: the common preamble, a free loopback
# port, starting the daemon, and running jobs through squashctl. squashd_preamble sets
# work, squashd and squashctl; the caller sets token, and after pick_api_port: url.

# squashd_preamble NAME [--no-cluster]: the binaries from $SQUASH_BUILD_DIR (else
# $BUILD_DIR, else <repo>/build) into squashd and squashctl; "1..0 # SKIP" and exit when
# they are not built or (unless --no-cluster) there is no cluster (PGHOST). Then work: a
# fresh temp dir (mode 755: the cluster's server reads files there), pid: empty, and the
# caller's cleanup function run on exit.
squashd_preamble() {
  local name=$1 need_cluster=1 repo
  [ "${2:-}" = --no-cluster ] && need_cluster=
  repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
  build=${SQUASH_BUILD_DIR:-${BUILD_DIR:-$repo/build}}
  squashd=$build/daemon/squashd
  squashctl=$build/daemon/squashctl
  if [ ! -x "$squashd" ] || [ ! -x "$squashctl" ] || { [ -n "$need_cluster" ] && [ -z "${PGHOST:-}" ]; }; then
    echo "1..0 # SKIP squashd not built or no cluster (PGHOST)"
    exit 0
  fi
  work=$(mktemp -d "/tmp/squashd_${name}_e2e.XXXXXX")
  chmod 755 "$work"
  pid=
  trap cleanup EXIT
  trap 'exit 130' INT TERM
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Sets api_port and url to a loopback port nothing listens on, below Linux's ephemeral
# range (32768 and up: a client's own port could take it before squashd binds it), and
# not one this test picked already.
picked_ports=" "
pick_api_port() {
  api_port=0
  local p
  for _ in $(seq 20); do
    p=$((20000 + RANDOM % 12000))
    [[ "$picked_ports" == *" $p "* ]] && continue
    port_free "$p" && { api_port=$p; picked_ports+="$p "; break; }
  done
  url="http://127.0.0.1:$api_port"
}

# wait_for_health URL PID: succeeds once URL/v1/health answers, fails when PID exits or
# nothing answers in 30 s (a shared machine can be slow to start three daemons).
wait_for_health() {
  for _ in $(seq 300); do
    curl -sf "$1/v1/health" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# Starts squashd on $work/squashd.toml (extra environment in "$@"); sets pid; succeeds
# once /v1/health answers, fails when the daemon exits or does not answer in 30 s.
start_squashd() {
  env "$@" "$squashd" --config "$work/squashd.toml" 2>>"$work/stderr" &
  pid=$!
  wait_for_health "$url" "$pid"
}

ctl() { "$squashctl" --url "$url" --token-file "$work/token" "$@"; }
run_json() { curl -s -H "Authorization: Bearer $token" "$url/v1/runs/$1"; }
steps_of() { run_json "$1" | jq -r '[.steps[].name] | join(",")'; }

# post_run TARGET JOB PARAMS-JSON: POST /v1/runs as it is; sets code (HTTP status) and
# message (the error answer's message).
post_run() {
  code=$(curl -s -o "$work/post_run.json" -w '%{http_code}' -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' \
    -d "{\"target\": \"$1\", \"job\": \"$2\", \"params\": $3}" "$url/v1/runs")
  message=$(jq -r '.message // ""' "$work/post_run.json" 2>/dev/null)
}

# run_job TARGET JOB [K=V...]: runs and waits; sets id, state, error. squashctl's output
# is appended to $work/ctl.out, its errors to $work/ctl.err.
run_job() {
  local target=$1 job=$2 args=()
  shift 2
  for kv in "$@"; do args+=(--param "$kv"); done
  id=$(ctl run "$target" "$job" "${args[@]}" --wait 2>>"$work/ctl.err" | tee -a "$work/ctl.out" | head -1)
  state=$(run_json "$id" | jq -r .state)
  error=$(run_json "$id" | jq -r '.error // ""')
}

# Several daemons (fleet tests): pids[I] and ports[I] per daemon I, its config and stderr
# in $work/dI; cq runs psql on the control database $ctl_db; holder is the pid of a
# session holding a table (hold_table), ended by end_holder.

# start_daemon I: starts daemon I on $work/dI/squashd.toml; succeeds once it answers.
start_daemon() {
  local i=$1
  "$squashd" --config "$work/d$i/squashd.toml" 2>>"$work/d$i/stderr" &
  pids[$i]=$!
  wait_for_health "http://127.0.0.1:${ports[$i]}" "${pids[$i]}"
}
cq() { q -d "$ctl_db" "$@"; }
# wait_for SQL: until the control database answers t (at most 10 minutes: the machine is
# shared).
wait_for() {
  for _ in $(seq 1200); do
    [ "$(cq -c "$1")" = t ] && return 0
    sleep 0.5
  done
  return 1
}
# hold_table DB TABLE: a session (application_name squashd_e2e_holder) holds TABLE in
# ACCESS EXCLUSIVE mode until end_holder; returns once the lock is granted.
hold_table() {
  PGAPPNAME=squashd_e2e_holder psql -X -q -d "$1" -c "BEGIN; LOCK TABLE $2 IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(600)" >/dev/null 2>&1 &
  holder=$!
  # The lock is seen from that database, where pg_class knows the table.
  for _ in $(seq 600); do
    [ "$(q -d "$1" -c "SELECT EXISTS (SELECT FROM pg_locks l WHERE l.relation = '$2'::regclass AND l.mode = 'AccessExclusiveLock' AND l.granted)")" = t ] && return 0
    sleep 0.5
  done
  return 1
}
# A backend in pg_sleep does not notice its client go: end it on the server.
end_holder() {
  [ -n "${holder:-}" ] || return 0
  q -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'squashd_e2e_holder'" >/dev/null 2>&1
  wait "$holder" 2>/dev/null
  holder=
}
# fleet_cleanup: every daemon stopped, the holder ended, the databases dropped.
fleet_cleanup() {
  local p
  for p in "${pids[@]}"; do [ -n "$p" ] && kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  end_holder
  drop_test_databases
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
}
