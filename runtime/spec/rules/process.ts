/** Rules on `process` (config.md "Process", "POSIX process", "Linux Process"). */
import { CAPABILITIES, CAPABILITY_SETS, OOM_SCORE_ADJ_MAX, RLIMITS } from "../constants.ts";
import { formatPath, quote } from "../describe.ts";
import type { LinuxIOPriority, POSIXRlimit, Scheduler } from "../schema.ts";
import { rule } from "./engine.ts";
import { isAbsolute, outOfRange } from "./util.ts";

const REALTIME_POLICIES = ["SCHED_FIFO", "SCHED_RR"];

export const processRules = [
  rule<string>({
    name: "process-cwd-absolute",
    scope: "process.cwd",
    check(cwd, report) {
      if (!isAbsolute(cwd)) report("must be an absolute path");
    },
  }),

  // The first entry is execvp's file: without it there is nothing to run.
  rule<string[] | undefined>({
    name: "process-args-required",
    checkAbsent: true,
    scope: "process.args",
    check(args, report, { spec }) {
      if (spec.process === undefined) return;
      if (args === undefined) report("required, expected at least one entry");
      else if (args.length === 0) report("must have at least one entry");
    },
  }),

  // REQUIRED for POSIX users in config.md; the JSON schema cannot say so because Windows users have none.
  rule<number | undefined>({
    name: "process-user-ids-required",
    checkAbsent: true,
    scope: ["process.user.uid", "process.user.gid"],
    check(id, report, { spec }) {
      if (spec.process?.user !== undefined && id === undefined) {
        report("required, expected an integer from 0 to 4294967295");
      }
    },
  }),

  rule<string>({
    name: "capability-known",
    scope: CAPABILITY_SETS.map((set) => `process.capabilities.${set}[*]`),
    check(name, report) {
      if (!Object.hasOwn(CAPABILITIES, name)) report(`unknown capability ${quote(name)}`);
    },
  }),

  rule<string>({
    name: "rlimit-type-known",
    scope: "process.rlimits[*].type",
    check(type, report) {
      if (!Object.hasOwn(RLIMITS, type)) report(`unknown rlimit type ${quote(type)}`);
    },
  }),

  rule<POSIXRlimit[]>({
    name: "rlimit-unique",
    scope: "process.rlimits",
    check(rlimits, report, { at }) {
      const first = new Map<string, number>();
      rlimits.forEach(({ type }, i) => {
        const seen = first.get(type);
        if (seen === undefined) first.set(type, i);
        else report(`duplicate rlimit type ${quote(type)} (also at ${formatPath([...at, seen])})`, i, "type");
      });
    },
  }),

  // setrlimit(2) refuses a soft limit above the hard one.
  rule<POSIXRlimit>({
    name: "rlimit-soft-within-hard",
    scope: "process.rlimits[*]",
    check({ soft, hard }, report) {
      if (soft > hard) report(`must not exceed hard (${hard}), got ${soft}`, "soft");
    },
  }),

  rule<number>({
    name: "oom-score-adj-range",
    scope: "process.oomScoreAdj",
    check(adj, report) {
      if (Math.abs(adj) > OOM_SCORE_ADJ_MAX) report(outOfRange(-OOM_SCORE_ADJ_MAX, OOM_SCORE_ADJ_MAX, adj));
    },
  }),

  // REQUIRED in config.md though not in the JSON schema; ioprio levels are 0 (highest) to 7.
  rule<LinuxIOPriority>({
    name: "io-priority-level",
    scope: "process.ioPriority",
    check(io, report) {
      if (io.priority === undefined) report("required, expected an integer from 0 to 7", "priority");
      else if (io.priority < 0 || io.priority > 7) report(outOfRange(0, 7, io.priority), "priority");
    },
  }),

  rule<number>({
    name: "scheduler-nice-range",
    scope: "process.scheduler.nice",
    check(nice, report) {
      if (nice < -20 || nice > 19) report(outOfRange(-20, 19, nice));
    },
  }),

  // sched(7): real-time policies take a priority from 1 to 99, every other policy only 0.
  rule<Scheduler>({
    name: "scheduler-priority-range",
    scope: "process.scheduler",
    check(scheduler, report) {
      const { policy, priority } = scheduler;
      if (REALTIME_POLICIES.includes(policy)) {
        if (priority === undefined) report(`required for ${policy}, expected an integer from 1 to 99`, "priority");
        else if (priority < 1 || priority > 99) report(outOfRange(1, 99, priority), "priority");
      } else if (priority !== undefined && priority !== 0) {
        report(`must be 0 for ${policy}, got ${priority}`, "priority");
      }
    },
  }),

  // sched(7): SCHED_DEADLINE needs 0 < runtime <= deadline <= period (a period of 0 means "= deadline").
  rule<Scheduler>({
    name: "scheduler-deadline-order",
    scope: "process.scheduler",
    check(scheduler, report) {
      if (scheduler.policy !== "SCHED_DEADLINE") return;
      const { runtime = 0, deadline = 0, period = 0 } = scheduler;
      if (deadline === 0) report("required for SCHED_DEADLINE, expected an integer greater than 0", "deadline");
      else if (runtime > deadline) report(`must not exceed deadline (${deadline}), got ${runtime}`, "runtime");
      if (period !== 0 && deadline > period) report(`must not exceed period (${period}), got ${deadline}`, "deadline");
    },
  }),
];
