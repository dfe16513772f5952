/**
 * runc's global flags, accepted in the same place runc accepts them: before
 * the command name (`runt --root /x --log f --log-format json create …`).
 */
import { type Flags, type GlobalOptions, parseFlags } from "./command.ts";
import { UsageError } from "./errors.ts";
import { defaultStateRoot } from "../runtime/state/default_root.ts";

/** /run/runt, or $XDG_RUNTIME_DIR/runt for a user without root (as runc picks its own). */
export const DEFAULT_ROOT = defaultStateRoot();

export const GLOBAL_FLAGS: Flags = {
  debug: { type: "boolean", description: "enable debug logging (and stack traces on errors)" },
  log: { type: "string", value: "FILE", description: "write logs to FILE as well as errors to stderr" },
  "log-format": { type: "string", value: "text|json", description: "log file format", default: "text" },
  root: { type: "string", value: "DIR", description: "root directory for container state", default: DEFAULT_ROOT },
  criu: { type: "string", value: "PATH", description: "accepted for runc compatibility; checkpointing is not supported" },
  "systemd-cgroup": { type: "boolean", description: "create and run: systemd makes and owns the container's cgroup (a transient scope; linux.cgroupsPath as \"slice:prefix:name\")" },
  rootless: { type: "string", value: "true|false|auto", description: "rootless container handling", default: "auto" },
  help: { type: "boolean", short: "h", description: "show help" },
  version: { type: "boolean", short: "v", description: "print the version" },
};

export interface GlobalParse {
  options: GlobalOptions;
  help: boolean;
  version: boolean;
  command?: string;
  rest: string[];
}

/** Splits `argv` at the command name, which is the first word not taken by a global flag. */
export function parseGlobal(argv: string[]): GlobalParse {
  const { values, positionals } = parseFlags(argv, GLOBAL_FLAGS, "runt", true);
  const logFormat = values["log-format"];
  if (logFormat !== "text" && logFormat !== "json") {
    throw new UsageError(`--log-format: expected text or json, got "${logFormat}"`);
  }
  const rootless = values.rootless;
  if (rootless !== "true" && rootless !== "false" && rootless !== "auto") {
    throw new UsageError(`--rootless: expected true, false or auto, got "${rootless}"`);
  }
  const root = values.root as string;
  if (!root) throw new UsageError(`--root: expected a directory, got ""`);
  return {
    options: {
      debug: values.debug === true,
      log: values.log as string | undefined,
      logFormat,
      root,
      systemdCgroup: values["systemd-cgroup"] === true,
      rootless,
    },
    help: values.help === true,
    version: values.version === true,
    command: positionals[0],
    rest: positionals.slice(1),
  };
}
