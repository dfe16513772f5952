/**
 * `tmpcopyup`: a tmpfs that starts with a copy of what the directory it
 * covers held. The tmpfs is filled outside the rootfs, then moved into
 * place, so the original files stay readable while they are copied.
 */
import {
  chmodSync,
  copyFileSync,
  lchownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MNT_DETACH } from "../../ffi/constants.ts";
import { MS } from "../mount/options.ts";
import type { MountContext, PlannedMount } from "./context.ts";
import { attempt } from "./errors.ts";

/** `dest` is the destination's descriptor path: the copy is read through it and the tmpfs moved onto it. */
export function copyUpTmpfs(ctx: MountContext, p: PlannedMount, dest: string, flags: number, data: string): void {
  const { sys } = ctx;
  const top = attempt(`${p.subject}: tmpcopyup`, () => mkdtempSync(join(tmpdir(), "runt-copyup-")));
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
        attempt(`${p.subject}: tmpcopyup`, () => copyTree(dest, scratch));
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

/** Copies a directory's contents with modes, owners and symlinks as they are; sockets and devices are left out. */
export function copyTree(from: string, to: string): void {
  for (const name of readdirSync(from)) {
    const src = join(from, name);
    const dst = join(to, name);
    const stat = lstatSync(src);
    if (stat.isDirectory()) {
      mkdirSync(dst);
      copyTree(src, dst);
    } else if (stat.isSymbolicLink()) {
      symlinkSync(readlinkSync(src), dst);
    } else if (stat.isFile()) {
      copyFileSync(src, dst);
    } else {
      continue;
    }
    lchownSync(dst, stat.uid, stat.gid);
    if (!stat.isSymbolicLink()) chmodSync(dst, stat.mode & 0o7777);
  }
}
