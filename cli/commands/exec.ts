import { readFileSync } from "../../runtime/host_fs.ts";
import { join } from "../../runtime/path.ts";
import { RuntError } from "../../runtime/errors.ts";
import type { Command, CommandContext, FlagValues } from "../command.ts";
import { UsageError } from "../errors.ts";
import { preserveFdsFlag } from "../create_flags.ts";
import { lifecycle } from "../lifecycle.ts";

export const execCommand: Command = {
  name: "exec",
  summary: "execute a new process inside a running container",
  args: "<container-id> <command> [args...]",
  minArgs: 1,
  maxArgs: Infinity,
  verbatimAfter: 1,
  description: `The process joins every namespace and the cgroup of the container and starts
from the container's own process settings (capabilities, rlimits, user,
no_new_privs); flags override them, or --process gives a whole process.json.
runt exits with the process's status: 126 when it cannot be executed, 127 when
it is not found, 128+N when signal N killed it; 255 when runt itself fails
(no such container, a paused one, a bad --pid-file or --user), as runc does.`,
  flags: {
    process: { type: "string", short: "p", value: "FILE", description: "process.json to run (the config's process object); '-' reads stdin" },
    env: { type: "string", short: "e", multiple: true, value: "KEY=VALUE", description: "add an environment variable" },
    cwd: { type: "string", value: "DIR", description: "working directory inside the container" },
    user: { type: "string", short: "u", value: "UID[:GID]", description: "run as this user" },
    "additional-gids": { type: "string", short: "g", multiple: true, value: "GID", description: "additional groups" },
    cap: { type: "string", short: "c", multiple: true, value: "CAP", description: "add a capability" },
    "no-new-privs": { type: "boolean", description: "set no_new_privs for the process" },
    detach: { type: "boolean", short: "d", description: "return once the process has started" },
    "pid-file": { type: "string", value: "FILE", description: "write the process's PID to FILE" },
    "preserve-fds": { type: "string", value: "N", description: "pass N extra descriptors (3 … 3+N-1)", default: "0" },
    tty: { type: "boolean", short: "t", description: "allocate a terminal (relayed by runt, or sent to --console-socket with --detach)" },
    "console-socket": { type: "string", value: "PATH", description: "unix socket that receives the terminal's master (with --tty --detach)" },
    "process-label": { type: "string", value: "LABEL", description: "SELinux label of the process (refused where SELinux is off)" },
    apparmor: { type: "string", value: "PROFILE", description: "AppArmor profile of the process (refused where AppArmor is off)" },
    "ignore-paused": { type: "boolean", description: "exec even if the container is paused" },
    cgroup: {
      type: "string",
      multiple: true,
      value: "[CONTROLLER:]PATH",
      description: "run the process in an existing sub-cgroup of the container's (v1: per controller, repeatable; alone: every hierarchy)",
    },
  },
  async run(ctx, flags, [id, ...args]) {
    // A number flag runc's parser rejects is a usage error (1); everything after is exec failing (255).
    const preserveFds = preserveFdsFlag(flags["preserve-fds"]);
    try {
      return await execute(ctx, flags, id, args, preserveFds);
    } catch (e) {
      throw e instanceof RuntError && e.exitCode === 1 ? new ExecError(e.message) : e;
    }
  },
};

/**
 * runt's own failure in exec, told apart from the process's: runc exits 255
 * for it (no container, paused, a bad --pid-file, a bad --user), while 126,
 * 127 and the process's own statuses stay the process's.
 */
class ExecError extends RuntError {
  constructor(message: string) {
    super(message, 255);
  }
}

async function execute(ctx: CommandContext, flags: FlagValues, id: string, args: string[], preserveFds: number): Promise<number> {
  const [{ StateStore }, { execProcessFrom }, { execInContainer }, { parseSubCgroupArgs }] = await Promise.all([
    import("../../runtime/state/store.ts"),
    import("../../runtime/container/exec_process.ts"),
    import("../../runtime/container/exec.ts"),
    import("../../runtime/cgroups/sub.ts"),
  ]);
  const subCgroups = flags.cgroup === undefined ? undefined : parseSubCgroupArgs(flags.cgroup as string[]);
  const record = new StateStore(ctx.global.root).read(id);
  const process = flags.process !== undefined
    ? await processFile(flags.process as string, record.config)
    : execProcessFrom(record.config.process!, {
      args,
      env: flags.env as string[] | undefined,
      cwd: flags.cwd as string | undefined,
      user: flags.user as string | undefined,
      additionalGids: (flags["additional-gids"] as string[] | undefined)?.map(gidArg),
      caps: flags.cap as string[] | undefined,
      noNewPrivileges: flags["no-new-privs"] === true ? true : undefined,
      tty: flags.tty === true,
      apparmorProfile: flags.apparmor as string | undefined,
      selinuxLabel: flags["process-label"] as string | undefined,
    });
  return await execInContainer(await lifecycle(ctx), {
    id,
    process,
    detach: flags.detach === true,
    consoleSocket: flags["console-socket"] as string | undefined,
    pidFile: flags["pid-file"] as string | undefined,
    preserveFds,
    ignorePaused: flags["ignore-paused"] === true,
    subCgroups,
  });
}

function gidArg(text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`--additional-gids: expected a numeric group ID, got "${text}"`);
  return Number(text);
}

/** A process.json, checked by the same rules as the config's process. */
async function processFile(file: string, config: import("../../runtime/spec/schema.ts").Spec) {
  const { parseJsonFile } = await import("../../runtime/bundle.ts");
  const { checkConfigJson } = await import("../../runtime/config_check.ts");
  let text: string;
  try {
    text = readFileSync(file === "-" ? "/dev/stdin" : file, "utf8");
  } catch (e) {
    throw new UsageError(`--process ${file}: ${(e as Error).message}`);
  }
  const process = parseJsonFile(text, file);
  return (await checkConfigJson({ ...config, process }, join(file))).process!;
}
