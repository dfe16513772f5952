/** Rules on the top of config.md: version, root, hostname, hooks, env, annotations. */
import { STOP_SIGNAL_ANNOTATION } from "../constants.ts";
import { quote } from "../describe.ts";
import type { Root } from "../schema.ts";
import { parseSemVer } from "../semver.ts";
import { parseSignal } from "../signals.ts";
import { rule } from "./engine.ts";
import { findNamespace, hookScopes, isAbsolute, needsNamespace } from "./util.ts";

export const generalRules = [
  rule<string>({
    name: "oci-version",
    scope: "ociVersion",
    check(version, report) {
      const parsed = parseSemVer(version);
      if (!parsed) report(`expected a SemVer 2.0.0 version, got ${quote(version)}`);
      // A major version is a compatibility boundary (config.md): 2.x may mean things runt cannot know.
      else if (parsed.major !== 1) report(`expected major version 1, got ${quote(version)}`);
    },
  }),

  // REQUIRED on every platform but Windows, which the JSON schema has to allow for.
  rule<Root | undefined>({
    name: "root-required",
    checkAbsent: true,
    scope: "root",
    check(root, report) {
      if (root === undefined) report("required");
    },
  }),

  // An empty path would make the bundle directory itself the root filesystem.
  rule<string>({
    name: "root-path-not-empty",
    scope: "root.path",
    check(path, report) {
      if (path === "") report("must not be empty");
    },
  }),

  // Without its own UTS namespace the container would rename the host.
  rule<string>({
    name: "hostname-needs-uts-namespace",
    scope: ["hostname", "domainname"],
    needs: ["linux.namespaces"],
    check(name, report, { spec }) {
      if (name && !findNamespace(spec, "uts")) report(needsNamespace("uts"));
    },
  }),

  rule<string>({
    name: "hook-path-absolute",
    scope: hookScopes(".path"),
    check(path, report) {
      if (!isAbsolute(path)) report("must be an absolute path");
    },
  }),

  rule<string>({
    name: "env-format",
    scope: ["process.env[*]", ...hookScopes(".env[*]")],
    check(entry, report) {
      if (entry.indexOf("=") < 1) report(`expected KEY=value, got ${quote(entry)}`);
    },
  }),

  rule<string>({
    name: "annotation-key-not-empty",
    scope: "annotations.*",
    check(_value, report, { at }) {
      if (at[at.length - 1] === "") report("keys must not be empty");
    },
  }),

  rule<string>({
    name: "stop-signal-known",
    scope: "annotations.*",
    check(value, report, { at }) {
      // Empty means the image has none: umoci writes it so, and runc runs such a bundle.
      if (at[at.length - 1] === STOP_SIGNAL_ANNOTATION && value !== "" && parseSignal(value) === undefined) {
        report(`unknown signal ${quote(value)}, expected a name like SIGTERM or a number`);
      }
    },
  }),
];
