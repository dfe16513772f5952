/**
 * Configs runc runs although they stretch the spec's letter, each run under
 * runt and runc side by side: keys in another case (runc reads JSON keys
 * case-insensitively), device access strings such as "rwa", and an empty
 * `org.opencontainers.image.stopSignal` annotation as umoci writes it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ownPathOf, readProcCgroup } from "../../runtime/cgroups/mod.ts";
import { makeBundle } from "../fixtures/bundle.ts";
import { cgroupVersion, hostCgroupFile, state, waitFor } from "./containers.ts";
import { hasCommand, isRoot, runt, runtArgv, tempDir } from "./runt.ts";

const skip = !isRoot ? "needs root" : !hasCommand("runc") ? "runc is not installed" : false;
const RUNTIMES: Array<[string, string[]]> = [["runt", runtArgv()], ["runc", ["runc"]]];

/** Renames `key` of `obj` to `to` in place, keeping its position. */
function renameKey(obj: Record<string, unknown>, key: string, to: string): void {
  const entries = Object.entries(obj);
  for (const k of Object.keys(obj)) delete obj[k];
  for (const [k, v] of entries) obj[k === key ? to : k] = v;
}

const SCRIPT = 'exec > /out/seen; hostname; pwd; echo "$FOLDED"; ulimit -n; echo done; exec sleep 60';

/**
 * The default config with keys as configs in the wild spell them, a device
 * rule with access "rwa" for c 10:229, and an empty stop signal.
 */
function foldedConfig(text: string, cgroupsPath: string): string {
  const config = JSON.parse(text);
  config.hostname = "folded";
  config.annotations = { "org.opencontainers.image.stopSignal": "" };
  config.process.args = ["sh", "-c", SCRIPT];
  config.process.env.push("FOLDED=yes");
  config.process.cwd = "/tmp";
  config.process.rlimits = [{ type: "RLIMIT_NOFILE", hard: 512, soft: 512 }];
  config.linux.cgroupsPath = cgroupsPath;
  config.linux.resources.devices.push({ allow: true, type: "c", major: 10, minor: 229, access: "rwa" });
  renameKey(config, "hostname", "Hostname");
  renameKey(config.process, "args", "Args");
  renameKey(config.process, "env", "ENV");
  renameKey(config.process, "cwd", "Cwd");
  renameKey(config.process.rlimits[0], "hard", "Hard");
  renameKey(config.process.rlimits[0], "soft", "SOFT");
  renameKey(config.linux, "cgroupsPath", "cgroupspath");
  renameKey(config.linux, "namespaces", "Namespaces");
  return JSON.stringify(config, null, 2);
}

test("a config with keys in another case, access \"rwa\" and an empty stop signal runs as under runc, with one warning per key", { skip }, () => {
  const seen: Record<string, { out: string; device: string; cgroup: string; stderr: string }> = {};
  for (const [name, argv] of RUNTIMES) {
    const root = tempDir("runt-root-");
    const id = `folded-${name}-${process.pid}`;
    const cgroupsPath = `/runt-folded-${name}-${process.pid}`;
    const b = makeBundle(["true"]);
    const file = join(b.dir, "config.json");
    writeFileSync(file, foldedConfig(readFileSync(file, "utf8"), cgroupsPath));
    try {
      const r = runt(["--root", root.path, "run", "-d", "-b", b.dir, id], { argv, files: true });
      assert.equal(r.status, 0, `${name}: ${r.stderr}`);
      const seenFile = join(b.out, "seen");
      waitFor(() => existsSync(seenFile) && readFileSync(seenFile, "utf8").includes("done\n"), `${name}'s container to write /out/seen`);
      const pid = state(root.path, id, argv).pid;
      seen[name] = {
        out: readFileSync(seenFile, "utf8"),
        // The rule for c 10:229 as the host's devices cgroup holds it (v1 only: v2 has a BPF program instead).
        device: cgroupVersion === "v2" ? "" : hostCgroupFile(pid, "devices", "devices.list").split("\n").filter((l) => l.includes("10:229")).join("\n"),
        cgroup: ownPathOf(readProcCgroup(pid), cgroupVersion === "v2" ? "" : "pids") ?? "",
        stderr: r.stderr,
      };
      assert.equal(seen[name].cgroup, cgroupsPath, `${name} read "cgroupspath"`);
    } finally {
      runt(["--root", root.path, "delete", "--force", id], { argv });
      b.cleanup();
      root.cleanup();
    }
  }
  assert.equal(seen.runt.out, "folded\n/tmp\nyes\n512\ndone\n");
  assert.equal(seen.runt.out, seen.runc.out);
  if (cgroupVersion !== "v2") assert.equal(seen.runt.device, "c 10:229 rw");
  assert.equal(seen.runt.device, seen.runc.device);
  assert.deepEqual(seen.runt.stderr.split("\n").filter((l) => l !== ""), [
    'runt: warning: process.Args: read as "args"',
    'runt: warning: process.ENV: read as "env"',
    'runt: warning: process.Cwd: read as "cwd"',
    'runt: warning: process.rlimits[0].Hard: read as "hard"',
    'runt: warning: process.rlimits[0].SOFT: read as "soft"',
    'runt: warning: Hostname: read as "hostname"',
    'runt: warning: linux.Namespaces: read as "namespaces"',
    'runt: warning: linux.cgroupspath: read as "cgroupsPath"',
    'runt: warning: linux.resources.devices[1].access: read as "rw" (letters other than r, w and m are ignored, as runc does)',
  ]);
});

test("runt validate reads the same config: exit 0, the same warnings", { skip: !isRoot ? "needs root" : false }, () => {
  const b = makeBundle(["true"]);
  const file = join(b.dir, "config.json");
  writeFileSync(file, foldedConfig(readFileSync(file, "utf8"), "/runt-folded-validate"));
  try {
    const r = runt(["validate", "--bundle", b.dir]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "");
    assert.equal(r.errLines.length, 9, r.stderr);
    assert.ok(r.errLines.every((l) => l.startsWith("runt: warning: ")), r.stderr);
  } finally {
    b.cleanup();
  }
});

test("device access strings: runt refuses what runc refuses and runs what runc runs", { skip }, () => {
  const cases: Array<{ access: string; allow: boolean; runs: boolean }> = [
    { access: "", allow: true, runs: false },
    { access: "x", allow: true, runs: false }, // grants nothing
    { access: "x", allow: false, runs: true }, // removes nothing from a deny-all list
    { access: "mwr", allow: true, runs: true },
    { access: "rrw", allow: true, runs: true },
  ];
  for (const c of cases) {
    for (const [name, argv] of RUNTIMES) {
      const root = tempDir("runt-root-");
      const id = `access-${name}-${process.pid}`;
      const b = makeBundle(["true"], (s) => s.linux!.resources!.devices!.push({ allow: c.allow, type: "c", major: 10, minor: 229, access: c.access }));
      try {
        const r = runt(["--root", root.path, "run", "-b", b.dir, id], { argv });
        assert.equal(r.status === 0, c.runs, `${name}, access ${JSON.stringify(c.access)} allow ${c.allow}: status ${r.status} ${r.stderr}`);
        if (name === "runt" && !c.runs) {
          const errors = r.errLines.filter((l) => !l.startsWith("runt: warning: "));
          assert.equal(errors.length, 1, r.stderr);
          assert.match(errors[0], c.access === "" ? /linux\.resources\.devices\[1\]\.access: must not be empty/ : /"c 10:229" allows nothing/);
        }
      } finally {
        runt(["--root", root.path, "delete", "--force", id], { argv });
        b.cleanup();
        root.cleanup();
      }
    }
  }
});
