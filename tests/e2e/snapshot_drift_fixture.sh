#!/usr/bin/env bash
# squash_diff on a realistic hand squash with twenty-five drifts of different kinds
# (tests/fixtures/alembic_app/squashed_dozen_drift): the chain's database gets the drifted
# squash's snapshot by export / import, and squash_diff against the live chain reports
# every drift with the attribute that changed -- and nothing else. The correct hand
# squash (squashed/) gives no row and the same fingerprint.
source "$(dirname "$0")/lib/tap.bash"

is_text() {  # is_text GOT EXPECTED DESCRIPTION: like is, for multi-line text (diff as comments)
  if [ "$1" = "$2" ]; then ok 0 "$3"; return; fi
  ok 1 "$3"
  diff <(printf '%s\n' "$2") <(printf '%s\n' "$1") | sed 's/^/#   /; s/^#   </#   expected:/; s/^#   >/#   got:     /'
}
work=$(mktemp -d /tmp/e2e_drift.XXXXXX)
trap 'drop_test_databases; rm -rf "$work"' EXIT
app=$SQUASH_SRC/tests/fixtures/alembic_app
fixture=$app/squashed_dozen_drift/000_squashed_complete.py

# Expected rows: kind | identity | change | attribute the detail must name.
# Source = the drifted squash's snapshot, target = the live chain (detail: here → chain).
expected=(
  "column|public.gene_curations.status|changed|default"                                # 1
  "column|public.users.role|changed|default"                                           # 2
  "column|public.annotation_sources.priority|changed|default"                          # 3
  "column|public.pipeline_runs.rows_processed|changed|default"                         # 4
  "column|public.genes.approved_symbol|changed|not_null"                               # 5
  "column|public.gene_evidence.evidence_data|changed|not_null"                         # 6
  "column|public.pipeline_runs.pipeline_name|changed|not_null"                         # 7
  "constraint|public.gene_staging.gene_staging_pipeline_run_id_fkey|changed|on_delete" # 8
  "constraint|public.annotation_history.annotation_history_gene_id_fkey|changed|on_delete" # 9
  "constraint|public.users.uq_users_email|added|unique"                                # 10
  "index|public.uq_users_email|changed|constraint"                                     # 10
  "index|public.ix_gene_evidence_gene_id|changed|renamed"                              # 11
  "column|public.users.full_name|changed|type"                                         # 12
  "view|public.scoring_weights|changed|definition"                                     # 13
  "enum|public.curation_status|changed|labels"                                         # 14
  "constraint|public.pipeline_runs.ck_pipeline_runs_finished_after_start|added|check"  # 15
  "trigger|public.gene_annotations.trg_gene_annotations_updated_at|added|definition"   # 16
  "function|public.set_updated_at()|changed|body"                                      # 17
  "table|public.gene_staging|changed|comment"                                          # 18
  "column order|public.genes|changed|columns"                                          # 19
  "index|public.ix_pipeline_runs_failed|changed|renamed"                               # 20
  "policy|public.gene_curations.gene_curations_read_approved|changed|using"            # 21
  "table|public.gene_curations|changed|rls_enabled"                                    # 22
  "view|public.gene_leaderboard|changed|acl"                                           # 23
  "column|public.users.is_active|changed|acl"                                          # 24
  "sequence|public.curation_number_seq|changed|acl"                                    # 25
)
# What each detail must also say, old (drifted squash) → new (chain), beyond the attribute.
declare -A detail_re=(
  ["public.gene_curations.status"]="default: \(none\) → 'draft'::public.curation_status"
  ["public.users.role"]="default: \(none\) → 'curator'::character varying"
  ["public.annotation_sources.priority"]="default: \(none\) → 0$"
  ["public.pipeline_runs.rows_processed"]="default: \(none\) → 0$"
  ["public.genes.approved_symbol"]="not_null: false → true"
  ["public.gene_evidence.evidence_data"]="not_null: false → true"
  ["public.pipeline_runs.pipeline_name"]="not_null: false → true"
  ["public.gene_staging.gene_staging_pipeline_run_id_fkey"]="on_delete: NO ACTION → CASCADE"
  ["public.annotation_history.annotation_history_gene_id_fkey"]="on_delete: NO ACTION → SET NULL"
  ["public.users.uq_users_email"]="UNIQUE \(email\)"
  ["public.uq_users_email"]="constraint: \(none\) → uq_users_email"
  ["public.ix_gene_evidence_gene_id"]="renamed: idx_gene_evidence_gene_id → ix_gene_evidence_gene_id"
  ["public.users.full_name"]="type: character varying\(200\) → character varying\(255\)"
  ["public.scoring_weights"]=", 3\) AS weight.* → .*, 4\) AS weight"
  ["public.curation_status"]="labels: 'draft', 'in_review', 'submitted', .*'on_hold' → 'draft', 'submitted', 'in_review', 'approved', 'rejected', 'archived'$"
  ["public.pipeline_runs.ck_pipeline_runs_finished_after_start"]="finished_at >= started_at"
  ["public.gene_annotations.trg_gene_annotations_updated_at"]="CREATE TRIGGER trg_gene_annotations_updated_at"
  ["public.set_updated_at()"]="clock_timestamp\(\).* → .*now\(\)"
  ["public.gene_staging"]="comment: \(none\) → Raw gene mentions awaiting HGNC normalisation"
  ["public.genes"]="location, chromosome, .* → .*chromosome, location,"
  ["public.ix_pipeline_runs_failed"]="renamed: pipeline_runs_failed_idx → ix_pipeline_runs_failed"
  ["public.gene_curations.gene_curations_read_approved"]="using: \(status = ANY \('\{approved,archived\}'::public.curation_status\[\]\)\) → \(status = 'approved'::public.curation_status\)$"
  ["public.gene_curations"]="rls_enabled: false → true$"
  # An ACL is one "grantee=privileges" line per role, sorted (newlines shown as \n); the
  # owner's own line is left out of the match.
  ["public.gene_leaderboard"]='acl: kidney_app=r\\n[^ ]+ → kidney_app=r\\nkidney_readonly=r\\n[^ ]+$'
  ["public.users.is_active"]="acl: kidney_app=w → \(none\)$"
  ["public.curation_number_seq"]='acl: kidney_app=rU\\n[^ ]+ → kidney_app=U\\n[^ ]+$'
)
# Drifts the catalog reader is known to miss: identity -> reason. Their rows are reported
# as "not ok ... # TODO" (the suite stays green) until the reader catches them.
declare -A known_gaps=()

# A TAP line that is a TODO when the identity is a known gap.
check() {  # check STATUS IDENTITY DESCRIPTION
  if [ "$1" -ne 0 ] && [ -n "${known_gaps[$2]:-}" ]; then
    tap_n=$((tap_n + 1))
    echo "not ok $tap_n - $3 # TODO catalog reader misses ${known_gaps[$2]}"
  else
    ok "$1" "$3"
  fi
}

# ---- the fixture documents exactly the rows this test expects ---------------------------
header_rows=$(sed -n '1,/^"""/p' "$fixture" |
  sed -nE 's/^#   ([a-z ]+) \| ([^ ]+) \| (added|removed|changed) \| ([a-z_]+)$/\1|\2|\3|\4/p' | sort)
is_text "$header_rows" "$(printf '%s\n' "${expected[@]}" | sort)" \
  "the fixture's header lists exactly the rows this test expects"
drifts=$(sed -nE 's/^#   DRIFT ([0-9]+):.*/\1/p' "$fixture" | sort -un | wc -l)
markers=$(sed '1,/^"""/d' "$fixture" | grep -oE '(#|--) DRIFT [0-9]+:' | grep -oE '[0-9]+' | sort -un | wc -l)
ok $((drifts >= 12 && markers == drifts ? 0 : 1)) \
  "the fixture documents $drifts drifts (at least 12), each marked in the code ($markers)"

# ---- three databases: the chain, the correct squash, the drifted squash ------------------
make_alembic_project "$work/chain" "$app/versions"
make_alembic_project "$work/squashed" "$app/squashed"
make_alembic_project "$work/dozen" "$app/squashed_dozen_drift"
new_database e2e_drift_chain; new_database e2e_drift_squashed; new_database e2e_drift_dozen
alembic_in "$work/chain" e2e_drift_chain upgrade head >"$work/chain.log" 2>&1
ok $? "the chain builds (alembic upgrade head on versions/)"
alembic_in "$work/squashed" e2e_drift_squashed upgrade head >"$work/squashed.log" 2>&1
ok $? "the correct hand squash builds"
alembic_in "$work/dozen" e2e_drift_dozen upgrade head >"$work/dozen.log" 2>&1
status=$?
ok $status "the dozen-drift squash builds"
[ $status -eq 0 ] || sed 's/^/#   /' "$work/dozen.log" | tail -20
for db in e2e_drift_chain e2e_drift_squashed e2e_drift_dozen; do
  q -d "$db" -c "CREATE EXTENSION pg_squash" >/dev/null
done


fp_dozen=$(q -d e2e_drift_dozen -c "SELECT squash_snapshot('dozen')")
q -d e2e_drift_dozen -c "SELECT squash_snapshot_export('dozen')" >"$work/dozen.json"
ok $? "the drifted squash's snapshot exported ($(wc -c <"$work/dozen.json") bytes)"
fp_imported=$(snapshot_import e2e_drift_chain "$work/dozen.json" dozen 2>&1)
is "$fp_imported" "$fp_dozen" "imported into the chain's database, it keeps its fingerprint"
fp_chain=$(q -d e2e_drift_chain -c "SELECT squash_fingerprint()")
ok $([ -n "$fp_chain" ] && [ "$fp_chain" != "$fp_dozen" ] && echo 0 || echo 1) \
  "the chain's fingerprint differs from the drifted squash's"

# ---- squash_diff('dozen') against the live chain -----------------------------------------
sep=$'\x1f'
q -d e2e_drift_chain -F "$sep" \
  -c "SELECT kind, identity, change, detail FROM squash_diff('dozen') ORDER BY kind, identity" \
  >"$work/diff.txt" 2>"$work/diff.err"
ok $? "squash_diff('dozen') runs"
diag "squash_diff('dozen') on the chain's database:"
while IFS="$sep" read -r k i c d; do diag "  $k | $i | $c | $d"; done <"$work/diff.txt"
is "$(wc -l <"$work/diff.txt" | tr -d ' ')" "${#expected[@]}" \
  "squash_diff reports ${#expected[@]} rows for the documented drifts"

declare -A got_detail=()
while IFS="$sep" read -r k i c d; do got_detail["$k|$i|$c"]=$d; done <"$work/diff.txt"

for row in "${expected[@]}"; do
  IFS='|' read -r kind identity change attr <<<"$row"
  key="$kind|$identity|$change"
  if [ -n "${got_detail[$key]+x}" ]; then found=0; else found=1; fi
  check $found "$identity" "reported: $kind $identity $change"
  detail=${got_detail[$key]:-}
  if [ "$change" = changed ]; then attr_re="(^|; )$attr: "; else attr_re="(^|[ ,])$attr([ ,]|$)"; fi
  if [ $found -eq 0 ] && [[ $detail =~ $attr_re ]] && [[ $detail =~ ${detail_re[$identity]} ]]; then
    check 0 "$identity" "  its detail names $attr and says what changed"
  else
    check 1 "$identity" "  its detail names $attr and says what changed"
    printf '#   got: %s\n#   expected to match: %s  and  %s\n' "$detail" "$attr_re" "${detail_re[$identity]}"
  fi
done

unexpected=""
while IFS="$sep" read -r k i c d; do
  hit=1
  for row in "${expected[@]}"; do [ "${row%|*}" = "$k|$i|$c" ] && hit=0 && break; done
  [ $hit -eq 0 ] || unexpected+="$k | $i | $c | $d"$'\n'
done <"$work/diff.txt"
is_text "${unexpected%$'\n'}" "" "no row beyond the documented drifts"

# The same difference between two stored snapshots (the chain's taken as a label).
q -d e2e_drift_chain -c "SELECT squash_snapshot('chain')" >/dev/null
is_text "$(q -d e2e_drift_chain -F "$sep" -c "SELECT kind, identity, change, detail FROM squash_diff('dozen', 'chain') ORDER BY kind, identity")" \
  "$(cat "$work/diff.txt")" "squash_diff('dozen', 'chain') between two labels gives the same rows"
added=$(printf '%s\n' "${expected[@]}" | grep -c '|added|')
is "$(q -d e2e_drift_chain -c "SELECT count(*) || ' rows, ' || count(*) FILTER (WHERE change = 'removed') || ' removed' FROM squash_diff('chain', 'dozen')")" \
  "${#expected[@]} rows, $added removed" "the reverse direction reports as many rows, the missing objects as removed"

# ---- the correct hand squash: no row, the same fingerprint -------------------------------
fp_squashed=$(q -d e2e_drift_squashed -c "SELECT squash_snapshot('squashed')")
q -d e2e_drift_squashed -c "SELECT squash_snapshot_export('squashed')" >"$work/squashed.json"
is "$(snapshot_import e2e_drift_chain "$work/squashed.json" squashed 2>&1)" "$fp_squashed" \
  "the correct squash's snapshot imports with its fingerprint"
is "$fp_squashed" "$fp_chain" "the correct squash and the chain have equal fingerprints"
rows=$(q -d e2e_drift_chain -c "SELECT kind || ' | ' || identity || ' | ' || change || ' | ' || detail FROM squash_diff('squashed')")
is_text "$rows" "" "squash_diff('squashed') against the chain returns no row"

done_testing
