/**
 * The image options beyond the first set, each seen inside the container
 * (or in its config): the default seccomp profile (next to runc on the
 * same bundle), a host device, a user namespace over the shared layers,
 * name resolution files, networks and namespaces joined, and the options
 * that only shape the config.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { busyboxImageTar } from "../fixtures/oci_image.ts";
import { isRoot, runt, runtOk, tempDir } from "./runt.ts";

const skip = isRoot ? false : "needs root";
const work = tempDir("runt-image-options-");
const store = join(work.path, "store");
const root = join(work.path, "state");
after(() => work.cleanup());

let loaded = false;
function image(): void {
  if (loaded) return;
  const r = runt(["image", "load", "--store", store, busyboxImageTar(join(work.path, "img"), "busybox:opts")]);
  assert.equal(r.status, 0, r.stderr);
  loaded = true;
}

function run(id: string, flags: string[], command: string): ReturnType<typeof runt> {
  image();
  return runt(["--root", root, "run", "--store", store, "--image", "busybox:opts", "--rm", ...flags, id, "sh", "-c", command]);
}

/** The config.json `bundle` writes with `flags`. */
function bundleConfig(name: string, flags: string[]) {
  image();
  const dir = join(work.path, name);
  const r = runt(["bundle", "--store", store, "--image", "busybox:opts", ...flags, dir, "true"]);
  assert.equal(r.status, 0, r.stderr);
  return { dir, spec: JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) };
}

const SECCOMP_PROBE = "unshare -U true && echo unshare ok; cat /proc/self/status >/dev/null && echo read ok";

test("--seccomp: a call outside the default allowlist fails with EPERM, one inside works; the same under runc", { skip }, () => {
  const confined = run("opt-seccomp", ["--seccomp"], SECCOMP_PROBE);
  assert.match(confined.stdout + confined.stderr, /Operation not permitted/);
  assert.doesNotMatch(confined.stdout, /unshare ok/);
  assert.match(confined.stdout, /read ok/);
  const free = run("opt-no-seccomp", [], SECCOMP_PROBE);
  assert.equal(free.stdout, "unshare ok\nread ok\n", free.stderr);
  const { dir } = bundleConfig("seccomp-bundle", ["--seccomp"]);
  const spec = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
  spec.process.args = ["sh", "-c", SECCOMP_PROBE];
  writeFileSync(join(dir, "config.json"), JSON.stringify(spec));
  const runc = runt(["--root", join(work.path, "runc"), "run", "--bundle", dir, "opt-seccomp-runc"], { argv: ["runc"] });
  assert.equal(runc.stdout, confined.stdout);
});

test("--seccomp-profile FILE puts that profile in the config; --no-seccomp removes one; two of them are refused", { skip }, () => {
  const profile = { defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 1 }] };
  const file = join(work.path, "profile.json");
  writeFileSync(file, JSON.stringify(profile));
  const r = run("opt-profile", ["--seccomp-profile", file], "mkdir /x; echo $?");
  assert.match(r.stderr + r.stdout, /Operation not permitted/);
  assert.deepEqual(bundleConfig("profile-bundle", ["--seccomp-profile", file]).spec.linux.seccomp, profile);
  assert.equal(bundleConfig("noseccomp-bundle", ["--config", join(bundleConfig("seccomp-base", ["--seccomp"]).dir, "config.json"), "--no-seccomp"]).spec.linux.seccomp, undefined);
  const both = runt(["bundle", "--store", store, "--image", "busybox:opts", "--seccomp", "--no-seccomp", join(work.path, "both")]);
  assert.notEqual(both.status, 0);
  assert.match(both.stderr, /--seccomp, --seccomp-profile and --no-seccomp/);
  assert.equal(existsSync(join(work.path, "both")), false);
});

test("--device: the host's node inside, with its cgroup rule", { skip }, () => {
  const r = run("opt-device", ["--device", "/dev/kmsg"], "ls -l /dev/kmsg");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^c.* 1, +11 .*\/dev\/kmsg/);
  const { spec } = bundleConfig("device-bundle", ["--device", "/dev/kmsg"]);
  assert.deepEqual(spec.linux.resources.devices.at(-1), { allow: true, type: "c", major: 1, minor: 11, access: "rwm" });
  const bad = runt(["bundle", "--store", store, "--image", "busybox:opts", "--device", "/etc/passwd", join(work.path, "bad-device")]);
  assert.equal(bad.errLines.length, 1);
  assert.match(bad.stderr, /--device: \/etc\/passwd is not a device node/);
});

test("--uidmap/--gidmap: a user namespace whose root owns its (copied, shifted) root filesystem; the shared layers keep their owners", { skip }, () => {
  image();
  // As with runc, the mapped root must be able to reach the bundle: the directories above the store are traversable.
  for (const d of [work.path, store]) chmodSync(d, 0o711);
  const r = run("opt-userns", ["--uidmap", "0:200000:65536", "--gidmap", "0:200000:65536"], "cat /proc/self/uid_map; touch /new && stat -c '%u %g' /new /bin/busybox");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^\s+0\s+200000\s+65536\n0 0\n0 0\n$/);
  for (const layer of readdirSync(join(store, "layers"))) assert.equal(statSync(join(store, "layers", layer)).uid, 0);
});

test("--dns, --dns-search, --dns-option, --add-host, --hostname: the container's own /etc files", { skip }, () => {
  const flags = ["--dns", "10.0.0.53", "--dns-search", "example.test", "--dns-option", "ndots:2", "--add-host", "db:10.1.2.3", "--hostname", "web"];
  const r = run("opt-dns", flags, "cat /etc/resolv.conf /etc/hosts /etc/hostname; hostname; grep -c ' /etc/hosts ' /proc/mounts");
  assert.equal(r.status, 0, r.stderr);
  assert.equal(
    r.stdout,
    "nameserver 10.0.0.53\nsearch example.test\noptions ndots:2\n" +
      "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\tweb\n10.1.2.3\tdb\n" +
      "web\nweb\n1\n",
  );
});

test("--network none: only loopback; --network host and --with-ns network:PATH: the host's interfaces", { skip }, () => {
  const host = readdirSync("/sys/class/net").sort().join(" ");
  assert.equal(run("opt-net-none", ["--network", "none"], "ls /sys/class/net | xargs").stdout, "lo\n");
  assert.equal(run("opt-net-host", ["--network", "host"], "ls /sys/class/net | xargs").stdout, `${host}\n`);
  assert.equal(run("opt-with-ns", ["--with-ns", `network:/proc/${process.pid}/ns/net`], "ls /sys/class/net | xargs").stdout, `${host}\n`);
  const bad = run("opt-net-bad", ["--network", "bridge"], "true");
  assert.equal(bad.errLines.length, 1);
  assert.match(bad.stderr, /--network: expected none or host/);
  assert.equal(existsSync(join(root, "opt-net-bad")), false);
});

test("--cgroups-mount rw makes the cgroup hierarchies writable in the container (read-only without)", { skip }, () => {
  const probe = "grep ' /sys/fs/cgroup/[a-z]' /proc/mounts | cut -d' ' -f4 | cut -d, -f1 | sort -u";
  const r = run("opt-cgroups-rw", ["--cgroups-mount", "rw"], probe);
  assert.equal(r.stdout, "rw\n", r.stderr);
  assert.equal(run("opt-cgroups-ro", [], probe).stdout, "ro\n");
});

test("--allow-new-privs, --cgroup, --cpu-shares, --apparmor-profile, --label, --annotation, --stop-signal, --config, --platform: in the config", { skip }, () => {
  const base = join(work.path, "base.json");
  writeFileSync(base, JSON.stringify({ ociVersion: "1.0.2", process: { args: ["x"], cwd: "/", user: { uid: 0, gid: 0 }, rlimits: [{ type: "RLIMIT_NOFILE", hard: 77, soft: 77 }] }, root: { path: "elsewhere" }, hostname: "from-file" }));
  const { spec } = bundleConfig("config-bundle", [
    "--allow-new-privs", "--cgroup", "/runt-test/opts", "--cpu-shares", "512", "--apparmor-profile", "runt-test",
    "--label", "team=ci", "--annotation", "org.example/a=b", "--stop-signal", "SIGUSR1", "--config", base, "--platform", "linux/amd64",
  ]);
  assert.equal(spec.process.noNewPrivileges, false);
  assert.equal(spec.linux.cgroupsPath, "/runt-test/opts");
  assert.equal(spec.linux.resources.cpu.shares, 512);
  assert.equal(spec.process.apparmorProfile, "runt-test");
  assert.equal(spec.annotations.team, "ci");
  assert.equal(spec.annotations["org.example/a"], "b");
  assert.equal(spec.annotations["org.opencontainers.image.stopSignal"], "SIGUSR1");
  assert.deepEqual(spec.process.rlimits, [{ type: "RLIMIT_NOFILE", hard: 77, soft: 77 }], "the file is the starting point");
  assert.equal(spec.hostname, "from-file");
  assert.deepEqual(spec.process.args, ["true"]);
  assert.equal(spec.root.path, "rootfs");
  const other = runt(["bundle", "--store", store, "--image", "busybox:opts", "--platform", "linux/arm64", join(work.path, "arm")]);
  assert.equal(other.errLines.length, 1);
  assert.match(other.stderr, /--platform: busybox:opts is for linux\/amd64, not linux\/arm64/);
  assert.equal(existsSync(join(work.path, "arm")), false);
  const signal = runt(["bundle", "--store", store, "--image", "busybox:opts", "--stop-signal", "SIGNOPE", join(work.path, "sig")]);
  assert.match(signal.stderr, /--stop-signal: unknown signal "SIGNOPE"/);
});

/** Runs `command` detached from the test image. */
function startDetached(id: string, flags: string[], command: string): void {
  image();
  const r = runt(["--root", root, "run", "--store", store, "--image", "busybox:opts", "-d", ...flags, id, "sh", "-c", command], { files: true });
  assert.equal(r.status, 0, r.stderr);
}

function statusOf(id: string): string {
  return JSON.parse(runt(["--root", root, "state", id]).stdout).status;
}

test("runt stop: the container's stop signal ends it; one that ignores it is killed after -t", { skip }, () => {
  startDetached("opt-stop-usr1", ["--stop-signal", "SIGUSR1"], "trap 'exit 0' USR1; while true; do sleep 0.1; done");
  const stopped = runt(["--root", root, "stop", "-t", "30", "opt-stop-usr1"]);
  assert.equal(stopped.status, 0, stopped.stderr);
  assert.equal(statusOf("opt-stop-usr1"), "stopped");
  startDetached("opt-stop-stubborn", [], "trap '' TERM; while true; do sleep 0.1; done");
  const started = Date.now();
  const killed = runt(["--root", root, "stop", "-t", "1", "opt-stop-stubborn"]);
  assert.equal(killed.status, 0, killed.stderr);
  assert.ok(Date.now() - started >= 1000, "SIGKILL waited for the timeout");
  assert.equal(statusOf("opt-stop-stubborn"), "stopped");
  for (const id of ["opt-stop-usr1", "opt-stop-stubborn"]) runtOk(["--root", root, "delete", id]);
  const bad = runt(["--root", root, "stop", "-t", "soon", "opt-stop-usr1"]);
  assert.match(bad.stderr, /--time: expected seconds/);
});
