/**
 * Rootless: runt run by a user without root (made by the test: useradd,
 * subordinate ranges, a runtime directory), on a bundle from `runt spec
 * --rootless` and a rootfs the user owns. uid 0 inside is the user's own
 * ID; several ranges go through newuidmap/newgidmap; the state goes under
 * $XDG_RUNTIME_DIR/runt; without a delegated cgroup the container has none
 * (one warning) and what needs one is refused in one line; the user
 * reaches nothing it could not reach without runt. runc, run by the same
 * user on the same input, runs side by side where it can do the same.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Spec } from "../../runtime/spec/schema.ts";
import { type RootlessUser, rootlessUser, runAsUser, userBundle, type UserBundle } from "../fixtures/rootless_user.ts";
import { hasCommand, isRoot, runtArgv } from "./runt.ts";
import { leftovers } from "./leftovers.ts";
import { waitFor } from "./containers.ts";

const skip = !isRoot
  ? "needs root (to make the user)"
  : !hasCommand("runc") || !hasCommand("newuidmap") || !hasCommand("setpriv")
  ? "needs runc, newuidmap (uidmap) and setpriv"
  : false;
const RUNC = ["runc"];
const user: RootlessUser | undefined = skip ? undefined : rootlessUser();
const U = () => user!;
const stateRoot = () => join(U().runtimeDir, "runt");

function owner(path: string): string {
  const st = statSync(path);
  return `${st.uid}:${st.gid}`;
}

/** The warning a create without a cgroup it may make prints, once. */
const NO_CGROUP_WARNING = /^runt: warning: the container has no cgroup in .*: uid \d+ may not create one there/;

/**
 * `args` run to the end by runt and by runc as the user, each on a bundle
 * of its own; both must succeed and print the same. `check` gets the
 * output, runt's stderr lines and both bundles.
 */
function sideBySide(
  id: string,
  args: string[],
  edit: (spec: Spec, user: RootlessUser) => void,
  check: (stdout: string, errLines: string[], bundles: UserBundle[]) => void,
  prepare: (bundle: UserBundle) => void = () => {},
  normalise: (stdout: string) => string = (s) => s,
): void {
  const bundles = [userBundle(U(), args, (s) => edit(s, U())), userBundle(U(), args, (s) => edit(s, U()))];
  try {
    for (const b of bundles) prepare(b);
    const ours = runAsUser(U(), ["run", "--bundle", bundles[0].dir, id]);
    assert.equal(ours.status, 0, ours.stderr);
    const theirs = runAsUser(U(), ["run", "--bundle", bundles[1].dir, id], { argv: RUNC });
    assert.equal(theirs.status, 0, theirs.stderr);
    assert.equal(normalise(ours.stdout), normalise(theirs.stdout));
    check(ours.stdout, ours.errLines, bundles);
  } finally {
    for (const b of bundles) b.cleanup();
  }
}

/** `edit`'s bundle refused by runt in one line matching `message`, leaving nothing; runc refuses it too. */
function refused(id: string, edit: (spec: Spec, user: RootlessUser) => void, message: RegExp): void {
  const b = userBundle(U(), ["true"], (s) => edit(s, U()));
  try {
    const ours = runAsUser(U(), ["run", "--bundle", b.dir, id]);
    assert.notEqual(ours.status, 0);
    const errors = ours.errLines.filter((l) => !NO_CGROUP_WARNING.test(l));
    assert.equal(errors.length, 1, ours.stderr);
    assert.match(errors[0], message);
    assert.deepEqual(leftovers(stateRoot(), id, [b.dir]), []);
    assert.notEqual(runAsUser(U(), ["run", "--bundle", b.dir, id], { argv: RUNC }).status, 0);
  } finally {
    b.cleanup();
  }
}

test("a `runt spec --rootless` bundle run by a user without root: uid 0 inside is the user, files it makes are the user's (as under runc)", { skip }, () => {
  const script = "id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; grep ^Cap /proc/self/status; touch /out/made";
  sideBySide("rootless-first", ["sh", "-c", script], () => {}, (stdout, errLines, bundles) => {
    const u = U();
    assert.match(stdout, new RegExp(`^0\\n0\\n\\s+0\\s+${u.uid}\\s+1\\n\\s+0\\s+${u.gid}\\s+1\\n`));
    for (const b of bundles) assert.equal(owner(join(b.out, "made")), `${u.uid}:${u.gid}`);
    // No cgroup may be made on this host's v1 hierarchies: one warning, as the only line.
    assert.equal(errLines.length, 1, errLines.join("\n"));
    assert.match(errLines[0], NO_CGROUP_WARNING);
  });
});

/** A mountinfo line as both runtimes must agree on it: mount point, mount options, type, superblock options (IDs and sources differ). */
function mountShape(text: string): string {
  return text.split("\n").filter((l) => l !== "").map((l) => {
    const [before, after] = l.split(" - ");
    const f = before.split(" ");
    const [type, , superOptions] = after.split(" ");
    return [f[4], f[5], type, superOptions].join(" ");
  }).join("\n");
}

test("the container's mounts are runc's: mount points, flags, types and filesystem options of a rootless container", { skip }, () => {
  sideBySide("rootless-mounts", ["cat", "/proc/self/mountinfo"], () => {}, (stdout) => {
    // The host's /sys, bound: a user namespace without a network namespace gets no sysfs of its own.
    assert.match(mountShape(stdout), /^\/sys \S+ sysfs /m);
  }, () => {}, mountShape);
});

test("the default --root is $XDG_RUNTIME_DIR/runt (0700, sticky, as runc's); without XDG_RUNTIME_DIR /run/runt is refused in one line naming --root", { skip }, () => {
  const id = "rootless-root";
  const b = userBundle(U(), ["sleep", "600"]);
  try {
    const r = runAsUser(U(), ["run", "-d", "--bundle", b.dir, id], { files: true });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(join(stateRoot(), id, "state.json")));
    const st = statSync(stateRoot());
    assert.equal(st.mode & 0o7777, 0o1700);
    assert.equal(st.uid, U().uid);
    const list = runAsUser(U(), ["list", "-q"]);
    assert.equal(list.stdout, `${id}\n`);
    for (const args of [["list"], ["state", id], ["delete", id]]) {
      const without = runAsUser(U(), args, { xdg: false });
      assert.notEqual(without.status, 0);
      assert.deepEqual(without.errLines, [
        `runt: --root /run/runt: permission denied for uid ${U().uid} (a user without root keeps its state under $XDG_RUNTIME_DIR/runt: set XDG_RUNTIME_DIR or pass --root)`,
      ]);
    }
  } finally {
    runAsUser(U(), ["delete", "--force", id]);
    b.cleanup();
  }
});

test("exec, kill and delete work without root; pause and ps, which need a cgroup, are refused in one line (runc refuses them too)", { skip }, () => {
  const id = "rootless-life";
  const b = userBundle(U(), ["sleep", "600"]);
  chmodSync(b.out, 0o1777);
  try {
    const r = runAsUser(U(), ["run", "-d", "--bundle", b.dir, id], { files: true });
    assert.equal(r.status, 0, r.stderr);
    const e = runAsUser(U(), ["exec", id, "sh", "-c", "id -u; cat /proc/self/uid_map; touch /out/by-exec"]);
    assert.equal(e.status, 0, e.stderr);
    assert.match(e.stdout, new RegExp(`^0\\n\\s+0\\s+${U().uid}\\s+1\\n$`));
    assert.equal(owner(join(b.out, "by-exec")), `${U().uid}:${U().gid}`);
    for (const verb of ["pause", "ps"]) {
      const p = runAsUser(U(), [verb, id]);
      assert.notEqual(p.status, 0);
      assert.equal(p.errLines.length, 1, p.stderr);
      assert.match(p.errLines[0], new RegExp(`^runt: cannot (pause|list the processes of) container "${id}": it has no cgroup \\(runt ran without root`));
    }
    assert.equal(runAsUser(U(), ["kill", id, "KILL"]).status, 0);
    waitFor(() => JSON.parse(runAsUser(U(), ["state", id]).stdout).status === "stopped", "the container to stop");
    const d = runAsUser(U(), ["delete", id]);
    assert.equal(d.status, 0, d.stderr);
    assert.deepEqual(leftovers(stateRoot(), id, [b.dir]), []);
  } finally {
    runAsUser(U(), ["delete", "--force", id]);
    b.cleanup();
  }
  // runc 1.1.5 run by the same user: pause and ps fail there too.
  const c = userBundle(U(), ["sleep", "600"]);
  try {
    assert.equal(runAsUser(U(), ["run", "-d", "--bundle", c.dir, `${id}-runc`], { argv: RUNC, files: true }).status, 0);
    for (const verb of ["pause", "ps"]) assert.notEqual(runAsUser(U(), [verb, `${id}-runc`], { argv: RUNC }).status, 0);
  } finally {
    runAsUser(U(), ["delete", "--force", `${id}-runc`], { argv: RUNC });
    c.cleanup();
  }
});

test("several ranges go through newuidmap/newgidmap from /etc/subuid and /etc/subgid; a user of the second range writes as its subordinate ID (as under runc)", { skip }, () => {
  const edit = (spec: Spec, u: RootlessUser) => {
    spec.linux!.uidMappings = [{ containerID: 0, hostID: u.uid, size: 1 }, { containerID: 1, hostID: u.subStart, size: 65536 }];
    spec.linux!.gidMappings = [{ containerID: 0, hostID: u.gid, size: 1 }, { containerID: 1, hostID: u.subStart, size: 65536 }];
    spec.process!.user = { uid: 1000, gid: 1000 };
    spec.process!.cwd = "/tmp";
  };
  // Only the user's own IDs own /out: the container's 1000 writes into a sticky world-writable one.
  const script = "id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; touch /out/by-1000";
  sideBySide("rootless-ranges", ["sh", "-c", script], edit, (stdout, _errLines, bundles) => {
    const u = U();
    assert.match(stdout, /^1000\n1000\n/);
    assert.equal(stdout.split("\n").filter((l) => new RegExp(`^\\s+1\\s+${u.subStart}\\s+65536$`).test(l)).length, 2);
    for (const b of bundles) assert.equal(owner(join(b.out, "by-1000")), `${u.subStart + 999}:${u.subStart + 999}`);
  }, (b) => chmodSync(b.out, 0o1777));
});

test("a user without root cannot map IDs it was not given, nor run as an unmapped user, nor set limits without a cgroup: one line naming the field, nothing left (runc refuses each too)", { skip }, () => {
  refused("rootless-hostroot", (spec) => {
    spec.linux!.uidMappings = [{ containerID: 0, hostID: 0, size: 1 }];
  }, /^runt: linux\.uidMappings: newuidmap refused the maps \(.*not allowed\); a user without root may map uid \d+ and the ranges \/etc\/subuid gives it$/);
  refused("rootless-subrange", (spec, u) => {
    spec.linux!.gidMappings = [{ containerID: 0, hostID: u.gid, size: 1 }, { containerID: 1, hostID: u.subStart + 65536, size: 10 }];
  }, /^runt: linux\.gidMappings: newgidmap refused the maps/);
  refused("rootless-unmapped", (spec) => {
    spec.process!.user = { uid: 5, gid: 0 };
  }, /^runt: .*process\.user\.uid: uid 5 is not mapped in the user namespace \(linux\.uidMappings\)$/);
  refused("rootless-limit", (spec) => {
    spec.linux!.resources = { memory: { limit: 100 * 1024 * 1024 } };
  }, /^runt: cannot write "104857600" to memory\.limit_in_bytes: runt runs without root and could not create the container's memory cgroup/);
});

test("the container reaches nothing the user could not: a root-only host file stays unreadable, the host's /etc unwritable (as under runc)", { skip }, () => {
  const secret = `secret-${process.pid}`;
  // root's, 0600: the user cannot read it without runt.
  const file = `/tmp/runt-rootless-secret-${process.pid}`;
  writeFileSync(file, secret, { mode: 0o600 });
  const probe = "/etc/runt-rootless-probe";
  try {
    const script = "cat /secret 2>/dev/null; touch /hostetc/runt-rootless-probe 2>/dev/null; echo done";
    sideBySide("rootless-reach", ["sh", "-c", script], (spec) => {
      spec.mounts!.push({ destination: "/secret", type: "bind", source: file, options: ["bind", "ro"] });
      spec.mounts!.push({ destination: "/hostetc", type: "bind", source: "/etc", options: ["rbind", "rw"] });
    }, (stdout) => {
      assert.equal(stdout, "done\n");
      assert.ok(!existsSync(probe));
    });
  } finally {
    rmSync(file, { force: true });
    rmSync(probe, { force: true });
  }
});

test("root of a user namespace of the user's (unshare -r, as rootless podman runs its runtime) runs a config without one as runc does: a PID namespace, a bind mount, no word about cgroups", { skip }, () => {
  const inOwnNamespace = (argv: string[]) => ["unshare", "--user", "--map-root-user", ...argv];
  const edit = (spec: Spec) => {
    spec.linux!.namespaces = spec.linux!.namespaces!.filter((ns) => ns.type !== "user");
    delete spec.linux!.uidMappings;
    delete spec.linux!.gidMappings;
  };
  const args = ["sh", "-c", "echo made > /out/made; cat /proc/self/uid_map; echo pid $$; ps -o args; id"];
  const bundles = [userBundle(U(), args, edit), userBundle(U(), args, edit)];
  try {
    // Before, runt failed at once: setns(…, CLONE_NEWPID) back to the host's PID namespace, EPERM.
    const ours = runAsUser(U(), ["run", "--bundle", bundles[0].dir, "own-userns"], { argv: inOwnNamespace(runtArgv()) });
    assert.equal(ours.status, 0, ours.stderr);
    const theirs = runAsUser(U(), ["run", "--bundle", bundles[1].dir, "own-userns"], { argv: inOwnNamespace(RUNC) });
    assert.equal(theirs.status, 0, theirs.stderr);
    assert.equal(ours.stdout, theirs.stdout);
    assert.match(ours.stdout, new RegExp(`^\\s+0\\s+${U().uid}\\s+1\\npid 1\\nCOMMAND\\nsh -c`));
    assert.deepEqual(ours.errLines, []);
    assert.equal(owner(join(bundles[0].out, "made")), `${U().uid}:${U().gid}`);
  } finally {
    for (const b of bundles) b.cleanup();
  }
});

test("under unshare -r, exec into a container runt made there (runt's thread enters the container's mount namespace and comes back to one of its own), as runc's exec", { skip }, () => {
  const edit = (spec: Spec) => {
    spec.linux!.namespaces = spec.linux!.namespaces!.filter((ns) => ns.type !== "user");
    delete spec.linux!.uidMappings;
    delete spec.linux!.gidMappings;
  };
  const quoted = (argv: string[]) => argv.map((a) => `'${a}'`).join(" ");
  // One session: a container of one user namespace is out of reach from the next unshare's.
  const session = (runtime: string[], dir: string) =>
    runAsUser(U(), [], {
      argv: ["unshare", "--user", "--map-root-user", "sh", "-c", `R="${quoted(runtime)}"; eval $R run -d --bundle ${dir} own-exec </dev/null >/dev/null && eval $R exec own-exec sh -c "'echo exec \\$\\$; id -u'"; s=$?; eval $R delete -f own-exec; exit $s`],
    });
  const bundles = [userBundle(U(), ["sleep", "600"], edit), userBundle(U(), ["sleep", "600"], edit)];
  try {
    // Before, runt's exec failed: setns(…, CLONE_NEWNS) back to the host's mount namespace, EPERM.
    const ours = session(runtArgv(), bundles[0].dir);
    assert.equal(ours.status, 0, ours.stderr);
    const theirs = session(RUNC, bundles[1].dir);
    assert.equal(theirs.status, 0, theirs.stderr);
    assert.match(ours.stdout, /^exec \d+\n0\n$/);
    assert.equal(ours.stdout.replace(/\d+/, "N"), theirs.stdout.replace(/\d+/, "N"));
  } finally {
    for (const b of bundles) b.cleanup();
  }
});
