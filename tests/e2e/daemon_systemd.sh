#!/usr/bin/env bash
# squashd as systemd runs it (Type=notify): a real squashd with NOTIFY_SOCKET pointing at a
# datagram socket this test reads, the way the service manager would. READY=1 once it
# listens, WATCHDOG=1 while its loop runs, RELOADING=1 then READY=1 around a SIGHUP reload,
# STOPPING=1 at SIGTERM. Also: usage errors exit 64 in both programs, the unit file passes
# systemd-analyze verify and rates OK in `security`, and --print-writable-paths gives the
# drop-in every configured directory needs.
set -u
source "$(dirname "$0")/lib/tap.bash"
source "$(dirname "$0")/lib/squashd.bash"
squashd_preamble systemd --no-cluster
cleanup() {
  [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
  [ -n "${listener:-}" ] && kill "$listener" 2>/dev/null
  rm -rf "$work"
}
repo=$(cd "$(dirname "$0")/../.." && pwd)

echo "e2e-token-$RANDOM$RANDOM" >"$work/token"
chmod 600 "$work/token"
pick_api_port
cat >"$work/squashd.toml" <<TOML
[daemon]
listen = "127.0.0.1:$api_port"
token_file = "$work/token"
state_dir = "$work/state"
log_file = "$work/logs/squashd.log"

[[target]]
name = "one"
conninfo = "host=/run/postgresql dbname=one"
backup_dir = "$work/backups/one dir"

[[target]]
name = "two"
conninfo = "host=/run/postgresql dbname=two"
backup_dir = "$work/backups/two"
TOML

# The "service manager": every datagram to the socket becomes a line of notify.log.
/usr/bin/python3 - "$work/notify.sock" "$work/notify.log" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as log:
    while True:
        msg = s.recv(4096).decode()
        log.write(msg.replace("\n", " ") + "\n")
PY
listener=$!
for _ in $(seq 50); do [ -S "$work/notify.sock" ] && break; sleep 0.1; done

wait_for() {  # wait_for REGEX: up to 10 s for a notify.log line matching it
  for _ in $(seq 100); do grep -qE "$1" "$work/notify.log" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}

start_squashd NOTIFY_SOCKET="$work/notify.sock" WATCHDOG_USEC=400000
ok $? "squashd starts with NOTIFY_SOCKET set"
wait_for "^READY=1 STATUS=listening on http://127.0.0.1:$api_port"
ok $? "READY=1 with its address once it listens"
wait_for "^WATCHDOG=1"
ok $? "WATCHDOG=1 from the event loop when WatchdogSec= asks for it"
kill -HUP "$pid"
wait_for "^RELOADING=1 MONOTONIC_USEC=[0-9]+"
ok $? "SIGHUP: RELOADING=1 with MONOTONIC_USEC"
for _ in $(seq 100); do [ "$(grep -cE '^READY=1' "$work/notify.log")" -ge 2 ] && break; sleep 0.1; done
is "$(grep -nE '^(READY|RELOADING)' "$work/notify.log" | cut -d= -f1 | cut -d: -f2 | tr '\n' ,)" \
  "READY,RELOADING,READY," "in that order"
kill -TERM "$pid"
wait_for "^STOPPING=1"
ok $? "SIGTERM: STOPPING=1"
wait "$pid"
is "$?" 0 "and it exits 0"
pid=

"$squashd" --no-such-option >/dev/null 2>&1
is "$?" 64 "squashd: a usage error exits 64"
"$squashctl" --no-such-option >/dev/null 2>&1
is "$?" 64 "squashctl: a usage error exits 64"

"$squashd" --config "$work/squashd.toml" --print-writable-paths >"$work/dropin.conf"
ok $? "--print-writable-paths"
is "$(grep -c '^ReadWritePaths=' "$work/dropin.conf")" 4 "a line for state_dir, both backup_dirs and the log folder"
grep -qF "ReadWritePaths=\"$work/backups/one dir\"" "$work/dropin.conf"
ok $? "a path with a space is quoted" || cat "$work/dropin.conf"

if command -v systemd-analyze >/dev/null; then
  mkdir -p "$work/unit"
  # The unit as installed: ExecStart pointing at this build's binary.
  sed "s|/usr/local/bin/squashd|$squashd|g" "$repo/daemon/squashd.service" >"$work/unit/squashd.service"
  out=$(systemd-analyze verify "$work/unit/squashd.service" 2>&1)
  ok $? "systemd-analyze verify accepts the unit" || echo "$out" | sed 's/^/# /'
  score=$(systemd-analyze security --offline=yes "$work/unit/squashd.service" 2>&1 |
          sed -nE 's/.*Overall exposure level for squashd.service: ([0-9.]+) .*/\1/p')
  diag "systemd-analyze security: $score"
  ok "$(awk -v s="${score:-99}" 'BEGIN { exit !(s <= 4.0) }'; echo $?)" "security rates the unit OK or better (<= 4.0)"
else
  for _ in 1 2; do tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP no systemd-analyze"; done
fi

done_testing
