/**
 * `runt run --image` and `create --image`: each archive kind loaded and
 * run, the image config honoured, every option visible inside the container
 * (or in its config), two containers standing on the same unpacked layers,
 * and --rm / delete leaving nothing behind.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { SHARED_ROOTFS } from "../fixtures/bundle.ts";
import { busyboxDockerArchive, busyboxImageTar } from "../fixtures/oci_image.ts";
import { ensureBusyboxRootfs } from "../fixtures/rootfs.ts";
import { tarBytes } from "../fixtures/tar_writer.ts";
import { mountsMentioning } from "./leftovers.ts";
import { isRoot, runt, runtOk, tempDir } from "./runt.ts";

const skip = isRoot ? false : "needs root";
const work = tempDir("runt-image-run-");
const store = join(work.path, "store");
const root = join(work.path, "state");
after(() => work.cleanup());

let loaded = false;
/** Loads the test images once: busybox in each archive kind, and one with users and a config. */
function images(): void {
  if (loaded) return;
  const users = tarBytes([
    { name: "etc/passwd", data: "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n" },
    { name: "etc/group", data: "root:x:0:\napp:x:1000:\nextra:x:2000:app\n" },
    { name: "work/", type: "directory", uid: 1000, gid: 1000 },
  ]);
  const config = { User: "app", Env: ["PATH=/bin", "GREETING=hello"], Entrypoint: ["/bin/sh", "-c"], Cmd: ["echo $GREETING; id; pwd"], WorkingDir: "/work" };
  const sources = [
    join(busyboxImageTar(join(work.path, "a"), "busybox:layout"), "..", "image-layout"),
    busyboxImageTar(join(work.path, "b"), "busybox:oci-archive"),
    busyboxDockerArchive(join(work.path, "c"), "busybox:docker-archive"),
    busyboxImageTar(join(work.path, "d"), "busybox:config", { layers: [gzipSync(users)], config }),
  ];
  for (const source of sources) {
    const r = runt(["image", "load", "--store", store, source]);
    assert.equal(r.status, 0, r.stderr);
  }
  loaded = true;
}

function run(args: string[]) {
  return runt(["--root", root, "run", "--store", store, ...args]);
}

/** Nothing of container `id` remains: no state, no bundle in the store, no mount. */
function assertGone(id: string): void {
  assert.equal(existsSync(join(root, id)), false, "state removed");
  assert.equal(existsSync(join(store, "containers", id)), false, "bundle and root filesystem removed");
  assert.deepEqual(mountsMentioning(join(store, "containers", id)), []);
}

for (const kind of ["layout", "oci-archive", "docker-archive"]) {
  test(`an image loaded from ${kind === "layout" ? "an OCI layout" : `a ${kind}`} runs; --rm leaves nothing`, { skip }, () => {
    images();
    const r = run(["--image", `busybox:${kind}`, "--rm", `img-${kind}`, "sh", "-c", "echo from $0; ls /bin/busybox; exit 7", kind]);
    assert.equal(r.stderr, "");
    assert.equal(r.stdout, `from ${kind}\n/bin/busybox\n`);
    assert.equal(r.status, 7);
    assertGone(`img-${kind}`);
  });
}

test("the image config: entrypoint + cmd, env, working directory, user by name with its groups", { skip }, () => {
  images();
  const r = run(["--image", "busybox:config", "--rm", "img-config"]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "hello\nuid=1000(app) gid=1000(app) groups=2000(extra)\n/work\n");
});

test("without --rm the container stays, stopped, with its root filesystem; delete removes both", { skip }, () => {
  images();
  const r = run(["--image", "busybox:layout", "img-kept", "sh", "-c", "echo changed > /changed; exit 3"]);
  assert.equal(r.status, 3, r.stderr);
  const state = runt(["--root", root, "state", "img-kept"]);
  assert.equal(JSON.parse(state.stdout).status, "stopped");
  assert.equal(readFileSync(join(store, "containers", "img-kept", "upper", "changed"), "utf8"), "changed\n");
  runtOk(["--root", root, "delete", "img-kept"]);
  assertGone("img-kept");
});

test("two containers from one image stand on the same unpacked layer, each with its own upper directory", { skip }, () => {
  images();
  const ids = ["img-share-1", "img-share-2"];
  try {
    for (const id of ids) {
      const r = runt(["--root", root, "create", "--store", store, "--image", "busybox:layout", id, "sleep", "60"], { files: true });
      assert.equal(r.status, 0, r.stderr);
    }
    const options = ids.map((id) => {
      const line = mountsMentioning(join(store, "containers", id, "rootfs")).find((l) => l.includes(" - overlay "));
      assert.ok(line, `${id}'s root is an overlay mount`);
      return Object.fromEntries(line.split(" - overlay ")[1].split(" ")[1].split(",").map((o) => o.split("=")));
    });
    assert.equal(options[0].lowerdir, options[1].lowerdir);
    assert.equal(readdirSync(join(store, "layers", "sha256")).map((h) => join(store, "layers", "sha256", h)).includes(options[0].lowerdir), true);
    assert.notEqual(options[0].upperdir, options[1].upperdir);
    writeFileSync(join(store, "containers", ids[0], "rootfs", "only-in-one"), "x");
    assert.equal(existsSync(join(store, "containers", ids[1], "rootfs", "only-in-one")), false);
    assert.equal(existsSync(join(options[0].lowerdir, "only-in-one")), false);
  } finally {
    for (const id of ids) runt(["--root", root, "delete", "--force", id]);
  }
  for (const id of ids) assertGone(id);
});

test("prune keeps the layers a container stands on after its image's name is removed", { skip }, () => {
  const own = join(work.path, "prune-store");
  runtOk(["image", "load", "--store", own, busyboxImageTar(join(work.path, "e"), "busybox:prune")]);
  const id = "img-prune";
  try {
    runtOk(["--root", root, "create", "--store", own, "--image", "busybox:prune", id, "echo", "still here"], { files: true });
    runtOk(["image", "rm", "--store", own, "busybox:prune"]);
    assert.equal(runt(["image", "prune", "--store", own]).stdout, "removed 3 blobs and 0 unpacked layers\n");
    assert.equal(readdirSync(join(own, "layers", "sha256")).length, 1);
  } finally {
    runt(["--root", root, "delete", "--force", id]);
  }
  assert.equal(runt(["image", "prune", "--store", own]).stdout, "removed 0 blobs and 1 unpacked layers\n");
  assert.deepEqual(readdirSync(join(own, "layers", "sha256")), []);
});

test("options: -e, --env-file, --cwd, --user, --hostname, --read-only, -v, --mount, capabilities, cgroup limits, the command", { skip }, () => {
  images();
  const host = join(work.path, "host-dir");
  mkdirSync(host, { recursive: true });
  writeFileSync(join(host, "file"), "from the host\n");
  const envFile = join(work.path, "env");
  writeFileSync(envFile, "FROM_FILE=yes\nGREETING=from-file\n");
  const script = [
    "echo $GREETING $FROM_FILE",
    "pwd",
    "id -u",
    "id -g",
    "hostname",
    "cat /host/file",
    "busybox touch /host/x 2>/dev/null || echo host ro",
    "busybox touch /x 2>/dev/null || echo root ro",
    "busybox touch /scratch/x && echo tmpfs rw",
    "busybox grep CapBnd /proc/self/status",
    "cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/pids/pids.max",
  ].join("; ");
  const r = run([
    "--image", "busybox:layout", "--rm", "--env-file", envFile, "-e", "GREETING=bye", "--cwd", "/bin", "--user", "1000:2000",
    "--hostname", "imagebox", "--read-only", "-v", `${host}:/host:ro`, "--mount", "type=tmpfs,src=tmpfs,dst=/scratch,options=mode=1777",
    "--cap-drop", "ALL", "--cap-add", "net_admin", "--memory-limit", "64m", "--cpus", "0.5", "--pids-limit", "20",
    "img-options", "sh", "-c", script,
  ]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, [
    "bye yes", "/bin", "1000", "2000", "imagebox", "from the host", "host ro", "root ro", "tmpfs rw",
    "CapBnd:\t0000000000001000", "67108864", "50000", "20", "",
  ].join("\n"));
});

test("--net-host: the host's interfaces, /etc/hosts and /etc/resolv.conf", { skip }, () => {
  images();
  const r = run(["--image", "busybox:layout", "--rm", "--net-host", "img-net", "sh", "-c", "cat /proc/net/dev; echo ---; cat /etc/hosts"]);
  assert.equal(r.status, 0, r.stderr);
  const [dev, hosts] = r.stdout.split("---\n");
  const names = (text: string) => text.split("\n").slice(2).map((l) => l.split(":")[0].trim()).filter(Boolean).sort();
  assert.deepEqual(names(dev), names(readFileSync("/proc/net/dev", "utf8")));
  assert.equal(hosts, readFileSync("/etc/hosts", "utf8"));
});

test("--privileged: runt's own capabilities, no seccomp, the host's devices, writable sysfs", { skip }, () => {
  images();
  const r = run([
    "--image", "busybox:layout", "--rm", "--privileged", "img-priv", "sh", "-c",
    "busybox grep -E '^(CapEff|Seccomp):' /proc/self/status; ls /dev; busybox grep ' /sys sysfs' /proc/self/mounts",
  ]);
  assert.equal(r.status, 0, r.stderr);
  const status = readFileSync("/proc/self/status", "utf8");
  assert.ok(r.stdout.includes(status.split("\n").find((l) => l.startsWith("CapEff:"))!), r.stdout);
  assert.match(r.stdout, /^Seccomp:\t0$/m);
  assert.match(r.stdout, / \/sys sysfs rw,/);
  for (const device of ["loop0", "tty1", "mem"].filter((d) => existsSync(`/dev/${d}`))) assert.match(r.stdout, new RegExp(`^${device}$`, "m"));
});

test("--rootfs DIR runs a directory as it is, with the command given", { skip }, () => {
  ensureBusyboxRootfs(SHARED_ROOTFS);
  const r = run(["--rootfs", SHARED_ROOTFS, "--read-only", "--rm", "img-rootfs", "sh", "-c", "echo from a directory"]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "from a directory\n");
  assertGone("img-rootfs");
});

test("--tty asks for a terminal in the config", { skip }, () => {
  images();
  const dir = join(work.path, "tty-bundle");
  runtOk(["bundle", "--store", store, "--image", "busybox:layout", "--tty", dir]);
  assert.equal(JSON.parse(readFileSync(join(dir, "config.json"), "utf8")).process.terminal, true);
});

test("bad input is one line naming the flag, and leaves nothing", { skip }, () => {
  images();
  const cases: Array<[string[], string | RegExp]> = [
    [["--image", "busybox:layout", "--rm", "-d", "img-bad"], "runt: --rm and --detach cannot be used together"],
    [["--image", "127.0.0.1:1/absent:1", "img-bad"], /^runt: 127\.0\.0\.1:1\/absent:1: cannot reach http:\/\/127\.0\.0\.1:1/],
    [["--image", "busybox:layout", "--cpus", "lots", "img-bad"], `runt: --cpus: expected a positive number, got "lots"`],
    [["--image", "busybox:layout", "--cap-add", "CAP_FLY", "img-bad"], `runt: --cap-add: unknown capability "CAP_FLY"`],
    [["--image", "busybox:layout", "-v", "relative:/x", "img-bad"], `runt: -v: expected /SRC:/DST[:ro|rw], got "relative:/x"`],
    [["--image", "busybox:layout", "--cwd", "relative", "img-bad"], `runt: --cwd: expected an absolute path, got "relative"`],
  ];
  for (const [args, line] of cases) {
    const r = run(args);
    assert.equal(r.status, 1, args.join(" "));
    assert.equal(r.errLines.length, 1, r.stderr);
    if (typeof line === "string") assert.equal(r.errLines[0], line);
    else assert.match(r.errLines[0], line);
    assertGone("img-bad");
  }
});
