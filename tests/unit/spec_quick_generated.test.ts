/**
 * The fast path's generated code (runtime/spec/quick_generated.ts): it is
 * what quick_codegen.ts writes from the current schema and rules, and its
 * walk hands every rule exactly the values rules/engine.ts resolves for it
 * (same rule, same place, same value) over the corpus and mutated configs.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { GENERATED_FILE, generateQuick } from "../../runtime/spec/quick_codegen.ts";
import { visitRules } from "../../runtime/spec/quick_generated.ts";
import { type Rule, runRules } from "../../runtime/spec/rules/engine.ts";
import { RULES } from "../../runtime/spec/rules/index.ts";
import { loadCorpus } from "./spec_support.ts";
import { Mutator, prng } from "./spec_mutate.ts";

test("quick_generated.ts is what quick_codegen.ts writes (deno run -A runtime/spec/quick_codegen.ts rewrites it)", () => {
  assert.equal(readFileSync(GENERATED_FILE, "utf8"), generateQuick());
});

type Calls = Map<string, unknown[]>;

const record = (calls: Calls, name: string, at: readonly (string | number)[], value: unknown) => {
  const key = JSON.stringify([name, at]);
  calls.set(key, [...calls.get(key) ?? [], value]);
};

function engineCalls(config: unknown): Calls {
  const calls: Calls = new Map();
  const recording = RULES.map((r): Rule => ({ ...r, check: (value, _report, { at }) => record(calls, r.name, at, value) }));
  runRules(config, recording, []);
  return calls;
}

function generatedCalls(config: unknown): Calls {
  const calls: Calls = new Map();
  visitRules(config, (index, value, at) => record(calls, RULES[index].name, at, value));
  return calls;
}

function sameCalls(config: unknown): string[] {
  const [engine, generated] = [engineCalls(config), generatedCalls(config)];
  const wrong: string[] = [];
  for (const key of new Set([...engine.keys(), ...generated.keys()])) {
    const [a, b] = [engine.get(key) ?? [], generated.get(key) ?? []];
    if (a.length !== b.length || a.some((v, i) => !Object.is(v, b[i]))) {
      wrong.push(`${key}: the engine calls it ${a.length} times, the generated walk ${b.length}`);
    }
  }
  return wrong;
}

test("the generated walk calls each rule where the engine does, over the corpus and 3000 mutated configs", () => {
  const corpus = [...loadCorpus("valid"), ...loadCorpus("invalid")];
  const wrong = corpus.flatMap(({ name, config }) => sameCalls(config).map((w) => `${name}: ${w}`));
  const mutator = new Mutator(prng(13));
  let calls = 0;
  for (let i = 0; i < 3000; i++) {
    const config = mutator.mutate(mutator.pick(corpus).config);
    wrong.push(...sameCalls(config).map((w) => `${JSON.stringify(config)}: ${w}`));
    calls += generatedCalls(config).size;
  }
  assert.deepEqual(wrong.slice(0, 3), []);
  assert.ok(calls > 30000, `only ${calls} rule calls`);
});
