/**
 * Differential: what the hooks run during create find of the container.
 * prestart and createRuntime hooks get the container's PID; under runc its
 * process is in its cgroup by then, with the config's limits written, and
 * what a hook writes there stays: device hooks (NVIDIA's) look the cgroup
 * up from the PID and add their rules to it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { assertSameView, skipReason } from "./differential.ts";

const skip = skipReason();

/** A hook that finds the container's pids cgroup from its PID, saves what it saw there under `dir`, and writes 77 to pids.max. */
function cgroupEditor(kind: string, dir: string) {
  const script = [
    `pid=$(sed -n 's/.*"pid": *\\([0-9]*\\).*/\\1/p')`,
    `line=$(grep -E '^[0-9]+:pids:' /proc/$pid/cgroup || grep '^0::' /proc/$pid/cgroup)`,
    `rest=\${line#*:}; path=\${rest#*:}`,
    `if [ -d /sys/fs/cgroup/pids ]; then d=/sys/fs/cgroup/pids$path; else d=/sys/fs/cgroup$path; fi`,
    `echo "${kind}: $path $(cat $d/pids.max)" > ${dir}/${kind}.seen`,
    `echo 77 > $d/pids.max`,
  ].join("; ");
  return { path: "/bin/sh", args: ["sh", "-c", script] };
}

test("prestart and createRuntime hooks find the container in its cgroup, limits written, and their writes stay", { skip }, () => {
  assertSameView({
    edit: (spec, { scratch }) => {
      spec.linux!.resources = { ...spec.linux!.resources, pids: { limit: 100 } };
      spec.hooks = { prestart: [cgroupEditor("prestart", scratch)], createRuntime: [cgroupEditor("createRuntime", scratch)] };
      spec.mounts!.push({ destination: "/hooks", type: "bind", source: scratch, options: ["rbind", "ro"] });
    },
    probes: {
      "hooks saw": "cat /hooks/prestart.seen /hooks/createRuntime.seen",
      "pids.max": "cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max",
    },
    expect: (s) => {
      assert.match(s.get("hooks saw") ?? "", /^prestart: \/\S+ 100\ncreateRuntime: \/\S+ 77\n/);
      assert.match(s.get("pids.max") ?? "", /^77\n/);
    },
  });
});
