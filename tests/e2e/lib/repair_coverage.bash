# Coverage of the repair tests (sourced by diff_sql_repair.sh, diff_sql_repair_catalog_kinds.sh
# and diff_sql_repair_routines_types.sh after repair_harness.bash). Issue #16: for every kind of
# difference the diff can name (each attribute of each kind, each kind added and removed), a
# case applies the script to a database that differs by that, and the fingerprint is the
# source's again. The pairs the diff can name come from the catalog readers' source
# (diff_attributes.py); the pairs a file covers are what squash_diff_json named in its cases
# (repair_harness.bash records them). Each kind belongs to the one file below that covers it;
# check_coverage FILE fails on any of that file's pairs no case named, and on a kind that
# belongs to no file.

# kind -> the test that covers it
declare -A repair_coverage_owner=(
  [schema]=diff_sql_repair_catalog_kinds [table]=diff_sql_repair [column]=diff_sql_repair
  ["column order"]=diff_sql_repair [constraint]=diff_sql_repair [index]=diff_sql_repair
  [view]=diff_sql_repair ["materialized view"]=diff_sql_repair [sequence]=diff_sql_repair
  [trigger]=diff_sql_repair [policy]=diff_sql_repair [extension]=diff_sql_repair_catalog_kinds
  [function]=diff_sql_repair_routines_types [procedure]=diff_sql_repair_routines_types
  [enum]=diff_sql_repair_routines_types [domain]=diff_sql_repair_routines_types
  ["composite type"]=diff_sql_repair_routines_types ["base type"]=diff_sql_repair_routines_types
  ["shell type"]=diff_sql_repair_routines_types
  [language]=diff_sql_repair_catalog_kinds [transform]=diff_sql_repair_catalog_kinds
  ["access method"]=diff_sql_repair_catalog_kinds [cast]=diff_sql_repair_catalog_kinds
  [collation]=diff_sql_repair_catalog_kinds [conversion]=diff_sql_repair_catalog_kinds
  [aggregate]=diff_sql_repair_catalog_kinds [operator]=diff_sql_repair_catalog_kinds
  ["operator family"]=diff_sql_repair_catalog_kinds ["operator class"]=diff_sql_repair_catalog_kinds
  ["text search parser"]=diff_sql_repair_catalog_kinds
  ["text search template"]=diff_sql_repair_catalog_kinds
  ["text search dictionary"]=diff_sql_repair_catalog_kinds
  ["text search configuration"]=diff_sql_repair_catalog_kinds
  ["range type"]=diff_sql_repair_catalog_kinds [rule]=diff_sql_repair_catalog_kinds
  [statistics]=diff_sql_repair_catalog_kinds ["foreign-data wrapper"]=diff_sql_repair_catalog_kinds
  ["foreign server"]=diff_sql_repair_catalog_kinds ["user mapping"]=diff_sql_repair_catalog_kinds
  ["foreign table"]=diff_sql_repair_catalog_kinds [publication]=diff_sql_repair_catalog_kinds
  [subscription]=diff_sql_repair_catalog_kinds ["event trigger"]=diff_sql_repair_catalog_kinds
  ["default privileges"]=diff_sql_repair_catalog_kinds
  [unmodelled]=none
)

# Pairs no database can show alone, as "kind|attribute|reason" (kind "*": every kind).
repair_coverage_exceptions() {
  cat <<'EOF'
*|security label *|no label provider ships with PostgreSQL (SECURITY LABEL needs one loaded, e.g. sepgsql)
unmodelled|*|a safety net for an object no reader models: none exists on PostgreSQL 14 to 17, and the script refuses it
subscription|origin|PostgreSQL 16 and later; the suite runs on 15
subscription|password_required|PostgreSQL 16 and later; the suite runs on 15
subscription|run_as_owner|PostgreSQL 16 and later; the suite runs on 15
subscription|failover|PostgreSQL 17 and later; the suite runs on 15
subscription|enabled|a subscription created without a publisher has slot_name NONE, and one without a slot cannot be enabled
range type|canonical|only a C function can be a range's canonical function; the generator reports it as not expressible
procedure|returns|procedures return nothing: the reader writes it for functions only
procedure|cost|CREATE and ALTER PROCEDURE refuse COST (invalid attribute in procedure definition)
procedure|rows|CREATE and ALTER PROCEDURE refuse ROWS (invalid attribute in procedure definition)
procedure|strict|CREATE and ALTER PROCEDURE refuse STRICT (invalid attribute in procedure definition)
procedure|leakproof|CREATE and ALTER PROCEDURE refuse LEAKPROOF (invalid attribute in procedure definition)
procedure|parallel|CREATE and ALTER PROCEDURE refuse PARALLEL (invalid attribute in procedure definition)
procedure|volatility|CREATE and ALTER PROCEDURE refuse IMMUTABLE, STABLE and VOLATILE (invalid attribute in procedure definition)
procedure|support|CREATE and ALTER PROCEDURE refuse SUPPORT (invalid attribute in procedure definition)
procedure|window|procedures are never window functions: the reader writes it for functions only
operator family|type|written for operator classes only
operator family|default|written for operator classes only
operator family|storage|written for operator classes only
operator family|family|written for operator classes only
view|access_method|written for materialized views only
view|options|a view takes only check_option, security_barrier and security_invoker, each an attribute of its own
trigger|table|a trigger's identity holds its table: on another table it is another trigger (added and removed)
EOF
}

# Pairs that have no case yet (issue #16 is open until this is empty): reported as TAP TODO
# tests, which do not fail; a pending pair that a case names fails, so the list only shrinks.
repair_coverage_pending() {
  cat "$SQUASH_SRC/tests/e2e/lib/repair_pending.txt"
}

# check_coverage FILE PAIRS: one test per kind FILE owns.
check_coverage() {
  local file=$1 recorded=$2 all kind line attr reason missing
  all=$(python3 "$SQUASH_SRC/tests/e2e/lib/diff_attributes.py" "$SQUASH_SRC/extension/src/catalog")
  ok $? "the (kind, attribute) pairs the diff can name are read from the catalog readers" || return
  local kinds orphans="" total=0 covered=0 excepted=0 pending=0 todo stale
  kinds=$(cut -d'|' -f1 <<<"$all" | sort -u)
  while IFS= read -r kind; do
    [ -n "${repair_coverage_owner[$kind]:-}" ] || orphans+=" '$kind'"
  done <<<"$kinds"
  is "$orphans" "" "every kind the diff can name belongs to a repair test"
  while IFS= read -r kind; do
    [ "${repair_coverage_owner[$kind]:-}" = "$file" ] || continue
    missing="" todo="" stale=""
    while IFS='|' read -r _ attr; do
      total=$((total + 1))
      reason=$(repair_coverage_exceptions | awk -F'|' -v k="$kind" -v a="$attr" \
        '($1 == k || $1 == "*") && ($2 == a || $2 == "*") { print $3; exit }')
      if [ -n "$reason" ]; then excepted=$((excepted + 1)); continue; fi
      local named=1
      if [[ $attr == *' *' ]]; then  # a family: any member
        grep -qF -- "$kind|${attr% \*} " "$recorded" && named=0
      else
        grep -qxF -- "$kind|$attr" "$recorded" && named=0
      fi
      if repair_coverage_pending | grep -qxF -- "$kind|$attr"; then
        [ $named -eq 0 ] && stale+=" $attr;" || { todo+=" $attr;"; pending=$((pending + 1)); }
        continue
      fi
      [ $named -eq 0 ] && { covered=$((covered + 1)); continue; }
      missing+=" $attr;"
    done < <(grep -F -- "$kind|" <<<"$all" | awk -F'|' -v k="$kind" '$1 == k')
    is "$missing" "" "$kind: a case for each attribute, added and removed"
    is "$stale" "" "$kind: no pair listed as pending has a case"
    [ -z "$todo" ] || echo "not ok $((tap_n += 1)) - $kind: cases for$todo # TODO pending (repair_pending.txt)"
  done <<<"$kinds"
  diag "$file: $covered of $total pairs covered, $excepted exceptions, $pending pending"
  [ -z "${REPAIR_PAIRS_OUT:-}" ] || cp "$recorded" "$REPAIR_PAIRS_OUT"  # to update the lists
}
