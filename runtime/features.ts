/**
 * The Features structure (features.md): what runt recognizes in config.json.
 * Subsystems report true only once they are implemented.
 */
import { MOUNT_OPTION_NAMES } from "./mount/options.ts";
import { hostArch } from "./host.ts";
import { CAPABILITIES, HOOK_KINDS, NAMESPACE_TYPES, SECCOMP_ACTIONS, SECCOMP_ARCHES, SECCOMP_FLAGS, SECCOMP_OPERATORS } from "./spec/constants.ts";
import { OCI_VERSION, OCI_VERSION_MIN, RUNT_VERSION } from "./version.ts";

export function features() {
  return {
    ociVersionMin: OCI_VERSION_MIN,
    ociVersionMax: OCI_VERSION,
    hooks: [...HOOK_KINDS],
    mountOptions: [...MOUNT_OPTION_NAMES],
    linux: {
      namespaces: [...NAMESPACE_TYPES],
      capabilities: Object.keys(CAPABILITIES),
      cgroup: { v1: true, v2: true, systemd: true, systemdUser: false, rdma: false },
      seccomp: {
        enabled: hostArch() === "x64",
        // Notifications need a seccomp agent, which runt does not talk to.
        actions: SECCOMP_ACTIONS,
        operators: [...SECCOMP_OPERATORS],
        archs: [...SECCOMP_ARCHES],
        knownFlags: [...SECCOMP_FLAGS],
        supportedFlags: SECCOMP_FLAGS.filter((f) => f !== "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"),
      },
      // mounts[].uidMappings/gidMappings and idmap/ridmap: runtime/container/idmapped_mounts.ts.
      mountExtensions: { idmap: { enabled: true } },
      apparmor: { enabled: false },
      selinux: { enabled: false },
    },
    annotations: { "org.opencontainers.runt.version": RUNT_VERSION },
  };
}
