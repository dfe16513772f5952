/**
 * Seeded fuzzing of the validator: whatever a config.json holds, validation
 * answers with issues, never with a crash. Same seed, same 10,000 configs,
 * under Deno and Bun alike.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigValidationError, parseConfig, validateConfig } from "../../runtime/spec/validate.ts";
import { loadCorpus } from "./spec_support.ts";
import { Mutator, prng } from "./spec_mutate.ts";

const SEED = 0x0c1_2024;
const RUNS = 10_000;
const ZOD_WORDING = /Invalid input|Invalid option|Too small|Too big|Unrecognized key/;

test(`fuzz: ${RUNS} mutated configs (seed ${SEED}) — parseConfig throws only ConfigValidationError, validateConfig never`, () => {
  const valid = loadCorpus("valid").map((e) => e.config);
  const all = [...valid, ...loadCorpus("invalid").map((e) => e.config)];
  const mutator = new Mutator(prng(SEED));
  let accepted = 0;
  const started = performance.now();
  for (let i = 0; i < RUNS; i++) {
    // Mostly from valid configs, so that many mutants stay valid and the accepting path is exercised too.
    const config = mutator.mutate(mutator.pick(mutator.int(4) < 3 ? valid : all));
    const result = validateConfig(config);
    try {
      const spec = parseConfig(config);
      assert.ok(result.ok, "validateConfig and parseConfig agree");
      // What is accepted once is accepted again: the parsed copy is itself a valid config.
      assert.ok(validateConfig(spec).ok, `re-validating run ${i}`);
      accepted++;
    } catch (e) {
      if (!(e instanceof ConfigValidationError)) throw new Error(`run ${i}: ${(e as Error)?.stack ?? e}`);
      assert.equal(result.ok, false);
      assert.ok(e.issues.length > 0);
      for (const { path, message } of e.issues) {
        assert.ok(path.length > 0 && message.length > 0, `run ${i}: empty path or message`);
        assert.ok(!/[\n\r]/.test(path + message), `run ${i}: issue spans lines: ${path}: ${message}`);
        assert.ok(!ZOD_WORDING.test(message), `run ${i}: zod wording leaked: ${message}`);
      }
      assert.equal(e.message.split("\n").length, e.issues.length);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  assert.equal(({} as Record<string, unknown>).polluted, undefined, "Object.prototype untouched");
  console.log(`fuzz: ${RUNS} configs, ${accepted} accepted, ${RUNS - accepted} rejected, ${seconds.toFixed(2)} s`);
  // The bound is generous for slow CI machines; it takes about 2.5 s on a developer machine.
  assert.ok(seconds < 30, `${seconds} s`);
});

test("fuzz: values no JSON document holds are reported, not thrown", () => {
  const cyclic: Record<string, unknown> = { ociVersion: "1.0.0", root: { path: "rootfs" } };
  cyclic.self = cyclic;
  (cyclic.root as Record<string, unknown>).parent = cyclic;
  const inputs: unknown[] = [
    undefined,
    null,
    NaN,
    Infinity,
    0n,
    Symbol("spec"),
    () => {},
    "config.json",
    [],
    new Date(0),
    new Map([["ociVersion", "1.0.0"]]),
    Object.create(null),
    { ociVersion: "1.0.0", root: { path: "rootfs" }, process: { cwd: "/", args: ["sh"], user: { uid: NaN, gid: Infinity } } },
    { ociVersion: "1.0.0", root: { path: Symbol("p") }, annotations: { a: 1n } },
  ];
  for (const input of inputs) {
    assert.equal(validateConfig(input).ok, false);
    assert.throws(() => parseConfig(input), ConfigValidationError);
  }
  // Cycles through unknown properties are never walked; a null-prototype map is still a map.
  assert.equal(validateConfig(cyclic).ok, true);
  assert.equal(validateConfig({ ociVersion: "1.0.0", root: { path: "/r" }, linux: { sysctl: Object.create(null) } }).ok, true);
});
