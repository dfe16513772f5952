/**
 * RUNT_TRACE=1 (runtime/trace.ts), which `make bench` reads for the phases
 * of a `run`: each step on stderr, in the order it happened, the
 * container's init included, times on the caller's clock; and nothing at
 * all without it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { makeBundle } from "../fixtures/bundle.ts";
import type { Spec } from "../../runtime/spec/schema.ts";
import { withRoot } from "./containers.ts";
import { isRoot, runt } from "./runt.ts";

const skip = isRoot ? false : "needs root";

/** Steps every run traces, up to validation, and from "init ready" on. */
const BEFORE = ["main", "args parsed", "ffi bound", "config read", "init spawned", "validating", "validated"];
const AFTER = ["init ready", "started", "exited", "deleted", "exit"];

/** A container runt builds itself (runtime/container/build.ts). */
const BUILT_STEPS = [...BEFORE, "namespaces made", "rootfs built", "cgroup joined", ...AFTER];

/** One the JavaScript init builds (a time namespace, here: see build_choice.ts). */
const INIT_STEPS = [
  ...BEFORE,
  "cgroup joined",
  "init: main",
  "init: config received",
  "init: rootfs built",
  "init: becomes the start-up program",
  ...AFTER,
];

const KINDS: [string, string[], (spec: Spec) => void][] = [
  ["built by runt", BUILT_STEPS, () => {}],
  ["with a JavaScript init", INIT_STEPS, (spec) => spec.linux!.namespaces!.push({ type: "time" })],
];

for (const [kind, STEPS, edit] of KINDS) {
  test(`RUNT_TRACE=1 run, ${kind}: every step once, in order, on the caller's clock`, { skip }, withRoot((root) => {
    const bundle = makeBundle(["/bin/true"], edit);
    try {
      const before = Date.now();
      const r = runt(["--root", root, "run", "--bundle", bundle.dir, "traced"], { env: { RUNT_TRACE: "1" } });
      const after = Date.now();
      assert.equal(r.status, 0, r.stderr);
      const lines = r.errLines.map((l) => /^runt-trace (\d+) (.+) (\d+\.\d+)$/.exec(l));
      assert.ok(lines.every((m) => m !== null), r.stderr);
      const steps = lines.map((m) => ({ step: m![2], ms: Number(m![3]) }));
      assert.deepEqual(steps.map((s) => s.step).sort(), [...STEPS].sort(), "each step once");
      // The init's steps interleave with the parent's cgroup and validation work: each process's own are in order.
      for (const init of [false, true]) {
        const mine = steps.filter((s) => s.step.startsWith("init: ") === init);
        assert.deepEqual(mine.map((s) => s.step), STEPS.filter((s) => mine.some((m) => m.step === s)));
        for (let i = 1; i < mine.length; i++) assert.ok(mine[i].ms >= mine[i - 1].ms, `${mine[i].step} after ${mine[i - 1].step}`);
      }
      for (const s of steps) assert.ok(s.ms >= before - 1 && s.ms <= after + 1, `${s.step} at ${s.ms}, outside ${before}…${after}`);
    } finally {
      bundle.cleanup();
    }
  }));
}

test("without RUNT_TRACE, run writes nothing to stderr", { skip }, withRoot((root) => {
  const bundle = makeBundle(["/bin/true"]);
  try {
    const r = runt(["--root", root, "run", "--bundle", bundle.dir, "quiet"]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, "");
  } finally {
    bundle.cleanup();
  }
}));
