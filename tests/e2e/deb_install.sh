#!/usr/bin/env bash
# The Debian packages (make deb) installed system-wide with apt-get and used as installed:
# a fresh cluster of the system PostgreSQL 15 creates the extension from the package's
# files (and updates 0.1.0 to 0.2.0 with its update script), the squash flow runs on it
# (snapshot, copy with the installed squashctl, a drifted stamp refused, the guarded stamp,
# validation), the installed squashd runs as the package's system user and takes a
# verified backup, lintian finds no error, and purging removes the packages.
#
# Builds the packages with scripts/deb.sh (dpkg-buildpackage, minutes) unless DEB_DIR
# names a folder that holds them. Root only: the one test that installs system-wide.
# The system server had pg_squash from `make install` before; removing the package
# deletes those files, so the exit trap purges and puts `make install`'s files back.
source "$(dirname "$0")/lib/tap.bash"
source "$(dirname "$0")/lib/squashd.bash"

if [ "$(id -u)" -ne 0 ]; then
  echo "1..0 # SKIP installs packages system-wide: needs root"
  exit 0
fi
for tool in apt-get dpkg-buildpackage lintian pg_buildext; do
  command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool missing (scripts/install-deps.sh)"; exit 0; }
done

pgbin=/usr/lib/postgresql/15/bin
export PATH=$pgbin:$PATH
work=$(mktemp -d /tmp/e2e_deb.XXXXXX)
chmod 755 "$work"
daemon_pid=
so=/usr/lib/postgresql/15/lib/pg_squash.so
# Whether `make install` had put the extension into the system server (no package owns it).
make_installed=
[ -e "$so" ] && ! dpkg-query -S "$so" >/dev/null 2>&1 && make_installed=1
packages=(squashd postgresql-15-pg-squash)

installed() { [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]; }
# Back to the state before the test: no package, `make install`'s files where they were.
restore() {
  local p
  for p in "${packages[@]}"; do
    installed "$p" && DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "$p" >/dev/null 2>&1
  done
  [ -z "$make_installed" ] || make -C "$SQUASH_SRC/extension" -s install >/dev/null 2>&1
}
cleanup() {
  [ -n "$daemon_pid" ] && { kill "$daemon_pid" 2>/dev/null; wait "$daemon_pid" 2>/dev/null; }
  "$SQUASH_SRC/scripts/pgcluster.sh" stop "$work/cluster" >/dev/null 2>&1
  [ -n "$restored" ] || restore
  rm -rf "$work"
}
restored=
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the packages: prebuilt or built now
if [ -n "${DEB_DIR:-}" ]; then
  debs=$(cd "$DEB_DIR" && pwd)
  diag "packages from DEB_DIR=$debs"
else
  debs=$work/deb
  start=$SECONDS
  JOBS=${JOBS:-2} "$SQUASH_SRC/scripts/deb.sh" "$debs" >"$work/deb.out" 2>&1
  ok $? "scripts/deb.sh (dpkg-buildpackage) builds the packages in $((SECONDS - start)) s" ||
    diag "$(tail -20 "$work/deb.out")"
fi
ext_deb=$(ls "$debs"/postgresql-15-pg-squash_*.deb 2>/dev/null | head -1)
daemon_deb=$(ls "$debs"/squashd_*.deb 2>/dev/null | head -1)
ok "$([ -f "$ext_deb" ] && [ -f "$daemon_deb" ]; echo $?)" "postgresql-15-pg-squash and squashd .deb files exist"
[ -f "$ext_deb" ] && [ -f "$daemon_deb" ] || { done_testing; exit 1; }
like "$(dpkg-deb -f "$ext_deb" Version) $(dpkg-deb -f "$daemon_deb" Version)" "^0\.2\.0-1 0\.2\.0-1$" \
  "both are version 0.2.0-1"

# --- lintian: no error (warnings are listed)
changes=$(ls "$debs"/*.changes 2>/dev/null | head -1)
if [ -n "$changes" ]; then lint=("$changes"); else lint=("$ext_deb" "$daemon_deb"); fi
lintian --fail-on error --no-tag-display-limit "${lint[@]}" >"$work/lintian.out" 2>&1
ok $? "lintian --fail-on error on $(basename "${lint[0]}")" || diag "$(grep -E '^E:' "$work/lintian.out")"
diag "lintian: $(grep -c '^E:' "$work/lintian.out") errors, $(grep -c '^W:' "$work/lintian.out") warnings"
while IFS= read -r line; do diag "$line"; done < <(grep '^W:' "$work/lintian.out")

# --- install
(cd "$debs" && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
  "./$(basename "$ext_deb")" "./$(basename "$daemon_deb")") >"$work/apt.out" 2>&1
ok $? "apt-get install ./postgresql-15-pg-squash_*.deb ./squashd_*.deb" || diag "$(tail -5 "$work/apt.out")"
installed postgresql-15-pg-squash && installed squashd
ok $? "both packages are installed"
for f in "$so" /usr/share/postgresql/15/extension/pg_squash.control \
         /usr/share/postgresql/15/extension/pg_squash--0.2.0.sql \
         /usr/share/postgresql/15/extension/pg_squash--0.1.0--0.2.0.sql; do
  is "$(dpkg-query -S "$f" 2>/dev/null | cut -d: -f1)" postgresql-15-pg-squash "$f comes from the package"
done
for f in /usr/bin/squashd /usr/bin/squashctl /lib/systemd/system/squashd.service \
         /usr/share/doc/squashd/examples/squashd.example.toml; do
  is "$(dpkg-query -S "$f" 2>/dev/null | cut -d: -f1)" squashd "$f comes from the package"
done

# --- squashd: the user, the directories the unit expects, the unit's paths, not enabled
like "$(getent passwd squashd)" "^squashd:x:[0-9]+:[0-9]+:.*:/var/lib/squashd:/usr/sbin/nologin$" \
  "postinst created the system user squashd (home /var/lib/squashd, no login)"
is "$(stat -c '%U %a' /etc/squashd /etc/squashd/token /var/backups/squashd | tr '\n' ' ')" \
  "squashd 700 squashd 600 squashd 700 " "/etc/squashd, its API token and /var/backups/squashd belong to squashd"
unit=/lib/systemd/system/squashd.service
is "$(sed -n 's/^User=//p; s/^Group=//p' "$unit" | tr '\n' ' ')" "squashd squashd " "the unit runs as User=squashd Group=squashd"
missing=
for path in $(sed -nE 's/^Exec(Start|StartPre)=([^ ]+).*/\2/p; s|^Documentation=file://||p' "$unit"); do
  [ -e "$path" ] || missing+=" $path"
done
is "${missing:-none}" none "every program and document the unit names is installed"
grep -q -- '--config /etc/squashd/squashd.toml' "$unit"
ok $? "the unit reads /etc/squashd/squashd.toml, squashd's default --config"
ok "$([ ! -e /etc/systemd/system/multi-user.target.wants/squashd.service ]; echo $?)" \
  "the unit is not enabled: nothing runs before a configuration exists"
/usr/bin/squashd --help >"$work/help" 2>&1
ok $? "squashd --help"
like "$(/usr/bin/squashd --version 2>&1)" "0\.2\.0" "squashd --version says 0.2.0"
/usr/bin/squashctl --help >/dev/null 2>&1
ok $? "squashctl --help"
if grep -qs 'path-exclude=*/usr/share/man' /etc/dpkg/dpkg.cfg.d/*; then
  # Minimal images tell dpkg to drop man pages: check the package carries them.
  ok "$(dpkg-deb -c "$daemon_deb" | grep -c 'usr/share/man/man1/squash\(d\|ctl\)\.1' | grep -qx 2; echo $?)" \
    "squashd.1 and squashctl.1 are in the package (this system's dpkg drops man pages)"
else
  # MANPATH: a `make install` into /usr/local would be found first.
  like "$(MANPATH=/usr/share/man man -w squashd) $(MANPATH=/usr/share/man man -w squashctl)" \
    "^/usr/share/man/man1/squashd\.1\.gz /usr/share/man/man1/squashctl\.1\.gz$" \
    "man -w finds the packaged squashd(1) and squashctl(1)"
fi

# --- a fresh cluster of the system PostgreSQL 15 with the packaged extension
eval "$("$SQUASH_SRC/scripts/pgcluster.sh" start "$work/cluster")"
ok $? "a fresh cluster of $pgbin"
is "$(q -c "SELECT setting FROM pg_settings WHERE name = 'data_directory'")" "$work/cluster/data" "psql talks to it"
new_database deb_update
q -d deb_update -c "CREATE EXTENSION pg_squash VERSION '0.1.0'" -c "ALTER EXTENSION pg_squash UPDATE" >/dev/null
is "$(q -d deb_update -c "SELECT extversion FROM pg_extension WHERE extname = 'pg_squash'")" 0.2.0 \
  "CREATE EXTENSION pg_squash VERSION '0.1.0' then ALTER EXTENSION UPDATE: 0.2.0"

# --- the squash flow against the installed files
app=$SQUASH_SRC/tests/fixtures/alembic_app
conn() { echo "host=$PGHOST port=$PGPORT user=postgres dbname=$1"; }
new_database deb_prod && new_database deb_scratch
make_alembic_project "$work/chain" "$app/versions"
alembic_in "$work/chain" deb_prod upgrade head >"$work/chain.log" 2>&1 &&
  q -d deb_prod -f "$app/sample_data.sql" >/dev/null &&
  q -d deb_prod -c "CREATE EXTENSION pg_squash" >/dev/null
ok $? "production built by the Alembic chain, CREATE EXTENSION pg_squash"
head_rev=$(q -d deb_prod -c "SELECT version_num FROM alembic_version")
mkdir -p "$work/generated"
q -d deb_prod -c "SELECT squash_generate_migration('000_squashed_complete', 'alembic')" \
  >"$work/generated/000_squashed_complete.py"
make_alembic_project "$work/squashed" "$work/generated"
alembic_in "$work/squashed" deb_scratch upgrade head >"$work/scratch.log" 2>&1 &&
  q -d deb_scratch -c "CREATE EXTENSION pg_squash" -c "SELECT squash_snapshot('squashed')" >/dev/null
ok $? "the generated squashed revision builds the scratch database; snapshot 'squashed'"
# A drifted snapshot: the scratch schema with one default lost.
q -d deb_scratch -c "ALTER TABLE gene_curations ALTER COLUMN status DROP DEFAULT" \
  -c "SELECT squash_snapshot('drifted')" >/dev/null
for label in squashed drifted; do
  /usr/bin/squashctl snapshot copy --from "$(conn deb_scratch)" --to "$(conn deb_prod)" "$label" >/dev/null 2>"$work/copy.err"
  ok $? "/usr/bin/squashctl snapshot copy moves '$label' to production" || diag "$(cat "$work/copy.err")"
done
err=$(q -d deb_prod -c "SELECT squash_stamp('000_squashed_complete', expect => 'drifted')" 2>&1)
ok $((! $?)) "the stamp against the drifted snapshot is refused"
like "$err" "gene_curations\.status" "naming the column that lost its default"
is "$(q -d deb_prod -c "SELECT string_agg(version_num, ',') FROM alembic_version")" "$head_rev" \
  "alembic_version is untouched"
is "$(q -d deb_prod -c "SELECT squash_stamp('000_squashed_complete', expect => 'squashed')" 2>&1)" "$head_rev" \
  "the guarded stamp against 'squashed' succeeds and returns the previous head"
is "$(q -d deb_prod -c "SELECT string_agg(check_name || '=' || status, ',' ORDER BY check_name)
                       FROM squash_validate('squashed') WHERE check_name IN ('schema_fingerprint', 'version_table')")" \
  "schema_fingerprint=pass,version_table=pass" "squash_validate: schema and version table pass"

# --- the installed squashd, as the package's user, takes a verified backup
install -d -o squashd -g squashd -m 700 "$work/state" "$work/backups"
token=deb-e2e-$RANDOM$RANDOM
echo "$token" >"$work/token"
chown squashd: "$work/token"
chmod 600 "$work/token"
pick_api_port
cat >"$work/squashd.toml" <<TOML
[daemon]
listen = "127.0.0.1:$api_port"
token_file = "$work/token"
state_dir = "$work/state"

[[target]]
name = "prod"
conninfo = "host=127.0.0.1 port=$PGPORT user=postgres dbname=deb_prod"
backup_dir = "$work/backups/prod"
TOML
chmod 644 "$work/squashd.toml"
setpriv --reuid squashd --regid squashd --init-groups /usr/bin/squashd --config "$work/squashd.toml" \
  2>"$work/squashd.err" &
daemon_pid=$!
ctl() { /usr/bin/squashctl --url "$url" --token-file "$work/token" "$@"; }
for _ in $(seq 100); do ctl health >/dev/null 2>&1 && break; sleep 0.1; done
is "$(ps -o user= -p "$daemon_pid")" squashd "/usr/bin/squashd runs as user squashd"
run=$(ctl run prod backup --wait 2>"$work/wait.err")
ok $? "squashctl run prod backup --wait: the backup succeeds" || diag "$(tail -3 "$work/wait.err" "$work/squashd.err")"
run=${run%%$'\n'*}  # the id; --wait then shows the run
like "$(ctl backups prod 2>&1)" "/${run:-no run}" "squashctl backups prod lists it"
kill "$daemon_pid"; wait "$daemon_pid" 2>/dev/null; daemon_pid=

# --- purge
"$SQUASH_SRC/scripts/pgcluster.sh" stop "$work/cluster" >/dev/null 2>&1
DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "${packages[@]}" >"$work/purge.out" 2>&1
ok $? "apt-get purge squashd postgresql-15-pg-squash" || diag "$(tail -5 "$work/purge.out")"
ok "$(! installed squashd && ! installed postgresql-15-pg-squash; echo $?)" "neither is installed any more"
ok "$([ ! -e /usr/bin/squashd ] && [ ! -e "$so" ] && [ ! -e /etc/squashd/token ]; echo $?)" \
  "the programs, the extension and the generated token are gone"
if [ -n "$make_installed" ]; then
  restore
  ok $? "make -C extension install puts the extension the suite installed back into $so"
  restored=1
fi

done_testing
