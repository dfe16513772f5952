/**
 * cgroup v2 has no devices files: access is decided by a
 * BPF_PROG_TYPE_CGROUP_DEVICE program attached to the cgroup. The program
 * is generated from the same emulated rule set as v1's writes, block by
 * block as runc's devicefilter does: the first matching exception decides,
 * anything else gets the default.
 */
import {
  BPF_CGROUP_DEVICE,
  BPF_F_ALLOW_MULTI,
  BPF_PROG_TYPE_CGROUP_DEVICE,
  O_CLOEXEC,
  O_DIRECTORY,
  O_RDONLY,
  type Syscalls,
} from "../../ffi/syscalls.ts";
import { asm, type BpfInsn, encode } from "./bpf_asm.ts";
import { type DeviceRule, DeviceEmulator, deviceRuleString, WILDCARD } from "./devices.ts";
import { CgroupError } from "./errors.ts";

export const DEVICE_FILTER_LICENSE = "Apache";

// struct bpf_cgroup_dev_ctx access_type: type in the low 16 bits, access in the high 16 (linux/bpf.h).
const BPF_DEVCG_ACC_MKNOD = 1, BPF_DEVCG_ACC_READ = 2, BPF_DEVCG_ACC_WRITE = 4;
const BPF_DEVCG_DEV_BLOCK = 1, BPF_DEVCG_DEV_CHAR = 2;
const R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5;

function accessBits(access: string): number {
  let bits = 0;
  for (const c of access) bits |= c === "r" ? BPF_DEVCG_ACC_READ : c === "w" ? BPF_DEVCG_ACC_WRITE : BPF_DEVCG_ACC_MKNOD;
  return bits;
}

function verdict(allow: boolean, symbol?: string): BpfInsn[] {
  const mov = asm.mov32(R0, allow ? 1 : 0);
  if (symbol !== undefined) mov.symbol = symbol;
  return [mov, asm.exit()];
}

/** The device filter program for `rules` (applied in order, v1 semantics). */
export function deviceFilterProgram(rules: readonly DeviceRule[]): BpfInsn[] {
  const emu = DeviceEmulator.of(rules);
  const insns: BpfInsn[] = [
    // r2 = device type, r3 = requested access, r4 = major, r5 = minor
    asm.loadWord(R2, R1, 0),
    asm.and32(R2, 0xffff),
    asm.loadWord(R3, R1, 0),
    asm.rsh32(R3, 16),
    asm.loadWord(R4, R1, 4),
    asm.loadWord(R5, R1, 8),
  ];
  let block = 0;
  for (const [idx, rule] of emu.rules().entries()) {
    if (rule.type === "a") {
      // Only the leading switch into allow-all mode can be a wildcard rule; it is the default below.
      if (idx !== 0 || rule.allow !== emu.defaultAllow) throw new Error(`misplaced wildcard device rule ${deviceRuleString(rule)}`);
      continue;
    }
    const next = `block-${block + 1}`;
    const start = insns.length;
    insns.push(asm.jneImm(R2, rule.type === "c" ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK, next));
    const bits = accessBits(rule.access);
    if (bits !== (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD)) {
      // Matches only when every requested access is among the rule's.
      insns.push(asm.movReg32(R1, R3), asm.and32(R1, bits), asm.jneReg(R1, R3, next));
    }
    if (rule.major !== WILDCARD) insns.push(asm.jneImm(R4, rule.major, next));
    if (rule.minor !== WILDCARD) insns.push(asm.jneImm(R5, rule.minor, next));
    insns.push(...verdict(rule.allow));
    insns[start].symbol = `block-${block}`;
    block++;
  }
  insns.push(...verdict(emu.defaultAllow, `block-${block}`));
  return insns;
}

/**
 * Loads the filter for `rules` and attaches it to the cgroup directory
 * `dir`, then detaches the programs attached before (so an update never
 * leaves a moment without a filter).
 */
export function attachDeviceFilter(sys: Syscalls, dir: string, rules: readonly DeviceRule[]): void {
  const code = encode(deviceFilterProgram(rules));
  // The kernel needs a real descriptor of the directory, which only the FFI layer hands out in every runtime.
  const dirFd = sys.open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  try {
    const before = sys.bpfProgQuery(dirFd, BPF_CGROUP_DEVICE);
    let prog: number;
    try {
      prog = sys.bpfProgLoad(BPF_PROG_TYPE_CGROUP_DEVICE, code, DEVICE_FILTER_LICENSE, BPF_CGROUP_DEVICE);
    } catch (e) {
      throw new CgroupError(`cannot load the device filter for ${dir}: ${(e as Error).message}`);
    }
    try {
      sys.bpfProgAttach(dirFd, prog, BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI);
    } catch (e) {
      throw new CgroupError(`cannot attach the device filter to ${dir}: ${(e as Error).message}`);
    } finally {
      sys.close(prog);
    }
    for (const id of before) {
      const old = sys.bpfProgGetFdById(id);
      try {
        sys.bpfProgDetach(dirFd, old, BPF_CGROUP_DEVICE);
      } finally {
        sys.close(old);
      }
    }
  } finally {
    sys.close(dirFd);
  }
}
