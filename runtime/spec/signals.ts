/**
 * Signal names as users write them: "SIGTERM", "term", "15", "SIGRTMIN+3".
 * The same forms Docker and runc accept for stop signals and `kill`.
 */
import { SIGNALS, SIGRTMAX, SIGRTMIN } from "./constants.ts";

const REALTIME = /^RT(MIN|MAX)(?:([+-])(\d+))?$/;

/** The signal number, or undefined when `text` names no signal. */
export function parseSignal(text: string): number | undefined {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n >= 1 && n <= SIGRTMAX ? n : undefined;
  }
  const name = text.toUpperCase().replace(/^SIG/, "");
  if (Object.hasOwn(SIGNALS, `SIG${name}`)) return SIGNALS[`SIG${name}` as keyof typeof SIGNALS];
  const m = REALTIME.exec(name);
  if (!m) return undefined;
  const base = m[1] === "MIN" ? SIGRTMIN : SIGRTMAX;
  const offset = m[3] === undefined ? 0 : Number(m[3]);
  // RTMIN counts up and RTMAX counts down; the other direction leaves the range.
  if (m[2] !== undefined && (m[1] === "MIN") !== (m[2] === "+")) return undefined;
  const n = m[1] === "MIN" ? base + offset : base - offset;
  return n >= SIGRTMIN && n <= SIGRTMAX ? n : undefined;
}
