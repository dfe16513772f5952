/**
 * Writes a layer's entries below a root directory without ever leaving it.
 * Every name is first cleaned as if it were absolute (`..` stops at the
 * root, a leading `/` means the root), its parent directory is then opened
 * by the kernel with the root as "/" (openat2 RESOLVE_IN_ROOT, so a symlink
 * a layer planted can only lead to another place inside the root), and the
 * final component is created relative to that descriptor, never followed:
 * O_EXCL|O_NOFOLLOW files, *at calls with AT_SYMLINK_NOFOLLOW, hardlink
 * targets resolved the same way as names.
 *
 * Two ways to apply deletions: "apply" flattens onto a root that holds the
 * layers below (whiteouts delete, opaque directories lose what the layers
 * below put there); "overlay" keeps a layer as an overlayfs lower directory
 * (whiteouts become 0:0 character devices, opaque directories get the
 * trusted.overlay.opaque xattr), which the kernel then merges.
 */
import {
  AT_SYMLINK_NOFOLLOW,
  O_CLOEXEC,
  O_CREAT,
  O_DIRECTORY,
  O_EXCL,
  O_NOFOLLOW,
  O_PATH,
  O_WRONLY,
  S_IFBLK,
  S_IFCHR,
  S_IFIFO,
} from "../../ffi/constants.ts";
import { isErrno } from "../../ffi/errors.ts";
import { makedev, type Syscalls } from "../../ffi/syscalls.ts";
import { openInRoot } from "../mount/inroot.ts";
import { layerStream } from "./decompress.ts";
import { LayerError } from "./errors.ts";
import { fdDir, isDirectory, lstatAt, removeAt, removeChildren } from "./remove.ts";
import { readTar, type TarEntry } from "./tar.ts";

export type LayerMode = "apply" | "overlay";

const WHITEOUT = ".wh.";
const OPAQUE = ".wh..wh..opq";
const encoder = new TextEncoder();

/** The layer file at `path` (gzip, zstd or plain tar) written below the directory `root`. */
export function extractLayerFile(sys: Syscalls, root: string, path: string, mode: LayerMode = "apply"): Promise<void> {
  return extractLayer(sys, root, readTar(layerStream(path)), mode);
}

export async function extractLayer(sys: Syscalls, root: string, entries: AsyncIterable<TarEntry>, mode: LayerMode = "apply"): Promise<void> {
  const rootfd = sys.open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  const layer = new Layer(sys, rootfd, mode);
  try {
    for await (const entry of entries) {
      try {
        layer.write(entry);
      } catch (e) {
        if (e instanceof LayerError) throw e;
        throw new LayerError(`layer entry ${entry.name}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    layer.finishDirectories();
  } finally {
    sys.close(rootfd);
  }
}

/** A name as components below the root: `.` and empty parts dropped, `..` never above the root. */
export function cleanPath(name: string): string[] {
  const out: string[] = [];
  for (const part of name.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return out;
}

class Layer {
  /** Paths this layer wrote: an opaque directory keeps them and loses the rest. */
  private readonly written = new Set<string>();
  /** Directory times are set last: creating their children changes them. */
  private readonly directories: TarEntry[] = [];

  constructor(private readonly sys: Syscalls, private readonly rootfd: number, private readonly mode: LayerMode) {}

  write(entry: TarEntry): void {
    const parts = cleanPath(entry.name);
    const base = parts.pop();
    if (base === undefined) {
      if (entry.type !== "directory") throw new LayerError(`layer entry ${entry.name}: only a directory may name the root`);
      return this.atParent([], (dirfd) => this.metadata(dirfd, ".", entry));
    }
    this.atParent(parts, (dirfd) => {
      if (base.startsWith(WHITEOUT)) return this.whiteout(dirfd, parts, base);
      this.written.add([...parts, base].join("/"));
      this.create(dirfd, base, entry);
    });
  }

  /** Runs `body` with the parent directory open, created (0755) where the layer did not list it. */
  private atParent(parts: string[], body: (dirfd: number) => void): void {
    const dirfd = parts.length === 0 ? this.rootfd : openInRoot(this.sys, this.rootfd, parts.join("/"), { create: "directory" });
    try {
      body(dirfd);
    } finally {
      if (dirfd !== this.rootfd) this.sys.close(dirfd);
    }
  }

  private whiteout(dirfd: number, parts: string[], base: string): void {
    if (base === OPAQUE) return this.opaque(dirfd, parts);
    // Other .wh..wh. names are aufs bookkeeping, not deletions.
    if (base.startsWith(WHITEOUT + WHITEOUT)) return;
    const name = base.slice(WHITEOUT.length);
    if (name === "." || name === "..") throw new LayerError(`layer entry ${[...parts, base].join("/")}: not a valid whiteout`);
    removeAt(this.sys, dirfd, name);
    if (this.mode === "overlay") this.sys.mknodat(dirfd, name, S_IFCHR, 0);
  }

  private opaque(dirfd: number, parts: string[]): void {
    if (this.mode === "overlay") {
      this.sys.lsetxattr(`${fdDir(dirfd)}/.`, "trusted.overlay.opaque", encoder.encode("y"));
      return;
    }
    const prefix = parts.length === 0 ? "" : `${parts.join("/")}/`;
    removeChildren(this.sys, dirfd, ".", (child) => this.written.has(prefix + child));
  }

  private create(dirfd: number, name: string, entry: TarEntry): void {
    const existing = lstatAt(this.sys, dirfd, name);
    const keepDirectory = entry.type === "directory" && existing !== null && isDirectory(existing);
    if (existing !== null && !keepDirectory) removeAt(this.sys, dirfd, name);
    switch (entry.type) {
      case "directory":
        if (!keepDirectory) this.sys.mkdirat(dirfd, name, 0o700);
        break;
      case "file":
        this.writeFile(dirfd, name, entry.data);
        break;
      case "symlink":
        this.sys.symlinkat(entry.linkname, dirfd, name);
        break;
      case "hardlink":
        // The link shares its target's inode and with it the target's metadata.
        return this.hardlink(dirfd, name, entry);
      case "char":
      case "block":
      case "fifo": {
        const kind = entry.type === "char" ? S_IFCHR : entry.type === "block" ? S_IFBLK : S_IFIFO;
        this.sys.mknodat(dirfd, name, kind | 0o600, makedev(entry.devmajor, entry.devminor));
        break;
      }
    }
    this.metadata(dirfd, name, entry);
  }

  private writeFile(dirfd: number, name: string, data: Uint8Array): void {
    const fd = this.sys.openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600);
    try {
      for (let at = 0; at < data.length;) at += this.sys.write(fd, data.subarray(at, at + (1 << 20)));
    } finally {
      this.sys.close(fd);
    }
  }

  /** The target is looked up exactly as a name would be: inside the root, whatever it says. */
  private hardlink(dirfd: number, name: string, entry: TarEntry): void {
    const target = cleanPath(entry.linkname);
    const targetName = target.pop();
    if (targetName === undefined) throw new LayerError(`layer entry ${entry.name}: a hardlink to the root`);
    const targetDir = target.length === 0 ? this.rootfd : this.openExisting(entry, target.join("/"));
    try {
      this.sys.linkat(targetDir, targetName, dirfd, name);
    } catch (e) {
      if (isErrno(e, "ENOENT")) throw new LayerError(`layer entry ${entry.name}: hardlink target ${entry.linkname} is not in the layer`);
      throw e;
    } finally {
      if (targetDir !== this.rootfd) this.sys.close(targetDir);
    }
  }

  private openExisting(entry: TarEntry, path: string): number {
    try {
      return openInRoot(this.sys, this.rootfd, path);
    } catch (e) {
      if (isErrno(e, "ENOENT")) throw new LayerError(`layer entry ${entry.name}: hardlink target ${entry.linkname} is not in the layer`);
      throw e;
    }
  }

  /** Owner before mode (chown clears setuid bits), xattrs, then times (directories' at the end). */
  private metadata(dirfd: number, name: string, entry: TarEntry): void {
    this.sys.fchownat(dirfd, name, entry.uid, entry.gid, AT_SYMLINK_NOFOLLOW);
    if (entry.type !== "symlink") this.sys.fchmodat(dirfd, name, entry.mode);
    for (const [key, value] of entry.xattrs) this.setXattr(dirfd, name, key, value);
    if (entry.type === "directory") this.directories.push(entry);
    else this.sys.utimensat(dirfd, name, entry.atimeNs, entry.mtimeNs, AT_SYMLINK_NOFOLLOW);
  }

  private setXattr(dirfd: number, name: string, key: string, value: Uint8Array): void {
    try {
      this.sys.lsetxattr(`${fdDir(dirfd)}/${name}`, key, value);
    } catch (e) {
      // A filesystem without xattrs (or without that namespace) keeps the file without them, as tar does.
      if (!isErrno(e, "EOPNOTSUPP")) throw e;
    }
  }

  finishDirectories(): void {
    for (const entry of this.directories) {
      const parts = cleanPath(entry.name);
      const base = parts.pop() ?? ".";
      const dirfd = parts.length === 0 ? this.rootfd : openInRoot(this.sys, this.rootfd, parts.join("/"));
      try {
        this.sys.utimensat(dirfd, base, entry.atimeNs, entry.mtimeNs, AT_SYMLINK_NOFOLLOW);
      } catch (e) {
        // Removed again later in the same layer.
        if (!isErrno(e, "ENOENT")) throw e;
      } finally {
        if (dirfd !== this.rootfd) this.sys.close(dirfd);
      }
    }
  }
}
