/**
 * What the quick commands load before they can work. Every module a command
 * imports, and every node: module those import, is evaluated at start-up,
 * and runt's start-up is most of what `--version`, `state`, `list` and
 * `start` cost. Read off Deno's module graph of cli/main.ts: a command loads
 * the static imports of the modules it reaches, while a dynamic import is
 * taken only by the code that needs it (listed per command below).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../../", import.meta.url));

interface GraphModule {
  specifier: string;
  dependencies?: { code?: { specifier: string }; isDynamic?: boolean }[];
}

function moduleGraph(): Map<string, string[]> {
  const r = spawnSync(`${REPO}node_modules/.bin/deno`, ["info", "--json", "cli/main.ts"], { cwd: REPO, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const modules = (JSON.parse(r.stdout) as { modules: GraphModule[] }).modules;
  const name = (specifier: string) => specifier.replace(`file://${REPO}`, "");
  return new Map(modules.map((m) => [
    name(m.specifier),
    (m.dependencies ?? []).filter((d) => d.code && !d.isDynamic).map((d) => name(d.code!.specifier)),
  ]));
}

const graph = moduleGraph();

/** Every module evaluated when `entries` are: each with its static imports, transitively. */
function loaded(entries: string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (m: string) => {
    if (seen.has(m)) return;
    assert.ok(graph.has(m), `${m} is not in cli/main.ts's module graph`);
    seen.add(m);
    for (const d of graph.get(m)!) visit(d);
  };
  entries.forEach(visit);
  return seen;
}

/** The front end every command goes through: main, then app (global flags, the command table). */
const FRONT = ["cli/main.ts", "cli/app.ts"];

function assertNone(command: string, modules: Set<string>, unwanted: (m: string) => boolean): void {
  assert.deepEqual([...modules].filter(unwanted).sort(), [], `runt ${command} loads these`);
}

const otherCommand = (own: string) => (m: string) => m.startsWith("cli/commands/") && m !== `cli/commands/${own}.ts` && m !== "cli/commands/index.ts";

test("--version loads no node: module and no command", () => {
  const modules = loaded(FRONT);
  assertNone("--version", modules, (m) => m.startsWith("node:") || m.startsWith("cli/commands/") && m !== "cli/commands/index.ts");
  assertNone("--version", modules, (m) => m === "cli/help.ts");
});

test("--version alone is answered by main: the command table and the front end are not loaded", () => {
  const modules = loaded(["cli/main.ts"]);
  assertNone("--version", modules, (m) => m === "cli/app.ts" || m.startsWith("cli/commands/") || m === "cli/global.ts" || m.startsWith("node:"));
  assert.ok(modules.has("cli/version_text.ts"));
});

test("state and list load their own command and the state store: no FFI, no cgroup manager, no other command", () => {
  for (const command of ["state", "list"]) {
    const modules = loaded([...FRONT, `cli/commands/${command}.ts`, "runtime/container/query.ts", "runtime/state/store.ts"]);
    assertNone(command, modules, otherCommand(command));
    // Their files are read through ffi/files.ts, which binds two libc symbols when first used under Bun, and nothing else of ffi/.
    assertNone(command, modules, (m) => m.startsWith("ffi/") && !["ffi/files.ts", "ffi/errno.ts", "ffi/bun_native.ts"].includes(m));
    assertNone(command, modules, (m) => m === "bun:ffi" || m.startsWith("runtime/cgroups/systemd/"));
    assertNone(command, modules, (m) => m === "runtime/cgroups/manager.ts" || m === "runtime/spec/constants.ts" || m.startsWith("npm:"));
    assertNone(command, modules, (m) => ["node:child_process", "node:crypto", "node:zlib", "node:fs/promises", "node:url"].includes(m));
  }
});

test("start of a container without hooks loads no hook runner, and no exec, create or init machinery", () => {
  const modules = loaded([...FRONT, "cli/commands/start.ts", "cli/lifecycle.ts", "runtime/container/release.ts", "ffi/mod.ts", "ffi/bun.ts", "runtime/state/store.ts"]);
  assertNone("start", modules, otherCommand("start"));
  assertNone("start", modules, (m) => ["runtime/container/exec.ts", "runtime/container/create.ts", "runtime/cgroups/manager.ts", "runtime/spec/constants.ts"].includes(m));
  assertNone("start", modules, (m) => m.startsWith("runtime/hooks/"));
  // The recording fake is for tests: ffi/mod.ts does not re-export it.
  assertNone("start", modules, (m) => m === "ffi/fake.ts");
  // The start-up program's failure report (runtime/stub/report.ts) is read off exec.fifo; building the program is create's.
  assertNone("start", modules, (m) => m.startsWith("runtime/init/") || m.startsWith("runtime/rootfs/") || m.startsWith("npm:"));
  assertNone("start", modules, (m) => ["runtime/stub/program.ts", "runtime/startup/plan.ts"].includes(m));
  assertNone("start", modules, (m) => ["node:child_process", "node:crypto", "node:zlib", "node:url"].includes(m));
});

test("exec loads no create or rootfs machinery: a process in a running container needs no build", () => {
  const modules = loaded([
    ...FRONT,
    "cli/commands/exec.ts",
    "cli/lifecycle.ts",
    "runtime/container/exec_process.ts",
    "runtime/container/exec.ts",
    "runtime/cgroups/sub.ts",
    "ffi/mod.ts",
    "ffi/bun.ts",
    "runtime/state/store.ts",
  ]);
  assertNone("exec", modules, otherCommand("exec"));
  assertNone("exec", modules, (m) => ["runtime/container/create.ts", "runtime/container/build.ts", "runtime/config_check.ts"].includes(m));
  assertNone("exec", modules, (m) => m.startsWith("runtime/rootfs/") || m.startsWith("runtime/hooks/") || m.startsWith("npm:"));
  // Only where the cgroup is: not the manager that makes and configures it, nor the systemd driver behind it.
  assertNone("exec", modules, (m) => m === "runtime/cgroups/manager.ts" || m.startsWith("runtime/cgroups/systemd/") || m.startsWith("runtime/dbus/"));
  assert.ok(modules.has("runtime/cgroups/placement.ts"));
  assert.ok(modules.has("runtime/container/send_program.ts"));
});

test("run loads no assembler, and exec's launcher only for a container with hooks to run at start", () => {
  const modules = loaded([...FRONT, "cli/commands/run.ts", "cli/lifecycle.ts", "runtime/container/run.ts", "ffi/mod.ts", "ffi/bun.ts", "runtime/state/store.ts"]);
  // The start-up program's interpreter ships assembled (runtime/stub/x86_64/vm_code.ts).
  assertNone("run", modules, (m) => m === "runtime/stub/x86_64/asm.ts" || m === "runtime/stub/x86_64/vm_source.ts");
  assertNone("run", modules, (m) => m === "runtime/container/exec.ts" || m === "runtime/container/start.ts");
  assert.ok(modules.has("runtime/stub/x86_64/vm_code.ts"));
});

test("run, create, delete and update load no systemd driver and no D-Bus client: only a cgroup systemd owns needs them", () => {
  const LIFECYCLE = ["cli/lifecycle.ts", "ffi/mod.ts", "ffi/bun.ts", "runtime/state/store.ts"];
  const commands: Array<[string, string[]]> = [
    ["run", ["cli/commands/run.ts", "runtime/container/run.ts"]],
    ["create", ["cli/commands/create.ts", "runtime/container/create.ts"]],
    ["delete", ["cli/commands/delete.ts", "runtime/container/delete.ts"]],
    ["update", ["cli/commands/update.ts", "runtime/container/update.ts"]],
  ];
  for (const [command, entries] of commands) {
    const modules = loaded([...FRONT, ...LIFECYCLE, ...entries]);
    assert.ok(modules.has("runtime/cgroups/manager.ts"), command);
    assertNone(command, modules, (m) => m.startsWith("runtime/dbus/") || (m.startsWith("runtime/cgroups/systemd/") && !["runtime/cgroups/systemd/running.ts", "runtime/cgroups/systemd/unit_name.ts"].includes(m)));
  }
});

test("the command table loads, under each name, the command of that name", async () => {
  const { COMMAND_NAMES, loadCommand, loadCommands } = await import("../../cli/commands/index.ts");
  assert.deepEqual((await loadCommands()).map((c) => c.name), COMMAND_NAMES);
  assert.equal(loadCommand("toString"), undefined);
  assert.equal(loadCommand("nope"), undefined);
});
