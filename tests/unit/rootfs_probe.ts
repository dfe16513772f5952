/**
 * Builds a container root filesystem for real, in a mount namespace of this
 * process's own (the test runner's must not change), and reports what the
 * container sees as JSON on stdout.
 * Usage: rootfs_probe.ts SPEC_JSON ROOTFS pivot|nopivot SUBMOUNT
 * SUBMOUNT is a host directory that gets a tmpfs before the setup, so a
 * recursive bind of its parent has something to be recursive about.
 */
import { lstatSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync, writeSync } from "node:fs";
import process from "node:process";
import { CLONE_NEWIPC, CLONE_NEWNS, CLONE_NEWUTS, loadSyscalls, MS_REC, MS_SLAVE } from "../../ffi/mod.ts";
import { enterRootfs, finalizeRootfs, parseMountinfo, prepareRootfs } from "../../runtime/rootfs/mod.ts";
import type { Spec } from "../../runtime/spec/schema.ts";

const [specPath, rootfs, mode, submount] = process.argv.slice(2);
const spec = JSON.parse(readFileSync(specPath, "utf8")) as Spec;
const sys = await loadSyscalls();

sys.unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC);
// Before anything is mounted here, so the tmpfs below stays in this namespace.
sys.mount(null, "/", null, MS_SLAVE | MS_REC, null);
sys.mount("tmpfs", submount, "tmpfs", 0, "size=1m");

prepareRootfs(sys, spec, rootfs);
enterRootfs(sys, rootfs, mode === "nopivot");
finalizeRootfs(sys, spec);

function errorOf(step: () => unknown): string | null {
  try {
    step();
    return null;
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
}

function device(path: string) {
  const st = statSync(path);
  const rdev = Number(st.rdev);
  return {
    char: st.isCharacterDevice(),
    major: (rdev >> 8) & 0xfff,
    minor: (rdev & 0xff) | ((rdev >> 12) & 0xfff00),
    mode: st.mode & 0o777,
  };
}

const mounts = parseMountinfo(readFileSync("/proc/thread-self/mountinfo", "utf8"))
  .map((m) => ({ mountPoint: m.mountPoint, fsType: m.fsType, options: m.options }));
const report = {
  mounts,
  rootEntries: readdirSync("/").sort(),
  devNull: device("/dev/null"),
  devices: ["zero", "full", "random", "urandom", "tty"].map((d) => ({ d, ...device(`/dev/${d}`) })),
  kcore: errorOf(() => lstatSync("/proc/kcore")) ?? device("/proc/kcore"),
  links: Object.fromEntries(["ptmx", "fd", "stdin"].map((l) => [l, readlinkSync(`/dev/${l}`)])),
  hostname: readFileSync("/proc/sys/kernel/hostname", "utf8").trim(),
  shmRmidForced: readFileSync("/proc/sys/kernel/shm_rmid_forced", "utf8").trim(),
  writeRoot: errorOf(() => writeFileSync("/probe-file", "x")),
  writeProcSys: errorOf(() => writeFileSync("/proc/sys/kernel/domainname", "x")),
  writeShm: errorOf(() => writeFileSync("/dev/shm/probe-file", "x")),
  writeData: errorOf(() => writeFileSync("/data/probe-file", "x")),
  writeDataSub: errorOf(() => writeFileSync("/rdata/sub/probe-file", "x")),
  resolvConf: readFileSync("/etc/resolv.conf", "utf8"),
  cgroup: readdirSync("/sys/fs/cgroup").sort(),
};
writeSync(1, JSON.stringify(report) + "\n");
