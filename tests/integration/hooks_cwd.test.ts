/**
 * The working directory the create hooks run in, compared with runc on the
 * same bundle: the bundle for the runtime's own (runc changes directory
 * there for create), the container's rootfs for createContainer ones
 * (where runc's init has gone before it runs them).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { makeBundle, SHARED_ROOTFS } from "../fixtures/bundle.ts";
import { withRoot } from "./containers.ts";
import { hasCommand, isRoot, runt, runtArgv } from "./runt.ts";

const skip = !isRoot ? "needs root" : !hasCommand("runc") ? "needs runc" : false;
const KINDS = ["prestart", "createRuntime", "createContainer"] as const;

test("prestart and createRuntime hooks run in the bundle, createContainer hooks in the rootfs, as under runc", { skip }, withRoot((root) => {
  const b = makeBundle(["true"]);
  b.spec.hooks = Object.fromEntries(KINDS.map((kind) => [kind, [{ path: "/bin/sh", args: ["sh", "-c", `pwd -P > ${b.out}/${kind}`] }]]));
  b.save();
  const seen: Record<string, string[]> = {};
  try {
    for (const [name, argv] of [["runc", ["runc"]], ["runt", runtArgv()]] as const) {
      // Started elsewhere, so a hook that merely inherits the caller's directory shows it.
      const c = runt(["--root", root, "create", "--bundle", b.dir, "cwd"], { argv: [...argv], files: true, cwd: "/" });
      assert.equal(c.status, 0, `${name}: ${c.stderr}`);
      seen[name] = KINDS.map((kind) => readFileSync(join(b.out, kind), "utf8").trim());
      assert.equal(runt(["--root", root, "delete", "--force", "cwd"], { argv: [...argv] }).status, 0, name);
      for (const kind of KINDS) rmSync(join(b.out, kind));
    }
    assert.deepEqual(seen.runc, [b.dir, b.dir, SHARED_ROOTFS]);
    assert.deepEqual(seen.runt, seen.runc);
  } finally {
    b.cleanup();
  }
}));
