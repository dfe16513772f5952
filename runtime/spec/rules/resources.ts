/** Rules on `linux.resources` (config-linux.md "Control groups"). */
import { CGROUP_DEVICE_TYPES } from "../constants.ts";
import type { LinuxCPU, LinuxMemory, LinuxRdma, LinuxThrottleDevice, LinuxWeightDevice } from "../schema.ts";
import { rule } from "./engine.ts";
import { outOfRange } from "./util.ts";

const R = "linux.resources";
const THROTTLES = ["throttleReadBpsDevice", "throttleWriteBpsDevice", "throttleReadIOPSDevice", "throttleWriteIOPSDevice"];

export const resourceRules = [
  rule<string>({
    name: "cgroup-device-type",
    scope: `${R}.devices[*].type`,
    check(type, report) {
      if (!(CGROUP_DEVICE_TYPES as readonly string[]).includes(type)) {
        report(`expected one of ${CGROUP_DEVICE_TYPES.join(", ")}`);
      }
    },
  }),

  rule<string>({
    name: "cgroup-device-access",
    scope: `${R}.devices[*].access`,
    // runc 1.1 reads any other string by its r, w and m (see device_access.ts), but refuses an empty one.
    check(access, report) {
      if (access === "") report("must not be empty, expected some of r, w and m");
    },
  }),

  rule<number>({
    name: "memory-limit-values",
    scope: ["limit", "reservation", "swap", "kernel", "kernelTCP"].map((key) => `${R}.memory.${key}`),
    check(bytes, report) {
      if (bytes < -1) report(`expected -1 (unlimited) or a number of bytes, got ${bytes}`);
    },
  }),

  // swap counts memory plus swap, so below the memory limit it cannot be set (cgroup v1 refuses it).
  rule<LinuxMemory>({
    name: "memory-swap-at-least-limit",
    scope: `${R}.memory`,
    check(memory, report) {
      const { limit, swap } = memory;
      if (limit !== undefined && swap !== undefined && limit > 0 && swap > 0 && swap < limit) {
        report(`must be -1 or at least limit (${limit}) as it counts memory plus swap, got ${swap}`, "swap");
      }
    },
  }),

  rule<number>({
    name: "memory-swappiness-range",
    scope: `${R}.memory.swappiness`,
    check(swappiness, report) {
      if (swappiness > 100) report(outOfRange(0, 100, swappiness));
    },
  }),

  rule<LinuxCPU>({
    name: "cpu-burst-within-quota",
    scope: `${R}.cpu`,
    check(cpu, report) {
      const { quota, burst } = cpu;
      if (quota !== undefined && burst !== undefined && quota > 0 && burst > quota) {
        report(`must not exceed quota (${quota}), got ${burst}`, "burst");
      }
    },
  }),

  // The kernel clamps cpu.shares to [2, 262144] (cpu.weight to [1, 10000] on v2) without an error;
  // runc reads the value back and refuses the container, so runt refuses the config.
  rule<number>({
    name: "cpu-shares-range",
    scope: `${R}.cpu.shares`,
    check(shares, report) {
      if (shares !== 0 && (shares < 2 || shares > 262144)) report(`expected 0 (unset) or an integer from 2 to 262144, got ${shares}`);
    },
  }),

  rule<number>({
    name: "cpu-idle-values",
    scope: `${R}.cpu.idle`,
    check(idle, report) {
      if (idle !== 0 && idle !== 1) report(`expected 0 or 1 (SCHED_IDLE), got ${idle}`);
    },
  }),

  rule<number>({
    name: "pids-limit-values",
    scope: `${R}.pids.limit`,
    check(limit, report) {
      if (limit < -1) report(`expected -1 (no limit) or a number of tasks, got ${limit}`);
    },
  }),

  rule<LinuxWeightDevice>({
    name: "blockio-weight-device-needs-weight",
    scope: `${R}.blockIO.weightDevice[*]`,
    check(device, report) {
      if (device.weight === undefined && device.leafWeight === undefined) report("expected weight, leafWeight or both");
    },
  }),

  rule<LinuxThrottleDevice>({
    name: "blockio-throttle-rate-required",
    scope: THROTTLES.map((key) => `${R}.blockIO.${key}[*]`),
    check(device, report) {
      if (device.rate === undefined) report("required, expected an integer from 0 to 18446744073709551615", "rate");
    },
  }),

  rule<LinuxRdma>({
    name: "rdma-entry-needs-limit",
    scope: `${R}.rdma.*`,
    check(entry, report) {
      if (entry.hcaHandles === undefined && entry.hcaObjects === undefined) {
        report("expected hcaHandles, hcaObjects or both");
      }
    },
  }),

  // Each key names a file in the container's cgroup directory: "controller.name", never a path.
  rule<string>({
    name: "unified-key-name",
    scope: `${R}.unified.*`,
    check(_value, report, { at }) {
      if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_.-]+$/.test(String(at[at.length - 1]))) {
        report('not a cgroup file name like "memory.max"');
      }
    },
  }),
];
