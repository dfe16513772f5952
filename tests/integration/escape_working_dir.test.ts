/**
 * runt's working directory holds data, not configuration. Users run it from
 * a bundle they were handed, managers from a bundle directory, root from a
 * shared /tmp: a bunfig.toml there must not run code as runt (the compiled
 * binary's Bun would preload its scripts), and a .env there must not reach
 * runt's environment.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeBundle } from "../fixtures/bundle.ts";
import { isRoot, runt } from "./runt.ts";
import { withRoot } from "./containers.ts";

const skip = !isRoot && "needs root";

test("a bunfig.toml and a .env in the working directory are not read: no preload runs, no variable is set", { skip }, withRoot((root) => {
  const b = makeBundle(["echo", "ran"]);
  try {
    const marker = join(b.dir, "preloaded");
    writeFileSync(join(b.dir, "preload.js"), `require("node:fs").writeFileSync(${JSON.stringify(marker)}, "code from the working directory ran");\n`);
    writeFileSync(join(b.dir, "bunfig.toml"), 'preload = ["./preload.js"]\n');
    // RUNT_TRACE=1 would put a runt-trace line on stderr for each step (a variable already set is not overridden).
    writeFileSync(join(b.dir, ".env"), "RUNT_TRACE=1\n");

    for (const args of [["--version"], ["--root", root, "run", "wd-run"], ["--root", root, "list"]]) {
      const r = runt(args, { cwd: b.dir });
      assert.equal(r.status, 0, `${args.join(" ")}: ${r.stderr}`);
      assert.equal(existsSync(marker), false, `${args.join(" ")}: the bunfig.toml's preload ran`);
      assert.deepEqual(r.errLines.filter((l) => l.startsWith("runt-trace")), [], `${args.join(" ")}: the .env reached runt`);
      if (args.includes("run")) assert.equal(r.stdout, "ran\n");
    }
  } finally {
    b.cleanup();
  }
}));
