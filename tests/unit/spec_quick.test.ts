/**
 * The fast path (spec/quick.ts) against the full validation: it accepts
 * only what validateConfig accepts, returns the same spec and warnings, and
 * leaves to validateConfig every config that needs a problem worded or a
 * key folded — over the corpus and 20000 mutated configs.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { specSchema } from "../../runtime/spec/schema.ts";
import { foldKeys } from "../../runtime/spec/case_fold.ts";
import { fits, quickValidate } from "../../runtime/spec/quick.ts";
import { validateConfig } from "../../runtime/spec/validate.ts";
import { CONFIGS_DIR, loadCorpus } from "./spec_support.ts";
import { Mutator, prng } from "./spec_mutate.ts";

const valid = loadCorpus("valid");
const invalid = loadCorpus("invalid");

/**
 * Deep equality that stops at a shared value: both copies share unknown
 * properties, where the mutator nests arrays deeper than deepEqual's stack.
 */
function same(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && same((a as any)[k], (b as any)[k]));
}

function sameAsFull(config: unknown): void {
  const quick = quickValidate(config);
  const full = validateConfig(config);
  assert.ok(quick !== undefined, "the fast path accepts it");
  assert.ok(full.ok, "the full validation accepts it");
  assert.ok(same(quick.spec, full.spec), "the same spec");
  assert.deepEqual(quick.warnings, full.warnings);
}

for (const { name, config } of valid) {
  test(`fast path: ${name} is accepted with the spec and warnings the full validation gives`, () => sameAsFull(config));
}

for (const { name, config } of invalid) {
  test(`fast path: ${name} is left to the full validation`, () => assert.equal(quickValidate(config), undefined));
}

const foldedDir = join(CONFIGS_DIR, "folded");
for (const file of readdirSync(foldedDir).filter((f) => f.endsWith(".json") && !f.endsWith(".canonical.json"))) {
  test(`fast path: folded/${file}, with keys read case-insensitively, is left to the full validation`, () => {
    const config = JSON.parse(readFileSync(join(foldedDir, file), "utf8"));
    assert.equal(quickValidate(config), undefined);
    assert.ok(validateConfig(config).ok);
  });
}

test("fast path: the spec is a copy, and a __proto__ key is left to the full validation", () => {
  const config = structuredClone(valid[0].config) as Record<string, any>;
  const quick = quickValidate(config)!;
  quick.spec.hostname = "changed";
  assert.notEqual(config.hostname, "changed");
  assert.equal(quickValidate({ ...config, annotations: JSON.parse('{"__proto__": "x"}') }), undefined);
});

test("fast path on 20000 mutated configs (seed 7): accepts exactly what zod accepts as written, never more", () => {
  const mutator = new Mutator(prng(7));
  const wrong: string[] = [];
  let bothAccept = 0, bothReject = 0, leftToZod = 0;
  for (let i = 0; i < 20000; i++) {
    const config = mutator.mutate(mutator.pick(valid).config);
    const fast = fits(config);
    const zod = specSchema.safeParse(config).success;
    const asWritten = foldKeys(config).notes.length === 0;
    if (fast) {
      if (!zod || !asWritten) wrong.push(`accepted what zod ${zod ? "folds" : "rejects"}: ${JSON.stringify(config)}`);
      else bothAccept++;
      const quick = quickValidate(config);
      if (quick !== undefined) sameAsFull(config);
    } else if (zod && asWritten) {
      // Only a "__proto__" key, which the fast path never reads, may send a config zod takes to zod.
      if (!JSON.stringify(config).includes('"__proto__"')) wrong.push(`rejected what zod accepts: ${JSON.stringify(config)}`);
      else leftToZod++;
    } else bothReject++;
  }
  assert.deepEqual(wrong.slice(0, 3), []);
  assert.ok(bothAccept > 1000 && bothReject > 10000, `${bothAccept} accepted by both, ${bothReject} rejected by both, ${leftToZod} left to zod`);
});
