import { test } from "node:test";
import assert from "node:assert/strict";
import { parseDuration } from "../../runtime/container/duration.ts";
import { ResourceValueError } from "../../runtime/container/errors.ts";
import { filterPsOutput } from "../../runtime/container/ps.ts";
import { RuntError } from "../../runtime/errors.ts";

test("durations are read as Go's time.ParseDuration reads them", () => {
  const cases: Array<[string, number]> = [
    ["5s", 5000],
    ["300ms", 300],
    ["1.5s", 1500],
    ["1m30s", 90_000],
    ["1h", 3_600_000],
    ["2h45m", 9_900_000],
    ["500us", 0.5],
    ["500µs", 0.5],
    ["1000000ns", 1],
    [".5s", 500],
    ["0", 0],
    ["-1s", -1000],
    ["+2s", 2000],
  ];
  for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, text);
});

test("a duration without a unit, or with an unknown one, is refused in one line", () => {
  for (const text of ["", "5", "s", "5 s", "5sec", "1d", "5s ", "-", "1..5s", "5S"]) {
    assert.throws(
      () => parseDuration(text),
      (e: unknown) => e instanceof ResourceValueError && e.message === `invalid duration "${text}" (expected a number with a unit: ns, us, ms, s, m or h)`,
      text,
    );
  }
});

const PS_EF = `UID          PID    PPID  C STIME TTY          TIME CMD
root           1       0  0 06:19 ?        00:00:02 /sbin/init
root        4242       1  0 09:00 ?        00:00:00 sleep 4242
root       20001    4242  0 09:00 ?        00:00:00 sh -c echo 1 2 20001
root       20002       1  0 09:00 ?        00:00:00 ps -ef
`;

test("ps output keeps its header and the lines whose PID column is the container's", () => {
  assert.equal(
    filterPsOutput(PS_EF, [4242, 20001]),
    `UID          PID    PPID  C STIME TTY          TIME CMD
root        4242       1  0 09:00 ?        00:00:00 sleep 4242
root       20001    4242  0 09:00 ?        00:00:00 sh -c echo 1 2 20001
`,
  );
  // The PID column decides, not a number elsewhere on the line (4242 is also a PPID and an argument).
  assert.equal(filterPsOutput(PS_EF, [1]).split("\n").length, 3);
  assert.equal(filterPsOutput(PS_EF, []), "UID          PID    PPID  C STIME TTY          TIME CMD\n");
});

test("the PID column is found wherever the ps options put it", () => {
  const out = "COMMAND            PID\nsleep             77\nsh                78\n";
  assert.equal(filterPsOutput(out, [78]), "COMMAND            PID\nsh                78\n");
});

test("ps output without a PID column is one line of error", () => {
  assert.throws(() => filterPsOutput("COMMAND\nsleep\n", [1]), (e: unknown) => e instanceof RuntError && e.lines().length === 1 && /no PID column/.test(e.message));
});
