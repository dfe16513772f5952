#!/usr/bin/env bash
# `make demo`: what a new user does first, from the compiled binary.
set -euo pipefail
cd "$(dirname "$0")/.."
runt=dist/runt
bundle=$(mktemp -d /tmp/runt-demo.XXXXXX)
trap 'rm -rf "$bundle"' EXIT

echo "\$ runt --version"
$runt --version
echo
echo "\$ runt spec --bundle $bundle"
$runt spec --bundle "$bundle"
echo "\$ runt validate --bundle $bundle   # the starter config is valid"
$runt validate --bundle "$bundle" && echo "ok"
echo
echo "\$ runt features | head -12"
$runt features | head -12
echo
echo "A broken config is reported one line per problem, each naming its JSON path:"
cat >"$bundle/config.json" <<'JSON'
{
  "ociVersion": "1.x",
  "root": { "path": "rootfs" },
  "process": { "cwd": "home", "args": ["sh"], "user": { "uid": 0, "gid": 0 },
               "capabilities": { "bounding": ["CAP_FROB"] } },
  "linux": { "namespaces": [ { "type": "pid" }, { "type": "pid" }, { "type": "moon" } ] }
}
JSON
echo "\$ runt validate --bundle $bundle"
$runt validate --bundle "$bundle" || echo "(exit status $?)"
