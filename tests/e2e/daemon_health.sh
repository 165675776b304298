#!/usr/bin/env bash
# End to end: a real squashd on a loopback port, driven with raw HTTP and squashctl.
# Prints TAP. Binaries from $SQUASH_BUILD_DIR (default: $BUILD_DIR, else <repo>/build).
set -u
source "$(dirname "$0")/lib/squashd.bash"

squashd_preamble health --no-cluster
echo "1..20"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
  rm -rf "$work"
}

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
  n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"
  shift; printf '%s\n' "$@" | sed 's/^/# /'
}
check() {  # check DESCRIPTION COMMAND...: ok when the command succeeds
  local desc=$1; shift
  if "$@" >"$work/out" 2>&1; then ok "$desc"; else not_ok "$desc" "$(cat "$work/out")"; fi
}

# http_status PATH [TOKEN]: the HTTP status code squashd answers, over bash's /dev/tcp.
http_status() {
  local path=$1 auth="" line
  [ $# -ge 2 ] && auth="Authorization: Bearer $2"$'\r\n'
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%sConnection: close\r\n\r\n' "$path" "$auth" >&3
  IFS= read -r -t 5 line <&3
  cat <&3 >"$work/body"
  exec 3<&-
  line=${line%$'\r'}
  echo "${line#HTTP/1.1 }" | cut -d' ' -f1
}

echo "e2e-token-$RANDOM$RANDOM" >"$work/token"
chmod 600 "$work/token"
write_config() {  # write_config PORT
  cat >"$work/squashd.toml" <<TOML
[daemon]
listen = "127.0.0.1:$1"
token_file = "$work/token"
state_dir = "$work/state"
log_level = "debug"
log_file = "$work/squashd.log"

[[target]]
name = "kidney"
conninfo = "host=/run/postgresql dbname=kidney_genetics user=squash"
backup_dir = "$work/backups/kidney"

[[schedule]]
target = "kidney"
job = "backup"
cron = "0 2 * * 6"
timezone = "Europe/Berlin"
window = "2h"
TOML
}

# 1-2: --check-config
write_config 18433
out=$("$squashd" --config "$work/squashd.toml" --check-config 2>&1)
if [ $? -eq 0 ] && [ "$out" = "config OK" ]; then ok "--check-config accepts a valid file"
else not_ok "--check-config accepts a valid file" "$out"; fi

cat >"$work/broken.toml" <<'TOML'
[daemon]
listen = "0.0.0.0:8433"

[[schedule]]
target = "nowhere"
job = "backup"
cron = "0 2 * * 8"
TOML
out=$("$squashd" --config "$work/broken.toml" --check-config 2>&1)
rc=$?
if [ $rc -ne 0 ] && grep -q "broken.toml:2:10: error: listen" <<<"$out" &&
   grep -q "broken.toml:7:17: error: bad cron expression '0 2 \* \* 8': day-of-week" <<<"$out" &&
   grep -q "broken.toml:5:10: error: schedule names target 'nowhere'" <<<"$out"; then
  ok "--check-config on a broken file exits $rc and reports every error with its position"
else
  not_ok "--check-config on a broken file exits non-zero with positions" "exit $rc" "$out"
fi

# 3: start squashd on a free port (retry when another process takes the port first)
started=0
for attempt in 1 2 3 4 5; do
  port=$((20000 + RANDOM % 40000))
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue  # taken
  write_config "$port"
  "$squashd" --config "$work/squashd.toml" 2>>"$work/stderr" &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 50); do
    [ "$(http_status /v1/health 2>/dev/null)" = 200 ] && { started=1; break; }
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  [ $started -eq 1 ] && break
done
if [ $started -eq 1 ] && grep -q '"status":"ok"' "$work/body"; then
  ok "squashd starts and GET /v1/health answers 200 {\"status\":\"ok\"}"
else
  not_ok "squashd starts and GET /v1/health answers 200" "$(cat "$work/stderr" "$work/squashd.log" 2>/dev/null)"
  echo "Bail out! squashd did not start"
  exit 1
fi
url="http://127.0.0.1:$port"

# 4-7: API
check "squashctl health exits 0" "$squashctl" --url "$url" health
code=$(http_status /v1/status)
if [ "$code" = 401 ] && grep -q '"error":"unauthorized"' "$work/body"; then
  ok "GET /v1/status without a token answers 401"
else not_ok "GET /v1/status without a token answers 401" "got $code: $(cat "$work/body")"; fi
code=$(http_status /v1/status wrong-token)
[ "$code" = 401 ] && ok "GET /v1/status with a wrong token answers 401" ||
  not_ok "GET /v1/status with a wrong token answers 401" "got $code"
code=$(http_status /v1/nothing-here)
[ "$code" = 404 ] && grep -q '"error":"not_found"' "$work/body" &&
  ok "an unknown path answers 404 JSON" || not_ok "an unknown path answers 404 JSON" "got $code"

# 8: squashctl status
out=$("$squashctl" --url "$url" --token-file "$work/token" status 2>&1)
rc=$?
if [ $rc -eq 0 ] && grep -q "targets (1): kidney" <<<"$out" &&
   grep -qE "kidney +backup +0 2 \* \* 6 +Europe/Berlin +2h +20[0-9-]+T02:00:00\+0[12]:00" <<<"$out"; then
  ok "squashctl status (token) shows the target and the next run in Europe/Berlin"
else not_ok "squashctl status shows targets and schedules" "exit $rc" "$out"; fi

# 9: SIGHUP reopens the log (as after logrotate) and keeps answering
mv "$work/squashd.log" "$work/squashd.log.1"
kill -HUP "$pid"
for _ in $(seq 50); do grep -qs "configuration reloaded" "$work/squashd.log" && break; sleep 0.1; done
if grep -qs "configuration reloaded" "$work/squashd.log" && [ "$(http_status /v1/health)" = 200 ]; then
  ok "SIGHUP reloads, reopens the log file and squashd still answers"
else not_ok "SIGHUP reloads and reopens the log" "$(cat "$work/squashd.log" 2>&1)"; fi

# 10: SIGHUP with a broken config keeps the old one
cp "$work/squashd.toml" "$work/good.toml"
echo 'bogus_key = 1' >>"$work/squashd.toml"
kill -HUP "$pid"
for _ in $(seq 50); do grep -qs "keeping the previous configuration" "$work/squashd.log" && break; sleep 0.1; done
if grep -qs "keeping the previous configuration" "$work/squashd.log" &&
   grep -qs "unknown key 'bogus_key'" "$work/squashd.log" &&
   "$squashctl" --url "$url" --token-file "$work/token" status >/dev/null 2>&1; then
  ok "SIGHUP with an invalid config logs the errors and keeps the running configuration"
else not_ok "SIGHUP with an invalid config keeps the old one" "$(tail -5 "$work/squashd.log")"; fi
cp "$work/good.toml" "$work/squashd.toml"

# 11: one squashd per state_dir
out=$(timeout 10 "$squashd" --config "$work/squashd.toml" 2>&1)
rc=$?
if [ $rc -eq 1 ] && grep -q "another squashd is running" <<<"$out"; then
  ok "a second squashd on the same state_dir refuses to start"
else not_ok "a second squashd on the same state_dir refuses to start" "exit $rc" "$out"; fi

# 12: SIGTERM
kill -TERM "$pid"
stopped=0
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || { stopped=1; break; }; sleep 0.1; done
wait "$pid"
rc=$?
if [ $stopped -eq 1 ] && [ $rc -eq 0 ] && grep -q "received SIGTERM, shutting down" "$work/squashd.log"; then
  ok "SIGTERM: squashd logs it and exits 0 within 5 s"
else not_ok "SIGTERM: exit 0 within 5 s" "stopped=$stopped exit=$rc" "$(tail -3 "$work/squashd.log")"; fi

# 13: squashctl against a stopped daemon
out=$("$squashctl" --url "$url" --token-file "$work/token" status 2>&1)
rc=$?
if [ $rc -eq 2 ] && grep -q "cannot connect to squashd" <<<"$out"; then
  ok "squashctl status exits 2 with a clear message when squashd is not reachable"
else not_ok "squashctl exits 2 when squashd is not reachable" "exit $rc" "$out"; fi

# 14: the lock file is free again
if "$squashd" --config "$work/squashd.toml" --check-config >/dev/null && [ -f "$work/state/squashd.lock" ] &&
   ! [ -s "$work/state/squashd.lock" ]; then
  ok "the state lock is released (emptied) on exit"
else not_ok "the state lock is released on exit" "$(cat "$work/state/squashd.lock" 2>&1)"; fi

# 15-20: a connection flood, against a second squashd whose open-file limit is 256:
# max_connections is lowered to a quarter of it, connections over the cap are closed at
# once (503), half-sent headers are cut off after header_timeout, the log stays short,
# and afterwards /v1/health and a run (opening its journal files) still work.
fw=$work/flood
mkdir -p "$fw"
pick_api_port
fport=$api_port
cat >"$fw/squashd.toml" <<TOML
[daemon]
listen = "127.0.0.1:$fport"
token_file = "$work/token"
state_dir = "$fw/state"
log_file = "$fw/squashd.log"
max_connections = 100
header_timeout = "1s"
request_timeout = "2s"

[[target]]
name = "app"
conninfo = "host=/nonexistent dbname=app user=squash"
backup_dir = "$fw/backups"

[[target.probe]]
name = "self"
kind = "tcp"
url = "tcp://127.0.0.1:$fport"
TOML
(ulimit -n 256 && exec "$squashd" --config "$fw/squashd.toml") 2>>"$work/stderr" &
fpid=$!
pids+=("$fpid")
port_saved=$port
port=$fport
for _ in $(seq 50); do [ "$(http_status /v1/health 2>/dev/null)" = 200 ] && break; sleep 0.1; done
if grep -q "max_connections 100 is more than a quarter of the open-file limit (256, ulimit -n); using 64" \
     "$fw/squashd.log"; then
  ok "max_connections above a quarter of ulimit -n is lowered, with a warning"
else not_ok "max_connections is lowered under a low ulimit -n" "$(cat "$fw/squashd.log" "$work/stderr")"; fi

# 400 connections held open, each with half a request header; report how many the
# server closed (and how many of those with a 503) within 20 s.
flood=$(python3 - "$fport" <<'PYFLOOD'
import select, socket, sys, time
port = int(sys.argv[1])
socks = []
for _ in range(400):
    s = socket.create_connection(("127.0.0.1", port))
    try:
        s.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n")
    except OSError:
        pass  # already closed by the server
    socks.append(s)
open_socks, answers, busy = set(socks), {}, 0
deadline = time.time() + 20
while open_socks and time.time() < deadline:
    readable, _, _ = select.select(list(open_socks), [], [], 0.5)
    for s in readable:
        try:
            data = s.recv(4096)
        except OSError:
            data = b""
        if data:
            answers[s] = answers.get(s, b"") + data
            continue
        open_socks.discard(s)
        if answers.get(s, b"").startswith(b"HTTP/1.1 503"):
            busy += 1
print(len(socks) - len(open_socks), busy)
PYFLOOD
)
read -r closed busy <<<"$flood"
if [ "${closed:-0}" = 400 ] && [ "${busy:-0}" -ge 200 ]; then
  ok "a flood of 400 half-sent requests: all closed ($busy at once with 503 over the cap of 64)"
else not_ok "a flood of 400 half-sent requests is closed" "closed/busy: $flood"; fi
if kill -0 "$fpid" 2>/dev/null && [ "$(http_status /v1/health)" = 200 ]; then
  ok "after the flood squashd is up and GET /v1/health answers 200"
else not_ok "after the flood GET /v1/health answers 200" "$(tail -5 "$fw/squashd.log")"; fi
out=$("$squashctl" --url "http://127.0.0.1:$fport" --token-file "$work/token" run app probe --wait 2>&1)
rc=$?
if [ $rc -eq 0 ] && ls "$fw/state/runs/"*.json >/dev/null 2>&1; then
  ok "after the flood a run still works (probe run succeeded, journaled)"
else not_ok "after the flood a run still works" "exit $rc" "$out" "$(tail -5 "$fw/squashd.log")"; fi
lines=$(grep -c "http: [^/]" "$fw/squashd.log")
if [ "$lines" -ge 1 ] && [ "$lines" -le 5 ]; then
  ok "the flood is logged in $lines line(s), not one per connection"
else not_ok "the flood is logged in a few lines" "$lines lines" "$(grep "http:" "$fw/squashd.log" | head -20)"; fi
if grep -q "refusing new ones until some close" "$fw/squashd.log" &&
   ! grep -q "accept failed" "$fw/squashd.log"; then
  ok "the cap refused connections and descriptors never ran out (no accept failure)"
else not_ok "the cap held and accept never failed" "$(grep "http:" "$fw/squashd.log" | head -20)"; fi
kill -TERM "$fpid"
wait "$fpid" 2>/dev/null
port=$port_saved

[ $failed -eq 0 ]
