/**
 * CVE-2021-30465: a host process swaps a rootfs directory with a symlink to
 * a host path while runt mounts onto a destination below it. Whatever the
 * timing, the mount (and any directory made for it) must stay inside the
 * rootfs: nothing may appear in the host directory or in the host's mount
 * table, nor on the host's /proc.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeBundle, SHARED_ROOTFS } from "../fixtures/bundle.ts";
import { ensureBusyboxRootfs } from "../fixtures/rootfs.ts";
import { isRoot, REPO, runt, tempDir } from "./runt.ts";

const skip = isRoot ? false : "needs root";
const RACER = join(REPO, "tests/integration/mount_racer.ts");
const DENO = join(REPO, "node_modules/.bin/deno");

/** Host mounts whose mount point is `path` or below it. */
function hostMountsAt(path: string): string[] {
  return readFileSync("/proc/self/mountinfo", "utf8").split("\n")
    .filter((l) => {
      const point = l.split(" ")[4];
      return point === path || point?.startsWith(`${path}/`);
    });
}

/** Starts the racer swapping `a` and `b`; resolves once it has swapped once. */
async function startRacer(a: string, b: string): Promise<ChildProcess> {
  const racer = spawn(DENO, ["run", "-A", RACER, a, b, "50000000", "45000"], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    racer.stdout!.on("data", (d: Buffer) => d.toString().includes("ready") && resolve());
    racer.on("exit", (code) => reject(new Error(`racer exited early (${code})`)));
  });
  return racer;
}

async function stopRacer(racer: ChildProcess): Promise<void> {
  if (racer.exitCode !== null || racer.signalCode !== null) return;
  const exited = new Promise((resolve) => racer.on("exit", resolve));
  racer.kill("SIGKILL");
  await exited;
}

interface Race {
  /** The destination configured for the tmpfs. */
  destination: string;
  /** Where the swapped-in symlink points (a host path). */
  linkTarget: string;
  /** Host paths nothing may be mounted on or created in. */
  watched: string;
  propagation?: string;
  creates: number;
}

/**
 * `creates` times: create (while rootfs/a/b flips between a directory and a
 * symlink to `linkTarget`), check the host, delete. Returns the escapes seen.
 */
async function race(r: Race): Promise<{ escapes: string[]; created: number; errors: string[] }> {
  ensureBusyboxRootfs(SHARED_ROOTFS);
  const tmp = tempDir("runt-race-");
  const rootfs = join(tmp.path, "rootfs");
  execFileSync("cp", ["-a", SHARED_ROOTFS, rootfs]);
  mkdirSync(join(rootfs, "a", "b"), { recursive: true });
  symlinkSync(r.linkTarget, join(rootfs, "a", "link"));
  const stateRoot = tempDir("runt-root-");
  const bundle = makeBundle(["true"], (spec) => {
    spec.root = { path: rootfs, readonly: false };
    spec.mounts!.push({ destination: r.destination, type: "tmpfs", source: "tmpfs", options: ["nosuid"] });
    if (r.propagation) spec.linux!.rootfsPropagation = r.propagation as "shared";
  });
  const escapes: string[] = [], errors: string[] = [];
  let created = 0;
  const racer = await startRacer(join(rootfs, "a", "b"), join(rootfs, "a", "link"));
  try {
    for (let i = 0; i < r.creates; i++) {
      const id = `race-${process.pid}-${i}`;
      const c = runt(["--root", stateRoot.path, "create", "--bundle", bundle.dir, id], { files: true });
      if (c.status === 0) created++;
      else errors.push(c.errLines.join(" | "));
      for (const m of hostMountsAt(r.watched)) {
        escapes.push(`create ${i}: host mount ${m}`);
        execFileSync("umount", ["-l", m.split(" ")[4]]);
      }
      if (r.watched !== "/proc/driver") {
        for (const name of readdirSync(r.watched)) escapes.push(`create ${i}: ${join(r.watched, name)} appeared`);
        execFileSync("sh", ["-c", `rm -rf '${r.watched}'/*`]);
      }
      runt(["--root", stateRoot.path, "delete", "--force", id], { files: true });
    }
  } finally {
    await stopRacer(racer);
    for (const m of hostMountsAt(r.watched)) execFileSync("umount", ["-l", m.split(" ")[4]]);
    bundle.cleanup();
    stateRoot.cleanup();
    tmp.cleanup();
  }
  return { escapes, created, errors };
}

function hostDir(): { path: string; cleanup: () => void } {
  return tempDir("runt-race-host-");
}

test("a directory swapped for a symlink to the host cannot take the tmpfs (or its mount point) out of the rootfs", { skip }, async () => {
  const host = hostDir();
  try {
    const r = await race({ destination: "/a/b/dest", linkTarget: host.path, watched: host.path, creates: 40 });
    assert.deepEqual(r.escapes, []);
    // The race only decides where inside the rootfs the tmpfs goes; creates still succeed.
    assert.ok(r.created > 0, r.errors.join("\n"));
  } finally {
    host.cleanup();
  }
});

test("with rootfsPropagation shared the swapped symlink cannot put a mount into the host's mount table", { skip }, async () => {
  const host = hostDir();
  try {
    const r = await race({
      destination: "/a/b/dest",
      linkTarget: host.path,
      watched: host.path,
      propagation: "shared",
      creates: 20,
    });
    assert.deepEqual(r.escapes, []);
    assert.ok(r.created > 0, r.errors.join("\n"));
  } finally {
    host.cleanup();
  }
});

test("a destination led into /proc by the swapped symlink is refused or stays in the rootfs, never on the host's /proc", { skip }, async () => {
  const r = await race({
    destination: "/a/b/driver",
    linkTarget: "/proc",
    watched: "/proc/driver",
    propagation: "shared",
    creates: 20,
  });
  assert.deepEqual(r.escapes, []);
  // A create either succeeded (the tmpfs went on rootfs/a/b/driver) or was refused in one line naming the
  // mount: inside the container's /proc the check refuses it, or the proc filesystem refuses the mount point.
  for (const e of r.errors) assert.match(e, /^runt: mount "tmpfs" on "\/a\/b\/driver": [^|]+$/);
});

test("tmpcopyup under the racer copies a swapped-in symlink as a link, never the host files it points to", { skip }, async () => {
  ensureBusyboxRootfs(SHARED_ROOTFS);
  const host = hostDir();
  writeFileSync(join(host.path, "secret"), "host-secret\n");
  const tmp = tempDir("runt-race-");
  const rootfs = join(tmp.path, "rootfs");
  execFileSync("cp", ["-a", SHARED_ROOTFS, rootfs]);
  mkdirSync(join(rootfs, "a", "b"), { recursive: true });
  symlinkSync(host.path, join(rootfs, "a", "link"));
  const stateRoot = tempDir("runt-root-");
  const bundle = makeBundle(["sh", "-c", "cat /a/b/secret /a/link/secret 2>/dev/null; true"], (spec) => {
    spec.root = { path: rootfs, readonly: false };
    spec.mounts!.push({ destination: "/a", type: "tmpfs", source: "tmpfs", options: ["tmpcopyup"] });
  });
  const leaks: string[] = [];
  let ran = 0;
  const racer = await startRacer(join(rootfs, "a", "b"), join(rootfs, "a", "link"));
  try {
    for (let i = 0; i < 40; i++) {
      const r = runt(["--root", stateRoot.path, "run", "--bundle", bundle.dir, `copyup-${process.pid}-${i}`]);
      if (r.status === 0) ran++;
      if (r.stdout.includes("host-secret")) leaks.push(`run ${i}: the container read the host's file`);
    }
  } finally {
    await stopRacer(racer);
    bundle.cleanup();
    stateRoot.cleanup();
    tmp.cleanup();
    host.cleanup();
  }
  assert.deepEqual(leaks, []);
  assert.ok(ran > 0);
});
