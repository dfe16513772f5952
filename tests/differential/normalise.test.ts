/** The normalisation rules of the differential suite, on sample output (no root needed). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { differences, lineDiff } from "./compare.ts";
import { normaliseDates, normaliseFds, normaliseMountinfoLine, normaliseSections } from "./normalise.ts";
import { parseSections, probeScript } from "./probe.ts";

test("mountinfo: IDs, device numbers and peer group numbers go, the rest stays", () => {
  assert.equal(
    normaliseMountinfoLine("81 47 254:0 /srv/b/rootfs / ro,relatime shared:12 master:3 - ext4 /dev/vda rw,discard"),
    "/srv/b/rootfs / ro,relatime shared master - ext4 /dev/vda rw,discard",
  );
  assert.equal(
    normaliseMountinfoLine("84 83 0:50 / /dev/pts rw,nosuid,noexec,relatime - devpts devpts rw,gid=5,mode=620"),
    "/ /dev/pts rw,nosuid,noexec,relatime - devpts devpts rw,gid=5,mode=620",
  );
});

test("ls -l dates of this year and of older years both become <date>", () => {
  assert.equal(
    normaliseDates("crw-rw-rw-    1 0        0           1,   7 Nov 23 07:54 full\n-rw-r--r--    1 0  0  5 Jan  2  2024 old"),
    "crw-rw-rw-    1 0        0           1,   7 <date> full\n-rw-r--r--    1 0  0  5 <date> old",
  );
});

test("open descriptors keep their number only", () => {
  assert.equal(
    normaliseFds("total 0\nlr-x------    1 root     root  64 Nov 23 07:54 0 -> pipe:[121942]\nl-wx------    1 root root 64 Nov 23 07:54 1 -> /dev/null"),
    "0\n1",
  );
});

test("temporary paths are replaced, the longest (innermost) first", () => {
  const out = normaliseSections(new Map([["mountinfo", "1 2 0:1 /b/x/rootfs / ro - ext4 /dev/vda rw"]]), [
    ["/b/x", "<bundle>"],
    ["/b/x/rootfs", "<rootfs>"],
  ]);
  assert.equal(out.get("mountinfo"), "<rootfs> / ro - ext4 /dev/vda rw");
});

test("probe output splits into the sections the script announces, each with its status", () => {
  const script = probeScript({ extra: "echo hello" }, "exit 3");
  assert.match(script, /^exec 2>&1\n/);
  assert.match(script, /exit 3$/);
  const sections = parseSections("@@@ hostname\nbox\n[status 0]\n@@@ extra\nhello\n[status 0]\n");
  assert.deepEqual([...sections], [["hostname", "box\n[status 0]"], ["extra", "hello\n[status 0]"]]);
});

test("differences name the exit status and each differing section with a line diff", () => {
  const a = { status: 0, sections: new Map([["id", "uid=0"], ["pwd", "/"], ["only-a", "x"]]) };
  const b = { status: 7, sections: new Map([["id", "uid=1000"], ["pwd", "/"]]) };
  assert.deepEqual(differences(a, b), [
    "exit status: runc 0, runt 7",
    "section id (- runc, + runt):\n    - uid=0\n    + uid=1000",
    "section only-a: printed only by runc",
  ]);
  assert.deepEqual(lineDiff("a\nb\nc", "a\nc\nd"), ["- b", "+ d"]);
});
