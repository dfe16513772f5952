import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import process from "node:process";
import { loadSyscalls, O_CLOEXEC, O_DIRECTORY, O_PATH } from "../../ffi/mod.ts";
import { procThrough } from "../../runtime/rootfs/proc.ts";

test("procThrough reads a /proc file whole through its descriptor, one larger than its buffer included, with self standing for the given PID", async () => {
  const sys = await loadSyscalls();
  const dir = sys.open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
  try {
    const proc = procThrough(sys, dir, process.pid);
    // A small file, read twice through the same buffer: the second read starts clean.
    const status = proc.read("/proc/self/status");
    assert.match(status, new RegExp(`^Pid:\\s+${process.pid}$`, "m"));
    assert.equal(proc.read("/proc/self/comm"), readFileSync("/proc/self/comm", "utf8"));
    // Over 16 KiB: the buffer grows and nothing is lost. Each mapping's entry ends with its VmFlags
    // line, so a read that dropped or repeated a chunk would not pair them up.
    const big = proc.read("/proc/self/smaps");
    assert.ok(big.length > 16 * 1024, `smaps is ${big.length} bytes`);
    assert.ok(big.endsWith("\n"), "the last line is whole");
    const lines = big.trimEnd().split("\n");
    const heads = lines.filter((l) => /^[0-9a-f]+-[0-9a-f]+ /.test(l)).length;
    assert.ok(heads > 10);
    assert.equal(lines.filter((l) => l.startsWith("VmFlags:")).length, heads);
    assert.match(lines[0], /^[0-9a-f]+-[0-9a-f]+ /);
    assert.match(lines[lines.length - 1], /^VmFlags:/);
    assert.equal(proc.read("/proc/self/comm"), readFileSync("/proc/self/comm", "utf8"));
    assert.equal(proc.exists("/proc/self/status"), true);
    assert.equal(proc.exists("/proc/self/no-such-file"), false);
    assert.throws(() => proc.read("/etc/passwd"), /not under \/proc/);
  } finally {
    sys.close(dir);
  }
});
