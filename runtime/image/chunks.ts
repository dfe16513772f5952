/** Exact-size reads from a stream of chunks of any size (a decompressor's output). */
export class ChunkReader {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private pending: Uint8Array[] = [];
  private buffered = 0;
  private done = false;

  constructor(chunks: AsyncIterable<Uint8Array>) {
    this.iterator = chunks[Symbol.asyncIterator]();
  }

  /** `n` bytes; fewer only at the end of the stream, null when nothing was left. */
  async read(n: number): Promise<Uint8Array | null> {
    while (this.buffered < n && !this.done) {
      const next = await this.iterator.next();
      if (next.done) {
        this.done = true;
      } else if (next.value.length > 0) {
        this.pending.push(next.value);
        this.buffered += next.value.length;
      }
    }
    if (this.buffered === 0) return null;
    const size = Math.min(n, this.buffered);
    const out = new Uint8Array(size);
    let at = 0;
    while (at < size) {
      const head = this.pending[0];
      const take = Math.min(head.length, size - at);
      out.set(head.subarray(0, take), at);
      at += take;
      if (take === head.length) this.pending.shift();
      else this.pending[0] = head.subarray(take);
    }
    this.buffered -= size;
    return out;
  }
}
