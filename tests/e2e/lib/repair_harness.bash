# repair_case for the squash_diff_sql() tests (sourced after tap.bash). The caller sets
#   db        the database the cases run in
#   work      a scratch directory
#   scope     the snapshot scope: "'{rp}'" (one schema) or "NULL" (the whole database)
#   fp_base   the fingerprint of snapshot 'base' (taken with that scope)
# and defines reset_base (back to the base after a failed case). Each case appends what
# squash_diff_json named before the repair to $work/pairs, as "kind|attribute" lines
# ("kind|(added)", "kind|(removed)", "kind|(renamed)" for whole objects), for
# check_coverage (repair_coverage.bash).

fingerprint() { q -d $db -c "SELECT squash_fingerprint($scope)"; }

# show_repair_failure LOG SCRIPT DB LABEL LINES: as TAP comments, what running the script
# printed, its first LINES statements, and what still differs from snapshot LABEL.
show_repair_failure() {
  sed 's/^/#   log: /' "$1" | head -10
  grep -v '^--' "$2" | grep -v '^$' | sed 's/^/#   sql: /' | head -"$5"
  q -d "$3" -c "SELECT kind || ' ' || identity || ' ' || change || ': ' || detail
                FROM squash_diff('$4')" | sed 's/^/#   diff: /'
}

record_pairs() {
  q -d $db -c "SELECT c->>'kind' || '|' || CASE c->>'change' WHEN 'changed' THEN a->>'attribute'
                 ELSE '(' || (c->>'change') || ')' END
               FROM jsonb_array_elements(squash_diff_json('base')->'changes') c
               LEFT JOIN LATERAL jsonb_array_elements(c->'attributes') a ON c->>'change' = 'changed'
               WHERE c->>'change' <> 'changed' OR a IS NOT NULL" >>"$work/pairs"
}

# repair_case NAME DRIFT_SQL [DESTRUCTIVE_REGEX]: the drift makes the live schema differ;
# the script brings it back. With a regex, the script is first refused with a message
# matching it.
repair_case() {
  local name=$1 drift=$2 refused=${3:-} allow=false out status
  [[ -n ${REPAIR_ONLY:-} && ! $name =~ $REPAIR_ONLY ]] && return  # REPAIR_ONLY=regex while iterating
  if ! psql -X -q -v ON_ERROR_STOP=1 -d $db -c "$drift" >"$work/drift.log" 2>&1; then
    ok 1 "$name: the drift applies"; sed 's/^/#   /' "$work/drift.log"; reset_base; return
  fi
  if [ "$(fingerprint)" = "$fp_base" ]; then
    ok 1 "$name: the drift changes the fingerprint"; reset_base; return
  fi
  record_pairs
  if [ -n "$refused" ]; then
    out=$(q -d $db -c "SELECT squash_diff_sql('base')" 2>&1)
    status=$?
    if [ $status -ne 0 ] && [[ $out =~ $refused ]]; then
      ok 0 "$name: refused without allow_destructive, naming it"
    else
      ok 1 "$name: refused without allow_destructive, naming it"; printf '#   %s\n' "$out" | head -5
    fi
    allow=true
  fi
  q -d $db -c "SELECT squash_diff_sql('base', allow_destructive => $allow)" >"$work/$name.sql" 2>"$work/$name.err"
  if [ $? -ne 0 ]; then
    ok 1 "$name: script written"; sed 's/^/#   /' "$work/$name.err"; reset_base; return
  fi
  psql -X -q -v ON_ERROR_STOP=1 -d $db -f "$work/$name.sql" >"$work/$name.log" 2>&1
  status=$?
  local fp
  fp=$(fingerprint)
  if [ $status -eq 0 ] && [ "$fp" = "$fp_base" ]; then
    ok 0 "$name: the script restores the base fingerprint"
  else
    ok 1 "$name: the script restores the base fingerprint"
    show_repair_failure "$work/$name.log" "$work/$name.sql" $db base 30
    reset_base
  fi
}
