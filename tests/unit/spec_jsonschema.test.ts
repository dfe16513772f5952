/**
 * The zod schema against the official JSON schemas (draft-04, via ajv): the
 * same accept/reject verdict on the whole corpus and on thousands of mutated
 * configs. The schema alone is compared, before the semantic rules: configs
 * in invalid/rule-* must pass both schemas and fail only on a MUST rule.
 *
 * Where the two disagree on purpose, DIVERGENCES below says so and why, and
 * a test holds each case to exactly that disagreement:
 *
 * - pids.limit: the JSON schema still requires it; config-linux.md (1.3)
 *   makes it OPTIONAL. runt follows the prose, which is canonical.
 * - windows, solaris, vm, zos, freebsd: runt is Linux-only and accepts any
 *   object there, where the JSON schema checks their contents.
 * - a map key that is "" (or only line breaks): the JSON schema's
 *   patternProperties ".{1,}" skips it, so any value passes; zod wants a
 *   string like for every other key (and the rules reject an empty key).
 * - a map key "__proto__": zod neither checks nor copies it, to rule out
 *   prototype pollution, so the entry is dropped; ajv checks its value.
 * - a device's fileMode above 511: config-linux.md says uint32, the JSON
 *   schema 0 to 511. podman writes the host node's st_mode, file type
 *   included (S_IFCHR | 0o666 is 8630), and runc accepts it; so does runt.
 * - rootfsPropagation rshared, rslave, rprivate or runbindable: runc takes
 *   them, and podman writes rslave for a volume mounted so; the JSON schema
 *   knows the four without "r".
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { specSchema } from "../../runtime/spec/schema.ts";
import { officialConfigValidator } from "./spec_official_schema.ts";
import { clone, loadCorpus } from "./spec_support.ts";
import { Mutator, prng } from "./spec_mutate.ts";

const official = officialConfigValidator();
const zodAccepts = (config: unknown) => specSchema.safeParse(config).success;

const valid = loadCorpus("valid");
const invalid = loadCorpus("invalid");
const base = valid.find((e) => e.name === "valid/runc-spec.json")!.config as Record<string, any>;

for (const { name, config } of valid) {
  test(`JSON schema parity: ${name} is accepted by both schemas`, () => {
    assert.deepEqual(official(config).errors, []);
    assert.equal(zodAccepts(config), true);
  });
}

for (const { name, config } of invalid) {
  const schemaLevel = name.startsWith("invalid/schema-");
  test(`JSON schema parity: ${name} is ${schemaLevel ? "rejected" : "accepted"} by both schemas`, () => {
    assert.ok(schemaLevel || name.startsWith("invalid/rule-"), "invalid configs are named schema-* or rule-*");
    assert.equal(official(config).ok, !schemaLevel, official(config).errors.join("; "));
    assert.equal(zodAccepts(config), !schemaLevel);
  });
}

const withChange = (change: (c: Record<string, any>) => void) => {
  const c = clone(base);
  change(c);
  return c;
};

const DIVERGENCES: { what: string; config: unknown; zod: boolean; official: boolean }[] = [
  {
    what: "pids without limit (OPTIONAL in config-linux.md, required by the JSON schema)",
    config: withChange((c) => c.linux.resources.pids = {}),
    zod: true,
    official: false,
  },
  {
    what: "a vm section without kernel (other platforms are only checked to be objects)",
    config: withChange((c) => c.vm = {}),
    zod: true,
    official: false,
  },
  {
    what: "an empty windows.layerFolders",
    config: withChange((c) => c.windows = { layerFolders: [] }),
    zod: true,
    official: false,
  },
  {
    what: 'an annotation with key "" and a non-string value',
    config: withChange((c) => c.annotations = { "": 5 }),
    zod: false,
    official: true,
  },
  {
    what: 'a sysctl entry named "__proto__" with a non-string value',
    config: withChange((c) => c.linux.sysctl = JSON.parse('{"__proto__": 5}')),
    zod: true,
    official: false,
  },
  {
    what: "a device's fileMode with its file type bits, as podman writes it (uint32 in config-linux.md, 0 to 511 in the JSON schema)",
    config: withChange((c) => c.linux.devices = [{ path: "/dev/kmsg", type: "c", major: 1, minor: 11, fileMode: 0o20644 }]),
    zod: true,
    official: false,
  },
  {
    what: "rootfsPropagation rslave, as podman writes it for a volume mounted rslave (runc takes the recursive forms)",
    config: withChange((c) => c.linux.rootfsPropagation = "rslave"),
    zod: true,
    official: false,
  },
];

for (const d of DIVERGENCES) {
  test(`JSON schema divergence, on purpose: ${d.what}`, () => {
    assert.equal(zodAccepts(d.config), d.zod);
    assert.equal(official(d.config).ok, d.official);
  });
}

const OTHER_PLATFORM = /^\/(windows|solaris|vm|zos|freebsd)\b/;
const PIDS_LIMIT = /^\/linux\/resources\/pids must have required property 'limit'$/;
const PROTO_KEY = /\/__proto__\b/;
const DEVICE_FILE_MODE = /^\/linux\/devices\/\d+\/fileMode must be <= 511$/;
const RECURSIVE_PROPAGATION = /^\/linux\/rootfsPropagation must be equal to one of the allowed values$/;

/** Whether a disagreement is one of DIVERGENCES' kinds. */
function explained(config: unknown, zod: boolean, officialErrors: string[]): boolean {
  if (zod) return officialErrors.every((e) => OTHER_PLATFORM.test(e) || PIDS_LIMIT.test(e) || PROTO_KEY.test(e) || DEVICE_FILE_MODE.test(e) || RECURSIVE_PROPAGATION.test(e));
  const issues = specSchema.safeParse(config).error?.issues ?? [];
  return issues.every((issue) => issue.path.some((key) => typeof key === "string" && /^[\n\r\u2028\u2029]*$/.test(key)));
}

test("JSON schema parity on 3000 mutated configs (seed 20240601): every disagreement is a documented one", () => {
  const mutator = new Mutator(prng(20240601));
  const unexplained: string[] = [];
  let disagreements = 0;
  for (let i = 0; i < 3000; i++) {
    const config = mutator.mutate(mutator.pick(valid).config);
    const zod = zodAccepts(config);
    const verdict = official(config);
    if (zod === verdict.ok) continue;
    disagreements++;
    if (!explained(config, zod, verdict.errors)) unexplained.push(`zod ${zod}, official ${verdict.errors.join("; ")}`);
  }
  assert.deepEqual(unexplained, []);
  assert.ok(disagreements < 100, `${disagreements} documented disagreements in 3000`);
});
