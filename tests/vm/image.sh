#!/usr/bin/env bash
# Builds the cgroup v2 + systemd test guest once and prints its directory
# (vmlinuz, initrd.img, rootfs.raw). The directory is named by a hash of the
# package list and of this script, so a change to either builds a new guest;
# it is assembled under a temporary name and renamed into place at the end,
# so a half-built guest is never used. Debian packages only, from the mirror
# apt already uses. Needs root (debootstrap, chroot).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${RUNT_VM_CACHE:-/var/cache/runt-vm}
suite=bookworm

key=$(cat "$here/packages.txt" "$here/packages-apt.txt" "$here/image.sh" | sha256sum | cut -c1-16)
dir="$cache/$key"
if [ -f "$dir/rootfs.raw" ]; then echo "$dir"; exit 0; fi

# The mirror apt uses: the first non-security URI of the deb822 sources, else of sources.list.
mirror() {
  local uri
  uri=$(awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [ -n "$uri" ] || uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { if ($i !~ /security/) { print $i; exit } } }' /etc/apt/sources.list 2>/dev/null || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

mkdir -p "$cache"
work=$(mktemp -d "$cache/.build-$key-XXXXXX")
cleanup() {
  for m in proc sys dev; do umount -l "$work/root/$m" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
root="$work/root"
packages=$(grep -v '^#' "$here/packages.txt" | xargs | tr ' ' ,)
start=$SECONDS
echo "building the test guest in $dir (debootstrap $suite from $(mirror))" >&2
debootstrap --variant=minbase --include="$packages" "$suite" "$root" "$(mirror)" >"$work/debootstrap.log" 2>&1 ||
  { tail -30 "$work/debootstrap.log" >&2; exit 1; }

# Packages debootstrap cannot configure itself (podman's containers-common), with apt in the new system.
late=$(grep -v '^#' "$here/packages-apt.txt" | xargs)
if [ -n "$late" ]; then
  mount -t proc proc "$root/proc"
  chroot "$root" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $late" >"$work/apt.log" 2>&1 ||
    { umount "$root/proc"; tail -30 "$work/apt.log" >&2; exit 1; }
  umount "$root/proc"
  # Daemons start when a test asks for them, not at every boot.
  for unit in docker.service docker.socket containerd.service; do
    [ -e "$root/lib/systemd/system/$unit" ] && chroot "$root" systemctl disable "$unit" >/dev/null 2>&1 || true
  done
fi

# fstab: the root disk and the 9p share (nofail: a boot without the share must not hang).
cat >"$root/etc/fstab" <<'FSTAB'
/dev/vda / ext4 rw,errors=remount-ro 0 1
share /shared 9p trans=virtio,version=9p2000.L,msize=262144,nofail 0 0
FSTAB
mkdir -p "$root/shared"
echo runt-vm >"$root/etc/hostname"

# The batch: whatever guest.sh the runner put in the share, then power off either way.
cat >"$root/etc/systemd/system/runt-tests.service" <<'UNIT'
[Unit]
Description=runt test batch from /shared
RequiresMountsFor=/shared
After=dbus.service
SuccessAction=poweroff-force
FailureAction=poweroff-force

[Service]
Type=oneshot
Environment=HOME=/root
ExecStart=/bin/sh /shared/guest.sh
StandardOutput=journal+console
StandardError=journal+console
TimeoutStartSec=0

[Install]
WantedBy=multi-user.target
UNIT
mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
ln -sf ../runt-tests.service "$root/etc/systemd/system/multi-user.target.wants/runt-tests.service"
# Nothing else to do at boot: no login prompt, no timers.
for unit in serial-getty@ttyS0.service getty@tty1.service apt-daily.timer apt-daily-upgrade.timer \
  e2scrub_all.timer e2scrub_reap.service fstrim.timer systemd-tmpfiles-clean.timer dpkg-db-backup.timer; do
  ln -sf /dev/null "$root/etc/systemd/system/$unit"
done

# Kernel modules the guest has no hardware for.
kver=$(ls "$root/lib/modules")
mods="$root/lib/modules/$kver/kernel"
rm -rf "$mods"/drivers/{gpu,media,infiniband,scsi,staging,usb,hid,input,iio,bluetooth,isdn,mtd,platform,hwmon,video,net/wireless,net/ethernet,net/can,net/usb,mmc,nfc,thunderbolt,atm,firewire,w1,leds,power,misc,edac,pcmcia,target,md,crypto,mfd,regulator,rtc,spi,i2c,ata,gnss,fpga} \
  "$mods"/sound "$mods"/net/{wireless,mac80211,bluetooth,nfc}
chroot "$root" depmod -a "$kver"

# A small initrd: only what mounts a virtio ext4 root.
printf 'virtio_pci\nvirtio_blk\next4\n' >"$root/etc/initramfs-tools/modules"
echo MODULES=list >"$root/etc/initramfs-tools/conf.d/runt-vm"
mount -t proc proc "$root/proc"
chroot "$root" mkinitramfs -o /boot/initrd.small "$kver" >"$work/initramfs.log" 2>&1 ||
  { tail -30 "$work/initramfs.log" >&2; exit 1; }
umount "$root/proc"
out="$work/out"
mkdir "$out"
cp "$root/boot/vmlinuz-$kver" "$out/vmlinuz"
cp "$root/boot/initrd.small" "$out/initrd.img"

# Trim what a test run never reads.
rm -rf "$root"/boot/initrd* "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* \
  "$root"/usr/share/{doc,man,info,locale,lintian,linda} "$root"/var/cache/debconf/*-old
# Sparse: the file takes only what is written; the rest is room for the tests.
truncate -s 3G "$out/rootfs.raw"
mkfs.ext4 -q -F -L runt-vm -d "$root" "$out/rootfs.raw"
echo "packages: $packages $late" >"$out/info"
echo "built in $((SECONDS - start)) s" >>"$out/info"
mv -T "$out" "$dir" 2>/dev/null || [ -f "$dir/rootfs.raw" ] # a concurrent builder won: use its guest
echo "test guest built in $((SECONDS - start)) s" >&2
echo "$dir"
