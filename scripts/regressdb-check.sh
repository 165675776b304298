#!/usr/bin/env bash
# PostgreSQL's own regression database as a test bed for pg_squash (issue 15). Not part of
# make check: it fetches PostgreSQL's source and runs its regression schedule (minutes).
#   scripts/regressdb-check.sh [WORKDIR]          (default /tmp/regressdb-check)
# Needs pg_squash installed into the server pg_config names, and either PGSRC=<a
# postgresql-15 source tree> or root and Debian's deb-src archive (apt-get source; the
# deb-src entry is added for the fetch and removed again). Builds the "regression"
# database on a throwaway cluster, then prints: the unmodelled objects, the differences of
# a pg_dump/pg_restore copy, and the generator's round trip (errors and differences), with
# timings. Skips (exit 0) with a message when the source cannot be had.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/tmp/regressdb-check}
mkdir -p "$work"
bindir=$(pg_config --bindir)
major=$(pg_config --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
pg_regress="$(dirname "$(pg_config --pgxs)")/../test/regress/pg_regress"

skip() { echo "regressdb-check: skipped: $*"; exit 0; }
now() { date +%s.%N; }
took() { printf '%.1f s' "$(echo "$(now) - $1" | bc)"; }

src=${PGSRC:-}
if [ -z "$src" ]; then
  [ "$(id -u)" -eq 0 ] || skip "PGSRC not set and not root (apt-get source needs the deb-src archive)"
  list=/etc/apt/sources.list.d/debian.sources
  [ -f "$list" ] || skip "no $list to take the deb-src entry from"
  extra=/etc/apt/sources.list.d/pg-squash-regressdb-src.sources
  restore_apt() { rm -f "$extra"; apt-get update -qq >/dev/null 2>&1 || true; }
  trap restore_apt EXIT
  sed 's/^Types: deb$/Types: deb-src/' "$list" >"$extra"
  apt-get update -qq >/dev/null 2>&1 || skip "apt-get update failed"
  mkdir -p "$work/src" && cd "$work/src"
  # The newest version first; a mirror may lack it (then the one before).
  fetched=
  for v in $(apt-cache showsrc "postgresql-$major" | sed -n 's/^Version: //p' | sort -rV); do
    if apt-get source -qq --download-only "postgresql-$major=$v" >/dev/null 2>&1; then
      fetched=$v
      break
    fi
  done
  [ -n "$fetched" ] || skip "apt-get source postgresql-$major failed"
  rm -rf pg && dpkg-source -x "postgresql-${major}_${fetched}.dsc" pg >/dev/null 2>&1
  restore_apt
  trap - EXIT
  src="$work/src/pg"
fi
[ -f "$src/src/test/regress/parallel_schedule" ] || skip "$src is not a PostgreSQL source tree"
[ -x "$pg_regress" ] || skip "no pg_regress at $pg_regress (postgresql-server-dev)"

# regress.so and the contrib/spi modules its tests load.
mods="$work/mods"
mkdir -p "$mods"
cp "$src/src/test/regress/regress.c" "$src/contrib/spi/autoinc.c" "$src/contrib/spi/refint.c" "$mods/"
printf 'MODULES = regress autoinc refint\nPG_CONFIG = %s\nPGXS := $(shell $(PG_CONFIG) --pgxs)\ninclude $(PGXS)\n' \
  "$(command -v pg_config)" >"$mods/Makefile"
make -s -C "$mods" >/dev/null
chmod -R a+rX "$src" "$mods"

# The schedule runs on a copy of the test directory. A psql newer than the tests reads
# the lines after a COPY FROM STDIN that fails at once as its data, up to the next "\.",
# swallowing statements: such a COPY gets its "\." (where the tests lack it).
regress="$work/regress"
rm -rf "$regress" && cp -a "$src/src/test/regress" "$regress"
python3 - "$regress"/sql/*.sql <<'PY'
import re, sys
copy = re.compile(r"^\s*\\?copy\b.*\bfrom\s+stdin\b.*;\s*(--.*)?$", re.I)
statement = re.compile(
    r"^\s*($|--|\\[a-z]|(select|create|insert|update|delete|copy|drop|alter|grant|revoke|set|"
    r"reset|begin|commit|rollback|end|truncate|with|table|values|explain|prepare|execute|"
    r"savepoint|release|do|analyze|vacuum|lock|comment|reindex|refresh|call|show)\b)", re.I)
for path in sys.argv[1:]:
    lines = open(path).read().split("\n")
    out = []
    for i, line in enumerate(lines):
        out.append(line)
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if copy.match(line) and not line.rstrip().endswith("\\;") and statement.match(nxt):
            out.append("\\.")
    open(path, "w").write("\n".join(out))
PY
chmod -R a+rX "$regress"

cluster="$work/cluster"
"$here/scripts/pgcluster.sh" stop "$cluster" >/dev/null 2>&1 || true
eval "$("$here/scripts/pgcluster.sh" start "$cluster")"
trap '"$here/scripts/pgcluster.sh" stop "$cluster"' EXIT
out="$work/run"
rm -rf "$out" && mkdir -p "$out/results" && chmod 777 "$out" "$out/results"

t=$(now)
(cd "$regress" && "$pg_regress" --inputdir=. --bindir="$bindir" --dlpath="$mods" \
  --outputdir="$out" --schedule=parallel_schedule --host="$PGHOST" --port="$PGPORT" \
  --max-connections=6 >"$out/log.txt" 2>&1) || true
echo "regression database built ($(took "$t")): $(grep -E 'tests (passed|failed)' "$out/log.txt" | tr -s ' ')"

psql -q -d regression -c 'CREATE EXTENSION pg_squash'
t=$(now)
psql -q -d regression -Atc "SELECT squash_snapshot('orig')" >/dev/null
echo "snapshot ($(took "$t")): $(psql -d regression -Atc "SELECT object_count FROM squash.snapshots WHERE label = 'orig'") objects"
echo "== unmodelled"
psql -d regression -Atc "SELECT o->>'identity' || ' (' || (o->'attrs'->>'type') || ')'
  FROM jsonb_array_elements(squash_snapshot_export('orig')->'objects') o
  WHERE o->>'kind' = 'unmodelled' ORDER BY 1" | tee "$work/unmodelled.txt"

echo "== pg_dump / pg_restore copy"
t=$(now)
pg_dump -Fc -d regression -f "$work/regression.dump"
createdb regression_copy
pg_restore -d regression_copy "$work/regression.dump" 2>"$work/restore.err" || true
psql -q -d regression_copy -Atc "SELECT squash_snapshot('copy')" >/dev/null
echo "dump, restore, snapshot: $(took "$t"), restore errors: $(grep -c 'ERROR' "$work/restore.err" || true)"
psql -d regression_copy -Atc "SELECT kind, identity, change, detail FROM squash_diff('orig', 'copy') ORDER BY 1, 2" |
  tee "$work/dump-diff.txt"

echo "== generator round trip"
t=$(now)
psql -d regression -Atc "SELECT squash_generate_migration(format => 'sql', allow_partial => true, with_owners => true)" >"$work/generated.sql"
createdb regression_gen
psql -q -d regression_gen -c 'CREATE EXTENSION pg_squash'
psql -q -d regression_gen -v ON_ERROR_STOP=0 -f "$work/generated.sql" >"$work/apply.log" 2>&1 || true
psql -q -d regression_gen -Atc "SELECT squash_snapshot('gen')" >/dev/null
psql -d regression_gen -Atc "SELECT squash_snapshot_export('gen')" >"$work/gen.json"
# Through a psql variable: the document is too large for a command line.
psql -q -d regression -v ON_ERROR_STOP=1 >/dev/null <<SQL
\set doc \`cat $work/gen.json\`
SELECT squash_snapshot_import(:'doc'::jsonb, 'gen');
SQL
echo "generate, apply, snapshot: $(took "$t"), statements that failed: $(grep -c 'ERROR:' "$work/apply.log" || true) (first: $(grep -m1 'ERROR:' "$work/apply.log" || echo none))"
psql -d regression -Atc "SELECT kind, identity, change, detail FROM squash_diff('orig', 'gen') ORDER BY 1, 2" |
  tee "$work/roundtrip-diff.txt"

echo "regressdb-check: unmodelled $(wc -l <"$work/unmodelled.txt"), dump/restore differences $(wc -l <"$work/dump-diff.txt"), round-trip differences $(wc -l <"$work/roundtrip-diff.txt") (details in $work)"
