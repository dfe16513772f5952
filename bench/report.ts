/** The benchmark's outputs: the targets judged, a table for the terminal, results.json and a markdown snippet for the README. */
import { DIST } from "./contenders.ts";
import { IMAGE_PULL, IMAGE_PULL_ONLY, IMAGE_RUN, SKOPEO_UMOCI } from "./images.ts";
import type { Phase } from "./phases.ts";
import { type Metrics, ratio } from "./stats.ts";

const RUNC = "runc";

/** A target: `contender`'s median of `metric` at most `maxRatio` × runc's, or at most `max` (in `unit`). */
export type Limit =
  & { what: string; metric: string; contender: string }
  & ({ maxRatio: number } | { max: number; unit: "ms" | "KiB" });

export interface Target {
  what: string;
  contender: string;
  /** "≤ 0.7× runc" or "≤ 2 ms". */
  bound: string;
  measured: string;
  pass: boolean;
}

export interface Results {
  date: string;
  host: { kernel: string; cpus: number; loadBefore: number; loadAfter: number };
  rounds: number;
  lifecycleRounds: number;
  tracedRuns: number;
  seconds: number;
  contenders: { name: string; version: string }[];
  metrics: Metrics;
  /** Per contender, the steps of a traced `run`. */
  phases: Record<string, Phase[]>;
  targets: Target[];
}

const ms = (v: number | null | undefined) => (v == null ? "—" : `${v.toFixed(1)} ms`);
/** KiB in; under 1 MiB (the start-up program waiting) in KiB, so it does not read as 0. */
const kb = (v: number | null | undefined) => (v == null ? "—" : v < 1024 ? `${Math.round(v)} KiB` : `${(v / 1024).toFixed(1)} MiB`);
const x = (v: number | null) => (v === null ? "—" : `${v.toFixed(2)}×`);
const count = (v: number | null | undefined) => (v == null ? "—" : `${Math.round(v)}`);

/** The measurements in table order: label, how a value reads, and the statistic shown (the median unless said). */
const ROWS: [metric: string, label: string, show: (v: number | null | undefined) => string, stat?: "median" | "mean"][] = [
  ["run", "run /bin/true", ms],
  ["runCpu", "run /bin/true: CPU time, runtime and container", ms],
  ["runUser", "… of it in user space (mean)", ms, "mean"],
  ["runKernel", "… of it in the kernel (mean)", ms, "mean"],
  ["runFaults", "run /bin/true: page faults", count],
  ["runUserns", "run /bin/true in a user namespace", ms],
  ["create", "create", ms],
  ["start", "start", ms],
  ["createToRunning", "create → running", ms],
  ["exec", "exec /bin/true", ms],
  ["state", "state", ms],
  ["list", "list", ms],
  ["version", "--version", ms],
  ["floor", "floor: runc --version / a compiled Bun hello / deno run of a hello", ms],
  ["floorCpu", "floor: CPU time", ms],
  ["floorUser", "… of it in user space (mean)", ms, "mean"],
  ["floorKernel", "… of it in the kernel (mean)", ms, "mean"],
  ["validation", "validation of a valid config", ms],
  ["parentHwm", "runtime's VmHWM during run", kb],
  ["parentRss", "runtime's VmRSS during run", kb],
  ["waitingHwm", "waiting container's VmHWM", kb],
  ["waitingRss", "waiting container's VmRSS", kb],
];

export function judge(limits: Limit[], metrics: Metrics): Target[] {
  return limits.map((l) => {
    const mine = metrics[l.metric]?.[l.contender]?.median ?? null;
    if ("maxRatio" in l) {
      const r = ratio(mine, metrics[l.metric]?.[RUNC]?.median);
      return { what: l.what, contender: l.contender, bound: `≤ ${l.maxRatio}× runc`, measured: x(r), pass: r !== null && r <= l.maxRatio };
    }
    const shown = mine === null ? "—" : l.unit === "ms" ? ms(mine) : `${Math.round(mine)} KiB`;
    return { what: l.what, contender: l.contender, bound: `≤ ${l.max} ${l.unit}`, measured: shown, pass: mine !== null && mine <= l.max };
  });
}

function cells(r: Results): string[][] {
  const names = r.contenders.map((c) => c.name);
  const header = ["measurement (median)", ...names.flatMap((n) => (n === RUNC ? [n] : [n, "vs runc"]))];
  const body = ROWS.filter(([metric]) => r.metrics[metric]).map(([metric, label, show, stat = "median"]) => {
    const byContender = r.metrics[metric];
    const ref = byContender[RUNC]?.[stat];
    return [label, ...names.flatMap((n) => {
      const v = byContender[n]?.[stat];
      return n === RUNC ? [show(v)] : [show(v), v == null ? "" : x(ratio(v, ref))];
    })];
  });
  return [header, ...body];
}

/** Steps of the traced runs, one column per contender: time since the process was spawned, and since the step before. */
function phaseCells(r: Results): string[][] {
  const names = Object.keys(r.phases);
  const order = [...new Set(names.flatMap((n) => r.phases[n].map((p) => p.step)))];
  const first = r.phases[names[0]] ?? [];
  order.sort((a, b) => (first.find((p) => p.step === a)?.atMs ?? Infinity) - (first.find((p) => p.step === b)?.atMs ?? Infinity));
  const header = ["step of one run", ...names.flatMap((n) => [`${n}: at`, "Δ"])];
  const body = order.map((step) => [step, ...names.flatMap((n) => {
    const phases = r.phases[n];
    const i = phases.findIndex((p) => p.step === step);
    if (i < 0) return ["", ""];
    return [ms(phases[i].atMs), ms(phases[i].atMs - (i > 0 ? phases[i - 1].atMs : 0))];
  })]);
  return [header, ...body];
}

/**
 * Where a `run` of the binary goes, in the stages of a container runt
 * builds itself (runtime/container/build.ts), from its traced steps.
 */
export function buildShare(phases: Phase[]): string[] {
  const at = (step: string) => phases.find((p) => p.step === step)?.atMs;
  const span = (a: string, b: string) => {
    const [from, to] = [at(a), at(b)];
    return from === undefined || to === undefined ? null : to - from;
  };
  const end = at("process ended");
  const share = (v: number | null) => v !== null && end !== undefined ? ` (${((v / end) * 100).toFixed(0)}% of the run)` : "";
  const built = span("namespaces made", "rootfs built");
  return [
    `runtime start-up to its main: ${ms(at("main") ?? null)}`,
    `main → config read (arguments, FFI, the command's modules): ${ms(span("main", "config read"))}`,
    `config read → the container's process spawned (state, fifo, the loader program): ${ms(span("config read", "init spawned"))}`,
    `validation: ${ms(span("validating", "validated"))}`,
    `the namespace stage (sent, run, reported): ${ms(span("validated", "namespaces made"))}`,
    `runt's thread builds the rootfs in the container's namespaces: ${ms(built)}${share(built)}`,
    `rootfs built → ready (cgroup limits, the create program, credentials): ${ms(span("rootfs built", "init ready"))}`,
    `start, the process, delete and exit: ${ms(span("init ready", "process ended"))}`,
  ];
}

function targetLines(r: Results): string[] {
  return r.targets.map((t) => `${t.pass ? "PASS" : "FAIL"} ${t.contender}: ${t.what} ${t.bound} (measured ${t.measured})`);
}

/** How far the floor alone is from runc, so a read-only target that cannot be met says why. */
function floorLines(r: Results): string[] {
  const floor = r.metrics.floor;
  if (!floor) return [];
  const ref = floor[RUNC]?.median;
  return Object.entries(floor).filter(([n]) => n !== RUNC).map(([n, s]) =>
    `floor of ${n}: ${ms(s.median)}, ${x(ratio(s.median, ref))} runc --version (${ms(ref)}); state/list/--version measured ` +
    ["state", "list", "version"].map((m) => ms(r.metrics[m]?.[n]?.median)).join(" / ")
  );
}

/** The image rows: runt against the tools that do the same job, each median with the ratio. */
function imageLines(r: Results): string[] {
  const median = (metric: string, name: string) => r.metrics[metric]?.[name]?.median;
  const pair = (mine: number | null | undefined, theirs: number | null | undefined, label: string, otherLabel: string) =>
    mine == null && theirs == null ? [] : [`${label}: ${ms(mine)}; ${otherLabel}: ${ms(theirs)} (runt ${x(ratio(mine, theirs))})`];
  const tools = median(IMAGE_PULL, SKOPEO_UMOCI);
  return [
    ...pair(median(IMAGE_PULL, DIST), tools, "pull + unpack of busybox from a local registry, `runt image pull` + a first `run --image`", "`skopeo copy` + `umoci unpack`"),
    ...pair(median(IMAGE_PULL_ONLY, DIST), tools, "of which `runt image pull` alone (layers unpacked into the store)", "`skopeo copy` + `umoci unpack`"),
    ...pair(median(IMAGE_RUN, DIST), median(IMAGE_RUN, RUNC), "`run --rm --image` of the unpacked image", "`runc run` of the bundle umoci unpacked"),
  ];
}

function errorLines(r: Results): string[] {
  return Object.entries(r.metrics).flatMap(([metric, byContender]) =>
    Object.entries(byContender).filter(([, s]) => s.error).map(([name, s]) => `${name}: ${metric}: ${s.error}`)
  );
}

function aligned(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const line = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ");
  return [line(rows[0]), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)];
}

function mdTable(rows: string[][]): string[] {
  return [
    `| ${rows[0].join(" | ")} |`,
    `| ${rows[0].map((_, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`,
    ...rows.slice(1).map((row) => `| ${row.join(" | ")} |`),
  ];
}

function summary(r: Results): string {
  return `Measured ${r.date.slice(0, 10)} on Linux ${r.host.kernel}, ${r.host.cpus} CPUs (load average ${r.host.loadBefore.toFixed(2)} before, ` +
    `${r.host.loadAfter.toFixed(2)} after; ${r.seconds.toFixed(0)} s): medians of ${r.rounds} interleaved rounds (the runtimes in a new random order each) of \`run /bin/true\` and ` +
    `\`--version\`, ${r.lifecycleRounds} of create/start/exec/state/list on a waiting busybox container, of \`run /bin/true\` in a user namespace and of a \`run\` held open for its memory, ` +
    `and ${r.tracedRuns} interleaved runs with RUNT_TRACE=1 for the phases.`;
}

export function textTable(r: Results): string {
  const errors = errorLines(r);
  const dist = Object.keys(r.phases)[0];
  return [
    summary(r),
    "",
    ...aligned(cells(r)),
    "",
    ...aligned(phaseCells(r)),
    "",
    ...(dist ? [`${dist}, where a run goes:`, ...buildShare(r.phases[dist]).map((l) => `  ${l}`), ""] : []),
    ...targetLines(r),
    ...floorLines(r),
    ...imageLines(r),
    ...(errors.length ? ["", "failures:", ...errors.map((e) => `  ${e}`)] : []),
  ].join("\n");
}

export function markdown(r: Results): string {
  const errors = errorLines(r);
  const dist = Object.keys(r.phases)[0];
  return [
    summary(r),
    "",
    ...mdTable(cells(r)),
    "",
    `Versions: ${r.contenders.map((c) => `${c.name} \`${c.version}\``).join(", ")}.`,
    "",
    "Phases of one `run` (RUNT_TRACE=1; tracing adds a little to each step):",
    "",
    ...mdTable(phaseCells(r)),
    "",
    ...(dist ? [`Where a \`run\` of ${dist} goes:`, "", ...buildShare(r.phases[dist]).map((l) => `- ${l}`), ""] : []),
    ...targetLines(r).map((l) => `- ${l}`),
    ...floorLines(r).map((l) => `- ${l}`),
    ...imageLines(r).map((l) => `- ${l}`),
    ...(errors.length ? ["", "Failures:", "", ...errors.map((e) => `- ${e.replaceAll("|", "\\|")}`)] : []),
    "",
  ].join("\n");
}
