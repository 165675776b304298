#!/usr/bin/env bash
# squashctl revisions inspect / squash against real Alembic (python3-alembic 1.8):
# every fixture folder is inspected and its heads compared with `alembic heads`; folders
# are squashed with and without later revisions on top, Alembic accepts the result and
# `alembic upgrade heads` builds the same schema (pg_dump --schema-only) as the original
# chain; every refusal and the dry run leave the folder byte for byte unchanged; an
# alembic.ini with two version locations is read (--config) and squashed.
source "$(dirname "$0")/lib/tap.bash"
work=$(mktemp -d /tmp/e2e_revisions.XXXXXX)
trap 'drop_test_databases; rm -rf "$work"' EXIT
export PYTHONDONTWRITEBYTECODE=1  # Alembic imports the revisions: no __pycache__ in the folders
fixtures=$SQUASH_SRC/tests/fixtures/revision_folders
app=$SQUASH_SRC/tests/fixtures/alembic_app
squashctl=$BUILD_DIR/daemon/squashctl

# An Alembic project in DIR whose versions/ is a copy of FOLDER, subfolders included.
project() {  # project DIR FOLDER
  mkdir -p "$1"
  cp "$app/alembic.ini" "$app/env.py" "$app/script.py.mako" "$1/"
  cp -a "$2" "$1/versions"
}
# Every file of a folder, names and bytes.
checksum() { (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum | sha256sum | cut -d' ' -f1); }
alembic_heads() { alembic_in "$1" e2e_rev_meta heads 2>/dev/null | awk '{print $1}' | LC_ALL=C sort | paste -sd' '; }
our_heads() { "$squashctl" revisions inspect "$1" --json | jq -r '.heads | sort | join(" ")'; }
digest_of() { "$squashctl" revisions inspect "$1" --json | jq -r .digest; }
schema_of() {  # the schema as pg_dump prints it, without \restrict keys and comments
  pg_dump --schema-only --no-owner -d "$1" | grep -vE '^\\(un)?restrict|^--|^$'
}
# A hand-written squashed revision: GEN FILE ID SQL... (each SQL one op.execute).
gen() {
  local file=$1 id=$2; shift 2
  {
    printf '"""squashed baseline %s\n\nRevision ID: %s\nRevises:\n"""\nfrom alembic import op\n\n' "$id" "$id"
    printf 'revision = "%s"\ndown_revision = None\nbranch_labels = None\ndepends_on = None\n\n\n' "$id"
    printf 'def upgrade() -> None:\n'
    for sql in "$@"; do printf '    op.execute("%s")\n' "$sql"; done
    printf '\n\ndef downgrade() -> None:\n    raise NotImplementedError("a squashed baseline")\n'
  } >"$file"
}
# refuse NAME FOLDER EXPECTED_MESSAGE_REGEX SQUASH-ARGS...: exit 1, message, nothing changed
refuse() {
  local name=$1 dir=$2 pattern=$3; shift 3
  local before after out rc
  before=$(checksum "$dir")
  out=$("$squashctl" revisions squash "$dir" "$@" 2>&1); rc=$?
  after=$(checksum "$dir")
  is "$rc" 1 "refused: $name (exit 1)"
  like "$out" "$pattern" "refused: $name (says why)"
  is "$after" "$before" "refused: $name (folder unchanged)"
}

new_database e2e_rev_meta
mkdir -p "$work/gen"

# ---------------------------------------------------------------- inspect vs Alembic
for f in straight_chain two_merges branch_label depends_on duplicate_in_subfolder quoting_styles; do
  project "$work/p_$f" "$fixtures/$f"
  "$squashctl" revisions inspect "$work/p_$f/versions" >"$work/inspect_$f.txt" 2>&1
  ok $? "inspect $f: Alembic would accept it (exit 0)"
  is "$(our_heads "$work/p_$f/versions")" "$(alembic_heads "$work/p_$f")" "inspect $f: same heads as alembic heads"
  alembic_in "$work/p_$f" e2e_rev_meta history >"$work/history_$f.txt" 2>&1
  ok $? "alembic history accepts $f"
  is "$("$squashctl" revisions inspect "$work/p_$f/versions" --json | jq '.revisions | length')" \
     "$(grep -c ' -> ' "$work/history_$f.txt")" "inspect $f: as many revisions as alembic history"
done
like "$(cat "$work/inspect_two_merges.txt")" "merge points: m2m000000002 \(m1a000000001 \+ m1b000000001\), m4m000000004" \
  "two_merges: both merge points found"
like "$(cat "$work/inspect_branch_label.txt")" "branch labels: feature = f1a000000001" "branch_label: the label found"
like "$(cat "$work/inspect_depends_on.txt")" "depends_on: d2b000000002 -> d5s000000001" \
  "depends_on: the edge found (through the branch label 'side')"
like "$(cat "$work/inspect_duplicate_in_subfolder.txt")" \
  "not loaded by Alembic \(in subfolders\): old/s1a000000001_old_copy.py \(revision s1a000000001\)" \
  "duplicate_in_subfolder: the subfolder file is reported as not loaded"
like "$(cat "$work/inspect_duplicate_in_subfolder.txt")" "warning: old/s1a000000001_old_copy.py repeats revision id" \
  "duplicate_in_subfolder: the repeated id is a warning"

# The digest is the sha256sum listing of the folder's *.py files, reproducible from a shell.
shell_digest=$(cd "$work/p_duplicate_in_subfolder/versions" &&
  find . -name '*.py' -not -path '*/__pycache__/*' | sed 's|^\./||' | LC_ALL=C sort |
  while read -r f; do sha256sum "$f"; done | sha256sum | cut -d' ' -f1)
is "$(digest_of "$work/p_duplicate_in_subfolder/versions")" "$shell_digest" "the digest equals sha256sum's listing, hashed"

# Folders Alembic refuses.
project "$work/p_dangling" "$fixtures/dangling"
out=$("$squashctl" revisions inspect "$work/p_dangling/versions" 2>&1)
is "$?" 1 "inspect dangling: refused (exit 1)"
like "$out" "down_revision '9999deadbeef' names no revision" "inspect dangling: names the missing revision"
alembic_in "$work/p_dangling" e2e_rev_meta heads >/dev/null 2>&1
ok $((! $?)) "alembic heads fails on dangling too"

project "$work/p_cycle" "$fixtures/straight_chain"
sed -i "s/^down_revision = None/down_revision = 'c4d000000004'/" "$work/p_cycle/versions/c1a000000001_create_chain_one.py"
out=$("$squashctl" revisions inspect "$work/p_cycle/versions" 2>&1)
is "$?" 1 "inspect cycle: refused (exit 1)"
like "$out" "cycle: " "inspect cycle: reports the cycle"
alembic_in "$work/p_cycle" e2e_rev_meta heads >/dev/null 2>&1
ok $((! $?)) "alembic heads fails on the cycle too"

project "$work/p_dup" "$fixtures/straight_chain"
cp "$work/p_dup/versions/c2b000000002_create_chain_two.py" "$work/p_dup/versions/c2b000000002_copy.py"
out=$("$squashctl" revisions inspect "$work/p_dup/versions" --json)
is "$?" 1 "inspect duplicate ids at the top level: refused (Alembic only warns and keeps one at random)"
is "$(jq -r '.duplicates.c2b000000002 | join(" ")' <<<"$out")" \
  "c2b000000002_copy.py c2b000000002_create_chain_two.py" "the duplicate is reported with both files"

project "$work/p_helper" "$fixtures/straight_chain"
printf 'HELPER = 1\n' >"$work/p_helper/versions/helpers.py"
"$squashctl" revisions inspect "$work/p_helper/versions" >/dev/null 2>&1
is "$?" 1 "inspect: a *.py without a revision is refused"
alembic_in "$work/p_helper" e2e_rev_meta heads >/dev/null 2>&1
ok $((! $?)) "alembic heads fails on it too (Could not determine revision id)"

# ---------------------------------------------------------------- squash with later revisions on top
new_database e2e_rev_chain_orig; new_database e2e_rev_chain_sq
alembic_in "$work/p_straight_chain" e2e_rev_chain_orig upgrade heads >"$work/up.log" 2>&1
ok $? "straight_chain: the original chain builds (alembic upgrade heads)"
gen "$work/gen/000_squashed_complete.py" 000_squashed_complete \
  "CREATE TABLE chain_one (id integer PRIMARY KEY, note text DEFAULT 'x' NOT NULL)" \
  "CREATE TABLE chain_two (id integer PRIMARY KEY, note text DEFAULT 'x' NOT NULL)"
sq=$work/p_chain_sq
project "$sq" "$fixtures/straight_chain"
v=$sq/versions
digest=$(digest_of "$v")
before=$(checksum "$v")
out=$("$squashctl" revisions squash "$v" --upto c2b000000002 --file "$work/gen/000_squashed_complete.py" \
      --dry-run --expect-digest "$digest" 2>&1)
is "$?" 0 "dry run: exit 0"
is "$(checksum "$v")" "$before" "dry run: the folder is unchanged"
like "$out" "would move c1a000000001_create_chain_one.py -> ../archived_revisions/000_squashed_complete/c1a000000001_create_chain_one.py" "dry run: lists the first move (outside the versions folder)"
like "$out" "would move c2b000000002_create_chain_two.py -> ../archived_revisions/000_squashed_complete/c2b000000002_create_chain_two.py" "dry run: lists the second move"
like "$out" "would rewrite c3c000000003_create_chain_three.py line 10: down_revision 'c2b000000002' -> '000_squashed_complete'" \
  "dry run: lists the rewrite, old -> new"
like "$out" "would write 000_squashed_complete.py" "dry run: lists the new file"
is "$("$squashctl" revisions squash "$v" --upto c2b000000002 --file "$work/gen/000_squashed_complete.py" --dry-run --json |
      jq -c '[(.moves | length), (.rewrites | length), .applied]')" "[2,1,false]" "dry run --json: 2 moves, 1 rewrite, not applied"

"$squashctl" revisions squash "$v" --upto c2b000000002 --file "$work/gen/000_squashed_complete.py" \
  --expect-digest "$digest" >"$work/squash.log" 2>&1
ok $? "squash up to c2b000000002 with two revisions on top"
is "$(ls "$sq/archived_revisions/000_squashed_complete" | paste -sd' ')" \
  "c1a000000001_create_chain_one.py c2b000000002_create_chain_two.py" "the replaced files are in ../archived_revisions/000_squashed_complete/"
ok "$([ ! -e "$v/archived" ] && echo 0 || echo 1)" "nothing archived inside the versions folder"
is "$(cd "$v" && ls *.py | paste -sd' ')" \
  "000_squashed_complete.py c3c000000003_create_chain_three.py c4d000000004_create_chain_four.py" "the folder holds the squash and the later revisions"
diff <(sed "s/down_revision = '000_squashed_complete'/down_revision = 'c2b000000002'/" "$v/c3c000000003_create_chain_three.py") \
  "$fixtures/straight_chain/c3c000000003_create_chain_three.py" >/dev/null
ok $? "the rewired revision differs from the original only in that literal"
cmp -s "$v/000_squashed_complete.py" "$work/gen/000_squashed_complete.py"
ok $? "the generated file is written as given"
is "$(our_heads "$v")" "c4d000000004" "inspect after the squash: head c4d000000004"
is "$(alembic_heads "$sq")" "c4d000000004" "alembic heads after the squash: c4d000000004"
alembic_in "$sq" e2e_rev_chain_sq history >/dev/null 2>&1
ok $? "alembic history accepts the squashed folder"
alembic_in "$sq" e2e_rev_chain_sq upgrade heads >"$work/up_sq.log" 2>&1
ok $? "alembic upgrade heads on an empty database"
like "$(schema_of e2e_rev_chain_orig)" "CREATE TABLE public.chain_four" "the schema dump is not empty"
is "$(schema_of e2e_rev_chain_sq | sha256sum)" "$(schema_of e2e_rev_chain_orig | sha256sum)" \
  "straight_chain: the squashed folder builds the same schema (pg_dump --schema-only)"
is "$(q -d e2e_rev_chain_sq -c 'SELECT version_num FROM alembic_version')" "c4d000000004" "and ends at the same head"
refuse "the same squash again (the digest changed)" "$v" "changed since it was inspected" \
  --upto c2b000000002 --file "$work/gen/000_squashed_complete.py" --expect-digest "$digest"

# ---------------------------------------------------------------- squash everything (single head)
new_database e2e_rev_style_orig; new_database e2e_rev_style_sq
alembic_in "$work/p_quoting_styles" e2e_rev_style_orig upgrade heads >"$work/up.log" 2>&1
ok $? "quoting_styles: the original chain builds"
gen "$work/gen/000_styles.py" 000_squashed_complete \
  "CREATE TABLE style_one (id integer PRIMARY KEY)" \
  "CREATE TABLE style_two (id integer PRIMARY KEY, one_id integer REFERENCES style_one, created_at timestamptz DEFAULT now() NOT NULL)" \
  "CREATE INDEX ix_style_two_created_at ON style_two (created_at DESC)"
sq=$work/p_style_sq
project "$sq" "$fixtures/quoting_styles"
"$squashctl" revisions squash "$sq/versions" --file "$work/gen/000_styles.py" >"$work/squash.log" 2>&1
ok $? "quoting_styles: squash of the single head, nothing on top"
is "$(ls "$sq/archived_revisions/000_squashed_complete" | wc -l)" 4 "all four revisions archived"
is "$(alembic_heads "$sq")" "000_squashed_complete" "alembic heads: the squashed revision"
alembic_in "$sq" e2e_rev_style_sq upgrade heads >"$work/up_sq.log" 2>&1
ok $? "alembic upgrade heads on an empty database"
is "$(schema_of e2e_rev_style_sq | sha256sum)" "$(schema_of e2e_rev_style_orig | sha256sum)" \
  "quoting_styles: same schema as the original chain"

# ---------------------------------------------------------------- squash a merge, later revisions on top
new_database e2e_rev_merge_orig; new_database e2e_rev_merge_sq
alembic_in "$work/p_two_merges" e2e_rev_merge_orig upgrade heads >"$work/up.log" 2>&1
ok $? "two_merges: the original history builds"
gen "$work/gen/000_merges.py" 000_squashed_complete \
  "CREATE TABLE merge_base (id integer PRIMARY KEY)" \
  "CREATE TABLE merge_left (id integer PRIMARY KEY REFERENCES merge_base ON DELETE CASCADE)" \
  "CREATE TABLE merge_right (id integer PRIMARY KEY, label varchar(20) DEFAULT 'r')"
sq=$work/p_merge_sq
project "$sq" "$fixtures/two_merges"
out=$("$squashctl" revisions squash "$sq/versions" --upto m2m000000002 --file "$work/gen/000_merges.py" 2>&1)
ok $? "two_merges: squash up to the first merge"
like "$out" "rewrote m3b000000003_create_merge_down.py line 9: down_revision \"m2m000000002\" -> \"000_squashed_complete\"" \
  "the one-element tuple is rewired, its quotes kept"
grep -q '^down_revision = ("000_squashed_complete",)$' "$sq/versions/m3b000000003_create_merge_down.py"
ok $? "the tuple keeps its form"
is "$(alembic_heads "$sq")" "m4m000000004" "alembic heads after the squash: m4m000000004"
alembic_in "$sq" e2e_rev_merge_sq upgrade heads >"$work/up_sq.log" 2>&1
ok $? "alembic upgrade heads on an empty database"
is "$(schema_of e2e_rev_merge_sq | sha256sum)" "$(schema_of e2e_rev_merge_orig | sha256sum)" \
  "two_merges: same schema as the original history"

# ---------------------------------------------------------------- depends_on: the dependency is squashed too
new_database e2e_rev_dep_orig; new_database e2e_rev_dep_sq
alembic_in "$work/p_depends_on" e2e_rev_dep_orig upgrade heads >"$work/up.log" 2>&1
ok $? "depends_on: the original history builds"
gen "$work/gen/000_deps.py" 000_squashed_complete \
  "CREATE TABLE dep_users (id integer PRIMARY KEY)" \
  "CREATE TABLE dep_lookup (code text PRIMARY KEY)" \
  "CREATE TABLE dep_orders (id integer PRIMARY KEY, user_id integer REFERENCES dep_users ON DELETE SET NULL, code text REFERENCES dep_lookup)"
sq=$work/p_dep_sq
project "$sq" "$fixtures/depends_on"
"$squashctl" revisions squash "$sq/versions" --upto d2b000000002 --file "$work/gen/000_deps.py" >"$work/squash.log" 2>&1
ok $? "depends_on: squash up to d2b000000002 takes the side branch it depends on"
is "$(ls "$sq/archived_revisions/000_squashed_complete" | wc -l)" 3 "all three revisions archived"
alembic_in "$sq" e2e_rev_dep_sq upgrade heads >"$work/up_sq.log" 2>&1
ok $? "alembic upgrade heads on an empty database"
is "$(schema_of e2e_rev_dep_sq | sha256sum)" "$(schema_of e2e_rev_dep_orig | sha256sum)" \
  "depends_on: same schema as the original history"

# ---------------------------------------------------------------- refusals
g=$work/gen/000_squashed_complete.py
project "$work/r_label" "$fixtures/branch_label"
refuse "several heads and no --upto" "$work/r_label/versions" "2 heads \(f2b000000002, r3c000000003\)" --file "$g"
refuse "a branch that started before REV continues after it" "$work/r_label/versions" \
  "f1a000000001 .*down_revision names r2b000000002.*not closed" --upto r3c000000003 --file "$g"
refuse "an unknown --upto" "$work/r_label/versions" "no revision with that id" --upto feature --file "$g"
project "$work/r_dep" "$fixtures/depends_on"
refuse "REV is not an ancestor of every remaining revision" "$work/r_dep/versions" \
  "d5s000000001 .* does not descend from d1a000000001" --upto d1a000000001 --file "$g"
refuse "the folder is not valid (dangling down_revision)" "$work/p_dangling/versions" \
  "not a history Alembic accepts" --upto g1a000000001 --file "$g"
project "$work/r_chain" "$fixtures/straight_chain"
rv=$work/r_chain/versions
old_digest=$(digest_of "$rv")
printf '# edited after inspect\n' >>"$rv/c4d000000004_create_chain_four.py"
refuse "the folder changed since inspect" "$rv" "changed since it was inspected" --file "$g" --expect-digest "$old_digest"
cat >"$work/gen/bad_down.py" <<'PY'
revision = "000_squashed_complete"
down_revision = "c1a000000001"
PY
refuse "the generated file's down_revision is not None" "$rv" "down_revision must be None" --file "$work/gen/bad_down.py"
printf 'def upgrade():\n    pass\n' >"$work/gen/no_revision.py"
refuse "the generated file has no revision" "$rv" "no module-level .revision." --file "$work/gen/no_revision.py"
printf 'revision = "000_squashed_complete\ndown_revision = None\n' >"$work/gen/broken.py"
refuse "the generated file does not tokenize" "$rv" "unterminated string" --file "$work/gen/broken.py"
gen "$work/gen/clash.py" c4d000000004 "SELECT 1"
refuse "the generated id is a remaining revision's" "$rv" "already used by c4d000000004" --upto c2b000000002 --file "$work/gen/clash.py"
mkdir -p "$rv/../archived_revisions/000_squashed_complete" &&
  printf 'old\n' >"$rv/../archived_revisions/000_squashed_complete/c1a000000001_create_chain_one.py"
refuse "a name in the archive is taken" "$rv" "archived_revisions/000_squashed_complete/c1a000000001_create_chain_one.py already exists" --file "$g"
rm -r "$rv/../archived_revisions"
refuse "--archive-dir inside the versions folder" "$rv" "is inside the version location" --file "$g" --archive-dir "$rv/old"
cat >"$rv/c5e000000005_depends_on_the_middle.py" <<'PY'
revision = "c5e000000005"
down_revision = "c4d000000004"
branch_labels = None
depends_on = ("c1a000000001",)
PY
refuse "a dependency into the middle of the replaced set" "$rv" \
  "c5e000000005 .*depends_on names c1a000000001.*not closed" --upto c2b000000002 --file "$g"
cp "$g" "$work/gen/c4d000000004_create_chain_four.py"
refuse "the generated file's name is taken by a remaining revision" "$rv" \
  "c4d000000004_create_chain_four.py already exists" --upto c2b000000002 --file "$work/gen/c4d000000004_create_chain_four.py"
# A file Python reads differently from "the last assignment": c3 sits on c1 for Python
# (two heads), the trailing one-line `if` names c2. Read naively, --upto c2 would archive
# c1 under c3 and report success.
project "$work/r_hostile" "$fixtures/straight_chain"
hv=$work/r_hostile/versions
sed -i "s/^down_revision = 'c2b000000002'/down_revision = 'c1a000000001'/" "$hv/c3c000000003_create_chain_three.py"
printf "if False: pass; down_revision = 'c2b000000002'\n" >>"$hv/c3c000000003_create_chain_three.py"
hline=$(wc -l <"$hv/c3c000000003_create_chain_three.py")
is "$(alembic_heads "$work/r_hostile")" "c2b000000002 c4d000000004" "alembic reads c3 on c1 (two heads)"
out=$("$squashctl" revisions inspect "$hv" 2>&1)
is "$?" 1 "inspect: a down_revision after 'if False: pass;' is refused (exit 1)"
like "$out" "c3c000000003_create_chain_three.py: line $hline: down_revision cannot be read: it shares its line with a one-line .if. statement" \
  "inspect: names file, line and why"
refuse "a revision file that cannot be read exactly" "$hv" \
  "c3c000000003_create_chain_three.py: line $hline: down_revision cannot be read" --upto c2b000000002 --file "$g"

# ---------------------------------------------------------------- --config: two version locations
# alembic.ini names two folders (version_path_separator = os) and asks for recursive
# loading (Alembic >= 1.10; Debian's 1.8 ignores the key). The chain alternates between
# them; the squash archives outside both, and real Alembic sees one clean chain.
new_database e2e_rev_two_orig; new_database e2e_rev_two_sq
tp=$work/p_two
mkdir -p "$tp/versions_a" "$tp/versions_b"
cp "$app/env.py" "$app/script.py.mako" "$tp/"
sed 's|^script_location = %(here)s$|script_location = %(here)s\nversion_path_separator = os\nversion_locations = %(here)s/versions_a:%(here)s/versions_b\nrecursive_version_locations = true|' \
  "$app/alembic.ini" >"$tp/alembic.ini"
cp "$fixtures/straight_chain/"c1a*.py "$fixtures/straight_chain/"c3c*.py "$tp/versions_a/"
cp "$fixtures/straight_chain/"c2b*.py "$fixtures/straight_chain/"c4d*.py "$tp/versions_b/"
out=$("$squashctl" revisions inspect --config "$tp/alembic.ini" 2>&1)
is "$?" 0 "inspect --config: Alembic would accept the two locations (exit 0)"
like "$out" "version locations: versions_a, versions_b \(recursive\)" "inspect --config: lists both locations"
is "$("$squashctl" revisions inspect --config "$tp/alembic.ini" --json | jq -r '.heads | join(" ")')" \
  "$(alembic_heads "$tp")" "inspect --config: same heads as alembic heads"
alembic_in "$tp" e2e_rev_two_orig upgrade heads >"$work/up.log" 2>&1
ok $? "two locations: the original chain builds"
out=$("$squashctl" revisions squash --config "$tp/alembic.ini" --upto c2b000000002 \
      --file "$work/gen/000_squashed_complete.py" 2>&1)
is "$?" 0 "squash --config across two version locations" || diag "$out"
like "$out" "moved versions_b/c2b000000002_create_chain_two.py -> archived_revisions/000_squashed_complete/versions_b/c2b000000002_create_chain_two.py" \
  "the archive is <script_location>/archived_revisions/<id>/, outside both locations"
like "$out" "rewrote versions_a/c3c000000003_create_chain_three.py line 10" "the later revision in the other location is rewired"
is "$(cd "$tp" && find versions_a versions_b -name '*.py' | LC_ALL=C sort | paste -sd' ')" \
  "versions_a/c3c000000003_create_chain_three.py versions_b/000_squashed_complete.py versions_b/c4d000000004_create_chain_four.py" \
  "the squashed revision sits beside the last replaced one; nothing archived inside a location"
is "$(alembic_heads "$tp")" "c4d000000004" "alembic heads after the squash: one head"
alembic_in "$tp" e2e_rev_two_sq history >"$work/history_two.txt" 2>&1
ok $? "alembic history accepts the squashed locations"
is "$(grep -c '<base>' "$work/history_two.txt")" 1 "alembic history: one base"
is "$(grep -c ' -> ' "$work/history_two.txt")" 3 "alembic history: one chain of three revisions"
alembic_in "$tp" e2e_rev_two_sq upgrade head >"$work/up_two.log" 2>&1
ok $? "alembic upgrade head on an empty database"
is "$(schema_of e2e_rev_two_sq | sha256sum)" "$(schema_of e2e_rev_two_orig | sha256sum)" \
  "two locations: the squashed chain builds the same schema"
out=$("$squashctl" revisions squash --config "$tp/alembic.ini" --file "$work/gen/000_styles.py" \
      --archive-dir "$tp/versions_a/archived" 2>&1)
is "$?" 1 "--archive-dir inside a version location is refused"
like "$out" "is inside the version location .*versions_a" "and says which location"
sed -i 's/^\[alembic\]$/[other]/' "$tp/alembic.ini"
out=$("$squashctl" revisions inspect --config "$tp/alembic.ini" 2>&1)
is "$?" 1 "inspect --config without an [alembic] section: exit 1"
like "$out" "no \[alembic\] section" "and says so"
is "$("$squashctl" revisions inspect --config "$tp/alembic.ini" -n other --json | jq -r '.heads | join(" ")')" \
  "c4d000000004" "-n other reads the [other] section, like alembic -n"

"$squashctl" revisions squash 2>/dev/null
is "$?" 64 "usage error: exit 64"

done_testing
