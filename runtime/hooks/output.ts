/** The end of a hook's output, kept to explain a failure without holding unbounded data. */

export const OUTPUT_TAIL_BYTES = 4096;
const MAX_LINE = 200;

export class OutputTail {
  private buf = new Uint8Array(0);

  constructor(private readonly limit = OUTPUT_TAIL_BYTES) {}

  push(chunk: Uint8Array): void {
    if (chunk.length >= this.limit) {
      this.buf = chunk.slice(chunk.length - this.limit);
      return;
    }
    const keep = Math.min(this.buf.length, this.limit - chunk.length);
    const next = new Uint8Array(keep + chunk.length);
    next.set(this.buf.subarray(this.buf.length - keep));
    next.set(chunk, keep);
    this.buf = next;
  }

  text(): string {
    return new TextDecoder().decode(this.buf);
  }

  /** The last non-blank line, without control characters, shortened to fit an error line. */
  lastLine(): string {
    const printable = (l: string) => [...l].filter((c) => c >= " " && c !== "\x7f").join("").trim();
    const lines = this.text().split("\n").map(printable);
    const last = lines.reverse().find((l) => l !== "") ?? "";
    return last.length > MAX_LINE ? last.slice(0, MAX_LINE) + "..." : last;
  }
}
