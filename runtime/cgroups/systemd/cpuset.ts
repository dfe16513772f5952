/** cpuset lists ("0-3,8") as systemd's AllowedCPUs/AllowedMemoryNodes bitmasks: byte 0 holds CPUs 0-7, bit 0 first. */
import { CgroupError } from "../errors.ts";
import { quote } from "../../quote.ts";

export function rangeToBits(list: string, field: string): number[] {
  const bits: number[] = [];
  const set = (n: number) => {
    const byte = n >> 3;
    while (bits.length <= byte) bits.push(0);
    bits[byte] |= 1 << (n & 7);
  };
  const bad = (why: string) => new CgroupError(`${field} ${quote(list)}: ${why}`);
  for (const raw of list.split(",")) {
    // Spaces around an element are allowed and empty elements skipped, as the kernel parses the list.
    const part = raw.trim();
    if (part === "") continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw bad(`${quote(part)} is not a number or a range N-M`);
    const start = Number(m[1]), end = m[2] === undefined ? start : Number(m[2]);
    if (start > end) throw bad(`the range ${quote(part)} ends before it starts`);
    if (end >= 2 ** 16) throw bad(`${end} is beyond any CPU or memory node number`);
    for (let n = start; n <= end; n++) set(n);
  }
  if (bits.length === 0) throw bad("the list is empty");
  return bits;
}
