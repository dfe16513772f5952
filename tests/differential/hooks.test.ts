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
import { cgroupEditingHook } from "../fixtures/cgroup_hook.ts";

const skip = skipReason();

test("prestart and createRuntime hooks find the container in its cgroup, limits written, and their writes stay", { skip }, () => {
  assertSameView({
    edit: (spec, { scratch }) => {
      spec.linux!.resources = { ...spec.linux!.resources, pids: { limit: 100 } };
      spec.hooks = { prestart: [cgroupEditingHook("prestart", scratch)], createRuntime: [cgroupEditingHook("createRuntime", scratch)] };
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
