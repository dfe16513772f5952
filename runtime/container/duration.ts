/** Durations as Go's time.ParseDuration reads them, for runc's `--interval 5s`. */
import { ResourceValueError } from "./errors.ts";

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, "μs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** Milliseconds in "1h2m3.5s", "300ms", "0": a sequence of numbers with units, optionally signed. */
export function parseDuration(text: string): number {
  const invalid = () => new ResourceValueError(`invalid duration "${text}" (expected a number with a unit: ns, us, ms, s, m or h)`);
  let rest = text;
  let sign = 1;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    if (rest[0] === "-") sign = -1;
    rest = rest.slice(1);
  }
  if (rest === "0") return 0;
  if (rest === "") throw invalid();
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < rest.length) {
    const m = PART.exec(rest);
    if (!m) throw invalid();
    total += Number(m[1]) * UNIT_MS[m[2]];
  }
  return sign * total;
}
