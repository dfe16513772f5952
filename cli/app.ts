/** The command-line front end: global flags, dispatch, help, and turning errors into one line each. */
import { fileURLToPath } from "node:url";
import { builtCommit, hostRuntime, OCI_VERSION, RUNT_VERSION, sourceCommit } from "../runtime/version.ts";
import { RuntError } from "../runtime/errors.ts";
import { checkArgCount, type Command, type Flags, parseFlags, splitAfterPositionals } from "./command.ts";
import { COMMANDS } from "./commands/index.ts";
import { UnknownCommandError } from "./errors.ts";
import { parseGlobal } from "./global.ts";
import { commandHelp, globalHelp } from "./help.ts";
import { Logger } from "./log.ts";
import { traceStep } from "../runtime/trace.ts";
import { writeAll } from "../runtime/host.ts";

/** runc's `--version` lines, with the JavaScript runtime where runc names its Go. */
export function versionText(): string {
  const [engine, engineVersion] = hostRuntime().split(" ");
  return [
    `runt version ${RUNT_VERSION}`,
    `commit: ${builtCommit() ?? sourceCommit(fileURLToPath(new URL("..", import.meta.url)))}`,
    `spec: ${OCI_VERSION}`,
    `${engine}: ${engineVersion}`,
    // runc names the libseccomp it links; runt compiles its filters itself and links none.
    "libseccomp: none (seccomp filters compiled by runt)",
    "",
  ].join("\n");
}

function findCommand(name: string): Command {
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) throw new UnknownCommandError(`No help topic for '${name}'`);
  return cmd;
}

/** Runs one invocation and returns its exit status; never throws. */
export async function runCli(argv: string[]): Promise<number> {
  let log = new Logger(undefined, "text", argv.includes("--debug"));
  try {
    const g = parseGlobal(argv);
    log = new Logger(g.options.log, g.options.logFormat, g.options.debug);
    log.open();
    log.debug(`runt ${RUNT_VERSION}: ${JSON.stringify(argv)}`);
    const status = await dispatch(g, log);
    log.debug(`exit status ${status}`);
    traceStep("exit");
    return status;
  } catch (e) {
    if (e instanceof RuntError) {
      for (const line of e.lines()) log.error(line);
      log.debug(e.stack ?? "");
      return e.exitCode;
    }
    // Not the user's fault: say so, and keep the stack for a bug report.
    const err = e instanceof Error ? e : new Error(String(e));
    log.error(`internal error: ${err.message}${log.debugEnabled ? "" : " (run with --debug for details)"}`);
    log.debug(err.stack ?? "");
    return 1;
  }
}

async function dispatch(g: ReturnType<typeof parseGlobal>, log: Logger): Promise<number> {
  if (g.version) {
    writeAll(1, versionText());
    return 0;
  }
  if (!g.command || g.help) {
    writeAll(1, globalHelp(COMMANDS, versionText()));
    return 0;
  }
  if (g.command === "help" || g.command === "h") {
    writeAll(1, g.rest[0] ? commandHelp(findCommand(g.rest[0])) : globalHelp(COMMANDS, versionText()));
    return 0;
  }
  const cmd = findCommand(g.command);
  const flags: Flags = { ...cmd.flags, help: { type: "boolean", short: "h", description: "show help" } };
  const after = typeof cmd.verbatimAfter === "function" ? cmd.verbatimAfter(g.rest) : cmd.verbatimAfter;
  const [head, tail] = after ? splitAfterPositionals(g.rest, flags, after) : [g.rest, []];
  const parsed = parseFlags(head, flags, `"runt ${cmd.name}"`);
  const values = parsed.values;
  const positionals = [...parsed.positionals, ...tail];
  if (values.help) {
    writeAll(1, commandHelp(cmd));
    return 0;
  }
  checkArgCount(cmd, positionals);
  traceStep("args parsed");
  log.debug(`${cmd.name}: flags ${JSON.stringify(values)}, arguments ${JSON.stringify(positionals)}`);
  return await cmd.run({ global: g.options, log }, values, positionals);
}
