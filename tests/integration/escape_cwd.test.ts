/**
 * process.cwd against runt's own descriptors (the class of runc's
 * CVE-2024-21626). runt looks the cwd up, and makes it when missing, from
 * its own thread inside the container's namespaces, or from the JavaScript
 * init. In a container that shares the host's PID namespace (docker run
 * --pid=host), /proc/self there is runt, and /proc/self/fd/N one of runt's
 * descriptors: the host's root and runt's working directory among them
 * while it builds. An image's WorkingDir becomes process.cwd, so the image
 * chooses the path. The image's /etc/passwd, read by runt for HOME, is
 * the image's to shape too.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeBundle, SHARED_ROOTFS } from "../fixtures/bundle.ts";
import type { Spec } from "../../runtime/spec/schema.ts";
import { copyRootfs } from "../differential/rootfs.ts";
import { leftovers } from "./leftovers.ts";
import { isRoot, runt, runtOk } from "./runt.ts";
import { withRoot } from "./containers.ts";

const skip = isRoot ? false : "needs root";
/** Past every descriptor runt holds while it builds a container, under Bun and under Deno. */
const FDS = Array.from({ length: 38 }, (_, i) => i + 3);

const sharesHostPids = (s: Spec) => {
  s.linux!.namespaces = s.linux!.namespaces!.filter((ns) => ns.type !== "pid");
};

/** Where a directory made through one of runt's descriptors would land. */
function madeOnHost(name: string, places: string[]): string[] {
  return places.filter((dir) => existsSync(join(dir, name)));
}

test("a cwd through /proc/self/fd, sharing the host's PIDs: run refuses in one line and makes nothing on the host", { skip, timeout: 300_000 }, withRoot((root) => {
  const marker = `runt-cwd-escape-${process.pid}`;
  const b = makeBundle(["true"], sharesHostPids);
  try {
    const places = ["/", b.dir, root, tmpdir(), SHARED_ROOTFS, "/run", "/proc"];
    for (const fd of FDS) {
      b.spec.process!.cwd = `/proc/self/fd/${fd}/${marker}`;
      b.save();
      const id = `cwd-${fd}`;
      // Run from the bundle, so runt's working directory is one of the places looked at.
      const r = runt(["--root", root, "run", id], { cwd: b.dir });
      assert.notEqual(r.status, 0, `fd ${fd}: the container ran`);
      assert.match(r.stderr, new RegExp(`^runt: process\\.cwd "/proc/self/fd/${fd}/${marker}": [^\\n]+\\n$`), `fd ${fd}`);
      assert.deepEqual(madeOnHost(marker, places), [], `fd ${fd}`);
      assert.deepEqual(leftovers(root, id, [b.dir]), [], `fd ${fd}`);
    }
  } finally {
    b.cleanup();
  }
}));

test("a cwd where procfs takes no new entry fails at once, with or without a user namespace", { skip }, withRoot((root) => {
  const userns = (s: Spec) => {
    s.linux!.namespaces!.push({ type: "user" });
    s.linux!.uidMappings = [{ containerID: 0, hostID: 0, size: 65536 }];
    s.linux!.gidMappings = [{ containerID: 0, hostID: 0, size: 65536 }];
  };
  for (const [name, edit] of [["plain", () => {}], ["userns", userns]] as const) {
    const b = makeBundle(["true"], (s) => {
      edit(s);
      s.process!.cwd = "/proc/runt-none/work";
    });
    try {
      // A loop making the directory again and again would outlast runt()'s limit, and fail there.
      const r = runt(["--root", root, "run", "-b", b.dir, `procfs-${name}`]);
      assert.equal(r.status, 1, `${name}: ${r.stderr}`);
      assert.equal(r.stderr, 'runt: process.cwd "/proc/runt-none/work": no such directory\n', name);
      assert.deepEqual(leftovers(root, `procfs-${name}`, [b.dir]), [], name);
    } finally {
      b.cleanup();
    }
  }
}));

test("exec --cwd through /proc/self/fd, sharing the host's PIDs: refused in one line, the process never runs", { skip, timeout: 300_000 }, withRoot((root) => {
  const b = makeBundle(["sleep", "60"], sharesHostPids);
  try {
    runtOk(["--root", root, "run", "-d", "-b", b.dir, "target"], { files: true });
    for (const fd of FDS) {
      const r = runt(["--root", root, "exec", "--cwd", `/proc/self/fd/${fd}`, "target", "sh", "-c", "pwd; ls"], { cwd: b.dir });
      assert.notEqual(r.status, 0, `fd ${fd}: ran in ${r.stdout}`);
      assert.equal(r.stdout, "", `fd ${fd}`);
      assert.match(r.stderr, new RegExp(`^runt: process\\.cwd "/proc/self/fd/${fd}": [^\\n]+\\n$`), `fd ${fd}`);
    }
    assert.deepEqual(readdirSync(b.out), []);
  } finally {
    runt(["--root", root, "delete", "--force", "target"]);
    b.cleanup();
  }
}));

test("the image's /etc/passwd as a link through /proc/self/fd or as a fifo: HOME is \"/\", and run neither reads the host nor waits", { skip, timeout: 300_000 }, withRoot((root) => {
  const b = makeBundle(["sh", "-c", 'echo "$HOME" > /out/home'], (s) => {
    sharesHostPids(s);
    s.root = { path: "rootfs", readonly: true };
  });
  try {
    const rootfs = copyRootfs(join(b.dir, "rootfs"));
    const hostFile = join(b.dir, "host-passwd");
    writeFileSync(hostFile, "intruder:x:0:0::/from-the-host:/bin/sh\n");
    const passwd = join(rootfs, "etc/passwd");
    // runt's descriptors of the host's root and of its working directory (the bundle, here) are among these.
    const shapes: [string, () => void][] = FDS.flatMap((fd): [string, () => void][] => [
      [`a link to /proc/self/fd/${fd}${hostFile}`, () => symlinkSync(`/proc/self/fd/${fd}${hostFile}`, passwd)],
      [`a link to /proc/self/fd/${fd}/host-passwd`, () => symlinkSync(`/proc/self/fd/${fd}/host-passwd`, passwd)],
    ]);
    shapes.push(["a fifo", () => execFileSync("mkfifo", [passwd])]);
    for (const [shape, make] of shapes) {
      rmSync(passwd, { force: true });
      make();
      const r = runt(["--root", root, "run", "passwd"], { cwd: b.dir });
      assert.equal(r.status, 0, `${shape}: ${r.stderr}`);
      assert.equal(readFileSync(join(b.out, "home"), "utf8"), "/\n", shape);
    }
  } finally {
    b.cleanup();
  }
}));
