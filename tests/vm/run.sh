#!/usr/bin/env bash
# Runs a batch of runt's tests inside a throwaway cgroup v2 + systemd guest:
# builds (or reuses) the guest with image.sh, puts the compiled dist/runt,
# the deno binary and the sources and tests on a second disk (an ext4 image
# made with mkfs.ext4 -d: far faster to read under emulation than 9p), shares
# a directory over 9p for the script and the results, boots the guest once
# under QEMU with its own disk in snapshot mode (the cached image stays
# pristine), and exits with the batch's status after printing its output.
#
#   tests/vm/run.sh            every tests/vm/*.test.ts and the files in tests/vm/integration.txt
#   tests/vm/run.sh FILE...    only these test files (paths from the repository root)
#
# RUNT_VM_CACHE (default /var/cache/runt-vm): where guests are kept.
# RUNT_VM_TIMEOUT (seconds, default 1500): the whole boot, batch and power-off.
# RUNT_VM_ACCEL (default tcg,thread=multi): "kvm" where /dev/kvm really runs a stock kernel.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo=$PWD
timeout_s=${RUNT_VM_TIMEOUT:-1500}
accel=${RUNT_VM_ACCEL:-tcg,thread=multi}

for tool in qemu-system-x86_64 debootstrap mkfs.ext4; do
  command -v "$tool" >/dev/null || { echo "tests/vm: $tool is missing (make system-deps installs it)" >&2; exit 1; }
done
[ -x dist/runt ] || { echo "tests/vm: dist/runt is missing: build it first" >&2; exit 1; }

t0=$SECONDS
guest=$(bash tests/vm/image.sh)
built=$((SECONDS - t0))

# The batch.
if [ $# -gt 0 ]; then
  batch=("$@")
else
  batch=(tests/vm/*.test.ts)
  [ -e "${batch[0]}" ] || batch=()
  while read -r line; do
    line=${line%%#*}; line=${line//[[:space:]]/}
    [ -n "$line" ] && batch+=("$line")
  done <tests/vm/integration.txt
fi
for f in "${batch[@]}"; do [ -f "$f" ] || { echo "tests/vm: no test file $f" >&2; exit 1; }; done

# The payload: a small copy of the repository (hard links where possible), not the whole node_modules.
work="$repo/.tmp/vm"
rm -rf "$work"
payload="$work/payload" share="$work/share"
mkdir -p "$payload/node_modules/.bin" "$payload/node_modules/deno" "$payload/dist" "$share/out"
copy() { cp -al "$@" 2>/dev/null || cp -a "$@"; }
copy cli runtime ffi tests mod.ts deno.json package.json "$payload/"
copy dist/runt "$payload/dist/"
copy node_modules/zod "$payload/node_modules/"
copy "$(readlink -f node_modules/.bin/deno)" "$payload/node_modules/deno/deno"
ln -s ../deno/deno "$payload/node_modules/.bin/deno"
# Sparse: room for the tests' root filesystems and bundles, taking only what is written.
truncate -s 2G "$work/payload.raw"
mkfs.ext4 -q -F -L runt-payload -d "$payload" "$work/payload.raw"
rm -rf "$payload"
cp tests/vm/guest.sh "$share/guest.sh"
printf '%s\n' "${batch[@]}" >"$share/batch.txt"

serial="$work/serial.log"
echo "tests/vm: booting the guest ($guest) for ${#batch[@]} test files; serial console in ${serial#"$repo"/}"
t1=$SECONDS
set +e
timeout --kill-after=10 "$timeout_s" qemu-system-x86_64 \
  -accel "$accel" -cpu max -m 2048 -smp 2 \
  -display none -nodefaults -no-reboot -monitor none -serial "file:$serial" \
  -kernel "$guest/vmlinuz" -initrd "$guest/initrd.img" \
  -append "console=ttyS0 root=/dev/vda rw quiet systemd.unified_cgroup_hierarchy=1 panic=-1" \
  -drive "file=$guest/rootfs.raw,format=raw,if=virtio,snapshot=on" \
  -drive "file=$work/payload.raw,format=raw,if=virtio" \
  -virtfs "local,path=$share,mount_tag=share,security_model=none,id=share"
qemu_status=$?
set -e
ran=$((SECONDS - t1))

if [ -f "$share/out/output.log" ]; then cat "$share/out/output.log"; fi
if [ ! -f "$share/out/status" ]; then
  if [ "$qemu_status" -eq 124 ] || [ "$qemu_status" -eq 137 ]; then
    echo "tests/vm: the guest did not finish within ${timeout_s} s; the serial console's end:" >&2
  else
    echo "tests/vm: the guest stopped (qemu status $qemu_status) without reporting the batch's status; the serial console's end:" >&2
  fi
  tail -40 "$serial" >&2 || true
  exit 1
fi
status=$(cat "$share/out/status")
echo "tests/vm: guest ready in ${built} s, boot + batch + power-off ${ran} s; batch exit status $status"
exit "$status"
