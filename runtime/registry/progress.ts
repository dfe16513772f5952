/**
 * The pull's progress line: on a terminal, one line rewritten in place with
 * the layers done and the bytes fetched; off a terminal (logs, pipes, CI)
 * nothing, so captured stderr stays the errors alone.
 */

export interface PullProgress {
  /** Bytes of the blobs still to fetch, and how many of them there are. */
  start(blobs: number, bytes: number): void;
  bytes(n: number): void;
  blobDone(): void;
  /** Ends the line (the terminal's next output starts on a line of its own). */
  finish(): void;
}

export interface ProgressState {
  done: number;
  total: number;
  bytes: number;
  totalBytes: number;
}

/** `\r` + `layers 1/3, 1.2 MiB of 3.4 MiB`, cleared to the end of the line for a shorter rewrite. */
export function formatProgress(name: string, s: ProgressState): string {
  return `\r${name}: layers ${s.done}/${s.total}, ${humanBytes(s.bytes)} of ${humanBytes(s.totalBytes)}\x1b[K`;
}

export function humanBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB"];
  let value = n, unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

const SILENT: PullProgress = { start() {}, bytes() {}, blobDone() {}, finish() {} };

/** Redraws at most every `interval` ms (and at each finished layer), so a fast pull does not flood the terminal. */
export function progressLine(
  name: string,
  out: { isTTY?: boolean; write(text: string): unknown },
  interval = 100,
  now: () => number = Date.now,
): PullProgress {
  if (!out.isTTY) return SILENT;
  const state: ProgressState = { done: 0, total: 0, bytes: 0, totalBytes: 0 };
  let drawn = -Infinity;
  let started = false;
  const draw = (force: boolean) => {
    if (!force && now() - drawn < interval) return;
    drawn = now();
    out.write(formatProgress(name, state));
  };
  return {
    start(blobs, bytes) {
      Object.assign(state, { total: blobs, totalBytes: bytes });
      started = true;
      draw(true);
    },
    bytes(n) {
      state.bytes += n;
      draw(false);
    },
    blobDone() {
      state.done++;
      draw(true);
    },
    finish() {
      if (started) out.write("\n");
    },
  };
}
