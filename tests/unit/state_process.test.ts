import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isSameLiveProcess, parseProcStat, readProcStat } from "../../runtime/state/process.ts";

const STAT = (comm: string, state: string, start: string) =>
  `1234 (${comm}) ${state} 1 1234 1234 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 ${start} 2437120 200 18446744073709551615\n`;

test("parseProcStat copes with spaces and parentheses in the command name", () => {
  assert.deepEqual(parseProcStat(STAT("a) (b c", "S", "98765")), { state: "S", ppid: 1, startTime: "98765" });
});

test("our own process is live and matches its own start time; another start time does not", () => {
  const me = readProcStat(process.pid);
  assert.ok(me);
  assert.ok(isSameLiveProcess(process.pid, me.startTime));
  assert.ok(!isSameLiveProcess(process.pid, String(Number(me.startTime) + 1)));
  assert.ok(!isSameLiveProcess(0, me.startTime));
});

test("a zombie or a vanished PID is not live", () => {
  const proc = mkdtempSync(join(tmpdir(), "runt-proc-"));
  try {
    mkdirSync(join(proc, "77"));
    writeFileSync(join(proc, "77", "stat"), STAT("sh", "Z", "5"));
    assert.ok(!isSameLiveProcess(77, "5", proc));
    writeFileSync(join(proc, "77", "stat"), STAT("sh", "R", "5"));
    assert.ok(isSameLiveProcess(77, "5", proc));
    assert.ok(!isSameLiveProcess(78, "5", proc));
  } finally {
    rmSync(proc, { recursive: true, force: true });
  }
});
