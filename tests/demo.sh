#!/usr/bin/env bash
# `make demo`: what a new user does first, from the compiled binary: a
# busybox bundle, `runt spec`, then a real container.
set -euo pipefail
cd "$(dirname "$0")/.."
runt=$PWD/dist/runt
root=$(mktemp -d /tmp/runt-demo-state.XXXXXX)
bundle=$(mktemp -d /tmp/runt-demo.XXXXXX)
trap '$runt --root "$root" delete --force demo-bg >/dev/null 2>&1 || true; rm -rf "$bundle" "$root"' EXIT

show() { echo "\$ $*"; "$@"; }

echo "# a root filesystem: the statically linked busybox and its applets"
mkdir -p "$bundle/rootfs/bin"
cp /bin/busybox "$bundle/rootfs/bin/busybox"
for applet in $(/bin/busybox --list); do
  [ "$applet" = busybox ] || ln -s busybox "$bundle/rootfs/bin/$applet"
done
mkdir -p "$bundle/rootfs/"{proc,sys,dev,tmp,etc}
echo "root:x:0:0:root:/root:/bin/sh" >"$bundle/rootfs/etc/passwd"
echo "root:x:0:" >"$bundle/rootfs/etc/group"
echo
cd "$bundle"
show "$runt" spec
# The starter config runs an interactive shell on a terminal; run a script instead.
sed -i -e 's/"terminal": true/"terminal": false/' \
  -e 's|"sh"$|"sh", "-c", "echo hostname: $(hostname); id; echo pid: $$; echo mounts:; cat /proc/self/mounts"|' config.json
show "$runt" validate && echo "(valid)"
echo
show "$runt" --root "$root" run demo
echo "(exit status $?)"
echo
echo "# the lifecycle step by step"
sed -i 's|"sh", "-c", "echo hostname.*"|"sleep", "30"|' config.json
show "$runt" --root "$root" create demo-bg
show "$runt" --root "$root" list
show "$runt" --root "$root" start demo-bg
show "$runt" --root "$root" state demo-bg
show "$runt" --root "$root" kill demo-bg KILL
sleep 0.2
show "$runt" --root "$root" delete demo-bg
show "$runt" --root "$root" list
echo
echo "# mistakes get one line naming what is wrong, and exit status 1"
show "$runt" --root "$root" start demo-bg || true
sed -i 's|"sleep", "30"|"no-such-program"|' config.json
show "$runt" --root "$root" run demo-bad || true
