/**
 * runtime/host_fs.ts behaves as node:fs does, under whichever runtime runs
 * this file: under Deno it is Deno's file API, under Bun system calls through
 * libc (ffi/files.ts), compared here with node:fs itself.
 * Callers test error `code`s and put messages into their own lines.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as node from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  appendFileSync,
  existsSync,
  filesystemType,
  fstatSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirEntries,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeExisting,
  writeFileInBackground,
  writeFileSync,
} from "../../runtime/host_fs.ts";

function scratch(): { dir: string; [Symbol.dispose](): void } {
  const dir = node.mkdtempSync(join(tmpdir(), "runt-host-fs-"));
  return { dir, [Symbol.dispose]: () => node.rmSync(dir, { recursive: true, force: true }) };
}

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

test("a missing file is ENOENT, worded as node:fs words it", () => {
  using s = scratch();
  const missing = join(s.dir, "nothing");
  assert.throws(() => readFileSync(missing, "utf8"), (e: Error & { code?: string; path?: string }) => {
    assert.equal(e.code, "ENOENT");
    assert.equal(e.message, `ENOENT: no such file or directory, open '${missing}'`);
    return true;
  });
  assert.equal(codeOf(() => statSync(missing)), "ENOENT");
  assert.equal(codeOf(() => readdirSync(missing)), "ENOENT");
  assert.equal(codeOf(() => rmSync(missing)), "ENOENT");
  rmSync(missing, { force: true });
  assert.equal(existsSync(missing), false);
});

test("writes: modes, exclusive create, append, text and bytes", () => {
  using s = scratch();
  const f = join(s.dir, "state.json");
  writeFileSync(f, "one", { mode: 0o600 });
  assert.equal(node.statSync(f).mode & 0o777, 0o600);
  assert.equal(readFileSync(f, "utf8"), "one");
  assert.equal(codeOf(() => writeFileSync(f, "two", { flag: "wx" })), "EEXIST");
  writeFileSync(f, new TextEncoder().encode("three"));
  assert.deepEqual([...readFileSync(f)], [...new TextEncoder().encode("three")]);
  appendFileSync(f, "+four");
  assert.equal(node.readFileSync(f, "utf8"), "three+four");
});

test("writeExisting and writeFileInBackground write a file that exists and never make one", async () => {
  using s = scratch();
  const f = join(s.dir, "cgroup.procs");
  node.writeFileSync(f, "old contents");
  writeExisting(f, "12");
  assert.equal(node.readFileSync(f, "utf8"), "12");
  await writeFileInBackground(f, "34");
  assert.equal(node.readFileSync(f, "utf8"), "34");
  const absent = join(s.dir, "absent");
  assert.equal(codeOf(() => writeExisting(absent, "1")), "ENOENT");
  await assert.rejects(writeFileInBackground(absent, "1"), (e: { code?: string }) => e.code === "ENOENT");
  assert.equal(node.existsSync(absent), false);
});

test("directories: mkdir, listing with types, rename, rmdir, unlink and recursive rm", () => {
  using s = scratch();
  const d = join(s.dir, "a/b/c");
  mkdirSync(d, { recursive: true, mode: 0o711 });
  mkdirSync(d, { recursive: true });
  assert.equal(codeOf(() => mkdirSync(d)), "EEXIST");
  assert.equal(node.statSync(d).mode & 0o777, 0o711);
  node.writeFileSync(join(s.dir, "a/file"), "");
  symlinkSync("b", join(s.dir, "a/link"));
  assert.deepEqual(readdirSync(join(s.dir, "a")).sort(), ["b", "file", "link"]);
  const kinds = readdirEntries(join(s.dir, "a")).map((e) => [e.name, e.isDirectory(), e.isFile(), e.isSymbolicLink()]);
  assert.deepEqual(kinds.sort(), [["b", true, false, false], ["file", false, true, false], ["link", false, false, true]]);
  assert.equal(readlinkSync(join(s.dir, "a/link")), "b");
  assert.equal(realpathSync(join(s.dir, "a/link/c")), node.realpathSync(d));
  assert.ok(lstatSync(join(s.dir, "a/link")).isSymbolicLink());
  assert.ok(statSync(join(s.dir, "a/link")).isDirectory());
  assert.equal(codeOf(() => unlinkSync(join(s.dir, "a/b"))), "EISDIR");
  assert.equal(codeOf(() => rmdirSync(join(s.dir, "a/file"))), "ENOTDIR");
  renameSync(join(s.dir, "a/file"), join(s.dir, "a/moved"));
  unlinkSync(join(s.dir, "a/moved"));
  rmdirSync(d);
  rmSync(join(s.dir, "a"), { recursive: true });
  assert.deepEqual(node.readdirSync(s.dir), []);
});

test("recursive mkdir fails where an existing directory takes no new entry (procfs says ENOENT), once, not in a loop", () => {
  // A hostile image's working directory can lie there; runc reports its mkdir's error.
  for (const path of ["/proc/runt-none", "/proc/runt-none/deeper", "/proc/self/fd/987654/x"]) {
    assert.equal(codeOf(() => mkdirSync(path, { recursive: true, mode: 0o755 })), "ENOENT", path);
  }
});

test("mkdtempSync makes a new directory named by the prefix and at least six more characters", () => {
  using s = scratch();
  const made = mkdtempSync(join(s.dir, "runt-copyup-"));
  assert.match(made, new RegExp(`^${s.dir}/runt-copyup-[A-Za-z0-9_]{6,}$`));
  assert.ok(node.statSync(made).isDirectory());
});

test("filesystemType names the kernel's pseudo-filesystems", () => {
  assert.equal(filesystemType("/proc"), "proc");
  assert.equal(filesystemType("/proc/self"), "proc");
  assert.equal(filesystemType("/sys"), "sysfs");
  assert.equal(codeOf(() => filesystemType("/nonexistent/path")), "ENOENT");
});

test("stat, lstat and fstat report what node:fs reports", () => {
  using s = scratch();
  const f = join(s.dir, "file");
  node.writeFileSync(f, "x".repeat(5000), { mode: 0o640 });
  node.symlinkSync("file", join(s.dir, "link"));
  const fields = (st: { dev: number; ino: number; mode: number; nlink: number; uid: number; gid: number; rdev: number; size: number }) =>
    [st.dev, st.ino, st.mode, st.nlink, st.uid, st.gid, st.rdev, st.size];
  for (const path of [f, s.dir, "/dev/null", "/proc/self/status"]) {
    assert.deepEqual(fields(statSync(path)), fields(node.statSync(path)), path);
    assert.equal(Math.round(statSync(path).mtimeMs), Math.round(node.statSync(path).mtimeMs), path);
  }
  assert.deepEqual(fields(lstatSync(join(s.dir, "link"))), fields(node.lstatSync(join(s.dir, "link"))));
  assert.ok(statSync("/dev/null").isCharacterDevice());
  assert.ok(statSync(s.dir).isDirectory() && !statSync(s.dir).isFile());
  const fd = node.openSync(f, "r");
  try {
    assert.deepEqual(fields(fstatSync(fd)), fields(node.fstatSync(fd)));
  } finally {
    node.closeSync(fd);
  }
});

test("reads: files larger than one read, /proc files of no stated size, and directories with every entry type", () => {
  using s = scratch();
  const big = join(s.dir, "big");
  const text = Array.from({ length: 20000 }, (_, i) => `line ${i}\n`).join("");
  node.writeFileSync(big, text);
  assert.equal(readFileSync(big, "utf8"), text);
  assert.equal(readFileSync("/proc/self/mountinfo", "utf8").split("\n")[0], node.readFileSync("/proc/self/mountinfo", "utf8").split("\n")[0]);
  const many = join(s.dir, "many");
  node.mkdirSync(many);
  const names = Array.from({ length: 600 }, (_, i) => `entry-with-a-longer-name-${i}`);
  for (const name of names) node.writeFileSync(join(many, name), "");
  assert.deepEqual(readdirSync(many).sort(), [...names].sort());
  const kinds = (entries: { name: string; isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }[]) =>
    entries.map((e) => `${e.name}:${e.isFile()}:${e.isDirectory()}:${e.isSymbolicLink()}`).sort();
  assert.deepEqual(kinds(readdirEntries("/dev")), kinds(node.readdirSync("/dev", { withFileTypes: true })));
});

test("failures name the call and both paths, as node:fs does", () => {
  using s = scratch();
  const a = join(s.dir, "a"), b = join(s.dir, "b");
  node.mkdirSync(a);
  node.writeFileSync(join(a, "f"), "");
  assert.throws(() => renameSync(join(s.dir, "none"), b), (e: Error & { code?: string; syscall?: string; path?: string }) => {
    assert.equal(e.code, "ENOENT");
    assert.equal(e.syscall, "rename");
    assert.equal(e.path, join(s.dir, "none"));
    assert.match(e.message, /^ENOENT: no such file or directory, rename '/);
    return true;
  });
  assert.equal(codeOf(() => symlinkSync("x", a)), "EEXIST");
  assert.equal(codeOf(() => rmSync(a)), "EISDIR");
  assert.equal(codeOf(() => rmdirSync(a)), "ENOTEMPTY");
  assert.equal(codeOf(() => mkdirSync(join(a, "f", "g"), { recursive: true })), "ENOTDIR");
  assert.equal(codeOf(() => realpathSync(join(s.dir, "none"))), "ENOENT");
  assert.equal(codeOf(() => readlinkSync(join(a, "f"))), "EINVAL");
  assert.equal(node.existsSync(a), true);
});
