/** The zod schema on its own terms: ranges, closed lists, loose objects, messages and paths. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { specSchema } from "../../runtime/spec/schema.ts";
import { ConfigValidationError, parseConfig, validateConfig } from "../../runtime/spec/validate.ts";
import { describe as describeValue, formatPath } from "../../runtime/spec/describe.ts";
import { HOOK_KINDS, NAMESPACE_TYPES } from "../../runtime/spec/constants.ts";
import { RuntError } from "../../runtime/errors.ts";

const base = () => ({ ociVersion: "1.3.0", root: { path: "rootfs" } }) as Record<string, any>;
const issuesOf = (config: unknown) => {
  const result = validateConfig(config);
  return result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message}`);
};
/** A config from JSON text, so numbers round exactly as they do when read from a file. */
const fromJson = (fragment: string) => JSON.parse(`{"ociVersion": "1.3.0", "root": {"path": "r"}, ${fragment}}`);

test("uint32 fields take 0 to 4294967295 inclusive", () => {
  for (const uid of [0, 4294967295]) assert.deepEqual(issuesOf({ ...base(), process: { cwd: "/", args: ["x"], user: { uid, gid: 0 } } }), []);
  assert.deepEqual(issuesOf({ ...base(), process: { cwd: "/", args: ["x"], user: { uid: 4294967296, gid: 0 } } }), [
    "process.user.uid: expected an integer from 0 to 4294967295, got 4294967296",
  ]);
});

test("int64 and uint64 fields take their extremes as JSON.parse rounds them, and nothing beyond", () => {
  const edges = fromJson(`"linux": {"resources": {
    "memory": {"limit": 9223372036854775807, "swap": -1, "kernel": -9223372036854775808},
    "hugepageLimits": [{"pageSize": "2MB", "limit": 18446744073709551615}]}}`);
  assert.equal(specSchema.safeParse(edges).success, true);
  const beyond = fromJson(`"linux": {"resources": {"memory": {"kernel": -9223372036854777856},
    "hugepageLimits": [{"pageSize": "2MB", "limit": 1e20}]}}`);
  assert.deepEqual(issuesOf(beyond), [
    "linux.resources.memory.kernel: expected an integer from -9223372036854775808 to 9223372036854775807, got -9223372036854778000",
    "linux.resources.hugepageLimits[0].limit: expected an integer from 0 to 18446744073709551615, got 100000000000000000000",
  ]);
});

test("int32 fields stop at 2^31 - 1", () => {
  const config = { ...base(), process: { cwd: "/", args: ["x"], ioPriority: { class: "IOPRIO_CLASS_BE", priority: 2147483648 } } };
  assert.deepEqual(issuesOf(config), [
    "process.ioPriority.priority: expected an integer from -2147483648 to 2147483647, got 2147483648",
  ]);
});

test("a hook timeout must be greater than zero; every hook kind is checked", () => {
  for (const kind of HOOK_KINDS) {
    assert.deepEqual(issuesOf({ ...base(), hooks: { [kind]: [{ path: "/bin/h", timeout: 1 }] } }), [], kind);
    assert.deepEqual(issuesOf({ ...base(), hooks: { [kind]: [{ path: "/bin/h", timeout: -3 }] } }), [
      `hooks.${kind}[0].timeout: expected an integer greater than 0, got -3`,
    ]);
  }
});

test("device types are c, b, u or p", () => {
  for (const type of ["c", "b", "u", "p"]) {
    const config = { ...base(), linux: { devices: [{ type, path: "/dev/x", major: 1, minor: 1 }] } };
    assert.deepEqual(issuesOf(config), [], type);
  }
  assert.deepEqual(issuesOf({ ...base(), linux: { devices: [{ type: "cb", path: "/dev/x", major: 1, minor: 1 }] } }), [
    "linux.devices[0].type: expected one of c, b, u, p",
  ]);
});

test("rootfsPropagation takes shared, slave, private or unbindable, and their recursive forms as runc does", () => {
  for (const value of ["shared", "slave", "private", "unbindable", "rshared", "rslave", "rprivate", "runbindable"]) {
    assert.deepEqual(issuesOf({ ...base(), linux: { rootfsPropagation: value } }), [], value);
  }
  assert.deepEqual(issuesOf({ ...base(), linux: { rootfsPropagation: "rbind" } }), [
    "linux.rootfsPropagation: expected one of shared, slave, private, unbindable, rshared, rslave, rprivate, runbindable",
  ]);
});

test("every namespace type of the spec is known", () => {
  const namespaces = NAMESPACE_TYPES.map((type) => ({ type }));
  const mappings = [{ containerID: 0, hostID: 1000, size: 1 }];
  assert.deepEqual(issuesOf({ ...base(), linux: { namespaces, uidMappings: mappings, gidMappings: mappings } }), []);
});

test("unknown properties are kept at every level, not rejected", () => {
  const config = {
    ...base(),
    "x-top": 1,
    root: { path: "r", "x-root": [1] },
    process: { cwd: "/", args: ["x"], "x-proc": { a: null }, capabilities: { "x-set": ["CAP_NOPE"] } },
    linux: { "x-linux": true, namespaces: [{ type: "pid", "x-ns": "y" }], resources: { "x-res": 0, memory: { "x-mem": 1 } } },
    hooks: { "x-hook-kind": "anything" },
  };
  assert.deepEqual(parseConfig(config), config);
});

test("parseConfig returns a copy, and prototype-named keys pollute nothing", () => {
  const input = JSON.parse(`{"ociVersion": "1.0.0", "root": {"path": "r"},
    "__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 2}},
    "annotations": {"__proto__": "x", "constructor": "y", "toString": "z"}}`);
  const spec = parseConfig(input);
  assert.notEqual(spec, input);
  spec.root!.path = "changed";
  assert.equal(input.root.path, "r");
  assert.equal(Object.getPrototypeOf(spec), Object.prototype);
  assert.deepEqual(spec.annotations, { constructor: "y", toString: "z" });
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test("messages say what was expected and what was found, never zod's own words", () => {
  assert.deepEqual(issuesOf({ ociVersion: "1.0.0", root: { path: 5, readonly: "no" }, mounts: {}, hostname: null }), [
    "root.path: expected a string, got 5",
    'root.readonly: expected a boolean, got "no"',
    "mounts: expected an array, got an object",
    "hostname: expected a string, got null",
  ]);
  assert.deepEqual(issuesOf("config"), ['(root): expected an object, got "config"']);
  assert.deepEqual(issuesOf({}), ["ociVersion: required, expected a string", "root: required"]);
});

test("long or multi-line values are shown shortened and on one line", () => {
  const [line] = issuesOf({ ...base(), ociVersion: "1.0\n" + "x".repeat(100) });
  assert.equal(line, `ociVersion: expected a SemVer 2.0.0 version, got "1.0\\n${"x".repeat(76)}…"`);
});

test("paths use dots for names, brackets for indexes and for keys that are not names", () => {
  assert.equal(formatPath([]), "(root)");
  assert.equal(formatPath(["linux", "namespaces", 2, "type"]), "linux.namespaces[2].type");
  assert.equal(formatPath(["linux", "sysctl", "net.ipv4.ip_forward"]), 'linux.sysctl["net.ipv4.ip_forward"]');
  assert.equal(formatPath(["annotations", ""]), 'annotations[""]');
  assert.equal(formatPath(["a\nb"]), '["a\\nb"]');
});

test("values are described without ever throwing", () => {
  const cases: [unknown, string][] = [
    ["s", '"s"'],
    [1.5, "1.5"],
    [true, "true"],
    [null, "null"],
    [undefined, "nothing"],
    [[], "an array"],
    [{}, "an object"],
    [2n, "2n"],
    [Symbol("x"), "a symbol"],
    [() => 0, "a function"],
  ];
  for (const [value, text] of cases) assert.equal(describeValue(value), text);
});

test("ConfigValidationError is a RuntError with one line per issue", () => {
  const error = new ConfigValidationError([
    { path: "ociVersion", message: "m1" },
    { path: "(root)", message: "m2" },
  ]);
  assert.ok(error instanceof RuntError);
  assert.equal(error.name, "ConfigValidationError");
  assert.equal(error.message, "ociVersion: m1\n(root): m2");
  assert.deepEqual(error.lines(), ["ociVersion: m1", "(root): m2"]);
  assert.equal(error.issues.length, 2);
});
