/** Small statistics helpers for the benchmark. */

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** `value / reference`, or null when either is missing. */
export function ratio(value: number | null, reference: number | null): number | null {
  if (value === null || reference === null || !Number.isFinite(value) || !Number.isFinite(reference) || reference === 0) return null;
  return value / reference;
}

/** The kB value of a "Key:   1234 kB" line of /proc/PID/status, or null. */
export function statusKb(status: string, key: string): number | null {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB$`, "m").exec(status);
  return m ? Number(m[1]) : null;
}
