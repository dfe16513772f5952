/**
 * `tmpcopyup`: a tmpfs that starts with a copy of what the directory it
 * covers held. The tmpfs is filled outside the rootfs, then moved into
 * place, so the original files stay readable while they are copied.
 *
 * The directory is the rootfs's, which the container's owner may change
 * while it is copied: every entry is pinned with openat(O_PATH|O_NOFOLLOW)
 * from its parent's descriptor and read through that descriptor, so an
 * entry swapped for a symbolic link to a host file is copied as the link,
 * never as the host file's contents.
 */
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync } from "../host_fs.ts";
import { temporaryDirectory } from "../host.ts";
import { join } from "../path.ts";
import { AT_FDCWD, AT_SYMLINK_NOFOLLOW, MNT_DETACH, O_CLOEXEC, O_NOFOLLOW, O_PATH, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG } from "../../ffi/constants.ts";
import type { Syscalls } from "../../ffi/syscalls.ts";
import { procFd } from "../mount/inroot.ts";
import { statFd } from "./inode.ts";
import { MS } from "../mount/options.ts";
import type { MountContext, PlannedMount } from "./context.ts";
import { attempt } from "./errors.ts";

/** `target` holds the destination and `dest` is its descriptor path: the copy is read through the one, the tmpfs moved onto the other. */
export function copyUpTmpfs(ctx: MountContext, p: PlannedMount, target: number, dest: string, flags: number, data: string): void {
  const { sys } = ctx;
  const top = attempt(`${p.subject}: tmpcopyup`, () => mkdtempSync(join(temporaryDirectory(), "runt-copyup-")));
  try {
    // MS_MOVE refuses to move a mount whose parent is shared; a private bind of its own makes sure it is not.
    attempt(`${p.subject}: tmpcopyup`, () => {
      sys.mount(top, top, null, MS.BIND, null);
      sys.mount(null, top, null, MS.PRIVATE, null);
    });
    try {
      const scratch = join(top, "tmpfs");
      attempt(`${p.subject}: tmpcopyup`, () => mkdirSync(scratch));
      attempt(p.subject, () => sys.mount(p.mount.source ?? null, scratch, "tmpfs", flags, data || null));
      try {
        attempt(`${p.subject}: tmpcopyup`, () => copyTree(sys, target, scratch));
        attempt(`${p.subject}: tmpcopyup`, () => sys.mount(scratch, dest, null, MS.MOVE, null));
      } catch (e) {
        try {
          sys.umount2(scratch, MNT_DETACH);
        } catch { /* the error being reported matters more */ }
        throw e;
      }
    } finally {
      try {
        sys.umount2(top, MNT_DETACH);
      } catch { /* only a scratch mount in the container's own namespace is left */ }
    }
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
}

/**
 * Copies the contents of the directory `from` holds, with modes, owners
 * and symlinks as they are; sockets, fifos and devices are left out.
 */
export function copyTree(sys: Syscalls, from: number, to: string): void {
  for (const name of readdirSync(procFd(from))) {
    const entry = sys.openat(from, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    try {
      const stat = statFd(sys, entry);
      const kind = stat.mode & S_IFMT;
      const dst = join(to, name);
      if (kind === S_IFDIR) {
        mkdirSync(dst);
        copyTree(sys, entry, dst);
      } else if (kind === S_IFLNK) {
        // The link's own text, read without following it.
        symlinkSync(readlinkSync(`${procFd(from)}/${name}`), dst);
      } else if (kind === S_IFREG) {
        // The pinned inode itself: reopening through /proc does not walk the name again.
        copyFileSync(procFd(entry), dst);
      } else {
        continue;
      }
      sys.fchownat(AT_FDCWD, dst, stat.uid, stat.gid, AT_SYMLINK_NOFOLLOW);
      if (kind !== S_IFLNK) chmodSync(dst, stat.mode & 0o7777);
    } finally {
      sys.close(entry);
    }
  }
}
