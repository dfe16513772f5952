/** The benchmark's outputs: a table for the terminal, results.json and a markdown snippet for the README. */
import type { LifecycleResult, RunResult } from "./measure.ts";
import { ratio } from "./stats.ts";

export interface ContenderResult {
  name: string;
  version: string;
  run: RunResult;
  lifecycle: LifecycleResult;
  /** This contender's figures divided by runc's. */
  ratios: { run: number | null; createToRunning: number | null; initVmHWM: number | null };
}

export interface Target {
  contender: string;
  /** Maximum allowed `run` wall time as a multiple of runc's. */
  maxRatio: number;
  ratio: number | null;
  pass: boolean;
}

export interface Results {
  date: string;
  host: { kernel: string; cpus: number };
  runs: number;
  lifecycleIterations: number;
  contenders: ContenderResult[];
  targets: Target[];
}

export function withRatios(all: Omit<ContenderResult, "ratios">[]): ContenderResult[] {
  const ref = all.find((c) => c.name === "runc");
  return all.map((c) => ({
    ...c,
    ratios: {
      run: ratio(c.run.medianMs, ref?.run.medianMs ?? null),
      createToRunning: ratio(c.lifecycle.createToRunningMs, ref?.lifecycle.createToRunningMs ?? null),
      initVmHWM: ratio(c.lifecycle.initVmHWMKb, ref?.lifecycle.initVmHWMKb ?? null),
    },
  }));
}

export function targets(all: ContenderResult[], limits: Record<string, number>): Target[] {
  return Object.entries(limits).map(([contender, maxRatio]) => {
    const r = all.find((c) => c.name === contender)?.ratios.run ?? null;
    return { contender, maxRatio, ratio: r, pass: r !== null && r <= maxRatio };
  });
}

const ms = (v: number | null) => (v === null ? "—" : `${v.toFixed(1)} ms`);
/** KiB in, MiB shown; under 1 MiB (the start-up program waiting) in KiB, so it does not read as 0. */
const kb = (v: number | null) => (v === null ? "—" : v < 1024 ? `${v} KiB` : `${(v / 1024).toFixed(1)} MiB`);
const x = (v: number | null) => (v === null ? "—" : `${v.toFixed(2)}×`);

const HEADERS = [
  "runtime",
  "run /bin/true (median)",
  "vs runc",
  "create",
  "start",
  "create → running",
  "vs runc",
  "waiting init VmHWM",
  "VmRSS",
  "vs runc",
];

function rows(r: Results): string[][] {
  return r.contenders.map((c) => [
    c.name,
    ms(c.run.medianMs),
    x(c.ratios.run),
    ms(c.lifecycle.createMs),
    ms(c.lifecycle.startMs),
    ms(c.lifecycle.createToRunningMs),
    x(c.ratios.createToRunning),
    kb(c.lifecycle.initVmHWMKb),
    kb(c.lifecycle.initVmRSSKb),
    x(c.ratios.initVmHWM),
  ]);
}

export function targetLines(r: Results): string[] {
  return r.targets.map((t) =>
    `${t.pass ? "PASS" : "FAIL"} ${t.contender}: run at most ${t.maxRatio}× runc's wall time ` +
    (t.ratio === null ? "(not measured: see failures)" : `(measured ${x(t.ratio)})`)
  );
}

function errorLines(r: Results): string[] {
  return r.contenders.flatMap((c) => [
    ...(c.run.error ? [`${c.name}: ${c.run.error}`] : []),
    ...(c.lifecycle.error ? [`${c.name}: lifecycle: ${c.lifecycle.error}`] : []),
  ]);
}

export function textTable(r: Results): string {
  const all = [HEADERS, ...rows(r)];
  const widths = HEADERS.map((_, i) => Math.max(...all.map((row) => row[i].length)));
  const line = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ");
  const errors = errorLines(r);
  return [
    `busybox bundle, ${r.runs} runs of /bin/true; create/start over ${r.lifecycleIterations} containers running sleep`,
    line(HEADERS),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...rows(r).map(line),
    "",
    ...targetLines(r),
    ...(errors.length ? ["", "failures:", ...errors.map((e) => `  ${e}`)] : []),
  ].join("\n");
}

export function markdown(r: Results): string {
  const errors = errorLines(r);
  return [
    `Measured ${r.date.slice(0, 10)} on Linux ${r.host.kernel}, ${r.host.cpus} CPUs: medians of ${r.runs} runs of ` +
    `\`/bin/true\` in a busybox bundle, and of ${r.lifecycleIterations} create/start cycles of a waiting container.`,
    "",
    `| ${HEADERS.join(" | ")} |`,
    `| ${HEADERS.map((_, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`,
    ...rows(r).map((row) => `| ${row.join(" | ")} |`),
    "",
    `Versions: ${r.contenders.map((c) => `${c.name} \`${c.version}\``).join(", ")}.`,
    "",
    ...targetLines(r).map((l) => `- ${l}`),
    ...(errors.length ? ["", "Failures:", "", ...errors.map((e) => `- ${e.replaceAll("|", "\\|")}`)] : []),
    "",
  ].join("\n");
}
