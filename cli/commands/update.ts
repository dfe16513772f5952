import { readFileSync } from "../../runtime/host_fs.ts";
import type { LinuxResources } from "../../runtime/spec/schema.ts";
import { resourcesFromFlags } from "../../runtime/container/update_request.ts";
import type { Command, FlagValues } from "../command.ts";
import { UsageError } from "../errors.ts";
import { lifecycle } from "../lifecycle.ts";

export const updateCommand: Command = {
  name: "update",
  summary: "update a container's resource constraints",
  args: "<container-id>",
  minArgs: 1,
  maxArgs: 1,
  description: `Changes the limits of a running, created or paused container: its cgroup
and the config kept in its state. Sizes take runc's suffixes (512m, 1g); 0 leaves
a setting as it is; -1 removes a memory limit. With --resources, the
linux.resources JSON of the file (or stdin for '-') is applied and the other
flags are ignored. Device rules are not changed; kernel memory limits are
ignored, as in runc 1.1.`,
  flags: {
    resources: { type: "string", short: "r", value: "FILE", description: "JSON linux.resources to apply; '-' reads stdin" },
    memory: { type: "string", value: "BYTES", description: "memory limit" },
    "memory-reservation": { type: "string", value: "BYTES", description: "memory reservation (soft limit)" },
    "memory-swap": { type: "string", value: "BYTES", description: "memory plus swap limit; -1 for unlimited swap" },
    "kernel-memory": { type: "string", value: "BYTES", description: "ignored, as in runc 1.1" },
    "kernel-memory-tcp": { type: "string", value: "BYTES", description: "ignored, as in runc 1.1" },
    "cpu-share": { type: "string", value: "N", description: "CPU shares (relative weight)" },
    "cpu-shares": { type: "string", value: "N", description: "the same as --cpu-share" },
    "cpu-quota": { type: "string", value: "USECS", description: "CFS quota: CPU time allowed per period" },
    "cpu-period": { type: "string", value: "USECS", description: "CFS period" },
    "cpu-rt-period": { type: "string", value: "USECS", description: "realtime period" },
    "cpu-rt-runtime": { type: "string", value: "USECS", description: "realtime runtime allowed per period" },
    "cpuset-cpus": { type: "string", value: "LIST", description: "CPUs to run on (0-3,5)" },
    "cpuset-mems": { type: "string", value: "LIST", description: "memory nodes to use" },
    "pids-limit": { type: "string", value: "N", description: "maximum number of processes" },
    "blkio-weight": { type: "string", value: "N", description: "block IO weight, 10 to 1000" },
    "l3-cache-schema": { type: "string", value: "SCHEMA", description: "Intel RDT L3 cache schema (not supported)" },
    "mem-bw-schema": { type: "string", value: "SCHEMA", description: "Intel RDT memory bandwidth schema (not supported)" },
  },
  async run(ctx, flags, [id]) {
    for (const name of ["l3-cache-schema", "mem-bw-schema"]) {
      if (flags[name] !== undefined) throw new UsageError(`--${name}: Intel RDT is not supported`);
    }
    const file = flags.resources as string | undefined;
    const requested = file !== undefined ? resourcesFile(file) : resourcesFromFlags(flagValues(flags));
    const { updateContainer } = await import("../../runtime/container/update.ts");
    const ignored = await updateContainer(await lifecycle(ctx), id, requested, file === undefined ? "update" : file === "-" ? "stdin" : file);
    for (const setting of ignored) ctx.log.warn(`${setting}: ignored, as runc 1.1 ignores kernel memory limits`);
    return 0;
  },
};

function flagValues(flags: FlagValues) {
  const s = (name: string) => flags[name] as string | undefined;
  return {
    memory: s("memory"),
    memoryReservation: s("memory-reservation"),
    memorySwap: s("memory-swap"),
    kernelMemory: s("kernel-memory"),
    kernelMemoryTcp: s("kernel-memory-tcp"),
    cpuShare: s("cpu-share") ?? s("cpu-shares"),
    cpuQuota: s("cpu-quota"),
    cpuPeriod: s("cpu-period"),
    cpuRtPeriod: s("cpu-rt-period"),
    cpuRtRuntime: s("cpu-rt-runtime"),
    cpusetCpus: s("cpuset-cpus"),
    cpusetMems: s("cpuset-mems"),
    pidsLimit: s("pids-limit"),
    blkioWeight: s("blkio-weight"),
  };
}

function resourcesFile(file: string): LinuxResources {
  let text: string;
  try {
    text = readFileSync(file === "-" ? "/dev/stdin" : file, "utf8");
  } catch (e) {
    throw new UsageError(`--resources ${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
  }
  try {
    return JSON.parse(text) as LinuxResources;
  } catch (e) {
    throw new UsageError(`--resources ${file}: not valid JSON: ${(e as Error).message}`);
  }
}
