import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseMountinfo } from "../../runtime/mount/mountinfo.ts";
import { defaultSpec } from "../../runtime/spec/defaults.ts";
import { ensureBusyboxRootfs } from "../fixtures/rootfs.ts";
import { scratch } from "./rootfs_support.ts";

const PROBE = fileURLToPath(new URL("./rootfs_probe.ts", import.meta.url));
const skip = process.getuid?.() === 0 ? undefined : "needs root";

function probe(mode: "pivot" | "nopivot") {
  const s = scratch();
  try {
    const rootfs = ensureBusyboxRootfs(join(s.dir, "bundle", "rootfs"));
    const data = join(s.dir, "data");
    mkdirSync(join(data, "sub"), { recursive: true });
    writeFileSync(join(s.dir, "resolv.conf"), "nameserver 192.0.2.1\n");
    const spec = defaultSpec();
    spec.mounts!.push(
      { destination: "/data", type: "bind", source: data, options: ["bind", "ro", "nosuid", "nodev", "rprivate"] },
      { destination: "/rdata", type: "bind", source: data, options: ["rbind", "rro"] },
      { destination: "/etc/resolv.conf", type: "bind", source: join(s.dir, "resolv.conf"), options: ["bind", "ro"] },
    );
    spec.hostname = "probe-box";
    spec.linux!.sysctl = { "kernel.shm_rmid_forced": "1" };
    const specPath = join(s.dir, "spec.json");
    writeFileSync(specPath, JSON.stringify(spec));
    const runtimeArgs = "Deno" in globalThis ? ["run", "-A", "--no-check", PROBE] : [PROBE];
    const r = spawnSync(process.execPath, [...runtimeArgs, specPath, rootfs, mode, join(data, "sub")], {
      encoding: "utf8",
      timeout: 30_000,
    });
    if (r.status !== 0) throw new Error(`rootfs probe ${mode} failed (${r.status ?? r.signal}): ${r.stderr}`);
    const leftovers = parseMountinfo(readFileSync("/proc/self/mountinfo", "utf8"))
      .filter((m) => m.mountPoint === s.dir || m.mountPoint.startsWith(`${s.dir}/`));
    return { report: JSON.parse(r.stdout), leftovers };
  } finally {
    s.cleanup();
  }
}

function check(mode: "pivot" | "nopivot") {
  const { report, leftovers } = probe(mode);
  const byPoint = new Map<string, { fsType: string; options: string[] }>();
  for (const m of report.mounts) byPoint.set(m.mountPoint, m);
  // The root and the binds are of whatever filesystem holds the temporary directory.
  const expected: [string, string | null][] = [
    ["/", null],
    ["/proc", "proc"],
    ["/dev", "tmpfs"],
    ["/dev/pts", "devpts"],
    ["/dev/shm", "tmpfs"],
    ["/dev/mqueue", "mqueue"],
    ["/sys", "sysfs"],
    ["/sys/fs/cgroup", "tmpfs"],
    ["/sys/fs/cgroup/memory", "cgroup"],
    ["/data", null],
    ["/rdata", null],
    ["/rdata/sub", "tmpfs"],
    ["/etc/resolv.conf", null],
    ["/proc/sys", "proc"],
    ["/sys/firmware", "tmpfs"],
  ];
  if (existsSync("/proc/keys")) expected.push(["/proc/keys", "tmpfs"]);
  for (const [point, fsType] of expected) {
    const found = byPoint.get(point);
    assert.ok(found, `${point} is not mounted: ${JSON.stringify(report.mounts)}`);
    if (fsType) assert.equal(found.fsType, fsType, point);
  }
  // Nothing of the host is left above the container's root.
  assert.ok(report.mounts.every((m: { mountPoint: string }) => !m.mountPoint.startsWith("/tmp/runt-rootfs-test-")));
  assert.ok(report.rootEntries.includes("bin") && report.rootEntries.includes("etc"));
  assert.equal(byPoint.get("/")!.options[0], "ro");
  assert.deepEqual(byPoint.get("/data")!.options.slice(0, 3), ["ro", "nosuid", "nodev"]);
  assert.equal(byPoint.get("/rdata/sub")?.options[0], "ro", "rro reaches the submount");
  // As runc 1.1 leaves it: the tmpfs writable, the hierarchies in it read-only.
  assert.equal(byPoint.get("/sys/fs/cgroup")!.options[0], "rw");
  const hierarchies = report.mounts.filter((m: { mountPoint: string }) => m.mountPoint.startsWith("/sys/fs/cgroup/"));
  assert.ok(hierarchies.length > 0 && hierarchies.every((m: { options: string[] }) => m.options[0] === "ro"));
  assert.equal(byPoint.get("/proc/sys")!.options[0], "ro");
  assert.deepEqual(report.devNull, { char: true, major: 1, minor: 3, mode: 0o666 });
  assert.deepEqual(
    report.devices.map((d: { d: string; major: number; minor: number }) => `${d.d} ${d.major}:${d.minor}`),
    [
      "zero 1:5",
      "full 1:7",
      "random 1:8",
      "urandom 1:9",
      "tty 5:0",
    ],
  );
  // /proc/kcore is masked by /dev/null (or absent on a kernel built without it).
  if (report.kcore !== "ENOENT") assert.deepEqual([report.kcore.major, report.kcore.minor], [1, 3]);
  assert.deepEqual(report.links, { ptmx: "pts/ptmx", fd: "/proc/self/fd", stdin: "/proc/self/fd/0" });
  assert.equal(report.hostname, "probe-box");
  assert.equal(report.shmRmidForced, "1");
  assert.equal(report.writeRoot, "EROFS");
  assert.equal(report.writeProcSys, "EROFS");
  assert.equal(report.writeShm, null);
  assert.equal(report.writeData, "EROFS");
  assert.equal(report.writeDataSub, "EROFS");
  assert.equal(report.resolvConf, "nameserver 192.0.2.1\n");
  assert.ok(report.cgroup.includes("memory") && report.cgroup.includes("systemd"), report.cgroup.join(" "));
  assert.deepEqual(leftovers, [], "no mount of the container is visible on the host");
}

test("a busybox rootfs from the default spec, entered with pivot_root", { skip }, () => check("pivot"));

test("the same rootfs entered without pivot_root (MS_MOVE and chroot)", { skip }, () => check("nopivot"));
