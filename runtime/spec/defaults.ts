/**
 * The starter config written by `runt spec`. It mirrors `runc spec` field for
 * field (and key order, so the two files diff cleanly); only `ociVersion` and
 * `hostname` are runt's own.
 */
import { OCI_VERSION } from "../version.ts";
import type { Spec } from "./schema.ts";
import { effectiveGid, effectiveUid } from "../host.ts";

export interface DefaultSpecOptions {
  /** Shape the config for a container started by an unprivileged user. */
  rootless?: boolean;
  /** Host IDs mapped to root in the rootless user namespace (default: the caller's). */
  uid?: number;
  gid?: number;
}

const DEFAULT_CAPS = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"];

export function defaultSpec(options: DefaultSpecOptions = {}): Spec {
  const spec = baseSpec();
  return options.rootless
    ? toRootless(spec, options.uid ?? effectiveUid(), options.gid ?? effectiveGid())
    : spec;
}

function baseSpec(): Spec {
  return {
    ociVersion: OCI_VERSION,
    process: {
      terminal: true,
      user: { uid: 0, gid: 0 },
      args: ["sh"],
      env: [
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "TERM=xterm",
      ],
      cwd: "/",
      capabilities: {
        bounding: [...DEFAULT_CAPS],
        effective: [...DEFAULT_CAPS],
        permitted: [...DEFAULT_CAPS],
        ambient: [...DEFAULT_CAPS],
      },
      rlimits: [{ type: "RLIMIT_NOFILE", hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: "rootfs", readonly: true },
    hostname: "runt",
    mounts: [
      { destination: "/proc", type: "proc", source: "proc" },
      {
        destination: "/dev",
        type: "tmpfs",
        source: "tmpfs",
        options: ["nosuid", "strictatime", "mode=755", "size=65536k"],
      },
      {
        destination: "/dev/pts",
        type: "devpts",
        source: "devpts",
        options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"],
      },
      {
        destination: "/dev/shm",
        type: "tmpfs",
        source: "shm",
        options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"],
      },
      {
        destination: "/dev/mqueue",
        type: "mqueue",
        source: "mqueue",
        options: ["nosuid", "noexec", "nodev"],
      },
      {
        destination: "/sys",
        type: "sysfs",
        source: "sysfs",
        options: ["nosuid", "noexec", "nodev", "ro"],
      },
      {
        destination: "/sys/fs/cgroup",
        type: "cgroup",
        source: "cgroup",
        options: ["nosuid", "noexec", "nodev", "relatime", "ro"],
      },
    ],
    linux: {
      resources: { devices: [{ allow: false, access: "rwm" }] },
      namespaces: [
        { type: "pid" },
        { type: "network" },
        { type: "ipc" },
        { type: "uts" },
        { type: "mount" },
      ],
      maskedPaths: [
        "/proc/acpi",
        "/proc/asound",
        "/proc/kcore",
        "/proc/keys",
        "/proc/latency_stats",
        "/proc/timer_list",
        "/proc/timer_stats",
        "/proc/sched_debug",
        "/sys/firmware",
        "/proc/scsi",
      ],
      readonlyPaths: [
        "/proc/bus",
        "/proc/fs",
        "/proc/irq",
        "/proc/sys",
        "/proc/sysrq-trigger",
      ],
    },
  };
}

/**
 * The same transformation as runc's `specconv.ToRootless`: no network
 * namespace (an unprivileged user cannot configure one), a user namespace
 * mapping the caller to root, /sys bind-mounted because sysfs cannot be
 * mounted without owning the network namespace, no uid=/gid= mount options
 * (those IDs are unmapped) and no cgroup resources (no delegated cgroup).
 */
function toRootless(spec: Spec, uid: number, gid: number): Spec {
  const linux = spec.linux!;
  const namespaces = (linux.namespaces ?? []).filter((ns) => ns.type !== "network" && ns.type !== "user");
  namespaces.push({ type: "user" });
  const mounts = (spec.mounts ?? []).map((m) => {
    if (m.destination.replace(/\/+$/, "") === "/sys") {
      return {
        destination: "/sys",
        type: "none",
        source: "/sys",
        options: ["rbind", "nosuid", "noexec", "nodev", "ro"],
      };
    }
    if (!m.options) return m;
    return { ...m, options: m.options.filter((o) => !o.startsWith("gid=") && !o.startsWith("uid=")) };
  });
  // Rebuilt key by key so the JSON keeps runc's field order.
  const { resources: _dropped, namespaces: _old, ...rest } = linux;
  return {
    ...spec,
    mounts,
    linux: {
      uidMappings: [{ containerID: 0, hostID: uid, size: 1 }],
      gidMappings: [{ containerID: 0, hostID: gid, size: 1 }],
      namespaces,
      ...rest,
    },
  };
}
