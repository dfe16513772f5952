#!/usr/bin/env bash
# Runs every suite — unit tests under Deno and under Bun, integration tests
# against the sources under Deno and against the compiled dist/runt, and the
# cgroup v2 + systemd guest's batch (tests/vm) — and ends with one line
# "N passed, N failed, N skipped" over all of them.
set -uo pipefail
cd "$(dirname "$0")/.."
# The user-namespace, rootless and idmapped-mount tests run processes as other users, which must
# be able to enter the checkout (a clone into `mktemp -d` is 0700).
chmod a+x .
export NO_COLOR=1
BIN=node_modules/.bin
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
passed=0 failed=0 skipped=0 broken=""

# suite NAME RUNNER CMD... : runs one suite, adds its counts to the totals.
suite() {
  local name=$1 runner=$2; shift 2
  echo "=== $name"
  "$@" 2>&1 | tee "$log/$name"
  local rc=${PIPESTATUS[0]} p=0 f=0 s=0
  if [ "$runner" = deno ]; then
    local line; line=$(grep -E '^(ok|FAILED) \| ' "$log/$name" | tail -1)
    p=$(sed -nE 's/.* ([0-9]+) passed( \(([0-9]+) steps?\))?.*/\1 \3/p' <<<"$line" | awk '{print $1+$2}')
    f=$(sed -nE 's/.* ([0-9]+) failed( \(([0-9]+) steps?\))?.*/\1 \3/p' <<<"$line" | awk '{print $1+$2}')
    s=$(sed -nE 's/.* ([0-9]+) ignored( \(([0-9]+) steps?\))?.*/\1 \3/p' <<<"$line" | awk '{print $1+$2}')
  else
    p=$(sed -nE 's/^ *([0-9]+) pass$/\1/p' "$log/$name" | tail -1)
    f=$(sed -nE 's/^ *([0-9]+) fail$/\1/p' "$log/$name" | tail -1)
    s=$(sed -nE 's/^ *([0-9]+) skip$/\1/p' "$log/$name" | tail -1)
  fi
  p=${p:-0} f=${f:-0} s=${s:-0}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi # a crash counts as a failure
  [ "$rc" -ne 0 ] && broken="$broken $name"
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
  echo "--- $name: $p passed, $f failed, $s skipped"
}

# The cgroup v2 guest's batch runs beside the other suites, from the start: it is a machine of its
# own (kernel, cgroups, containers), and it spends most of its time in one emulated CPU, so on two
# cores it overlaps the host's suites nearly whole (they were 6 of 17 minutes one after the other).
# Its guest is built first (the first time on a machine; debootstrap mostly waits on the mirror);
# tests/vm/run.sh builds it itself if that failed. Its output is printed as the last suite.
(
  bash tests/vm/image.sh >"$log/vm-image" 2>&1 || { echo "=== building the test guest failed:"; tail -30 "$log/vm-image"; }
  bash tests/vm/run.sh
  echo $? >"$log/vm-status"
) >"$log/vm-output" 2>&1 &
vm_batch=$!

suite unit-deno deno "$BIN/deno" test -A --no-check tests/unit/
suite unit-bun bun "$BIN/bun" test --timeout 120000 tests/unit/
RUNT_UNDER=deno suite integration-deno deno "$BIN/deno" test -A --no-check tests/integration/
RUNT_UNDER=binary suite integration-binary deno "$BIN/deno" test -A --no-check tests/integration/
RUNT_UNDER=deno suite differential-deno deno "$BIN/deno" test -A --no-check tests/differential/
RUNT_UNDER=binary suite differential-binary deno "$BIN/deno" test -A --no-check tests/differential/
wait "$vm_batch"
suite vm-cgroup2 deno bash -c 'cat "$1"; exit "$(cat "$2" 2>/dev/null || echo 1)"' _ "$log/vm-output" "$log/vm-status"

[ -n "$broken" ] && echo "failing suites:$broken"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
