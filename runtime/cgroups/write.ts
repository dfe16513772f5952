/** What a resource plan is made of: files to write, in order, in the container's cgroup. */

export interface CgroupWrite {
  /** v1: the controller whose hierarchy holds the file; v2 (and hybrid unified keys): "". */
  controller: string;
  file: string;
  value: string;
  /** Skip the write when the file does not exist (a feature this kernel may not have). */
  optional?: boolean;
  /** Write this instead when `file` does not exist. */
  fallback?: { file: string; value: string };
  /**
   * The kernel may refuse this value with EINVAL until the next write lands
   * (a shorter cpu.cfs_period_us under an old quota): then write it again
   * after the next one.
   */
  retryAfterNext?: boolean;
}

/** Shortcuts for plan builders. */
export function w(controller: string, file: string, value: string, extra: Partial<CgroupWrite> = {}): CgroupWrite {
  return { controller, file, value, ...extra };
}

const INT64_MAX = "9223372036854775807";

/**
 * Decimal text of an integer from the spec. JSON numbers above 2^53 arrive
 * rounded; anything at or above 2^63 is taken as the int64 maximum rather
 * than written as a value the kernel would reject.
 */
export function intString(v: number): string {
  if (v >= 2 ** 63) return INT64_MAX;
  return BigInt(Math.trunc(v)).toString();
}
