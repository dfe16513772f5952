/**
 * The parts of runc's command line that scripts and container managers
 * parse: exit statuses, the state JSON byte for byte, flag spellings, the log
 * file. runc runs side by side on the same input wherever it can; its
 * answer is the expected one.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import process from "node:process";
import { makeBundle } from "../fixtures/bundle.ts";
import { hasCommand, isRoot, runt, runtArgv, runtOk, tempDir } from "./runt.ts";
import { waitFor } from "./containers.ts";

const RUNC = ["runc"];
const skip = !isRoot ? "needs root" : !hasCommand("runc") ? "needs runc to compare against" : false;
const skipRunc = hasCommand("runc") ? false : "needs runc to compare against";

/** Two state roots, one per runtime, and a busybox bundle both create from; everything removed after. */
function withBoth(args: string[], fn: (t: { runtRoot: string; runcRoot: string; bundle: string; out: string }) => void): () => void {
  return () => {
    const runtRoot = tempDir("runt-root-"), runcRoot = tempDir("runc-root-");
    const b = makeBundle(args, (s) => (s.annotations = { "org.example.key": "value" }));
    try {
      fn({ runtRoot: runtRoot.path, runcRoot: runcRoot.path, bundle: b.dir, out: b.out });
    } finally {
      for (const [root, argv] of [[runtRoot.path, undefined], [runcRoot.path, RUNC]] as const) {
        for (const id of runt(["--root", root, "list", "-q"], { argv: argv as string[] | undefined }).stdout.split("\n").filter(Boolean)) {
          runt(["--root", root, "delete", "--force", id], { argv: argv as string[] | undefined });
        }
      }
      b.cleanup();
      runtRoot.cleanup();
      runcRoot.cleanup();
    }
  };
}

function create(root: string, bundle: string, id: string, argv?: string[]): void {
  const r = runt(["--root", root, "create", "-b", bundle, id], { files: true, argv });
  assert.equal(r.status, 0, r.stderr);
}

/** What must differ between the two runtimes: the ID, the PID, the spec version, the time's value (not its format). */
function normalise(text: string, id: string): string {
  return text
    .replaceAll(`"${id}"`, `"ID"`)
    .replace(/("pid": ?)\d+/g, "$10")
    .replace(/("ociVersion": ?)"[^"]*"/g, `$1"V"`)
    .replace(/("created": ?)"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z"/g, `$1"TIME"`);
}

test("state and list --format json are runc's bytes: key order, owner, RFC 3339 times with nanoseconds", { skip }, withBoth(["sleep", "1000"], (t) => {
  create(t.runtRoot, t.bundle, "contract-runt");
  create(t.runcRoot, t.bundle, "contract-runc", RUNC);
  const ours = runt(["--root", t.runtRoot, "state", "contract-runt"]);
  const theirs = runt(["--root", t.runcRoot, "state", "contract-runc"], { argv: RUNC });
  assert.equal(ours.status, 0, ours.stderr);
  assert.equal(normalise(ours.stdout, "contract-runt"), normalise(theirs.stdout, "contract-runc"));
  const created = JSON.parse(ours.stdout).created as string;
  assert.match(created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/);
  assert.ok(Math.abs(Date.parse(created) - Date.now()) < 600_000, `created ${created} is now`);
  for (const format of [["--format", "json"], ["--format=json"], ["-f", "json"], ["-f=json"], ["-format", "json"]]) {
    const a = runt(["--root", t.runtRoot, "list", ...format]);
    const b = runt(["--root", t.runcRoot, "list", ...format], { argv: RUNC });
    assert.equal(a.status, 0, `${format.join(" ")}: ${a.stderr}`);
    assert.equal(normalise(a.stdout, "contract-runt"), normalise(b.stdout, "contract-runc"), format.join(" "));
  }
}));

test("list --format json with no containers prints what runc prints", { skip: skipRunc }, () => {
  const root = tempDir("runt-root-");
  try {
    const a = runt(["--root", root.path, "list", "--format", "json"]);
    const b = runt(["--root", root.path, "list", "--format", "json"], { argv: RUNC });
    assert.deepEqual([a.status, a.stdout], [b.status, b.stdout]);
  } finally {
    root.cleanup();
  }
});

test("kill ID 0 and kill --all ID 0 check liveness: 0 while the container lives, 1 once it is gone, as runc", { skip }, withBoth(["sleep", "1000"], (t) => {
  create(t.runtRoot, t.bundle, "alive-runt");
  create(t.runcRoot, t.bundle, "alive-runc", RUNC);
  for (const args of [["kill", "ID", "0"], ["kill", "--all", "ID", "0"], ["kill", "-a", "ID", "0"], ["kill", "nosuch", "0"]]) {
    const a = runt(["--root", t.runtRoot, ...args.map((x) => (x === "ID" ? "alive-runt" : x))]);
    const b = runt(["--root", t.runcRoot, ...args.map((x) => (x === "ID" ? "alive-runc" : x))], { argv: RUNC });
    assert.equal(a.status, b.status, `${args.join(" ")}: ${a.stderr}`);
  }
  runtOk(["--root", t.runtRoot, "kill", "alive-runt", "0"]);
  // Still alive: signal 0 sends nothing.
  runtOk(["--root", t.runtRoot, "kill", "alive-runt", "0"]);
  runtOk(["--root", t.runtRoot, "kill", "alive-runt", "KILL"]);
  runtOk(["--root", t.runcRoot, "kill", "alive-runc", "KILL"], { argv: RUNC });
  waitFor(() => runt(["--root", t.runtRoot, "kill", "alive-runt", "0"]).status === 1, "the killed container to be gone", 30_000);
  waitFor(() => runt(["--root", t.runcRoot, "kill", "alive-runc", "0"], { argv: RUNC }).status === 1, "runc's to be gone", 30_000);
}));

test("delete --force of a container that does not exist exits 0 and says nothing, as runc", { skip: skipRunc }, () => {
  const root = tempDir("runt-root-");
  try {
    const a = runt(["--root", root.path, "delete", "--force", "nosuch"]);
    const b = runt(["--root", root.path, "delete", "--force", "nosuch"], { argv: RUNC });
    assert.deepEqual([a.status, a.stdout, a.stderr], [b.status, b.stdout, b.stderr]);
    assert.equal(a.status, 0);
    // Without --force it stays an error, in both.
    assert.equal(runt(["--root", root.path, "delete", "nosuch"]).status, 1);
    assert.equal(runt(["--root", root.path, "delete", "nosuch"], { argv: RUNC }).status, 1);
  } finally {
    root.cleanup();
  }
});

test("exec: runt's own failures exit 255 as runc's do, an unknown flag 1, the process's own status stays", { skip }, withBoth(["sleep", "1000"], (t) => {
  create(t.runtRoot, t.bundle, "exec-runt");
  create(t.runcRoot, t.bundle, "exec-runc", RUNC);
  for (const [root, id, argv] of [[t.runtRoot, "exec-runt", undefined], [t.runcRoot, "exec-runc", RUNC]] as const) {
    const run = (args: string[]) => runt(["--root", root, ...args.map((x) => (x === "ID" ? id : x))], { argv: argv as string[] | undefined, files: true });
    const who = argv ? "runc" : "runt";
    assert.equal(run(["start", "ID"]).status, 0);
    assert.equal(run(["exec", "nosuch", "true"]).status, 255, `${who}: missing container`);
    assert.equal(run(["exec", "--pid-file", "/nonexistent/dir/pid", "ID", "true"]).status, 255, `${who}: bad --pid-file directory`);
    assert.equal(run(["exec", "-u", "nobody-by-name", "ID", "true"]).status, 255, `${who}: bad --user`);
    assert.equal(run(["exec", "ID"]).status, 255, `${who}: no command`);
    assert.equal(run(["exec", "--frob", "ID", "true"]).status, 1, `${who}: unknown flag`);
    assert.equal(run(["exec", "ID", "sh", "-c", "exit 7"]).status, 7, `${who}: the process's status`);
    assert.equal(run(["pause", "ID"]).status, 0);
    assert.equal(run(["exec", "ID", "true"]).status, 255, `${who}: paused container`);
    assert.equal(run(["resume", "ID"]).status, 0);
  }
}));

test("flags in every spelling runc's parser takes: -b=DIR, --bundle=DIR, -bundle DIR, flags after the ID; run --no-subreaper", { skip }, () => {
  const root = tempDir("runt-root-");
  const b = makeBundle(["true"]);
  try {
    const spellings = [["-b=" + b.dir], ["--bundle=" + b.dir], ["-bundle", b.dir], ["--bundle", b.dir], ["-b", b.dir]];
    for (const [i, flags] of spellings.entries()) {
      const id = `spell-${i}`;
      const r = runt(["--root", root.path, "run", ...flags, "--no-subreaper", id], { files: true });
      assert.equal(r.status, 0, `${flags.join(" ")}: ${r.stderr}`);
    }
    // urfave/cli takes flags after the arguments too (not for exec and ps).
    const r = runt(["--root", root.path, "run", "late", "--bundle", b.dir, "--no-subreaper=true"], { files: true });
    assert.equal(r.status, 0, r.stderr);
    // A global flag with one dash and its value after "=", as Go's flag package reads it.
    runtOk(["-root=" + root.path, "list", "-q"]);
  } finally {
    b.cleanup();
    root.cleanup();
  }
});

test("exec -t with --process honours process.consoleSize", { skip: isRoot ? false : "needs root" }, () => {
  const root = tempDir("runt-root-");
  const b = makeBundle(["sleep", "1000"]);
  try {
    create(root.path, b.dir, "console-size");
    runtOk(["--root", root.path, "start", "console-size"], { files: true });
    const processJson = join(b.dir, "process.json");
    writeFileSync(processJson, JSON.stringify({ ...b.spec.process, terminal: true, consoleSize: { height: 33, width: 111 }, args: ["stty", "size"] }));
    const r = runt(["--root", root.path, "exec", "-t", "--process", processJson, "console-size"], { files: true });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), "33 111");
  } finally {
    runt(["--root", root.path, "delete", "--force", "console-size"]);
    b.cleanup();
    root.cleanup();
  }
});

test("--log FILE is written by every command, in runc's text form and with --log-format json in its keys", { skip: skipRunc }, () => {
  const dir = tempDir();
  try {
    const text = join(dir.path, "text.log"), json = join(dir.path, "json.log"), runcLog = join(dir.path, "runc.log");
    // A command that succeeds still opens the file, as runc's does.
    runtOk(["--log", text, "--root", dir.path, "list"]);
    runtOk(["--log", runcLog, "--root", dir.path, "list"], { argv: RUNC });
    assert.equal(existsSync(text), existsSync(runcLog));
    runtOk(["--debug", "--log", text, "--root", dir.path, "list"]);
    const lines = readFileSync(text, "utf8").trim().split("\n");
    assert.ok(lines.length >= 1, "--debug writes debug lines");
    for (const line of lines) assert.match(line, /^time="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)" level=debug msg=("(\\.|[^"\\])*"|[\w\-./@^+]+)$/);
    // An error goes to the file in runc's form and to stderr.
    assert.equal(runt(["--debug", "--log", json, "--log-format", "json", "--root", dir.path, "state", "nosuch"]).status, 1);
    assert.equal(runt(["--log", runcLog, "--log-format", "json", "--root", dir.path, "state", "nosuch"], { argv: RUNC }).status, 1);
    const theirs = JSON.parse(readFileSync(runcLog, "utf8").trim().split("\n").at(-1)!);
    const entries = readFileSync(json, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    assert.ok(entries.some((e) => e.level === "debug"));
    const error = entries.find((e) => e.level === "error");
    assert.deepEqual(Object.keys(error), Object.keys(theirs));
    assert.match(error.msg, /nosuch/);
    assert.match(error.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
  } finally {
    dir.cleanup();
  }
});

test("--version in runc's layout", () => {
  const lines = runt(["--version"]).stdout.trimEnd().split("\n");
  assert.match(lines[0], /^runt version \d+\.\d+\.\d+/);
  assert.match(lines[1], /^commit: \S+/);
  assert.equal(lines[2], "spec: 1.3.0");
  assert.match(lines[3], /^(deno|bun): \d+\.\d+\.\d+/);
  assert.match(lines[4], /^libseccomp: /);
  assert.equal(runt(["-v"]).stdout, runt(["--version"]).stdout);
});

test("a write to stdout that fails (a full disk) is one line naming stdout and exit 1, for --version and for a command", () => {
  const root = tempDir("runt-root-");
  try {
    for (const args of [["--version"], ["--root", root.path, "list"]]) {
      const r = spawnSync("sh", ["-c", '"$@" >/dev/full', "sh", ...runtArgv(), ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
      assert.equal(r.status, 1, args.join(" "));
      assert.deepEqual(r.stderr.split("\n").filter(Boolean).map((l) => /^runt: writing to stdout: .*(ENOSPC|No space left)/.test(l)), [true], r.stderr);
    }
  } finally {
    root.cleanup();
  }
});

/** The section headings of a help text, in order. */
function sections(text: string): string[] {
  return text.split("\n").filter((l) => /^[A-Z][A-Z ]+:$/.test(l));
}

test("help, -h and help CMD in urfave/cli's layout, section for section as runc's", { skip: skipRunc }, () => {
  const ours = runt(["help"]);
  assert.equal(ours.status, 0);
  assert.deepEqual(sections(ours.stdout), ["NAME:", "USAGE:", "VERSION:", "COMMANDS:", "GLOBAL OPTIONS:"]);
  assert.deepEqual(sections(ours.stdout), sections(runt(["--help"], { argv: RUNC }).stdout));
  assert.equal(runt(["-h"]).stdout, ours.stdout);
  assert.equal(runt(["--help"]).stdout, ours.stdout);
  assert.match(ours.stdout, /^ {3}help, h +Shows a list of commands or help for one command$/m);
  assert.match(ours.stdout, /^ {3}--root DIR +root directory for container state \(default: "\/run\/runt"\)$/m);
  const create = runt(["help", "create"]);
  assert.deepEqual(sections(create.stdout), sections(runt(["help", "create"], { argv: RUNC }).stdout));
  assert.match(create.stdout, /^NAME:\n {3}runt create - create a container\n\nUSAGE:\n {3}runt create \[command options\] <container-id>\n/);
  assert.match(create.stdout, /^ {3}--bundle DIR, -b DIR +path to the root/m);
  assert.equal(runt(["create", "--help"]).stdout, create.stdout);
  assert.equal(runt(["h", "create"]).stdout, create.stdout);
});

test("usage errors exit with runc's statuses; an unknown command or help topic is 'No help topic', 3", { skip: skipRunc }, () => {
  const root = tempDir("runt-root-");
  try {
    const cases = [
      ["nosuch"], ["help", "nosuch"], ["--bogus", "list"], ["list", "--bogus"], ["list", "--format"], ["list", "--format", "xml"],
      ["state"], ["state", "a", "b"], ["kill"], ["--log-format", "xml", "list"], ["list", "-q=maybe"],
    ];
    for (const args of cases) {
      const a = runt(["--root", root.path, ...args]);
      const b = runt(["--root", root.path, ...args], { argv: RUNC });
      assert.equal(a.status, b.status, `${args.join(" ")}: runt ${a.status} (${a.stderr.trim()}), runc ${b.status}`);
    }
    for (const args of [["nosuch"], ["help", "nosuch"]]) {
      assert.deepEqual(runt(args).errLines, ["runt: No help topic for 'nosuch'"]);
    }
  } finally {
    root.cleanup();
  }
});
