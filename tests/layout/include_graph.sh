#!/usr/bin/env bash
# The source folders form a layered graph: no folder-level include cycle in the extension
# or the daemon (scripts/include_graph.py prints the edges and any cycle). Prints TAP.
src=${SQUASH_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
echo "1..2"
check() {  # check N DESCRIPTION [TODO-REASON] -- include_graph.py arguments
  local n=$1 what=$2 todo=$3 out
  shift 4
  if out=$(python3 "$src/scripts/include_graph.py" "$@" 2>&1); then
    echo "ok $n - $what"
  else
    echo "not ok $n - $what${todo:+ # TODO $todo}"
    sed 's/^/# /' <<<"$out" | grep '^# cycle'
  fi
}
check 1 "extension: no folder-level include cycle" "" -- \
  "$src/extension/src" "$src/extension/include/pg_squash" -I "$src/extension/include"
check 2 "daemon: no folder-level include cycle" "" -- "$src/daemon/src"
