/**
 * Wall-clock times as runc writes them: Go's RFC 3339 with nanoseconds
 * (time.RFC3339Nano), in UTC, trailing zeros of the fraction dropped.
 * Clients parse `created` with that layout and compare containers by it, so
 * millisecond precision would make containers made in the same millisecond
 * look simultaneous.
 */

/** Now, to the sub-microsecond precision the JavaScript clock gives. */
export function nowNs(): bigint {
  // timeOrigin + now() is the wall clock with a fraction; Date.now() alone stops at milliseconds.
  const ms = performance.timeOrigin + performance.now();
  const whole = Math.floor(ms);
  return BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6));
}

/** `ns` since the epoch as Go formats it with time.RFC3339Nano in UTC. */
export function rfc3339Nano(ns: bigint): string {
  const seconds = ns / 1_000_000_000n;
  const fraction = ns % 1_000_000_000n;
  const base = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  const digits = fraction.toString().padStart(9, "0").replace(/0+$/, "");
  return `${base}${digits ? "." + digits : ""}Z`;
}

export function rfc3339NanoNow(): string {
  return rfc3339Nano(nowNs());
}
