/**
 * Paths from the spec opened inside the container's root filesystem as
 * descriptors. The kernel resolves them with the rootfs as "/" (openat2
 * RESOLVE_IN_ROOT): symlinks are followed but can never lead out, and
 * everything done afterwards goes through the descriptor. A host process
 * that swaps a directory for a symlink after the resolution (CVE-2021-30465)
 * can then only change which file inside the rootfs is opened, never make a
 * later mkdir or mount land on the host.
 */
import { readlinkSync } from "../host_fs.ts";
import {
  O_CLOEXEC,
  O_CREAT,
  O_EXCL,
  O_NOFOLLOW,
  O_PATH,
  O_WRONLY,
  RESOLVE_IN_ROOT,
  RESOLVE_NO_MAGICLINKS,
  RESOLVE_NO_SYMLINKS,
} from "../../ffi/constants.ts";
import { isErrno } from "../../ffi/errors.ts";
import type { Syscalls } from "../../ffi/syscalls.ts";
import { PathResolutionError } from "./securejoin.ts";

const MAX_SYMLINKS = 255;
const OPEN = O_PATH | O_CLOEXEC;
const IN_ROOT = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
/** One component we created ourselves: it must still be what we made, not a link put there since. */
const OWN_CHILD = IN_ROOT | RESOLVE_NO_SYMLINKS;

/** What is created for a missing path: its parents are always directories. */
export type Create = "directory" | "file";

export interface OpenInRootOptions {
  /** Create what is missing (directories 0755, an empty file 0644 at the end). */
  create?: Create;
  /** No symlink anywhere on the way (proc and sysfs destinations). */
  noSymlinks?: boolean;
  /** Told when something on the way was created. */
  onCreate?: () => void;
}

/** The path through which the kernel reaches the object a descriptor holds (for mount(2) targets). */
export function procFd(fd: number): string {
  return `/proc/thread-self/fd/${fd}`;
}

/** The path the descriptor's object has in the calling thread's mount namespace. */
export function fdPath(fd: number): string {
  return readlinkSync(procFd(fd));
}

/** Opens `path` (absolute or not, taken inside `rootfd`) as an O_PATH descriptor the caller closes. */
export function openInRoot(sys: Syscalls, rootfd: number, path: string, options: OpenInRootOptions = {}): number {
  const resolve = IN_ROOT | (options.noSymlinks ? RESOLVE_NO_SYMLINKS : 0);
  try {
    return sys.openat2(rootfd, components(path).join("/") || ".", OPEN, resolve);
  } catch (e) {
    if (options.create === undefined || !isErrno(e, "ENOENT")) throw e;
  }
  return createLeaf(sys, rootfd, components(path), resolve, options) ?? createInRoot(sys, rootfd, path, options);
}

/**
 * The common case of a missing mount point, a parent that exists and a last
 * component that does not, in three calls: the parent resolved by the
 * kernel as the walk would resolve it (RESOLVE_IN_ROOT), the last component
 * made and opened relative to it. Anything else (a missing parent, a
 * dangling link where the last component should be, `..`) is left to the
 * walk, which also words the errors: undefined then.
 */
function createLeaf(sys: Syscalls, rootfd: number, parts: string[], resolve: number, options: OpenInRootOptions): number | undefined {
  const leaf = parts.at(-1);
  if (leaf === undefined || leaf === "..") return undefined;
  let parent = rootfd;
  try {
    if (parts.length > 1) parent = sys.openat2(rootfd, parts.slice(0, -1).join("/"), OPEN, resolve);
  } catch {
    return undefined;
  }
  try {
    const fd = makeChild(sys, parent, leaf, options.create!);
    options.onCreate?.();
    return fd;
  } catch (e) {
    // A link in the leaf's place (mkdirat says EEXIST, the open ELOOP): the walk follows it inside the root.
    if (isErrno(e, "ELOOP")) return undefined;
    throw e;
  } finally {
    if (parent !== rootfd) sys.close(parent);
  }
}

/**
 * A component at a time from the root, each opened relative to its parent's
 * descriptor, with symlinks expanded the way RESOLVE_IN_ROOT would (an
 * absolute target restarts at the rootfs, `..` stops there), and missing
 * components created relative to their parent's descriptor.
 */
function createInRoot(sys: Syscalls, rootfd: number, path: string, options: OpenInRootOptions): number {
  const stack = [rootfd];
  let pending = components(path);
  let links = 0;
  try {
    while (pending.length > 0) {
      const part = pending.shift()!;
      if (part === "..") {
        if (stack.length > 1) sys.close(stack.pop()!);
        continue;
      }
      const parent = stack.at(-1)!;
      try {
        stack.push(sys.openat2(parent, part, OPEN, OWN_CHILD));
        continue;
      } catch (e) {
        if (isErrno(e, "ELOOP") && !options.noSymlinks) {
          if (++links > MAX_SYMLINKS) throw new PathResolutionError(`${path}: too many levels of symbolic links`);
          const target = sys.readlinkat(parent, part);
          if (target.startsWith("/")) while (stack.length > 1) sys.close(stack.pop()!);
          pending = [...components(target), ...pending];
          continue;
        }
        if (!isErrno(e, "ENOENT")) throw e;
      }
      stack.push(makeChild(sys, parent, part, pending.length === 0 ? options.create ?? "directory" : "directory"));
      options.onCreate?.();
    }
    return stack.length > 1 ? stack.pop()! : sys.openat2(rootfd, ".", OPEN, IN_ROOT);
  } finally {
    for (const fd of stack.slice(1)) sys.close(fd);
  }
}

/**
 * Makes `name` in the directory `parent` holds and opens it (O_PATH), without
 * following a link there. Someone else creating the same name first is fine:
 * the open after it checks what is there (ELOOP for a link).
 */
export function makeChild(sys: Syscalls, parent: number, name: string, kind: Create): number {
  try {
    if (kind === "directory") {
      sys.mkdirat(parent, name, 0o755);
    } else {
      sys.close(sys.openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0o644));
    }
  } catch (e) {
    if (!isErrno(e, "EEXIST")) throw e;
  }
  return sys.openat2(parent, name, OPEN, OWN_CHILD);
}

function components(path: string): string[] {
  return path.split("/").filter((c) => c !== "" && c !== ".");
}
