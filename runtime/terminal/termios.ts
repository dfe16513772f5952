/**
 * The kernel's struct termios (what TCGETS/TCSETS move, not glibc's larger
 * copy) and struct winsize, as pure encoders, plus cfmakeraw(3)'s changes.
 */

export interface Termios {
  iflag: number;
  oflag: number;
  cflag: number;
  lflag: number;
  line: number;
  /** c_cc: 19 control characters. */
  cc: number[];
}

export interface WindowSize {
  rows: number;
  cols: number;
}

export const TERMIOS_SIZE = 36;
export const WINSIZE_SIZE = 8;
const NCCS = 19;

const IGNBRK = 0o1, BRKINT = 0o2, PARMRK = 0o10, ISTRIP = 0o40, INLCR = 0o100, IGNCR = 0o200, ICRNL = 0o400, IXON = 0o2000;
const OPOST = 0o1;
/** Output: newline becomes carriage return + newline. */
export const ONLCR = 0o4;
const ISIG = 0o1, ICANON = 0o2, ECHO = 0o10, ECHONL = 0o100, IEXTEN = 0o100000;
const CSIZE = 0o60, PARENB = 0o400, CS8 = 0o60;
const VTIME = 5, VMIN = 6;

export function decodeTermios(buf: Uint8Array): Termios {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  return {
    iflag: v.getUint32(0, true),
    oflag: v.getUint32(4, true),
    cflag: v.getUint32(8, true),
    lflag: v.getUint32(12, true),
    line: buf[16],
    cc: Array.from(buf.subarray(17, 17 + NCCS)),
  };
}

export function encodeTermios(t: Termios): Uint8Array {
  const buf = new Uint8Array(TERMIOS_SIZE);
  const v = new DataView(buf.buffer);
  v.setUint32(0, t.iflag >>> 0, true);
  v.setUint32(4, t.oflag >>> 0, true);
  v.setUint32(8, t.cflag >>> 0, true);
  v.setUint32(12, t.lflag >>> 0, true);
  buf[16] = t.line;
  buf.set(t.cc.slice(0, NCCS), 17);
  return buf;
}

/** cfmakeraw(3): bytes pass unchanged in both directions, one at a time, with no echo or signals. */
export function makeRaw(t: Termios): Termios {
  const cc = [...t.cc];
  cc[VMIN] = 1;
  cc[VTIME] = 0;
  return {
    iflag: t.iflag & ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON),
    oflag: t.oflag & ~OPOST,
    cflag: (t.cflag & ~(CSIZE | PARENB)) | CS8,
    lflag: t.lflag & ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN),
    line: t.line,
    cc,
  };
}

export function decodeWinsize(buf: Uint8Array): WindowSize {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  return { rows: v.getUint16(0, true), cols: v.getUint16(2, true) };
}

export function encodeWinsize(size: WindowSize): Uint8Array {
  const buf = new Uint8Array(WINSIZE_SIZE);
  const v = new DataView(buf.buffer);
  v.setUint16(0, size.rows, true);
  v.setUint16(2, size.cols, true);
  return buf;
}
