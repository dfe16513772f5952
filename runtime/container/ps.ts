/**
 * `ps`: the container's processes, from its cgroup — as PIDs, or as the
 * host's `ps` output cut down to those PIDs, as runc shows them.
 */
import { spawnSync } from "node:child_process";
import type { StateStore } from "../state/store.ts";
import { cgroupOf } from "./access.ts";
import { RuntError } from "../errors.ts";

/** Every process in the container's cgroup (empty once it has none), sorted. */
export function containerPids(store: StateStore, id: string): number[] {
  const record = store.read(id);
  return record.cgroup ? cgroupOf(undefined, record, "list the processes of").pids() : [];
}

/** The host's `ps ARGS` output (runc's default: -ef), as one string. */
export function hostPs(args: readonly string[]): string {
  const r = spawnSync("ps", args.length ? [...args] : ["-ef"], { encoding: "utf8" });
  if (r.error) throw new RuntError(`cannot run ps: ${r.error.message}`);
  if (r.status !== 0) {
    const why = `${r.stderr ?? ""}${r.stdout ?? ""}`.trim().split("\n")[0];
    throw new RuntError(`ps ${args.join(" ")} exited with status ${r.status}${why ? `: ${why}` : ""}`);
  }
  return r.stdout;
}

/** `ps` output kept to its header and the lines whose PID column is one of `pids`. */
export function filterPsOutput(output: string, pids: readonly number[]): string {
  const [header, ...lines] = output.split("\n");
  const column = header.trim().split(/\s+/).indexOf("PID");
  if (column < 0) throw new RuntError("ps: no PID column in its output (give ps options that print one, e.g. -o pid,args)");
  const wanted = new Set(pids);
  const kept = lines.filter((line) => {
    if (line.trim() === "") return false;
    const field = line.trim().split(/\s+/)[column];
    return wanted.has(Number(field));
  });
  return [header, ...kept].map((l) => l + "\n").join("");
}
