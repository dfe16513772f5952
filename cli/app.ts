/** The command-line front end: global flags, dispatch, help, and turning errors into one line each. */
import { RuntError } from "../runtime/errors.ts";
import { checkArgCount, type Command, type Flags, parseFlags, splitAfterPositionals } from "./command.ts";
import { loadCommand, loadCommands } from "./commands/index.ts";
import { UnknownCommandError } from "./errors.ts";
import { parseGlobal } from "./global.ts";
import { Logger } from "./log.ts";
import { traceStep } from "../runtime/trace.ts";
import { writeAll } from "../runtime/host.ts";
import { versionText } from "./version_text.ts";
import { RUNT_VERSION } from "../runtime/version.ts";

async function findCommand(name: string): Promise<Command> {
  const cmd = await loadCommand(name);
  if (!cmd) throw new UnknownCommandError(`No help topic for '${name}'`);
  return cmd;
}

/** Help for every command, or for the one named; loaded only when asked for. */
async function helpText(topic?: string): Promise<string> {
  const { commandHelp, globalHelp } = await import("./help.ts");
  if (topic) return commandHelp(await findCommand(topic));
  return globalHelp(await loadCommands(), await versionText());
}

/** Runs one invocation and returns its exit status; never throws. */
export async function runCli(argv: string[]): Promise<number> {
  let log = new Logger(undefined, "text", argv.includes("--debug"));
  try {
    const g = parseGlobal(argv);
    log = new Logger(g.options.log, g.options.logFormat, g.options.debug);
    await log.open();
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
    writeAll(1, await versionText());
    return 0;
  }
  if (!g.command || g.help) {
    writeAll(1, await helpText());
    return 0;
  }
  if (g.command === "help" || g.command === "h") {
    writeAll(1, await helpText(g.rest[0]));
    return 0;
  }
  const cmd = await findCommand(g.command);
  const flags: Flags = { ...cmd.flags, help: { type: "boolean", short: "h", description: "show help" } };
  const after = typeof cmd.verbatimAfter === "function" ? cmd.verbatimAfter(g.rest) : cmd.verbatimAfter;
  const [head, tail] = after ? splitAfterPositionals(g.rest, flags, after) : [g.rest, []];
  const parsed = parseFlags(head, flags, `"runt ${cmd.name}"`);
  const values = parsed.values;
  const positionals = [...parsed.positionals, ...tail];
  if (values.help) {
    writeAll(1, await helpText(cmd.name));
    return 0;
  }
  checkArgCount(cmd, positionals);
  traceStep("args parsed");
  log.debug(`${cmd.name}: flags ${JSON.stringify(values)}, arguments ${JSON.stringify(positionals)}`);
  return await cmd.run({ global: g.options, log }, values, positionals);
}
