/** Help text, generated from the same flag declarations the parser uses. */
import type { Command, Flags } from "./command.ts";
import { GLOBAL_FLAGS } from "./global.ts";

function flagLines(flags: Flags): string[] {
  const rows = Object.entries(flags).map(([name, f]) => {
    const names = (f.short ? `-${f.short}, ` : "") + `--${name}` + (f.value ? ` ${f.value}` : "");
    const dflt = typeof f.default === "string" && f.default ? ` (default: ${f.default})` : "";
    return [names, f.description + dflt];
  });
  const width = Math.max(...rows.map(([n]) => n.length));
  return rows.map(([n, d]) => `   ${n.padEnd(width)}  ${d}`);
}

export function globalHelp(commands: Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "runt - an OCI container runtime written in TypeScript",
    "",
    "USAGE:",
    "   runt [global options] command [command options] [arguments...]",
    "",
    "COMMANDS:",
    ...commands.map((c) => `   ${c.name.padEnd(width)}  ${c.summary}`),
    `   ${"help".padEnd(width)}  show help for runt or one command`,
    "",
    "GLOBAL OPTIONS:",
    ...flagLines(GLOBAL_FLAGS),
    "",
    "Run 'runt COMMAND --help' for a command's flags.",
    "",
  ].join("\n");
}

export function commandHelp(cmd: Command): string {
  const hasFlags = Object.keys(cmd.flags).length > 0;
  return [
    `runt ${cmd.name} - ${cmd.summary}`,
    "",
    "USAGE:",
    `   runt ${cmd.name}${hasFlags ? " [command options]" : ""}${cmd.args ? " " + cmd.args : ""}`,
    ...(cmd.description ? ["", cmd.description.trimEnd()] : []),
    ...(hasFlags ? ["", "OPTIONS:", ...flagLines(cmd.flags)] : []),
    "",
  ].join("\n");
}
