#!/usr/bin/env bash
# make deb: the Debian packages postgresql-15-pg-squash and squashd, from a real
# dpkg-buildpackage run on a copy of the source tree (so no build junk is left in it).
#   scripts/deb.sh [OUT_DIR]   default $BUILD_DIR/deb; the .deb, .ddeb, .changes and
#                              .buildinfo files land there, the copy in OUT_DIR/src
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-${BUILD_DIR:-$src/build}/deb}
jobs=${JOBS:-$(nproc)}
version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
upstream=${version%-*}

mkdir -p "$out"
out=$(cd "$out" && pwd)
tree=$out/src/pg-squash-$upstream
rm -rf "$out/src"
rm -f "$out"/*.deb "$out"/*.ddeb "$out"/*.changes "$out"/*.buildinfo
mkdir -p "$tree"

# The tracked and new files as they are in the working tree (not ignored build output).
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  (cd "$src" && git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
    tar --null -T - -cf -) | tar -xf - -C "$tree"
else
  (cd "$src" && tar --exclude-vcs --exclude=./build -cf - .) | tar -xf - -C "$tree"
fi

echo "deb: building $version in $tree"
(cd "$tree" && DEB_BUILD_OPTIONS="parallel=$jobs ${DEB_BUILD_OPTIONS:-}" \
  dpkg-buildpackage -b -us -uc) >"$out/build.log" 2>&1 ||
  { tail -50 "$out/build.log" >&2; echo "deb: dpkg-buildpackage failed, log: $out/build.log" >&2; exit 1; }
# dpkg-buildpackage writes beside the tree; the packages belong in OUT_DIR.
mv "$out"/src/*.deb "$out"/src/*.changes "$out"/src/*.buildinfo "$out"/
mv "$out"/src/*.ddeb "$out"/ 2>/dev/null || true
ls -1 "$out"/*.deb
