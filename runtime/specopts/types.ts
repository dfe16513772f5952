/**
 * Spec options in the manner of containerd's `oci.SpecOpts`: small functions
 * that each change one aspect of a spec, composed over `defaultSpec`. The
 * CLI's image flags and scripts use the same functions.
 */
import type { Spec } from "../spec/schema.ts";

export interface SpecContext {
  /** The unpacked root filesystem, where users and groups are looked up. */
  rootfs: string;
  /** The bundle directory, where options write files of the container's own (its /etc/hosts). */
  bundle?: string;
}

export type SpecOpt = (spec: Spec, ctx: SpecContext) => void;

/** Applies `opts` in order to `spec` (changed in place and returned). */
export function applySpecOpts(spec: Spec, ctx: SpecContext, opts: SpecOpt[]): Spec {
  for (const opt of opts) opt(spec, ctx);
  return spec;
}
