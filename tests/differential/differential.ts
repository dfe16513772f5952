/**
 * The differential check: one variant of runt spec's default config, run
 * once under runc and once under runt on identical bundles, and every
 * section of what the container saw compared after normalisation.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultSpec } from "../../runtime/spec/defaults.ts";
import type { Spec } from "../../runtime/spec/schema.ts";
import { differences, type View } from "./compare.ts";
import { detachMountsUnder } from "./host.ts";
import { normaliseSections } from "./normalise.ts";
import { parseSections, probeScript, type Probes } from "./probe.ts";
import { copyRootfs } from "./rootfs.ts";
import { hasRunc, runBundle, type RunOutcome, type RuntimeName } from "./runtimes.ts";

export interface VariantContext {
  /** A host directory for this variant, shared by both runs and removed afterwards. */
  scratch: string;
  /** Whatever `setup` returned as values. */
  fixture: Record<string, string>;
}

export interface Variant {
  /** Host resources both runs use (created once, before either run). */
  setup?(scratch: string): { values?: Record<string, string>; cleanup?: () => void };
  /** Changes to the default config; `process.args` is already the probe. */
  edit?(spec: Spec, ctx: VariantContext): void;
  /** Sections printed after the standard ones. */
  probes?: Probes;
  /** Last command of the probe, deciding the exit status (default `exit 0`). */
  finish?: string;
  /** Exit status runc must report (default 0): proves the probe ran as meant. */
  status?: number;
  /**
   * Checks on runc's view that the variant took effect, so that equal
   * outputs are not equal for the wrong reason (both runs failing alike).
   */
  expect?(sections: Map<string, string>): void;
  /**
   * Sections where runc 1.1.5 falls short of the runtime spec, with the
   * text the tested runtime must print instead of runc's.
   */
  beyondRunc?: Record<string, string>;
}

export interface Comparison {
  /** The reference run (runc) and the one under test. */
  reference: View;
  tested: View;
  referenceRaw: RunOutcome;
  testedRaw: RunOutcome;
  differences: string[];
}

/**
 * The runtime compared with runc: runt, unless DIFF_TESTED=runc asks for
 * runc against itself, which checks that normalisation leaves no noise.
 */
export function testedRuntime(): RuntimeName {
  return process.env.DIFF_TESTED === "runc" ? "runc" : "runt";
}

/** Why differential tests cannot run here, or false when they can. */
export function skipReason(): string | false {
  if (process.getuid?.() !== 0) return "needs root";
  if (!hasRunc()) return "runc is not installed";
  return false;
}

let sequence = 0;

/** Runs `variant` under `reference`, then under `tested`, and compares the normalised views. */
export function compareRuntimes(variant: Variant, reference: RuntimeName = "runc", tested: RuntimeName = "runt"): Comparison {
  const scratch = mkdtempSync(join(tmpdir(), "diff-host-"));
  const fixture = variant.setup?.(scratch) ?? {};
  const ctx: VariantContext = { scratch, fixture: fixture.values ?? {} };
  // The same ID for both: it shows up in cgroup paths the container can see.
  const id = `diff-${process.pid}-${++sequence}`;
  try {
    const a = runOnce(reference, variant, ctx, id);
    const b = runOnce(tested, variant, ctx, id);
    const target = tested === "runc" ? a.view : withSpecFixes(a.view, variant.beyondRunc ?? {});
    const found = differences(target, b.view, reference, tested === reference ? `${tested} again` : tested);
    if (b.leakedMounts.length > 0) found.push(`${tested} left host mounts: ${b.leakedMounts.join(", ")}`);
    return { reference: a.view, tested: b.view, referenceRaw: a.raw, testedRaw: b.raw, differences: found };
  } finally {
    fixture.cleanup?.();
    detachMountsUnder(scratch);
    rmSync(scratch, { recursive: true, force: true });
  }
}

function withSpecFixes(view: View, fixes: Record<string, string>): View {
  const sections = new Map(view.sections);
  for (const [name, text] of Object.entries(fixes)) sections.set(name, text);
  return { ...view, sections };
}

function runOnce(runtime: RuntimeName, variant: Variant, ctx: VariantContext, id: string) {
  const bundle = mkdtempSync(join(tmpdir(), `diff-${runtime}-bundle-`));
  try {
    const rootfs = copyRootfs(join(bundle, "rootfs"));
    const spec = defaultSpec();
    spec.root = { ...spec.root, path: "rootfs" };
    spec.process!.terminal = false;
    spec.process!.args = ["sh", "-c", probeScript(variant.probes, variant.finish)];
    variant.edit?.(spec, ctx);
    writeFileSync(join(bundle, "config.json"), JSON.stringify(spec, null, 2));
    const raw = runBundle(runtime, bundle, id);
    const leakedMounts = detachMountsUnder(bundle);
    const sections = normaliseSections(parseSections(raw.stdout), [
      [rootfs, "<rootfs>"],
      [bundle, "<bundle>"],
      [ctx.scratch, "<host>"],
      [id, "<id>"],
    ]);
    return { raw, view: { status: raw.status, sections }, leakedMounts };
  } finally {
    rmSync(bundle, { recursive: true, force: true });
  }
}

/**
 * Asserts that runc ran the variant as intended and that runt's container
 * saw exactly what runc's did; the failure message lists every difference.
 */
export function assertSameView(variant: Variant, tested: RuntimeName = testedRuntime()): void {
  const c = compareRuntimes(variant, "runc", tested);
  const expected = variant.status ?? 0;
  const ref = c.referenceRaw;
  assert.equal(c.reference.status, expected, `runc exited ${c.reference.status}, not ${expected}:\n${ref.stderr}${ref.stdout}`);
  assert.ok(c.reference.sections.has("fds"), `runc's container did not print every section:\n${ref.stdout}`);
  variant.expect?.(c.reference.sections);
  if (c.differences.length > 0) {
    const stderr = c.testedRaw.stderr.trim();
    assert.fail(
      `${tested}'s container saw something else than runc's (${c.differences.length} differences):\n` +
        c.differences.join("\n") + (stderr ? `\n${tested}'s stderr:\n${stderr}` : ""),
    );
  }
}
