/**
 * The failure report a start-up program writes to its report descriptor:
 * u64 errno, u64 index of the failed op, then the op's description.
 */
import { errnoDescription, errnoName } from "../../ffi/errno.ts";
import { REPORT_HEADER_SIZE } from "./layout.ts";

export interface StubReport {
  /** Positive errno; 0 when the report was cut short before it. */
  errno: number;
  /** Index of the failed op; -1 when the report was cut short before it. */
  index: number;
  what: string;
}

/** null for empty input; a report cut short yields whatever fields it holds. */
export function decodeReport(bytes: Uint8Array): StubReport | null {
  if (bytes.length === 0) return null;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    errno: bytes.length >= 8 ? Number(v.getBigUint64(0, true)) : 0,
    index: bytes.length >= REPORT_HEADER_SIZE ? Number(v.getBigUint64(8, true)) : -1,
    what: new TextDecoder().decode(bytes.subarray(REPORT_HEADER_SIZE)),
  };
}

/** `what: ENOENT (No such file or directory)`, the same reason text as SyscallError. */
export function describeReport(r: StubReport): string {
  return `${r.what}: ${errnoName(r.errno)} (${errnoDescription(r.errno)})`;
}
