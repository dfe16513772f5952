/** The shared vocabularies: complete, consistent, and the same lists as the official JSON schemas. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as C from "../../runtime/spec/constants.ts";
import { parseSignal } from "../../runtime/spec/signals.ts";
import { compareSemVer, parseSemVer } from "../../runtime/spec/semver.ts";
import { parseCpuList } from "../../runtime/spec/cpulist.ts";
import { OFFICIAL_SCHEMA_DIR } from "./spec_official_schema.ts";

const schema = (file: string) => JSON.parse(readFileSync(join(OFFICIAL_SCHEMA_DIR, file), "utf8"));
const linuxDefs = schema("defs-linux.json").definitions;
const processProps = schema("config-schema.json").properties.process.properties;
const sorted = (names: Iterable<string>) => [...names].sort();

test("capabilities run from CAP_CHOWN (0) to CAP_CHECKPOINT_RESTORE (40) without gaps", () => {
  const numbers = Object.values(C.CAPABILITIES).sort((a, b) => a - b);
  assert.deepEqual(numbers, Array.from({ length: C.CAP_LAST_CAP + 1 }, (_, i) => i));
  assert.equal(C.CAPABILITIES.CAP_CHOWN, 0);
  assert.equal(C.CAPABILITIES.CAP_SYS_ADMIN, 21);
  assert.equal(C.CAPABILITIES.CAP_CHECKPOINT_RESTORE, 40);
});

test("rlimits are RLIMIT_CPU (0) to RLIMIT_RTTIME (15) and match the schema's pattern", () => {
  assert.deepEqual(Object.values(C.RLIMITS), Array.from({ length: 16 }, (_, i) => i));
  const pattern = new RegExp(processProps.rlimits.items.properties.type.pattern);
  for (const name of Object.keys(C.RLIMITS)) assert.match(name, pattern);
});

test("namespace flags are distinct single bits", () => {
  const flags = Object.values(C.NAMESPACES).map((n) => n.flag);
  assert.equal(new Set(flags).size, flags.length);
  for (const flag of flags) assert.equal(flag & (flag - 1), 0);
  assert.deepEqual(sorted(Object.keys(C.NAMESPACES)), sorted(C.NAMESPACE_TYPES));
});

test("closed lists equal the official JSON schema's enums", () => {
  const pairs: [string, Iterable<string>, string[]][] = [
    ["NamespaceType", C.NAMESPACE_TYPES, linuxDefs.NamespaceType.enum],
    // And the recursive forms runc takes (spec_jsonschema.test.ts's divergences).
    ["RootfsPropagation", C.ROOTFS_PROPAGATIONS, linuxDefs.RootfsPropagation.enum.flatMap((v: string) => [v, `r${v}`])],
    ["SeccompAction", C.SECCOMP_ACTIONS, linuxDefs.SeccompAction.enum],
    ["SeccompArch", C.SECCOMP_ARCHES, linuxDefs.SeccompArch.enum],
    ["SeccompOperators", C.SECCOMP_OPERATORS, linuxDefs.SeccompOperators.enum],
    ["SeccompFlag", C.SECCOMP_FLAGS, linuxDefs.SeccompFlag.enum],
    ["SchedulerPolicy", Object.keys(C.SCHEDULER_POLICIES), linuxDefs.SchedulerPolicy.enum],
    ["SchedulerFlag", Object.keys(C.SCHEDULER_FLAGS), linuxDefs.SchedulerFlag.enum],
    ["MemoryPolicyMode", Object.keys(C.MEMORY_POLICY_MODES), linuxDefs.MemoryPolicyMode.enum],
    ["MemoryPolicyFlag", Object.keys(C.MEMORY_POLICY_FLAGS), linuxDefs.MemoryPolicyFlag.enum],
    ["PersonalityDomain", Object.keys(C.PERSONALITY_DOMAINS), linuxDefs.PersonalityDomain.enum],
    ["ioPriority.class", Object.keys(C.IOPRIO_CLASSES), processProps.ioPriority.properties.class.enum],
    ["hooks", C.HOOK_KINDS, Object.keys(schema("config-schema.json").properties.hooks.properties)],
    ["capability sets", C.CAPABILITY_SETS, Object.keys(processProps.capabilities.properties)],
  ];
  for (const [name, ours, theirs] of pairs) assert.deepEqual(sorted(ours), sorted(theirs), name);
});

test("device types match the schema's pattern", () => {
  assert.equal(`^[${C.DEVICE_TYPES.join("")}]$`, linuxDefs.FileType.pattern);
});

test("signals parse by name, short name, number and real-time offset", () => {
  const cases: [string, number | undefined][] = [
    ["SIGTERM", 15],
    ["TERM", 15],
    ["sigkill", 9],
    ["9", 9],
    ["64", 64],
    ["SIGIOT", 6],
    ["SIGRTMIN", 34],
    ["SIGRTMIN+3", 37],
    ["RTMAX-1", 63],
    ["SIGRTMAX", 64],
    ["SIGRTMIN+31", undefined],
    ["SIGRTMIN-1", undefined],
    ["SIGRTMAX+1", undefined],
    ["0", undefined],
    ["65", undefined],
    ["SIGFOO", undefined],
    ["", undefined],
    ["SIG", undefined],
  ];
  for (const [text, number] of cases) assert.equal(parseSignal(text), number, text);
});

test("SemVer 2.0.0 versions parse and order as semver.org says", () => {
  assert.deepEqual(parseSemVer("1.0.2-dev"), { major: 1, minor: 0, patch: 2, prerelease: ["dev"], build: [] });
  for (const bad of ["1.x", "1.0", "01.0.0", "1.0.0-", "v1.0.0", "1.0.0+", " 1.0.0"]) assert.equal(parseSemVer(bad), undefined, bad);
  const order = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.2", "1.3.0"];
  for (let i = 1; i < order.length; i++) {
    assert.equal(compareSemVer(parseSemVer(order[i - 1])!, parseSemVer(order[i])!), -1, `${order[i - 1]} < ${order[i]}`);
  }
  assert.equal(compareSemVer(parseSemVer("1.0.0+a")!, parseSemVer("1.0.0+b")!), 0);
});

test("CPU lists parse to ranges, strides included", () => {
  assert.deepEqual(parseCpuList(""), []);
  assert.deepEqual(parseCpuList("0-3,7"), [{ first: 0, last: 3 }, { first: 7, last: 7 }]);
  assert.deepEqual(parseCpuList(" 1 , 4-5 "), [{ first: 1, last: 1 }, { first: 4, last: 5 }]);
  assert.deepEqual(parseCpuList("0-15:2/4"), [{ first: 0, last: 15, used: 2, group: 4 }]);
  for (const bad of ["3-1", "1,", "a", "0-3:5/4", "0-3:0/4", "-1", "1--2"]) assert.equal(parseCpuList(bad), undefined, bad);
});
