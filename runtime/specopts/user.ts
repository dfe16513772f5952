/**
 * `user`, `uid`, `user:group`, `uid:gid` resolved as containerd's WithUser
 * and WithAdditionalGIDs do: names in the image's /etc/passwd and
 * /etc/group (read inside the rootfs, never through a link out of it), the
 * user's primary group from passwd unless one is given, and as additional
 * groups every other group that lists the user as a member.
 */
import { readFileSync } from "../host_fs.ts";
import { O_CLOEXEC, O_PATH, RESOLVE_IN_ROOT, RESOLVE_NO_MAGICLINKS } from "../../ffi/constants.ts";
import { isErrno } from "../../ffi/errors.ts";
import type { Syscalls } from "../../ffi/syscalls.ts";
import { RuntError } from "../errors.ts";
import type { SpecOpt } from "./types.ts";

interface Entry {
  name: string;
  id: number;
  gid?: number;
  members?: string[];
}

export function withUser(sys: Syscalls, user: string): SpecOpt {
  return (spec, ctx) => {
    const [userPart, groupPart] = user.split(":", 2);
    const passwd = readTable(sys, ctx.rootfs, "/etc/passwd").map((f): Entry => ({ name: f[0], id: Number(f[2]), gid: Number(f[3]) }));
    const groups = readTable(sys, ctx.rootfs, "/etc/group").map((f): Entry => ({ name: f[0], id: Number(f[2]), members: (f[3] ?? "").split(",").filter(Boolean) }));
    const numeric = /^\d+$/.test(userPart);
    const entry = numeric ? passwd.find((p) => p.id === Number(userPart)) : passwd.find((p) => p.name === userPart);
    if (!numeric && !entry) throw new RuntError(`--user: no user "${userPart}" in the image's /etc/passwd`);
    const uid = numeric ? Number(userPart) : entry!.id;
    let gid = entry?.gid ?? 0;
    if (groupPart !== undefined) {
      const group = /^\d+$/.test(groupPart) ? { id: Number(groupPart) } : groups.find((g) => g.name === groupPart);
      if (!group) throw new RuntError(`--user: no group "${groupPart}" in the image's /etc/group`);
      gid = group.id;
    }
    const additional = entry ? groups.filter((g) => g.members!.includes(entry.name) && g.id !== gid).map((g) => g.id) : [];
    spec.process!.user = { uid, gid, ...(additional.length ? { additionalGids: additional } : {}) };
  };
}

/** The colon-separated lines of a file in the rootfs; none when the image has no such file. */
function readTable(sys: Syscalls, rootfs: string, path: string): string[][] {
  const root = sys.open(rootfs, O_PATH | O_CLOEXEC);
  try {
    const fd = sys.openat2(root, path.slice(1), O_PATH | O_CLOEXEC, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
    try {
      return readFileSync(`/proc/self/fd/${fd}`, "utf8").split("\n").filter((l) => l && !l.startsWith("#")).map((l) => l.split(":"));
    } finally {
      sys.close(fd);
    }
  } catch (e) {
    if (isErrno(e, "ENOENT")) return [];
    throw e;
  } finally {
    sys.close(root);
  }
}
