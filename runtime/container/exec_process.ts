/**
 * The process `runt exec` starts, as runc builds it: the container's own
 * process settings, with the command line's arguments and overrides on top.
 */
import type { Spec } from "../spec/schema.ts";
import { RuntError } from "../errors.ts";

type Process = NonNullable<Spec["process"]>;

export interface ExecOverrides {
  args: string[];
  env?: string[];
  cwd?: string;
  /** "uid" or "uid:gid". */
  user?: string;
  additionalGids?: number[];
  /** Added to every capability set but the inheritable one. */
  caps?: string[];
  noNewPrivileges?: boolean;
  tty?: boolean;
  apparmorProfile?: string;
  selinuxLabel?: string;
}

const ID = /^\d+$/;

export function execProcessFrom(base: Process, o: ExecOverrides): Process {
  if (o.args.length === 0) throw new RuntError("exec needs the command to run (or --process FILE)");
  const p: Process = structuredClone(base);
  p.args = [...o.args];
  if (o.cwd) p.cwd = o.cwd;
  p.env = [...(p.env ?? []), ...(o.env ?? [])];
  p.terminal = o.tty ?? false;
  if (o.noNewPrivileges !== undefined) p.noNewPrivileges = o.noNewPrivileges;
  if (o.apparmorProfile !== undefined) p.apparmorProfile = o.apparmorProfile;
  if (o.selinuxLabel !== undefined) p.selinuxLabel = o.selinuxLabel;
  if (o.user) {
    const [uid, gid] = o.user.split(":", 2);
    if (!ID.test(uid) || (gid !== undefined && !ID.test(gid))) {
      throw new RuntError(`--user "${o.user}": expected uid or uid:gid, numeric`);
    }
    p.user = { ...p.user, uid: Number(uid), gid: gid === undefined ? (p.user?.gid ?? 0) : Number(gid) };
  }
  if (o.additionalGids) p.user = { ...p.user ?? { uid: 0, gid: 0 }, additionalGids: o.additionalGids };
  if (o.caps?.length) {
    const caps = p.capabilities ?? {};
    for (const set of ["bounding", "effective", "permitted", "ambient"] as const) {
      caps[set] = [...new Set([...(caps[set] ?? []), ...o.caps])];
    }
    p.capabilities = caps;
  }
  return p;
}
