/**
 * User namespaces, with runt run as root: the container's root is the first
 * mapped host ID (files it makes belong to the mapped IDs on the host),
 * several ranges, exec/pause/kill/delete, joining a user namespace by path,
 * sysfs without a network namespace, bad maps refused by field, and the
 * configs podman and ctr generate for `--uidmap` run. Where runc can do
 * the same it runs side by side and must see the same.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Bundle, makeBundle, SHARED_ROOTFS } from "../fixtures/bundle.ts";
import type { Spec } from "../../runtime/spec/schema.ts";
import { hasCommand, isRoot, REPO, runt, runtArgv, runtOk, tempDir } from "./runt.ts";
import { assertRefused, state, waitFor } from "./containers.ts";
import { leftovers } from "./leftovers.ts";

const skip = !isRoot ? "needs root" : !hasCommand("runc") ? "runc is not installed" : false;
const FIRST = 100000;
const ONE_RANGE = [{ containerID: 0, hostID: FIRST, size: 65536 }];
const TWO_RANGES = [{ containerID: 0, hostID: FIRST, size: 1000 }, { containerID: 1000, hostID: 300000, size: 1000 }];
const RUNC = ["runc"];

/**
 * A bundle whose rootfs is a private copy owned by the mapped root, in
 * directories the namespace's root may enter (a runtime's init reaches
 * them from inside the namespace, as runc's does), /out writable by all.
 */
function userBundle(args: string[], edit: (spec: Spec) => void = () => {}): Bundle {
  const b = makeBundle(args, (spec) => {
    spec.linux!.namespaces!.push({ type: "user" });
    spec.linux!.uidMappings = ONE_RANGE;
    spec.linux!.gidMappings = ONE_RANGE;
    spec.root = { path: "rootfs", readonly: false };
    edit(spec);
  });
  execFileSync("cp", ["-a", SHARED_ROOTFS, join(b.dir, "rootfs")]);
  execFileSync("chown", ["-R", `${FIRST}:${FIRST}`, join(b.dir, "rootfs")]);
  chmodSync(b.dir, 0o755);
  chmodSync(b.out, 0o1777);
  return b;
}

function run(root: string, bundle: string, id: string, argv?: string[]) {
  return runt(["--root", root, "run", "--bundle", bundle, id], { argv });
}

function owner(path: string): string {
  const st = statSync(path);
  return `${st.uid}:${st.gid}`;
}

/**
 * `script` run to its end by runt and by runc, each on a bundle of its own;
 * both must succeed and print the same. `check` gets the output and both bundles.
 */
function sideBySide(id: string, script: string, edit: (spec: Spec) => void, check: (stdout: string, bundles: Bundle[]) => void): void {
  const root = tempDir("runt-root-");
  const bundles = [userBundle(["sh", "-c", script], edit), userBundle(["sh", "-c", script], edit)];
  try {
    const ours = run(root.path, bundles[0].dir, id);
    assert.equal(ours.status, 0, ours.stderr);
    const theirs = run(root.path, bundles[1].dir, `${id}-runc`, RUNC);
    assert.equal(theirs.status, 0, theirs.stderr);
    assert.equal(ours.stdout, theirs.stdout);
    check(ours.stdout, bundles);
  } finally {
    for (const b of bundles) b.cleanup();
    root.cleanup();
  }
}

test("uid 0 inside is the first mapped host ID: maps, id, Cap*, and files it makes belong to the mapped IDs (as under runc)", { skip }, () => {
  const script = "id; cat /proc/self/uid_map /proc/self/gid_map; grep ^Cap /proc/self/status; touch /made-here /out/made-there";
  sideBySide("userns-first", script, () => {}, (stdout, bundles) => {
    assert.match(stdout, /^uid=0\(root\) gid=0\(root\)/);
    assert.match(stdout, new RegExp(`\\s+0\\s+${FIRST}\\s+65536\\n\\s+0\\s+${FIRST}\\s+65536\\n`));
    for (const b of bundles) {
      assert.equal(owner(join(b.dir, "rootfs/made-here")), `${FIRST}:${FIRST}`);
      assert.equal(owner(join(b.out, "made-there")), `${FIRST}:${FIRST}`);
    }
  });
});

test("several ranges: a user of the second range writes as its host ID; the maps show both ranges (as under runc)", { skip }, () => {
  const edit = (spec: Spec) => {
    spec.linux!.uidMappings = TWO_RANGES;
    spec.linux!.gidMappings = TWO_RANGES;
    spec.process!.user = { uid: 1500, gid: 1500 };
  };
  sideBySide("userns-ranges", "id; cat /proc/self/uid_map /proc/self/gid_map; touch /out/by-1500", edit, (stdout, bundles) => {
    assert.match(stdout, /^uid=1500 gid=1500/);
    assert.equal(stdout.split("\n").filter((l) => /^\s+1000\s+300000\s+1000$/.test(l)).length, 2);
    for (const b of bundles) assert.equal(owner(join(b.out, "by-1500")), "300500:300500");
  });
});

test("exec joins the container's user namespace; pause, kill and delete work and leave nothing", { skip }, () => {
  const root = tempDir("runt-root-");
  const b = userBundle(["sleep", "600"]);
  const id = "userns-life";
  try {
    runtOk(["--root", root.path, "run", "-d", "--bundle", b.dir, id], { files: true });
    const pid = state(root.path, id).pid;
    const r = runt(["--root", root.path, "exec", id, "sh", "-c", "id -u; readlink /proc/self/ns/user; grep ^CapEff /proc/self/status; touch /out/by-exec"]);
    assert.equal(r.status, 0, r.stderr);
    const [uid, ns, capEff] = r.stdout.trim().split("\n");
    assert.equal(uid, "0");
    assert.equal(ns, readlinkSync(`/proc/${pid}/ns/user`));
    assert.notEqual(ns, readlinkSync("/proc/self/ns/user"));
    assert.equal(capEff, readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("CapEff")));
    assert.equal(owner(join(b.out, "by-exec")), `${FIRST}:${FIRST}`);
    runtOk(["--root", root.path, "pause", id]);
    assert.equal(state(root.path, id).status, "paused");
    runtOk(["--root", root.path, "resume", id]);
    runtOk(["--root", root.path, "kill", id, "KILL"]);
    waitFor(() => state(root.path, id).status === "stopped", "the container to stop");
    const d = runt(["--root", root.path, "delete", id]);
    assert.equal(d.status, 0, d.stderr);
    assert.deepEqual(leftovers(root.path, id, [b.dir]), []);
  } finally {
    runt(["--root", root.path, "delete", "--force", id]);
    b.cleanup();
    root.cleanup();
  }
});

test("a container joins another's user namespace by path: same namespace, same maps, its own PID namespace owned by it", { skip }, () => {
  const root = tempDir("runt-root-");
  const first = userBundle(["sleep", "600"]);
  let second: ReturnType<typeof userBundle> | undefined;
  try {
    runtOk(["--root", root.path, "run", "-d", "--bundle", first.dir, "userns-owner"], { files: true });
    const pid = state(root.path, "userns-owner").pid;
    second = userBundle(["sh", "-c", "readlink /proc/self/ns/user; cat /proc/self/uid_map; echo $$; touch /made"], (spec) => {
      spec.linux!.namespaces = spec.linux!.namespaces!.map((ns) => ns.type === "user" ? { type: "user", path: `/proc/${pid}/ns/user` } : ns);
      delete spec.linux!.uidMappings;
      delete spec.linux!.gidMappings;
    });
    const r = run(root.path, second.dir, "userns-joiner");
    assert.equal(r.status, 0, r.stderr);
    const [ns, map, shellPid] = r.stdout.trim().split("\n");
    assert.equal(ns, readlinkSync(`/proc/${pid}/ns/user`));
    assert.match(map, new RegExp(`^\\s+0\\s+${FIRST}\\s+65536$`));
    assert.equal(shellPid, "1");
    assert.equal(owner(join(second.dir, "rootfs/made")), `${FIRST}:${FIRST}`);
  } finally {
    runt(["--root", root.path, "delete", "--force", "userns-owner"]);
    first.cleanup();
    second?.cleanup();
    root.cleanup();
  }
});

test("sysfs in a user namespace without a network namespace of its own is the host's /sys, bound read-only", { skip }, () => {
  const root = tempDir("runt-root-");
  // runc 1.1.5 fails here (EPERM from the kernel); runc 1.2 binds /sys as runt does.
  const b = userBundle(["sh", "-c", "grep ' / /sys ' /proc/self/mountinfo; ls /sys/kernel >/dev/null && echo listed"], (spec) => {
    spec.linux!.namespaces = spec.linux!.namespaces!.filter((ns) => ns.type !== "network");
  });
  try {
    const r = run(root.path, b.dir, "userns-sysfs");
    assert.equal(r.status, 0, r.stderr);
    const [line, listed] = r.stdout.trim().split("\n");
    assert.match(line, /^\d+ \d+ \S+ \/ \/sys ro,nosuid,nodev,noexec,relatime( .*)? - sysfs /);
    // The same superblock as the host's /sys: a bind, not a new sysfs.
    const host = readFileSync("/proc/self/mountinfo", "utf8").split("\n").find((l) => l.split(" ")[4] === "/sys");
    assert.equal(line.split(" ")[2], host?.split(" ")[2]);
    assert.equal(listed, "listed");
  } finally {
    b.cleanup();
    root.cleanup();
  }
});

test("a bind source below a directory the container's root cannot enter is mounted, as runc opens it from the host's user namespace", { skip }, () => {
  // The kubelet's pod volumes and a 0700 bundle are such: root's, mode 0700, out of the mapped IDs' reach.
  const locked = tempDir("runt-locked-");
  try {
    chmodSync(locked.path, 0o700);
    mkdirSync(join(locked.path, "volume"));
    writeFileSync(join(locked.path, "volume", "data"), "from the host\n");
    writeFileSync(join(locked.path, "single"), "one file\n");
    const edit = (spec: Spec) => {
      spec.mounts!.push(
        { destination: "/volume", type: "bind", source: join(locked.path, "volume"), options: ["rbind", "ro"] },
        { destination: "/single", type: "bind", source: join(locked.path, "single"), options: ["bind"] },
      );
    };
    // The container's PID 1 holds its stdio and nothing runt opened for its init (the sources, its executable, Deno's cache).
    sideBySide("userns-locked", "cat /volume/data /single; touch /volume/x 2>/dev/null || echo read-only; ls /proc/1/fd; echo end", edit, (stdout) => {
      assert.equal(stdout, "from the host\none file\nread-only\n0\n1\n2\nend\n");
    });
  } finally {
    locked.cleanup();
  }
});

/** `args` run in a user namespace by a copy of the runt binary of mode `modes.file`, in a directory of mode `modes.dir`. */
function byCopyOfRunt(id: string, args: string[], modes: { dir: number; file: number }, check: (r: ReturnType<typeof run>, copy: string, root: string, b: Bundle) => void): void {
  const dir = tempDir("runt-bin-");
  const root = tempDir("runt-root-");
  const b = userBundle(args);
  try {
    const copy = join(dir.path, "runt");
    copyFileSync(runtArgv()[0], copy);
    chmodSync(copy, modes.file);
    chmodSync(dir.path, modes.dir);
    check(run(root.path, b.dir, id, [copy]), copy, root.path, b);
  } finally {
    b.cleanup();
    root.cleanup();
    dir.cleanup();
  }
}

const onlyCompiled = runtArgv().length > 1 && "the compiled binary's case: Deno reads runt's sources by path";

test("runt's executable below a directory the container's root cannot enter still starts the init, as runc's does", { skip: skip || onlyCompiled }, () => {
  // A build in /root, say: the program starts the init from a descriptor runt opened.
  byCopyOfRunt("userns-locked-bin", ["sh", "-c", "cat /proc/self/uid_map"], { dir: 0o700, file: 0o755 }, (r) => {
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^\\s+0\\s+${FIRST}\\s+65536\\n$`));
  });
});

test("a runt executable only its owner may run cannot become a user namespace's init: one line saying so, nothing left", { skip: skip || onlyCompiled }, () => {
  byCopyOfRunt("userns-owner-only", ["true"], { dir: 0o755, file: 0o700 }, (r, copy, root, b) => {
    assert.equal(r.status, 1, r.stderr);
    assert.deepEqual(r.errLines, [`runt: exec the container init ${JSON.stringify(copy)}: EACCES (Permission denied)`]);
    assert.deepEqual(leftovers(root, "userns-owner-only", [b.dir]), []);
  });
});

test("a createContainer hook the init starts holds its stdio and nothing of the init's: no channel, fifo or cache descriptor", { skip }, () => {
  const root = tempDir("runt-root-");
  const b = userBundle(["true"]);
  try {
    // exec'd with its redirect, ls holds 0-2 and the directory it reads (3); anything the init passed on comes beside them.
    b.spec.hooks = { createContainer: [{ path: "/bin/sh", args: ["sh", "-c", `exec ls /proc/self/fd > ${b.out}/fds`] }] };
    b.save();
    const r = run(root.path, b.dir, "userns-hook-fds");
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readFileSync(join(b.out, "fds"), "utf8").trim().split("\n"), ["0", "1", "2", "3"]);
  } finally {
    b.cleanup();
    root.cleanup();
  }
});

const onlyFromSources = runtArgv().length === 1 && "the Deno CLI's case: the compiled binary's init loads no modules from a cache";

test("from sources, a user namespace's init finds runt's modules compiled in the caller's Deno cache, in a directory it may not enter", { skip: skip || onlyFromSources }, () => {
  // Root's own cache is under /root, 0700: a cache of the test's own, as far out of the namespace root's reach.
  const home = tempDir("runt-deno-home-");
  const cache = join(home.path, "deno");
  const root = tempDir("runt-root-");
  const b = userBundle(["cat", "/proc/self/uid_map"]);
  try {
    chmodSync(home.path, 0o700);
    const r = runt(["--root", root.path, "run", "--bundle", b.dir, "userns-deno-cache"], { env: { DENO_DIR: cache } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^\\s+0\\s+${FIRST}\\s+65536\\n$`));
    // The init may read the cache but not write it: runt compiled the init's own modules into it.
    for (const module of ["cli/init_main.ts", "runtime/init/main.ts"]) {
      assert.ok(existsSync(join(cache, "gen", "file", REPO, `${module}.js`)), `${module} is not in Deno's cache ${cache}`);
    }
    assert.deepEqual(leftovers(root.path, "userns-deno-cache", [b.dir]), []);
  } finally {
    b.cleanup();
    root.cleanup();
    home.cleanup();
  }
});

test("bad maps: overlapping ranges and a new user namespace without maps are one line naming the field, nothing left", { skip }, () => {
  const cases: [string, (spec: Spec) => void, RegExp][] = [
    ["overlap", (spec) => (spec.linux!.uidMappings = [...ONE_RANGE, { containerID: 500, hostID: 300000, size: 10 }]), /^runt: .*linux\.uidMappings\[1\]: containerID range 500-509 overlaps linux\.uidMappings\[0\] \(0-65535\)$/],
    ["nomaps", (spec) => delete spec.linux!.gidMappings, /^runt: .*linux\.gidMappings: required for a new user namespace/],
  ];
  for (const [id, edit, message] of cases) {
    const b = userBundle(["true"], edit);
    try {
      assertRefused(b.dir, id, message);
    } finally {
      b.cleanup();
    }
  }
});

/**
 * A manager's config as captured from what it handed its runtime
 * (tests/fixtures/configs/userns/), on a rootfs owned by the mapped root:
 * the files it binds are made, the cgroup path made unique, and rlimits
 * capped at what this host allows raising to.
 */
function managerBundle(fixture: string, id: string) {
  const spec = JSON.parse(readFileSync(new URL(`../fixtures/configs/userns/${fixture}`, import.meta.url), "utf8")) as Spec;
  const b = userBundle([], () => {});
  const userdata = join(b.dir, "userdata");
  mkdirSync(join(userdata, "shm"), { recursive: true });
  for (const f of ["hosts", "hostname", "resolv.conf", ".containerenv"]) writeFileSync(join(userdata, f), "");
  chownSync(join(userdata, "shm"), FIRST, FIRST);
  spec.process!.args = ["sh", "-c", "cat /proc/self/uid_map; id -u; touch /tmp/x && echo wrote"];
  spec.process!.terminal = false;
  spec.linux!.cgroupsPath = `/runt-userns-test-${id}`;
  const hard = Number(execFileSync("sh", ["-c", "ulimit -Hn"]).toString().trim());
  for (const rl of spec.process!.rlimits ?? []) {
    if (rl.type === "RLIMIT_NOFILE") rl.hard = rl.soft = Math.min(rl.hard, hard);
  }
  writeFileSync(join(b.dir, "config.json"), JSON.stringify(spec));
  return b;
}

for (const fixture of ["podman-run-uidmap.json", "ctr-run-uidmap.json"]) {
  test(`${fixture.replace(/-run-uidmap\.json$/, "")} --uidmap 0:100000:65536's config runs`, { skip }, () => {
    const root = tempDir("runt-root-");
    const id = `userns-${fixture.split("-")[0]}`;
    const b = managerBundle(fixture, id);
    try {
      const r = run(root.path, b.dir, id);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^\\s+0\\s+${FIRST}\\s+65536\\n0\\nwrote\\n$`));
      assert.deepEqual(leftovers(root.path, id, [b.dir]), []);
    } finally {
      b.cleanup();
      root.cleanup();
    }
  });
}

test("features: user namespaces listed", { skip }, () => {
  const f = runt(["features"]);
  assert.equal(f.status, 0, f.stderr);
  assert.ok(JSON.parse(f.stdout).linux.namespaces.includes("user"));
});

test("exec as a user of the second range: stdio is handed to that user, who can reopen it (as under runc)", { skip }, () => {
  const root = tempDir("runt-root-");
  const edit = (spec: Spec) => {
    spec.linux!.uidMappings = TWO_RANGES;
    spec.linux!.gidMappings = TWO_RANGES;
  };
  const bundles = [userBundle(["sleep", "600"], edit), userBundle(["sleep", "600"], edit)];
  const script = "id -u; stat -L -c %u /proc/self/fd/1; echo reopened > /dev/stdout";
  const ids = ["userns-stdio", "userns-stdio-runc"];
  try {
    const seen = [undefined, RUNC].map((argv, i) => {
      runtOk(["--root", root.path, "run", "-d", "--bundle", bundles[i].dir, ids[i]], { argv, files: true });
      const r = runt(["--root", root.path, "exec", "--user", "1500:1500", ids[i], "sh", "-c", script], { argv });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout;
    });
    assert.equal(seen[0], seen[1]);
    assert.equal(seen[0], "1500\n1500\nreopened\n");
  } finally {
    runt(["--root", root.path, "delete", "--force", ids[0]]);
    runt(["--root", root.path, "delete", "--force", ids[1]], { argv: RUNC });
    for (const b of bundles) b.cleanup();
    root.cleanup();
  }
});
