#!/usr/bin/env bash
# End to end: three squashd share one control database ([control]) on a real cluster.
# Runs submitted at any daemon are claimed by one (SELECT ... FOR UPDATE SKIP LOCKED and
# a lease per target), never by two at once; every daemon's API shows the whole fleet;
# kill -9 of the daemon holding a lease leaves its run running (busy for everyone) until
# the lease expires, then it is marked interrupted and another daemon takes the target.
# An unreachable control database stops squashd's start with a clear error.
# Needs the harness's cluster (PGHOST, PGPORT, PGUSER) and BUILD_DIR. Prints TAP.
source "$(dirname "$0")/lib/tap.bash"
source "$(dirname "$0")/lib/squashd.bash"

squashd_preamble fleet

pids=()
holder=
cleanup() { fleet_cleanup; }

ctl_db=sqd_fleet_ctl_$$
slow_db=sqd_fleet_slow_$$
targets=(t1 t2 t3 t4 t5 t6)
token="tok-$RANDOM$RANDOM"
echo "$token" >"$work/token"
chmod 600 "$work/token"

new_database "$ctl_db" || { echo "Bail out! cannot create databases"; exit 1; }
for t in "${targets[@]}"; do
  new_database "sqd_fleet_${t}_$$"
  q -d "sqd_fleet_${t}_$$" -c "CREATE TABLE item (id int PRIMARY KEY, name text);
    INSERT INTO item SELECT g, 'n' || g FROM generate_series(1, 200) g" >/dev/null
done
new_database "$slow_db"
q -d "$slow_db" -c "CREATE TABLE held (id int PRIMARY KEY); INSERT INTO held VALUES (1)" >/dev/null

# write_config I [CONTROL-CONNINFO]: daemon I's configuration, every target, its own
# state and backup folders.
write_config() {
  local i=$1 conninfo=${2:-"host=$PGHOST port=$PGPORT dbname=$ctl_db user=$PGUSER"} t
  mkdir -p "$work/d$i"
  {
    printf '[daemon]\nlisten = "127.0.0.1:%s"\ntoken_file = "%s/token"\nstate_dir = "%s/d%s/state"\n' \
      "${ports[$i]}" "$work" "$work" "$i"
    printf '\n[control]\nconninfo = "%s"\nlease_ttl = "6s"\npoll_interval = "1s"\nmax_runs = 2\n' "$conninfo"
    for t in "${targets[@]}" slow; do
      local db=sqd_fleet_${t}_$$
      printf '\n[[target]]\nname = "%s"\nconninfo = "host=%s port=%s dbname=%s user=%s"\nbackup_dir = "%s/d%s/backups/%s"\n' \
        "$t" "$PGHOST" "$PGPORT" "$db" "$PGUSER" "$work" "$i" "$t"
    done
  } >"$work/d$i/squashd.toml"
}

api() {  # api I PATH: GET with the token
  curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:${ports[$1]}$2"
}
submit() {  # submit I TARGET JOB: sets code and body
  code=$(curl -s -o "$work/submit.json" -w '%{http_code}' -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -d "{\"target\": \"$2\", \"job\": \"$3\", \"params\": {}}" \
    "http://127.0.0.1:${ports[$1]}/v1/runs")
  body=$(cat "$work/submit.json")
}

declare -A ports
for i in 1 2 3; do pick_api_port; ports[$i]=$api_port; done

# --- 1. an unreachable control database: a clear error, no start
ports[9]=${ports[1]}
write_config 9 "host=$PGHOST port=$PGPORT dbname=sqd_fleet_missing_$$ user=$PGUSER"
timeout 120 "$squashd" --config "$work/d9/squashd.toml" >/dev/null 2>"$work/d9/stderr"
is "$?" 1 "squashd with an unreachable control database exits 1"
like "$(cat "$work/d9/stderr")" "cannot start: control database \(host=.*dbname=sqd_fleet_missing_$$.*\): .*does not exist" \
  "and says which control database and why"
ok "$([ -n "$(curl -s "http://127.0.0.1:${ports[1]}/v1/health")" ] && echo 1 || echo 0)" "and never listened"

# --- 2. three daemons, one control database
for i in 1 2 3; do write_config "$i"; start_daemon "$i" || { ok 1 "squashd $i starts"; sed "s/^/# /" "$work/d$i/stderr"; done_testing; exit 1; }; done
is "$(cq -c "SELECT string_agg(version::text, ',' ORDER BY version) FROM squashd_control.schema_version")" 1,2 \
  "the control schema is created once, migrated to version 2"
is "$(cq -c "SELECT count(*) FROM squashd_control.daemons WHERE stopped_at IS NULL")" 3 "three daemons registered"
is "$(cq -c "SELECT string_agg(DISTINCT pid::text, ',' ORDER BY pid::text) FROM squashd_control.daemons")" \
  "$(printf '%s\n' "${pids[1]}" "${pids[2]}" "${pids[3]}" | sort | paste -sd,)" "with their process ids"

# --- 3. 18 backups (6 targets x 3 rounds), submitted round-robin at the three daemons
submitted=()
for round in 1 2 3; do
  n=0
  for t in "${targets[@]}"; do
    n=$((n + 1))
    submit $(( (n + round) % 3 + 1 )) "$t" backup
    [ "$code" = 202 ] || diag "submit $t round $round: $code $body"
    submitted+=("$(jq -r .id <<<"$body")")
    if [ "$round" = 1 ] && [ "$t" = t1 ]; then
      submit 3 t1 backup
      is "$code" 409 "a second run of a target already queued or running is refused (409) at another daemon"
      like "$(jq -r .message <<<"$body")" "^busy: run .*-t1-backup-" "naming the run"
    fi
  done
  wait_for "SELECT count(*) = 0 FROM squashd_control.runs WHERE state IN ('queued', 'running')" \
    || diag "round $round did not finish"
done
is "${#submitted[@]}" 18 "18 runs queued"
is "$(cq -c "SELECT count(*) FROM squashd_control.runs WHERE state = 'succeeded' AND job = 'backup'")" 18 \
  "all 18 succeeded"
is "$(cq -c "SELECT count(*) FROM squashd_control.runs WHERE daemon_id IS NULL OR claimed_at IS NULL OR released_at IS NULL")" 0 \
  "each was claimed by a daemon and released"
daemons_used=$(cq -c "SELECT count(DISTINCT daemon_id) FROM squashd_control.runs")
diag "runs per daemon: $(cq -c "SELECT string_agg(n::text, ' ') FROM (SELECT count(*) n FROM squashd_control.runs GROUP BY daemon_id ORDER BY 1) x")"
ok "$([ "$daemons_used" -ge 2 ] && echo 0 || echo 1)" "the work was shared ($daemons_used daemons ran runs)"
is "$(cq -c "SELECT count(*) FROM squashd_control.runs a JOIN squashd_control.runs b
             ON a.target = b.target AND a.id < b.id
             AND a.claimed_at < b.released_at AND b.claimed_at < a.released_at")" 0 \
  "no two runs of a target overlapped (claimed .. released, control database clock)"
# Every run in exactly one daemon's journal, which ran it and agrees with the fleet record.
journal_count=0 mismatch=0
for id in "${submitted[@]}"; do
  where=()
  for i in 1 2 3; do [ -f "$work/d$i/state/runs/$id.json" ] && where+=("$i"); done
  if [ "${#where[@]}" != 1 ]; then mismatch=$((mismatch + 1)); diag "$id in journals: ${where[*]:-none}"; continue; fi
  journal_count=$((journal_count + 1))
  jd=$(jq -r '.daemon + " " + .state' "$work/d${where[0]}/state/runs/$id.json")
  cd_=$(cq -c "SELECT daemon_id || ' ' || state FROM squashd_control.runs WHERE id = '$id'")
  [ "$jd" = "$cd_" ] || { mismatch=$((mismatch + 1)); diag "$id: journal '$jd', control '$cd_'"; }
  [ "$(cq -c "SELECT pid FROM squashd_control.daemons d JOIN squashd_control.runs r ON r.daemon_id = d.id WHERE r.id = '$id'")" = "${pids[${where[0]}]}" ] \
    || { mismatch=$((mismatch + 1)); diag "$id: journal of daemon ${where[0]} but claimed by another"; }
done
is "$journal_count/$mismatch" "18/0" "each run executed by exactly one daemon, the one that claimed it"
is "$(cq -c "SELECT count(*) FROM squashd_control.leases")" 0 "no lease left"
fleet_ids=$(api 3 /v1/runs | jq -r '.runs[].id' | sort | paste -sd' ')
is "$fleet_ids" "$(printf '%s\n' "${submitted[@]}" | sort | paste -sd' ')" "any daemon's API lists the whole fleet's runs"
other=$(cq -c "SELECT r.id FROM squashd_control.runs r JOIN squashd_control.daemons d ON d.id = r.daemon_id WHERE d.pid <> ${pids[2]} LIMIT 1")
is "$(api 2 "/v1/runs/$other" | jq -r .state)" succeeded "and shows a run another daemon executed"

# --- 4. kill -9 of the daemon holding a lease, mid-run
# A session holds the slow target's table: the backup's pg_dump waits on it.
hold_table "$slow_db" held
submit 1 slow backup
slow_run=$(jq -r .id <<<"$body")
wait_for "SELECT EXISTS (SELECT FROM squashd_control.runs WHERE id = '$slow_run' AND state = 'running'
          AND record->'steps' @> '[{\"state\": \"running\"}]')" || diag "the slow run did not start a step"
victim_id=$(cq -c "SELECT daemon_id FROM squashd_control.runs WHERE id = '$slow_run'")
victim_pid=$(cq -c "SELECT pid FROM squashd_control.daemons WHERE id = '$victim_id'")
step=$(cq -c "SELECT s->>'name' FROM squashd_control.runs, jsonb_array_elements(record->'steps') s WHERE id = '$slow_run' AND s->>'state' = 'running'")
victim=0
for i in 1 2 3; do [ "${pids[$i]}" = "$victim_pid" ] && victim=$i; done
ok "$([ "$victim" -gt 0 ] && echo 0 || echo 1)" "the slow run is held by daemon $victim (step $step running)"
kill -9 "$victim_pid"
wait "$victim_pid" 2>/dev/null
pids[$victim]=
survivor=$(( victim % 3 + 1 ))
submit "$survivor" slow backup
is "$code" 409 "right after kill -9 the target is still busy for the other daemons (its lease is alive)"
is "$(cq -c "SELECT state FROM squashd_control.runs WHERE id = '$slow_run'")" running "the run is not marked before its lease expires"
end_holder
wait_for "SELECT state <> 'running' FROM squashd_control.runs WHERE id = '$slow_run'" || diag "never expired"
is "$(cq -c "SELECT state FROM squashd_control.runs WHERE id = '$slow_run'")" interrupted "after the lease expired the run is interrupted"
like "$(cq -c "SELECT record->>'error' FROM squashd_control.runs WHERE id = '$slow_run'")" \
  "^interrupted: the lease of daemon $victim_id expired at .* during step $step$" "naming the dead daemon and the step"
is "$(cq -c "SELECT count(*) FROM squashd_control.leases WHERE target = 'slow'")" 0 "and the target's lease is gone"
ok "$(grep -q "run $slow_run on slow: the lease of daemon $victim_id expired" "$work"/d*/stderr && echo 0 || echo 1)" \
  "a live daemon logged the expiry"
submit "$survivor" slow backup
is "$code" 202 "the target takes a new run"
retry=$(jq -r .id <<<"$body")
wait_for "SELECT state NOT IN ('queued', 'running') FROM squashd_control.runs WHERE id = '$retry'" || diag "retry never ended"
is "$(cq -c "SELECT state FROM squashd_control.runs WHERE id = '$retry'")" succeeded "which succeeds"
retry_daemon=$(cq -c "SELECT daemon_id FROM squashd_control.runs WHERE id = '$retry'")
ok "$([ -n "$retry_daemon" ] && [ "$retry_daemon" != "$victim_id" ] && echo 0 || echo 1)" \
  "on another daemon ($retry_daemon)"
is "$(cq -c "SELECT count(*) FROM squashd_control.runs a JOIN squashd_control.runs b
             ON a.target = b.target AND a.id < b.id
             AND a.claimed_at < b.released_at AND b.claimed_at < a.released_at")" 0 \
  "still no two runs of a target overlapped"

# --- 5. SIGTERM: daemons sign off
for i in 1 2 3; do
  [ -n "${pids[$i]}" ] && kill -TERM "${pids[$i]}" && wait "${pids[$i]}"
  pids[$i]=
done
is "$(cq -c "SELECT count(*) FROM squashd_control.daemons WHERE stopped_at IS NOT NULL")" 2 \
  "the two live daemons signed off at SIGTERM (the killed one could not)"

done_testing
