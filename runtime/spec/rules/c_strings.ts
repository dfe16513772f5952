/**
 * Strings that reach the kernel or libc as C strings end at their first NUL
 * byte, so "A=b\0c" would silently become "A=b", or fail deep in the init
 * after create has succeeded. Refused here, naming the field, as runc
 * refuses such an environment variable before the container starts.
 */
import { quote } from "../describe.ts";
import { rule } from "./engine.ts";
import { hookScopes } from "./util.ts";

const C_STRINGS = [
  "process.args[*]",
  "process.env[*]",
  "process.cwd",
  "process.apparmorProfile",
  "process.selinuxLabel",
  "hostname",
  "domainname",
  "root.path",
  "mounts[*].destination",
  "mounts[*].source",
  "mounts[*].type",
  "mounts[*].options[*]",
  ...hookScopes(".path"),
  ...hookScopes(".args[*]"),
  ...hookScopes(".env[*]"),
  "linux.namespaces[*].path",
  "linux.devices[*].path",
  "linux.maskedPaths[*]",
  "linux.readonlyPaths[*]",
  "linux.mountLabel",
  "linux.sysctl.*",
  "linux.seccomp.listenerPath",
  "linux.seccomp.listenerMetadata",
];

export const cStringRules = [
  rule<unknown>({
    name: "no-nul-byte",
    scope: C_STRINGS,
    check(value, report) {
      if (typeof value === "string" && value.includes("\0")) report(`must not contain a NUL byte, got ${quote(value)}`);
    },
  }),
];
