import { test } from "node:test";
import assert from "node:assert/strict";
import { type Flags, parseFlags } from "../../cli/command.ts";
import { renderLogLine, rfc3339Seconds } from "../../cli/log.ts";
import { imageArgsAfter } from "../../cli/image_args.ts";
import { rfc3339Nano } from "../../runtime/state/clock.ts";

const flags: Flags = {
  bundle: { type: "string", short: "b", description: "" },
  detach: { type: "boolean", short: "d", description: "" },
  env: { type: "string", short: "e", multiple: true, description: "" },
};

test("flags parse as Go's flag package reads them: one or two dashes, value inline or next, booleans =true/=false", () => {
  for (const argv of [["-b=/x", "id"], ["--bundle=/x", "id"], ["-bundle", "/x", "id"], ["--b", "/x", "id"], ["id", "-b", "/x"]]) {
    assert.deepEqual(parseFlags(argv, flags, "t"), { values: { bundle: "/x" }, positionals: ["id"] }, argv.join(" "));
  }
  assert.equal(parseFlags(["-d=false"], flags, "t").values.detach, false);
  assert.equal(parseFlags(["--detach=1"], flags, "t").values.detach, true);
  assert.deepEqual(parseFlags(["-e", "A=1", "--env=B=2"], flags, "t").values.env, ["A=1", "B=2"]);
  assert.deepEqual(parseFlags(["-b="], flags, "t").values.bundle, "");
  assert.deepEqual(parseFlags(["x", "--", "-d"], flags, "t").positionals, ["x", "-d"]);
  assert.deepEqual(parseFlags(["x", "-d"], flags, "t", true), { values: {}, positionals: ["x", "-d"] });
  assert.throws(() => parseFlags(["-db"], flags, `"t"`), /unknown flag -db for "t"/);
  assert.throws(() => parseFlags(["-d=maybe"], flags, `"t"`), /flag -d of "t" takes true or false, got "maybe"/);
  assert.throws(() => parseFlags(["--bundle"], flags, `"t"`), /flag --bundle of "t" needs a value/);
  assert.throws(() => parseFlags(["---bundle=x"], flags, `"t"`), /unknown flag/);
});

test("times are Go's RFC3339Nano: UTC, up to nine digits, trailing zeros dropped", () => {
  assert.equal(rfc3339Nano(1_700_000_000_123_456_789n), "2023-11-14T22:13:20.123456789Z");
  assert.equal(rfc3339Nano(1_700_000_000_120_000_000n), "2023-11-14T22:13:20.12Z");
  assert.equal(rfc3339Nano(1_700_000_000_000_000_000n), "2023-11-14T22:13:20Z");
});

test("log lines in runc's logrus forms", () => {
  const when = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678));
  const time = rfc3339Seconds(when);
  assert.match(time, /^2026-01-0\dT\d\d:04:05(Z|[+-]\d\d:\d\d)$/);
  assert.equal(renderLogLine("text", "error", `container "x" does not exist`, when), `time="${time}" level=error msg="container \\"x\\" does not exist"`);
  assert.equal(renderLogLine("text", "debug", "plain", when), `time="${time}" level=debug msg=plain`);
  assert.equal(renderLogLine("json", "warning", "a <b> & c", when), `{"level":"warning","msg":"a \\u003cb\\u003e \\u0026 c","time":"${time}"}`);
});

test("an image or rootfs flag, in any of Go's spellings, makes the words after the ID the command; nothing else does", () => {
  for (const flag of ["--image", "-image", "--image=busybox", "-rootfs=/r", "--rootfs"]) {
    assert.equal(imageArgsAfter(["-d", flag, "c1", "sh"]), 1, flag);
  }
  for (const other of ["--images", "---image", "--bundle", "image", "--imagex=1", "-", "--", "--pid-file=image"]) {
    assert.equal(imageArgsAfter(["-d", other, "c1"]), undefined, other);
  }
});
