#!/usr/bin/env bash
# The action's run step: one container, in the foreground, its output on the
# step's log and its exit status the step's. A prepared OCI bundle runs its
# own config.json; an image runs INPUT_RUN with `sh -c` through
# `runt run --image` (image support: issue 14).
set -euo pipefail

fail() { echo "runt action: $*" >&2; exit 1; }

runt=${INPUT_RUNT:-$(command -v runt || echo "${INPUT_INSTALL_DIR:-/usr/local/bin}/runt")}
bundle=${INPUT_BUNDLE:-}
image=${INPUT_IMAGE:-}
run=${INPUT_RUN:-}
id="action-${GITHUB_RUN_ID:-local}-$$"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
# Word-split on purpose: options is a flag list ("--cpus 1 --env A=B").
read -r -a options <<<"${INPUT_OPTIONS:-}"

if [ -n "$bundle" ] && [ -n "$image" ]; then fail "bundle and image: give one of them"; fi
if [ -n "$bundle" ]; then
  [ -z "$run" ] || fail "run: a bundle runs its own config.json process.args; leave run empty or use image"
  [ -f "$bundle/config.json" ] || fail "bundle: no config.json in $bundle"
  exec $sudo "$runt" run "${options[@]}" --bundle "$bundle" "$id"
fi
[ -n "$image" ] || fail "image: give an image (or a bundle) to run"
[ -n "$run" ] || fail "run: give the command to run in $image"
exec $sudo "$runt" run --image "$image" "${options[@]}" "$id" sh -c "$run"
