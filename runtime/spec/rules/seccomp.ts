/** Rules on `linux.seccomp` (config-linux.md "Seccomp"). */
import { SECCOMP_ERRNO_ACTIONS, SECCOMP_MAX_ARGS, type SeccompAction } from "../constants.ts";
import type { LinuxSeccomp, LinuxSyscall } from "../schema.ts";
import { rule } from "./engine.ts";
import { outOfRange } from "./util.ts";

const S = "linux.seccomp";
const errnoOnly = (action: SeccompAction) => `only allowed with ${SECCOMP_ERRNO_ACTIONS.join(" or ")}, not ${action}`;

export const seccompRules = [
  rule<LinuxSeccomp>({
    name: "seccomp-default-errno-needs-errno-action",
    scope: S,
    check(seccomp, report) {
      if (seccomp.defaultErrnoRet !== undefined && !SECCOMP_ERRNO_ACTIONS.includes(seccomp.defaultAction)) {
        report(errnoOnly(seccomp.defaultAction), "defaultErrnoRet");
      }
    },
  }),

  rule<LinuxSyscall>({
    name: "seccomp-errno-needs-errno-action",
    scope: `${S}.syscalls[*]`,
    check(syscall, report) {
      if (syscall.errnoRet !== undefined && !SECCOMP_ERRNO_ACTIONS.includes(syscall.action)) {
        report(errnoOnly(syscall.action), "errnoRet");
      }
    },
  }),

  rule<LinuxSeccomp>({
    name: "seccomp-listener-metadata-needs-path",
    scope: S,
    check(seccomp, report) {
      if (seccomp.listenerMetadata !== undefined && !seccomp.listenerPath) {
        report("must not be set without listenerPath", "listenerMetadata");
      }
    },
  }),

  // The kernel cannot notify about every syscall the process makes, including the ones the agent needs.
  rule<SeccompAction>({
    name: "seccomp-notify-not-default",
    scope: `${S}.defaultAction`,
    check(action, report) {
      if (action === "SCMP_ACT_NOTIFY") report("SCMP_ACT_NOTIFY cannot be the default action");
    },
  }),

  // With no agent to hand the notification fd to, every matching syscall would block forever.
  rule<LinuxSeccomp>({
    name: "seccomp-notify-needs-listener",
    scope: S,
    check(seccomp, report) {
      if (seccomp.listenerPath) return;
      if (seccomp.syscalls?.some((s) => s.action === "SCMP_ACT_NOTIFY")) {
        report("required when a syscall uses SCMP_ACT_NOTIFY", "listenerPath");
      }
    },
  }),

  rule<number>({
    name: "seccomp-arg-index-range",
    scope: `${S}.syscalls[*].args[*].index`,
    check(index, report) {
      if (index >= SECCOMP_MAX_ARGS) report(outOfRange(0, SECCOMP_MAX_ARGS - 1, index));
    },
  }),
];
