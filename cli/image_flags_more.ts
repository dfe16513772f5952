/** The image flags beyond the process, mounts and limits: security, namespaces, devices, name resolution, the starting spec. */
import { withLinuxDevice } from "../runtime/specopts/devices.ts";
import { withNameResolution } from "../runtime/specopts/etc_files.ts";
import { withCgroupsMount } from "../runtime/specopts/mounts.ts";
import { parseWithNamespace, withNetwork } from "../runtime/specopts/namespaces.ts";
import { withAnnotations, withStopSignal } from "../runtime/specopts/process.ts";
import { withCgroup, withCPUShares } from "../runtime/specopts/resources.ts";
import { withNoSeccomp, withSeccompDefault, withSeccompProfile } from "../runtime/specopts/seccomp.ts";
import { withApparmorProfile, withNewPrivileges } from "../runtime/specopts/security.ts";
import { withSpecFromFile } from "../runtime/specopts/spec_file.ts";
import type { SpecOpt } from "../runtime/specopts/types.ts";
import { parseIDMapping, withUserNamespace } from "../runtime/specopts/userns.ts";
import { parseSignal } from "../runtime/spec/signals.ts";
import type { FlagValues } from "./command.ts";
import { UsageError } from "./errors.ts";
import { positive } from "./image_flags.ts";

/** Applied after the other flags' options: the seccomp profile fits the capabilities they leave. */
export function moreSpecOpts(flags: FlagValues): SpecOpt[] {
  const list = (name: string) => (flags[name] as string[] | undefined) ?? [];
  const text = (name: string) => flags[name] as string | undefined;
  const opts: SpecOpt[] = [];
  if (text("config")) opts.push(withSpecFromFile(text("config")!));
  if (text("network")) opts.push(withNetwork(text("network")!));
  for (const ns of list("with-ns")) opts.push(parseWithNamespace(ns));
  if (text("uidmap") !== undefined || text("gidmap") !== undefined) {
    if (!text("uidmap") || !text("gidmap")) throw new UsageError("--uidmap and --gidmap: give both");
    opts.push(withUserNamespace([parseIDMapping(text("uidmap")!, "--uidmap")], [parseIDMapping(text("gidmap")!, "--gidmap")]));
  }
  for (const device of list("device")) opts.push(withLinuxDevice(device));
  if (flags["allow-new-privs"]) opts.push(withNewPrivileges(true));
  if (text("apparmor-profile")) opts.push(withApparmorProfile(text("apparmor-profile")!));
  if (text("cgroup") !== undefined) opts.push(withCgroup(text("cgroup")!));
  if (text("cpu-shares")) opts.push(withCPUShares(positive(text("cpu-shares")!, "--cpu-shares", true)));
  if (text("cgroups-mount")) opts.push(withCgroupsMount(text("cgroups-mount")!));
  const annotations = { ...keyValues(list("label"), "--label"), ...keyValues(list("annotation"), "--annotation") };
  if (Object.keys(annotations).length) opts.push(withAnnotations(annotations));
  if (text("stop-signal")) {
    if (parseSignal(text("stop-signal")!) === undefined) throw new UsageError(`--stop-signal: unknown signal "${text("stop-signal")}"`);
    opts.push(withStopSignal(text("stop-signal")!));
  }
  const dns = { dns: list("dns"), dnsSearch: list("dns-search"), dnsOptions: list("dns-option"), hosts: list("add-host") };
  if (Object.values(dns).some((l) => l.length)) opts.push(withNameResolution(dns));
  const seccomp = [flags.seccomp, text("seccomp-profile"), flags["no-seccomp"]].filter(Boolean).length;
  if (seccomp > 1) throw new UsageError("--seccomp, --seccomp-profile and --no-seccomp: give one of them");
  if (flags.seccomp) opts.push(withSeccompDefault());
  if (text("seccomp-profile")) opts.push(withSeccompProfile(text("seccomp-profile")!));
  if (flags["no-seccomp"]) opts.push(withNoSeccomp());
  return opts;
}

function keyValues(entries: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of entries) {
    const eq = entry.indexOf("=");
    if (eq <= 0) throw new UsageError(`${flag}: expected KEY=VALUE, got "${entry}"`);
    out[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return out;
}
