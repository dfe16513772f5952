#!/bin/sh
# Runs inside the guest, started by its runt-tests unit: mounts the payload
# disk (the repository's sources, tests, dist/runt and deno) where the tests
# run from, runs the batch in batch.txt under the compiled runt, and leaves
# the output and the exit status in the share's out/ for the runner.
set -u
out=/shared/out
mkdir -p "$out"
{
  echo "guest: kernel $(uname -r), $(stat -fc %T /sys/fs/cgroup) at /sys/fs/cgroup, $(systemctl --version | head -1)"
  mkdir -p /root/runt && mount /dev/vdb /root/runt && cd /root/runt &&
    RUNT_UNDER=binary NO_COLOR=1 DENO_DIR=/root/.cache/deno RUNT_TEST_CYCLES=10 RUNT_TEST_WAIT_SCALE=10 \
      node_modules/.bin/deno test -A --no-check $(cat /shared/batch.txt)
  echo $? >"$out/status.tmp"
} 2>&1 | tee "$out/output.log"
sync
mv "$out/status.tmp" "$out/status"
sync
