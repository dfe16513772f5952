/** Small statistics helpers for the benchmark, and the recorder of its samples. */

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** `value / reference`, or null when either is missing. */
export function ratio(value: number | null | undefined, reference: number | null | undefined): number | null {
  if (value == null || reference == null || !Number.isFinite(value) || !Number.isFinite(reference) || reference === 0) return null;
  return value / reference;
}

/** The kB value of a "Key:   1234 kB" line of /proc/PID/status, or null. */
export function statusKb(status: string, key: string): number | null {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB$`, "m").exec(status);
  return m ? Number(m[1]) : null;
}

export interface Series {
  median: number | null;
  /** For a measure whose single samples are coarse (see bench/rusage.ts). */
  mean: number | null;
  samples: number[];
  /** The first failure; a contender that failed once is not measured again on that metric. */
  error?: string;
}

/** metric → contender → series. */
export type Metrics = Record<string, Record<string, Series>>;

export class Recorder {
  private readonly series: Metrics = {};

  private of(contender: string, metric: string): Series {
    const byContender = this.series[metric] ??= {};
    return byContender[contender] ??= { median: null, mean: null, samples: [] };
  }

  record(contender: string, metric: string, value: number | null): void {
    if (value !== null) this.of(contender, metric).samples.push(value);
  }

  private failed(contender: string, metrics: string[], e: unknown): void {
    for (const m of metrics) this.of(contender, m).error ??= (e as Error).message;
  }

  private broken(contender: string, metrics: string[]): boolean {
    return metrics.some((m) => this.of(contender, m).error !== undefined);
  }

  /**
   * One call of `take` yields one metric (a number) or several: `fields`
   * maps each metric to its key in the result. Kept only when `keep`.
   */
  async sample<T>(contender: string, fields: string | Record<string, keyof T>, take: () => T | Promise<T>, keep: boolean): Promise<void> {
    const map: Record<string, keyof T | undefined> = typeof fields === "string" ? { [fields]: undefined } : fields;
    const metrics = Object.keys(map);
    if (this.broken(contender, metrics)) return;
    try {
      const value = await take();
      if (!keep) return;
      for (const [metric, key] of Object.entries(map)) {
        this.record(contender, metric, (key === undefined ? value : value[key]) as number | null);
      }
    } catch (e) {
      this.failed(contender, metrics, e);
    }
  }

  results(): Metrics {
    for (const byContender of Object.values(this.series)) {
      for (const s of Object.values(byContender)) {
        s.median = s.samples.length ? median(s.samples) : null;
        s.mean = s.samples.length ? s.samples.reduce((a, b) => a + b, 0) / s.samples.length : null;
      }
    }
    return this.series;
  }
}
