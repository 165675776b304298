#!/usr/bin/env bash
# Installs the Debian 12 packages pg_squash needs to build, test and run its demo.
# Idempotent: installs only what is missing and prints nothing when all is there.
set -euo pipefail

packages=(
  g++ make cmake pkg-config clang-format ccache
  postgresql-15 postgresql-server-dev-15 postgresql-client-15 libpq-dev
  postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl
  libboost-dev libspdlog-dev libfmt-dev libgtest-dev
  libtomlplusplus-dev libcli11-dev nlohmann-json3-dev libxxhash-dev libssl-dev libsystemd-dev
  python3-alembic python3-sqlalchemy python3-psycopg2 python3-websockets
  curl procps util-linux openssl help2man
  dpkg-dev debhelper fakeroot lintian postgresql-server-dev-all man-db
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "install-deps: missing packages (${missing[*]}) and neither root nor sudo" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# A package install may have upgraded the server binaries; clusters started
# before it must be restarted by whoever started them (see scripts/pgcluster.sh).
