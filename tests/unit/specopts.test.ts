import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSyscalls } from "../../ffi/mod.ts";
import {
  applySpecOpts,
  defaultSpec,
  normalizeReference,
  parseMountFlag,
  parseVolume,
  validateConfig,
  withAddedCapabilities,
  withCapabilities,
  withCPUs,
  withDroppedCapabilities,
  withEnv,
  withHostNetwork,
  withImageConfig,
  withMemoryLimit,
  withMounts,
  withPidsLimit,
  withProcessArgs,
  withUser,
} from "../../mod.ts";

const ctx = { rootfs: "/nonexistent" };

test("withEnv replaces by key, appends new keys and removes a bare KEY", () => {
  const spec = applySpecOpts(defaultSpec(), ctx, [withEnv(["TERM=dumb", "A=1", "PATH"])]);
  assert.deepEqual(spec.process!.env, ["TERM=dumb", "A=1"]);
});

test("options compose over defaultSpec into a valid config", () => {
  const spec = applySpecOpts(defaultSpec(), ctx, [
    withProcessArgs("echo", "hi"),
    withCapabilities(["CAP_CHOWN", "CAP_KILL"]),
    withDroppedCapabilities(["CAP_KILL"]),
    withAddedCapabilities(["CAP_NET_ADMIN"]),
    withMounts([parseMountFlag("type=tmpfs,src=tmpfs,dst=/tmp,options=mode=1777:size=1m"), parseVolume("/srv:/data:ro")]),
    withHostNetwork(),
    withMemoryLimit(64 << 20),
    withCPUs(1.5),
    withPidsLimit(10),
  ]);
  assert.deepEqual(spec.process!.args, ["echo", "hi"]);
  assert.deepEqual(spec.process!.capabilities, {
    bounding: ["CAP_CHOWN", "CAP_NET_ADMIN"],
    effective: ["CAP_CHOWN", "CAP_NET_ADMIN"],
    permitted: ["CAP_CHOWN", "CAP_NET_ADMIN"],
  });
  assert.deepEqual(spec.mounts!.slice(-4).map((m) => [m.destination, m.type, m.options]), [
    ["/tmp", "tmpfs", ["mode=1777", "size=1m"]],
    ["/data", "bind", ["rbind", "ro"]],
    ["/etc/hosts", "bind", ["rbind", "ro"]],
    ["/etc/resolv.conf", "bind", ["rbind", "ro"]],
  ]);
  assert.equal(spec.linux!.namespaces!.some((ns) => ns.type === "network"), false);
  assert.deepEqual(spec.linux!.resources, {
    devices: [{ allow: false, access: "rwm" }],
    memory: { limit: 64 << 20 },
    cpu: { quota: 150000, period: 100000 },
    pids: { limit: 10 },
  });
  validateConfig(spec);
});

test("withImageConfig: env over the defaults, entrypoint + cmd, workdir, user and groups from the image, annotations", async () => {
  const rootfs = mkdtempSync(join(tmpdir(), "runt-specopts-"));
  try {
    mkdirSync(join(rootfs, "etc"));
    writeFileSync(join(rootfs, "etc", "passwd"), "root:x:0:0::/root:/bin/sh\nweb:x:33:33::/srv:/bin/sh\n");
    writeFileSync(join(rootfs, "etc", "group"), "web:x:33:\nlog:x:4:web\nssl:x:101:web,root\n");
    const sys = await loadSyscalls();
    const spec = applySpecOpts(defaultSpec(), { rootfs }, [withImageConfig(sys, {
      config: {
        User: "web",
        Env: ["PATH=/app/bin", "MODE=prod"],
        Entrypoint: ["/app/run"],
        Cmd: ["--port", "80"],
        WorkingDir: "/app",
        StopSignal: "SIGQUIT",
        ExposedPorts: { "80/tcp": {} },
        Labels: { version: "1" },
      },
      rootfs: { type: "layers", diff_ids: [] },
    })]);
    assert.deepEqual(spec.process!.env, ["PATH=/app/bin", "TERM=xterm", "MODE=prod"]);
    assert.deepEqual(spec.process!.args, ["/app/run", "--port", "80"]);
    assert.equal(spec.process!.cwd, "/app");
    assert.deepEqual(spec.process!.user, { uid: 33, gid: 33, additionalGids: [4, 101] });
    assert.deepEqual(spec.annotations, {
      version: "1",
      "org.opencontainers.image.stopSignal": "SIGQUIT",
      "org.opencontainers.image.exposedPorts": "80/tcp",
    });
    applySpecOpts(spec, { rootfs }, [withUser(sys, "root:ssl")]);
    assert.deepEqual(spec.process!.user, { uid: 0, gid: 101 });
    assert.throws(() => applySpecOpts(spec, { rootfs }, [withUser(sys, "nobody")]), /--user: no user "nobody" in the image's \/etc\/passwd/);
  } finally {
    rmSync(rootfs, { recursive: true, force: true });
  }
});

test("the image's /etc/passwd is read inside its root: a link to the host's file is not followed out", async () => {
  const rootfs = mkdtempSync(join(tmpdir(), "runt-specopts-"));
  const outside = mkdtempSync(join(tmpdir(), "runt-specopts-host-"));
  try {
    writeFileSync(join(outside, "passwd"), "hostonly:x:4242:4242::/:/bin/sh\n");
    mkdirSync(join(rootfs, "etc"));
    symlinkSync(join(outside, "passwd"), join(rootfs, "etc", "passwd"));
    const sys = await loadSyscalls();
    assert.throws(() => applySpecOpts(defaultSpec(), { rootfs }, [withUser(sys, "hostonly")]), /no user "hostonly"/);
  } finally {
    rmSync(rootfs, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
});

test("image references default to docker.io/library and :latest", () => {
  assert.equal(normalizeReference("busybox"), "docker.io/library/busybox:latest");
  assert.equal(normalizeReference("user/app:1.0"), "docker.io/user/app:1.0");
  assert.equal(normalizeReference("localhost:5000/app"), "localhost:5000/app:latest");
  assert.equal(normalizeReference("127.0.0.1:5000/a/b:t"), "127.0.0.1:5000/a/b:t");
  assert.throws(() => normalizeReference("Bad/Name"), /invalid repository name/);
});
