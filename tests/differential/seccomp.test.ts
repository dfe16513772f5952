/**
 * Differential: deny-by-default seccomp profiles that do not list
 * close_range — Docker's classic default, answering other calls with EPERM
 * (unset or given as `defaultErrnoRet`) or ENOSYS — installed before the
 * credentials (no no_new_privs) and last (with it). A runtime may call
 * nothing after the filter but execve: the container must run and see the
 * same under runt as under runc.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Spec } from "../../runtime/spec/schema.ts";
import { assertSameView, skipReason } from "./differential.ts";
import { dockerClassic } from "../fixtures/seccomp_profiles.ts";

const skip = skipReason() || (process.arch !== "x64" ? "the profile is resolved for x86_64" : false);

const section = (s: Map<string, string>, name: string) => s.get(name) ?? "";

/** What the filter forbids and allows, seen from inside. */
const PROBES = {
  "filter-denies": "unshare -m true; echo \"unshare $?\"; chroot / true; echo \"chroot $?\"",
  "filter-allows": "mkdir /dev/shm/d && echo mkdir-ok; sleep 0 && echo sleep-ok",
};

// Unset and 1 answer close_range with EPERM; 38 (ENOSYS) is what newer profiles give calls they do not know.
for (const defaultErrnoRet of [undefined, 1, 38]) {
  for (const noNewPrivileges of [true, false]) {
    const title = `Docker's classic profile (no close_range)${defaultErrnoRet ? `, defaultErrnoRet ${defaultErrnoRet}` : ""}, noNewPrivileges ${noNewPrivileges}`;
    test(title, { skip }, () => {
      assertSameView({
        edit: (spec: Spec) => {
          spec.process!.noNewPrivileges = noNewPrivileges;
          spec.linux!.seccomp = dockerClassic(defaultErrnoRet);
          // Only the filter is under test here: masks of directories are the default-config variant's concern.
          spec.linux!.maskedPaths = spec.linux!.maskedPaths!.filter((p) => !["/proc/acpi", "/sys/firmware"].includes(p));
        },
        probes: PROBES,
        expect: (s) => {
          assert.match(section(s, "status"), /Seccomp:\t2/);
          assert.match(section(s, "status"), new RegExp(`NoNewPrivs:\\t${noNewPrivileges ? 1 : 0}`));
          assert.match(section(s, "filter-denies"), /unshare [1-9]/);
          assert.match(section(s, "filter-allows"), /mkdir-ok/);
        },
      });
    });
  }
}
